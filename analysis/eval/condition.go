package eval

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// Condition operators and the rules for missing keys and multivalued keys:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html

// tests say, per base operator of iamdata.Operators (the one table of
// operators), whether one policy value matches one request value; a
// negated operator is the negation of the positive test it names.
var tests = map[string]func(policy, request string) bool{}

func init() {
	add := func(name, negName string, test func(p, r string) bool) {
		tests[name] = test
		if negName != "" {
			tests[negName] = test
		}
	}
	add("StringEquals", "StringNotEquals", func(p, r string) bool { return unescapeWild(p) == r })
	add("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", func(p, r string) bool { return strings.EqualFold(unescapeWild(p), r) })
	add("StringLike", "StringNotLike", func(p, r string) bool { return analysis.MatchWildcard(p, escapeWild(r), false) })
	add("NumericEquals", "NumericNotEquals", numeric(func(c int) bool { return c == 0 }))
	add("NumericLessThan", "", numeric(func(c int) bool { return c > 0 }))
	add("NumericLessThanEquals", "", numeric(func(c int) bool { return c >= 0 }))
	add("NumericGreaterThan", "", numeric(func(c int) bool { return c < 0 }))
	add("NumericGreaterThanEquals", "", numeric(func(c int) bool { return c <= 0 }))
	add("DateEquals", "DateNotEquals", date(func(c int) bool { return c == 0 }))
	add("DateLessThan", "", date(func(c int) bool { return c > 0 }))
	add("DateLessThanEquals", "", date(func(c int) bool { return c >= 0 }))
	add("DateGreaterThan", "", date(func(c int) bool { return c < 0 }))
	add("DateGreaterThanEquals", "", date(func(c int) bool { return c <= 0 }))
	add("Bool", "", func(p, r string) bool { return strings.EqualFold(p, r) })
	add("BinaryEquals", "", func(p, r string) bool { return p == r }) // both base64
	add("IpAddress", "NotIpAddress", ipInRange)
	// ArnEquals and ArnLike behave alike: each of the six parts is matched
	// on its own, with * and ?.
	add("ArnEquals", "ArnNotEquals", arnLike)
	add("ArnLike", "ArnNotLike", arnLike)
}

// numeric builds a test from the sign of policy-value <=> request-value.
func numeric(want func(cmp int) bool) func(p, r string) bool {
	return func(p, r string) bool {
		pv, err1 := strconv.ParseFloat(p, 64)
		rv, err2 := strconv.ParseFloat(r, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return want(compare(pv, rv))
	}
}

func date(want func(cmp int) bool) func(p, r string) bool {
	return func(p, r string) bool {
		pt, ok1 := parseDate(p)
		rt, ok2 := parseDate(r)
		if !ok1 || !ok2 {
			return false
		}
		return want(pt.Compare(rt))
	}
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"}

// parseDate reads ISO 8601 dates and times, or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ipInRange matches an IPv4 or IPv6 address against a CIDR block or a
// single address.
func ipInRange(p, r string) bool {
	addr, err := netip.ParseAddr(r)
	if err != nil {
		return false
	}
	if prefix, err := netip.ParsePrefix(p); err == nil {
		return prefix.Contains(addr.Unmap())
	}
	single, err := netip.ParseAddr(p)
	return err == nil && single == addr
}

func arnLike(p, r string) bool {
	pp := strings.SplitN(p, ":", 6)
	rp := strings.SplitN(r, ":", 6)
	if len(pp) != 6 || len(rp) != 6 {
		return false // not an ARN: the six parts are matched one by one
	}
	for i := range pp {
		if !analysis.MatchWildcard(pp[i], escapeWild(rp[i]), false) {
			return false
		}
	}
	return true
}

// truth is the value of a condition: it holds, it fails, or it depends
// on a key whose value the tool cannot know.
type truth int8

const (
	fails truth = iota
	holds
	unknown
)

func truthOf(b bool) truth {
	if b {
		return holds
	}
	return fails
}

// holds evaluates one condition key test against the request.
func (c *contextKeys) holds(cond analysis.Condition, vars bool) truth {
	op, ok := iamdata.ConditionOperator(cond)
	if !ok {
		return fails // an unknown operator: AWS rejects the policy
	}
	if c.unknown(cond.Key.Key) {
		return unknown
	}
	values := c.get(cond.Key.Key)
	if op.Base.Name == "Null" {
		absent := len(values) == 0
		for _, v := range cond.Values {
			if strings.EqualFold(v.Str, strconv.FormatBool(absent)) {
				return holds
			}
		}
		return fails
	}
	test, negated := tests[op.Base.Name], op.Base.Negated
	var patterns []string
	for _, v := range cond.Values {
		if analysis.HasPlaceholder(v.Str) {
			return unknown // a template fills the value in
		}
		if s, ok := c.substitute(v.Str, vars); ok {
			patterns = append(patterns, s)
		}
	}
	if len(patterns) == 0 && len(cond.Values) > 0 {
		return fails // every value holds a variable without a value: the element does not match
	}
	matches := func(request string) bool {
		for _, p := range patterns {
			if test(p, request) {
				return true
			}
		}
		return false
	}
	// Per request value: a negated operator holds for a value that matches
	// none of the policy's values.
	holdsFor := func(request string) bool { return matches(request) != negated }
	switch op.Set {
	case "ForAllValues:":
		for _, v := range values {
			if !holdsFor(v) {
				return fails
			}
		}
		return holds // also when the key is missing or empty
	case "ForAnyValue:":
		for _, v := range values {
			if holdsFor(v) {
				return holds
			}
		}
		return fails
	}
	if len(values) == 0 {
		return truthOf(op.IfExists || negated)
	}
	for _, v := range values {
		if matches(v) {
			return truthOf(!negated)
		}
	}
	return truthOf(negated)
}
