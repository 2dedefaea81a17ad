package analysis

import "strings"

// Template placeholders are the parts of a policy that a host language
// fills in before AWS sees the policy: Terraform's ${var.name} and
// templatefile's ${bucket_arn}, CloudFormation's !Sub ${Bucket} and its
// pseudo parameters ${AWS::Partition}, and the {{ name }} of Jinja,
// Mustache and Go templates. Their value is unknown: they never cause a
// finding by themselves, while the text around them is still checked.
//
// IAM policy variables look alike but keep their meaning: every ${...}
// with a colon (${aws:username}, ${s3:prefix}, ${aws:PrincipalTag/team})
// and the escapes ${*}, ${?} and ${$}.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html

// Placeholders returns the byte ranges of the template placeholders in s,
// in order, each from its "${" or "{{" to its closing brace. An unclosed
// "${" is not a placeholder.
func Placeholders(s string) []Span {
	if !strings.Contains(s, "{") {
		return nil
	}
	var out []Span
	for i := 0; i < len(s); {
		span, ok := placeholderAt(s, i)
		if !ok {
			i++
			continue
		}
		out = append(out, span)
		i = span.End
	}
	return out
}

// placeholderAt reports the placeholder that starts at s[i], if one does.
func placeholderAt(s string, i int) (Span, bool) {
	switch {
	case strings.HasPrefix(s[i:], "${"):
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 || !isTemplateInner(s[i+2:i+2+end]) {
			return Span{}, false
		}
		return Span{Start: i, End: i + 2 + end + 1}, true
	case strings.HasPrefix(s[i:], "{{"):
		end := strings.Index(s[i+2:], "}}")
		if end < 0 {
			return Span{}, false
		}
		return Span{Start: i, End: i + 2 + end + 2}, true
	}
	return Span{}, false
}

// isTemplateInner says whether the inside of ${...} is a template
// placeholder rather than a policy variable.
func isTemplateInner(inner string) bool {
	switch inner {
	case "*", "?", "$":
		return false
	}
	return strings.HasPrefix(inner, "AWS::") || !strings.Contains(inner, ":")
}

// HasPlaceholder reports whether s holds a template placeholder.
func HasPlaceholder(s string) bool {
	if !strings.Contains(s, "{") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := placeholderAt(s, i); ok {
			return true
		}
	}
	return false
}

// StartsWithPlaceholder reports whether s begins with a template
// placeholder: then nothing is known of its shape (the placeholder may
// hold a whole ARN, or "*").
func StartsWithPlaceholder(s string) bool {
	_, ok := placeholderAt(s, 0)
	return ok
}

// ReplacePlaceholders returns s with every template placeholder replaced
// by with: "*" turns s into a pattern that matches whatever the
// placeholders stand for, so the text around them can be checked.
func ReplacePlaceholders(s, with string) string {
	spans := Placeholders(s)
	if spans == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.Start])
		b.WriteString(with)
		last = sp.End
	}
	b.WriteString(s[last:])
	return b.String()
}
