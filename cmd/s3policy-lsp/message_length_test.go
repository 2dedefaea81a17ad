package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// MaxLead is how long the first sentence of a message may be: editors
// show a diagnostic's first line, often cut near 100 characters, so the
// cause (what blocks, and where) comes first and the details go to the
// related places and the hover (issue 15).
const MaxLead = 100

// lead is a message's first sentence: up to the first ". ", "; " or ": "
// (the lead clause of "cause: consequence"), or "。" in Japanese.
func lead(msg string) string {
	end := len(msg)
	for _, sep := range []string{". ", "; ", ": ", "。"} {
		if i := strings.Index(msg, sep); i >= 0 && i < end {
			end = i
		}
	}
	return msg[:end]
}

// Every message of every finding over every example, in English and
// Japanese, leads with a sentence of at most MaxLead characters.
func TestMessagesLeadShort(t *testing.T) {
	for _, lang := range []string{"en", "ja"} {
		c := newChecker(lang, io.Discard)
		root, err := filepath.Abs(examplesDir)
		if err != nil {
			t.Fatal(err)
		}
		c.checkPath(root)
		findings, _ := c.sorted()
		if len(findings) < 50 {
			t.Fatalf("%s: %d findings over the examples", lang, len(findings))
		}
		for _, f := range findings {
			if n := utf8.RuneCountInString(lead(f.Message)); n > MaxLead {
				t.Errorf("%s %s %s: the first sentence has %d characters:\n%s", lang, f.File, f.Code, n, lead(f.Message))
			}
		}
	}
}

func TestLead(t *testing.T) {
	for _, tc := range []struct{ msg, want string }{
		{"key.key-policy.json blocks s3:GetObject. Details", "key.key-policy.json blocks s3:GetObject"},
		{"no statement allows s3:GetObject: downloads are denied", "no statement allows s3:GetObject"},
		{"arn:aws:s3:::b is fine", "arn:aws:s3:::b is fine"},
		{"キーポリシーが妨げています。詳細", "キーポリシーが妨げています"},
	} {
		if got := lead(tc.msg); got != tc.want {
			t.Errorf("lead(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
