package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// childModulesTfvars is examples/terraform/child-modules with the root
// passing Jane's module its bucket from var.reader_bucket (default def)
// and terraform.tfvars setting it (review N7).
func childModulesTfvars(t *testing.T, def, tfvars string) map[string]string {
	t.Helper()
	files := map[string]string{"terraform.tfvars": tfvars}
	root := filepath.Join("..", "..", "examples", "terraform", "child-modules")
	for _, p := range []string{"main.tf", "providers.tf", "modules/bucket/main.tf", "modules/reader/main.tf"} {
		text, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		files[p] = string(text)
	}
	main := strings.Replace(files["main.tf"], `bucket_name = "shared-data-archive"`, `bucket_name = var.reader_bucket`, 1)
	if main == files["main.tf"] {
		t.Fatal("examples/terraform/child-modules/main.tf no longer passes the reader its bucket as a literal")
	}
	files["main.tf"] = "variable \"reader_bucket\" {\n  default = \"" + def + "\"\n}\n" + main
	return files
}

const childDeniedMessage = `s3:GetObject on shared-data/*, which the bucket policy grants, is denied. Identity policies: statement "ReadObjects" of modules/reader/main.tf#data.aws_iam_policy_document.read allows s3:GetObject, but not on arn:aws:s3:::shared-data/*`

// A root module's argument to a child module that reads a variable
// terraform.tfvars sets gives the child the file's value, as Terraform
// deploys it, not the variable's default: no error where the file names
// the granted bucket, the error where it names another, and none where
// it writes an expression (unknown, not the default).
func TestCheckPassesTheTfvarsValueToAChildModule(t *testing.T) {
	denied := "modules/reader/main.tf:25:1: error missing-resource-arn: " + childDeniedMessage + ` [identity]
modules/bucket/main.tf:22:29: note: the bucket policy grants s3:GetObject on arn:aws:s3:::shared-data/* to arn:aws:iam::111122223333:root here
`
	for _, c := range []struct {
		name, def, tfvars, want string
		code                    int
	}{
		{"the default denies, terraform.tfvars grants", "shared-data-archive", `reader_bucket = "shared-data"`, "", exitOK},
		{"the default grants, terraform.tfvars denies", "shared-data", `reader_bucket = "shared-data-archive"`, denied, exitFindings},
		{"the default denies, terraform.tfvars sets what check cannot read", "shared-data-archive", `reader_bucket = lower("SHARED-DATA")`, "", exitOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, childModulesTfvars(t, c.def, c.tfvars))
			out, errOut, code := runCLI(t, dir, "check", ".")
			if code != c.code || out != c.want || !strings.HasPrefix(errOut, "files checked: ") {
				t.Errorf("exit %d, output\n%s\nwant\n%s\nstderr %s", code, out, c.want, errOut)
			}
		})
	}
}

// A grandchild gets the tfvars value through the child's input it is
// passed on as, and the child's own terraform.tfvars is not read: the
// child is not the root module.
func TestCheckPassesTheTfvarsValueToAGrandchildModule(t *testing.T) {
	files := childModulesTfvars(t, "shared-data", `reader_bucket = "shared-data-archive"`)
	files["main.tf"] = strings.Replace(files["main.tf"], `"./modules/reader"`, `"./modules/mid"`, 1)
	files["modules/mid/reader/main.tf"] = files["modules/reader/main.tf"]
	delete(files, "modules/reader/main.tf")
	files["modules/mid/main.tf"] = `provider "aws" {
  allowed_account_ids = ["111122223333"]
}
variable "role_name" {}
variable "bucket_name" {
  default = "shared-data"
}
module "reader" {
  source      = "./reader"
  role_name   = var.role_name
  bucket_name = var.bucket_name
}
`
	files["modules/mid/terraform.tfvars"] = `bucket_name = "shared-data"`
	want := "modules/mid/reader/main.tf:25:1: error missing-resource-arn: " +
		strings.ReplaceAll(childDeniedMessage, "modules/reader/", "modules/mid/reader/") + ` [identity]
modules/bucket/main.tf:22:29: note: the bucket policy grants s3:GetObject on arn:aws:s3:::shared-data/* to arn:aws:iam::111122223333:root here
`
	dir := t.TempDir()
	writeTree(t, dir, files)
	out, errOut, code := runCLI(t, dir, "check", ".")
	if code != exitFindings || out != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s\nstderr %s", code, out, want, errOut)
	}
}

// The server reads the child module again with its caller's new argument
// when the root's terraform.tfvars changes on disk or in a buffer: the
// child's error comes and goes with the file.
func TestServerRereadsAChildModuleWhenTheRootsTfvarsChanges(t *testing.T) {
	c, ctx, dir := serveTree(t, childModulesTfvars(t, "shared-data", `reader_bucket = "shared-data-archive"`))
	tfvarsPath := filepath.Join(dir, "terraform.tfvars")
	readerURI := "file://" + filepath.ToSlash(filepath.Join(dir, "modules", "reader", "main.tf"))
	tfvarsURI := "file://" + filepath.ToSlash(tfvarsPath)
	denied := []lspclient.Diagnostic{{Range: lspRange(24, 0, 30, 1), Severity: 1, Code: "missing-resource-arn", Message: childDeniedMessage}}
	next := nextPublication(t, ctx, c, readerURI)
	next("the first scan: terraform.tfvars names shared-data-archive", denied)
	changeOnDisk(t, c, tfvarsPath, `reader_bucket = "shared-data"`)
	next("terraform.tfvars changed on disk to shared-data", nil)
	if err := c.Open(tfvarsURI, 1, `reader_bucket = "shared-data-archive"`); err != nil {
		t.Fatal(err)
	}
	next("terraform.tfvars opened with shared-data-archive in the buffer", denied)
	if err := c.Change(tfvarsURI, 2, `reader_bucket = "shared-data"`); err != nil {
		t.Fatal(err)
	}
	next("the buffer edited to shared-data", nil)
}

// changeOnDisk writes text to the file at path and tells the server, as
// its file watcher does, that the file changed.
func changeOnDisk(t *testing.T, c *lspclient.Client, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	uri := "file://" + filepath.ToSlash(path)
	if err := c.Notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": uri, "type": 2}}}); err != nil {
		t.Fatal(err)
	}
}
