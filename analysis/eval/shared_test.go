package eval_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// The requests an account's SCPs deny alike share one list of causes, in
// the answer as in the evaluations the workspace keeps, and each cause, rendered with its request, says what the engine's own
// evaluation of that request says, word for word (the words name the
// request only when rendered: issue 16).
func TestBlockedRequestsShareTheirCausesAndSayTheirOwnWords(t *testing.T) {
	w := governedWorkspace(t, 300)
	requests := map[[3]string]eval.Request{} // by action, resource and grant file
	for _, f := range w.Files {
		for _, g := range w.Grants(f) {
			requests[[3]string{g.Request.Action, g.Request.Resource, g.Request.Principal}] = g.Request
		}
	}
	blocked, lists, kept, evaluated := 0, map[*analysis.Cause]int{}, map[**eval.Cause]int{}, map[string]bool{}
	for _, p := range principalsOf(w) {
		for _, b := range w.Blocked(p) {
			blocked++
			lists[&b.Causes[0]]++
			req, ok := requests[[3]string{b.Action, b.Resource, p}]
			if !ok {
				t.Fatalf("%s %s of %s: no grant asks for it", b.Action, b.Resource, p)
			}
			var want, got []analysis.Text
			kept[&w.KeptCauses(req)[0]]++ // the list of the evaluation Blocked kept
			r := w.Decide(req)
			evaluated[req.Action+" "+req.Resource+" "+p] = true
			for i := range r.Causes {
				want = append(want, r.Say(&r.Causes[i]))
			}
			for i := range b.Causes {
				got = append(got, b.Say(&b.Causes[i]))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s %s of %s says\n%q\nwant\n%q", b.Action, b.Resource, p, got, want)
			}
		}
	}
	shared := 0
	for _, n := range lists {
		if n > 1 {
			shared += n
		}
	}
	if blocked == 0 || shared == 0 || len(lists) >= blocked {
		t.Errorf("%d blocked requests in %d lists of causes, %d of them sharing theirs: want lists shared", blocked, len(lists), shared)
	}
	if len(kept) >= len(evaluated) {
		t.Errorf("the %d evaluations kept hold %d lists of causes: want lists shared", len(evaluated), len(kept))
	}
}
