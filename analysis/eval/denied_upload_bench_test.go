package eval_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// BenchmarkUploadDeniedBySCPs evaluates, in the workspace of the governed
// folder of 10,000 policies, the blocked request with the most causes: an
// upload that each Deny of its account's fifty SCPs blocks (53 causes),
// as 300,000 of the 322,852 causes of a first scan there are (issue 16).
// The work an evaluation does for each cause, apart from answering.
func BenchmarkUploadDeniedBySCPs(b *testing.B) {
	w := governedWorkspace(b, 10000)
	var most eval.Request
	causes := 0
	for _, p := range principalsOf(w) {
		for _, blocked := range w.Blocked(p) {
			req := eval.Request{Principal: p, Action: blocked.Action, Resource: blocked.Resource}
			if n := len(eval.Evaluate(w.Scenario(req)).Causes); n > causes {
				most, causes = req, n
			}
		}
	}
	if causes < 50 {
		b.Fatalf("the most causes of a blocked request are %d: the folder should block uploads by fifty SCP Denies", causes)
	}
	start := cpuTime()
	for b.Loop() {
		eval.Evaluate(w.Scenario(most))
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(causes), "causes")
}
