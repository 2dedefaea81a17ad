package checks

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// InvalidEffect reports a statement whose Effect is missing or is not
// exactly "Allow" or "Deny". The value is case sensitive: AWS rejects
// "allow" as a malformed policy.
var InvalidEffect = &analysis.Check{
	Code:     analysis.CodeInvalidEffect,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html",
	Title:    analysis.T("Effect is missing or not exactly Allow or Deny", "Effect がないか、Allow / Deny のどちらでもない"),
	Explain: analysis.T(
		"Every statement needs `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`, spelt exactly so: the value is case sensitive. AWS rejects any other value as a malformed policy, so the policy cannot be saved and grants nothing.",
		"各ステートメントには `\"Effect\": \"Allow\"` または `\"Effect\": \"Deny\"` が必要で、大文字小文字も含めてこの通りに書く必要があります。それ以外の値は不正なポリシーとして拒否され、ポリシーを保存できず何も許可されません。"),
	Run: runInvalidEffect,
}

var effects = []string{"Allow", "Deny"}

func runInvalidEffect(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if s.Effect == nil {
			pass.Reportf(openBrace(s.Obj),
				analysis.Tf("%s has no Effect; add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
					"%s に Effect がありません。\"Effect\": \"Allow\" または \"Effect\": \"Deny\" を追加してください", s.Label()))
			continue
		}
		v := s.Effect.Value
		if v.Kind != analysis.String {
			pass.Reportf(v.Span, analysis.T(fmt.Sprintf("Effect must be the string \"Allow\" or \"Deny\", not %s", kindNames[v.Kind].EN),
				fmt.Sprintf("Effect は文字列 \"Allow\" または \"Deny\" でなければなりません (%sではなく)", kindNames[v.Kind].JA)))
			continue
		}
		if v.Str == "Allow" || v.Str == "Deny" || analysis.HasPlaceholder(v.Str) {
			continue
		}
		msg := analysis.Tf("Effect %q is not \"Allow\" or \"Deny\" (the value is case sensitive)",
			"Effect %q は \"Allow\" でも \"Deny\" でもありません (大文字小文字は区別されます)", v.Str)
		pass.Reportf(v.Span, msg, effectFixes(v)...)
	}
}

// kindNames name JSON value kinds in messages.
var kindNames = map[analysis.ValueKind]analysis.Text{
	analysis.Object: analysis.T("an object", "オブジェクト"),
	analysis.Array:  analysis.T("an array", "配列"),
	analysis.String: analysis.T("a string", "文字列"),
	analysis.Number: analysis.T("a number", "数値"),
	analysis.Bool:   analysis.T("a boolean", "真偽値"),
	analysis.Null:   analysis.T("null", "null"),
}

// effectFixes offers the effect the author most likely meant.
func effectFixes(v *analysis.Value) []analysis.Fix {
	want := ""
	for _, e := range effects {
		if strings.EqualFold(strings.TrimSpace(v.Str), e) {
			want = e
		}
	}
	if want == "" {
		want = analysis.Closest(v.Str, effects)
	}
	if want == "" {
		return nil
	}
	return []analysis.Fix{{
		Title: analysis.Tf("Change to %q", "%q に変更", want),
		Edits: []analysis.Edit{{Span: v.Span, NewText: analysis.Quote(want)}},
	}}
}
