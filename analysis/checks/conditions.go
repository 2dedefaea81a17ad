package checks

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Describing conditions in words, so that a message can say when a
// conditional Deny denies. Operator semantics:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

// operator splits "ForAnyValue:StringNotEqualsIfExists" into its base
// operator and whether IfExists is set.
func operator(name string) (base string, ifExists bool) {
	if i := strings.Index(name, ":"); i >= 0 {
		name = name[i+1:]
	}
	base, ifExists = strings.CutSuffix(name, "IfExists")
	return base, ifExists
}

var negatedOperators = []string{"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals",
	"ArnNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress"}

// isNegated reports whether the operator is one of the negated ones, which
// are true when the request does not carry the key.
func isNegated(base string) bool {
	for _, n := range negatedOperators {
		if strings.EqualFold(base, n) {
			return true
		}
	}
	return false
}

// holdsWithoutKey reports whether the condition is true for a request that
// lacks its key: negated operators, ...IfExists, and Null "true".
func holdsWithoutKey(c analysis.Condition) bool {
	base, ifExists := operator(c.Operator.Key)
	if base == "Null" {
		return len(c.Values) > 0 && c.Values[0].Str == "true"
	}
	return ifExists || isNegated(base) || strings.HasPrefix(c.Operator.Key, "ForAllValues:")
}

// isGuardrail reports whether a Deny condition is a well-known transport
// guardrail that well-behaved clients always pass: plain HTTP or old TLS.
func isGuardrail(c analysis.Condition) bool {
	base, _ := operator(c.Operator.Key)
	key := strings.ToLower(c.Key.Key)
	switch {
	case key == "aws:securetransport" && base == "Bool":
		return len(c.Values) == 1 && c.Values[0].Str == "false"
	case key == "s3:tlsversion" && base == "NumericLessThan":
		return true
	}
	return false
}

// valuesText lists condition values: "a", "a or b".
func valuesText(c analysis.Condition, sep string) string {
	out := make([]string, len(c.Values))
	for i, v := range c.Values {
		out[i] = v.Str
		if v.Str == "" {
			out[i] = `""`
		}
	}
	return strings.Join(out, sep)
}

// describeCondition says, as a relative clause on "request", when the
// condition holds.
func describeCondition(c analysis.Condition) analysis.Text {
	base, ifExists := operator(c.Operator.Key)
	key := c.Key.Key
	en, ja := valuesText(c, " or "), valuesText(c, " または ")
	say := func(enFmt, jaFmt string) analysis.Text {
		return analysis.T(fmt.Sprintf(enFmt, en), fmt.Sprintf(jaFmt, ja))
	}
	sayKey := func(enFmt, jaFmt string) analysis.Text {
		return analysis.T(fmt.Sprintf(enFmt, key, en), fmt.Sprintf(jaFmt, key, ja))
	}
	if isNegated(base) {
		switch strings.ToLower(key) {
		case "aws:sourcevpce":
			return say("that does not come through %s", "%s を経由しない")
		case "aws:sourcevpc":
			return say("that does not come from VPC %s", "VPC %s から来ない")
		case "s3:x-amz-server-side-encryption":
			return say("that does not carry the header x-amz-server-side-encryption: %s (every upload without it)",
				"ヘッダー x-amz-server-side-encryption: %s を持たない (それのないアップロードすべて)")
		case "aws:sourceip":
			return say("from an IP address outside %s", "%s 以外の IP アドレスからの")
		}
		if len(c.Values) > 1 {
			en, ja = "any of "+valuesText(c, ", "), valuesText(c, "、")+" のどれ"
		}
		return analysis.T(
			fmt.Sprintf("whose %s is not %s, including every request without %s (a negated operator is true when the key is missing)", key, en, key),
			fmt.Sprintf("%s が %s でない (%s のないリクエストも含む。否定の演算子はキーがないと真になる)", key, ja, key))
	}
	var t analysis.Text
	switch base {
	case "Null":
		if holdsWithoutKey(c) {
			return analysis.Tf("without %s", "%s のない", key)
		}
		return analysis.Tf("with %s", "%s のある", key)
	case "IpAddress":
		t = say("from an IP address in %s", "%s の IP アドレスからの")
	case "StringLike", "ArnLike":
		t = sayKey("whose %s matches %s", "%s が %s に一致する")
	case "NumericLessThan", "DateLessThan":
		t = sayKey("whose %s is less than %s", "%s が %s 未満の")
	case "NumericLessThanEquals", "DateLessThanEquals":
		t = sayKey("whose %s is at most %s", "%s が %s 以下の")
	case "NumericGreaterThan", "DateGreaterThan":
		t = sayKey("whose %s is greater than %s", "%s が %s より大きい")
	case "NumericGreaterThanEquals", "DateGreaterThanEquals":
		t = sayKey("whose %s is at least %s", "%s が %s 以上の")
	default:
		t = sayKey("whose %s is %s", "%s が %s の")
	}
	if ifExists {
		t = analysis.Join("", t, analysis.Tf(" or that has no %s", " (または %s のない)", key))
	}
	return t
}

// describeConditions joins the clauses of every condition of a statement:
// all must hold for the statement to apply.
func describeConditions(conds []analysis.Condition) analysis.Text {
	parts := make([]analysis.Text, len(conds))
	for i, c := range conds {
		parts[i] = describeCondition(c)
	}
	t := analysis.Join(" and ", parts...)
	// Japanese clauses read left to right; "and" between them is "、かつ".
	t.JA = strings.Join(strings.Split(t.JA, " and "), "、かつ")
	return t
}

// principalKeys are the condition keys that narrow who a statement
// applies to.
var principalKeys = []string{"aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalArn", "aws:userid"}

// narrowsPrincipal reports whether the statement names who it applies to
// through a condition.
func narrowsPrincipal(s *analysis.Statement) bool {
	for _, k := range principalKeys {
		if s.HasConditionKey(k) {
			return true
		}
	}
	return false
}

// jsonStrings renders values as one JSON string or an array of strings.
func jsonStrings(values []string) string {
	if len(values) == 1 {
		return analysis.Quote(values[0])
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = analysis.Quote(v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// addCondition returns the edits that make the statement also test
// op → key → raw, merging into the Condition and operator it already has.
// A key already under the operator gains the values instead.
func addCondition(src []byte, s *analysis.Statement, op, key string, values []string) []analysis.Edit {
	member := fmt.Sprintf("%s: %s", analysis.Quote(key), jsonStrings(values))
	if s.Condition == nil || s.Condition.Value.Kind != analysis.Object {
		if s.Condition != nil {
			return []analysis.Edit{{Span: s.Condition.Value.Span, NewText: fmt.Sprintf("{%s: {%s}}", analysis.Quote(op), member)}}
		}
		return []analysis.Edit{analysis.AppendMember(src, s.Obj, fmt.Sprintf(`"Condition": {%s: {%s}}`, analysis.Quote(op), member))}
	}
	cond := s.Condition.Value
	opField := cond.Get(op)
	if opField == nil || opField.Value.Kind != analysis.Object {
		return []analysis.Edit{analysis.AppendMember(src, cond, fmt.Sprintf("%s: {%s}", analysis.Quote(op), member))}
	}
	existing := opField.Value.Get(key)
	if existing == nil {
		return []analysis.Edit{analysis.AppendMember(src, opField.Value, member)}
	}
	raw := make([]string, len(values))
	for i, v := range values {
		raw[i] = analysis.Quote(v)
	}
	// AppendRaw of several values at once keeps a lone string's array on one line.
	return analysis.AppendRaw(src, existing.Value, strings.Join(raw, ", "))
}
