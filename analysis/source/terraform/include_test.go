package terraform

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/sourcetest"
)

// includeModule is a module that reads its bucket policy with file() and
// its key policy with templatefile(), with files it must leave alone.
var includeModule = map[string]string{
	"m/main.tf": `provider "aws" {
  allowed_account_ids = ["444455556666"]
}
data "aws_caller_identity" "current" {}
variable "policy_dir" { default = "policies" }
resource "aws_s3_bucket" "b" { bucket = "shared-data" }
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = file("${path.module}/${var.policy_dir}/bucket.json")
}
resource "aws_kms_key" "k" {
  policy = templatefile("${path.module}/key-policy.json.tpl", {
    account_id = data.aws_caller_identity.current.account_id
    "partner"  = var.partner
  })
}
resource "aws_instance" "i" {
  user_data = file("${path.module}/init.sh")
}
resource "aws_iam_policy" "outside" {
  policy = file("${path.module}/../shared/policy.json")
}
`,
	"m/policies/bucket.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::shared-data/*"}
  ]
}
`,
	"m/key-policy.json.tpl": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${account_id}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${partner}:root"}, "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
`,
}

func includeFiles(names ...string) map[string][]byte {
	out := map[string][]byte{}
	for _, n := range names {
		out[filepath.FromSlash(n)] = []byte(includeModule[n])
	}
	return out
}

// The files a module reads with file() and templatefile() are those in
// its folder whose path the module decides (a literal, path.module, a
// variable's default); a script and a file outside the folder are not.
func TestIncludesListsTheFilesAModuleReads(t *testing.T) {
	got := Includes(includeFiles("m/main.tf"), source.ModuleContext{})
	want := []string{filepath.FromSlash("m/key-policy.json.tpl"), filepath.FromSlash("m/policies/bucket.json")}
	if !slices.Equal(got, want) {
		t.Errorf("Includes = %q, want %q", got, want)
	}
	if got := Includes(map[string][]byte{"m/x.tf": []byte(`resource "aws_iam_policy" "p" { policy = "{}" }`)}, source.ModuleContext{}); got != nil {
		t.Errorf("a module that calls no file(): %q", got)
	}
}

// A file read by file() takes the kind, reason and facts of its use, and
// its findings are in its own offsets; a templatefile() variable the
// module decides is its value, the others stay placeholders.
func TestIncludedFilesTakeTheirKindFromUse(t *testing.T) {
	files := includeFiles("m/main.tf", "m/policies/bucket.json", "m/key-policy.json.tpl")
	res := ReadModule(files, "")
	bucketPath := filepath.FromSlash("m/policies/bucket.json")
	bucket := res[bucketPath]
	if len(bucket.Docs) != 1 {
		t.Fatalf("bucket.json: %+v", bucket)
	}
	d := bucket.Docs[0]
	if d.Kind != analysis.KindBucket || d.KindReason != "aws_s3_bucket_policy.b.policy in main.tf" || d.Facts == nil ||
		d.Facts.Bucket != "shared-data" || d.Facts.Account != "444455556666" || d.Name != "" {
		t.Errorf("bucket.json: kind %q reason %q facts %+v name %q", d.Kind, d.KindReason, d.Facts, d.Name)
	}
	text := includeModule["m/policies/bucket.json"]
	a := analysis.AnalyzeFile(bucketPath, bucket.Files(bucketPath, nil), nil, analysis.Options{Checks: checks.All})
	f := finding(t, a, "unknown-action")
	if got := at(text, f.Span); got != `"s3:GetObjekt"` || strings.Count(text[:f.Span.Start], "\n") != 3 {
		t.Errorf("unknown-action at %q on line %d, want the action on line 4", got, strings.Count(text[:f.Span.Start], "\n")+1)
	}

	key := res[filepath.FromSlash("m/key-policy.json.tpl")]
	if len(key.Docs) != 1 {
		t.Fatalf("key-policy.json.tpl: %+v", key)
	}
	k := key.Docs[0]
	if k.Kind != analysis.KindKey || k.KindReason != "aws_kms_key.k.policy in main.tf" || k.Facts == nil || k.Facts.Key != "arn:aws:kms::444455556666:key/k" {
		t.Errorf("key policy: kind %q reason %q facts %+v", k.Kind, k.KindReason, k.Facts)
	}
	if s := string(k.Text); !strings.Contains(s, `"arn:aws:iam::444455556666:root"`) || !strings.Contains(s, `"arn:aws:iam::${partner}:root"`) {
		t.Errorf("key policy text:\n%s", s)
	}
	// The value maps to the placeholder it stands for.
	tpl := includeModule["m/key-policy.json.tpl"]
	at444 := strings.Index(string(k.Text), "444455556666")
	if sp := k.Host.Span(analysis.Span{Start: at444, End: at444 + 12}); at(tpl, sp) != "${account_id}" {
		t.Errorf("the value maps to %q", at(tpl, sp))
	}
	if _, ok := res[filepath.FromSlash("m/init.sh")]; ok {
		t.Error("a script read by file() got a result")
	}
}

// A file the module reads but uses in no policy attribute keeps the kind
// of its name or content, and the module's .tf files are read as before.
func TestIncludedFileUsedNowhere(t *testing.T) {
	files := map[string][]byte{
		"m/main.tf":    []byte(`locals { doc = file("${path.module}/doc.json") }`),
		"m/doc.json":   []byte(`{"Version": "2012-10-17", "Statement": []}`),
		"m/other.json": []byte(`{"Version": "2012-10-17", "Statement": []}`),
	}
	res := ReadModule(files, "")
	if d := res["m/doc.json"].Docs; len(d) != 1 || d[0].Kind != analysis.KindUnknown || d[0].KindReason != "" {
		t.Errorf("doc.json: %+v", d)
	}
	if _, ok := res["m/other.json"]; ok {
		t.Error("a file no call reads got a result")
	}
}

// FuzzModuleFiles: no module and no file it reads makes Includes, Calls
// or the reading panic, and every finding of the file read with file()
// or templatefile() lies inside it.
func FuzzModuleFiles(f *testing.F) {
	f.Add(includeModule["m/main.tf"], includeModule["m/key-policy.json.tpl"])
	f.Add(`resource "aws_s3_bucket_policy" "b" { policy = file("p.json") }`, `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}`)
	f.Add(`resource "aws_kms_key" "k" { policy = templatefile("./p.json", { a = "x\"y", "b" = var.c }) }
module "c" {
  source = "./p.json"
  a      = "🚀"
}`, `{"Statement": [{"Principal": {"AWS": "${a}${b}"}, "Action": ${list}, "Resource": "%{ if x }*%{ endif }"}]}`)
	f.Fuzz(func(t *testing.T, module, policy string) {
		files := map[string][]byte{"m/main.tf": []byte(module), "m/p.json": []byte(policy), "m/key-policy.json.tpl": []byte(policy)}
		Includes(files, source.ModuleContext{})
		Calls(files, source.ModuleContext{})
		for path, res := range ReadModule(files, "") {
			if path == "m/main.tf" {
				continue
			}
			a := analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All})
			sourcetest.InFile(t, policy, a)
		}
	})
}

// A .tf.json module reads a policy file alike.
func TestIncludedByTerraformJSON(t *testing.T) {
	files := map[string][]byte{
		"m/main.tf.json": []byte(`{"resource": {"aws_s3_bucket": {"b": {"bucket": "data"}}, "aws_s3_bucket_policy": {"b": {"bucket": "${aws_s3_bucket.b.id}", "policy": "${file(\"${path.module}/p.json\")}"}}}}`),
		"m/p.json":       []byte(`{"Version": "2012-10-17", "Statement": []}`),
	}
	d := ReadModule(files, "")["m/p.json"].Docs
	if len(d) != 1 || d[0].Kind != analysis.KindBucket || d[0].KindReason != "aws_s3_bucket_policy.b.policy in main.tf.json" || d[0].Facts.Bucket != "data" {
		t.Errorf("p.json: %+v", d)
	}
}

// A file() path built from a variable is the file the module reads: the
// root module's terraform.tfvars value, a called module's input, else the
// default; a called module's own terraform.tfvars is not read (review N8).
func TestIncludesReadsPathsAsTheModuleIsRead(t *testing.T) {
	files := map[string][]byte{
		filepath.FromSlash("m/main.tf"): []byte(`
variable "pf" { default = "default.json" }
resource "aws_s3_bucket_policy" "b" {
  bucket = "shared-data"
  policy = file("${path.module}/${var.pf}")
}
`),
		filepath.FromSlash("m/terraform.tfvars"): []byte(`pf = "tfvars.json"`),
	}
	for _, c := range []struct {
		name string
		ctx  source.ModuleContext
		want string
	}{
		{"the root module", source.ModuleContext{}, "m/tfvars.json"},
		{"a called module, passed pf", source.ModuleContext{Called: true, Inputs: map[string]string{"pf": "input.json"}}, "m/input.json"},
		{"a called module, not passed it", source.ModuleContext{Called: true}, "m/default.json"},
	} {
		if got, want := Includes(files, c.ctx), []string{filepath.FromSlash(c.want)}; !slices.Equal(got, want) {
			t.Errorf("%s: Includes = %q, want %q", c.name, got, want)
		}
	}
}
