package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// GovernedResult is what RunGoverned measured: the first scan, then the
// edits to an identity policy and to a bucket policy of the folder.
type GovernedResult struct {
	Scan             time.Duration // initialize answered → the scan has read the folder (with -after-scan, has ended)
	Analysing        bool          // the server was still analysing the scan's files when the typing began
	Identity, Bucket Result
	PeakRSSKB        int // the server's peak RSS once the typing was over (VmHWM)
}

// RunGoverned writes a governed folder of n policies (bench/governed) into
// dir, starts the server with it as the workspace folder, waits for the
// first scan to have read the folder (the work-done progress the server
// reports says "analysing", or ends; with -after-scan, ends), opens the folder's first identity
// policy and first bucket policy, and types into each in turn as Run
// does (into the element into says), while the server may still analyse
// the closed files it read.
// scanTimeout bounds the wait for the scan.
func RunGoverned(server, dir string, n, edits int, rate float64, scanTimeout time.Duration, into Target) (GovernedResult, error) {
	var res GovernedResult
	root, err := filepath.Abs(dir)
	if err != nil {
		return res, err
	}
	layout, err := governed.Write(root, n)
	if err != nil {
		return res, err
	}
	c, err := lspclient.Start(server, root, serveArgs...)
	if err != nil {
		return res, err
	}
	started := time.Now()
	defer c.Kill()
	if serverLog != "" {
		// Written after the server exits, or after a failure: the log
		// (GODEBUG=gctrace=1's collections, at seconds since the process
		// started) says what the server did while the user typed.
		defer func() { _ = os.WriteFile(serverLog, []byte(c.Log()), 0o644) }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), scanTimeout+2*editTime(edits, rate)+2*time.Minute)
	defer cancel()
	if err := c.InitializeWithProgress(ctx, fileURI(root)); err != nil {
		return res, err
	}
	t0 := time.Now()
	scanCtx, scanCancel := context.WithTimeout(ctx, scanTimeout)
	defer scanCancel()
	if _, err := c.WaitPublished(scanCtx, func([]lspclient.Published) bool { return c.ProgressEnded() || !afterScan && analysing(c) }); err != nil {
		return res, fmt.Errorf("the first scan of %d policies did not end: %w", n, err)
	}
	res.Scan = time.Since(t0)
	res.Analysing = !c.ProgressEnded()

	docs := []struct {
		rel string
		out *Result
	}{{layout.Identity, &res.Identity}, {layout.Bucket, &res.Bucket}}
	texts := make([][]byte, len(docs))
	for i, d := range docs {
		if texts[i], err = os.ReadFile(filepath.Join(root, filepath.FromSlash(d.rel))); err != nil {
			return res, err
		}
		if err := c.Open(fileURI(filepath.Join(root, d.rel)), 1, string(texts[i])); err != nil {
			return res, err
		}
	}
	for i, d := range docs {
		uri := fileURI(filepath.Join(root, d.rel))
		if _, err := c.WaitVersion(ctx, uri, 1); err != nil {
			return res, fmt.Errorf("%s opened but not published: %w", d.rel, err)
		}
		began := time.Since(started)
		if *d.out, err = typeInto(ctx, c, uri, texts[i], edits, rate, into); err != nil {
			return res, err
		}
		d.out.Typing = [2]time.Duration{began, time.Since(started)}
	}
	res.PeakRSSKB, _ = lspclient.StatusKB(c.Pid(), "VmHWM") // 0 where /proc has none
	return res, c.Shutdown(ctx)
}

// analysing reports whether the server's progress said that the scan has
// read the folder and analyses its files (a server from before it did
// ended the progress there).
func analysing(c *lspclient.Client) bool {
	for _, m := range c.Notifications() {
		var p struct {
			Value struct{ Kind, Message string } `json:"value"`
		}
		if m.Method == "$/progress" && json.Unmarshal(m.Params, &p) == nil && p.Value.Kind == "report" && strings.HasPrefix(p.Value.Message, "analysing") {
			return true
		}
	}
	return false
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
