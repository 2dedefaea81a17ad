package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// policyFilesTfvars is examples/terraform/policy-files with the bucket
// policy's file() path built from var.pf (default policies/bucket.json),
// policies/other.json a second bucket policy, and terraform.tfvars setting
// pf to tfvars (review N8).
func policyFilesTfvars(t *testing.T, tfvars string) map[string]string {
	t.Helper()
	files := map[string]string{"terraform.tfvars": tfvars}
	root := filepath.Join("..", "..", "examples", "terraform", "policy-files")
	for _, p := range []string{"bucket.tf", "partner.tf", "providers.tf", "policies/bucket.json", "policies/jane.json", "policies/key.json.tftpl"} {
		text, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		files[p] = string(text)
	}
	bucket := strings.Replace(files["bucket.tf"], `file("${path.module}/policies/bucket.json")`, `file("${path.module}/${var.pf}")`, 1)
	if bucket == files["bucket.tf"] {
		t.Fatal("examples/terraform/policy-files/bucket.tf no longer reads policies/bucket.json with file()")
	}
	files["bucket.tf"] = "variable \"pf\" {\n  default = \"policies/bucket.json\"\n}\n" + bucket
	files["policies/other.json"] = files["policies/bucket.json"]
	return files
}

// A file() path built from a variable terraform.tfvars sets is the file
// the tfvars value names: that file is the module's bucket policy, and the
// default's is read alone, by its content.
func TestListReadsTheFileTheTfvarsPathNames(t *testing.T) {
	for _, c := range []struct{ tfvars, module, alone string }{
		{`pf = "policies/other.json"`, "other.json", "bucket.json"},
		{`pf = "policies/bucket.json"`, "bucket.json", "other.json"},
	} {
		t.Run(c.tfvars, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, policyFilesTfvars(t, c.tfvars))
			out, errOut, code := runCLI(t, dir, "list", ".")
			want := "policies/" + c.module + ":1:1: bucket (aws_s3_bucket_policy.shared.policy in bucket.tf)"
			if code != exitOK || !strings.Contains(out, want+"\n") || !strings.Contains(out, "policies/"+c.alone+":1:1: bucket\n") {
				t.Errorf("exit %d, list\n%s\nwant %s and %s read alone\nstderr %s", code, out, want, c.alone, errOut)
			}
		})
	}
}

// The server reads the file the root's terraform.tfvars names as the
// module's bucket policy when the file changes, and the other one alone:
// the object-ownership information of a bucket policy read alone (without
// the module's BucketOwnerEnforced) moves between the two files.
func TestServerFollowsATfvarsSetFilePath(t *testing.T) {
	c, ctx, dir := serveTree(t, policyFilesTfvars(t, `pf = "policies/other.json"`))
	tfvarsPath := filepath.Join(dir, "terraform.tfvars")
	bucketURI := "file://" + filepath.ToSlash(filepath.Join(dir, "policies", "bucket.json"))
	tfvarsURI := "file://" + filepath.ToSlash(tfvarsPath)
	alone := []lspclient.Diagnostic{{Range: lspRange(13, 27, 13, 59), Severity: 3, Code: "object-ownership",
		Message: "arn:aws:iam::111122223333:root may upload; unless the bucket's Object Ownership is BucketOwnerEnforced, its objects stay owned by it and this bucket policy does not apply to them"}}
	next := nextPublication(t, ctx, c, bucketURI)
	nextOther := nextPublication(t, ctx, c, strings.Replace(bucketURI, "bucket.json", "other.json", 1))
	next("the first scan: terraform.tfvars names other.json", alone)
	nextOther("the first scan: other.json is the module's", nil)
	changeOnDisk(t, c, tfvarsPath, `pf = "policies/bucket.json"`)
	next("terraform.tfvars changed on disk to bucket.json", nil)
	nextOther("terraform.tfvars changed on disk to bucket.json: other.json read alone", alone)
	if err := c.Open(tfvarsURI, 1, `pf = "policies/other.json"`); err != nil {
		t.Fatal(err)
	}
	next("terraform.tfvars opened with other.json in the buffer", alone)
	nextOther("terraform.tfvars opened with other.json in the buffer: the module's again", nil)
}
