package terraform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// In a module read as a set, a cross-file finding's related place is the
// HCL of the other file; hovers and the outline point at the HCL.
func TestModuleRelatedHoverOutline(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "examples", "terraform", "kms-missing-actions"))
	if err != nil {
		t.Fatal(err)
	}
	sets := tree.Governed(dir, tree.Disk{})
	partner := filepath.Join(dir, "partner.tf")
	_, src := tree.SetOf(sets, partner)
	if src == nil {
		t.Fatal("partner.tf is in no set")
	}
	a := analysis.AnalyzeFile(partner, src.Docs, src.Findings, analysis.Options{Checks: checks.All})
	text := string(src.Text)
	bucketText, err := os.ReadFile(filepath.Join(dir, "bucket.tf"))
	if err != nil {
		t.Fatal(err)
	}
	var kms *analysis.Finding
	for i := range a.Findings {
		if a.Findings[i].Code == "kms-missing-actions" {
			kms = &a.Findings[i]
			break
		}
	}
	if kms == nil {
		t.Fatalf("no kms-missing-actions: %+v", a.Findings)
	}
	if got := text[kms.Span.Start:kms.Span.End]; got != `"s3:GetObject"` {
		t.Errorf("finding at %q", got)
	}
	var sawKey bool
	for _, r := range kms.Related {
		if r.File == "bucket.tf" && r.Doc == "aws_kms_key.shared" {
			sawKey = true
			if got := string(bucketText[r.Span.Start:r.Span.End]); got != `"*"` {
				t.Errorf("related place in the key policy at %q, want its Resource", got)
			}
		}
	}
	if !sawKey {
		t.Errorf("no related place in the key policy: %+v", kms.Related)
	}

	at := strings.Index(text, `"kms:Decrypt"`) + 3
	hover, span, ok := a.Hover(at, assist.Hovers)
	if !ok || text[span.Start:span.End] != `"kms:Decrypt"` || !strings.Contains(hover.EN, "Decrypt") {
		t.Errorf("hover %v %q over %q", ok, hover.EN, text[span.Start:span.End])
	}

	outline := a.Outline()
	var names []string
	for _, s := range outline {
		names = append(names, s.Name+"@"+strings.SplitN(text[s.NameSpan.Start:], "\n", 2)[0])
		for _, c := range s.Children {
			names = append(names, "  "+c.Name+"@"+strings.SplitN(text[c.Span.Start:], "\n", 2)[0])
		}
	}
	want := []string{
		`data.aws_iam_policy_document.trust@data "aws_iam_policy_document" "trust" {`,
		`  Version@data "aws_iam_policy_document" "trust" {`, // the provider's default, at the block
		`  Statement 1@statement {`,
		`data.aws_iam_policy_document.jane@data "aws_iam_policy_document" "jane" {`,
		`  Version@data "aws_iam_policy_document" "jane" {`,
		`  ListTheBucket@statement {`,
		`  ReadWriteObjects@statement {`,
		`  UseTheBucketKey@statement {`,
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("outline\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}
