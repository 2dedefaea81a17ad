package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// TestFindingsGolden pins every finding that check makes on examples/,
// on the AWS documentation corpus (../shared/corpus/awsdocs, skipped
// when absent) and on a small varied governed tree whole, as the analysis made them: both languages of the
// message, the hover text and link where a finding has its own, the
// related places, and each fix's title and edits (byte ranges and new
// text), written even when the fix builds them only when asked.
// check --format json prints none of the fixes, so a change that alters a
// fix (or the Japanese text check does not print by default) shows here.
// Regenerate after a deliberate change with
//
//	go test ./cmd/s3policy-lsp -run TestFindingsGolden -update
//
// and read the diff.
func TestFindingsGolden(t *testing.T) {
	t.Run("examples", func(t *testing.T) {
		checkGolden(t, examplesDir, filepath.Join("testdata", "findings", "examples.txt"))
	})
	t.Run("awsdocs", func(t *testing.T) {
		dir, ok := checktest.CorpusDir()
		if !ok {
			t.Skip("the AWS documentation corpus (../shared/corpus/awsdocs beside the repository) is absent; skipping")
		}
		checkGolden(t, dir, filepath.Join("testdata", "findings", "awsdocs.txt"))
	})
	// A varied governed tree (gentree -varied): the cross-file findings'
	// decisions, causes, related places and counts, which the trees the
	// other tests compare check and the server on leave blind to a fault
	// the two share (the last passes' engine mutants).
	t.Run("varied", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := governed.WriteVaried(dir, variedGoldenPolicies, governed.Varied{Seed: 21, Nested: true, Escapes: true}); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, dir, filepath.Join("testdata", "findings", "varied.txt"))
	})
}

// variedGoldenPolicies keeps the varied golden small enough to read in a
// diff, with every kind of policy and finding the generator makes.
const variedGoldenPolicies = 60

// checkGolden compares the findings of check on dir with the golden file,
// or rewrites it under -update.
func checkGolden(t *testing.T, dir, golden string) {
	got := findingsDump(t, dir)
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v; run go test ./cmd/s3policy-lsp -run TestFindingsGolden -update", err)
	}
	if got == string(want) {
		return
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		g, w := lineAt(gotLines, i), lineAt(wantLines, i)
		if g != w {
			t.Fatalf("%s differs from the findings check makes on %s, first at line %d:\nwant %s\ngot  %s\n(if the change is deliberate: go test ./cmd/s3policy-lsp -run TestFindingsGolden -update, and read the diff)",
				golden, dir, i+1, w, g)
		}
	}
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// findingsDump checks dir as the check command does and writes every
// finding of every file, files in path order (relative to dir), each
// file's documents in the order check places them.
func findingsDump(t *testing.T, dir string) string {
	root, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]*analysis.Check{}
	for _, r := range allRules() {
		defaults[r.Code] = r
	}
	var mu sync.Mutex
	byFile := map[string][]string{} // each document's findings, written
	c := newChecker("en", io.Discard)
	c.observe = func(abs, kind string, fs []analysis.Finding) {
		// Written here: a fix that builds its edits when asked reads the
		// document, which check reuses once the findings are placed.
		var b strings.Builder
		fmt.Fprintf(&b, "(%s)\n", kind)
		for _, f := range fs {
			writeFinding(&b, f, defaults[f.Code])
		}
		mu.Lock()
		defer mu.Unlock()
		byFile[abs] = append(byFile[abs], b.String())
	}
	c.checkPath(root)
	if c.ioErrors > 0 {
		t.Fatalf("%d files could not be read", c.ioErrors)
	}
	files := make([]string, 0, len(byFile))
	for abs := range byFile {
		files = append(files, abs)
	}
	slices.SortFunc(files, func(a, b string) int { return cmp.Compare(a, b) })
	var b strings.Builder
	for _, abs := range files {
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range byFile[abs] {
			fmt.Fprintf(&b, "== %s %s", filepath.ToSlash(rel), doc)
		}
	}
	return b.String()
}

// writeFinding writes one finding whole; the hover text and link only when
// they are not its check's.
func writeFinding(b *strings.Builder, f analysis.Finding, check *analysis.Check) {
	fmt.Fprintf(b, "%s %s @%d-%d\n", f.Code, f.Severity, f.Span.Start, f.Span.End)
	writeGoldenText(b, "  message", f.Message.Text())
	if explain := f.Explanation(); check == nil || explain != check.Explain {
		writeGoldenText(b, "  explain", explain)
	}
	if check == nil || f.DocURL != check.DocURL {
		fmt.Fprintf(b, "  doc %s\n", f.DocURL)
	}
	for _, r := range f.Related {
		fmt.Fprintf(b, "  related %q#%q @%d-%d\n", r.File, r.Doc, r.Span.Start, r.Span.End)
		writeGoldenText(b, "    message", r.Message)
	}
	if f.NotListed != 0 {
		fmt.Fprintf(b, "  not listed %d\n", f.NotListed)
	}
	for _, fix := range f.AllFixes() {
		fmt.Fprintf(b, "  fix removes=%t\n", fix.Removes)
		writeGoldenText(b, "    title", fix.Title)
		for _, e := range fix.Edits {
			fmt.Fprintf(b, "    edit @%d-%d %q\n", e.Span.Start, e.Span.End, e.NewText)
		}
	}
}

func writeGoldenText(b *strings.Builder, label string, t analysis.Text) {
	fmt.Fprintf(b, "%s en %q\n%s ja %q\n", label, t.EN, label, t.JA)
}
