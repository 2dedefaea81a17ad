package lspclient

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A publish as the server writes one: fields the client does not compare
// (codeDescription, source, relatedInformation), escapes, a non-ASCII
// message.
const publishBody = `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///t/a%20b.json","version":7,"diagnostics":[` +
	`{"range":{"start":{"line":2,"character":2},"end":{"line":2,"character":13}},"severity":1,"code":"missing-resource-arn","codeDescription":{"href":"https://docs.aws.amazon.com/"},"source":"s3policy-lsp","message":"statement \"Read\" allows s3:GetObject — not on arn:aws:s3:::b/*\n","relatedInformation":[{"location":{"uri":"file:///t/c.json","range":{"start":{"line":0,"character":0},"end":{"line":0,"character":1}}},"message":"here"}]},` +
	`{"range":{"start":{"line":5,"character":0},"end":{"line":5,"character":4}},"severity":2,"code":"c2","message":"\u00e9"}]}}`

// TestDecodePublished: what a timing needs is picked out, and the
// diagnostics decode to what encoding/json gave the client before.
func TestDecodePublished(t *testing.T) {
	at := time.Unix(1, 0)
	m, err := Decode([]byte(publishBody), at)
	if err != nil {
		t.Fatal(err)
	}
	p := m.Published
	if p == nil || m.Params != nil || p.URI != "file:///t/a%20b.json" || p.Version == nil || *p.Version != 7 || !p.HasDiagnostics || !p.At.Equal(at) {
		t.Fatalf("decoded %+v, published %+v", m, p)
	}
	var before struct {
		Params struct{ Diagnostics []Diagnostic }
	}
	if err := json.Unmarshal([]byte(publishBody), &before); err != nil {
		t.Fatal(err)
	}
	got, err := p.Diagnostics()
	if err != nil || !reflect.DeepEqual(got, before.Params.Diagnostics) || len(got) != 2 || got[1].Message != "é" {
		t.Errorf("diagnostics %+v, %v\nwant %+v", got, err, before.Params.Diagnostics)
	}
}

// TestDecodeEmptyAndNull: an empty list is no diagnostics but a list, null
// none at all, as encoding/json gave (coldscan -published writes [] and
// null as it did).
func TestDecodeEmptyAndNull(t *testing.T) {
	for _, tc := range []struct {
		diagnostics string
		want        []Diagnostic
	}{
		{`[ ]`, []Diagnostic{}},
		{`null`, nil},
	} {
		m, err := Decode([]byte(`{"method":"textDocument/publishDiagnostics","params":{"uri":"u","diagnostics":`+tc.diagnostics+`}}`), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Published.Diagnostics()
		if err != nil || m.Published.HasDiagnostics || m.Published.Version != nil || !reflect.DeepEqual(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%s: %+v, %#v, %v", tc.diagnostics, m.Published, got, err)
		}
	}
}

// TestDecodeOtherMessages: answers, errors and the server's own requests
// keep their parts as written.
func TestDecodeOtherMessages(t *testing.T) {
	m, err := Decode([]byte(`{"jsonrpc":"2.0","id":"abuse-1","error":{"code":-32601,"message":"no such method"}}`), time.Time{})
	if err != nil || string(m.ID) != `"abuse-1"` || m.Error == nil || m.Error.Code != -32601 || m.Error.Message != "no such method" {
		t.Errorf("error answer: %+v, %v", m, err)
	}
	m, err = Decode([]byte(`{"jsonrpc":"2.0","id":3,"result":{"capabilities":{}}}`), time.Time{})
	if err != nil || string(m.ID) != `3` || string(m.Result) != `{"capabilities":{}}` || m.Method != "" {
		t.Errorf("answer: %+v, %v", m, err)
	}
	m, err = Decode([]byte(`{"jsonrpc":"2.0","id":null,"result":null}`), time.Time{})
	if err != nil || string(m.ID) != `null` || string(m.Result) != `null` {
		t.Errorf("null answer: %+v, %v", m, err)
	}
	m, err = Decode([]byte(`{"jsonrpc":"2.0","id":9,"method":"workspace/configuration","params":{"items":[]}}`), time.Time{})
	if err != nil || m.Method != "workspace/configuration" || string(m.Params) != `{"items":[]}` || m.Published != nil {
		t.Errorf("request: %+v, %v", m, err)
	}
}

// TestDecodeRefusesWhatItCannotRead: every frame is checked whole.
func TestDecodeRefusesWhatItCannotRead(t *testing.T) {
	for _, body := range []string{
		``,
		`{"jsonrpc": "2.0", "method": `,
		`{"jsonrpc":"2.0"} {}`,
		`[1, 2, 3]`,
		`{"method": 3}`,
		`{"id":1,"error":{"code":"x"}}`,
		`{"method":"textDocument/publishDiagnostics","params":[]}`,
		`{"method":"textDocument/publishDiagnostics","params":{"uri":1,"diagnostics":[]}}`,
		`{"method":"textDocument/publishDiagnostics","params":{"uri":"u","version":1.5,"diagnostics":[]}}`,
		`{"method":"textDocument/publishDiagnostics","params":{"uri":"u","diagnostics":{}}}`,
		// Valid JSON up to the last publish's diagnostics, cut in a string.
		publishBody[:len(publishBody)-20],
	} {
		if m, err := Decode([]byte(body), time.Time{}); err == nil {
			t.Errorf("%.60q: no error, %+v", body, m)
		}
	}
}

// TestAServerThatWritesGarbageFailsTheRun: the client stops such a server
// and says why, instead of waiting for a message that will not come.
func TestAServerThatWritesGarbageFailsTheRun(t *testing.T) {
	c, err := Start("/bin/sh", "", "-c", `printf 'Content-Length: 5\r\n\r\n{"a":'; exec sleep 60`)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = c.Initialize(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "the server wrote what the client cannot read (a message that is not JSON") {
		t.Fatalf("initialize: %v", err)
	}
	select {
	case <-c.Exited():
	case <-ctx.Done():
		t.Fatal("the server was not stopped")
	}
}

// TestLogHoldsStderrAndTheLogMessages: a server that listens to a client
// logs its ordinary events as window/logMessage, not on stderr, so what a
// failing test prints as the server's log holds both.
func TestLogHoldsStderrAndTheLogMessages(t *testing.T) {
	note := `{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":4,"message":"scanned"}}`
	publish := `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///a.json","diagnostics":[]}}`
	script := fmt.Sprintf(`printf 'panic: boom\n' >&2; printf 'Content-Length: %d\r\n\r\n%%s' '%s'; printf 'Content-Length: %d\r\n\r\n%%s' '%s'; exec sleep 60`,
		len(note), note, len(publish), publish)
	c, err := Start("/bin/sh", "", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.WaitPublished(ctx, func(p []Published) bool { return len(p) > 0 }); err != nil {
		t.Fatal(err)
	}
	c.Kill()
	select {
	case <-c.Exited(): // its stderr is read whole
	case <-ctx.Done():
		t.Fatal("the server was not stopped")
	}
	if got, want := c.Log(), "panic: boom\nwindow/logMessage: scanned\n"; got != want {
		t.Errorf("Log() = %q, want %q", got, want)
	}
}

// TestStacksAsksTheServerForItsGoroutines: SIGQUIT makes a Go server
// print every goroutine's stack and exit; Stacks returns the log then.
func TestStacksAsksTheServerForItsGoroutines(t *testing.T) {
	publish := `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///a.json","diagnostics":[]}}`
	script := fmt.Sprintf(`sleep 60 & trap 'kill $!; printf "goroutine 1 [select]:\n" >&2; exit 2' QUIT; printf 'Content-Length: %d\r\n\r\n%%s' '%s'; wait`,
		len(publish), publish)
	c, err := Start("/bin/sh", "", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.WaitPublished(ctx, func(p []Published) bool { return len(p) > 0 }); err != nil { // the trap is set
		t.Fatal(err)
	}
	if got, want := c.Stacks(30*time.Second), "goroutine 1 [select]:\n"; got != want {
		t.Errorf("Stacks() = %q, want %q", got, want)
	}
}
