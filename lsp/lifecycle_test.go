package lsp_test

import (
	"slices"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A document opened between initialize and initialized, before the scan
// has begun, waits for its set as one opened during the scan does: its
// first diagnostics hold the set's findings (jane's identity policy lacks
// nothing but what the key policy of her folder denies), published once,
// not first alone (no finding) and then again with the set. The hover
// answers once the document is analysed (a feature waits for its
// version's analysis): analysed alone, before initialized is sent.
func TestOpenedBeforeInitializedIsPublishedOnceWithItsSet(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := start(t, lsp.Options{})
	var result protocol.InitializeResult
	c.call(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}}, &result)
	janeURI := fileURI(dir, "jane.iam-policy.json")
	janeText := readText(t, dir+"/jane.iam-policy.json")
	c.open(janeURI, janeText, 1)
	var hover any
	c.call(protocol.MethodTextDocumentHover, map[string]any{"textDocument": map[string]any{"uri": janeURI}, "position": position(6, 10)}, &hover)
	c.notify(protocol.MethodInitialized, map[string]any{})

	jane := c.waitDiagnostics(janeURI, func(protocol.PublishDiagnosticsParams) bool { return true })
	want := []protocol.Range{rangeOf(t, janeText, `"s3:GetObject"`), rangeOf(t, janeText, `"s3:PutObject"`)}
	if got := codes(jane.Diagnostics); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) ||
		jane.Diagnostics[0].Range != want[0] || jane.Diagnostics[1].Range != want[1] || jane.Version != 1 {
		t.Errorf("jane's first diagnostics: version %d %v %+v, want kms-missing-actions at %v", jane.Version, got, jane.Diagnostics, want)
	}
	waitScanEnd(c)
	if got := c.published(janeURI); len(got) != 1 {
		t.Errorf("jane published %d times, want once: %+v", len(got), got)
	}
}
