package checks_test

import (
	"fmt"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
)

// Files analysed one after the other, each recycled once its findings
// are read (File.Recycle, as check does: the tree's slabs go to the next
// file's parse), get the findings that a first analysis of each gives,
// whatever the sizes and kinds of the files before them.
func TestRecycledFilesGiveTheSameFindings(t *testing.T) {
	type doc struct {
		path string
		src  []byte
	}
	docs := []doc{
		{"a.iam-policy.json", policy20KB()},
		{"b.bucket-policy.json", policygen.Generate("bucket", 20<<10, 1)},
		{"c.key-policy.json", policygen.Generate("key", 4<<10, 2)},
		{"d.bucket-policy.json", policygen.Generate("bucket", 2<<10, 3)},
		{"e.endpoint-policy.json", policygen.Generate("endpoint", 8<<10, 4)},
		{"f.iam-policy.json", []byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*"}}`)},
	}
	first := make([]string, len(docs))
	for i, d := range docs {
		first[i] = findingsText(analysis.Analyze(analysis.NewFile(d.path, d.src, nil), checks.All))
	}
	for round := range 3 {
		for i, d := range docs {
			f := analysis.NewFile(d.path, d.src, nil)
			if got := findingsText(analysis.Analyze(f, checks.All)); got != first[i] {
				t.Fatalf("round %d, %s: findings after recycled files:\n%.500s\nwant\n%.500s", round, d.path, got, first[i])
			}
			f.Recycle()
		}
	}
}

// findingsText writes what check prints of findings, and their fixes'
// titles.
func findingsText(fs []analysis.Finding) string {
	out := ""
	for _, f := range fs {
		out += fmt.Sprintf("%s %v %v %s %d", f.Code, f.Span, f.Severity, f.Message.Text().EN, len(f.Related))
		for _, fix := range f.AllFixes() {
			out += " [" + fix.Title.EN + "]"
		}
		out += "\n"
	}
	return out
}
