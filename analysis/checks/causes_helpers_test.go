package checks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// crossAccountConfig is the workspace of the examples: jane of account
// 111122223333 uses DOC-EXAMPLE-BUCKET of account 444455556666.
const crossAccountConfig = `{
  "accounts": ["111122223333"],
  "buckets": {"DOC-EXAMPLE-BUCKET": {"account": "444455556666"%s}},
  "files": {
    "jane.json": {"kind": "identity", "account": "111122223333"},
    "bucket.json": {"kind": "bucket", "account": "444455556666", "bucket": "DOC-EXAMPLE-BUCKET"},
    "vpce.json": {"kind": "endpoint", "account": "111122223333", "endpoint": "vpce-1a2b3c4d"},
    "session.json": {"kind": "session", "account": "111122223333"}
  }
}`

// workspace returns the example workspace with extra bucket facts, e.g.
// `, "requesterPays": true`.
func workspace(t *testing.T, bucketFacts string) *analysis.Config {
	return checktest.Config(t, strings.Replace(crossAccountConfig, "%s", bucketFacts, 1))
}

// fixRemoves applies fix n of f and asserts that no finding of f's code
// remains; it returns the fixed text.
func fixRemoves(t *testing.T, path, src string, f analysis.Finding, n int, cfg *analysis.Config) string {
	t.Helper()
	fixed, after := checktest.ApplyFix(t, path, src, f, n, cfg)
	if slices.Contains(checktest.Codes(after), f.Code) {
		t.Errorf("%s still reported after %q:\n%s", f.Code, f.AllFixes()[n].Title.EN, fixed)
	}
	return fixed
}

// wantMessage asserts that the finding's message holds the given English
// and Japanese fragments.
func wantMessage(t *testing.T, f analysis.Finding, en, ja string) {
	t.Helper()
	if !strings.Contains(f.Message.Text().EN, en) {
		t.Errorf("%s message %q lacks %q", f.Code, f.Message.Text().EN, en)
	}
	if !strings.Contains(f.Message.Text().JA, ja) {
		t.Errorf("%s Japanese message %q lacks %q", f.Code, f.Message.Text().JA, ja)
	}
}

// wantHover asserts that the hover on the finding's range explains it in
// both languages, with the check's explanation and documentation link, and
// without the finding's message.
func wantHover(t *testing.T, path, src string, f analysis.Finding, cfg *analysis.Config) {
	t.Helper()
	file, all := checktest.Run(t, path, src, cfg)
	text, span, ok := analysis.Hover(file, all, f.Span.Start, assist.Hovers)
	if !ok || !span.Contains(f.Span.Start) {
		t.Fatalf("no hover on %s at %v", f.Code, f.Span)
	}
	c := checks.ByCode(f.Code)
	for _, want := range []struct{ got, explain string }{{text.EN, c.Explain.EN}, {text.JA, c.Explain.JA}} {
		if !strings.Contains(want.got, "`"+f.Code+"`") || !strings.Contains(want.got, want.explain) || !strings.Contains(want.got, c.DocURL) {
			t.Errorf("hover lacks the code, explanation or link:\n%s", want.got)
		}
	}
	if strings.Contains(text.EN, f.Message.Text().EN) || strings.Contains(text.JA, f.Message.Text().JA) {
		t.Errorf("hover repeats the message, which the client shows already:\n%s", text.JA)
	}
}

// wantSeverity asserts the finding's severity.
func wantSeverity(t *testing.T, f analysis.Finding, s analysis.Severity) {
	t.Helper()
	if f.Severity != s {
		t.Errorf("%s: severity %s, want %s (%s)", f.Code, f.Severity, s, f.Message.Text().EN)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// wantFixed asserts that the text after a quick fix holds want.
func wantFixed(t *testing.T, fixed, want string) {
	t.Helper()
	if !contains(fixed, want) {
		t.Errorf("fixed text lacks %s:\n%s", want, fixed)
	}
}
