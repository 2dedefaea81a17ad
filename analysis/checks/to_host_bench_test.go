package checks

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// BenchmarkToHost maps the findings of every file of a governed folder to
// its host (analysis.ToHost, which AnalyzeFile runs for every document):
// in a folder of JSON policies alone there is nothing to map, and each
// related place in another file was looked up for a host map all the
// same. The folder is S3POLICY_BENCH_TREE (/tmp/gov-10000), else one
// generated of S3POLICY_BENCH_POLICIES policies (default 1,000).
// go test -run '^$' -bench ToHost -benchmem ./analysis/checks/
func BenchmarkToHost(b *testing.B) {
	w := benchGovernedWorkspace(b)
	files := w.PolicyFiles()
	findings := make([][]analysis.Finding, len(files))
	related := 0
	for i, f := range files {
		findings[i] = Analyze(f)
		for _, fd := range findings[i] {
			related += len(fd.Related)
		}
	}
	if related == 0 {
		b.Fatal("no related place: nothing to look up")
	}
	cpu := cpuTime()
	for b.Loop() {
		for i, f := range files {
			analysis.ToHost(f, findings[i])
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}
