package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// TestServeBinaryOverStdio builds the binary and speaks LSP with it over
// its stdin and stdout: initialize, didOpen, diagnostics, shutdown, exit.
func TestServeBinaryOverStdio(t *testing.T) {
	cmd := exec.Command(buildBinary(t), "serve")
	cmd.Env = append(os.Environ(), cacheEnv+"=off") // nothing in the user's cache folder
	stdio := pipesOf(t, cmd)
	var stderr lspclient.Buffer // written by exec's copying goroutine
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})

	diagnostics := make(chan protocol.PublishDiagnosticsParams, 16)
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(stdio))
	conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		if req.Method() == protocol.MethodTextDocumentPublishDiagnostics {
			var p protocol.PublishDiagnosticsParams
			if json.Unmarshal(req.Params(), &p) == nil {
				diagnostics <- p
			}
		}
		return reply(ctx, nil, nil)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var init protocol.InitializeResult
	if _, err := conn.Call(ctx, protocol.MethodInitialize, map[string]any{"processId": nil, "capabilities": map[string]any{}}, &init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if init.ServerInfo == nil || init.ServerInfo.Name != "s3policy-lsp" {
		t.Errorf("serverInfo %+v", init.ServerInfo)
	}
	notify := func(method string, params any) {
		if err := conn.Notify(ctx, method, params); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	notify(protocol.MethodInitialized, map[string]any{})
	const u = "file:///tmp/x/a.bucket-policy.json"
	notify(protocol.MethodTextDocumentDidOpen, map[string]any{"textDocument": map[string]any{
		"uri": u, "languageId": "json", "version": 1,
		"text": "{\"Version\": \"2008-10-17\", \"Statement\": []}",
	}})
	select {
	case p := <-diagnostics:
		want := protocol.Range{Start: protocol.Position{Line: 0, Character: 12}, End: protocol.Position{Line: 0, Character: 24}}
		if string(p.URI) != u || p.Version != 1 || len(p.Diagnostics) == 0 || p.Diagnostics[0].Code != "missing-version" || p.Diagnostics[0].Range != want {
			t.Errorf("diagnostics %+v, want missing-version at %+v first", p, want)
		}
	case <-ctx.Done():
		t.Fatalf("no diagnostics; stderr:\n%s", stderr.String())
	}

	if _, err := conn.Call(ctx, protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	notify(protocol.MethodExit, nil)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("the server did not exit; stderr:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// TestServeWithoutExitFailsWhenStdinCloses: a client that goes away
// without shutdown and exit leaves exit code 1, as LSP asks.
func TestServeWithoutExitFailsWhenStdinCloses(t *testing.T) {
	cmd := exec.Command(buildBinary(t))
	cmd.Stdin = strings.NewReader("")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Errorf("exit: %v, want exit status 1", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout must carry the protocol only, got %q", stdout.String())
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "s3policy-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// pipesOf returns cmd's stdout and stdin, before it starts, as one
// stream.
func pipesOf(t *testing.T, cmd *exec.Cmd) pipes {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	return pipes{stdout, stdin}
}

// pipes joins the child's stdout and stdin into one stream.
type pipes struct {
	io.ReadCloser
	io.WriteCloser
}

func (p pipes) Close() error {
	p.WriteCloser.Close()
	return p.ReadCloser.Close()
}
