package checks

import (
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// Helpers for checks that read or write conditions. Conditions in words
// are iamdata.DescribeCondition, shared with the evaluation engine.

// isGuardrail reports whether a Deny condition is a well-known transport
// guardrail that well-behaved clients always pass: plain HTTP or old TLS.
func isGuardrail(c analysis.Condition) bool {
	op, ok := iamdata.ConditionOperator(c)
	if !ok {
		return false
	}
	key := strings.ToLower(c.Key.Key)
	switch {
	case key == "aws:securetransport" && op.Base.Name == "Bool":
		return len(c.Values) == 1 && c.Values[0].Str == "false"
	case key == "s3:tlsversion" && op.Base.Name == "NumericLessThan":
		return true
	}
	return false
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
// op → key → values, merging into the Condition and operator it already
// has, on one line. A key already under the operator gains the values
// instead.
func addCondition(src []byte, s *analysis.Statement, op, key string, values []string) []analysis.Edit {
	return mergeCondition(src, s, op, key, values, false)
}

// mergeCondition is addCondition; laidOut writes a new member one member
// a line, in the file's indentation, when the object it joins is so
// written.
func mergeCondition(src []byte, s *analysis.Statement, op, key string, values []string, laidOut bool) []analysis.Edit {
	layoutIn := func(obj *analysis.Value) *layout {
		if !laidOut {
			return nil
		}
		return memberLayout(src, obj)
	}
	keyMember := member{key, values}
	opMember := member{op, []member{keyMember}}
	if s.Condition == nil || s.Condition.Value.Kind != analysis.Object {
		if s.Condition != nil {
			return []analysis.Edit{{Span: s.Condition.Value.Span, NewText: renderValue([]member{opMember}, nil)}}
		}
		return []analysis.Edit{analysis.AppendMember(src, s.Obj, renderMember(member{"Condition", []member{opMember}}, layoutIn(s.Obj)))}
	}
	cond := s.Condition.Value
	opField := cond.Get(op)
	if opField == nil || opField.Value.Kind != analysis.Object {
		return []analysis.Edit{analysis.AppendMember(src, cond, renderMember(opMember, layoutIn(cond)))}
	}
	existing := conditionKeyField(opField.Value, key)
	if existing == nil {
		return []analysis.Edit{analysis.AppendMember(src, opField.Value, renderMember(keyMember, layoutIn(opField.Value)))}
	}
	raw := make([]string, len(values))
	for i, v := range values {
		raw[i] = analysis.Quote(v)
	}
	// AppendRaw of several values at once keeps a lone string's array on one line.
	return analysis.AppendRaw(src, existing.Value, strings.Join(raw, ", "))
}

// conditionKeyField is the member of an operator's object that tests key,
// compared without case as AWS compares condition keys.
func conditionKeyField(opObj *analysis.Value, key string) *analysis.Field {
	for _, f := range opObj.Fields {
		if strings.EqualFold(f.Key, key) {
			return f
		}
	}
	return nil
}
