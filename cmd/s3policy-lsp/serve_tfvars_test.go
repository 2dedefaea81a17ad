package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// The server reads a root module again when its terraform.tfvars changes
// on disk or in an editor buffer, and publishes the module's findings
// with the value the file gives: main.tf's error comes and goes with it.
func TestServerRereadsTheModuleWhenTerraformTfvarsChanges(t *testing.T) {
	c, ctx, dir := serveTree(t, tfvarsModule("shared-data", `bucket = "other-bucket"`))
	tfvarsPath := filepath.Join(dir, "terraform.tfvars")
	mainURI := "file://" + filepath.ToSlash(filepath.Join(dir, "main.tf"))
	tfvarsURI := "file://" + filepath.ToSlash(tfvarsPath)
	denied := []lspclient.Diagnostic{{Range: lspRange(8, 4, 8, 13), Severity: 1, Code: "missing-resource-arn",
		Message: `s3:GetObject on shared-data/home/jane/*, which the bucket policy grants, is denied. Identity policies: statement "Read" of main.tf#aws_iam_user_policy.u allows s3:GetObject, but not on arn:aws:s3:::shared-data/home/jane/*`}}
	next := nextPublication(t, ctx, c, mainURI)
	next("the first scan: terraform.tfvars names other-bucket", denied)
	if err := os.WriteFile(tfvarsPath, []byte(`bucket = "shared-data"`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": tfvarsURI, "type": 2}}}); err != nil {
		t.Fatal(err)
	}
	next("terraform.tfvars changed on disk to shared-data", nil)
	if err := c.Open(tfvarsURI, 1, `bucket = "other-bucket"`); err != nil {
		t.Fatal(err)
	}
	next("terraform.tfvars opened with other-bucket in the buffer", denied)
	if err := c.Change(tfvarsURI, 2, `bucket = "shared-data"`); err != nil {
		t.Fatal(err)
	}
	next("the buffer edited to shared-data", nil)
}

// serveTree writes files into a new folder and starts the server over
// stdio on it, initialized, with a minute for the test's waits.
func serveTree(t *testing.T, files map[string]string) (*lspclient.Client, context.Context, string) {
	t.Helper()
	bin := buildBinary(t)
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	writeTree(t, dir, files)
	c := startBinary(t, bin, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	if err := c.InitializeWithProgress(ctx, "file://"+filepath.ToSlash(dir)); err != nil {
		t.Fatal(err)
	}
	return c, ctx, dir
}
