package main

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// examplesDir is the repository's examples/ seen from this package.
const examplesDir = "../../examples"

// TestExamples runs the check command's own walk over every folder under
// examples/ that holds an expect.txt and asserts that each file gets
// exactly the codes listed for it there, and files not listed get none.
// Codes whose check is not registered yet are skipped with a log line, so
// that examples can land before their checks.
func TestExamples(t *testing.T) {
	dirs := expectDirs(t)
	if len(dirs) == 0 {
		t.Fatal("no examples/**/expect.txt found")
	}
	known := map[string]bool{}
	for _, r := range allRules() {
		known[r.Code] = true
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			want := readExpect(t, filepath.Join(examplesDir, dir, "expect.txt"))
			got := examplesFindings(t, dir, dirs)
			for _, file := range sortedKeys(want, got) {
				if _, listed := want[file]; listed && !exists(filepath.Join(examplesDir, dir, file)) {
					t.Errorf("expect.txt lists %s, which does not exist", file)
					continue
				}
				var wantCodes []string
				for _, code := range want[file] {
					if known[code] {
						wantCodes = append(wantCodes, code)
					} else {
						t.Logf("SKIP %s: %s: no check with code %s is registered yet", dir, file, code)
					}
				}
				slices.Sort(wantCodes)
				if gotCodes := got[file]; !slices.Equal(gotCodes, wantCodes) {
					t.Errorf("%s: check reports %q, expect.txt says %q", file, gotCodes, wantCodes)
				}
			}
		})
	}
}

// expectDirs lists the folders under examples/ (slash paths relative to
// it) that hold an expect.txt.
func expectDirs(t *testing.T) []string {
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "expect.txt" {
			rel, err := filepath.Rel(examplesDir, filepath.Dir(p))
			dirs = append(dirs, filepath.ToSlash(rel))
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// readExpect parses lines `relative/path.json: code code ...`; `#` starts
// a comment. A file listed with no codes must get none.
func readExpect(t *testing.T, name string) map[string][]string {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(line) == "" {
			continue
		}
		file, codes, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("%s:%d: want `path: code ...`, got %q", name, n, sc.Text())
		}
		want[path.Clean(strings.TrimSpace(file))] = append(want[path.Clean(strings.TrimSpace(file))], strings.Fields(codes)...)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want
}

// examplesFindings checks one examples folder as `check` does and returns
// the codes found per file (relative to the folder, sorted, each once),
// leaving out files of nested folders that have an expect.txt of their own.
func examplesFindings(t *testing.T, dir string, all []string) map[string][]string {
	c := newChecker("en", io.Discard)
	root, err := filepath.Abs(filepath.Join(examplesDir, dir))
	if err != nil {
		t.Fatal(err)
	}
	c.checkPath(root)
	if c.ioErrors > 0 {
		t.Fatalf("%d files could not be read", c.ioErrors)
	}
	base := c.display(root)
	got := map[string][]string{}
	findings, _ := c.sorted()
	for _, f := range findings {
		rel := strings.TrimPrefix(f.File, base+"/")
		if ownedByNested(dir, rel, all) {
			continue
		}
		if !slices.Contains(got[rel], f.Code) {
			got[rel] = append(got[rel], f.Code)
		}
	}
	for _, codes := range got {
		slices.Sort(codes)
	}
	return got
}

// ownedByNested reports whether rel, a file inside dir, lies in a deeper
// folder with an expect.txt of its own.
func ownedByNested(dir, rel string, all []string) bool {
	for _, other := range all {
		sub, inside := strings.CutPrefix(other, dir+"/")
		if dir == "." {
			sub, inside = other, other != "."
		}
		if inside && strings.HasPrefix(rel, sub+"/") {
			return true
		}
	}
	return false
}

func sortedKeys(maps ...map[string][]string) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func TestOwnedByNested(t *testing.T) {
	all := []string{".", "cross-account", "cross-account/kms", "structure"}
	for _, tc := range []struct {
		dir, rel string
		want     bool
	}{
		{".", "structure/x.json", true},
		{".", "top.json", false},
		{"cross-account", "kms/x.json", true},
		{"cross-account", "x.json", false},
		{"cross-account", "kmsx/x.json", false},
		{"structure", "x.json", false},
	} {
		if got := ownedByNested(tc.dir, tc.rel, all); got != tc.want {
			t.Errorf("ownedByNested(%q, %q) = %v, want %v", tc.dir, tc.rel, got, tc.want)
		}
	}
}
