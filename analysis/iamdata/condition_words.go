package iamdata

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Conditions in words, so that the checks and the evaluation engine say
// alike when a statement applies. Operator semantics:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

// ConditionOperator parses the operator of one condition test.
func ConditionOperator(c analysis.Condition) (ParsedOperator, bool) {
	return ParseOperator(c.Operator.Key)
}

// HoldsWithoutKey reports whether the condition is true for a request that
// lacks its key: negated operators, ...IfExists, ForAllValues: and Null
// "true".
func HoldsWithoutKey(c analysis.Condition) bool {
	op, ok := ConditionOperator(c)
	if !ok {
		return false
	}
	if op.Base.Name == "Null" {
		return len(c.Values) > 0 && strings.EqualFold(c.Values[0].Str, "true")
	}
	return op.IfExists || op.Base.Negated || op.Set == "ForAllValues:"
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

// DescribeCondition says, as a relative clause on "request", when the
// condition holds: "whose aws:RequestedRegion is us-east-1".
func DescribeCondition(c analysis.Condition) analysis.Text {
	op, _ := ConditionOperator(c)
	base := ""
	if op.Base != nil {
		base = op.Base.Name
	}
	key := c.Key.Key
	en, ja := valuesText(c, " or "), valuesText(c, " または ")
	say := func(enFmt, jaFmt string) analysis.Text {
		return analysis.T(fmt.Sprintf(enFmt, en), fmt.Sprintf(jaFmt, ja))
	}
	sayKey := func(enFmt, jaFmt string) analysis.Text {
		return analysis.T(fmt.Sprintf(enFmt, key, en), fmt.Sprintf(jaFmt, key, ja))
	}
	if op.Base != nil && op.Base.Negated {
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
		if HoldsWithoutKey(c) {
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
	if op.IfExists {
		t = analysis.Join("", t, analysis.Tf(" or that has no %s", " (または %s のない)", key))
	}
	return t
}

// DescribeConditions joins the clauses of several conditions: all must
// hold.
func DescribeConditions(conds []analysis.Condition) analysis.Text {
	parts := make([]analysis.Text, len(conds))
	for i, c := range conds {
		parts[i] = DescribeCondition(c)
	}
	t := analysis.Join(" and ", parts...)
	// Japanese clauses read left to right; "and" between them is "、かつ".
	t.JA = strings.Join(strings.Split(t.JA, " and "), "、かつ")
	return t
}
