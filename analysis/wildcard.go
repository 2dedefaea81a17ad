package analysis

import "strings"

// MatchWildcard matches s against a pattern in which "*" stands for any
// run of characters (none included) and "?" for exactly one, as IAM does
// in actions, resources, principals and the *Like condition operators.
// With foldCase, ASCII letters match regardless of case, as action names
// do; resource ARNs and most condition values are case-sensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
func MatchWildcard(pattern, s string, foldCase bool) bool {
	if strings.IndexByte(pattern, '*') < 0 {
		// Without a star each byte of the pattern matches one of s: most
		// comparisons (ARNs of one policy with another's) end here.
		if len(pattern) != len(s) {
			return false
		}
		if !foldCase && strings.IndexByte(pattern, '?') < 0 {
			return pattern == s
		}
	}
	// Iterative matching with one backtrack point: linear in practice and
	// never exponential, whatever the pattern.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || sameByte(pattern[p], s[i], foldCase)):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func sameByte(a, b byte, foldCase bool) bool {
	if a == b {
		return true
	}
	if !foldCase {
		return false
	}
	return lower(a) == lower(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// MatchAction reports whether an Action or NotAction entry such as
// "s3:Get*" or "*" covers the action "s3:GetObject". Action names are
// case-insensitive.
func MatchAction(pattern, action string) bool {
	return MatchWildcard(pattern, action, true)
}
