package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/internal/report"
)

// check --format json, text or sarif over one folder writes each file's
// findings as the walk goes; over the same folder named twice it keeps
// them all and sorts them at the end. Both must print the same, from any current folder:
// names that sort before a folder's own files (x.json, x-a.json before
// x/a.json), names starting with ".." (shown absolute when the folder is
// the current one), a governed folder (its files checked after the walk),
// a file that cannot be read and a broken one.
func TestCheckJSONWrittenAsTheWalkGoesIsSorted(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	files := map[string]string{}
	for _, name := range []string{"x.json", "x/a.json", "x/-c.json", "x/y/b.json", "x-a.json", "x-a/c.json", "x0.json", "..odd.json", "..dd/q.json", ".a.json", "-b.json", "A.json", "~t.json", "x y.json"} {
		files["root/"+name] = noVersion
	}
	files["root/x/broken.json"] = broken
	files["root/gov/.s3policy.json"] = `{"files": {"p.json": {"kind": "scp", "account": "4444"}}}`
	files["root/gov/p.json"] = noVersion
	files["root/gov-a.json"] = noVersion
	writeTree(t, dir, files)
	unreadable := filepath.Join(root, "x", "z.json")
	if err := os.WriteFile(unreadable, []byte(noVersion), 0o000); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(unreadable); err == nil {
		os.Remove(unreadable) // running as root: every file can be read
	}
	for _, at := range []struct{ cwd, path string }{
		{root, "."},                         // the current folder
		{dir, "root"},                       // below it
		{filepath.Join(root, "x"), ".."},    // above it: kept and sorted
		{filepath.Join(root, "..dd"), root}, // above it, named absolute
		{filepath.Join(dir, "elsewhere"), root},
	} {
		if err := os.MkdirAll(at.cwd, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"json", "text", "sarif"} {
			streamed, streamedErr, streamedCode := runCLI(t, at.cwd, "check", "--format", format, at.path)
			sorted, sortedErr, sortedCode := runCLI(t, at.cwd, "check", "--format", format, at.path, at.path)
			if streamed != sorted || streamedErr != sortedErr || streamedCode != sortedCode {
				t.Errorf("in %s, check --format %s %s: written as the walk goes:\n%s%s(%d)\nsorted at the end:\n%s%s(%d)", at.cwd, format, at.path, streamed, streamedErr, streamedCode, sorted, sortedErr, sortedCode)
			}
			n := strings.Count(streamed, "missing-version") + strings.Count(streamed, "json-syntax") + strings.Count(streamed, "invalid-config")
			if format == "sarif" {
				n = strings.Count(streamed, `"ruleId"`) // the rules name the codes too
			}
			if n != 18 {
				t.Errorf("in %s, check --format %s %s: %d findings, want 18 (one a file)", at.cwd, format, at.path, n)
			}
		}
	}
}

// orderedOutput writes a file once every file listed before it is done,
// and stops at a name shown out of the listing's order.
func TestOrderedOutputWritesAFileOnceThoseBeforeItAreDone(t *testing.T) {
	var out bytes.Buffer
	part := func(file string) []byte {
		return report.AppendJSONElements(nil, []report.Finding{{File: file, Line: 1, Column: 1, EndLine: 1, EndColumn: 2, Code: "c", Message: "m", Kind: "identity"}})
	}
	root := filepath.Join(string(filepath.Separator), "r")
	o := newOrderedOutput(report.NewJSONArray(&out), root, func(p string) string { return filepath.ToSlash(p) })
	a, b, c := o.list(filepath.Join(root, "a.json"), "/r/a.json"), o.list(filepath.Join(root, "b.json"), "/r/b.json"), o.list(filepath.Join(root, "c.json"), "/r/c.json")
	if a != 0 || b != 1 || c != 2 {
		t.Fatalf("slots %d %d %d, want 0 1 2", a, b, c)
	}
	if o.list(filepath.Join(root, "d.json"), "/elsewhere/d.json") != noSlot || o.list(filepath.Join(root, "e.json"), "/r/e.json") != noSlot {
		t.Fatal("a file shown out of the listing's order, and those after it, must be kept for the sort")
	}
	o.put(b, part("b"))
	if out.Len() != 0 {
		t.Fatalf("b written before a is done: %q", out.String())
	}
	o.put(a, nil)
	if got := out.String(); !strings.Contains(got, `"b"`) || strings.Contains(got, "]") {
		t.Fatalf("once a is done, b must be written, and the array left open: %q", got)
	}
	o.put(c, part("c"))
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"c"`) {
		t.Fatalf("c not written: %q", out.String())
	}
}

// check reads each file it analyses alone into its worker's buffer, and,
// since it renders each file's findings as soon as they are placed, the
// file's documents share that buffer instead of copying it
// (tree.ReadBorrowed): the next file is read over it once the findings
// are written. What it prints over the examples (files of every reader
// and size, read in turn into the same buffers) is what a checker that
// keeps every finding whole, its documents copying their text, renders:
// nothing of a file read before is read after its text is overwritten.
func TestCheckSharingItsReadBufferPrintsWhatCopiesDo(t *testing.T) {
	root, err := filepath.Abs(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ja"} {
		shared, _, _ := runCLI(t, root, "check", "--format", "json", "--lang", lang, ".")
		c := newChecker(lang, io.Discard) // no render: its documents copy their text
		c.checkPath(root)
		findings, _ := c.sorted()
		var copied bytes.Buffer
		if err := report.WriteJSON(&copied, findings); err != nil {
			t.Fatal(err)
		}
		if len(findings) < 50 {
			t.Fatalf("%s: %d findings over the examples", lang, len(findings))
		}
		if shared != copied.String() {
			got, want := strings.Split(shared, "\n"), strings.Split(copied.String(), "\n")
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("%s: line %d of check's output is\n%s\nwith copies:\n%s", lang, i+1, got[i], want[i])
				}
			}
			t.Fatalf("%s: check printed %d lines, with copies %d", lang, len(got), len(want))
		}
	}
}
