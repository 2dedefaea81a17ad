package lsp_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// TestAFileOpenedAndClosedAtOnceGetsItsFindingsBack opens a closed file
// with findings and closes it in the same round, as an editor closing a
// tab it has just opened (a peek, "close all"). The close publishes []
// for it; the server then owes the file's findings as a closed file.
// Before, it kept the hash of the findings the client had before the open
// and, finding the same ones, published nothing: the client was left with
// [] (found in review, on a governed folder).
func TestAFileOpenedAndClosedAtOnceGetsItsFindingsBack(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 40)
	if err != nil {
		t.Fatal(err)
	}
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	waitScanEnd(c)
	name := filepath.FromSlash(layout.Bucket)
	u := fileURI(dir, name)
	if got := c.published(u); len(got) == 0 || len(got[len(got)-1].Diagnostics) == 0 {
		t.Fatalf("%s has no findings after the scan: the test shows nothing", name)
	}
	text := readText(t, filepath.Join(dir, name))
	busy := fileURI(dir, filepath.FromSlash(layout.Identity))
	busyText := readText(t, filepath.Join(dir, filepath.FromSlash(layout.Identity)))
	c.open(busy, busyText, 1)
	for i := range 5 {
		before := len(c.published(u))
		// An edit elsewhere keeps the front busy, so that the open and the
		// close come in one round.
		c.change(busy, busyText+" ", 2*i+2)
		c.open(u, text, 1)
		c.close(u)
		c.change(busy, busyText, 2*i+3)
		// The first [] after them is the close's; the findings must follow.
		n, cleared := 0, false
		c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
			var p protocol.PublishDiagnosticsParams
			if json.Unmarshal(raw, &p) != nil || string(p.URI) != u {
				return false
			}
			n++
			if n <= before {
				return false
			}
			if len(p.Diagnostics) == 0 {
				cleared = true
				return false
			}
			return cleared
		})
	}
}
