package analysis

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
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
	if f.FixLater.pending() {
		f.FixLater.origin = p.File.fixOrigin()
	}
	*p.findings = append(*p.findings, f)
}

// Reportf is Report for the common case of a message and optional fixes.
func (p *Pass) Reportf(span Span, msg Text, fixes ...Fix) {
	p.Report(Finding{Span: span, Message: SayText(msg), Fixes: fixes})
}

// InternalErrorCode marks a check that failed; its finding says so rather
// than letting the document look clean.
const InternalErrorCode = "internal-error"

// Options say how the checks run on a document.
type Options struct {
	Checks []*Check
	// Adjust, when set, lays the user's settings over the findings.
	Adjust func([]Finding) []Finding
	// OnPanic, when set, receives the stack of a check that panicked, so
	// that the server can log it.
	OnPanic func(string)
}

// Analyze runs the checks that apply to the file and returns their
// findings in document order. A check that panics is reported as an
// internal-error finding and the others still run.
func Analyze(f *File, checks []*Check) []Finding {
	return AnalyzeWith(f, Options{Checks: checks})
}

// AnalyzeWith is Analyze with the caller's options.
func AnalyzeWith(f *File, opts Options) []Finding {
	findings := analyze(f, opts)
	if opts.Adjust != nil {
		findings = opts.Adjust(findings)
	}
	return findings
}

func analyze(f *File, opts Options) []Finding {
	if f.Syntax != nil {
		return []Finding{syntaxFinding(f.Syntax)}
	}
	if f.Policy == nil {
		return nil
	}
	// The checks report into a slice kept from one document to the next,
	// and the findings are copied out once, sorted and merged, into a
	// slice of their number: a Finding is large, and growing a slice of
	// them a hundred times was a quarter of the bytes a 20 KB policy's
	// analysis allocated, and a copy of each under the write barrier.
	scratch := scratchFindings.Get().(*[]Finding)
	findings := (*scratch)[:0]
	// One pass for every check, each in turn (a pass of its own for each
	// was an allocation per check per document): a check keeps nothing of
	// its pass once it returns.
	pass := &Pass{File: f, findings: &findings}
	for _, c := range opts.Checks {
		if f.Config.Disabled(c.Code) {
			continue
		}
		if c.Applies(f.Kind) {
			runCheck(pass, c, c.Run, opts.OnPanic)
		}
		if c.RunWorkspace != nil && f.Workspace != nil {
			runCheck(pass, c, c.RunWorkspace, opts.OnPanic)
		}
	}
	// Sorted first, a finding's duplicates (same code and span) are its
	// neighbours, in the order reported: the merge needs no map of them.
	SortFindings(findings)
	var out []Finding
	merged := mergeDuplicates(findings)
	switch {
	case len(merged) > 0 && f.borrowed && f.slabs != nil && f.findings == nil:
		// A borrowed document (check's files read alone) promises that
		// nothing of its findings is used once it is recycled: they
		// stay where they were collected, and Recycle frees them with the
		// tree, rather than being copied out (11 MB of what check
		// allocated over 10,000 ungoverned policies, issue 16).
		out = merged[:len(merged):len(merged)]
		*scratch, f.findings = findings, scratch
	case len(merged) > 0:
		out = slices.Clone(merged)
		fallthrough
	default:
		putScratchFindings(scratch, findings)
	}
	f.Config.applySeverities(out)
	return out
}

// putScratchFindings gives the pool back a slice of findings, all of
// them used no more.
func putScratchFindings(scratch *[]Finding, findings []Finding) {
	clear(findings) // every finding reported: the pool holds no document's memory
	if cap(findings) <= maxScratchFindings {
		*scratch = findings[:0]
		scratchFindings.Put(scratch)
	}
}

// scratchFindings are the slices analyze collects findings in, each at
// most maxScratchFindings long: a document with more (a governed
// folder's cross-file causes) grows its own, not one kept for every
// document after it.
var scratchFindings = sync.Pool{New: func() any { return new([]Finding) }}

const maxScratchFindings = 1024

// MaxRelated bounds the related places of a finding. A cross-file cause
// can take part in a request for every grant in the folder; listing them
// all made a finding grow with the folder and check's output with its
// square (issue 16). The rest are counted in the message.
const MaxRelated = 4

// mergeDuplicates keeps one finding per code and span: a fault seen both
// on its own and across files, or for many requests, is reported once,
// with the related places of each (each once), bounded by MaxRelated, and
// the fixes of each (each title once). fs is in SortFindings' order, so
// that the duplicates of a finding follow it.
// Linear in the number of related places: a set per merged finding.
func mergeDuplicates(fs []Finding) []Finding {
	out := fs[:0]
	for i := 0; i < len(fs); {
		n := 1
		for i+n < len(fs) && fs[i+n].Code == fs[i].Code && fs[i+n].Span == fs[i].Span {
			n++
		}
		if n == 1 && len(out) == i && !needsBounding(&fs[i]) {
			// Nearly every finding, while none was merged before it: it
			// stays where it is (a Finding is large, and copying each
			// twice was a third of the merge).
			out = fs[:i+1]
		} else {
			out = append(out, mergeRun(fs[i:i+n]))
		}
		i += n
	}
	return out
}

// mergeRun is the first finding of a run of duplicates with what the
// others add.
func mergeRun(run []Finding) Finding {
	f := run[0]
	if len(run) == 1 {
		return boundRelated(f, nil)
	}
	seen := map[relatedKey]bool{}
	for _, r := range f.Related {
		seen[keyOf(r)] = true
	}
	var added []Related // the related places of the duplicates, new ones only
	for i := 1; i < len(run); i++ {
		d := &run[i]
		f.NotListed += d.NotListed
		for _, r := range d.Related {
			if rk := keyOf(r); !seen[rk] {
				seen[rk] = true
				added = append(added, r)
			}
		}
	}
	addFixes(&f, run[1:])
	return boundRelated(f, added)
}

// addFixes gives f the fixes of its duplicates, those with a title of
// its own fixes' once. When any of them is written only when asked for,
// so are the merged ones (mergedFixes): a workspace's cause checks report
// an element once for each principal it blocks, and writing the fixes of
// each to merge them was a third of the bytes their analysis allocated
// in a first scan of 10,000 governed policies, for check, which never
// prints them, and for the thousands of closed files whose code actions
// nobody asks for (issue 16).
func addFixes(f *Finding, dups []Finding) {
	if !slices.ContainsFunc(dups, func(d Finding) bool { return d.HasFixes() }) {
		return
	}
	origin := f.FixLater.origin
	for i := 0; origin == nil && i < len(dups); i++ {
		origin = dups[i].FixLater.origin
	}
	// Copies: the merge writes its findings over the run's memory.
	run := mergedFixes(append([]Finding{*f}, dups...))
	if origin == nil {
		f.Fixes = run.Fixes() // all written already
		return
	}
	f.Fixes, f.FixLater = nil, LaterFix{by: run, origin: origin}
}

// mergedFixes are the fixes of a run of duplicates, the first's then the
// others' by new titles only, written when asked for (addFixes).
type mergedFixes []Finding

func (run mergedFixes) Fixes() []Fix {
	fixes := run[0].AllFixes()
	titles := map[Text]bool{}
	for _, fix := range fixes {
		titles[fix.Title] = true
	}
	var added []Fix // the fixes of the duplicates, by new titles only
	for i := 1; i < len(run); i++ {
		for _, fix := range run[i].AllFixes() {
			if !titles[fix.Title] { // a set: an identity policy has a fix for each of thousands of buckets
				titles[fix.Title] = true
				added = append(added, fix)
			}
		}
	}
	if len(added) == 0 {
		return fixes
	}
	// A cause seen across files brings the fix that the workspace alone
	// knows (whom to exempt, what to allow).
	return KeepingFirst(append(slices.Clip(fixes), added...))
}

// String says what each finding of the run has of fixes, as
// LaterFix.String does, for %v of a merged finding.
func (run mergedFixes) String() string {
	var b strings.Builder
	for i := range run {
		fmt.Fprintf(&b, "%v%v", run[i].Fixes, run[i].FixLater)
	}
	return b.String()
}

// relatedKey tells related entries apart: the same place may be related
// for two reasons (the grant of two actions), each with its message.
type relatedKey struct {
	place placeKey
	msg   string
}

// placeKey is a related place: a span of a document of a file.
type placeKey struct {
	file, doc string
	span      Span
}

func keyOf(r Related) relatedKey { return relatedKey{placeOf(r), r.Message.EN} }

func placeOf(r Related) placeKey { return placeKey{r.File, r.Doc, r.Span} }

// boundRelated gives f its own related places and then those its
// duplicates added, at most MaxRelated in all: its own first (they explain
// its message), then the nearest of the others (this document, then its
// folder, then by folder depth, each in the order reported). The message
// counts the places left out.
func boundRelated(f Finding, added []Related) Finding {
	if len(added) == 0 && !needsBounding(&f) {
		return f // nearly every finding: nothing to add to it
	}
	if len(f.Related)+len(added) <= MaxRelated {
		if len(added) > 0 {
			f.Related = append(slices.Clip(f.Related), added...)
		}
		f.Message, f.NotListed = f.Message.sayingNotListed(f.NotListed), 0
		return f
	}
	kept := slices.Clip(f.Related[:min(len(f.Related), MaxRelated)])
	rest := append(slices.Clone(f.Related[len(kept):]), added...)
	slices.SortStableFunc(rest, func(a, b Related) int { return distance(a.File) - distance(b.File) })
	cut := MaxRelated - len(kept)
	kept = append(kept, rest[:cut]...)
	f.Related = kept
	f.Message, f.NotListed = f.Message.sayingNotListed(othersNotListed(kept, rest[cut:])+f.NotListed), 0
	return f
}

// needsBounding reports whether boundRelated changes a finding that no
// duplicate adds to: it has too many related places, or counts some left
// out.
func needsBounding(f *Finding) bool { return len(f.Related) > MaxRelated || f.NotListed != 0 }

// distance orders related files by nearness to the finding's document:
// File is relative to its folder, "" for the document itself.
func distance(file string) int {
	if file == "" {
		return 0
	}
	return 1 + strings.Count(file, "/")
}

// othersNotListed counts the places the related list leaves out, each
// place once, however many reasons it had.
func othersNotListed(kept, dropped []Related) int {
	shown := map[placeKey]bool{}
	for _, r := range kept {
		shown[placeOf(r)] = true
	}
	others := map[placeKey]bool{}
	for _, r := range dropped {
		if k := placeOf(r); !shown[k] {
			others[k] = true
		}
	}
	return len(others)
}

// placesNotListed says how many related places the list leaves out.
func placesNotListed(n int) Text {
	switch n {
	case 0:
		return Text{}
	case 1:
		return T(" (and 1 other related place, not listed)", " (ほかに関連する箇所が 1 件あります。一覧にはありません)")
	}
	return Tf(" (and %d other related places, not listed)", " (ほかに関連する箇所が %d 件あります。一覧にはありません)", n)
}

// runCheck runs check c (its run) with pass, whose Check it sets.
func runCheck(pass *Pass, c *Check, run func(*Pass), onPanic func(string)) {
	pass.Check = c
	defer func() {
		if r := recover(); r != nil {
			*pass.findings = append(*pass.findings, Finding{
				Code:     InternalErrorCode,
				Severity: Warning,
				Span:     Span{0, 0},
				Message: SayText(Tf("the check %s failed on this document (%v); please report it with the document",
					"チェック %s がこの文書で失敗しました (%v)。文書を添えて報告してください", c.Code, r)),
			})
			if onPanic != nil {
				onPanic(fmt.Sprintf("check %s panicked: %v\n%s", c.Code, r, debug.Stack()))
			}
		}
	}()
	run(pass)
}

// SyntaxCode is the code of the finding for a document that is not JSON.
const SyntaxCode = "json-syntax"

// SyntaxDocURL explains the JSON policy grammar.
const SyntaxDocURL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"

func syntaxFinding(e *SyntaxError) Finding {
	return Finding{
		Code:     SyntaxCode,
		Severity: Error,
		Span:     e.Span,
		Message:  SayText(e.Msg),
		Explain: T("The document is not valid JSON, so AWS rejects it with MalformedPolicyDocument and no other check can run until it parses.",
			"文書が正しい JSON ではないため、AWS は MalformedPolicyDocument として拒否します。解析できるまで他のチェックは実行されません。"),
		DocURL: SyntaxDocURL,
	}
}
