package lsp_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// scanDone counts the calls of Options.ScanStarted and of the function
// it returns, and signals the first of those.
type scanDone struct {
	starts, calls atomic.Int32
	called        chan struct{}
}

func newScanDone() *scanDone { return &scanDone{called: make(chan struct{})} }

func (d *scanDone) start() func() {
	d.starts.Add(1)
	return func() {
		if d.calls.Add(1) == 1 {
			close(d.called)
		}
	}
}

// wait waits for the first call.
func (d *scanDone) wait(t *testing.T) {
	t.Helper()
	select {
	case <-d.called:
	case <-time.After(timeout):
		t.Fatal("the scan's end was not called")
	}
}

// endSession shuts the server down, waits for the scan's goroutine too,
// and checks that the scan's start and end were called exactly once in
// the session.
func (d *scanDone) endSession(t *testing.T, c *client, server *lsp.Server) {
	t.Helper()
	var none any
	c.call(protocol.MethodShutdown, nil, &none)
	c.notify(protocol.MethodExit, nil)
	c.waitExit()
	server.AwaitWorkers()
	if n := d.starts.Load(); n != 1 {
		t.Errorf("ScanStarted called %d times in the session, want once", n)
	}
	if n := d.calls.Load(); n != 1 {
		t.Errorf("the scan's end called %d times in the session, want once", n)
	}
}

// Options.ScanStarted is called as the first scan starts, and the
// function it returns once the scan is over, not while a set of the
// folder is still being read (the scan held before it loads the set),
// and once only: after the files are published and the progress ends.
func TestScanEndIsCalledOnceWhenTheScanEnds(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	done := newScanDone()
	loading, resume := make(chan struct{}, 1), make(chan struct{})
	server := lsp.NewWithScanHook(lsp.Options{ScanStarted: done.start}, func(string) {
		loading <- struct{}{}
		<-resume
	})
	c := initialize(startServer(t, server), map[string]any{"rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})
	select {
	case <-loading:
	case <-time.After(timeout):
		t.Fatal("the scan did not reach the folder's set")
	}
	if n := done.starts.Load(); n != 1 {
		t.Errorf("ScanStarted called %d times before the folder's set was loaded, want once", n)
	}
	if n := done.calls.Load(); n != 0 {
		t.Errorf("the scan's end called %d times before the folder's set was loaded, want none", n)
	}
	close(resume)
	done.wait(t)
	waitScanEnd(c)
	c.waitDiagnostics(fileURI(dir, "jane.iam-policy.json"), nonEmpty)
	done.endSession(t, c, server)
}

// The scan's start and end are called once for a workspace with no file, for a client
// that shows no progress, and for a scan that panics (a bug: a nil
// reader among hosts.All panics as the walk lists the first file), which
// the log reports.
func TestScanStartAndEndAreCalledOnceWhateverTheScan(t *testing.T) {
	withProgress := map[string]any{"window": map[string]any{"workDoneProgress": true}}
	for _, c := range []struct {
		name         string
		files        []string
		capabilities map[string]any
		panics       bool
	}{
		{name: "empty workspace", capabilities: withProgress},
		{name: "no progress", files: []string{"a.iam-policy.json"}, capabilities: map[string]any{}},
		{name: "scan panics", files: []string{"a.iam-policy.json"}, capabilities: withProgress, panics: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range c.files {
				text := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.panics {
				all := hosts.All
				hosts.All = append([]*source.Reader{nil}, all...)
				t.Cleanup(func() { hosts.All = all })
			}
			done := newScanDone()
			server := lsp.New(lsp.Options{ScanStarted: done.start})
			cl := initialize(startServer(t, server), map[string]any{"rootUri": string(uri.File(dir)), "capabilities": c.capabilities})
			done.wait(t)
			if c.panics {
				// Sent before the scan ends; the client may read it after.
				if msg := cl.waitLog("panic in scanning the workspace: "); !strings.HasPrefix(msg, "panic in scanning the workspace: ") {
					t.Errorf("the scan's panic is logged as %q", msg)
				}
			}
			done.endSession(t, cl, server)
		})
	}
}
