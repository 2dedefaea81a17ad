// Command startup measures the server binary from process start to the
// answer to initialize, and its resident memory once initialized and
// idle, over many runs; it reports the median and p95 of each and fails
// when a p95 is over its budget.
//
//	go build -o /tmp/s3policy-lsp ./cmd/s3policy-lsp
//	go run ./bench/startup -server /tmp/s3policy-lsp -runs 50
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

func main() {
	server := flag.String("server", "", "the s3policy-lsp binary")
	runs := flag.Int("runs", 50, "runs")
	startBudget := flag.Duration("budget", 50*time.Millisecond, "start-up budget")
	rssBudget := flag.Int("rss-budget-mb", 50, "idle RSS budget, MB")
	flag.Parse()
	if *server == "" {
		fmt.Fprintln(os.Stderr, "usage: startup -server PATH [-runs 50]")
		os.Exit(2)
	}
	var starts []time.Duration
	var rss []int
	for range *runs {
		d, kb, err := once(*server)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		starts, rss = append(starts, d), append(rss, kb)
	}
	slices.Sort(starts)
	slices.Sort(rss)
	p := func(n int, q float64) int { return min(n-1, int(q*float64(n))) }
	s50, s95 := starts[p(len(starts), 0.5)], starts[p(len(starts), 0.95)]
	r50, r95 := rss[p(len(rss), 0.5)], rss[p(len(rss), 0.95)]
	fmt.Printf("startup: %d runs: start to initialize answer median %.1f ms, p95 %.1f ms (budget %v); idle RSS median %.1f MB, p95 %.1f MB (budget %d MB)\n",
		*runs, ms(s50), ms(s95), *startBudget, float64(r50)/1024, float64(r95)/1024, *rssBudget)
	if s95 > *startBudget || r95 > *rssBudget*1024 {
		fmt.Println("startup: over budget")
		os.Exit(1)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// once starts the server, times initialize, reads its RSS once it has
// answered a request after initialized (idle: no document open), and
// shuts it down.
func once(server string) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t0 := time.Now()
	c, err := lspclient.Start(server, os.TempDir(), "serve")
	if err != nil {
		return 0, 0, err
	}
	defer c.Kill()
	if _, err := c.Call(ctx, "initialize", map[string]any{"processId": nil, "capabilities": map[string]any{}}); err != nil {
		return 0, 0, err
	}
	took := time.Since(t0)
	if err := c.Notify("initialized", map[string]any{}); err != nil {
		return 0, 0, err
	}
	// A request answered after initialized: the server has settled.
	if _, err := c.Call(ctx, "workspace/executeCommand", map[string]any{"command": "none"}); err == nil {
		return 0, 0, fmt.Errorf("an unknown command was accepted")
	}
	kb, err := lspclient.StatusKB(c.Pid(), "VmRSS")
	if err != nil {
		return 0, 0, err
	}
	return took, kb, c.Shutdown(ctx)
}
