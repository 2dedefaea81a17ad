package analysis

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// readConfig parses the .s3policy.json in dir; strict fails on any
// finding (some examples show a wrong config, which still applies).
func readConfig(t testing.TB, dir string, strict bool) *Config {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, ConfigName))
	if err != nil {
		t.Fatal(err)
	}
	cfg, fs := ParseConfig(dir, src)
	if strict && len(fs) != 0 {
		t.Fatalf("%s: %+v", dir, fs)
	}
	return cfg
}

// compareUnder asks the index and the linear scan for the facts of every
// file and folder under root and returns how many files have facts.
func compareUnder(t *testing.T, cfg *Config, root string) int {
	t.Helper()
	governed := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		got, want := cfg.FactsFor(p), cfg.factsForLinear(p)
		if got != want {
			t.Errorf("%s: indexed %+v, linear %+v", p, got, want)
		}
		if got != nil && !d.IsDir() {
			governed++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return governed
}

// TestFactsForIndexOnGovernedFolder: in the benchmarks' governed folder
// (patterns for identity, bucket and SCP files, one entry a file for key
// and endpoint policies) the index gives every file the entry the linear
// scan gives, and every policy has one.
func TestFactsForIndexOnGovernedFolder(t *testing.T) {
	dir := t.TempDir()
	l, err := governed.Write(dir, 1000)
	if err != nil {
		t.Fatal(err)
	}
	cfg := readConfig(t, dir, true)
	if n := compareUnder(t, cfg, dir); n != l.Files {
		t.Errorf("%d files have facts, want the %d policies", n, l.Files)
	}
	x := cfg.facts
	if len(x.literal) != 200 || len(x.globs) != 1+governed.Principals+4 {
		t.Errorf("index of %d literal paths and %d patterns, want 200 and %d", len(x.literal), len(x.globs), 1+governed.Principals+4)
	}
}

// TestFactsForIndexOnExamples: the same agreement for every example's
// .s3policy.json over the files of its folder.
func TestFactsForIndexOnExamples(t *testing.T) {
	configs, governedFiles := 0, 0
	err := filepath.WalkDir("../examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != ConfigName {
			return err
		}
		configs++
		dir := filepath.Dir(p)
		governedFiles += compareUnder(t, readConfig(t, dir, false), dir)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if configs < 20 || governedFiles < configs {
		t.Errorf("%d configs governing %d files: the examples were not found", configs, governedFiles)
	}
}

// TestFactsForFirstEntryWins: the first entry in the order written wins,
// whether the literal path or the pattern comes first, as the README
// says ("the first matching entry wins").
func TestFactsForFirstEntryWins(t *testing.T) {
	// Duplicate keys are kept in order by ParseConfig, so a JSON object
	// can hold both orders; `\]` and `[xy]` are patterns, `e]f` a path.
	cfg, fs := ParseConfig("/w", []byte(`{"files": {
  "a/x.json": {"kind": "key"},
  "**/x.json": {"kind": "bucket"},
  "a/x.json": {"kind": "scp"},
  "b/*.json": {"kind": "identity"},
  "b/y.json": {"kind": "endpoint"},
  "c\\].json": {"kind": "rcp"},
  "e]f.json": {"kind": "session"},
  "[xy].json": {"kind": "boundary"},
  "y.json": {"kind": "trust"},
  "../o.json": {"kind": "resource"}
}}`))
	if len(fs) != 0 {
		t.Fatalf("findings: %+v", fs)
	}
	cases := map[string]Kind{
		"/w/a/x.json":   KindKey,    // the literal entry written before the pattern
		"/w/z/x.json":   KindBucket, // only the pattern
		"/w/b/y.json":   KindIdentity,
		"/w/b/z.json":   KindIdentity,
		"/w/c].json":    KindRCP,
		"/w/c\\].json":  "",
		"/w/e]f.json":   KindSession,
		"/w/y.json":     KindBoundary, // the pattern written before the path
		"/w/z.json":     "",
		"/o.json":       KindResource,
		"/w/a/x.json/q": "",
	}
	for file, want := range cases {
		got := Kind("")
		if f := cfg.FactsFor(file); f != nil {
			got = f.Kind
		}
		if got != want {
			t.Errorf("%s: kind %q, want %q", file, got, want)
		}
		if cfg.FactsFor(file) != cfg.factsForLinear(file) {
			t.Errorf("%s: the index and the linear scan differ", file)
		}
	}
}

// TestFactsForSeesNewEntries: entries appended, or a new list, after
// ParseConfig are found (a Config may be extended by hand), and a Config
// written by hand has its entries found too.
func TestFactsForSeesNewEntries(t *testing.T) {
	cfg, fs := ParseConfig("/w", []byte(`{"files": {"a.json": {"kind": "key"}}}`))
	if len(fs) != 0 || cfg.facts == nil {
		t.Fatalf("findings %+v, index %v", fs, cfg.facts)
	}
	cfg.Files = append(cfg.Files, &FileFacts{Pattern: "b.json", Kind: KindBucket})
	if f := cfg.FactsFor("/w/b.json"); f == nil || f.Kind != KindBucket {
		t.Errorf("b.json after append: %+v", f)
	}
	cfg.Files = []*FileFacts{{Pattern: "*.json", Kind: KindSCP}}
	if f := cfg.FactsFor("/w/a.json"); f == nil || f.Kind != KindSCP {
		t.Errorf("a.json in a new list: %+v", f)
	}
	byHand := &Config{Dir: "/w", Files: []*FileFacts{{Pattern: "**", Kind: KindRCP}}}
	if f := byHand.FactsFor("/w/x/y.json"); f == nil || f.Kind != KindRCP {
		t.Errorf("x/y.json in a config written by hand: %+v", f)
	}
}

// literalPath is the i-th file named one entry a file in benchConfig.
func literalPath(i int) string {
	suffix := ".key-policy.json"
	if i%2 == 1 {
		suffix = ".endpoint-policy.json"
	}
	return fmt.Sprintf("team-%03d/policy-%05d%s", i/100, i, suffix)
}

// benchConfig is a config of the governed folder's shape with the given
// number of entries: five patterns (bucket policies, the identity
// policies of two principals, the SCPs of two accounts), written first as
// json.Marshal sorts them, and one entry a file for the rest. It returns
// the files to look up, ten per round in the governed mix: four identity,
// three bucket, one SCP and two named policies, taken in turn.
func benchConfig(entries int) (*Config, []string) {
	// Literal paths sort after the patterns ("*" < "t").
	patterns := map[string]Kind{
		"**/*.acct-0.scp.json": KindSCP, "**/*.acct-1.scp.json": KindSCP,
		"**/*.app-0.iam-policy.json": KindIdentity, "**/*.app-1.iam-policy.json": KindIdentity,
		"**/*.bucket-policy.json": KindBucket,
	}
	files := map[string]any{}
	for p, kind := range patterns {
		files[p] = map[string]Kind{"kind": kind}
	}
	literals := entries - len(patterns)
	for i := range literals {
		files[literalPath(i)] = map[string]string{"kind": "key"}
	}
	src, _ := json.Marshal(map[string]any{"files": files})
	cfg, _ := ParseConfig("/w", src)
	var lookups []string
	for r := range max(entries/2, 10) {
		folder := fmt.Sprintf("/w/team-%03d/policy-%05d", r/10, r)
		lookups = append(lookups,
			folder+".app-0.iam-policy.json", folder+".app-1.iam-policy.json", folder+".app-0.iam-policy.json", folder+".app-1.iam-policy.json",
			folder+".bucket-policy.json", folder+"b.bucket-policy.json", folder+"c.bucket-policy.json",
			folder+".acct-1.scp.json",
			"/w/"+literalPath((2*r)%literals), "/w/"+literalPath((2*r+1)%literals))
	}
	return cfg, lookups
}

// BenchmarkFactsFor: one lookup, by the index and by the linear scan it
// replaced, in configs of 10 and 10,000 entries.
func BenchmarkFactsFor(b *testing.B) {
	for _, entries := range []int{10, 10_000} {
		cfg, lookups := benchConfig(entries)
		for _, m := range []struct {
			name   string
			lookup func(string) *FileFacts
		}{{"linear", cfg.factsForLinear}, {"indexed", cfg.FactsFor}} {
			b.Run(fmt.Sprintf("entries=%d/%s", entries, m.name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if m.lookup(lookups[i%len(lookups)]) == nil {
						b.Fatal("a file without facts")
					}
				}
			})
		}
	}
}

// TestCompiledGlobMatchesMatchGlob: the index's compiled patterns answer
// as MatchGlob does, for every pattern shape against every name.
func TestCompiledGlobMatchesMatchGlob(t *testing.T) {
	patterns := []string{
		"**", "*", "**/*.json", "**/*.app-1.iam-policy.json", "a/**/b", "**/**/x", "**/a/**", "a/**",
		"*.json", "a*b", "*a*", "?", "[ab]*", `\*x`, `*\x`, "a/*/c", "***", "a**b", "**/", "/**", "*/", "",
		"../*.json", "*.[jy]son", "x*", "*x?",
	}
	names := []string{
		"", ".", "..", "a", "b", "x", "ab", "a*b", "*x", "ax", "a/b", "a/x/b", "a/b/b", "a/x/y/b", "x.json",
		"a/b/x.json", "b/x.json", "a/a", "x/a/y", "a/b/c", "../o.json", "a/", "/a", "/", "y.json", "p.app-1.iam-policy.json",
		"t/p.app-1.iam-policy.json", "t/p.app-11.iam-policy.json", "t/p.app-1.iam-policy.json.orig", "x.json.bak", "xa", "xyz", "x/x/x", "\xff.json",
	}
	for _, p := range patterns {
		segs := compileGlob(p)
		for _, n := range names {
			if got, want := matchGlobSegments(segs, strings.Split(n, "/")), MatchGlob(p, n); got != want {
				t.Errorf("pattern %q, name %q: compiled %v, MatchGlob %v", p, n, got, want)
			}
		}
	}
}

// BenchmarkFactsForGovernedFolder: one op looks up every policy of the
// governed 10,000-file folder (2,013 entries), as the scan does, by the
// linear scan and by the index.
func BenchmarkFactsForGovernedFolder(b *testing.B) {
	const n = 10_000
	dir := b.TempDir()
	if _, err := governed.Write(dir, n); err != nil {
		b.Fatal(err)
	}
	cfg := readConfig(b, dir, true)
	files := make([]string, n)
	for i := range files {
		files[i] = filepath.Join(dir, filepath.FromSlash(governed.Path(i)))
	}
	for _, m := range []struct {
		name   string
		lookup func(string) *FileFacts
	}{{"linear", cfg.factsForLinear}, {"indexed", cfg.FactsFor}} {
		b.Run(m.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, f := range files {
					if m.lookup(f) == nil {
						b.Fatal(f, "has no facts")
					}
				}
			}
		})
	}
}

// isAccountID accepts what the regexp it replaced, ^[0-9]{12}$, matched
// (Go's $ is the end of the text: no line break before it).
func TestIsAccountIDIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[0-9]{12}$`)
	for _, s := range []string{"", "123456789012", "12345678901", "1234567890123", "123456789012\n", " 123456789012",
		"12345678901a", "1234567890.2", "١٢٣٤٥٦٧٨٩٠١٢", "１２３４５６７８９０１２", "000000000000", "99999999999/"} {
		if got, want := isAccountID(s), re.MatchString(s); got != want {
			t.Errorf("isAccountID(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}
