package checks_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// assertFixed applies the first fix of finding f to src and asserts that
// the JSON stays valid, that f's code is no longer reported and, when want
// is not empty, that the text becomes want. It returns the fixed text.
func assertFixed(t *testing.T, path, src string, f analysis.Finding, want string) string {
	t.Helper()
	fixed, after := checktest.ApplyFix(t, path, src, f, 0, nil)
	if slices.Contains(checktest.Codes(after), f.Code) {
		t.Errorf("%s still reported after the fix:\n%s", f.Code, fixed)
	}
	if want != "" && fixed != want {
		t.Errorf("fixed:\n%s\nwant:\n%s", fixed, want)
	}
	return fixed
}
