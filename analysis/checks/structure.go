package checks

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Helpers shared by the structural checks.

// kindf formats a message whose first argument is the policy kind, named
// in each language.
func kindf(k analysis.Kind, en, ja string, args ...any) analysis.Text {
	d := k.Describe()
	return analysis.Text{
		EN: fmt.Sprintf(en, append([]any{d.EN}, args...)...),
		JA: strings.Replace(fmt.Sprintf(ja, append([]any{d.JA}, args...)...), "この"+d.JA, k.ThisJA(), 1),
	}
}

// openBrace is the span of an object's "{", where a finding about a
// missing member points.
func openBrace(obj *analysis.Value) analysis.Span {
	return analysis.Span{Start: obj.Span.Start, End: obj.Span.Start + 1}
}

// head is the span a finding about a whole value points at: the opening
// bracket of an array or object (underlining all of it would hide the
// document), or the whole of a scalar.
func head(v *analysis.Value) analysis.Span {
	if v.Kind == analysis.Array || v.Kind == analysis.Object {
		return openBrace(v)
	}
	return v.Span
}

// elementKey is where a finding about a statement that lacks an element
// points: its Effect key, the word a reader looks for, else its "{".
func elementKey(s *analysis.Statement) analysis.Span {
	if s.Effect != nil {
		return s.Effect.KeySpan
	}
	return openBrace(s.Obj)
}

// addWildcardFix offers to add `"element": "*"` to a statement, only in a
// policy of kind k, where "*" is the value AWS documents for it.
func addWildcardFix(pass *analysis.Pass, s *analysis.Statement, k analysis.Kind, element string) []analysis.Fix {
	if pass.Kind != k {
		return nil
	}
	member := analysis.Quote(element) + `: "*"`
	return []analysis.Fix{{
		Title: analysis.Tf("Add %s", "%s を追加", member),
		Edits: []analysis.Edit{analysis.AppendMember(pass.Src, s.Obj, member)},
	}}
}
