package lsp

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// noStatementSet is a governed set where .s3policy.json names
// x.bucket-policy.json as the policy of shared-x (account 444455556666)
// and app.iam-policy.json (account 111122223333) reads shared-x; the
// bucket policy's text is bucketPolicy.
func noStatementSet(t *testing.T, bucketPolicy string) (ix *index, dir, id, bp string, identity string) {
	dir = t.TempDir()
	config := `{"accounts": ["111122223333"], "buckets": {"shared-x": {"account": "444455556666"}},
 "files": {"**/*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"},
  "x.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-x"}}}`
	identity = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::shared-x/*"]}
]}
`
	bp, id = filepath.Join(dir, "x.bucket-policy.json"), filepath.Join(dir, "app.iam-policy.json")
	texts := map[string][]byte{filepath.Join(dir, analysis.ConfigName): []byte(config), id: []byte(identity)}
	if bucketPolicy != "" {
		texts[bp] = []byte(bucketPolicy)
	}
	ix = newIndex()
	ix.rebuild([]string{dir}, texts)
	return ix, dir, id, bp, identity
}

// agreesWithAFreshSet fails the test unless every file of the index's set
// at dir is published as a set read afresh from the same texts publishes it.
func agreesWithAFreshSet(t *testing.T, ix *index, dir, when string) {
	t.Helper()
	g := ix.setOf(filepath.Join(dir, "app.iam-policy.json"))
	texts := map[string][]byte{g.configPath: g.configText}
	for p, src := range g.sources.all() {
		texts[p] = src.Text
	}
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)
	f := fresh.setOf(filepath.Join(dir, "app.iam-policy.json"))
	if !slices.Equal(g.paths, f.paths) {
		t.Fatalf("%s: files %v, a fresh set's %v", when, g.paths, f.paths)
	}
	for _, p := range g.paths {
		if got, want := publishedOf(g, p), publishedOf(f, p); !slices.Equal(got, want) {
			t.Errorf("%s: %s published\n%q\na fresh set's\n%q", when, filepath.Base(p), got, want)
		}
	}
}

// A bucket policy with no Statement yet, named as a bucket's policy (a
// file just created: {}, or {"Version": ...} with its Statement deleted):
// every edit of its set, the bucket policy's own included, is taken in.
// It made the comparison of cross-account uses (addCrossAccountReaders)
// panic in update, so that nothing of the set was published again.
func TestABucketPolicyWithNoStatementIsHalfTyped(t *testing.T) {
	t.Run("an identity policy edited", func(t *testing.T) {
		ix, dir, id, _, identity := noStatementSet(t, `{"Version": "2012-10-17"}`)
		deps := ix.update(map[string][]byte{id: []byte(strings.Replace(identity, `"Use"`, `"Used"`, 1))})
		if got := slices.Sorted(maps.Keys(deps)); !slices.Equal(got, []string{id}) {
			t.Errorf("dependants %v, want the identity policy alone", got)
		}
		agreesWithAFreshSet(t, ix, dir, "Sid typed")
	})
	t.Run("created", func(t *testing.T) {
		ix, dir, id, bp, _ := noStatementSet(t, "")
		deps := ix.update(map[string][]byte{bp: []byte(`{}`)})
		if !deps[bp] {
			t.Errorf("dependants %v lack the bucket policy", slices.Sorted(maps.Keys(deps)))
		}
		agreesWithAFreshSet(t, ix, dir, "{} created")
		// Its Statement typed: the use is reported on both sides.
		deps = ix.update(map[string][]byte{bp: []byte(`{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`)})
		if !deps[bp] || !deps[id] {
			t.Errorf("dependants %v", slices.Sorted(maps.Keys(deps)))
		}
		agreesWithAFreshSet(t, ix, dir, "Statement typed")
		if got := publishedOf(ix.setOf(id), id); !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "missing-resource-arn") }) {
			t.Errorf("identity policy: %q", got)
		}
	})
}

// A panic in with (a bug) leaves no set wedged: the set is read afresh
// with the edit, every file of it is a dependant, the set the index holds
// is not marked replaced (the back would queue its closed files again
// forever), and the next edit goes the ordinary way. The panic is a real
// one of with: the set's workspace is gone, as a bug elsewhere could
// leave it, and with reads it; afresh reads only the files' texts.
func TestAPanicInAnUpdateLeavesTheSetUsable(t *testing.T) {
	ix, dir, id, bp, identity := noStatementSet(t, `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`)
	old := ix.setOf(id)
	old.ws = nil
	var logged []string
	ix.logPanic = func(msg string) { logged = append(logged, msg) }
	deps := ix.update(map[string][]byte{id: []byte(strings.Replace(identity, `"Use"`, `"Used"`, 1))})
	if len(logged) != 1 || !strings.HasPrefix(logged[0], "panic in the update of the set at "+dir+", read again whole: runtime error: invalid memory address or nil pointer dereference\n") {
		t.Errorf("logged %q", logged)
	}
	next := ix.setOf(id)
	if next == old || next.replaced.Load() {
		t.Fatalf("the index holds the old set (%v) or one marked replaced (%v)", next == old, next.replaced.Load())
	}
	if !strings.Contains(string(next.sources.get(id).Text), `"Used"`) {
		t.Errorf("the edit is lost: %s", next.sources.get(id).Text)
	}
	if want := []string{id, bp}; !slices.Equal(slices.Sorted(maps.Keys(deps)), slices.Sorted(slices.Values(want))) {
		t.Errorf("dependants %v, want every file of the set %v", slices.Sorted(maps.Keys(deps)), want)
	}
	agreesWithAFreshSet(t, ix, dir, "after the panic")
	deps = ix.update(map[string][]byte{id: []byte(strings.Replace(identity, `"Use"`, `"Uses"`, 1))})
	if !deps[id] || ix.setOf(id) == next {
		t.Errorf("the next edit: dependants %v, set replaced %v", deps, ix.setOf(id) != next)
	}
	agreesWithAFreshSet(t, ix, dir, "the next edit")
}

// The set read afresh keeps every file at its root, as with does, even
// those a scan would now split into sets of their own: the root module of
// examples/terraform/child-modules deleted, its two children are modules
// no module calls, and the index holds them in the set until it is
// rebuilt. afresh kept only the files a scan would root there
// (providers.tf): the children dropped out of the index.
func TestAfreshKeepsEveryFileOfTheSet(t *testing.T) {
	src, err := filepath.Abs(filepath.Join("..", "examples", "terraform", "child-modules"))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string][]byte{}
	for _, name := range []string{"main.tf", "providers.tf", "modules/bucket/main.tf", "modules/reader/main.tf"} {
		if texts[filepath.Join(src, name)], err = os.ReadFile(filepath.Join(src, name)); err != nil {
			t.Fatal(err)
		}
	}
	ix := newIndex()
	ix.rebuild([]string{src}, texts)
	g := ix.setOf(filepath.Join(src, "main.tf"))
	if len(g.paths) != 4 {
		t.Fatalf("the set read whole holds %v", g.paths)
	}
	changes := map[string][]byte{filepath.Join(src, "main.tf"): nil}
	viaWith, _ := g.with(changes)
	next, deps := g.afresh(changes, func(msg string) { t.Errorf("logged %q", msg) })
	want := []string{filepath.Join(src, "modules/bucket/main.tf"), filepath.Join(src, "modules/reader/main.tf"), filepath.Join(src, "providers.tf")}
	if !slices.Equal(next.paths, want) || !slices.Equal(viaWith.paths, want) {
		t.Fatalf("files afresh %v, with %v; want %v", next.paths, viaWith.paths, want)
	}
	if got := slices.Sorted(maps.Keys(deps)); !slices.Equal(got, slices.Sorted(maps.Keys(texts))) {
		t.Errorf("dependants %v, want every file before and after", got)
	}
	for _, p := range want {
		if got, with := publishedOf(next, p), publishedOf(viaWith, p); !slices.Equal(got, with) {
			t.Errorf("%s published afresh\n%q\nby with\n%q", p, got, with)
		}
	}
}

// buggyReader puts first among the host readers, for the rest of the
// test, a reader of .json files whose Read panics (a reader's bug) on
// every file claims takes.
func buggyReader(t *testing.T, claims func(path string) bool) {
	t.Helper()
	all := hosts.All
	bug := &source.Reader{Name: "buggy", Extensions: []string{".json"},
		Claims: func(path string, _ []byte) bool { return claims(path) },
		Read:   func(string, []byte) source.Result { panic("a reader's bug") }}
	hosts.All = append([]*source.Reader{bug}, all...)
	t.Cleanup(func() { hosts.All = all })
}

// When reading the set again whole panics too (a reader's bug on one
// file's text, which made with panic first), each file is read alone: the
// file whose reading panics is kept with its text and no document, the
// others are read as a set without it reads them, and the next edit of
// that file goes the ordinary way. A reader whose reading panics outright
// still leaves every file in the set, with no document.
func TestAPanicReadingTheSetAgainReadsItFileByFile(t *testing.T) {
	ix, dir, id, bp, identity := noStatementSet(t, `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`)
	g := ix.setOf(id)
	texts := map[string][]byte{id: g.sources.get(id).Text, bp: g.sources.get(bp).Text}
	var logged []string
	log := func(msg string) { logged = append(logged, msg[:strings.IndexByte(msg, '\n')]) }
	identityBug := true // the reader's bug: reading the identity policy panics
	buggyReader(t, func(path string) bool { return path == id && identityBug || !identityBug })
	next := g.readAgain(texts, log)
	identityBug = false
	wantLogged := []string{
		"panic in reading the set at " + dir + " again whole, read file by file: a reader's bug",
		"panic in reading " + id + " alone: a reader's bug",
	}
	if !slices.Equal(logged, wantLogged) {
		t.Errorf("logged %q, want %q", logged, wantLogged)
	}
	if !slices.Equal(next.paths, []string{id, bp}) || string(next.sources.get(id).Text) != identity || len(next.sources.get(id).Docs) != 0 {
		t.Fatalf("files %v, the identity policy %+v", next.paths, next.sources.get(id))
	}
	logged = nil
	broken := g.readAgain(texts, log)
	if len(logged) != 3 || !slices.Equal(broken.paths, []string{id, bp}) || len(broken.sources.get(id).Docs)+len(broken.sources.get(bp).Docs) != 0 {
		t.Errorf("every reading panics: logged %q, files %v", logged, broken.paths)
	}

	hosts.All = hosts.All[1:] // the bug fixed
	without := newIndex()
	without.rebuild([]string{dir}, map[string][]byte{g.configPath: g.configText, bp: texts[bp]})
	if got, want := publishedOf(next, bp), publishedOf(without.setOf(bp), bp); len(got) == 0 || !slices.Equal(got, want) {
		t.Errorf("the bucket policy published\n%q\nwithout the identity policy\n%q", got, want)
	}
	ix.put(next)
	if deps := ix.update(map[string][]byte{id: []byte(strings.Replace(identity, `"Use"`, `"Used"`, 1))}); !deps[id] {
		t.Errorf("the next edit: dependants %v", deps)
	}
	agreesWithAFreshSet(t, ix, dir, "the next edit")
}

// A reader's bug that makes reading the sets of a folder panic when the
// index is rebuilt (a config changed, the scan ended) is logged, and the
// index still holds each config's set with every file of it: the file
// whose reading panics with its text and no document, the others read
// as a fresh set reads them. The panic left rebuild, and the round that
// called it, with the index as it was before the config changed.
func TestAPanicInARebuildLeavesEveryFileInTheIndex(t *testing.T) {
	whole, dir, id, bp, identity := noStatementSet(t, `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`)
	config := whole.setOf(id).configText
	sub := filepath.Join(dir, "sub")
	texts := map[string][]byte{filepath.Join(dir, analysis.ConfigName): config, id: []byte(identity),
		bp:                                      whole.setOf(bp).sources.get(bp).Text,
		filepath.Join(sub, analysis.ConfigName): config, filepath.Join(sub, "app.iam-policy.json"): []byte(identity)}
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)

	var logged []string
	ix := newLoggedIndex(func(msg string) { logged = append(logged, msg[:strings.IndexByte(msg, '\n')]) })
	buggyReader(t, func(path string) bool { return path == id })
	ix.rebuild([]string{dir}, texts)
	wantLogged := []string{
		"panic in reading the sets of " + dir + ", read config by config: a reader's bug",
		"panic in reading the set at " + dir + " again whole, read file by file: a reader's bug",
		"panic in reading " + id + " alone: a reader's bug",
	}
	if !slices.Equal(logged, wantLogged) {
		t.Errorf("logged %q, want %q", logged, wantLogged)
	}
	g := ix.setOf(id)
	if g == nil || !slices.Equal(g.paths, []string{id, bp}) || len(g.sources.get(id).Docs) != 0 || string(g.sources.get(id).Text) != identity {
		t.Fatalf("the set at %s: %+v", dir, g)
	}
	other := filepath.Join(sub, "app.iam-policy.json")
	if s := ix.setOf(other); s == nil || s.root != sub || !slices.Equal(s.paths, []string{other}) {
		t.Fatalf("the set at %s: %+v", sub, s)
	}
	if got, want := publishedOf(ix.setOf(other), other), publishedOf(fresh.setOf(other), other); len(ix.setOf(other).sources.get(other).Docs) != 1 || !slices.Equal(got, want) {
		t.Errorf("%s published\n%q\na fresh set's\n%q", other, got, want)
	}

	hosts.All = hosts.All[1:] // the bug fixed: the next edit reads the file
	if deps := ix.update(map[string][]byte{id: []byte(strings.Replace(identity, `"Use"`, `"Used"`, 1))}); !deps[id] {
		t.Errorf("the next edit: dependants %v", deps)
	}
	agreesWithAFreshSet(t, ix, dir, "the next edit")
}
