package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// TestServerWritesNothingConnectsNowhereStartsNothing runs the binary
// under strace on a copy of examples/ as its workspace, opens every
// example file, asks for every code action, hover, completion and symbol,
// saves, closes and exits; then asserts from the system calls that it
// made no network call, started no process (threads aside) and opened
// nothing for writing, and from the tree that no file changed. Edits are
// the client's to apply: the server only proposes them.
func TestServerWritesNothingConnectsNowhereStartsNothing(t *testing.T) {
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
	trace := filepath.Join(t.TempDir(), "strace.txt")

	c, err := lspclient.Start(strace, workspace, "-f", "-qq", "-o", trace,
		"-e", "trace=%network,%process,open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,truncate,ftruncate,link,linkat,symlink,symlinkat,chmod,fchmodat,utimensat",
		bin, "serve")
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
	files := exercise(ctx, t, c, workspace)
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// The trace saw the server: its start and its reads of the workspace.
	if !strings.Contains(string(raw), "execve(\""+bin) || !strings.Contains(string(raw), `openat(AT_FDCWD, "`+workspace+"/") {
		t.Fatalf("the trace does not show the server at work:\n%.4000s", raw)
	}
	for _, bad := range forbiddenCalls(string(raw)) {
		t.Errorf("forbidden system call: %s", bad)
	}
	if after := snapshot(t, workspace); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the workspace changed:\nbefore %v\nafter  %v", before, after)
	}
	t.Logf("%d files exercised, %d lines of system calls checked", files, strings.Count(string(raw), "\n"))
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
		for _, d := range pub.Diagnostics {
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

// forbiddenCalls picks from an strace log the calls a language server
// must not make: any socket, a process start (execve after the server's
// own, fork, or clone without CLONE_THREAD), and any file opened for
// writing, created, renamed, removed or changed.
func forbiddenCalls(log string) []string {
	var bad []string
	execs := 0
	network := regexp.MustCompile(`\b(socket|socketpair|connect|bind|listen|accept4?|sendto|sendmsg)\(`)
	creating := regexp.MustCompile(`\b(creat|rename|renameat2?|unlink|unlinkat|mkdir|mkdirat|rmdir|truncate|ftruncate|link|linkat|symlink|symlinkat|chmod|fchmodat|utimensat)\(`)
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
		case network.MatchString(line), creating.MatchString(line):
			bad = append(bad, line)
		case strings.Contains(line, "open") && regexp.MustCompile(`O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND`).MatchString(line):
			bad = append(bad, line)
		}
	}
	return bad
}

// TestForbiddenCallsAreCaught feeds the detector the lines strace writes
// for what the server must not do, and for what it does.
func TestForbiddenCallsAreCaught(t *testing.T) {
	allowed := []string{
		`100 execve("/tmp/s3policy-lsp", ["/tmp/s3policy-lsp", "serve"], 0x7ffd /* 39 vars */) = 0`,
		`101 clone(child_stack=0xc000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS, tls=0xc0) = 102`,
		`100 openat(AT_FDCWD, "/w/.s3policy.json", O_RDONLY|O_CLOEXEC) = 7`,
		`100 openat(AT_FDCWD, "/w", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 8`,
	}
	forbidden := []string{
		`100 execve("/bin/sh", ["sh", "-c", "curl"], 0x7ffd /* 39 vars */) = 0`,
		`101 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 103`,
		`101 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 104`,
		`100 vfork() = 105`,
		`100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 9`,
		`100 connect(9, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("1.2.3.4")}, 16) = 0`,
		`100 openat(AT_FDCWD, "/w/a.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 10`,
		`100 openat(AT_FDCWD, "/w/a.json", O_RDWR|O_CLOEXEC) = 10`,
		`100 renameat(AT_FDCWD, "/w/a.tmp", AT_FDCWD, "/w/a.json") = 0`,
		`100 unlinkat(AT_FDCWD, "/w/a.json", 0) = 0`,
		`100 mkdirat(AT_FDCWD, "/w/d", 0777) = 0`,
	}
	log := strings.Join(append(allowed, forbidden...), "\n")
	if got := forbiddenCalls(log); fmt.Sprint(got) != fmt.Sprint(forbidden) {
		t.Fatalf("caught\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(forbidden, "\n"))
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
