package analysis

import (
	"fmt"
	"runtime/debug"
	"slices"
)

// Check is one analyzer: a code, what it means, and the function that looks
// for it. Each check lives in a file of its own under analysis/checks; the
// server and the command line only ever see the list.
type Check struct {
	Code     string
	Category string   // "syntax", "structure", "access", "service-data", "config"
	Severity Severity // default severity of its findings
	DocURL   string   // the AWS page that explains the rule
	Title    Text     // one line, for rule lists (README, SARIF)
	Explain  Text     // hover text: cause, why AWS denies, how to fix
	// Kinds limits the check to policies of these kinds; nil means all.
	Kinds []Kind
	Run   func(*Pass)
	// RunWorkspace, when set, runs after Run on a file that belongs to a
	// workspace, whatever its kind: the check's findings that need other
	// files. Its findings take the check's code.
	RunWorkspace func(*Pass)
}

// Applies reports whether the check runs on a policy of kind k.
func (c *Check) Applies(k Kind) bool {
	return c.Kinds == nil || k.In(c.Kinds...)
}

// Pass is what a check sees while it runs on one file.
type Pass struct {
	*File
	Check    *Check
	findings *[]Finding
}

// Report records a finding, filling the code, severity and documentation
// link from the check where the finding leaves them empty.
func (p *Pass) Report(f Finding) {
	if f.Code == "" {
		f.Code = p.Check.Code
	}
	if f.Severity == 0 {
		f.Severity = p.Check.Severity
	}
	if f.DocURL == "" {
		f.DocURL = p.Check.DocURL
	}
	if f.Explain.EN == "" {
		f.Explain = p.Check.Explain
	}
	*p.findings = append(*p.findings, f)
}

// Reportf is Report for the common case of a message and optional fixes.
func (p *Pass) Reportf(span Span, msg Text, fixes ...Fix) {
	p.Report(Finding{Span: span, Message: msg, Fixes: fixes})
}

// InternalErrorCode marks a check that failed; its finding says so rather
// than letting the document look clean.
const InternalErrorCode = "internal-error"

// Analyze runs the checks that apply to the file and returns their
// findings in document order. A check that panics is reported as an
// internal-error finding and the others still run.
func Analyze(f *File, checks []*Check) (findings []Finding) {
	if f.Syntax != nil {
		return []Finding{syntaxFinding(f.Syntax)}
	}
	if f.Policy == nil {
		return nil
	}
	for _, c := range checks {
		if f.Config.Disabled(c.Code) {
			continue
		}
		if c.Applies(f.Kind) {
			runCheck(f, c, c.Run, &findings)
		}
		if c.RunWorkspace != nil && f.Workspace != nil {
			runCheck(f, c, c.RunWorkspace, &findings)
		}
	}
	findings = mergeDuplicates(findings)
	f.Config.applySeverities(findings)
	SortFindings(findings)
	return findings
}

// mergeDuplicates keeps one finding per code and span: a fault seen both
// on its own and across files is reported once, with the related places
// of both.
func mergeDuplicates(fs []Finding) []Finding {
	type key struct {
		code string
		span Span
	}
	first := map[key]int{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Code, f.Span}
		i, seen := first[k]
		if !seen {
			first[k] = len(out)
			out = append(out, f)
			continue
		}
		for _, r := range f.Related {
			if !slices.Contains(out[i].Related, r) {
				out[i].Related = append(out[i].Related, r)
			}
		}
	}
	return out
}

func runCheck(f *File, c *Check, run func(*Pass), findings *[]Finding) {
	defer func() {
		if r := recover(); r != nil {
			*findings = append(*findings, Finding{
				Code:     InternalErrorCode,
				Severity: Warning,
				Span:     Span{0, 0},
				Message: Tf("the check %s failed on this document (%v); please report it with the document",
					"チェック %s がこの文書で失敗しました (%v)。文書を添えて報告してください", c.Code, r),
			})
			if PanicHook != nil {
				PanicHook(fmt.Sprintf("check %s panicked: %v\n%s", c.Code, r, debug.Stack()))
			}
		}
	}()
	run(&Pass{File: f, Check: c, findings: findings})
}

// PanicHook, when set, receives the stack of a check that panicked, so
// that the server can log it.
var PanicHook func(string)

// SyntaxCode is the code of the finding for a document that is not JSON.
const SyntaxCode = "json-syntax"

// SyntaxDocURL explains the JSON policy grammar.
const SyntaxDocURL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"

func syntaxFinding(e *SyntaxError) Finding {
	return Finding{
		Code:     SyntaxCode,
		Severity: Error,
		Span:     e.Span,
		Message:  e.Msg,
		Explain: T("The document is not valid JSON, so AWS rejects it with MalformedPolicyDocument and no other check can run until it parses.",
			"文書が正しい JSON ではないため、AWS は MalformedPolicyDocument として拒否します。解析できるまで他のチェックは実行されません。"),
		DocURL: SyntaxDocURL,
	}
}
