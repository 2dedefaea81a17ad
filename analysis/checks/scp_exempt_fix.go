package checks

import (
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// scpExemptFixes is the fix, beside removal, of an SCP Deny that blocks
// requests a bucket policy grants a principal: the Deny no longer applies
// to that principal (a condition on aws:PrincipalArn), and, when it
// denies more than the blocked actions, a statement of its own keeps
// denying the principal the rest, so that only the blocked and granted
// actions are exempted. Not offered for a Deny with a Condition (the
// rest would have to repeat it) or one whose rest cannot be written
// exactly.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
func scpExemptFixes(pass *analysis.Pass, h *blockedHere) []analysis.Fix {
	st := denyAt(pass.Policy, h.place)
	if st == nil || st.Condition != nil || st.NotAction != nil || st.NotResource != nil {
		return nil
	}
	var blocked []string
	for _, b := range h.requests {
		blocked = appendNew(blocked, b.Action)
	}
	slices.Sort(blocked)
	rest, exact := deniedRest(st, blocked)
	if !exact {
		return nil
	}
	edits := addCondition(pass.Src, st, "ArnNotEquals", "aws:PrincipalArn", []string{h.principal})
	if len(rest) > 0 {
		stmt := newStatement(pass,
			member{"Sid", sidFor(pass.Policy, st.SidText()+"Rest"+sidWord(shortName(h.principal)))},
			member{"Effect", "Deny"},
			rest[0],
			member{"Resource", resourceStrings(st)},
			member{"Condition", []member{{"ArnEquals", []member{{"aws:PrincipalArn", []string{h.principal}}}}}},
		)
		edits = append(edits, analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, stmt)...)
	}
	return []analysis.Fix{{
		Title: analysis.Tf("Exempt %s from this Deny for %s only", "%[1]s をこの Deny から %[2]s についてだけ除外",
			shortName(h.principal), strings.Join(blocked, ", ")),
		Edits: edits,
	}}
}

// denyAt is the Deny statement whose Effect is at span.
func denyAt(p *analysis.Policy, span analysis.Span) *analysis.Statement {
	for _, st := range p.Statements {
		if st.IsDeny() && st.Effect != nil && st.Effect.Value.Span == span {
			return st
		}
	}
	return nil
}

// deniedRest is the Action (or NotAction) member that denies what the
// statement denies less the blocked actions, none when nothing is left;
// exact is false when no member says it exactly. Literal actions leave
// their difference; "s3:*" or "*" on S3 resources only leave NotAction
// of the blocked actions (on an S3 ARN only S3 actions apply).
func deniedRest(st *analysis.Statement, blocked []string) (rest []member, exact bool) {
	var literal []string
	wildcard := false
	for _, a := range st.Actions() {
		switch {
		case a.Str == "*" || strings.EqualFold(a.Str, "s3:*"):
			wildcard = true
		case hasWildcard(a.Str):
			return nil, false
		case !slices.ContainsFunc(blocked, func(b string) bool { return strings.EqualFold(a.Str, b) }):
			literal = append(literal, a.Str)
		}
	}
	if !wildcard {
		if len(literal) == 0 {
			return nil, true
		}
		return []member{{"Action", literal}}, true
	}
	resources := st.Resources()
	if len(resources) == 0 {
		return nil, false
	}
	for _, r := range resources {
		if _, _, ok := s3BucketOf(r.Str); !ok || strings.HasPrefix(r.Str, "*") {
			return nil, false
		}
	}
	return []member{{"NotAction", blocked}}, true
}

func resourceStrings(st *analysis.Statement) []string {
	var out []string
	for _, r := range st.Resources() {
		out = append(out, r.Str)
	}
	return out
}
