package hosts_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
)

// TestRealTemplates reads every file of the folders named in
// S3POLICY_REAL_TEMPLATES (separated by the OS's list separator), such as
// checkouts of aws-cloudformation/aws-cloudformation-templates and
// serverless/examples (see testdata/README.md): each policy a reader finds
// is valid JSON with a kind, starts inside its file, and no file gives a
// json-syntax or unreadable-template finding or a finding outside it.
// Without the variable the test is skipped: the repositories are not
// copied here.
func TestRealTemplates(t *testing.T) {
	dirs := os.Getenv("S3POLICY_REAL_TEMPLATES")
	if dirs == "" {
		t.Skip("S3POLICY_REAL_TEMPLATES names no folder of real templates")
	}
	policies, fixes := 0, 0
	for _, dir := range filepath.SplitList(dirs) {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !hosts.Candidate(path) || strings.Contains(path, "/.") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			res := hosts.Read(path, src)
			a := analyzeFile(path, src)
			for _, d := range a.Docs {
				if d.Host == nil {
					continue // a standalone JSON file
				}
				policies++
				if d.Syntax != nil || d.Kind == analysis.KindUnknown || d.Host.Whole.Start < 0 || d.Host.Whole.End > len(src) {
					t.Errorf("%s %s: kind %q, syntax %v, at %v of %d bytes:\n%s", path, d.DocName, d.Kind, d.Syntax, d.Host.Whole, len(src), d.Src)
				}
			}
			for _, f := range a.Findings {
				for _, fix := range f.AllFixes() {
					fixes++
					fixed := analysis.ApplyEdits(src, fix.Edits)
					if err := parses(path, fixed); err != nil {
						t.Errorf("%s: the fix %q of %s leaves a file that does not parse: %v", path, fix.Title.EN, f.Code, err)
					} else if after := count(analyzeFile(path, fixed), f.Code); after >= count(a, f.Code) {
						t.Errorf("%s: the fix %q does not remove %s:\n%s", path, fix.Title.EN, f.Code, fixed)
					}
				}
				if f.Span.End > len(src) || ((f.Code == analysis.SyntaxCode || f.Code == analysis.UnreadableCode) && len(res.Docs) != 1) {
					t.Errorf("%s: %s at %v: %s", path, f.Code, f.Span, f.Message.Text().EN)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d policies in templates, %d quick fixes applied, each leaving a file that parses", policies, fixes)
}

// parses reads a fixed file as its format: JSON, else YAML.
func parses(path string, text []byte) error {
	if strings.HasSuffix(path, ".json") {
		if _, syn := analysis.ParseJSON(text); syn != nil {
			return syn
		}
		return nil
	}
	var n yaml.Node
	return yaml.Unmarshal(text, &n)
}

func analyzeFile(path string, src []byte) *analysis.Analysis {
	res := hosts.Read(path, src)
	return analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All})
}

func count(a *analysis.Analysis, code string) int {
	n := 0
	for _, f := range a.Findings {
		if f.Code == code {
			n++
		}
	}
	return n
}
