package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/sourcetest"
)

// FuzzRead: no input makes the reader panic, and every finding, fix and
// document of what it reads lies inside the file.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob("../../../examples/terraform/*/*.tf")
	for _, p := range seeds {
		if text, err := os.ReadFile(p); err == nil {
			f.Add(string(text))
		}
	}
	f.Add("policy = <<-EOT\n  {\"Statement\": [{\"Resource\": \"${var.x}/$${aws:username}\"}]}\n  EOT\n")
	f.Add(`resource "aws_iam_policy" "p" { policy = "{\"Statement\": [\"\u00e9${x}\"]}" }`)
	f.Add(`data "aws_iam_policy_document" "d" { statement { principals { type = "*" identifiers = ["*"] } condition {} } }`)
	f.Fuzz(func(t *testing.T, src string) {
		res := ReadModule(map[string][]byte{"m/main.tf": []byte(src)}, "")["m/main.tf"]
		a := analysis.AnalyzeFile("m/main.tf", res.Files("m/main.tf", nil), res.Findings, analysis.Options{Checks: checks.All})
		sourcetest.InFile(t, src, a)
	})
}

// FuzzReadJSON: the same for a .tf.json file, whose strings are templates
// parsed on their decoded text and mapped back over the escapes.
func FuzzReadJSON(f *testing.F) {
	seeds, _ := filepath.Glob("../../../examples/terraform/*/*.tf.json")
	for _, p := range seeds {
		if text, err := os.ReadFile(p); err == nil {
			f.Add(string(text))
		}
	}
	f.Add(`{"resource": {"aws_iam_policy": {"p": {"policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"\u00e9${var.x}/$${aws:username}\"}]}"}}}}`)
	f.Add(`{"data": {"aws_iam_policy_document": {"d": [{"statement": [{"actions": ["s3:*"], "principals": [{"type": "*", "identifiers": ["*"]}], "condition": [{}]}]}, {"statement": {"dynamic": {"x": {}}}}]}}}`)
	f.Add(`{"resource": {"aws_iam_role_policy": {"r": {"policy": "${jsonencode({\"Statement\" = [{Action = \"s3:GetObject\\\\\", Resource = \"${x}\"}]})}"}}}, "locals": [{"a": "%{ if x }\"${y\"%{ endif }"}]}`)
	f.Add(`{"provider": {"aws": [{"alias": "p", "assume_role": [{"role_arn": "arn:aws:iam::111122223333:role/r"}]}]}, "resource": {"aws_s3_bucket": {"b": {"provider": "aws.p", "bucket": "\ud83d\ude80${"}}}}`)
	f.Fuzz(func(t *testing.T, src string) {
		res := ReadModule(map[string][]byte{"m/main.tf.json": []byte(src)}, "")["m/main.tf.json"]
		a := analysis.AnalyzeFile("m/main.tf.json", res.Files("m/main.tf.json", nil), res.Findings, analysis.Options{Checks: checks.All})
		sourcetest.InFile(t, src, a)
	})
}
