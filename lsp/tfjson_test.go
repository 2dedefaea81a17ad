package lsp_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// A module written in Terraform's JSON syntax is one set: the scan
// publishes the key policy's cross-account cause inside its escaped JSON
// string, the quick fix adds the partner's statement there escaped, and
// the edited buffer clears the role policy's finding in the other file.
func TestTerraformJSONModuleFix(t *testing.T) {
	dir := copyTerraformExample(t, "json-syntax", "bucket.tf.json", "partner.tf.json")
	c := startFolder(t, dir, nil)
	bucket, partner := fileURI(dir, "bucket.tf.json"), fileURI(dir, "partner.tf.json")
	bucketText := readText(t, filepath.Join(dir, "bucket.tf.json"))
	partnerText := readText(t, filepath.Join(dir, "partner.tf.json"))
	c.waitDiagnostics(bucket, nonEmpty)
	c.open(bucket, bucketText, 1) // code actions are the open buffer's
	d := c.waitDiagnostics(bucket, nonEmpty).Diagnostics
	if got := codes(d); !slices.Equal(got, []string{"kms-missing-actions"}) {
		t.Fatalf("bucket.tf.json: codes %v", got)
	}
	// The key policy's Resource, inside the escaped string: \"*\".
	if want := rangeOf(t, bucketText, `\"*\"}]}"`); d[0].Range.Start != want.Start {
		t.Errorf("diagnostic at %+v, want %+v", d[0].Range, want)
	}
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": bucket},
		"range":        map[string]any{"start": d[0].Range.Start, "end": d[0].Range.Start},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &actions)
	var fix *protocol.CodeAction
	for i := range actions {
		if actions[i].Edit != nil && len(actions[i].Diagnostics) > 0 && actions[i].Diagnostics[0].Code == "kms-missing-actions" {
			fix = &actions[i]
			break
		}
	}
	if fix == nil {
		t.Fatalf("no kms-missing-actions fix among %+v", actions)
	}
	fixed := applyUTF16(t, bucketText, fix.Edit.Changes[protocol.DocumentURI(bucket)])
	want := `\"Action\": \"kms:*\", \"Resource\": \"*\"}, {\"Sid\": \"AllowS3UseJane\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}"`
	if !strings.Contains(fixed, want) {
		t.Errorf("fixed buffer:\n%s\nwant it to hold\n%s", fixed, want)
	}
	c.change(bucket, fixed, 2)
	c.open(partner, partnerText, 1)
	c.waitDiagnostics(partner, func(p protocol.PublishDiagnosticsParams) bool {
		return !slices.Contains(codes(p.Diagnostics), "kms-missing-actions")
	})
}
