package lsp_test

import (
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// A file the scan analysed, then opened: the SCP's exemption fix names
// its statement as the file's first analysis does, NoSharedDataRestJane.
// The scan's analysis and the open buffer's read the same policy's Sids,
// and the fix written by the first marked its own Sid taken in them, so
// the editor was offered NoSharedDataRestJane2.
func TestAFileTheScanAnalysedOffersTheFixAsAFirstAnalysisWritesIt(t *testing.T) {
	dir := copyExample(t, "scp-deny")
	c := startFolder(t, dir, nil)
	scp := fileURI(dir, "scp.scp.json")
	text := readText(t, filepath.Join(dir, "scp.scp.json"))
	c.waitDiagnostics(scp, nonEmpty)
	c.open(scp, text, 1) // code actions are the open buffer's
	var jane *protocol.Diagnostic
	for _, d := range c.waitDiagnostics(scp, nonEmpty).Diagnostics {
		if d.Code == "scp-denies-s3" && strings.Contains(d.Message, "of jane") {
			jane = &d
		}
	}
	if jane == nil {
		t.Fatal("no scp-denies-s3 finding of jane")
	}
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": scp},
		"range":        jane.Range,
		"context":      map[string]any{"diagnostics": []any{jane}},
	}, &actions)
	for _, a := range actions {
		if !strings.HasPrefix(a.Title, "Exempt jane") {
			continue
		}
		fixed := applyUTF16(t, text, a.Edit.Changes[protocol.DocumentURI(scp)])
		if !strings.Contains(fixed, `"Sid": "NoSharedDataRestJane",`) {
			t.Errorf("fixed buffer:\n%s\nwant the statement NoSharedDataRestJane", fixed)
		}
		return
	}
	t.Fatalf("no exemption among %+v", actions)
}
