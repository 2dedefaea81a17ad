package checks_test

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// TestStructuralChecksDescribed: each structural check is registered under
// its code, says what it is in both languages and links an AWS page.
func TestStructuralChecksDescribed(t *testing.T) {
	structural := map[string]*analysis.Check{
		"invalid-effect":               checks.InvalidEffect,
		"duplicate-sid":                checks.DuplicateSid,
		"principal-in-identity-policy": checks.PrincipalInIdentityPolicy,
		"missing-principal":            checks.MissingPrincipal,
		"invalid-arn":                  checks.InvalidARN,
		"unknown-element":              checks.UnknownElement,
		"missing-statement":            checks.MissingStatement,
		"incomplete-statement":         checks.IncompleteStatement,
	}
	for code, c := range structural {
		if checks.ByCode(code) != c || c.Code != code {
			t.Errorf("%s: not registered in All under its code", code)
		}
		if c.Title.EN == "" || c.Title.JA == "" || c.Explain.EN == "" || c.Explain.JA == "" {
			t.Errorf("%s: title or explanation missing in a language", code)
		}
		if !strings.HasPrefix(c.DocURL, "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_") {
			t.Errorf("%s: DocURL %q is not an IAM policy reference page", code, c.DocURL)
		}
		if c.Severity != analysis.Error || c.Category != "structure" {
			t.Errorf("%s: severity %v, category %q", code, c.Severity, c.Category)
		}
	}
}
