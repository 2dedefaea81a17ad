package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// startBinary starts the built binary in dir and kills it when the test
// ends.
func startBinary(t *testing.T, bin, dir string) *lspclient.Client {
	t.Helper()
	c, err := lspclient.Start(bin, dir, "serve")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Kill)
	return c
}

// abuseDoc is the open document the abuse is aimed at.
const (
	abuseURI = "file:///tmp/abuse/a.bucket-policy.json"
	abuseDoc = `{"Version": "2008-10-17", "Statement": []}`
)

// abuses are the kinds of bad input, each sent raw. want is what answers a
// request: a JSON-RPC error code, answered (1: a result, null included),
// answeredOrCancelled (-1), or 0 for input that gets no answer.
var abuses = []struct {
	name string
	raw  func(i int) []byte
	want int
}{
	{"header line without a colon", func(int) []byte { return []byte("Bogus header\r\n\r\n{}") }, 0},
	{"no Content-Length", func(int) []byte { return []byte("Content-Type: x\r\n\r\n") }, 0},
	{"negative Content-Length", func(int) []byte { return []byte("Content-Length: -5\r\n\r\n") }, 0},
	{"huge Content-Length", func(int) []byte { return []byte("Content-Length: 99999999999\r\n\r\n") }, 0},
	{"Content-Length too short", func(i int) []byte {
		body := request(i, "textDocument/hover", hoverParams())
		return append([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)-7)), body...)
	}, 0},
	{"Content-Length too long", func(i int) []byte {
		body := notification("textDocument/didChange", changeParams(1, abuseDoc))
		return append([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)+20)), body...)
	}, 0},
	{"body not JSON", func(int) []byte { return lspclient.Frame([]byte("{\"jsonrpc\": \"2.0\", \"method\": ")) }, 0},
	{"body JSON but not JSON-RPC", func(int) []byte { return lspclient.Frame([]byte(`[1, 2, 3]`)) }, 0},
	{"unknown method", func(i int) []byte { return request(i, "s3policy/nonsense", map[string]any{}) }, -32601},
	{"unknown notification", func(int) []byte { return notification("$/nonsense", map[string]any{"x": 1}) }, 0},
	{"didChange of an unopened document", func(int) []byte {
		return notification("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": "file:///nowhere.json", "version": 3},
			"contentChanges": []map[string]any{{"text": "{"}}})
	}, 0},
	{"stale version", func(int) []byte {
		return notification("textDocument/didChange", changeParams(1, `{"Statement": "stale"}`))
	}, 0},
	{"hover with params of the wrong type", func(i int) []byte { return request(i, "textDocument/hover", "x") }, -32602},
	{"hover on an unopened document", func(i int) []byte {
		return request(i, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": "file:///nowhere.json"}, "position": map[string]any{"line": 0, "character": 0}})
	}, answered},
	{"cancelled request", func(i int) []byte {
		return append(request(i, "textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": abuseURI},
			"range":   map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 0, "character": 5}},
			"context": map[string]any{"diagnostics": []any{}}}),
			notification("$/cancelRequest", map[string]any{"id": i})...)
	}, answeredOrCancelled},
	{"second initialize", func(i int) []byte {
		return request(i, "initialize", map[string]any{"processId": nil, "capabilities": map[string]any{}})
	}, -32600},
	{"position far out of range", func(i int) []byte {
		return request(i, "textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": abuseURI}, "position": map[string]any{"line": 1 << 30, "character": 1 << 20}})
	}, answered},
	{"negative position", func(i int) []byte {
		return request(i, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": abuseURI}, "position": map[string]any{"line": -1, "character": -5}})
	}, -32602},
}

const (
	answered            = 1
	answeredOrCancelled = -1
)

func request(id int, method string, params any) []byte {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": fmt.Sprint("abuse-", id), "method": method, "params": params})
	return lspclient.Frame(body)
}

func notification(method string, params any) []byte {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
	return lspclient.Frame(body)
}

func hoverParams() map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": abuseURI}, "position": map[string]any{"line": 0, "character": 3}}
}

func changeParams(version int, text string) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": abuseURI, "version": version},
		"contentChanges": []map[string]any{{"text": text}}}
}

// TestProtocolAbuse sends 1,000 bad messages to the binary over stdio:
// malformed frames, wrong Content-Length, unknown methods, requests before
// initialize, changes to unopened documents, stale versions, cancelled
// requests. After each one the server must answer the next valid request,
// and in the end still publish the diagnostics of a real edit.
func TestProtocolAbuse(t *testing.T) {
	c := startBinary(t, buildBinary(t), t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	// Before initialize: requests are refused, notifications ignored.
	for _, method := range []string{"textDocument/hover", "shutdown", "workspace/executeCommand"} {
		var rpcErr *lspclient.Error
		if _, err := c.Call(ctx, method, hoverParams()); !errors.As(err, &rpcErr) || rpcErr.Code != -32002 {
			t.Fatalf("%s before initialize: %v, want error -32002", method, err)
		}
	}
	if err := c.Open(abuseURI, 1, abuseDoc); err != nil {
		t.Fatal(err)
	}
	if err := c.Initialize(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Open(abuseURI, 1, abuseDoc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitVersion(ctx, abuseURI, 1); err != nil {
		t.Fatal(err)
	}

	const messages = 1000
	counts := map[string]int{}
	for i := range messages {
		abuse := abuses[i%len(abuses)]
		counts[abuse.name]++
		if err := c.WriteRaw(abuse.raw(i)); err != nil {
			t.Fatalf("message %d (%s): %v", i, abuse.name, err)
		}
		if abuse.want != 0 {
			answer, err := c.WaitAnswer(ctx, fmt.Sprintf("%q", fmt.Sprint("abuse-", i)))
			if err != nil {
				t.Fatalf("message %d (%s): %v", i, abuse.name, err)
			}
			switch {
			case abuse.want == answeredOrCancelled && (answer.Error == nil || answer.Error.Code == -32800):
			case abuse.want == answered && answer.Error == nil:
			case answer.Error == nil || answer.Error.Code != abuse.want:
				t.Fatalf("message %d (%s): answer %+v, want error %d", i, abuse.name, answer, abuse.want)
			}
		}
		// The next valid request is answered: hover on the open document.
		if _, err := c.Call(ctx, "textDocument/hover", hoverParams()); err != nil {
			t.Fatalf("after message %d (%s) the next valid request failed: %v\nlog:\n%s", i, abuse.name, err, tail(c.Log()))
		}
	}
	if len(counts) != len(abuses) {
		t.Fatalf("sent %d kinds of abuse, want %d", len(counts), len(abuses))
	}

	// Still analysing: a real edit is published, with its finding.
	if err := c.Change(abuseURI, 2, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allw"}]}`); err != nil {
		t.Fatal(err)
	}
	p, err := c.WaitVersion(ctx, abuseURI, 2)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Diagnostics()
	if err != nil {
		t.Fatal(err)
	}
	if *p.Version != 2 || !hasCode(ds, "invalid-effect") {
		t.Fatalf("after the abuse: version %d, diagnostics %+v, want invalid-effect", *p.Version, ds)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if log := c.Stderr.String(); strings.Contains(log, "panic") {
		t.Fatalf("the server panicked:\n%s", tail(log))
	}
}

func hasCode(ds []lspclient.Diagnostic, code string) bool {
	for _, d := range ds {
		if d.Code == code {
			return true
		}
	}
	return false
}

// tail is the end of a long log.
func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
