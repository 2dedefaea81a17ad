package checks

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// UnknownAction reports an Action or NotAction entry that names no action
// of its service: a misspelling, a retired action, or a wildcard that
// matches nothing.
var UnknownAction = &analysis.Check{
	Code:     "unknown-action",
	Category: "service-data",
	Severity: analysis.Warning, // Error in bucket policies, which S3 rejects
	DocURL:   "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
	Title:    analysis.T("Action names no action of its service", "Action がサービスのどのアクションも指していない"),
	Explain: analysis.T(
		"The Service Authorization Reference lists no such action for this service. S3 rejects a bucket policy that names one (MalformedPolicy: Policy has invalid action). IAM accepts it in an identity policy, SCP or boundary, because it checks only the form service:action, but the entry matches no request: the access it was meant to allow is denied, and a Deny written with it denies nothing. Use the spelling the reference gives; the hover of a valid action shows it.",
		"サービス認可リファレンスには、このサービスのそのようなアクションはありません。S3 はそれを含むバケットポリシーを拒否します (MalformedPolicy: Policy has invalid action)。IAM は service:action の形式しか確かめないため、アイデンティティポリシー、SCP、境界では受け付けますが、そのエントリはどのリクエストにも一致しません。許可したかったアクセスは拒否され、Deny に書いた場合は何も拒否しません。リファレンスどおりの綴りを使ってください。"),
	Run: runUnknownAction,
}

// retiredActions are actions AWS once documented and no longer lists,
// with what replaced them, so the finding can say what they are.
var retiredActions = map[string]analysis.Text{}

func runUnknownAction(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		for _, v := range actionEntries(s) {
			r, ok := parseActionRef(v)
			if !ok || r.Service == nil || len(r.Matches) > 0 {
				continue
			}
			pass.Report(unknownActionFinding(pass, r))
		}
	}
}

func unknownActionFinding(pass *analysis.Pass, r actionRef) analysis.Finding {
	f := analysis.Finding{Span: r.Value.Span, Severity: unknownSeverity(pass.Kind)}
	if r.Wildcard {
		f.Message = analysis.Tf("%q matches no action of %s", "%q は %s のどのアクションにも一致しません", r.Value.Str, r.Service.Name)
		return f
	}
	if note, ok := retiredActions[strings.ToLower(r.Value.Str)]; ok {
		f.Message = analysis.Text{
			EN: fmt.Sprintf("%s is a retired action: %s", r.Value.Str, note.EN),
			JA: fmt.Sprintf("%s は廃止されたアクションです: %s", r.Value.Str, note.JA),
		}
		return f
	}
	f.Message = analysis.Tf("%s has no action %q", "%s にアクション %q はありません", r.Service.Name, r.Name)
	if near := analysis.Closest(r.Name, r.Service.ActionNames()); near != "" {
		f.Message = analysis.Tf("%s has no action %q; did you mean %s:%s?", "%s にアクション %q はありません。%s:%s ですか?", r.Service.Name, r.Name, r.Prefix, near)
		f.Fixes = []analysis.Fix{replaceFix(r.Value.Span, r.Prefix+":"+near)}
	}
	return f
}
