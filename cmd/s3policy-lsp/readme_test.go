package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

var update = flag.Bool("update", false, "rewrite the generated parts of README.md")

const (
	readmePath  = "../../README.md"
	codesBegin  = "<!-- codes:begin -->\n"
	codesEnd    = "<!-- codes:end -->"
	codesHeader = "| code | severity | what it means | documentation |\n|---|---|---|---|\n"
)

// codesTable is the README's table of codes: every registered check and
// the codes the analysis reports itself, by code.
func codesTable() string {
	rules := slices.Clone(allRules())
	slices.SortFunc(rules, func(a, b *analysis.Check) int { return strings.Compare(a.Code, b.Code) })
	var b strings.Builder
	b.WriteString(codesHeader)
	for _, r := range rules {
		fmt.Fprintf(&b, "| `%s` | %s | %s | [%s](%s) |\n", r.Code, r.Severity, strings.ReplaceAll(r.Title.EN, "|", `\|`), docTitle(r.DocURL), r.DocURL)
	}
	return b.String()
}

// docTitle is a short name for a documentation link: its last path
// segment without ".html", or "s3policy-lsp" for this project's own pages.
func docTitle(url string) string {
	if strings.Contains(url, "github.com/s3policy-lsp/") {
		return "s3policy-lsp"
	}
	url, _, _ = strings.Cut(url, "#")
	return strings.TrimSuffix(url[strings.LastIndex(url, "/")+1:], ".html")
}

// TestREADMECodes fails when the README's table of codes is not the one
// the checks make, so that every new check is documented.
func TestREADMECodes(t *testing.T) {
	src, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(src)
	before, rest, ok1 := strings.Cut(readme, codesBegin)
	old, after, ok2 := strings.Cut(rest, codesEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the %q ... %q markers", codesBegin, codesEnd)
	}
	want := codesTable()
	if old == want {
		return
	}
	if !*update {
		t.Fatalf("the table of codes in README.md is out of date; run\n\tgo test ./cmd/s3policy-lsp -run TestREADMECodes -update\nwant:\n%s", want)
	}
	if err := os.WriteFile(readmePath, []byte(before+codesBegin+want+codesEnd+after), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The configuration shown in the README must be one that parses cleanly.
// readmeJSONBlock returns the first ```json block under a README heading.
func readmeJSONBlock(t *testing.T, heading string) string {
	t.Helper()
	src, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(src), heading)
	_, rest, _ = strings.Cut(rest, "```json\n")
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("no ```json block under the heading %q", heading)
	}
	return block
}

func TestREADMEConfigExample(t *testing.T) {
	example := readmeJSONBlock(t, "## Workspace facts: .s3policy.json")
	cfg, findings := analysis.ParseConfig(".", []byte(example))
	if len(findings) != 0 {
		t.Fatalf("the README's .s3policy.json example has findings: %+v", findings)
	}
	if got := cfg.FactsFor("roles/data-reader/inline/read.json"); got == nil || got.Kind != analysis.KindIdentity {
		t.Errorf("roles/data-reader/** does not match a nested file: %+v", got)
	}
}

// TestREADMEScenarioExample runs the README's explain scenario: it must be
// denied for the reason the README gives, on both sides of the key.
func TestREADMEScenarioExample(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scenario.json")
	if err := os.WriteFile(path, []byte(readmeJSONBlock(t, "## The explain command")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"explain", "--scenario", path, "--format", "json"}, &out, &errOut); code != exitFindings {
		t.Fatalf("exit %d, want %d (denied); stderr: %s", code, exitFindings, errOut.String())
	}
	var answer struct {
		Decision  string
		BlockedBy []string
		Causes    []struct{ Code, Layer, Policy string }
	}
	if err := json.Unmarshal(out.Bytes(), &answer); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if answer.Decision != "ImplicitlyDenied" || !slices.Equal(answer.BlockedBy, []string{"kms"}) || len(answer.Causes) != 2 ||
		answer.Causes[0].Code != "kms-missing-actions" || answer.Causes[1].Policy != "identityPolicies[0]" {
		t.Errorf("answer %+v, want ImplicitlyDenied by kms: kms-missing-actions in the default key policy and identityPolicies[0]", answer)
	}
}
