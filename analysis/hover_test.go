package analysis_test

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The hover explains a finding without its message (the client shows the
// diagnostic beside it), and two findings of one check at the offset
// share one explanation.
func TestHoverExplainsEachCheckOnce(t *testing.T) {
	f := &analysis.File{Path: "a.json", Src: []byte(`{"Version": "2008-10-17"}`)}
	finding := func(start, end int, message string) analysis.Finding {
		return analysis.Finding{
			Code: "missing-version", Severity: analysis.Warning, Span: analysis.Span{Start: start, End: end},
			Message: analysis.T(message, message), Explain: analysis.T("Why it matters.", "理由。"),
			DocURL: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
		}
	}
	findings := []analysis.Finding{finding(12, 24, "first message"), finding(1, 24, "second message"), finding(0, 1, "elsewhere")}
	text, span, ok := analysis.Hover(f, findings, 14, nil)
	if !ok || span != (analysis.Span{Start: 1, End: 24}) {
		t.Fatalf("hover %v over %v, want 1-24", ok, span)
	}
	if !strings.HasPrefix(text.EN, "**warning** (`missing-version`)\n\nWhy it matters.") ||
		strings.Count(text.EN, "Why it matters.") != 1 || strings.Count(text.JA, "理由。") != 1 {
		t.Errorf("want the explanation once:\n%s\n%s", text.EN, text.JA)
	}
	if strings.Contains(text.EN, "message") {
		t.Errorf("the hover repeats a message: %q", text.EN)
	}
}
