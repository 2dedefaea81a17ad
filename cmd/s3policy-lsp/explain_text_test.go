package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// appendTextResult writes the text fmt wrote before it (textByFprintf):
// for the results of the example scenarios in both languages, and for
// results with and without layers, a policy, a line, in any bytes.
func TestAppendTextResultIsFprintf(t *testing.T) {
	requests, results := exampleResults(t)
	for _, text := range []string{"", "%d %s", "tab\there\nline", "ポリシー", "bad \xff utf-8"} {
		requests = append(requests, eval.Request{Principal: text, Action: "s3:" + text, Resource: text + "r"})
		results = append(results, eval.Result{Decision: eval.Decision(text), BlockedBy: []eval.Layer{eval.Layer(text), "kms", "scp"},
			Causes: []eval.Cause{{Code: text, Layer: "resource", Policy: text, Statement: 0, Line: 4, Message: analysis.T(text, "ja "+text)},
				{Code: "c", Layer: eval.Layer(text), Policy: "p", Statement: 7, Line: 0, Message: analysis.T("m", "")},
				{Code: "c", Layer: "scp", Statement: -1, Line: 3, Message: analysis.T("no policy", text)}}})
		requests = append(requests, eval.Request{Principal: "p", Action: text, Resource: "r"})
		results = append(results, eval.Result{Decision: eval.ImplicitlyDenied, BlockedBy: []eval.Layer{eval.Layer(text)},
			Causes: []eval.Cause{{Code: text, Layer: eval.Layer(text), Policy: "q", Line: -2, Message: analysis.T(text, text)}}})
	}
	requests = append(requests, eval.Request{Principal: "p", Action: "a", Resource: "r"})
	results = append(results, eval.Result{Decision: eval.Allowed, BlockedBy: []eval.Layer{}})
	for _, lang := range []string{"en", "ja"} {
		var want strings.Builder
		for i := range results {
			textByFprintf(&want, i, &requests[i], results[i], lang)
		}
		var got strings.Builder
		answers := answerWriter{w: &got}
		for i := range results {
			answers.writeText(&requests[i], &results[i], lang)
		}
		if got.String() != want.String() {
			t.Errorf("%s:\n%s\nwant\n%s", lang, got.String(), want.String())
		}
	}
}

// textByFprintf is how explain wrote an answer as text with fmt, the
// text appendTextResult keeps.
func textByFprintf(w *strings.Builder, i int, req *eval.Request, r eval.Result, lang string) {
	if i > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s %s on %s: %s", req.Principal, req.Action, req.Resource, r.Decision)
	if len(r.BlockedBy) > 0 {
		layers := make([]string, len(r.BlockedBy))
		for j, l := range r.BlockedBy {
			layers[j] = string(l)
		}
		fmt.Fprintf(w, " (blocked by %s)", strings.Join(layers, ", "))
	}
	fmt.Fprintln(w)
	for i := range r.Causes {
		c := &r.Causes[i]
		fmt.Fprintf(w, "  %s [%s]", c.Code, c.Layer)
		if c.Policy != "" {
			fmt.Fprintf(w, " %s", c.Policy)
			if c.Line > 0 {
				fmt.Fprintf(w, ":%d", c.Line)
			}
		}
		fmt.Fprintf(w, "\n    %s\n", r.Say(c).In(lang))
	}
}
