package checks_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
)

// BenchmarkDocument20KB measures a 20 KB policy (the S3 size limit)
// through every check against encoding/json decoding the same bytes into
// `any`, both in the same run: the budget is a ratio of at most 3. The
// variants are a generated bucket policy and an identity policy that
// names six services with wildcards (the IAM service-data checks' worst
// case).
func BenchmarkDocument20KB(b *testing.B) {
	for _, doc := range []struct {
		name, path string
		src        []byte
	}{
		{"bucket", "p.bucket-policy.json", policygen.Generate("bucket", 20<<10, 1)},
		{"identity-many-services", "p.iam-policy.json", policy20KB()},
	} {
		b.Run(doc.name, func(b *testing.B) { benchmarkAgainstJSON(b, doc.path, doc.src) })
	}
}

func benchmarkAgainstJSON(b *testing.B, path string, src []byte) {
	var analyse, decode time.Duration
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		t0 := time.Now()
		f := analysis.NewFile(path, src, nil)
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
