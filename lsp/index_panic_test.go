package lsp

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
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
	for p, src := range g.sources {
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
// forever), and the next edit goes the ordinary way.
func TestAPanicInAnUpdateLeavesTheSetUsable(t *testing.T) {
	ix, dir, id, bp, identity := noStatementSet(t, `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`)
	old := ix.setOf(id)
	var logged []string
	ix.logPanic = func(msg string) { logged = append(logged, msg) }
	withFault = func(*govSet) { panic("a bug in with") }
	t.Cleanup(func() { withFault = nil })
	deps := ix.update(map[string][]byte{id: []byte(strings.Replace(identity, `"Use"`, `"Used"`, 1))})
	withFault = nil
	if len(logged) != 1 || !strings.HasPrefix(logged[0], "panic in the update of the set at "+dir+", read again whole: a bug in with\n") {
		t.Errorf("logged %q", logged)
	}
	next := ix.setOf(id)
	if next == old || next.replaced.Load() {
		t.Fatalf("the index holds the old set (%v) or one marked replaced (%v)", next == old, next.replaced.Load())
	}
	if !strings.Contains(string(next.sources[id].Text), `"Used"`) {
		t.Errorf("the edit is lost: %s", next.sources[id].Text)
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
