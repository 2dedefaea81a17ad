package main

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// TestTreeInsideTheCurrentFolder measures a governed folder named by a
// relative path inside the current folder. check names those files
// relative to the current folder; before they were made absolute, no
// published URI matched and the scan waited until its timeout.
func TestTreeInsideTheCurrentFolder(t *testing.T) {
	bin := buildServer(t)
	t.Chdir(t.TempDir())
	if _, err := governed.Write("tree", 10); err != nil {
		t.Fatal(err)
	}
	// A key the config does not know: check reports it (invalid-config)
	// and the server must publish it, the config closed.
	config, err := os.ReadFile("tree/.s3policy.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("tree/.s3policy.json", append([]byte(`{"acounts": [],`), config[1:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("tree")
	want, err := filesWithFindings(bin, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("check found nothing in the governed folder")
	}
	for uri := range want {
		u, err := url.Parse(uri)
		if err != nil || u.Scheme != "file" || !filepath.IsAbs(u.Path) {
			t.Fatalf("%q is not an absolute file URI", uri)
		}
		if _, err := os.Stat(u.Path); err != nil {
			t.Fatalf("%q names no file: %v", uri, err)
		}
	}
	_, _, files, err := measure(bin, "tree", wantedFiles{}, []string{"serve"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if files != len(want) {
		t.Fatalf("measured %d files, check finds something in %d", files, len(want))
	}
	// The same, from check's output saved beforehand.
	out, err := exec.Command(bin, "check", "--format", "json", "tree").Output()
	if err != nil && len(out) == 0 {
		t.Fatal(err)
	}
	if err := os.WriteFile("check.json", out, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, files, err = measure(bin, "tree", wantedFiles{checkJSON: "check.json", published: "published.jsonl"}, []string{"serve"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if files != len(want) {
		t.Fatalf("measured %d files from check's saved output, check finds something in %d", files, len(want))
	}
	// What the server published is written file by file, in order, with
	// the codes check finds in each.
	published, err := os.ReadFile("published.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var findings []struct{ File, Code string }
	if err := json.Unmarshal(out, &findings); err != nil {
		t.Fatal(err)
	}
	checkCodes := map[string][]string{}
	for _, f := range findings {
		rel := "/" + strings.TrimPrefix(filepath.ToSlash(f.File), "tree/")
		checkCodes[rel] = append(checkCodes[rel], f.Code)
	}
	if !slices.Equal(checkCodes["/.s3policy.json"], []string{"invalid-config"}) {
		t.Fatalf("check finds %v in the config, want invalid-config", checkCodes["/.s3policy.json"])
	}
	var uris []string
	for _, line := range strings.Split(strings.TrimSuffix(string(published), "\n"), "\n") {
		var p publishedLine
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		uris = append(uris, p.URI)
		var codes []string
		for _, d := range p.Diagnostics {
			codes = append(codes, d.Code)
		}
		slices.Sort(codes)
		slices.Sort(checkCodes[p.URI])
		if !slices.Equal(codes, checkCodes[p.URI]) {
			t.Errorf("%s: published %v, check finds %v", p.URI, codes, checkCodes[p.URI])
		}
		delete(checkCodes, p.URI)
	}
	if !slices.IsSorted(uris) || len(checkCodes) > 0 {
		t.Errorf("published %v in that order; check's files not in it: %v", uris, checkCodes)
	}
	// Every policy file: the ten generated policies.
	_, _, files, err = measure(bin, "tree", wantedFiles{every: true}, []string{"serve"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if files != 10 {
		t.Fatalf("measured %d policy files, the folder holds 10 (and a config)", files)
	}
}

// TestSavedCheckOutputFromAnotherFolder reads check's saved output in a
// folder other than the one check ran in. Its relative names then point
// outside the tree; the measurement must say so at once instead of
// waiting out its timeout for files the server never publishes.
func TestSavedCheckOutputFromAnotherFolder(t *testing.T) {
	bin := buildServer(t)
	work := t.TempDir()
	t.Chdir(work)
	if _, err := governed.Write("tree", 10); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "check", "--format", "json", "tree").Output()
	if err != nil && len(out) == 0 {
		t.Fatal(err)
	}
	saved := filepath.Join(work, "check.json")
	if err := os.WriteFile(saved, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	_, _, _, err = measure(bin, filepath.Join(work, "tree"), wantedFiles{checkJSON: saved}, []string{"serve"}, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "run coldscan from that folder") {
		t.Fatalf("measure from another folder: %v, want the error naming the folder check ran in", err)
	}
}

// buildServer builds the server binary for a test, which it skips with -short.
func buildServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "s3policy-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/s3policy-lsp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// collections reads the lines of GODEBUG=gctrace=1 among the server's
// log, and only those.
func TestCollectionsAreCountedFromTheTrace(t *testing.T) {
	log := "s3policy-lsp: serving\n" +
		"gc 1 @0.159s 0%: 2.2+27+0.39 ms clock, 4.4+0.1/0.2/0.3+0.78 ms cpu, 3->4->3 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"skipping a->b: not JSON\n" +
		"gc 15 @9.146s 1%: 2.2+193+0.007 ms clock, 4.4+0.1/380/2+0.014 ms cpu, 143->149->121 MB, 154 MB goal, 0 MB stacks, 0 MB globals, 2 P\n" +
		"gc 16 @9.9s 1%: 2.2+193+0.007 ms clock, 4.4+0.1/380/2+0.014 ms cpu, 143->149->121 MB, 154 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)"
	if n, marked := collections(log); n != 3 || marked != 3+121+121 {
		t.Fatalf("collections = %d, %d MB marked; want 3, %d", n, marked, 3+121+121)
	}
}
