package lsp_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A document opened while the first scan has yet to load the Terraform
// module that reads it gets its first diagnostics with the module: the
// module's bucket facts (BucketOwnerEnforced) take object-ownership away
// from its bucket policy, and its key policy gives jane's identity policy
// kms-missing-actions; analysed alone it would have the one and not the
// other. A document in no set is published at once, while the scan is
// held. The scan is held by its hook just before it hands the module's
// sets over (no sleep: the test waits on what the server publishes).
func TestOpenedDuringTheScanWaitsForItsSet(t *testing.T) {
	dir, module, release, c := heldAtTheModule(t, false)
	bucketText := readText(t, filepath.Join(module, "policies", "bucket.json"))
	janeText := readText(t, filepath.Join(module, "policies", "jane.json"))
	janeURI, bucketURI, looseURI := fileURI(module, "policies/jane.json"), fileURI(module, "policies/bucket.json"), fileURI(dir, "loose/bucket.json")
	c.open(janeURI, janeText, 1)
	c.open(bucketURI, bucketText, 1)
	c.open(looseURI, bucketText, 1)

	// The loose copy, in no set, is published while the scan is held,
	// with the finding a bucket policy has without the module's facts:
	// the principal of its second statement may upload.
	upload := strings.Index(bucketText, `"PartnerReadWrite"`)
	principal := rangeOf(t, bucketText[upload:], `"arn:aws:iam::111122223333:root"`)
	principal.Start.Line += uint32(strings.Count(bucketText[:upload], "\n"))
	principal.End.Line += uint32(strings.Count(bucketText[:upload], "\n"))
	loose := c.waitDiagnostics(looseURI, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 1 })
	if got := codes(loose.Diagnostics); len(got) != 1 || got[0] != "object-ownership" || loose.Diagnostics[0].Range != principal {
		t.Fatalf("the loose bucket policy: %v, want object-ownership at %v: %+v", got, principal, loose.Diagnostics)
	}
	if ended(c) {
		t.Fatal("the scan ended while held")
	}
	for _, u := range []string{janeURI, bucketURI} {
		if got := c.published(u); len(got) > 0 {
			t.Fatalf("%s published before its module was loaded: %+v", u, got)
		}
	}

	close(release)
	jane := c.waitDiagnostics(janeURI, func(protocol.PublishDiagnosticsParams) bool { return true })
	wantJane := []protocol.Range{rangeOf(t, janeText, `"s3:GetObject"`), rangeOf(t, janeText, `"s3:PutObject"`)}
	if got := codes(jane.Diagnostics); len(got) != 2 || got[0] != "kms-missing-actions" || got[1] != "kms-missing-actions" ||
		jane.Diagnostics[0].Range != wantJane[0] || jane.Diagnostics[1].Range != wantJane[1] || jane.Version != 1 {
		t.Errorf("jane's first diagnostics: version %d %v %+v, want kms-missing-actions at %v", jane.Version, got, jane.Diagnostics, wantJane)
	}
	bucket := c.waitDiagnostics(bucketURI, func(protocol.PublishDiagnosticsParams) bool { return true })
	if len(bucket.Diagnostics) != 0 || bucket.Version != 1 {
		t.Errorf("the module's bucket policy's first diagnostics: version %d %+v, want none (its bucket is BucketOwnerEnforced)", bucket.Version, bucket.Diagnostics)
	}
	waitScanEnd(c)
	for _, u := range []string{janeURI, bucketURI} {
		if got := c.published(u); len(got) != 1 {
			t.Errorf("%s published %d times, want once: %+v", u, len(got), got)
		}
	}
}

// ended reports whether the scan's progress has ended.
func ended(c *client) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.notes {
		if n.method == protocol.MethodProgress && strings.Contains(string(n.params), `"kind":"end"`) {
			return true
		}
	}
	return false
}

// A set that fails to load does not hold its documents for ever: they
// are published, analysed alone, when the scan ends.
func TestASetThatFailsToLoadReleasesItsDocuments(t *testing.T) {
	_, module, release, c := heldAtTheModule(t, true)
	janeURI := fileURI(module, "policies/jane.json")
	c.open(janeURI, readText(t, filepath.Join(module, "policies", "jane.json")), 1)
	close(release)
	waitScanEnd(c)
	jane := c.waitDiagnostics(janeURI, func(protocol.PublishDiagnosticsParams) bool { return true })
	if len(jane.Diagnostics) != 0 || jane.Version != 1 {
		t.Errorf("jane alone: version %d %+v, want no finding (nothing blocks it without the module's key policy)", jane.Version, jane.Diagnostics)
	}
}

// heldAtTheModule starts a server on a folder that holds a copy of the
// Terraform example policy-files (mod) and a copy of its bucket policy in
// no set (loose/bucket.json), and returns once the scan is held just
// before it hands over the module's sets, which it does once release is
// closed; or panics there, when fail is set.
func heldAtTheModule(t *testing.T, fail bool) (dir, module string, release chan struct{}, c *client) {
	t.Helper()
	dir = t.TempDir()
	module = filepath.Join(dir, "mod")
	if err := os.CopyFS(module, os.DirFS(filepath.Join("..", "examples", "terraform", "policy-files"))); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "loose"), 0o755); err != nil {
		t.Fatal(err)
	}
	bucketText := readText(t, filepath.Join(module, "policies", "bucket.json"))
	if err := os.WriteFile(filepath.Join(dir, "loose", "bucket.json"), []byte(bucketText), 0o644); err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{})
	release = make(chan struct{})
	var once sync.Once
	server := lsp.NewWithScanHook(lsp.Options{}, func(root string) {
		if root != module {
			return
		}
		once.Do(func() { close(reached) })
		select {
		case <-release:
		case <-time.After(timeout): // a failed test still lets the server stop
		}
		if fail {
			panic("the module fails to load")
		}
	})
	c = initialize(startServer(t, server), map[string]any{"rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})
	select {
	case <-reached:
	case <-time.After(timeout):
		t.Fatal("the scan never came to the module")
	}
	return dir, module, release, c
}
