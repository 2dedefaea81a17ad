package lsp_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// scannedBucketAndBusyIdentity scans a governed folder of 40 policies
// and returns the client, a bucket policy with findings after the scan
// (URI and text), and an identity policy it opened (version 1), whose
// edits keep the front busy (URI and text).
func scannedBucketAndBusyIdentity(t *testing.T) (c *client, u, text, busy, busyText string) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 40)
	if err != nil {
		t.Fatal(err)
	}
	c = startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	waitScanEnd(c)
	name := filepath.FromSlash(layout.Bucket)
	u = fileURI(dir, name)
	if got := c.published(u); len(got) == 0 || len(got[len(got)-1].Diagnostics) == 0 {
		t.Fatalf("%s has no findings after the scan: the test shows nothing", name)
	}
	text = readText(t, filepath.Join(dir, name))
	identity := filepath.FromSlash(layout.Identity)
	busy, busyText = fileURI(dir, identity), readText(t, filepath.Join(dir, identity))
	c.open(busy, busyText, 1)
	return c, u, text, busy, busyText
}

// TestAFileOpenedAndClosedAtOnceGetsItsFindingsBack opens a closed file
// with findings and closes it in the same round, as an editor closing a
// tab it has just opened (a peek, "close all"). The close publishes []
// for it; the server then owes the file's findings as a closed file.
// Before, it kept the hash of the findings the client had before the open
// and, finding the same ones, published nothing: the client was left with
// [] (found in review, on a governed folder).
func TestAFileOpenedAndClosedAtOnceGetsItsFindingsBack(t *testing.T) {
	c, u, text, busy, busyText := scannedBucketAndBusyIdentity(t)
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

// TestAFileClosedAndOpenedAgainAtOnceGetsItsFindingsAgain closes an open
// file with findings and opens it again, with the same text and version,
// in the same round, as Neovim does when :edit reloads a buffer: it drops
// the buffer's diagnostics, then sends didClose and didOpen (version 0,
// as on every didOpen of 0.7). The client has none for the file now; the
// server owes it the findings. Before, the round saw the file open, so
// published no [] for the close, and then skipped the findings as those
// the client had: the Neovim e2e test waited in vain for
// kms-missing-actions on the key policy it had just edited again (one run
// in a few dozen on a loaded machine).
func TestAFileClosedAndOpenedAgainAtOnceGetsItsFindingsAgain(t *testing.T) {
	c, u, text, busy, busyText := scannedBucketAndBusyIdentity(t)
	c.open(u, text, 0)
	want := c.waitDiagnostics(u, nonEmpty).Diagnostics
	for i := range 5 {
		before := len(c.published(u))
		// An edit elsewhere keeps the front busy, so that the close and
		// the open come in one round.
		c.change(busy, busyText+" ", 2*i+2)
		c.close(u)
		c.open(u, text, 0)
		c.change(busy, busyText, 2*i+3)
		// A [] for the close may come first; the findings must follow.
		n := 0
		var got protocol.PublishDiagnosticsParams
		c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
			var p protocol.PublishDiagnosticsParams
			if json.Unmarshal(raw, &p) != nil || string(p.URI) != u {
				return false
			}
			n++
			got = p
			return n > before && len(p.Diagnostics) > 0
		})
		if !reflect.DeepEqual(got.Diagnostics, want) {
			t.Fatalf("round %d: the findings published again differ from the first ones:\n%v\nwant\n%v", i, got.Diagnostics, want)
		}
	}
}
