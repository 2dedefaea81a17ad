package checks_test

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// The codes the issues name, by category: they are an interface users
// configure and CI matches on, so they must stay exactly these.
var issueCodes = map[string][]string{
	"structure": {"missing-version", "invalid-effect", "duplicate-sid", "principal-in-identity-policy",
		"missing-principal", "invalid-arn", "unknown-element", "missing-statement", "incomplete-statement"},
	"access": {"missing-resource-arn", "kms-missing-actions", "deny-blocks-access", "endpoint-wildcard-principal",
		"endpoint-policy-blocks", "scp-denies-s3", "object-ownership", "requester-pays", "session-policy-blocks"},
}

// TestEveryCheckDescribesItself: each registered check has a unique code,
// a known category, a documentation link, and its title and explanation
// in both languages.
func TestEveryCheckDescribesItself(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range checks.All {
		if seen[c.Code] {
			t.Errorf("%s: registered twice", c.Code)
		}
		seen[c.Code] = true
		if _, known := issueCodes[c.Category]; !known && c.Category != "service-data" {
			t.Errorf("%s: unknown category %q", c.Code, c.Category)
		}
		if !strings.HasPrefix(c.DocURL, "https://docs.aws.amazon.com/") {
			t.Errorf("%s: DocURL %q is not an AWS documentation page", c.Code, c.DocURL)
		}
		if c.Title.EN == "" || c.Title.JA == "" || c.Explain.EN == "" || c.Explain.JA == "" || c.Run == nil || c.Severity == 0 {
			t.Errorf("%s: title, explanation (in both languages), severity or Run missing", c.Code)
		}
	}
	for category, codes := range issueCodes {
		for _, code := range codes {
			if c := checks.ByCode(code); c == nil || c.Category != category {
				t.Errorf("%s: not registered in the %s category", code, category)
			}
		}
	}
}
