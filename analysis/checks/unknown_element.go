package checks

import (
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// UnknownElement reports a member that the policy grammar does not allow
// where it stands, such as "Actions", "Resources", "Efect" or "effect"
// (element names are case sensitive), and a statement that holds both an
// element and its Not- form. AWS rejects such a policy as malformed.
var UnknownElement = &analysis.Check{
	Code:     analysis.CodeUnknownElement,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
	Title:    analysis.T("Unknown or misplaced policy element", "不明な、または位置の誤ったポリシー要素"),
	Explain: analysis.T(
		"A policy document holds only `Version`, `Id` and `Statement`; a statement holds only `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource` and `Condition`, spelt exactly so (names are case sensitive), and never both an element and its `Not` form. AWS rejects any other member as a malformed policy; a misspelt `Actions` or `Resources` does not count as the element it resembles.",
		"ポリシー文書に書けるのは `Version`、`Id`、`Statement` だけです。ステートメントに書けるのは `Sid`、`Effect`、`Principal`、`NotPrincipal`、`Action`、`NotAction`、`Resource`、`NotResource`、`Condition` だけで、綴りも大文字小文字もこの通りでなければならず、要素とその `Not` 形を同時に書くこともできません。それ以外のメンバーがあると不正なポリシーとして拒否されます。`Actions` や `Resources` のような綴り誤りは、似た要素としては扱われません。"),
	Run: runUnknownElement,
}

func runUnknownElement(pass *analysis.Pass) {
	root := pass.Policy.Root
	if root.Kind != analysis.Object {
		return
	}
	for _, f := range root.Fields {
		if !slices.Contains(analysis.TopLevelElements, f.Key) {
			reportUnknown(pass, root, f, analysis.TopLevelElements, analysis.StatementElements,
				analysis.T("inside a statement", "ステートメントの中"))
		}
	}
	for _, s := range pass.Policy.Statements {
		for _, f := range s.Obj.Fields {
			if s.HasOtherMembers() && !slices.Contains(analysis.StatementElements, f.Key) {
				reportUnknown(pass, s.Obj, f, analysis.StatementElements, analysis.TopLevelElements,
					analysis.T("at the top level of the document", "文書の最上位"))
			}
		}
		reportExclusive(pass, s)
	}
}

// reportUnknown reports member f of obj, which is not one of known. When
// it is one of elsewhere, it is an element in the wrong place; else the
// fix renames it to the closest known name, unless that name is taken.
func reportUnknown(pass *analysis.Pass, obj *analysis.Value, f *analysis.Field, known, elsewhere []string, where analysis.Text) {
	if slices.Contains(elsewhere, f.Key) {
		pass.Report(analysis.Finding{
			Span: f.KeySpan,
			Message: analysis.SayText(analysis.Text{
				EN: "\"" + f.Key + "\" does not belong here: it goes " + where.EN,
				JA: "\"" + f.Key + "\" はここには書けません。" + where.JA + "に書きます",
			}),
		})
		return
	}
	closest := analysis.Closest(f.Key, known)
	if closest == "" {
		pass.Reportf(f.KeySpan, analysis.Tf("unknown element %q; expected one of %s",
			"不明な要素 %q。使える要素は %s です", f.Key, strings.Join(known, ", ")))
		return
	}
	msg := analysis.Tf("unknown element %q; did you mean %q? (element names are case sensitive)",
		"不明な要素 %q。%q の誤りではありませんか? (要素名は大文字小文字を区別します)", f.Key, closest)
	if obj.Get(closest) != nil {
		// Renaming would make a duplicate key; the user must choose.
		pass.Reportf(f.KeySpan, msg)
		return
	}
	pass.Reportf(f.KeySpan, msg, analysis.Fix{
		Title: analysis.Tf("Rename to %q", "%q に名前を変更", closest),
		Edits: []analysis.Edit{{Span: f.KeySpan, NewText: analysis.Quote(closest)}},
	})
}

// reportExclusive reports the later of an element and its Not- form.
// The statement's members are those Statement.init found (the last of a
// duplicate key, as Value.Get): looking each pair up again in the
// statement's members was 3 % of check over a tree.
func reportExclusive(pass *analysis.Pass, s *analysis.Statement) {
	for _, pair := range [...][2]*analysis.Field{{s.Principal, s.NotPrincipal}, {s.Action, s.NotAction}, {s.Resource, s.NotResource}} {
		a, b := pair[0], pair[1]
		if a == nil || b == nil {
			continue
		}
		later := b
		if a.KeySpan.Start > b.KeySpan.Start {
			later = a
		}
		pass.Reportf(later.KeySpan, analysis.Tf("a statement holds %s or %s, not both",
			"1 つのステートメントには %s と %s の一方しか書けません", a.Key, b.Key))
	}
}
