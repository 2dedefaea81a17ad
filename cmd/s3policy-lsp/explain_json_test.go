package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// appendAnswer writes what json.MarshalIndent writes: for the answers of
// the example scenarios in both languages, and for answers whose texts
// need every kind of escape.
func TestAppendAnswerIsMarshalIndent(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(crossAccountExamples, "scenarios.json"))
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := eval.ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	var answers []eval.Answer
	for _, s := range scenarios {
		r := eval.Evaluate(s)
		answers = append(answers, r.Answer("en"), r.Answer("ja"))
	}
	zero, seven := 0, 7
	for _, text := range []string{"", `say "no" \ now`, "<b> & </b>", "tab\there\nline\r\x01\x7f", "ポリシー", "line\u2028sep\u2029", "bad \xff utf-8", "é"} {
		answers = append(answers, eval.Answer{Decision: eval.Decision(text), BlockedBy: []eval.Layer{eval.Layer(text), "kms"},
			Causes: []eval.AnswerCause{{Code: text, Layer: "resource", Policy: text, Statement: &zero, Message: text},
				{Code: "c", Layer: eval.Layer(text), Statement: &seven, Line: 12, Message: "m"}}})
	}
	answers = append(answers, eval.Answer{Decision: eval.Allowed}, eval.Answer{Decision: eval.Allowed, BlockedBy: []eval.Layer{}, Causes: []eval.AnswerCause{}})
	for _, a := range answers {
		for _, prefix := range []string{"", "  "} {
			want, err := json.MarshalIndent(a, prefix, "  ")
			if err != nil {
				t.Fatal(err)
			}
			if got := appendAnswer(nil, a, prefix); string(got) != string(want) {
				t.Errorf("prefix %q:\n%s\nwant\n%s", prefix, got, want)
			}
		}
	}
}
