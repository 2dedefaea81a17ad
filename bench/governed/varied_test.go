package governed

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// readTree reads every file under dir by its slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameTree(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for name, src := range a {
		if !bytes.Equal(src, b[name]) {
			return false
		}
	}
	return true
}

// The same n and seed write the same bytes; another seed, other bytes.
func TestWriteVariedIsTheSameForTheSameSeed(t *testing.T) {
	trees := map[string]map[string][]byte{}
	for _, run := range []struct {
		name string
		seed uint64
	}{{"a", 21}, {"b", 21}, {"c", 22}} {
		dir := filepath.Join(t.TempDir(), run.name)
		if _, err := WriteVaried(dir, 200, Varied{Seed: run.seed, Nested: true, Escapes: true}); err != nil {
			t.Fatal(err)
		}
		trees[run.name] = readTree(t, dir)
	}
	if !sameTree(trees["a"], trees["b"]) {
		t.Error("seed 21 wrote two different folders")
	}
	if sameTree(trees["a"], trees["c"]) {
		t.Error("seeds 21 and 22 wrote the same folder")
	}
}

// Both configs of a nested, escaped folder are valid, and every policy
// written is governed by the config above it with the kind its name says;
// the folder holds every kind, a Not* element and an escape.
func TestWriteVariedNamesEveryFileInItsConfig(t *testing.T) {
	dir := t.TempDir()
	l, err := WriteVaried(dir, 300, Varied{Seed: 21, Nested: true, Escapes: true})
	if err != nil {
		t.Fatal(err)
	}
	configs := map[string]*analysis.Config{}
	for _, sub := range []string{".", "team-001"} {
		src, err := os.ReadFile(filepath.Join(dir, sub, analysis.ConfigName))
		if err != nil {
			t.Fatal(err)
		}
		cfg, findings := analysis.ParseConfig(filepath.Join(dir, sub), src)
		if len(findings) != 0 {
			t.Fatalf("%s config findings: %+v", sub, findings)
		}
		configs[sub] = cfg
	}
	kinds := map[string]int{}
	var policies int
	var all []byte
	for rel, text := range readTree(t, dir) {
		if filepath.Base(rel) == analysis.ConfigName {
			continue
		}
		policies++
		all = append(all, text...)
		cfg := configs["."]
		if strings.HasPrefix(rel, "team-001/") {
			cfg = configs["team-001"]
		}
		f := analysis.NewFile(filepath.ToSlash(filepath.Join(dir, rel)), text, cfg)
		if f.Syntax != nil || f.Facts == nil || f.Facts.Account == "" {
			t.Fatalf("%s: kind %q, facts %+v, syntax %v", rel, f.Kind, f.Facts, f.Syntax)
		}
		kinds[string(f.Kind)]++
	}
	if policies != l.Files || l.Files != 300+7 {
		t.Errorf("%d policies written, layout %+v", policies, l)
	}
	for _, k := range []string{"identity", "bucket", "key", "endpoint", "scp", "rcp", "boundary", "session"} {
		if kinds[k] == 0 {
			t.Errorf("no %s policy: %v", k, kinds)
		}
	}
	for _, s := range []string{`"NotAction"`, `"NotResource"`, `"NotPrincipal"`, `"Condition"`, `\u00`} {
		if !bytes.Contains(all, []byte(s)) {
			t.Errorf("no policy holds %s", s)
		}
	}
}
