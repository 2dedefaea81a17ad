package lsp_test

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// timeout bounds every wait for the server: generous, because the machine
// is shared, and never slept, only waited on.
const timeout = 20 * time.Second

// client is an in-process LSP client talking to a server over net.Pipe.
type client struct {
	t        *testing.T
	raw      net.Conn // the client's end, for writing malformed frames
	conn     jsonrpc2.Conn
	done     chan struct{} // closed when Serve has returned
	exitCode int           // what Serve returned; read after done

	mu       sync.Mutex
	notes    []note
	arrived  chan struct{} // closed and replaced on every notification
	settings any           // the answer to workspace/configuration
	// holdSettings, when set, holds the answer to workspace/configuration
	// until it is closed.
	holdSettings chan struct{}
	// holdCreate, when set, holds the answer to the scan's
	// window/workDoneProgress/create until it is closed.
	holdCreate chan struct{}
	// holdRefresh, when set, holds the answer to
	// workspace/codeLens/refresh until it is closed.
	holdRefresh chan struct{}
}

type note struct {
	method string
	params json.RawMessage
	// uri is the document of a publishDiagnostics, decoded once as it
	// arrives: a wait for one document's diagnostics skips the others
	// without decoding them again (a test that opens hundreds of
	// documents decoded every earlier publication at each wait, most of
	// its time under -race).
	uri string
}

// start runs a server with opts and connects a client, without
// initializing.
func start(t *testing.T, opts lsp.Options) *client {
	t.Helper()
	return startServer(t, lsp.New(opts))
}

// startServer connects a client to server, without initializing.
func startServer(t *testing.T, server *lsp.Server) *client {
	t.Helper()
	serverEnd, clientEnd := net.Pipe()
	c := &client{t: t, raw: clientEnd, done: make(chan struct{}), arrived: make(chan struct{})}
	go func() {
		c.exitCode = server.Serve(context.Background(), serverEnd)
		close(c.done)
	}()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(clientEnd))
	c.conn.Go(context.Background(), c.handle)
	t.Cleanup(func() {
		c.conn.Close()
		c.waitExit()
	})
	return c
}

// startInitialized starts a server and runs initialize and initialized
// with the given params (nil for defaults).
func startInitialized(t *testing.T, opts lsp.Options, params map[string]any) *client {
	t.Helper()
	return initialize(start(t, opts), params)
}

// initialize runs initialize and initialized with the given params (nil
// for defaults).
func initialize(c *client, params map[string]any) *client {
	c.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	if _, ok := params["capabilities"]; !ok {
		params["capabilities"] = map[string]any{}
	}
	params["processId"] = nil
	var result protocol.InitializeResult
	c.call(protocol.MethodInitialize, params, &result)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return c
}

// waitExit waits for Serve to return and gives its exit code.
func (c *client) waitExit() int {
	c.t.Helper()
	select {
	case <-c.done:
		return c.exitCode
	case <-time.After(timeout):
		c.t.Fatalf("the server did not stop")
		return -1
	}
}

func (c *client) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if req.Method() == protocol.MethodWorkspaceConfiguration {
		c.mu.Lock()
		settings, hold := c.settings, c.holdSettings
		c.mu.Unlock()
		if hold != nil {
			go func() { // the client goes on reading meanwhile
				<-hold
				_ = reply(ctx, []any{settings}, nil)
			}()
			return nil
		}
		return reply(ctx, []any{settings}, nil)
	}
	// Other requests (client/registerCapability) are recorded like
	// notifications and answered with success.
	c.mu.Lock()
	c.notes = append(c.notes, newNote(req.Method(), req.Params()))
	close(c.arrived)
	c.arrived = make(chan struct{})
	hold := c.holdCreate
	if req.Method() == protocol.MethodCodeLensRefresh {
		hold = c.holdRefresh
	} else if req.Method() != protocol.MethodWorkDoneProgressCreate {
		hold = nil
	}
	c.mu.Unlock()
	if hold != nil {
		go func() { // the client goes on reading meanwhile
			<-hold
			_ = reply(ctx, nil, nil)
		}()
		return nil
	}
	return reply(ctx, nil, nil)
}

// newNote records a message of the server, with its document when it
// publishes diagnostics.
func newNote(method string, params json.RawMessage) note {
	n := note{method: method, params: append(json.RawMessage(nil), params...)}
	if method == protocol.MethodTextDocumentPublishDiagnostics {
		var p struct {
			URI string `json:"uri"`
		}
		_ = json.Unmarshal(params, &p)
		n.uri = p.URI
	}
	return n
}

func (c *client) call(method string, params, result any) {
	c.t.Helper()
	if err := c.callErr(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) callErr(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

// handled returns once the server has handled every notification sent
// before: it handles messages in order on its read loop, and answers
// there at once a request of a method it does not know.
func (c *client) handled() {
	c.t.Helper()
	if err := c.callErr("s3policy/handled", nil, nil); err == nil || !strings.Contains(err.Error(), "method not found") {
		c.t.Errorf("s3policy/handled: %v, want method not found", err) // not Fatalf: a server goroutine may call it (a scan hook)
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// waitNote returns the first notification with the method for which ok
// holds, failing the test after the timeout.
func (c *client) waitNote(method string, ok func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	return c.waitFor(method, func(n note) bool { return n.method == method && ok(n.params) })
}

// waitFor returns the params of the first note for which ok holds,
// failing the test after the timeout with what, a method, in its message.
func (c *client) waitFor(what string, ok func(note) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(timeout)
	for seen := 0; ; {
		c.mu.Lock()
		notes, arrived := c.notes, c.arrived
		c.mu.Unlock()
		for ; seen < len(notes); seen++ {
			if ok(notes[seen]) {
				return notes[seen].params
			}
		}
		select {
		case <-arrived:
		case <-deadline:
			c.t.Fatalf("no %s as expected within %v; got:\n%s", what, timeout, c.dump())
		}
	}
}

// waitDiagnostics returns the first publication for uri that ok accepts.
func (c *client) waitDiagnostics(uri string, ok func(protocol.PublishDiagnosticsParams) bool) protocol.PublishDiagnosticsParams {
	c.t.Helper()
	var got protocol.PublishDiagnosticsParams
	c.waitFor(protocol.MethodTextDocumentPublishDiagnostics+" of "+uri, func(n note) bool {
		var p protocol.PublishDiagnosticsParams
		if n.uri != uri || json.Unmarshal(n.params, &p) != nil || !ok(p) {
			return false
		}
		got = p
		return true
	})
	return got
}

// waitLog returns the first window/logMessage that contains text.
func (c *client) waitLog(text string) string {
	c.t.Helper()
	var msg string
	c.waitNote(protocol.MethodWindowLogMessage, func(raw json.RawMessage) bool {
		var p protocol.LogMessageParams
		if json.Unmarshal(raw, &p) != nil || !strings.Contains(p.Message, text) {
			return false
		}
		msg = p.Message
		return true
	})
	return msg
}

// logMessages lists the text of every window/logMessage so far.
func (c *client) logMessages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, n := range c.notes {
		var p protocol.LogMessageParams
		if n.method == protocol.MethodWindowLogMessage && json.Unmarshal(n.params, &p) == nil {
			out = append(out, p.Message)
		}
	}
	return out
}

// published lists every diagnostics publication for uri so far.
func (c *client) published(uri string) []protocol.PublishDiagnosticsParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []protocol.PublishDiagnosticsParams
	for _, n := range c.notes {
		var p protocol.PublishDiagnosticsParams
		if n.method == protocol.MethodTextDocumentPublishDiagnostics && n.uri == uri && json.Unmarshal(n.params, &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func (c *client) dump() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, n := range c.notes {
		b.WriteString("  " + n.method + " " + string(n.params) + "\n")
	}
	return b.String()
}

func (c *client) open(uri, text string, version int) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidOpen, map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "json", "version": version, "text": text},
	})
}

func (c *client) change(uri, text string, version int) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []any{map[string]any{"text": text}},
	})
}

func (c *client) close(uri string) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// codes lists the codes of diagnostics.
func codes(ds []protocol.Diagnostic) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i], _ = d.Code.(string)
	}
	return out
}

func position(line, char uint32) map[string]any {
	return map[string]any{"line": line, "character": char}
}
