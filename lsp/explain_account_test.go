package lsp_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// R19: s3policy.explain on a bucket whose account nobody gives says so,
// with the decision in the caller's account and in another, as explain
// does; the request's resourceAccount decides.
func TestExplainCommandBucketAccountUnknown(t *testing.T) {
	dir := t.TempDir()
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}`
	if err := os.WriteFile(filepath.Join(dir, "other-bucket.bucket-policy.json"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startFolder(t, dir, nil)
	type answer struct {
		Decision string
		Causes   []struct{ Code, Layer, Message string }
	}
	request := map[string]any{"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::other-bucket/x"}
	var got answer
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": lsp.ExplainCommand, "arguments": []any{request}}, &got)
	want := `nobody says which account owns bucket other-bucket: in 111122223333, the caller's account, the request is Allowed; in another account, ImplicitlyDenied (blocked by identity). Give the bucket's account to decide (--resource-account, "resourceAccount" in the request, or "account" under the bucket in .s3policy.json)`
	if got.Decision != "AllowedIf" || len(got.Causes) != 2 || got.Causes[0].Code != "bucket-account-unknown" || got.Causes[0].Message != want || got.Causes[1].Layer != "identity" {
		t.Errorf("answer %+v", got)
	}
	request["resourceAccount"] = "111122223333"
	got = answer{}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": lsp.ExplainCommand, "arguments": []any{request}}, &got)
	if got.Decision != "Allowed" || len(got.Causes) != 0 {
		t.Errorf("with resourceAccount: %+v, want Allowed", got)
	}
}
