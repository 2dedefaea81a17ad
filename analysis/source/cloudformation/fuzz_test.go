package cloudformation_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/cloudformation"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/sourcetest"
)

// FuzzRead: any text read as a template, YAML or JSON, never panics, and
// every finding, related place and fix edit lies inside the file.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"stack.yaml", "fix.yaml", "escaped.json"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Add("Resources:\n  X:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      PolicyDocument: !Sub '{\"Statement\": [${A}]}'\n")
	f.Fuzz(func(t *testing.T, src string) {
		for _, path := range []string{"t.yaml", "serverless.yml"} {
			res := cloudformation.Reader.Read(path, []byte(src))
			a := analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All})
			sourcetest.InFile(t, src, a)
			// A fix keeps a template that parsed parseable.
			var node yaml.Node
			if yaml.Unmarshal([]byte(src), &node) != nil {
				continue
			}
			for _, fd := range a.Findings {
				for _, fix := range fd.AllFixes() {
					fixed := analysis.ApplyEdits([]byte(src), fix.Edits)
					if err := yaml.Unmarshal(fixed, &node); err != nil {
						t.Fatalf("the fix %q of %s leaves a template that does not parse (%v):\n%s", fix.Title.EN, fd.Code, err, fixed)
					}
				}
			}
		}
	})
}
