package cloudformation_test

import (
	"os"
	"path/filepath"
	"testing"

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
		}
	})
}
