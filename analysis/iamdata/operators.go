package iamdata

import "strings"

// OperatorsURL is the AWS reference of the condition operators.
const OperatorsURL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"

// Operator is a condition operator and the type of value it compares.
// This table is the only list of operators: the checks, completion and
// the evaluation engine all parse through ParseOperator.
type Operator struct {
	Name string
	Type string // String, Numeric, Date, Bool, Binary, IPAddress, ARN, Null
	// Negated operators (StringNotEquals, NotIpAddress, ...) hold for a
	// value that matches none of the policy's values, and when the request
	// lacks the key.
	Negated bool
}

// Operators are the base condition operators, without the IfExists suffix
// and the ForAllValues:/ForAnyValue: prefixes.
var Operators = []Operator{
	{"StringEquals", "String", false}, {"StringNotEquals", "String", true},
	{"StringEqualsIgnoreCase", "String", false}, {"StringNotEqualsIgnoreCase", "String", true},
	{"StringLike", "String", false}, {"StringNotLike", "String", true},
	{"NumericEquals", "Numeric", false}, {"NumericNotEquals", "Numeric", true},
	{"NumericLessThan", "Numeric", false}, {"NumericLessThanEquals", "Numeric", false},
	{"NumericGreaterThan", "Numeric", false}, {"NumericGreaterThanEquals", "Numeric", false},
	{"DateEquals", "Date", false}, {"DateNotEquals", "Date", true},
	{"DateLessThan", "Date", false}, {"DateLessThanEquals", "Date", false},
	{"DateGreaterThan", "Date", false}, {"DateGreaterThanEquals", "Date", false},
	{"Bool", "Bool", false},
	{"BinaryEquals", "Binary", false},
	{"IpAddress", "IPAddress", false}, {"NotIpAddress", "IPAddress", true},
	{"ArnEquals", "ARN", false}, {"ArnLike", "ARN", false}, {"ArnNotEquals", "ARN", true}, {"ArnNotLike", "ARN", true},
	{"Null", "Null", false},
}

// operatorIndex finds an operator of Operators by its exact name.
var operatorIndex = func() map[string]int {
	m := make(map[string]int, len(Operators))
	for i, op := range Operators {
		m[op.Name] = i
	}
	return m
}()

// SetPrefixes qualify an operator for multivalued keys.
var SetPrefixes = []string{"ForAllValues:", "ForAnyValue:"}

// ParsedOperator is a condition operator split into its parts.
type ParsedOperator struct {
	Set      string // "", "ForAllValues:" or "ForAnyValue:"
	Base     *Operator
	IfExists bool
}

// ParseOperator splits an operator such as "ForAnyValue:StringLikeIfExists".
// It reports false when the base is not an operator, or Null carries
// IfExists, which AWS rejects. Case is ignored: the check suggests the
// exact spelling only for names that are not operators at all.
func ParseOperator(name string) (ParsedOperator, bool) {
	var p ParsedOperator
	// Both set prefixes start with an f, which no other letter folds to:
	// most operators are not compared with them. (ParseOperator runs for
	// every condition of every policy, in several checks.)
	if len(name) > 0 && name[0]|0x20 == 'f' {
		for _, set := range SetPrefixes {
			if len(name) > len(set) && strings.EqualFold(name[:len(set)], set) {
				p.Set, name = set, name[len(set):]
			}
		}
	}
	if n := len(name) - len("IfExists"); n > 0 && strings.EqualFold(name[n:], "IfExists") {
		p.IfExists, name = true, name[:n]
	}
	if i, ok := operatorIndex[name]; ok { // spelt as AWS does: no need to fold
		p.Base = &Operators[i]
		return p, !(p.IfExists && p.Base.Name == "Null")
	}
	for i := range Operators {
		if strings.EqualFold(Operators[i].Name, name) {
			p.Base = &Operators[i]
			return p, !(p.IfExists && p.Base.Name == "Null")
		}
	}
	return p, false
}

// OperatorNames lists every valid operator spelling, for suggestions:
// each base with and without IfExists, and with each set prefix.
func OperatorNames() []string {
	var out []string
	for _, set := range append([]string{""}, SetPrefixes...) {
		for _, op := range Operators {
			out = append(out, set+op.Name)
			if op.Name != "Null" {
				out = append(out, set+op.Name+"IfExists")
			}
		}
	}
	return out
}
