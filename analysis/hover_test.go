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
			Message: analysis.SayText(analysis.T(message, message)), Explain: analysis.T("Why it matters.", "理由。"),
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

// A link says whose page it is: a finding on .s3policy.json points at this
// project's README, not at AWS.
func TestHoverLinkNamesItsPage(t *testing.T) {
	f := &analysis.File{Path: ".s3policy.json", Src: []byte(`{"acounts": []}`)}
	for _, tc := range []struct{ url, want string }{
		{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html", "[AWS documentation](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html)"},
		{"https://github.com/s3policy-lsp/s3policy-lsp#workspace-facts-s3policyjson", "[Documentation](https://github.com/s3policy-lsp/s3policy-lsp#workspace-facts-s3policyjson)"},
	} {
		fd := analysis.Finding{Code: "config", Severity: analysis.Error, Span: analysis.Span{Start: 1, End: 10}, DocURL: tc.url}
		text, _, ok := analysis.Hover(f, []analysis.Finding{fd}, 2, nil)
		if !ok || !strings.HasSuffix(text.EN, "\n\n"+tc.want) {
			t.Errorf("hover %q, want it to end with %q", text.EN, tc.want)
		}
	}
}
