package lsp

import "testing"

// The index finds a name in a policy where the engine does: in its
// decoded strings, whatever escapes write it, and anywhere in a text
// that does not decode.
func TestAPolicyNamesWhatItsDecodedStringsHold(t *testing.T) {
	for _, c := range []struct {
		policy, name string
		want         bool
	}{
		{`{"Principal": {"AWS": "111122220000"}}`, "111122220000", true},
		{`{"Principal": {"AWS": "444455556666"}}`, "111122220000", false},
		{`{"Principal": {"AWS": "1111\u00322220000"}}`, "111122220000", true},
		{`{"Principal": {"AWS": "1111\u00322220000"}}`, "1111\\u0032", false},
		{`{"Resource": "arn:aws:s3:::data\u002dlake\/*"}`, "data-lake", true},
		{`{"Resource": "arn:aws:s3:::data\u002dlake\/*"}`, "arn:aws:s3:::data-lake/", true},
		{`{"Resource": "arn:aws:s3:::other\/*"}`, "data-lake", false},
		{`{"Resource": "arn:aws:s3:::data\u002dlake\/*"`, "data-lake", true},  // half-typed: its strings so far
		{`{"Resource": "arn:aws:s3:::other\/*" "Action"}`, "data-lake", true}, // does not decode: any name
	} {
		if got := mayName([]byte(c.policy), c.name); got != c.want {
			t.Errorf("mayName(%s, %q) = %v, want %v", c.policy, c.name, got, c.want)
		}
		if got := newTextNames([]byte(c.policy)).contains(c.name); got != c.want {
			t.Errorf("textNames(%s).contains(%q) = %v, want %v", c.policy, c.name, got, c.want)
		}
	}
}
