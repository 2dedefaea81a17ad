package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// appendResult writes what json.MarshalIndent writes of the result's
// Answer: for the results of the example scenarios in both languages,
// and for results whose texts need every kind of escape, with and
// without a statement, a line, layers and causes.
func TestAppendResultIsMarshalIndent(t *testing.T) {
	_, results := exampleResults(t)
	for _, text := range []string{"", `say "no" \ now`, "<b> & </b>", "tab\there\nline\r\x01\x7f", "ポリシー", "line\u2028sep\u2029", "bad \xff utf-8", "é"} {
		results = append(results, eval.Result{Decision: eval.Decision(text), BlockedBy: []eval.Layer{eval.Layer(text), "kms"},
			Causes: []eval.Cause{{Code: text, Layer: "resource", Policy: text, Statement: 0, Message: analysis.T(text, "ja "+text)},
				{Code: "c", Layer: eval.Layer(text), Statement: 7, Line: 12, Message: analysis.T("m", "")},
				{Code: "c", Layer: "scp", Statement: -1, Line: 3, Message: analysis.T("whole", text)}}})
	}
	results = append(results, eval.Result{Decision: eval.Allowed}, eval.Result{Decision: eval.Allowed, BlockedBy: []eval.Layer{}, Causes: []eval.Cause{}})
	for _, r := range results {
		for _, lang := range []string{"en", "ja"} {
			for _, prefix := range []string{"", "  "} {
				want, err := json.MarshalIndent(r.Answer(lang), prefix, "  ")
				if err != nil {
					t.Fatal(err)
				}
				if got := appendResult(nil, &r, lang, prefix); string(got) != string(want) {
					t.Errorf("%s, prefix %q:\n%s\nwant\n%s", lang, prefix, got, want)
				}
			}
		}
	}
}

// exampleResults are the requests of the example scenarios and their
// results.
func exampleResults(t *testing.T) (requests []eval.Request, results []eval.Result) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(crossAccountExamples, "scenarios.json"))
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := eval.ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scenarios {
		requests, results = append(requests, s.Request), append(results, eval.Evaluate(s))
	}
	return requests, results
}

// appendJSONString quotes text as json.Marshal does, from a string and
// from bytes: every byte alone and between letters, and the texts whose
// escapes differ (control characters, HTML, U+2028 and U+2029, invalid
// and truncated UTF-8, a surrogate, Japanese, emoji).
func TestAppendJSONStringIsMarshal(t *testing.T) {
	texts := []string{"", "plain", `say "no" \ now`, "<b> & </b>", "tab\there\nline\r\x01\x7f\b\f", "ポリシー 🪣",
		"line\u2028sep\u2029", "bad \xff utf-8", "cut \xe3\x81", "surrogate \xed\xa0\x80", "é"}
	for c := range 256 {
		texts = append(texts, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"z")
	}
	for _, s := range texts {
		checkAppendJSONString(t, s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", `"\`, "<>&", "\u2028\xff", "ステートメント \"Read\""} {
		f.Add(s)
	}
	f.Fuzz(checkAppendJSONString)
}

func checkAppendJSONString(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
		t.Errorf("%q as a string: %s, want %s", s, got[1:], want)
	}
	if got := appendJSONString([]byte("x"), []byte(s)); string(got) != "x"+string(want) {
		t.Errorf("%q as bytes: %s, want %s", s, got[1:], want)
	}
}
