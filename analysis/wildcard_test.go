package analysis

import "testing"

func TestMatchWildcard(t *testing.T) {
	cases := []struct {
		pattern, s string
		fold, want bool
	}{
		{"s3:Get*", "s3:GetObject", true, true},
		{"S3:get*", "s3:GetObject", true, true},
		{"s3:Get*", "s3:PutObject", true, false},
		{"*", "", false, true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false, false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::b", false, true},
		{"arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false, false},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
		{"s3:*Object*", "s3:GetObjectAcl", true, true},
		// Without a star (the shortcut: lengths, then the bytes).
		{"arn:aws:s3:::b", "arn:aws:s3:::b", false, true},
		{"arn:aws:s3:::b", "arn:aws:s3:::bb", false, false},
		{"arn:aws:s3:::bb", "arn:aws:s3:::b", false, false},
		{"s3:GETOBJECT", "s3:getobject", true, true},
		{"s3:GetObject", "s3:getobject", false, false},
		{"a?c", "abcd", false, false},
		{"A?C", "abc", true, true},
		{"", "", false, true},
		{"", "a", false, false},
	}
	for _, c := range cases {
		if got := MatchWildcard(c.pattern, c.s, c.fold); got != c.want {
			t.Errorf("MatchWildcard(%q, %q, %v) = %v, want %v", c.pattern, c.s, c.fold, got, c.want)
		}
	}
}
