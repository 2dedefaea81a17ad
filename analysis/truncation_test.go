package analysis_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// TestEveryTruncationOfEveryExample cuts every example policy at every
// byte, as an editor shows it while it is typed or pasted: nothing panics,
// and each prefix gets exactly one finding, json-syntax, within the
// prefix. (A prefix that ends after the closing brace is the whole
// policy, and is left to the examples test.)
func TestEveryTruncationOfEveryExample(t *testing.T) {
	policies, prefixes := 0, 0
	for _, path := range checktest.ExampleFiles(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		whole := analysis.NewFile(path, src, nil)
		if whole.Policy == nil || whole.Kind == analysis.KindUnknown {
			continue // .s3policy.json, scenarios, or an example of broken JSON
		}
		policies++
		// Keep the kind the whole file has, as the server does for an
		// open document whose name or .s3policy.json gives it.
		cfg := &analysis.Config{Dir: filepath.Dir(path), Files: []*analysis.FileFacts{{Pattern: "**", Kind: whole.Kind}}}
		end := len(bytes.TrimRight(src, " \t\r\n"))
		for i := range end {
			prefix := src[:i]
			got := analysis.Analyze(analysis.NewFile(path, prefix, cfg), checks.All)
			prefixes++
			if len(got) != 1 || got[0].Code != analysis.SyntaxCode {
				t.Fatalf("%s cut at %d: findings %+v, want one %s", path, i, got, analysis.SyntaxCode)
			}
			if s := got[0].Span; s.Start < 0 || s.Start > s.End || s.End > len(prefix) {
				t.Fatalf("%s cut at %d: span %v outside the %d bytes", path, i, s, len(prefix))
			}
		}
	}
	if policies < 50 {
		t.Fatalf("only %d example policies found", policies)
	}
	t.Logf("%d prefixes of %d example policies", prefixes, policies)
}
