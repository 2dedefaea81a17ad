package checks_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
)

// BenchmarkDocument20KB measures a 20 KB bucket policy (the S3 size limit)
// through every check against encoding/json decoding the same bytes into
// `any`, both in the same run: the budget is a ratio of at most 3.
func BenchmarkDocument20KB(b *testing.B) {
	src := policygen.Generate("bucket", 20<<10, 1)
	var analyse, decode time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		f := analysis.NewFile("p.bucket-policy.json", src, nil)
		analysis.Analyze(f, checks.All)
		t1 := time.Now()
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		analyse += t1.Sub(t0)
		decode += t2.Sub(t1)
	}
	b.ReportMetric(float64(analyse.Nanoseconds())/float64(b.N), "analyse-ns/op")
	b.ReportMetric(float64(decode.Nanoseconds())/float64(b.N), "json-ns/op")
	b.ReportMetric(float64(analyse)/float64(decode), "ratio")
}

func TestGeneratedPolicyIsClean(t *testing.T) {
	src := policygen.Generate("bucket", 20<<10, 1)
	if len(src) < 19<<10 || len(src) > 21<<10 {
		t.Fatalf("generated %d bytes, want about 20 KB", len(src))
	}
	f := analysis.NewFile("p.bucket-policy.json", src, nil)
	if f.Syntax != nil {
		t.Fatalf("generated policy does not parse: %s", f.Syntax.Msg.EN)
	}
	if f.Kind != analysis.KindBucket || len(f.Policy.Statements) < 20 {
		t.Fatalf("kind %s with %d statements", f.Kind, len(f.Policy.Statements))
	}
}
