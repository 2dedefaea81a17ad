package lsp_test

import (
	"path/filepath"
	"slices"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// N11: in a folder whose endpoint policy blocks Jane's reads, her lenses
// on the bucket policy ask through the account's endpoint, as check does
// (✗ VPC endpoint policy); s3policy.explain asked with no aws:SourceVpce
// answers through no endpoint and says what the endpoint decides, as
// explain does.
func TestExplainCommandSaysTheFoldersEndpoint(t *testing.T) {
	dir := copyExample(t, "endpoint-policy")
	c := startFolder(t, dir, nil)
	bucketURI := fileURI(dir, "bucket.bucket-policy.json")
	c.open(bucketURI, readText(t, filepath.Join(dir, "bucket.bucket-policy.json")), 1)
	c.waitDiagnostics(fileURI(dir, "jane.iam-policy.json"), nonEmpty)
	var titles []string
	lenses := codeLenses(t, c, bucketURI)
	for _, l := range lenses {
		titles = append(titles, l.Command.Title)
	}
	if want := []string{"jane: GetObject ✗ VPC endpoint policy", "jane: PutObject ✗ VPC endpoint policy"}; !slices.Equal(titles, want) {
		t.Fatalf("lenses %q, want %q", titles, want)
	}
	type answer struct {
		Decision string
		Causes   []struct{ Code, Layer, Policy, Message string }
	}
	var got answer
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments}, &got)
	if got.Decision != "ImplicitlyDenied" || len(got.Causes) != 1 || got.Causes[0].Code != "endpoint-policy-blocks" {
		t.Errorf("the lens's answer: %+v", got)
	}
	request := map[string]any{"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared-data/x"}
	got = answer{}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": lsp.ExplainCommand, "arguments": []any{request}}, &got)
	want := `the request gives no aws:SourceVpce and was decided through no VPC endpoint; through vpce-0abc1234 (endpoint.endpoint-policy.json) it is ImplicitlyDenied (blocked by endpoint): VPC endpoint policy: statement "CorpBucketsOnly" of endpoint.endpoint-policy.json allows s3:GetObject, but not on arn:aws:s3:::shared-data/x (to ask through it: --context aws:SourceVpce=vpce-0abc1234, or "context": {"aws:SourceVpce": ["vpce-0abc1234"]} in the request)`
	if got.Decision != "Allowed" || len(got.Causes) != 1 || got.Causes[0].Code != "through-endpoint" || got.Causes[0].Layer != "endpoint" ||
		got.Causes[0].Policy != "endpoint.endpoint-policy.json" || got.Causes[0].Message != want {
		t.Errorf("with no aws:SourceVpce: %+v", got)
	}
}
