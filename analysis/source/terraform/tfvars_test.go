package terraform

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

const tfvarsMain = `variable "bucket" {
  default = "other-bucket"
}
resource "aws_iam_user_policy" "u" {
  name   = "u"
  user   = "jane"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "Read", Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::${var.bucket}/*" }]
  })
}
`

// resourceOf is the Resource the one document of main.tf reads.
func resourceOf(t *testing.T, files map[string][]byte, ctx source.ModuleContext) string {
	t.Helper()
	res := readModule(files, ctx)["m/main.tf"]
	if len(res.Docs) != 1 {
		t.Fatalf("documents %+v", res.Docs)
	}
	text := oneLine(res.Docs[0].Text)
	at := strings.Index(text, `"Resource": "`)
	if at < 0 {
		t.Fatalf("no Resource in %s", text)
	}
	rest := text[at+len(`"Resource": "`):]
	return rest[:strings.Index(rest, `"`)]
}

// The root module's variable files Terraform loads by itself set its
// variables over their defaults: terraform.tfvars, then
// terraform.tfvars.json, then the *.auto.tfvars(.json) in the order of
// their names, the later winning; another .tfvars file (given with
// -var-file) is not loaded.
func TestVariableFilesSetTheRootModule(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no variable file: the default", nil, "arn:aws:s3:::other-bucket/*"},
		{"terraform.tfvars", map[string]string{"m/terraform.tfvars": `bucket = "shared-data"`}, "arn:aws:s3:::shared-data/*"},
		{"terraform.tfvars.json", map[string]string{"m/terraform.tfvars.json": `{"bucket": "shared-data"}`}, "arn:aws:s3:::shared-data/*"},
		{"json after hcl", map[string]string{"m/terraform.tfvars": `bucket = "a"`, "m/terraform.tfvars.json": `{"bucket": "b"}`}, "arn:aws:s3:::b/*"},
		{"auto after terraform.tfvars", map[string]string{"m/terraform.tfvars.json": `{"bucket": "b"}`, "m/a.auto.tfvars": `bucket = "c"`}, "arn:aws:s3:::c/*"},
		{"autos in name order", map[string]string{"m/b.auto.tfvars": `bucket = "second"`, "m/a.auto.tfvars.json": `{"bucket": "first"}`}, "arn:aws:s3:::second/*"},
		{"autos in name order, json last", map[string]string{"m/a.auto.tfvars": `bucket = "first"`, "m/b.auto.tfvars.json": `{"bucket": "second"}`}, "arn:aws:s3:::second/*"},
		{"another file sets another variable", map[string]string{"m/terraform.tfvars": `region = "eu-west-1"`}, "arn:aws:s3:::other-bucket/*"},
		{"-var-file files are not loaded", map[string]string{"m/prod.tfvars": `bucket = "prod"`, "m/myterraform.tfvars": `bucket = "x"`}, "arn:aws:s3:::other-bucket/*"},
		{"an expression: unknown, not the default", map[string]string{"m/terraform.tfvars": `bucket = lower("Shared")`}, "arn:aws:s3:::${var.bucket}/*"},
		{"a reference in json: unknown", map[string]string{"m/terraform.tfvars.json": `{"bucket": "${var.other}"}`}, "arn:aws:s3:::${var.bucket}/*"},
		{"a number: unknown", map[string]string{"m/terraform.tfvars": `bucket = 12`}, "arn:aws:s3:::${var.bucket}/*"},
		{"a later literal wins over an expression", map[string]string{"m/terraform.tfvars": `bucket = lower("X")`, "m/z.auto.tfvars": `bucket = "z"`}, "arn:aws:s3:::z/*"},
		{"a variable file of another folder", map[string]string{"other/terraform.tfvars": `bucket = "x"`}, "arn:aws:s3:::other-bucket/*"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string][]byte{"m/main.tf": []byte(tfvarsMain)}
			for p, text := range c.files {
				files[p] = []byte(text)
			}
			if got := resourceOf(t, files, source.ModuleContext{}); got != c.want {
				t.Errorf("Resource %q, want %q", got, c.want)
			}
		})
	}
}

// A child module's folder's variable files do not set its variables: its
// caller's arguments and its defaults do. An argument the caller passes
// that the reader cannot decide leaves the variable unknown.
func TestVariableFilesDoNotSetAChild(t *testing.T) {
	files := map[string][]byte{"m/main.tf": []byte(tfvarsMain), "m/terraform.tfvars": []byte(`bucket = "shared-data"`)}
	if got := resourceOf(t, files, source.ModuleContext{Called: true, Inputs: map[string]string{}}); got != "arn:aws:s3:::other-bucket/*" {
		t.Errorf("a child with no argument: %q", got)
	}
	if got := resourceOf(t, files, source.ModuleContext{Called: true, Inputs: map[string]string{"bucket": "given"}}); got != "arn:aws:s3:::given/*" {
		t.Errorf("a child with an argument: %q", got)
	}
	if got := resourceOf(t, files, source.ModuleContext{Called: true, Inputs: map[string]string{"bucket": unknownInput("bucket")}}); got != "arn:aws:s3:::${var.bucket}/*" {
		t.Errorf("a child with an argument the reader cannot decide: %q", got)
	}
}

// A dynamic statement block over a variable's list takes the list a
// variable file sets, and is one statement of unknowns where the file
// sets what the reader cannot read.
func TestVariableFilesSetAForEach(t *testing.T) {
	main := `variable "buckets" { default = ["a"] }
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = var.buckets
    content {
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::${statement.value}/*"]
    }
  }
}
resource "aws_iam_policy" "p" { policy = data.aws_iam_policy_document.p.json }
`
	for vars, want := range map[string]string{
		`buckets = ["x", "y"]`:      `"arn:aws:s3:::x/*"|"arn:aws:s3:::y/*"`,
		`buckets = concat(["x"])`:   `"arn:aws:s3:::${statement.value}/*"`,
		`{"buckets": ["j1", "j2"]}`: `"arn:aws:s3:::j1/*"|"arn:aws:s3:::j2/*"`,
	} {
		name := "m/terraform.tfvars"
		if strings.HasPrefix(vars, "{") {
			name += ".json"
		}
		res := readModule(map[string][]byte{"m/main.tf": []byte(main), name: []byte(vars)}, source.ModuleContext{})["m/main.tf"]
		if len(res.Docs) != 1 {
			t.Fatalf("%s: documents %+v", vars, res.Docs)
		}
		text := oneLine(res.Docs[0].Text)
		for _, r := range strings.Split(want, "|") {
			if !strings.Contains(text, r) {
				t.Errorf("%s: %s lacks %s", vars, text, r)
			}
		}
		if strings.Contains(text, `"arn:aws:s3:::a/*"`) {
			t.Errorf("%s: the default's element in %s", vars, text)
		}
	}
}
