package lsp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
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

// A client whose answer to workspace/configuration differs from its
// initializationOptions (here it lowers kms-missing-actions to a hint)
// has the first scan made with the answer: the diagnostics cache is
// written, and a second server publishes the workspace from it. The
// answer is held until the scan has begun (its progress is created):
// begun with the initializationOptions, the scan saw the settings change
// under it and kept nothing.
func TestTheFirstScanTakesTheSettingsTheClientAnswers(t *testing.T) {
	dir, cacheDir := copyExample(t, "kms-key-policy"), t.TempDir()
	janeURI := fileURI(dir, "jane.iam-policy.json")
	for run, want := range []string{"wrote 1 (3 files)", "kept 1 roots unchanged"} {
		c := start(t, lsp.Options{CacheDir: cacheDir, BinaryID: func() string { return "test build" }})
		hold := make(chan struct{})
		initializeAnsweringHints(c, dir, hold)
		c.notify(protocol.MethodInitialized, map[string]any{})
		c.waitNote(protocol.MethodWorkDoneProgressCreate, func(json.RawMessage) bool { return true })
		close(hold)

		var kept string
		c.waitNote(protocol.MethodWindowLogMessage, func(raw json.RawMessage) bool {
			var p protocol.LogMessageParams
			_ = json.Unmarshal(raw, &p)
			kept = p.Message
			return strings.HasPrefix(kept, "diagnostics cache: kept") || strings.Contains(kept, "nothing kept")
		})
		if !strings.Contains(kept, want) {
			t.Fatalf("run %d: %q, want %q", run+1, kept, want)
		}
		for _, p := range c.published(janeURI) {
			for _, d := range p.Diagnostics {
				if d.Severity != protocol.DiagnosticSeverityHint {
					t.Errorf("run %d: jane published with %s at severity %v, want only hints (the client's answer)", run+1, d.Code, d.Severity)
				}
			}
		}
		if got := c.published(janeURI); len(got) != 1 || len(got[0].Diagnostics) != 2 {
			t.Errorf("run %d: jane published %d times, want once with two findings: %+v", run+1, len(got), got)
		}
		c.stop()
	}
}

// A client that does not answer workspace/configuration has its
// workspace scanned all the same, with its initializationOptions (here
// kms-missing-actions at error severity), once settingsWait is over; its
// answer, when it comes (the hint severity), applies as a settings change
// does: jane's closed file is published again with hints.
func TestTheFirstScanGoesOnWithoutAnAnswerToWorkspaceConfiguration(t *testing.T) {
	c, janeURI, answer := startHoldingHints(t)
	waitScanEnd(c)
	errors := []protocol.DiagnosticSeverity{protocol.DiagnosticSeverityError, protocol.DiagnosticSeverityError}
	if got := c.published(janeURI); len(got) != 1 || !slices.Equal(severities(got[0]), errors) {
		t.Fatalf("jane published before the answer: %+v, want once with two errors (the initializationOptions)", got)
	}
	answer()
	hints := []protocol.DiagnosticSeverity{protocol.DiagnosticSeverityHint, protocol.DiagnosticSeverityHint}
	c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool { return slices.Equal(severities(p), hints) })
}

// startHoldingHints starts a server on a copy of the kms-key-policy
// example, initialized by initializeAnsweringHints with the answer to
// workspace/configuration held until answer is called (at the latest
// when the test ends). It gives jane's identity policy's uri.
func startHoldingHints(t *testing.T) (c *client, janeURI string, answer func()) {
	t.Helper()
	dir := copyExample(t, "kms-key-policy")
	c = start(t, lsp.Options{})
	hold := make(chan struct{})
	answer = sync.OnceFunc(func() { close(hold) })
	t.Cleanup(answer)
	initializeAnsweringHints(c, dir, hold)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return c, fileURI(dir, "jane.iam-policy.json"), answer
}

// initializeAnsweringHints sends initialize for dir with
// kms-missing-actions at error severity in the initializationOptions, as
// a client that shows progress, watches files and answers
// workspace/configuration with that check at hint severity, the answer
// held until hold is closed (nil: at once).
func initializeAnsweringHints(c *client, dir string, hold chan struct{}) {
	c.t.Helper()
	c.mu.Lock()
	c.settings = map[string]any{"severity": map[string]any{"kms-missing-actions": "hint"}}
	c.holdSettings = hold
	c.mu.Unlock()
	var result protocol.InitializeResult
	c.call(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": string(uri.File(dir)),
		"initializationOptions": map[string]any{"severity": map[string]any{"kms-missing-actions": "error"}},
		"capabilities": map[string]any{
			"workspace": map[string]any{"configuration": true, "didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}},
			"window":    map[string]any{"workDoneProgress": true}}}, &result)
}

func severities(p protocol.PublishDiagnosticsParams) []protocol.DiagnosticSeverity {
	var out []protocol.DiagnosticSeverity
	for _, d := range p.Diagnostics {
		out = append(out, d.Severity)
	}
	return out
}

// A client that never sends initialized still gets its documents
// diagnosed: once initializedWait is over the server scans the workspace
// with the initializationOptions and publishes, a notification it may
// send once it has answered initialize, but sends no request (no
// workspace/configuration, whose hints would show, no progress, no file
// watcher), which only initialized allows. Jane's identity policy, opened
// before, is published once, with its set's two kms-missing-actions.
func TestAClientThatNeverSendsInitializedGetsItsDiagnostics(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	janeURI := fileURI(dir, "jane.iam-policy.json")
	c := start(t, lsp.Options{CacheDir: t.TempDir(), BinaryID: func() string { return "test build" }})
	initializeAnsweringHints(c, dir, nil)
	c.open(janeURI, readText(t, filepath.Join(dir, "jane.iam-policy.json")), 1)

	c.waitLog("diagnostics cache: kept") // the scan is over
	errors := []protocol.DiagnosticSeverity{protocol.DiagnosticSeverityError, protocol.DiagnosticSeverityError}
	got := c.published(janeURI)
	if len(got) != 1 || !slices.Equal(codes(got[0].Diagnostics), []string{"kms-missing-actions", "kms-missing-actions"}) ||
		!slices.Equal(severities(got[0]), errors) || got[0].Version != 1 {
		t.Errorf("jane published %+v, want once, version 1, with two kms-missing-actions at error severity", got)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.notes {
		switch n.method {
		case protocol.MethodWorkDoneProgressCreate, protocol.MethodProgress, protocol.MethodClientRegisterCapability:
			t.Errorf("sent %s %s before initialized", n.method, n.params)
		}
	}
}

// The first scan does not wait for the client's answer to
// window/workDoneProgress/create: with the answer held, jane's closed file
// is published with its two findings, and nothing is sent on the token.
// When the answer comes after the scan is over, the progress begins,
// with the scan's last report, and ends then (a client that answered late under load was shown no
// progress, and tests waiting for its end failed).
func TestTheFirstScanDoesNotWaitForTheAnswerToProgressCreate(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	janeURI := fileURI(dir, "jane.iam-policy.json")
	scanned := make(chan struct{})
	c := start(t, lsp.Options{ScanStarted: func() func() { return func() { close(scanned) } }})
	hold := make(chan struct{})
	answer := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(answer)
	c.mu.Lock()
	c.holdCreate = hold
	c.mu.Unlock()
	initialize(c, map[string]any{"rootUri": string(uri.File(dir)), "capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})

	jane := c.waitDiagnostics(janeURI, func(protocol.PublishDiagnosticsParams) bool { return true })
	if got := codes(jane.Diagnostics); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Errorf("jane published %v, want two kms-missing-actions", got)
	}
	select {
	case <-scanned:
	case <-time.After(20 * time.Second):
		t.Fatal("the scan did not end while the answer to progress create was held")
	}
	if got := progressKinds(c); len(got) != 0 {
		t.Fatalf("progress %v sent without an answer to its create", got)
	}

	answer()
	waitScanEnd(c)
	if got := progressKinds(c); !slices.Equal(got, []string{"begin", "report", "end"}) {
		t.Errorf("progress once the create was answered after the scan: %v, want [begin report end] (the last report)", got)
	}
}

// progressKinds lists the kinds of the $/progress the client was sent.
func progressKinds(c *client) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var kinds []string
	for _, n := range c.notes {
		var p struct {
			Value struct {
				Kind string `json:"kind"`
			} `json:"value"`
		}
		if n.method == protocol.MethodProgress && json.Unmarshal(n.params, &p) == nil {
			kinds = append(kinds, p.Value.Kind)
		}
	}
	return kinds
}

// Two answers to workspace/configuration that come out of order leave
// the server on the newer ask's: the first scan's answer (hints) is held
// until after didChangeConfiguration's (warnings) is applied, and then
// dropped, so jane's closed file stays published with two warnings.
func TestAnOlderSettingsAnswerThatComesLastIsNotApplied(t *testing.T) {
	c, janeURI, answer := startHoldingHints(t)
	waitScanEnd(c) // with the initializationOptions: the first answer is held

	c.mu.Lock()
	c.settings = map[string]any{"severity": map[string]any{"kms-missing-actions": "warning"}}
	c.holdSettings = nil
	c.mu.Unlock()
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": nil})
	warnings := []protocol.DiagnosticSeverity{protocol.DiagnosticSeverityWarning, protocol.DiagnosticSeverityWarning}
	c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool { return slices.Equal(severities(p), warnings) })
	answer()

	c.waitLog("workspace/configuration: the answer to request 1 came after request 2's: not applied")
	got := c.published(janeURI)
	if last := got[len(got)-1]; !slices.Equal(severities(last), warnings) {
		t.Errorf("jane last published with %v, want two warnings (the newer answer)", severities(last))
	}
}

// An answer that sets nothing (null) is the newer answer all the same:
// the first scan's held answer (hints), released after it, is dropped,
// and jane's closed file stays published with the initializationOptions'
// two errors.
func TestAnOlderSettingsAnswerAfterANullOneIsNotApplied(t *testing.T) {
	c, janeURI, answer := startHoldingHints(t)
	waitScanEnd(c)

	c.mu.Lock()
	c.settings = nil
	c.holdSettings = nil
	c.mu.Unlock()
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": nil})
	c.waitLog("workspace/configuration: the answer to request 2 sets nothing: the settings stay as they are")
	answer()

	c.waitLog("workspace/configuration: the answer to request 1 came after request 2's: not applied")
	errors := []protocol.DiagnosticSeverity{protocol.DiagnosticSeverityError, protocol.DiagnosticSeverityError}
	if got := c.published(janeURI); len(got) != 1 || !slices.Equal(severities(got[0]), errors) {
		t.Errorf("jane published %+v, want once with two errors (the initializationOptions)", got)
	}
}

// A panic while the server applies the client's answer to
// workspace/configuration, on the goroutine that asked, is logged and
// the server goes on: here the log writer panics on the answer's
// problem (a severity "boom"), and shutdown is answered.
func TestAPanicApplyingTheSettingsAnswerIsLogged(t *testing.T) {
	c := start(t, lsp.Options{Log: panicsOn{`"boom"`}})
	c.mu.Lock()
	c.settings = map[string]any{"severity": map[string]any{"kms-missing-actions": "boom"}}
	c.mu.Unlock()
	initialize(c, map[string]any{"capabilities": map[string]any{"workspace": map[string]any{"configuration": true}}})

	c.waitLog("panic in workspace/configuration: a log writer's bug")
	c.call(protocol.MethodShutdown, nil, nil)
}

// panicsOn is a log writer with a bug: it panics on a line that holds
// its text.
type panicsOn struct{ text string }

func (w panicsOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.text) {
		panic("a log writer's bug")
	}
	return len(p), nil
}

// A client that sends exit while the first scan reads ends the reading:
// the files the walk still lists are not read. The scan's hook holds each
// reader, and the walk, at the set it completed, and exit comes once one
// is held; once released after Serve has returned, the readers read
// nothing more: each completes at most the set it was reading, so the
// hook sees no other set of the five left. Before, the scan read the whole workspace
// after the session's end, and the process lingered for shutdownGrace.
func TestExitDuringTheScanEndsTheReading(t *testing.T) {
	readers := runtime.GOMAXPROCS(0)
	dir := t.TempDir()
	for i := range readers + 5 {
		src := copyExample(t, "kms-key-policy")
		if err := os.Rename(src, filepath.Join(dir, fmt.Sprintf("team-%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var loaded []string
	held, release := make(chan struct{}, readers+5), make(chan struct{})
	server := lsp.NewWithScanHook(lsp.Options{}, func(root string) {
		mu.Lock()
		loaded = append(loaded, root)
		mu.Unlock()
		held <- struct{}{}
		<-release
	})
	c := startServer(t, server)
	initialize(c, map[string]any{"rootUri": string(uri.File(dir))})
	// One set held is enough: when the walk completes the first set (its
	// files all read before the walk left its folder), the walk itself is
	// held, and the readers have nothing listed to complete another (seen
	// once in CI under load, waiting for as many holds as readers).
	select {
	case <-held:
	case <-time.After(timeout):
		t.Fatalf("no reader was held at a set")
	}
	c.notify(protocol.MethodExit, nil)
	if code := c.waitExit(); code != 1 {
		t.Errorf("exit code %d, want 1 (no shutdown)", code)
	}
	close(release)
	server.AwaitWorkers()
	mu.Lock()
	defer mu.Unlock()
	// One more may be loaded: the walk completes a set whose files were
	// all read before it left the folder, and may be the one held.
	if len(loaded) > readers+1 {
		t.Errorf("the scan loaded %d sets of %d, want the %d its readers were held at when exit came: %v", len(loaded), readers+5, readers, loaded)
	}
}

// BenchmarkExitWithInputOpen times a session from exit to Serve's
// return when the client keeps the server's input open, as Neovim does
// until the process is gone, and closing it does not end a read (stdin):
// the grace (2 s) at every exit before the read loop stopped being waited
// for after exit, microseconds after.
func BenchmarkExitWithInputOpen(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		toServer, fromClient := io.Pipe()
		fromServer, toClient := io.Pipe()
		server := lsp.New(lsp.Options{})
		done := make(chan int)
		go func() { done <- server.Serve(context.Background(), stdinLike{toServer, toClient}) }()
		conn := jsonrpc2.NewConn(jsonrpc2.NewStream(pipeEnds{fromServer, fromClient}))
		conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, _ jsonrpc2.Request) error {
			return reply(ctx, nil, nil)
		})
		ctx := context.Background()
		if _, err := conn.Call(ctx, protocol.MethodInitialize, map[string]any{"processId": nil, "capabilities": map[string]any{}}, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Call(ctx, protocol.MethodShutdown, nil, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		_ = conn.Notify(ctx, protocol.MethodExit, nil)
		if code := <-done; code != 0 {
			b.Fatalf("exit code %d", code)
		}
		b.StopTimer()
		conn.Close()
		fromClient.Close() // the read loop ends
		b.StartTimer()
	}
}

// stdinLike is a server's end whose Close, as closing os.Stdin, does not
// end a read under way.
type stdinLike struct {
	io.Reader
	io.Writer
}

func (stdinLike) Close() error { return nil }

// pipeEnds is the client's end of two pipes.
type pipeEnds struct {
	*io.PipeReader
	*io.PipeWriter
}

func (p pipeEnds) Close() error {
	p.PipeWriter.Close()
	return p.PipeReader.Close()
}

// A client that sends initialized twice has the file watcher registered
// once: the second is ignored (and logged), not taken for a late one.
// It is sent once the scan is over: the harness's pipe has no buffer, so
// the server logging on its read loop while the client answers a request
// of the server's in its own would block both.
func TestASecondInitializedIsIgnored(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := start(t, lsp.Options{})
	initializeAnsweringHints(c, dir, nil)
	c.notify(protocol.MethodInitialized, map[string]any{})
	waitScanEnd(c)
	c.notify(protocol.MethodInitialized, map[string]any{})
	c.waitLog("ignoring a second initialized")
	c.waitNote(protocol.MethodClientRegisterCapability, func(json.RawMessage) bool { return true })
	c.mu.Lock()
	defer c.mu.Unlock()
	registered := 0
	for _, n := range c.notes {
		if n.method == protocol.MethodClientRegisterCapability {
			registered++
		}
	}
	if registered != 1 {
		t.Errorf("the file watcher registered %d times, want once", registered)
	}
}

// A workspace/codeLens/refresh the client has not answered when the
// session ends is no failure to log: the server stops waiting for it.
// Before, it logged "workspace/codeLens/refresh: context canceled" on
// stderr, which Neovim 0.7 logs as an ERROR (editors/nvim/test/e2e.lua
// failed on it once in 80 runs on a loaded machine: a refresh was under
// way as the test stopped the client).
func TestARefreshUnansweredAtExitIsNotLogged(t *testing.T) {
	var log lspclient.Buffer // the test reads it while the server writes
	c := start(t, lsp.Options{Log: &log})
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	c.mu.Lock()
	c.holdRefresh = hold
	c.mu.Unlock()
	dir := copyExample(t, "kms-key-policy")
	initialize(c, map[string]any{
		"rootUri":      string(uri.File(dir)),
		"capabilities": map[string]any{"workspace": map[string]any{"codeLens": map[string]any{"refreshSupport": true}}},
	})
	waitLensRefresh(c, 0)
	c.call(protocol.MethodShutdown, nil, nil)
	c.notify(protocol.MethodExit, nil)
	if code := c.waitExit(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if got := log.String(); strings.Contains(got, protocol.MethodCodeLensRefresh) {
		t.Errorf("the log after an exit with a refresh unanswered:\n%s", got)
	}
}
