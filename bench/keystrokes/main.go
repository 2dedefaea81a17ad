// Command keystrokes measures what a person typing sees: it drives the
// real server binary over stdio, sends didChange edits to a 20 KB bucket
// policy at a typing pace, and measures from each didChange to the
// publishDiagnostics that covers its version (a version the server
// coalesced away is covered by the next publish of a later one). It
// reports p50, p95, p99 and the maximum, and fails when an older version
// is published after a newer one or when p99 is over the budget.
//
//	go build -o /tmp/s3policy-lsp ./cmd/s3policy-lsp
//	go run ./bench/keystrokes -server /tmp/s3policy-lsp -edits 500 -rate 50
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

func main() {
	server := flag.String("server", "", "the s3policy-lsp binary")
	edits := flag.Int("edits", 500, "didChange edits to send")
	rate := flag.Float64("rate", 50, "edits a second")
	size := flag.Int("size", 20<<10, "policy size in bytes")
	budget := flag.Duration("budget", 50*time.Millisecond, "p99 budget")
	flag.Parse()
	if *server == "" {
		fmt.Fprintln(os.Stderr, "usage: keystrokes -server PATH [-edits 500] [-rate 50] [-size 20480] [-budget 50ms]")
		os.Exit(2)
	}
	r, err := Run(*server, *edits, *rate, *size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "keystrokes:", err)
		os.Exit(1)
	}
	fmt.Printf("keystrokes: %d edits at %.0f/s to a %d-byte policy, %d publishes: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (budget p99 <= %v)\n",
		*edits, *rate, *size, r.Publishes, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), *budget)
	if r.P99 > *budget {
		fmt.Println("keystrokes: p99 over budget")
		os.Exit(1)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Result is what Run measured.
type Result struct {
	Latencies          []time.Duration // by version, from the second
	P50, P95, P99, Max time.Duration
	Publishes          int
}

// Run starts the server, opens a generated bucket policy of about size
// bytes, and sends edits at rate a second: each types one character into
// a Sid or takes one back, as a ranged change.
func Run(server string, edits int, rate float64, size int) (Result, error) {
	c, err := lspclient.Start(server, os.TempDir(), "serve")
	if err != nil {
		return Result{}, err
	}
	defer c.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(float64(edits)/rate*float64(time.Second))+60*time.Second)
	defer cancel()
	if err := c.Initialize(ctx, ""); err != nil {
		return Result{}, err
	}
	const uri = "file:///bench/keystrokes.bucket-policy.json"
	text := policygen.Generate("bucket", size, 1)
	if err := c.Open(uri, 1, string(text)); err != nil {
		return Result{}, err
	}
	if _, err := c.WaitVersion(ctx, uri, 1); err != nil {
		return Result{}, err
	}

	// Type into the first Sid: "Statement0" grows and shrinks.
	sid := bytes.Index(text, []byte(`"Statement0"`)) + len(`"Statement0`)
	sent := make([]time.Time, edits+2)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	typed := 0
	for v := 2; v <= edits+1; v++ {
		<-tick.C
		m := mapper.New(text)
		var change map[string]any
		if typed < 5 && (v%7 != 0 || typed == 0) {
			pos := m.Position(sid + typed)
			change = map[string]any{"text": "x", "range": map[string]any{"start": pos, "end": pos}}
			text = slices.Insert(text, sid+typed, 'x')
			typed++
		} else {
			change = map[string]any{"text": "", "range": map[string]any{"start": m.Position(sid + typed - 1), "end": m.Position(sid + typed)}}
			text = slices.Delete(text, sid+typed-1, sid+typed)
			typed--
		}
		sent[v] = time.Now()
		if err := c.Notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{change}}); err != nil {
			return Result{}, err
		}
	}
	if _, err := c.WaitVersion(ctx, uri, edits+1); err != nil {
		return Result{}, err
	}
	pubs := c.Published()
	var mine []lspclient.Published
	last := 0
	for _, p := range pubs {
		if p.URI != uri || p.Version == nil {
			continue
		}
		if *p.Version < last {
			return Result{}, fmt.Errorf("version %d published after version %d", *p.Version, last)
		}
		last = *p.Version
		mine = append(mine, p)
	}
	r := Result{Publishes: len(mine)}
	next := 0
	for v := 2; v <= edits+1; v++ {
		for next < len(mine) && *mine[next].Version < v {
			next++
		}
		if next == len(mine) {
			return Result{}, fmt.Errorf("no publish covers version %d", v)
		}
		r.Latencies = append(r.Latencies, mine[next].At.Sub(sent[v]))
	}
	sorted := slices.Clone(r.Latencies)
	slices.Sort(sorted)
	pct := func(p float64) time.Duration { return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))] }
	r.P50, r.P95, r.P99, r.Max = pct(0.50), pct(0.95), pct(0.99), sorted[len(sorted)-1]
	if err := c.Shutdown(ctx); err != nil {
		return r, err
	}
	return r, nil
}
