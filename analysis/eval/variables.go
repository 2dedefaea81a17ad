package eval

import "strings"

// Literal "*" and "?" that come from ${*}, ${?} or from a variable's value
// stand in patterns as these bytes, so the wildcard matcher takes them
// literally; the matched text is escaped the same way (escapeWild).
const (
	litStar = '\x00'
	litQ    = '\x01'
)

// The replacers are built once: a strings.Replacer builds its tables on
// first use, and one per call was a sixth of a cross-file evaluation.
var (
	wildEscaper   = strings.NewReplacer("*", string(litStar), "?", string(litQ))
	wildUnescaper = strings.NewReplacer(string(litStar), "*", string(litQ), "?")
)

func escapeWild(s string) string {
	if !strings.ContainsAny(s, "*?") {
		return s
	}
	return wildEscaper.Replace(s)
}

func unescapeWild(s string) string {
	if !strings.ContainsAny(s, string(litStar)+string(litQ)) {
		return s
	}
	return wildUnescaper.Replace(s)
}

// variablesVersion is the only policy language version that substitutes
// policy variables; under 2008-10-17 (the default) they are literal text.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
const variablesVersion = "2012-10-17"

// substitute replaces the policy variables in s with the request's values.
// It reports false when a variable has no value and no default: the
// element that holds it then matches nothing. The result marks literal
// wildcard characters (see litStar).
func (c *contextKeys) substitute(s string, enabled bool) (string, bool) {
	if !enabled || !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:start])
		value, ok := c.variable(s[start+2 : start+end])
		if !ok {
			return "", false
		}
		b.WriteString(value)
		s = s[start+end+1:]
	}
}

// variable resolves the inside of ${...}: a key, optionally with a
// default ("aws:username, 'anonymous'"), or one of *, ?, $.
func (c *contextKeys) variable(inner string) (string, bool) {
	switch inner {
	case "*":
		return string(litStar), true
	case "?":
		return string(litQ), true
	case "$":
		return "$", true
	}
	key, def, hasDefault := strings.Cut(inner, ",")
	if values := c.get(strings.TrimSpace(key)); len(values) == 1 {
		return escapeWild(values[0]), true
	}
	def = strings.TrimSpace(def)
	if hasDefault && len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
		return escapeWild(def[1 : len(def)-1]), true
	}
	return "", false
}
