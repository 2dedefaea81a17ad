package lsp_test

import (
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// s3policy.explainError answers a pasted AccessDenied message as
// `explain --error --format json` does, with each cause linked to its
// policy; a message that lacks the bucket gets an error that says which
// flag-like field to give.
func TestExplainErrorCommand(t *testing.T) {
	nested := copyExample(t, "kms-key-policy")
	c := startFolder(t, filepath.Dir(nested), nil)
	var answer struct {
		AWS       struct{ Action, Layer string }
		Agreement string
		Verdict   string
		Requests  []struct {
			Action, Resource, Decision string
			Causes                     []struct {
				Code, Policy, URI string
				Line              int
			}
		}
	}
	msg := "An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: kms:GenerateDataKey on this resource because no resource-based policy allows the kms:GenerateDataKey action"
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command":   lsp.ExplainErrorCommand,
		"arguments": []any{map[string]any{"message": msg, "resource": "arn:aws:s3:::shared-data/x"}},
	}, &answer)
	if answer.Agreement != "agrees" || answer.AWS.Action != "kms:GenerateDataKey" || answer.AWS.Layer != "resource" || len(answer.Requests) != 1 {
		t.Fatalf("answer %+v", answer)
	}
	r := answer.Requests[0]
	if r.Action != "s3:PutObject" || r.Decision != "ImplicitlyDenied" || len(r.Causes) != 1 ||
		r.Causes[0].Code != "kms-missing-actions" || r.Causes[0].Line != 4 || r.Causes[0].URI != fileURI(nested, "key.key-policy.json") {
		t.Errorf("request %+v", r)
	}
	if !strings.HasPrefix(answer.Verdict, "AWS says no resource-based policy allows it; ") {
		t.Errorf("verdict %s", answer.Verdict)
	}
	err := c.callErr(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command":   lsp.ExplainErrorCommand,
		"arguments": []any{"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"},
	}, &answer)
	want := "s3policy.explainError: the message does not say who called (--principal ARN; `aws sts get-caller-identity` prints it), nor the bucket (--bucket NAME, or --resource ARN), nor the object's key (--key KEY, or --resource arn:aws:s3:::BUCKET/KEY): give it with the flag"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}

// R3: a message that blames a VPC endpoint policy, which names no
// endpoint, is explained through the folder's one endpoint; the
// argument's "context" gives another.
func TestExplainErrorCommandThroughTheEndpoint(t *testing.T) {
	nested := copyExample(t, "endpoint-policy")
	c := startFolder(t, filepath.Dir(nested), nil)
	msg := `User: arn:aws:iam::111122223333:user/jane is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::shared-data/report.csv" because no VPC endpoint policy allows the s3:GetObject action`
	type answer struct {
		Agreement, Verdict string
		Requests           []struct{ Decision string }
	}
	var got answer
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command": lsp.ExplainErrorCommand, "arguments": []any{map[string]any{"message": msg}},
	}, &got)
	if got.Agreement != "agrees" || len(got.Requests) != 1 || got.Requests[0].Decision != "ImplicitlyDenied" ||
		!strings.HasSuffix(got.Verdict, "the folder's only one, vpce-0abc1234, was taken (--context aws:SourceVpce=ID)") {
		t.Errorf("answer %+v", got)
	}
	got = answer{}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command": lsp.ExplainErrorCommand, "arguments": []any{map[string]any{"message": msg, "context": map[string]any{"aws:SourceVpce": "vpce-elsewhere"}}},
	}, &got)
	if got.Agreement != "differs" || len(got.Requests) != 1 || got.Requests[0].Decision != "Allowed" {
		t.Errorf("through another endpoint: %+v", got)
	}
}

// R17: the field to give is asked for in the editor's language.
func TestExplainErrorCommandAsksInJapanese(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(t.TempDir())), "locale": "ja"})
	var answer any
	err := c.callErr(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command":   lsp.ExplainErrorCommand,
		"arguments": []any{"An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"},
	}, &answer)
	want := "s3policy.explainError: メッセージに呼び出し元 (--principal ARN。`aws sts get-caller-identity` が表示します)、バケット (--bucket NAME、または --resource ARN)がありません。フラグで指定してください"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}
