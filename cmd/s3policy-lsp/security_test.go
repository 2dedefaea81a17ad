package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// TestServerWritesNothingConnectsNowhereStartsNothing runs the binary
// under strace on a copy of examples/ as its workspace, with the
// diagnostics cache off, opens every example file, asks for every code
// action, hover, completion and symbol, saves, closes and exits; then
// asserts from the system calls that it made no network call, started no
// process (threads aside) and opened nothing for writing, and from the
// tree that no file changed. Edits are the client's to apply: the server
// only proposes them.
func TestServerWritesNothingConnectsNowhereStartsNothing(t *testing.T) {
	trace, _ := traceServer(t, false)
	for _, bad := range forbiddenCalls(trace, "") {
		t.Errorf("forbidden system call: %s", bad)
	}
}

// TestServerWritesOnlyItsCacheByDefault is the same run as the shipped
// binary runs: S3POLICY_LSP_CACHE unset, the diagnostics cache in the
// user's cache folder (XDG_CACHE_HOME, a temporary one here, which holds
// the folders of five workspaces scanned before, so that the server
// removes the oldest). The requests begin once the first scan has kept
// its diagnostics. Every file the server creates, writes, renames or
// removes is under that folder; still no socket, no process.
func TestServerWritesOnlyItsCacheByDefault(t *testing.T) {
	trace, cache := traceServer(t, true)
	for _, bad := range forbiddenCalls(trace, cache) {
		t.Errorf("forbidden system call: %s", bad)
	}
	workspaces, err := os.ReadDir(filepath.Join(cache, "s3policy-lsp", "v1"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range workspaces {
		names = append(names, w.Name())
	}
	if len(names) != 5 || slices.Contains(names, "old-0") || !slices.Contains(names, "old-1") {
		t.Errorf("the cache's workspaces after the run: %v, want old-1 to old-4 and the workspace's (old-0, the oldest, removed)", names)
	}
	// The trace shows it: an entry renamed into place, old-0 removed.
	entry := regexp.MustCompile(`renameat2?\(.*, "` + regexp.QuoteMeta(filepath.Join(cache, "s3policy-lsp", "v1")) + `/[0-9a-f]{32}/[0-9a-f]{64}\` + cacheEntryExtension + `"\) = 0`)
	if !entry.MatchString(trace) || !strings.Contains(trace, `, "old-0", AT_REMOVEDIR) = 0`) {
		t.Errorf("the trace does not show the cache written (an entry renamed into place) and the oldest workspace removed")
	}
}

// cacheEntryExtension ends the name of a diagnostics cache entry.
const cacheEntryExtension = ".diags"

// traceServer runs the binary under strace (strace -y: each file
// descriptor with its path) on a copy of examples/, exercises every file
// of it and shuts it down; it checks that the trace shows the server
// reading the workspace and that the workspace is unchanged, and returns
// the trace. With cacheOn, the server runs as shipped with its cache in a
// temporary XDG_CACHE_HOME, returned, and the requests wait until the
// first scan has kept its diagnostics there; otherwise with
// S3POLICY_LSP_CACHE=off.
func traceServer(t *testing.T, cacheOn bool) (trace, cache string) {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed (apt-get install strace; .ci/run installs it): skipping the system-call test")
	}
	bin := buildBinary(t)
	workspace := filepath.Join(t.TempDir(), "workspace")
	if err := os.CopyFS(workspace, os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, workspace)
	traceFile := filepath.Join(t.TempDir(), "strace.txt")
	env := []string{"-E", "S3POLICY_LSP_CACHE=off"}
	if cacheOn {
		cache = t.TempDir()
		seedCacheWorkspaces(t, filepath.Join(cache, "s3policy-lsp", "v1"))
		env = []string{"-E", "S3POLICY_LSP_CACHE", "-E", "XDG_CACHE_HOME=" + cache} // -E NAME unsets it
	}
	args := append([]string{"-f", "-qq", "-y", "-o", traceFile}, env...)
	args = append(args, "-e", "trace=%network,%process,open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,truncate,ftruncate,link,linkat,symlink,symlinkat,chmod,fchmodat,utimensat",
		bin, "serve")
	c, err := lspclient.Start(strace, workspace, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Kill)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	root := "file://" + filepath.ToSlash(workspace)
	if err := c.Initialize(ctx, root); err != nil {
		t.Fatal(err)
	}
	if cacheOn {
		if kept := awaitLog(ctx, c, "diagnostics cache: kept"); !strings.Contains(kept, "wrote") {
			t.Fatalf("the first scan kept no diagnostics: %q", kept)
		}
	}
	files := exercise(ctx, t, c, workspace)
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(traceFile)
	if err != nil {
		t.Fatal(err)
	}
	trace = string(raw)
	// The trace saw the server: its start and its reads of the workspace.
	if !strings.Contains(trace, "execve(\""+bin) || !strings.Contains(trace, `, "`+workspace+"/") {
		t.Fatalf("the trace does not show the server at work:\n%.4000s", trace)
	}
	if after := snapshot(t, workspace); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the workspace changed:\nbefore %v\nafter  %v", before, after)
	}
	t.Logf("%d files exercised, %d lines of system calls checked", files, strings.Count(trace, "\n"))
	return trace, cache
}

// seedCacheWorkspaces makes the folders of five workspaces a server
// scanned before, old-0 the least recently (an hour ago), each with an
// entry.
func seedCacheWorkspaces(t *testing.T, dir string) {
	t.Helper()
	for i := range 5 {
		ws := filepath.Join(dir, fmt.Sprintf("old-%d", i))
		if err := os.MkdirAll(ws, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, strings.Repeat("0", 64)+cacheEntryExtension), []byte("stale"), 0o600); err != nil {
			t.Fatal(err)
		}
		used := time.Now().Add(time.Duration(i-60) * time.Minute)
		if err := os.Chtimes(ws, used, used); err != nil {
			t.Fatal(err)
		}
	}
}

// awaitLog waits for a window/logMessage that contains text and returns
// it.
func awaitLog(ctx context.Context, c *lspclient.Client, text string) string {
	var found string
	_, _ = c.WaitPublished(ctx, func([]lspclient.Published) bool {
		for _, m := range c.Notifications() {
			var p struct{ Message string }
			if m.Method == "window/logMessage" && json.Unmarshal(m.Params, &p) == nil && strings.Contains(p.Message, text) {
				found = p.Message
				return true
			}
		}
		return false
	})
	return found
}

// exercise opens every JSON file of the workspace and runs every request
// the server offers on it; it returns how many files it opened.
func exercise(ctx context.Context, t *testing.T, c *lspclient.Client, workspace string) int {
	t.Helper()
	var paths []string
	_ = filepath.WalkDir(workspace, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return err
	})
	for i, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		uri := "file://" + filepath.ToSlash(p)
		doc := map[string]any{"uri": uri}
		if err := c.Open(uri, 1, string(src)); err != nil {
			t.Fatal(err)
		}
		pub, err := c.WaitVersion(ctx, uri, 1)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ds, err := pub.Diagnostics()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			at := map[string]any{"textDocument": doc, "position": d.Range.Start}
			for _, call := range []struct {
				method string
				params any
			}{
				{"textDocument/codeAction", map[string]any{"textDocument": doc, "range": d.Range, "context": map[string]any{"diagnostics": []any{d}}}},
				{"textDocument/hover", at},
				{"textDocument/completion", at},
			} {
				if _, err := c.Call(ctx, call.method, call.params); err != nil {
					t.Fatalf("%s %s: %v", p, call.method, err)
				}
			}
		}
		if _, err := c.Call(ctx, "textDocument/documentSymbol", map[string]any{"textDocument": doc}); err != nil {
			t.Fatal(err)
		}
		_ = c.Notify("textDocument/didSave", map[string]any{"textDocument": doc, "text": string(src)})
		_ = c.Notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": uri, "type": 2}}})
		if i%2 == 0 {
			_ = c.Notify("textDocument/didClose", map[string]any{"textDocument": doc})
		}
	}
	if len(paths) < 50 {
		t.Fatalf("only %d example files", len(paths))
	}
	return len(paths)
}

// forbiddenCalls picks from an strace -y log the calls a language
// server must not make: any socket, a process start (execve after the
// server's own, fork, or clone without CLONE_THREAD), and any file opened
// for writing, created, renamed, removed or changed, unless every path
// the call names is under writable ("": none is).
func forbiddenCalls(log, writable string) []string {
	var bad []string
	execs := 0
	network := regexp.MustCompile(`\b(socket|socketpair|connect|bind|listen|accept4?|sendto|sendmsg)\(`)
	creating := regexp.MustCompile(`\b(creat|rename|renameat2?|unlink|unlinkat|mkdir|mkdirat|rmdir|truncate|ftruncate|link|linkat|symlink|symlinkat|chmod|fchmodat|utimensat)\(`)
	writing := regexp.MustCompile(`O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND`)
	for _, line := range strings.Split(log, "\n") {
		switch {
		case strings.Contains(line, "execve("):
			if execs++; execs > 1 {
				bad = append(bad, line)
			}
		case strings.Contains(line, "fork("), strings.Contains(line, "vfork("):
			bad = append(bad, line)
		case (strings.Contains(line, "clone(") || strings.Contains(line, "clone3(")) && !strings.Contains(line, "CLONE_THREAD"):
			bad = append(bad, line)
		case network.MatchString(line):
			bad = append(bad, line)
		case creating.MatchString(line), strings.Contains(line, "open") && writing.MatchString(line):
			if !allUnder(pathsOf(line), writable) {
				bad = append(bad, line)
			}
		}
	}
	return bad
}

// pathArg is a path as strace -y prints a call's arguments: a file
// descriptor (AT_FDCWD: the current folder) with its path in <>, and for
// the *at calls the name after it, relative to it; or a name alone.
var pathArg = regexp.MustCompile(`(?:(?:\d+|AT_FDCWD)<([^>]*)>(?:, "([^"]*)")?)|"([^"]*)"`)

// pathsOf lists the paths a traced call names, each made absolute; a
// name relative to no known folder is given as it is, under no folder.
func pathsOf(line string) []string {
	if open := strings.Index(line, "("); open >= 0 {
		line = line[open:] // past the process id and the call's name
	}
	var out []string
	for _, m := range pathArg.FindAllStringSubmatch(line, -1) {
		dir, name, alone := m[1], m[2], m[3]
		switch {
		case alone != "":
			out = append(out, alone)
		case name == "" || filepath.IsAbs(name):
			out = append(out, cmp.Or(name, dir))
		default:
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out
}

// allUnder reports whether there are paths and each is under dir ("":
// under none).
func allUnder(paths []string, dir string) bool {
	if dir == "" || len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return false
		}
	}
	return true
}

// TestForbiddenCallsAreCaught feeds the detector the lines strace -y
// writes for what the server must not do, and for what it does; a file
// written under the cache's folder is allowed only where the cache is
// on, and a name relative to a folder is judged where it leads.
func TestForbiddenCallsAreCaught(t *testing.T) {
	allowed := []string{
		`100 execve("/tmp/s3policy-lsp", ["/tmp/s3policy-lsp", "serve"], 0x7ffd /* 39 vars */) = 0`,
		`101 clone(child_stack=0xc000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS, tls=0xc0) = 102`,
		`100 openat(AT_FDCWD</w>, "/w/.s3policy.json", O_RDONLY|O_CLOEXEC) = 7</w/.s3policy.json>`,
		`100 openat(AT_FDCWD</w>, "/w", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 8</w>`,
	}
	inCache := []string{
		`100 mkdirat(AT_FDCWD</w>, "/c/s3policy-lsp/v1/ab", 0700) = 0`,
		`100 openat(AT_FDCWD</w>, "/c/s3policy-lsp/v1/ab/spool-1.tmp", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 9</c/s3policy-lsp/v1/ab/spool-1.tmp>`,
		`100 renameat(AT_FDCWD</w>, "/c/s3policy-lsp/v1/ab/entry-2.tmp", AT_FDCWD</w>, "/c/s3policy-lsp/v1/ab/cd.diags") = 0`,
		`100 utimensat(AT_FDCWD</w>, "/c/s3policy-lsp/v1/ab", [{tv_sec=1, tv_nsec=0}, {tv_sec=1, tv_nsec=0}], 0) = 0`,
		`100 unlinkat(10</c/s3policy-lsp/v1/old>, "00.diags", 0) = 0`,
	}
	forbidden := []string{
		`100 execve("/bin/sh", ["sh", "-c", "curl"], 0x7ffd /* 39 vars */) = 0`,
		`101 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 103`,
		`101 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 104`,
		`100 vfork() = 105`,
		`100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 9<socket:[123]>`,
		`100 connect(9<socket:[123]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("1.2.3.4")}, 16) = 0`,
		`100 openat(AT_FDCWD</w>, "/w/a.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 10</w/a.json>`,
		`100 openat(AT_FDCWD</w>, "/w/a.json", O_RDWR|O_CLOEXEC) = 10</w/a.json>`,
		`100 openat(AT_FDCWD</w>, "a.json", O_RDWR|O_CLOEXEC) = 10</w/a.json>`,
		`100 renameat(AT_FDCWD</w>, "/w/a.tmp", AT_FDCWD</w>, "/w/a.json") = 0`,
		`100 renameat(AT_FDCWD</w>, "/c/s3policy-lsp/v1/ab/e.tmp", AT_FDCWD</w>, "/w/a.json") = 0`,
		`100 unlinkat(AT_FDCWD</w>, "/w/a.json", 0) = 0`,
		`100 unlinkat(10</c/s3policy-lsp/v1>, "../../../w/a.json", 0) = 0`,
		`100 mkdirat(AT_FDCWD</w>, "/w/d", 0777) = 0`,
		`100 mkdirat(AT_FDCWD</w>, "/cache/d", 0777) = 0`,
		`100 ftruncate(11</w/a.json>, 0) = 0`,
	}
	for _, tc := range []struct {
		writable string
		want     []string
	}{{"", append(slices.Clone(inCache), forbidden...)}, {"/c", forbidden}} {
		log := strings.Join(slices.Concat(allowed, inCache, forbidden), "\n")
		if got := forbiddenCalls(log, tc.writable); !slices.Equal(got, tc.want) {
			t.Errorf("writable %q: caught\n%s\nwant\n%s", tc.writable, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// snapshot maps every file under dir to its size, mode and hash.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := ""
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		out[p] = fmt.Sprintf("%d %v %s %s", info.Size(), info.Mode(), info.ModTime().UTC().Format(time.RFC3339Nano), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
