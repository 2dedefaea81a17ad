package tree

import (
	"os"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// walkFixture is a folder with a governed tree (a file whose name sorts
// before .s3policy.json, a subfolder, a nested config, a Terraform module
// under the config), a module no config governs and a loose file.
func walkFixture(t *testing.T) string {
	t.Helper()
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`
	bucket := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`
	files := map[string]string{
		"gov/.s3policy.json":            `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}}, "files": {"a.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"}}}`,
		"gov/-early.bucket-policy.json": bucket,
		"gov/a.json":                    policy,
		"gov/sub/b.iam-policy.json":     policy,
		"gov/inner/.s3policy.json":      `{"accounts": ["999988887777"]}`,
		"gov/inner/c.iam-policy.json":   policy,
		"gov/tf/main.tf":                `resource "aws_s3_bucket" "b" { bucket = "data" }`,
		"gov/z.bucket-policy.json":      bucket,
		"mod/bucket.tf":                 `resource "aws_s3_bucket" "b" { bucket = "data" }`,
		"mod/policy.tf": `resource "aws_s3_bucket_policy" "b" { bucket = aws_s3_bucket.b.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" }] }) }`,
		"mod/nested/x.iam-policy.json": policy,
		"mod/read.tf": `resource "aws_s3_bucket_policy" "r" {
  bucket = aws_s3_bucket.b.id
  policy = file("${path.module}/policies/read.json")
}`,
		"mod/policies/read.json": bucket,
		"mod/calls.tf": `module "child" {
  source = "./modules/child"
}`,
		"mod/modules/child/main.tf": `resource "aws_s3_bucket" "c" {
  bucket = "child-data"
}`,
		"loose/x.iam-policy.json": policy,
	}
	return writeLayout(t, files)
}

// Walk lists what Scan lists, says of each file the set it belongs to as
// Grouping (built from the whole list) and Sets do, or that it may be in
// a module's, and names each set's root once all its files are listed.
func TestWalkNamesEachFilesSetAsItIsListed(t *testing.T) {
	dir := walkFixture(t)
	var listed []Listed
	done := map[string]int{} // root: how many files were listed before its Done
	err := Walk(dir, Walker{
		File: func(f Listed) { listed = append(listed, f) },
		Done: func(root string) {
			if _, twice := done[root]; twice {
				t.Errorf("Done(%s) twice", root)
			}
			done[root] = len(listed)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	paths, _, _ := Scan(dir)
	var walked []string
	for _, f := range listed {
		walked = append(walked, f.Path)
	}
	if !slices.Equal(walked, paths) {
		t.Fatalf("Walk lists %v, Scan %v", walked, paths)
	}
	rel := func(p string) string {
		if p == "" {
			return ""
		}
		r, _ := filepath.Rel(dir, p)
		return filepath.ToSlash(r)
	}
	roots := map[string]string{}
	configs := map[string]string{}
	grouping := NewGrouping(paths)
	for i, f := range listed {
		roots[rel(f.Path)], configs[rel(f.Path)] = rel(f.Root), rel(f.Config)
		if grouping.Grouped(f.Path) != (f.Root != "" && !f.Maybe) {
			t.Errorf("%s: root %q, Grouping says grouped %v", rel(f.Path), rel(f.Root), grouping.Grouped(f.Path))
		}
		if f.Root != "" && done[f.Root] <= i {
			t.Errorf("%s listed after Done(%s)", rel(f.Path), rel(f.Root))
		}
	}
	wantRoots := map[string]string{
		"gov/.s3policy.json": "gov", "gov/-early.bucket-policy.json": "gov", "gov/a.json": "gov", "gov/sub/b.iam-policy.json": "gov",
		"gov/inner/.s3policy.json": "gov/inner", "gov/inner/c.iam-policy.json": "gov/inner", "gov/tf/main.tf": "gov", "gov/z.bucket-policy.json": "gov",
		"mod/bucket.tf": "mod", "mod/policy.tf": "mod", "mod/read.tf": "mod", "mod/nested/x.iam-policy.json": "mod", "mod/policies/read.json": "mod",
		"mod/calls.tf": "mod", "mod/modules/child/main.tf": "mod",
		"loose/x.iam-policy.json": "",
	}
	if !reflect.DeepEqual(roots, wantRoots) {
		t.Errorf("roots %v\nwant %v", roots, wantRoots)
	}
	if configs["gov/-early.bucket-policy.json"] != "gov/.s3policy.json" || configs["gov/inner/c.iam-policy.json"] != "gov/inner/.s3policy.json" || configs["mod/bucket.tf"] != "" {
		t.Errorf("configs %v", configs)
	}
	var maybe []string
	for _, f := range listed {
		if f.Maybe {
			maybe = append(maybe, rel(f.Path))
		}
	}
	if !slices.Equal(maybe, []string{"mod/nested/x.iam-policy.json", "mod/policies/read.json"}) {
		t.Errorf("maybe in a module's set: %v", maybe)
	}
	if len(done) != 3 {
		t.Errorf("Done for %v, want gov, gov/inner and mod", done)
	}
	for _, f := range listed { // each file's size, from the walk's lstat
		info, err := os.Lstat(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() != f.Size || f.Size == 0 {
			t.Errorf("%s: size %d, lstat says %d", rel(f.Path), f.Size, info.Size())
		}
	}
	rootOfAgreesWithWalk(t, dir, listed)
}

// rootOfAgreesWithWalk asserts that RootOf says of each file the root the
// walk listed it under, and "" of a file the walk does not list.
func rootOfAgreesWithWalk(t *testing.T, dir string, listed []Listed) {
	t.Helper()
	for _, f := range listed {
		if got := RootOf(dir, f.Path); got != f.Root {
			t.Errorf("RootOf(%s) = %q, the walk lists it under %q", f.Path, got, f.Root)
		}
	}
	for _, unlisted := range []string{filepath.Join(dir, ".git", analysis.ConfigName), filepath.Join(dir, "nowhere", "x.json"), filepath.Join(filepath.Dir(dir), "x.json")} {
		if got := RootOf(dir, unlisted); got != "" {
			t.Errorf("RootOf(%s) = %q for a file the walk does not list", unlisted, got)
		}
	}
}

// A Loader fed by a walk, its files read out of order on several
// goroutines, hands back each set once, equal to the set GovernedOf
// builds (the file a module reads in it), and the module folder's file
// the module does not read to be analysed alone; whether it parses each
// file as it reads it or once its set is read (Later), when it tells
// Ready of the root, once, with every file of it seen.
func TestLoaderBuildsTheSetsSetsBuilds(t *testing.T) {
	t.Run("parsed as read", func(t *testing.T) { testLoaderBuildsTheSetsSetsBuilds(t, false) })
	t.Run("parsed once read (Later)", func(t *testing.T) { testLoaderBuildsTheSetsSetsBuilds(t, true) })
}

func testLoaderBuildsTheSetsSetsBuilds(t *testing.T, later bool) {
	dir := walkFixture(t)
	l := NewLoader(dir, Disk{})
	l.Later = later
	var mu sync.Mutex
	var got []*Set
	var alone, maybe []string
	seen, ready := map[string]int{}, map[string]int{} // by root: files seen; seen when Ready was told
	l.Seen = func(f Listed, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		seen[f.Root]++
	}
	l.Ready = func(root string) {
		mu.Lock()
		defer mu.Unlock()
		if _, twice := ready[root]; twice {
			t.Errorf("Ready told of %s twice", root)
		}
		ready[root] = seen[root]
	}
	keep := func(c *Complete) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, c.Sets...)
		for _, src := range c.Alone {
			alone = append(alone, filepath.Base(src.Path))
		}
		for _, p := range c.Maybe {
			maybe = append(maybe, filepath.Base(p))
		}
	}
	readAsTheScanDoes(t, dir, l, keep)
	for root, n := range seen {
		if ready[root] != n {
			t.Errorf("Ready told of %s with %d of its %d files seen", root, ready[root], n)
		}
	}
	if len(ready) != len(seen) {
		t.Errorf("Ready told of %d roots, %d were read", len(ready), len(seen))
	}
	if !slices.Equal(alone, []string{"x.iam-policy.json"}) || !slices.Equal(maybe, []string{"read.json"}) {
		t.Errorf("alone %v, read with the module %v", alone, maybe)
	}
	setsAreGovernedOfs(t, dir, got)
}

// setsAreGovernedOfs asserts that got are the sets GovernedOf builds from
// a Scan of dir, each answering every principal alike.
func setsAreGovernedOfs(t *testing.T, dir string, got []*Set) {
	t.Helper()
	paths, _, _ := Scan(dir)
	want := GovernedOf(dir, paths, Disk{})
	if len(got) != len(want) {
		t.Fatalf("%d sets, want %d", len(got), len(want))
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(s *Set) bool { return s.Dir == w.Dir })
		if i < 0 {
			t.Errorf("no set at %s", w.Dir)
			continue
		}
		g := got[i]
		if !reflect.DeepEqual(comparable(g), comparable(w)) {
			t.Errorf("set %s differs from the set Sets builds", w.Dir)
		}
		for _, p := range principals(w) {
			if !reflect.DeepEqual(g.Blocked(p), w.Blocked(p)) {
				t.Errorf("set %s: %s is answered otherwise", w.Dir, p)
			}
		}
	}
}

// setView is what a set holds, without the pointers that make two equal
// sets unequal: its files in order, each document with its kind, facts
// and config (its host's encoder left out), and the workspace's
// documents in order.
type setView struct {
	Sources []Source
	Docs    []analysis.File
	Buckets map[string]*analysis.BucketFacts
}

func comparable(s *Set) setView {
	var v setView
	for _, src := range s.Sources() {
		c := *src
		c.Docs = nil
		for _, d := range src.Docs {
			dc := docView(d)
			c.Docs = append(c.Docs, &dc)
		}
		v.Sources = append(v.Sources, c)
	}
	for _, f := range s.Files {
		v.Docs = append(v.Docs, docView(f))
	}
	v.Buckets = s.Buckets
	return v
}

// docView is a document without its workspace and its host's encoder
// (a func is DeepEqual to nil alone).
func docView(d *analysis.File) analysis.File {
	c := *d
	c.Workspace = nil
	if d.Host != nil {
		host := *d.Host
		host.Encode = nil
		c.Host = &host
	}
	return c
}

// principals lists the principals the set's identity policies name.
func principals(s *Set) []string {
	var out []string
	for _, f := range s.Files {
		if f.Facts != nil && f.Facts.Principal != "" && !slices.Contains(out, f.Facts.Principal) {
			out = append(out, f.Facts.Principal)
		}
	}
	return out
}

// A file the walk lists as analysed alone (Root "") is in none of the
// sets GovernedOf builds from the same listing, and a file it names a
// set for (not Maybe) is in one: check hands the former to its workers
// before the sets are read and never analyses it again. The folder tries
// to make them disagree: a module that reads files outside its folder
// (by a relative and an absolute path), a config over 1 MB, a config
// that is a link out of the folder, one that is a link inside it, and a
// config in a .git folder.
func TestWalkAloneIsInNoSet(t *testing.T) {
	dir := t.TempDir()
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`
	config := `{"accounts": ["111122223333"]}`
	outside := filepath.Join(t.TempDir(), analysis.ConfigName)
	files := map[string]string{
		"gov/.s3policy.json":     config,
		"gov/a.json":             policy,
		"linked/p.json":          policy,
		"out/p.json":             policy,
		"big/.s3policy.json":     `{"accounts": ["111122223333"], "x": "` + string(make([]byte, MaxFileSize)) + `"}`,
		"big/p.json":             policy,
		".git/.s3policy.json":    config,
		"loose/near.json":        policy,
		"loose/far.json":         policy,
		"mod/policies/read.json": policy,
		"mod/nested/unread.json": policy,
		"mod/main.tf": `resource "aws_s3_bucket_policy" "a" {
  bucket = "data"
  policy = file("${path.module}/policies/read.json")
}
resource "aws_s3_bucket_policy" "b" {
  bucket = "data"
  policy = file("${path.module}/../loose/near.json")
}
resource "aws_s3_bucket_policy" "c" {
  bucket = "data"
  policy = file("` + filepath.ToSlash(filepath.Join(dir, "loose", "far.json")) + `")
}`,
	}
	for rel, text := range files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(outside, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"linked/.s3policy.json": "../gov/.s3policy.json", "out/.s3policy.json": outside} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	var listed []Listed
	if err := Walk(dir, Walker{File: func(f Listed) { listed = append(listed, f) }}); err != nil {
		t.Fatal(err)
	}
	rootOfAgreesWithWalk(t, dir, listed)
	var paths, alone []string
	for _, f := range listed {
		paths = append(paths, f.Path)
	}
	sets := GovernedOf(dir, paths, Disk{})
	for _, f := range listed {
		rel, _ := filepath.Rel(dir, f.Path)
		rel = filepath.ToSlash(rel)
		set, _ := SetOf(sets, f.Path)
		switch {
		case f.Root == "":
			alone = append(alone, rel)
			if set != nil {
				t.Errorf("%s: listed as analysed alone, in the set at %s", rel, set.Dir)
			}
		case !f.Maybe && !IsConfig(f.Path) && set == nil:
			t.Errorf("%s: listed in the set at %s, in none", rel, f.Root)
		}
	}
	want := []string{"big/p.json", "loose/far.json", "loose/near.json", "out/p.json"}
	if !slices.Equal(alone, want) {
		t.Errorf("analysed alone: %v, want %v", alone, want)
	}
	if set, _ := SetOf(sets, filepath.Join(dir, "mod", "policies", "read.json")); set == nil {
		t.Error("the file the module reads is in no set")
	}
}

// With PathOrder, Walk lists the same files with the same sets, sorted
// by their paths as strings: x.json and x-a.json before x/a.json, which
// filepath.WalkDir lists first. Each set is still done once all of its
// files are listed.
func TestWalkInPathOrder(t *testing.T) {
	dir := walkFixture(t)
	for _, name := range []string{"x/a.json", "x.json", "x-a.json", "x-a/b.json", "x/y/c.json", "x0.json", "..z.json", ".a/d.json", "gov/sub.json", "gov/sub-1/e.json"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	walk := func(pathOrder bool) (listed []Listed, done map[string]int) {
		done = map[string]int{} // root: the files listed before its Done
		err := Walk(dir, Walker{
			File:      func(f Listed) { listed = append(listed, f) },
			Done:      func(root string) { done[root] = len(listed) },
			PathOrder: pathOrder,
		})
		if err != nil {
			t.Fatal(err)
		}
		return listed, done
	}
	asWalked, _ := walk(false)
	listed, done := walk(true)
	byPath := slices.Clone(asWalked)
	slices.SortFunc(byPath, func(a, b Listed) int { return strings.Compare(filepath.ToSlash(a.Path), filepath.ToSlash(b.Path)) })
	if !reflect.DeepEqual(listed, byPath) {
		t.Fatalf("in path order, Walk listed\n%v\nwant the files of the walk sorted by path:\n%v", listed, byPath)
	}
	at := func(listed []Listed, name string) int {
		return slices.IndexFunc(listed, func(f Listed) bool { return f.Path == filepath.Join(dir, filepath.FromSlash(name)) })
	}
	if at(asWalked, "x/a.json") > at(asWalked, "x.json") {
		t.Errorf("without PathOrder, x/a.json must come before x.json, as filepath.WalkDir lists them: %v", asWalked)
	}
	for root, n := range done {
		last := -1
		for i, f := range listed {
			if f.Root == root {
				last = i
			}
		}
		if last >= n {
			t.Errorf("Done(%s) after %d files, before its file %s", root, n, listed[last].Path)
		}
	}
	if len(done) == 0 {
		t.Fatal("no set was done")
	}
}

// Loader.Config gives a .s3policy.json as the loader read it for its
// files, with what ParseConfig finds in it; nothing for a config it did
// not read, or from no loader.
func TestLoaderConfigIsWhatParseConfigSays(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, ".s3policy.json")
	text := `{"accounts": ["12"], "locale": "ja"}` // "12" is no account ID: a finding
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	l := NewLoader(dir, Disk{})
	if _, _, _, ok := l.Config(config); ok {
		t.Fatal("Config before any file was read")
	}
	err := Walk(dir, Walker{File: func(f Listed) { l.Expect(f); l.Read(f) }})
	if err != nil {
		t.Fatal(err)
	}
	got, cfg, findings, ok := l.Config(config)
	wantCfg, wantFindings := analysis.ParseConfig(dir, []byte(text))
	if !ok || string(got) != text || cfg.Locale != "ja" || !reflect.DeepEqual(cfg, wantCfg) || len(findings) == 0 || !reflect.DeepEqual(findings, wantFindings) {
		t.Errorf("Config = %q, %+v, %v, %v; want the text, %+v and %v", got, cfg, findings, ok, wantCfg, wantFindings)
	}
	var none *Loader
	if _, _, _, ok := none.Config(config); ok {
		t.Error("a nil loader read a config")
	}
}
