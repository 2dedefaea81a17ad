package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// MissingVersion reports a policy without "Version": "2012-10-17". Without
// it AWS assumes 2008-10-17, under which policy variables such as
// ${aws:username} are literal text and never match.
var MissingVersion = &analysis.Check{
	Code:     analysis.CodeMissingVersion,
	Category: "structure",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
	Title:    analysis.T("Version is missing or older than 2012-10-17", "Version がないか 2012-10-17 より古い"),
	Explain: analysis.T(
		"Without `\"Version\": \"2012-10-17\"` AWS evaluates the policy under the 2008-10-17 language, in which policy variables such as `${aws:username}` are not substituted: a Resource or Condition that uses one matches nothing, and access is denied. Put `\"Version\": \"2012-10-17\"` first in the document.",
		"`\"Version\": \"2012-10-17\"` がないと、AWS はポリシーを 2008-10-17 の言語で評価します。この場合 `${aws:username}` などのポリシー変数は置き換えられず、それを使う Resource や Condition は何にも一致しないため、アクセスが拒否されます。文書の先頭に `\"Version\": \"2012-10-17\"` を置いてください。"),
	Run: runMissingVersion,
}

const currentVersion = "2012-10-17"

func runMissingVersion(pass *analysis.Pass) {
	p := pass.Policy
	if p.Root.Kind != analysis.Object {
		return
	}
	if p.Version == nil {
		pass.Reportf(analysis.Span{Start: p.Root.Span.Start, End: p.Root.Span.Start + 1},
			analysis.T("the policy has no Version; add \"Version\": \"2012-10-17\" so that policy variables work",
				"ポリシーに Version がありません。ポリシー変数を使えるよう \"Version\": \"2012-10-17\" を追加してください"),
			analysis.Fix{
				Title: analysis.T("Add \"Version\": \"2012-10-17\"", "\"Version\": \"2012-10-17\" を追加"),
				Edits: []analysis.Edit{analysis.InsertFirstMember(pass.Src, p.Root, `"Version": "`+currentVersion+`"`)},
			})
		return
	}
	v := p.Version.Value
	if v.Kind == analysis.String && (v.Str == currentVersion || analysis.HasPlaceholder(v.Str)) {
		return // a template's placeholder is a value the tool cannot see
	}
	msg := analysis.Tf("Version %s is not 2012-10-17: policy variables such as ${aws:username} are not substituted under it",
		"Version %s は 2012-10-17 ではありません。このバージョンでは ${aws:username} などのポリシー変数が置き換えられません", string(pass.Src[v.Span.Start:v.Span.End]))
	pass.Reportf(v.Span, msg, analysis.Fix{
		Title: analysis.T("Set Version to 2012-10-17", "Version を 2012-10-17 にする"),
		Edits: []analysis.Edit{{Span: v.Span, NewText: `"` + currentVersion + `"`}},
	})
}
