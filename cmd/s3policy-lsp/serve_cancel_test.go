package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// silentClient is an editor that never answers the server's requests
// until told to: it records them, and the server's notifications, in
// the order they arrive.
type silentClient struct {
	conn   jsonrpc2.Conn
	stderr *lspclient.Buffer
	exited chan error

	mu       sync.Mutex
	requests []*jsonrpc2.Call
	repliers map[string]jsonrpc2.Replier // by the request's id, as JSON
	notes    []jsonrpc2.Request
	arrived  chan struct{} // closed and replaced on every message
}

// startSilent runs the binary's server on dir with its cache off.
func startSilent(t *testing.T, dir string) *silentClient {
	t.Helper()
	cmd := exec.Command(buildBinary(t), "serve", "--cache", "off")
	cmd.Dir = dir
	stdio := pipesOf(t, cmd)
	c := &silentClient{stderr: new(lspclient.Buffer), exited: make(chan error, 1), repliers: map[string]jsonrpc2.Replier{}, arrived: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(stdio))
	c.conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if call, ok := req.(*jsonrpc2.Call); ok {
			id := requestID(call)
			c.requests = append(c.requests, call)
			c.repliers[id] = reply
		} else {
			c.notes = append(c.notes, req)
		}
		close(c.arrived)
		c.arrived = make(chan struct{})
		return nil
	})
	return c
}

// waitFor waits until ok holds of the requests and notifications so far.
func (c *silentClient) waitFor(ctx context.Context, t *testing.T, what string, ok func(requests []*jsonrpc2.Call, notes []jsonrpc2.Request) bool) {
	t.Helper()
	for {
		c.mu.Lock()
		done, arrived := ok(c.requests, c.notes), c.arrived
		c.mu.Unlock()
		if done {
			return
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v; log:\n%s", what, ctx.Err(), c.stderr.String())
		}
	}
}

// answerLate answers the request whose id is the JSON text id.
func (c *silentClient) answerLate(ctx context.Context, id string, result any) error {
	c.mu.Lock()
	reply := c.repliers[id]
	c.mu.Unlock()
	return reply(ctx, result, nil)
}

// requestID is the id of a request as JSON (only *jsonrpc2.ID marshals).
func requestID(call *jsonrpc2.Call) string {
	id := call.ID()
	b, _ := json.Marshal(&id)
	return string(b)
}

// cancelled returns the ids, as JSON, of the $/cancelRequest notes.
func cancelled(notes []jsonrpc2.Request) []string {
	var ids []string
	for _, n := range notes {
		var p struct {
			ID json.RawMessage `json:"id"`
		}
		if n.Method() == protocol.MethodCancelRequest && json.Unmarshal(n.Params(), &p) == nil {
			ids = append(ids, string(p.ID))
		}
	}
	return ids
}

// TestAProgressCreateAnsweredLateBeginsTheProgressThen: an editor that
// shows work-done progress but answers window/workDoneProgress/create
// only late (a busy editor under load) has its workspace scanned without
// waiting for the answer: the policy is published first, and nothing is
// sent on the token before the answer. Once it comes, the progress
// begins, and ends; the request is not cancelled, and the server's
// stderr stays empty (Neovim 0.7 shows each of its lines as an error),
// also when the editor stops the server without ever answering.
func TestAProgressCreateAnsweredLateBeginsTheProgressThen(t *testing.T) {
	for _, answered := range []bool{true, false} {
		t.Run(map[bool]string{true: "answered late", false: "never answered"}[answered], func(t *testing.T) {
			progressCreateAnsweredLate(t, answered)
		})
	}
}

func progressCreateAnsweredLate(t *testing.T, answered bool) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "a.bucket-policy.json")
	if err := os.WriteFile(policy, []byte(`{"Version": "2008-10-17", "Statement": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startSilent(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if _, err := c.conn.Call(ctx, protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}}, nil); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if err := c.conn.Notify(ctx, protocol.MethodInitialized, map[string]any{}); err != nil {
		t.Fatal(err)
	}

	var create string // the create request's id, as JSON
	c.waitFor(ctx, t, "window/workDoneProgress/create", func(requests []*jsonrpc2.Call, _ []jsonrpc2.Request) bool {
		for _, r := range requests {
			if r.Method() == protocol.MethodWorkDoneProgressCreate {
				create = requestID(r)
				return true
			}
		}
		return false
	})
	want := uri.File(policy)
	var published protocol.PublishDiagnosticsParams
	c.waitFor(ctx, t, "the policy's diagnostics", func(_ []*jsonrpc2.Call, notes []jsonrpc2.Request) bool {
		for _, n := range notes {
			if n.Method() == protocol.MethodTextDocumentPublishDiagnostics && json.Unmarshal(n.Params(), &published) == nil && published.URI == want {
				return true
			}
		}
		return false
	})
	if len(published.Diagnostics) == 0 || published.Diagnostics[0].Code != "missing-version" {
		t.Errorf("%s published %+v, want missing-version first", want, published.Diagnostics)
	}
	c.mu.Lock()
	for _, n := range c.notes {
		if n.Method() == protocol.MethodProgress {
			t.Errorf("$/progress %s before the create request was answered", n.Params())
		}
	}
	c.mu.Unlock()

	if answered {
		if err := c.answerLate(ctx, create, nil); err != nil {
			t.Fatalf("the late answer: %v", err)
		}
		c.waitFor(ctx, t, "the progress's end", func(_ []*jsonrpc2.Call, notes []jsonrpc2.Request) bool {
			return slices.ContainsFunc(notes, func(n jsonrpc2.Request) bool {
				return n.Method() == protocol.MethodProgress && strings.Contains(string(n.Params()), `"kind":"end"`)
			})
		})
	}
	if _, err := c.conn.Call(ctx, protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := c.conn.Notify(ctx, protocol.MethodExit, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.exited:
		if err != nil {
			t.Errorf("exit: %v; log:\n%s", err, c.stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("the server did not exit; log:\n%s", c.stderr.String())
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if got := cancelled(c.notes); len(got) != 0 {
		t.Errorf("$/cancelRequest for %v, want none: the answer was waited for", got)
	}
	if log := c.stderr.String(); log != "" {
		t.Errorf("stderr:\n%s", log)
	}
}
