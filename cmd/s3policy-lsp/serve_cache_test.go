package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// The cache's folder: the flag, else the environment, else the user's
// cache folder; "off" for none.
func TestServeCacheDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home) // macOS: ~/Library/Caches
	t.Setenv(cacheEnv, "")
	userCache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := serveCacheDir(""), filepath.Join(userCache, "s3policy-lsp"); got != want {
		t.Errorf("default %q, want %q", got, want)
	}
	t.Setenv(cacheEnv, "off")
	if got := serveCacheDir(""); got != "" {
		t.Errorf("%s=off: %q", cacheEnv, got)
	}
	if got := serveCacheDir("/elsewhere"); got != "/elsewhere" {
		t.Errorf("the flag loses to the environment: %q", got)
	}
	t.Setenv(cacheEnv, "/from/env")
	if got := serveCacheDir(""); got != "/from/env" {
		t.Errorf("environment: %q", got)
	}
	if got := serveCacheDir("off"); got != "" {
		t.Errorf("--cache off: %q", got)
	}
}

// The binary started twice on a governed folder: the second publishes the
// first's diagnostics from the cache (its log says so), the same bytes.
func TestServeKeepsTheFirstScansDiagnosticsForTheNextStart(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "ws")
	if err := os.CopyFS(dir, os.DirFS("../../examples/cross-account/kms-key-policy")); err != nil {
		t.Fatal(err)
	}
	t.Setenv(cacheEnv, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run := func(wantLog string) map[string][]lspclient.Diagnostic {
		t.Helper()
		c, err := lspclient.Start(bin, dir, "serve")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Kill)
		if err := c.Initialize(ctx, "file://"+filepath.ToSlash(dir)); err != nil {
			t.Fatal(err)
		}
		// Each way the cache's keeping ends is logged: wait for it, then
		// look for the line wanted, so that a wrong ending fails at once
		// with the log that says which.
		if _, err := c.WaitPublished(ctx, func([]lspclient.Published) bool { return cacheKept(c) }); err != nil {
			t.Fatalf("the cache's keeping never ended: %v\n%s", err, c.Stacks(10*time.Second))
		}
		if !logged(c, wantLog) {
			t.Fatalf("no log %q\n%s", wantLog, c.Log())
		}
		last := map[string][]lspclient.Diagnostic{}
		for _, p := range c.Published() {
			if last[p.URI], err = p.Diagnostics(); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		return last
	}
	first := run("diagnostics cache: kept 0 roots unchanged and wrote 1 (3 files)")
	second := run("diagnostics cache: published 3 files of " + dir + " from the cache")
	if len(first) != 3 || !reflect.DeepEqual(first, second) {
		t.Errorf("first run %v\nsecond %v", first, second)
	}
}

// cacheKept reports whether the server logged the end of keeping the
// first scan's diagnostics (lsp's scanCache.keep), however it ended.
func cacheKept(c *lspclient.Client) bool {
	return logged(c, "diagnostics cache: kept ") || logged(c, "nothing kept for the next start")
}

// logged reports whether the server logged a message containing text.
func logged(c *lspclient.Client, text string) bool {
	for _, n := range c.Notifications() {
		var p struct{ Message string }
		if n.Method == "window/logMessage" && json.Unmarshal(n.Params, &p) == nil && strings.Contains(p.Message, text) {
			return true
		}
	}
	return false
}
