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
	"strings"
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
	policies := flag.Int("governed", 0, "edit an identity and a bucket policy of a governed folder of this many policies instead")
	dir := flag.String("dir", "", "with -governed: the folder to write it into (default: a temporary folder, removed after)")
	scanTimeout := flag.Duration("scan-timeout", 10*time.Minute, "with -governed: how long the first scan may take")
	flag.BoolVar(&printLatencies, "latencies", false, "with -governed: also print each version's latency in ms, in the order typed, and when the typing began and ended")
	flag.BoolVar(&afterScan, "after-scan", false, "with -governed: wait for the first scan to end (every file it read analysed and published) before typing, instead of typing as soon as the folder is read")
	flag.StringVar(&serverLog, "server-log", "", "with -governed: write the server's log (its stderr) to this file at the end; run with GODEBUG=gctrace=1 to see its collections, at seconds since it started, beside -latencies")
	serverFlags := flag.String("server-flags", "", "flags for the server after serve, split at spaces: \"--cpuprofile F --cache off\" profiles the server through the typing")
	into := flag.String("into", string(IntoSid), "with -governed: where to type, \"sid\" (the first Sid: a character typed and taken back) or \"action\" (the first Action string: its last characters taken back and typed again, which changes what the policy allows)")
	flag.Parse()
	serveArgs = append(serveArgs, strings.Fields(*serverFlags)...)
	if *server == "" {
		fmt.Fprintln(os.Stderr, "usage: keystrokes -server PATH [-edits 500] [-rate 50] [-size 20480] [-budget 50ms] [-governed N [-dir DIR] [-scan-timeout 10m] [-into sid|action] [-after-scan]] [-server-flags \"--cpuprofile F\"]")
		os.Exit(2)
	}
	if *into != string(IntoSid) && *into != string(IntoAction) {
		fmt.Fprintf(os.Stderr, "keystrokes: -into %q: want sid or action\n", *into)
		os.Exit(2)
	}
	if *policies > 0 {
		os.Exit(mainGoverned(*server, *dir, *policies, *edits, *rate, *budget, *scanTimeout, Target(*into)))
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

// mainGoverned runs RunGoverned and prints one line for each edited policy.
func mainGoverned(server, dir string, n, edits int, rate float64, budget, scanTimeout time.Duration, into Target) int {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "keystrokes-governed-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "keystrokes:", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	r, err := RunGoverned(server, dir, n, edits, rate, scanTimeout, into)
	if err != nil {
		fmt.Fprintln(os.Stderr, "keystrokes:", err)
		return 1
	}
	scanned := "read it"
	if afterScan {
		scanned = "was over"
	}
	fmt.Printf("keystrokes: governed folder of %d policies; the first scan %s %.2f s after initialize (its progress said it still analysed the closed files when the typing began: %v)\n", n, scanned, r.Scan.Seconds(), r.Analysing)
	over := false
	for _, e := range []struct {
		what string
		r    Result
	}{{"identity policy", r.Identity}, {"bucket policy", r.Bucket}} {
		fmt.Printf("keystrokes: %d edits at %.0f/s to the %s, into its first %s, %d publishes: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (budget p99 <= %v)\n",
			edits, rate, e.what, into.element(), e.r.Publishes, ms(e.r.P50), ms(e.r.P95), ms(e.r.P99), ms(e.r.Max), budget)
		over = over || e.r.P99 > budget
		if printLatencies {
			var b strings.Builder
			for _, l := range e.r.Latencies {
				fmt.Fprintf(&b, " %.0f", ms(l))
			}
			fmt.Printf("keystrokes: %s latencies (ms), typed from %.3f s to %.3f s after the server started:%s\n", e.what, e.r.Typing[0].Seconds(), e.r.Typing[1].Seconds(), b.String())
		}
	}
	if r.PeakRSSKB > 0 {
		fmt.Printf("keystrokes: the server's peak RSS once the typing was over: %.1f MB\n", float64(r.PeakRSSKB)/1024)
	}
	if over {
		fmt.Println("keystrokes: p99 over budget")
		return 1
	}
	return 0
}

// printLatencies is the -latencies flag: where in the run the slow edits are.
var printLatencies bool

// afterScan is the -after-scan flag: type once the first scan is over,
// as a user who opened the workspace a while ago, rather than while the
// server still analyses the files the scan read.
var afterScan bool

// serverLog is the -server-log flag: a file for the server's stderr.
var serverLog string

// serveArgs are the server's arguments: serve, then the -server-flags,
// such as a CPU profile of the server while it answers the typing.
var serveArgs = []string{"serve"}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Result is what Run measured.
type Result struct {
	Latencies          []time.Duration // by version, from the second
	P50, P95, P99, Max time.Duration
	Publishes          int
	// Typing is when the first edit was due and when the last was
	// published, since the server started (RunGoverned only).
	Typing [2]time.Duration
}

// Run starts the server, opens a generated bucket policy of about size
// bytes, and sends edits at rate a second: each types one character into
// a Sid or takes one back, as a ranged change.
func Run(server string, edits int, rate float64, size int) (Result, error) {
	c, err := lspclient.Start(server, os.TempDir(), serveArgs...)
	if err != nil {
		return Result{}, err
	}
	defer c.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), editTime(edits, rate)+60*time.Second)
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
	r, err := typeInto(ctx, c, uri, text, edits, rate, IntoSid)
	if err != nil {
		return r, err
	}
	return r, c.Shutdown(ctx)
}

func editTime(edits int, rate float64) time.Duration {
	return time.Duration(float64(edits) / rate * float64(time.Second))
}

// Target is where the edits type.
type Target string

const (
	// IntoSid types characters into the first Sid and takes them back: a
	// Sid decides nothing.
	IntoSid Target = "sid"
	// IntoAction takes back the last characters of the first Action
	// string and types them again (s3:GetObject, s3:GetObjec, ...): each
	// version allows other requests, as a user editing an action does.
	IntoAction Target = "action"
)

// element names the element a target types into.
func (t Target) element() string {
	if t == IntoAction {
		return "Action string"
	}
	return "Sid"
}

// step makes one edit to text, whose element ends (before its closing
// quote) at end in the original text and held word there, when away
// characters were typed into it (Sid) or taken back (Action): one more
// (forward) or one fewer. It returns the new text and the change as
// didChange sends it.
func (t Target) step(text []byte, end int, word []byte, away int, forward bool) ([]byte, map[string]any) {
	m := mapper.New(text)
	at, insert := end+away, "x" // Sid: the next character typed
	switch {
	case t == IntoSid && !forward:
		at, insert = end+away-1, ""
	case t == IntoAction && forward: // the Action's last character left taken back
		at, insert = end-away-1, ""
	case t == IntoAction: // typed again
		at, insert = end-away, string(word[len(word)-away])
	}
	if insert == "" {
		return slices.Delete(text, at, at+1), map[string]any{"text": "", "range": map[string]any{"start": m.Position(at), "end": m.Position(at + 1)}}
	}
	pos := m.Position(at)
	return slices.Insert(text, at, insert[0]), map[string]any{"text": insert, "range": map[string]any{"start": pos, "end": pos}}
}

// typeInto sends edits to the open document uri (at version 1, text) at
// rate a second, into the element into says, up to five characters away
// from the text and back, and measures each version's latency to the
// publish that covers it.
func typeInto(ctx context.Context, c *lspclient.Client, uri string, text []byte, edits int, rate float64, into Target) (Result, error) {
	key := `"Sid": "`
	if into == IntoAction {
		key = `"Action": ["`
	}
	at := bytes.Index(text, []byte(key))
	if at < 0 {
		return Result{}, fmt.Errorf("%s has no %s to type into", uri, into.element())
	}
	end := at + len(key) + bytes.IndexByte(text[at+len(key):], '"') // before the closing quote
	word := slices.Clone(text[at+len(key) : end])
	if into == IntoAction && len(word) < 6 {
		return Result{}, fmt.Errorf("%s: the Action %q is too short to take five characters back", uri, word)
	}
	sent := make([]time.Time, edits+2)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	away := 0 // characters typed (Sid) or taken back (Action)
	for v := 2; v <= edits+1; v++ {
		<-tick.C
		forward := away < 5 && (v%7 != 0 || away == 0)
		var change map[string]any
		text, change = into.step(text, end, word, away, forward)
		if forward {
			away++
		} else {
			away--
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
	return latencies(c.Published(), uri, sent, edits)
}

// latencies matches each version 2..edits+1 of uri with the first publish
// that covers it, and fails when an older version is published after a
// newer one.
func latencies(pubs []lspclient.Published, uri string, sent []time.Time, edits int) (Result, error) {
	var mine []lspclient.Published
	last := 0
	for _, p := range pubs {
		if p.URI != uri || p.Version == nil {
			continue
		}
		if *p.Version < last {
			return Result{}, fmt.Errorf("%s: version %d published after version %d", uri, *p.Version, last)
		}
		last = *p.Version
		mine = append(mine, p)
	}
	r := Result{}
	next := 0
	for v := 2; v <= edits+1; v++ {
		for next < len(mine) && *mine[next].Version < v {
			next++
		}
		if next == len(mine) {
			return Result{}, fmt.Errorf("%s: no publish covers version %d", uri, v)
		}
		r.Latencies = append(r.Latencies, mine[next].At.Sub(sent[v]))
	}
	for _, p := range mine {
		if *p.Version >= 2 {
			r.Publishes++
		}
	}
	sorted := slices.Clone(r.Latencies)
	slices.Sort(sorted)
	pct := func(p float64) time.Duration { return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))] }
	r.P50, r.P95, r.P99, r.Max = pct(0.50), pct(0.95), pct(0.99), sorted[len(sorted)-1]
	return r, nil
}
