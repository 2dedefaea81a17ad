// Command coldscan measures the server's cold start on a workspace: from
// process start to the diagnostics of every policy file of the folder,
// opened or not, and the server's peak RSS meanwhile. "Every" is what
// `check` finds on the same folder: the files it reports findings for.
//
//	go build -o /tmp/s3policy-lsp ./cmd/s3policy-lsp
//	go run ./bench/gentree -dir /tmp/tree -n 10000
//	go run ./bench/coldscan -server /tmp/s3policy-lsp -tree /tmp/tree
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

func main() {
	server := flag.String("server", "", "the s3policy-lsp binary")
	tree := flag.String("tree", "", "the workspace folder")
	profile := flag.String("cpuprofile", "", "have the server write a CPU profile here")
	traceFile := flag.String("trace", "", "have the server write an execution trace here (serve --trace; go tool trace): which goroutines kept the cores busy, and when; with -profile-timed it covers the timed part only")
	timeout := flag.Duration("timeout", 10*time.Minute, "how long the scan may take")
	every := flag.Bool("every", false, "wait for the diagnostics of every policy file of the tree, with findings or not, instead of the files check finds something in: no check run")
	checkJSON := flag.String("check-json", "", "the output of `check --format json` on the tree, saved before, instead of running check (minutes on a large governed folder); its relative names are taken from the current folder")
	published := flag.String("published", "", "write here, once every policy file is published (waited for after the timing), each file's last diagnostics (range, severity, code, message), one JSON line a file in the order of their URIs relative to the tree: two servers' files compare with cmp")
	publishedRaw := flag.Bool("published-raw", false, "with -published: write each file's last diagnostics as the server wrote them, related information and every field included, not only range, severity, code and message")
	cache := flag.String("cache", "", "have the server keep its diagnostics cache in this folder (serve --cache): run twice for a cold then a warm start; without it the cache is off")
	clearCache := flag.Bool("clear-cache", false, "empty the -cache folder before the run (a cold start)")
	profileTimed := flag.Bool("profile-timed", false, "with -cpuprofile or -trace: shut the server down as soon as the timing ends, so that its profile covers the timed part only (a warm start goes on analysing every file after it has published from the cache); nothing is waited for after the timing, the cache is not kept")
	gcTrace := flag.Bool("gc", false, "have the server trace its collections (GODEBUG=gctrace=1) and print, on stderr, how many ran until the timing ended and how much heap they marked: counts that hold on a loaded machine, where CPU time does not")
	flag.Parse()
	if *gcTrace {
		// The server inherits the environment; its trace goes to its
		// stderr, which the client keeps (lspclient.Client.Stderr).
		os.Setenv("GODEBUG", strings.TrimPrefix(os.Getenv("GODEBUG")+",gctrace=1", ","))
	}
	if *server == "" || *tree == "" {
		fmt.Fprintln(os.Stderr, "usage: coldscan -server PATH -tree DIR [-timeout 10m] [-cpuprofile FILE] [-trace FILE [-profile-timed]] [-gc] [-cache DIR [-clear-cache]] [-check-json FILE | -every]")
		os.Exit(2)
	}
	args := []string{"serve"}
	if *cache != "" {
		if *clearCache {
			if err := os.RemoveAll(*cache); err != nil {
				fail(err)
			}
		}
		args = append(args, "--cache", *cache)
	}
	if *profile != "" {
		args = append(args, "--cpuprofile", *profile)
	}
	if *traceFile != "" {
		args = append(args, "--trace", *traceFile)
	}
	if *profileTimed && (*profile == "" && *traceFile == "" || *published != "") {
		fail(fmt.Errorf("-profile-timed needs -cpuprofile or -trace, and no -published"))
	}
	if *publishedRaw && *published == "" {
		fail(fmt.Errorf("-published-raw needs -published"))
	}
	wanted := wantedFiles{checkJSON: *checkJSON, every: *every, published: *published, publishedRaw: *publishedRaw, stopAtTiming: *profileTimed}
	took, peakKB, files, err := measure(*server, *tree, wanted, args, *timeout)
	if err != nil {
		fail(err)
	}
	// One line the script reads: seconds, peak RSS in KB, files.
	fmt.Printf("%.3f %d %d\n", took.Seconds(), peakKB, files)
}

// wantedFiles says which files the scan must publish: those check finds
// something in (its saved output when checkJSON is set), or every policy
// file.
type wantedFiles struct {
	checkJSON string
	every     bool
	published string // where to write the last diagnostics of each file, if not ""
	// publishedRaw: write them as the server wrote them (Published.Raw).
	publishedRaw bool
	// stopAtTiming: shut the server down once the timing ends.
	stopAtTiming bool
}

// measure runs check on the tree to learn which files have findings
// (or reads its saved output, or lists every policy file), then the
// server on it, and returns the time to their diagnostics, the server's
// peak RSS and how many files that was.
func measure(server, dir string, wanted wantedFiles, args []string, timeout time.Duration) (time.Duration, int, int, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return 0, 0, 0, err
	}
	var want map[string]bool
	switch {
	case wanted.every:
		want, err = policyFiles(root)
	case wanted.checkJSON != "":
		want, err = savedFilesWithFindings(wanted.checkJSON)
	default:
		want, err = filesWithFindings(server, root)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if len(want) == 0 {
		return 0, 0, 0, fmt.Errorf("check finds nothing in %s: nothing to wait for", root)
	}
	if err := insideTree(want, root, wanted.checkJSON); err != nil {
		return 0, 0, 0, err
	}
	var every map[string]bool // the files to wait for after the timing, to write them all
	if wanted.published != "" {
		if every, err = policyFiles(root); err != nil {
			return 0, 0, 0, err
		}
		for u := range want {
			every[u] = true // a .s3policy.json check finds something in is published too
		}
	}
	took, peakKB, pubs, err := coldScan(server, root, want, wanted, every, args, timeout)
	if err == nil && wanted.published != "" {
		err = writePublished(wanted.published, fileURI(root), pubs, wanted.publishedRaw)
	}
	return took, peakKB, len(want), err
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "coldscan:", err)
	os.Exit(1)
}

// filesWithFindings runs check on the folder and returns the file URIs it
// reports findings for.
func filesWithFindings(server, root string) (map[string]bool, error) {
	out, err := exec.Command(server, "check", "--format", "json", root).Output()
	if exit, ok := err.(*exec.ExitError); err != nil && !(ok && exit.ExitCode() == 1) {
		return nil, err
	}
	return urisOfFindings(out)
}

// savedFilesWithFindings is filesWithFindings from check's saved output.
func savedFilesWithFindings(path string) (map[string]bool, error) {
	out, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return urisOfFindings(out)
}

// urisOfFindings returns the file URIs check's JSON output reports
// findings for.
func urisOfFindings(out []byte) (map[string]bool, error) {
	var findings []struct{ File string }
	if err := json.Unmarshal(out, &findings); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range findings {
		// check names a file inside the current folder relative to it.
		abs, err := filepath.Abs(filepath.FromSlash(f.File))
		if err != nil {
			return nil, err
		}
		want[fileURI(abs)] = true
	}
	return want, nil
}

// insideTree fails when a file to wait for is not in the tree: the server
// never publishes it, and the scan would wait out its whole timeout. That
// happens when check's saved output was written in another folder, since
// check names the files inside the current folder relative to it.
func insideTree(want map[string]bool, root, checkJSON string) error {
	prefix := fileURI(root) + "/"
	outside, first := 0, ""
	for uri := range want {
		if !strings.HasPrefix(uri, prefix) {
			outside++
			if first == "" || uri < first {
				first = uri
			}
		}
	}
	if outside == 0 {
		return nil
	}
	why := ""
	if checkJSON != "" {
		why = fmt.Sprintf(": %s names files relative to the folder check ran in; run coldscan from that folder", checkJSON)
	}
	return fmt.Errorf("%d of the %d files with findings are not in %s (%s)%s", outside, len(want), root, first, why)
}

// policyFiles lists the URIs of the files of the tree that hold a policy,
// each read alone: every one of them gets diagnostics, empty or not.
func policyFiles(root string) (map[string]bool, error) {
	paths, _, err := tree.Scan(root)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if src := tree.Read(p, text, nil); !tree.IsConfig(p) && slices.ContainsFunc(src.Docs, (*analysis.File).IsPolicyFile) {
			want[fileURI(p)] = true
		}
	}
	return want, nil
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// coldScan starts the server on root and waits until it has published
// diagnostics for every file of want (empty ones count when wanted.every);
// then, when every is not nil, untimed, for some diagnostics of each of
// its files, and returns what was published.
func coldScan(server, root string, want map[string]bool, wanted wantedFiles, every map[string]bool, args []string, timeout time.Duration) (time.Duration, int, []lspclient.Published, error) {
	cached := slices.Contains(args, "--cache")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	t0 := time.Now()
	clientUser0, clientSystem0, _ := cpuSeconds("self")
	c, err := lspclient.Start(server, root, args...)
	if err != nil {
		return 0, 0, nil, err
	}
	defer c.Kill()
	if err := c.Initialize(ctx, fileURI(root)); err != nil {
		return 0, 0, nil, err
	}
	seen := map[string]bool{}
	next := 0
	_, err = c.WaitPublished(ctx, func(pubs []lspclient.Published) bool {
		for ; next < len(pubs); next++ {
			if p := pubs[next]; want[p.URI] && (wanted.every || p.HasDiagnostics) {
				seen[p.URI] = true
			}
		}
		return len(seen) == len(want)
	})
	if err != nil {
		peak, _ := lspclient.StatusKB(c.Pid(), "VmHWM")
		reportCPU(c.Pid())
		// Ask the server to stop, so that a CPU profile or trace is written.
		stop, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = c.Shutdown(stop)
		return 0, 0, nil, fmt.Errorf("%d of %d files published after %.1f s, peak RSS %d MB: %v", len(seen), len(want), time.Since(t0).Seconds(), peak/1024, err)
	}
	took := time.Since(t0)
	peak, err := lspclient.StatusKB(c.Pid(), "VmHWM")
	if err != nil {
		return 0, 0, nil, err
	}
	reportCPU(c.Pid())
	if strings.Contains(os.Getenv("GODEBUG"), "gctrace=1") {
		n, marked := collections(c.Stderr.String())
		fmt.Fprintf(os.Stderr, "server GC: %d collections, %d MB marked\n", n, marked)
	}
	if user, system, err := cpuSeconds("self"); err == nil {
		// The client's share of the timing: it reads and decodes every
		// message the server writes, on the same two cores.
		fmt.Fprintf(os.Stderr, "client CPU during the scan: %.2f s user, %.2f s system\n", user-clientUser0, system-clientSystem0)
	}
	if wanted.stopAtTiming {
		return took, peak, nil, c.Shutdown(ctx)
	}
	seen, next = map[string]bool{}, 0
	pubs, err := c.WaitPublished(ctx, func(pubs []lspclient.Published) bool {
		for ; next < len(pubs); next++ {
			if every[pubs[next].URI] {
				seen[pubs[next].URI] = true
			}
		}
		return len(seen) == len(every)
	})
	if err != nil {
		return 0, 0, nil, fmt.Errorf("after the timing, waiting for every policy file: %v", err)
	}
	if cached {
		// Untimed: the server writes its cache once every file is
		// analysed, for the next run to start warm.
		if _, err := c.WaitPublished(ctx, func([]lspclient.Published) bool { return cacheWritten(c) }); err != nil {
			return 0, 0, nil, fmt.Errorf("after the timing, waiting for the server to keep its cache: %v", err)
		}
	}
	return took, peak, pubs, c.Shutdown(ctx)
}

// cacheWritten reports whether the server has logged what it kept in its
// diagnostics cache (or that it kept nothing).
func cacheWritten(c *lspclient.Client) bool {
	for _, n := range c.Notifications() {
		var p struct{ Message string }
		if n.Method == "window/logMessage" && json.Unmarshal(n.Params, &p) == nil &&
			(strings.HasPrefix(p.Message, "diagnostics cache: kept") || strings.Contains(p.Message, "nothing kept for the next start")) {
			return true
		}
	}
	return false
}

// publishedLine is a line of -published: a file's last diagnostics.
type publishedLine struct {
	URI         string                 `json:"uri"`
	Version     *int                   `json:"version"` // null: the lines were written so from the start
	Diagnostics []lspclient.Diagnostic `json:"diagnostics"`
}

// rawPublishedLine is a line of -published -published-raw.
type rawPublishedLine struct {
	URI         string          `json:"uri"`
	Diagnostics json.RawMessage `json:"diagnostics"` // as written, null for none
}

// writePublished writes the last diagnostics published for each file,
// its URI relative to the tree's, one JSON line a file in URI order; raw:
// as the server wrote them.
func writePublished(path, rootURI string, pubs []lspclient.Published, raw bool) error {
	last := map[string]lspclient.Published{}
	for _, p := range pubs {
		last[strings.TrimPrefix(p.URI, rootURI)] = p
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(!raw) // raw: the server's bytes, not < & > escaped again
	for _, u := range slices.Sorted(maps.Keys(last)) {
		if raw {
			line := rawPublishedLine{URI: u, Diagnostics: json.RawMessage("null")}
			if r := last[u].Raw(); r != "" {
				line.Diagnostics = json.RawMessage(r)
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		ds, err := last[u].Diagnostics()
		if err != nil {
			return err
		}
		if err := enc.Encode(publishedLine{URI: u, Diagnostics: ds}); err != nil {
			return err
		}
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// collections counts the collections a log of GODEBUG=gctrace=1 reports
// and adds up the heap each found live ("gc 9 @3.836s 1%: ..., 99->105->84
// MB, ..."): the heap a collection marks, most of its work.
func collections(log string) (n, markedMB int) {
	for line := range strings.Lines(log) {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		for f := range strings.FieldsSeq(line) {
			if heaps := strings.Split(f, "->"); len(heaps) == 3 {
				live, err := strconv.Atoi(heaps[2])
				if err == nil {
					n++
					markedMB += live
				}
				break
			}
		}
	}
	return n, markedMB
}

// reportCPU prints the CPU time the server has used on stderr: on a
// shared machine it says more than the wall time.
func reportCPU(pid int) {
	if user, system, err := cpuSeconds(strconv.Itoa(pid)); err == nil {
		fmt.Fprintf(os.Stderr, "server CPU: %.2f s user, %.2f s system\n", user, system)
	}
}

// cpuSeconds returns the user and system CPU time a process has used
// (pid a number or "self"), from /proc/PID/stat.
func cpuSeconds(pid string) (user, system float64, err error) {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// The fields after the command's closing parenthesis; utime and stime
	// are the 14th and 15th of the line, in clock ticks (100 a second).
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 13 {
		return 0, 0, fmt.Errorf("/proc/%s/stat: %d fields", pid, len(fields))
	}
	ticks := func(f string) float64 { n, _ := strconv.Atoi(f); return float64(n) / 100 }
	return ticks(fields[11]), ticks(fields[12]), nil
}
