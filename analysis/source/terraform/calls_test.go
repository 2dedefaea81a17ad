package terraform

import (
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// A module's calls of child modules below its folder give each child the
// arguments the caller decides and the account of the provider passed;
// remote sources and folders above are not followed; a child called twice
// keeps what both calls decide alike; an argument the caller passes and
// the reader cannot decide, or that two calls decide differently, is
// unknown (a placeholder), not the child's default.
func TestCallsOfChildModules(t *testing.T) {
	files := map[string][]byte{"root/main.tf": []byte(`
provider "aws" { allowed_account_ids = ["444455556666"] }
provider "aws" {
  alias               = "partner"
  allowed_account_ids = ["111122223333"]
}
variable "env" { default = "prod" }
resource "aws_s3_bucket" "logs" { bucket = "logs-${var.env}" }
module "bucket" {
  source      = "./modules/bucket"
  bucket_name = "data-${var.env}"
  logs        = aws_s3_bucket.logs.id
  unknown     = var.nothing
  count       = 1
}
module "reader" {
  source    = "./modules/reader"
  providers = { aws = aws.partner }
  role_name = "jane"
}
module "reader_again" {
  source    = "./modules/reader/"
  providers = { aws = aws.partner }
  role_name = "joe"
}
module "remote" {
  source = "terraform-aws-modules/s3-bucket/aws"
  bucket = "x"
}
module "sibling" {
  source = "../other"
}
`)}
	got := Calls(files, source.ModuleContext{})
	bucket := got[filepath.FromSlash("root/modules/bucket")]
	if len(got) != 2 || bucket.Account != "444455556666" || len(bucket.Inputs) != 3 || !bucket.Called ||
		bucket.Inputs["bucket_name"] != "data-prod" || bucket.Inputs["logs"] != "logs-prod" ||
		bucket.Inputs["unknown"] != "${var.unknown}" {
		t.Errorf("calls %+v", got)
	}
	reader := got[filepath.FromSlash("root/modules/reader")]
	if reader.Account != "111122223333" || len(reader.Inputs) != 1 || reader.Inputs["role_name"] != "${var.role_name}" || !reader.Called {
		t.Errorf("the reader called twice with two role names: %+v", reader)
	}
	if Calls(map[string][]byte{"m/main.tf": []byte(`resource "aws_s3_bucket" "b" {}`)}, source.ModuleContext{}) != nil {
		t.Error("a module that calls none")
	}
}

// A child's variables take the values its caller gives, before their
// defaults, and its resources the caller's account.
func TestChildReadWithItsInputs(t *testing.T) {
	files := map[string][]byte{"m/main.tf": []byte(`
variable "bucket_name" { default = "default-name" }
resource "aws_s3_bucket" "this" { bucket = var.bucket_name }
resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.this.arn}/*" }] })
}
`)}
	res := readModule(files, source.ModuleContext{Account: "444455556666", Inputs: map[string]string{"bucket_name": "shared-data"}})["m/main.tf"]
	if len(res.Buckets) != 1 || res.Buckets[0].Name != "shared-data" || res.Buckets[0].Account != "444455556666" {
		t.Fatalf("buckets %+v", res.Buckets)
	}
	if d := res.Docs[0]; d.Facts == nil || d.Facts.Bucket != "shared-data" || oneLine(d.Text) != `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}` {
		t.Errorf("bucket policy %+v\n%s", d.Facts, d.Text)
	}
}

// The byte scan finds module blocks in HCL and JSON, not path.module.
func TestCallsModuleScan(t *testing.T) {
	for text, want := range map[string]bool{
		`module "x" { source = "./x" }`:          true,
		`module  "x" { source = "./x" }`:         true,
		`module "x" { source = "../x" }`:         false,
		`{"module": {"x": {"source": "./x"}}}`:   true,
		`policy = file("${path.module}/p.json")`: false,
		`# the module's bucket` + "\n" + `x = 1`: false,
		`module`:                                 false,
	} {
		if got := callsModule([]byte(text)); got != want {
			t.Errorf("callsModule(%q) = %v", text, got)
		}
	}
}

// A root module's call argument reads the value terraform.tfvars gives its
// variable; a called module's, the input its own caller gives it, never
// the variable files of its folder nor its default (review N7).
func TestCallsDecideArgumentsAsTheCallerIsRead(t *testing.T) {
	files := map[string][]byte{
		"m/main.tf": []byte(`
variable "bucket" { default = "from-default" }
module "child" {
  source = "./child"
  bucket = var.bucket
}
`),
		"m/terraform.tfvars": []byte(`bucket = "from-tfvars"`),
	}
	child := filepath.FromSlash("m/child")
	for _, c := range []struct {
		name string
		ctx  source.ModuleContext
		want string
	}{
		{"the root module", source.ModuleContext{}, "from-tfvars"},
		{"a called module, passed the variable", source.ModuleContext{Called: true, Inputs: map[string]string{"bucket": "from-caller"}}, "from-caller"},
		{"a called module, not passed it", source.ModuleContext{Called: true}, "from-default"},
	} {
		if got := Calls(files, c.ctx)[child].Inputs["bucket"]; got != c.want {
			t.Errorf("%s: the child's bucket is %q, want %q", c.name, got, c.want)
		}
	}
}
