package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// A recording as the server writes it: its answer to initialize, a
// publish with a finding, an empty one, a log line, its answer to shutdown.
var recorded = slices.Concat(
	lspclient.Frame([]byte(`{"jsonrpc":"2.0","result":{"capabilities":{"hoverProvider":true}},"id":1}`)),
	lspclient.Frame([]byte(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///t/a.json","diagnostics":[{"range":{"start":{"line":1,"character":2},"end":{"line":1,"character":9}},"severity":1,"code":"c","message":"m"}]}}`)),
	lspclient.Frame([]byte(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"file:///t/b.json","diagnostics":[]}}`)),
	lspclient.Frame([]byte(`{"method":"window/logMessage","jsonrpc":"2.0","params":{"type":3,"message":"done"}}`)),
	lspclient.Frame([]byte(`{"jsonrpc":"2.0","result":null,"id":2}`)),
)

func TestSplit(t *testing.T) {
	rec, err := split(recorded)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.answers) != 2 || string(rec.answers[1]) != `{"jsonrpc":"2.0","result":null,"id":2}` {
		t.Errorf("answers %q, want initialize's and shutdown's", rec.answers)
	}
	// The stream is the three notifications as recorded; the last one with
	// a finding is the first.
	if want := recorded[len(lspclient.Frame(rec.answers[0])) : len(recorded)-len(lspclient.Frame(rec.answers[1]))]; string(rec.stream) != string(want) {
		t.Errorf("stream %q, want %q", rec.stream, want)
	}
	if rec.findingFrames != 1 {
		t.Errorf("findingFrames %d, want 1", rec.findingFrames)
	}
	if _, err := split(recorded[:len(recorded)-3]); err == nil {
		t.Error("a cut frame: no error")
	}
}

// TestPlayBack plays the recording to the harness's client: it gets the
// recorded capabilities, the publishes, then its own id on shutdown's
// answer, and the server exits.
func TestPlayBack(t *testing.T) {
	bin := buildReplay(t)
	path := filepath.Join(t.TempDir(), "scan.lsp")
	if err := os.WriteFile(path, recorded, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REPLAY_FROM", path)
	c, err := lspclient.Start(bin, "", "serve", "--cache", "off")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	result, err := c.Call(ctx, "initialize", map[string]any{"capabilities": map[string]any{}})
	if err != nil || string(result) != `{"capabilities":{"hoverProvider":true}}` {
		t.Fatalf("initialize: %s, %v", result, err)
	}
	if err := c.Notify("initialized", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	pubs, err := c.WaitPublished(ctx, func(p []lspclient.Published) bool { return len(p) == 2 })
	if err != nil {
		t.Fatal(err)
	}
	first, err := pubs[0].Diagnostics()
	if err != nil {
		t.Fatal(err)
	}
	if pubs[0].URI != "file:///t/a.json" || !pubs[0].HasDiagnostics || len(first) != 1 || first[0].Range.End.Character != 9 ||
		pubs[1].URI != "file:///t/b.json" || pubs[1].HasDiagnostics {
		t.Errorf("published %+v, %+v", pubs, first)
	}
	if err := c.Shutdown(ctx); err != nil { // Call matches the answer by its id (2)
		t.Fatal(err)
	}
	if notes := c.Notifications(); len(notes) != 1 || notes[0].Method != "window/logMessage" {
		t.Errorf("notifications %+v, want the log line", notes)
	}
}

// TestRecordThenFloor records replay playing a recording back, as it
// records the real server, then times the pipe with the new recording.
func TestRecordThenFloor(t *testing.T) {
	bin := buildReplay(t)
	dir := t.TempDir()
	from, again := filepath.Join(dir, "scan.lsp"), filepath.Join(dir, "again.lsp")
	if err := os.WriteFile(from, recorded, 0o644); err != nil {
		t.Fatal(err)
	}
	// The recorder runs its server (replay again) without REPLAY_RECORD.
	t.Setenv("REPLAY_RECORD", again)
	t.Setenv("REPLAY_SERVER", bin)
	t.Setenv("REPLAY_FROM", from)
	c, err := lspclient.Start(bin, "", "serve")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Initialize(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitPublished(ctx, func(p []lspclient.Published) bool { return len(p) == 2 }); err != nil {
		t.Fatal(err)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	// The ids are the client's again (1 and 2), in JSON's key order.
	rec, err := split(got)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := split(recorded)
	if string(rec.stream) != string(want.stream) || len(rec.answers) != 2 {
		t.Fatalf("recorded again:\n%s\nwant the same stream", got)
	}
	for i, a := range rec.answers {
		var m struct{ ID int }
		if json.Unmarshal(a, &m) != nil || m.ID != i+1 {
			t.Errorf("answer %d: %s, want id %d", i, a, i+1)
		}
	}
	out, err := exec.Command(bin, "-floor", again).Output()
	if err != nil {
		t.Fatal(err)
	}
	var seconds float64
	var frames int
	if _, err := fmt.Sscan(string(out), &seconds, &frames); err != nil || frames != 1 {
		t.Errorf("replay -floor: %q, want the seconds and 1 frame", out)
	}
}

var recordingFlag = flag.String("recording", "", "a recording of the real server, for BenchmarkClientDecode")

// BenchmarkClientDecode decodes a recording's stream as coldscan's client
// (internal/lspclient.Decode) does each frame: checked to be valid JSON, a
// publish's URI, version and number of diagnostics picked out. It is the
// client's decode share of the floor, without the pipe. encoding-json is
// the same stream decoded as the client did before the thirteenth pass
// (json.Unmarshal of each frame, then of a publish's params with every
// diagnostic): the yardstick beside it.
//
//	go test ./bench/replay -run - -bench ClientDecode -benchmem -recording /tmp/scan.lsp
func BenchmarkClientDecode(b *testing.B) {
	if *recordingFlag == "" {
		b.Skip("no -recording")
	}
	rec, err := load(*recordingFlag)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("client", func(b *testing.B) {
		eachBody(b, rec.stream, func(body []byte) error {
			_, err := lspclient.Decode(body, time.Time{})
			return err
		})
	})
	b.Run("encoding-json", func(b *testing.B) {
		eachBody(b, rec.stream, func(body []byte) error {
			var m struct {
				Method string
				Params json.RawMessage
			}
			if err := json.Unmarshal(body, &m); err != nil || m.Method != "textDocument/publishDiagnostics" {
				return err
			}
			var p struct {
				URI         string
				Version     *int
				Diagnostics []lspclient.Diagnostic
			}
			return json.Unmarshal(m.Params, &p)
		})
	})
}

// eachBody runs decode on the body of each frame of stream, b.N times.
func eachBody(b *testing.B, stream []byte, decode func([]byte) error) {
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		for data := stream; len(data) > 0; {
			_, body, rest, err := cutFrame(data)
			if err != nil {
				b.Fatal(err)
			}
			data = rest
			if err := decode(body); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// buildReplay builds replay for a test, which it skips with -short.
func buildReplay(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "replay")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
