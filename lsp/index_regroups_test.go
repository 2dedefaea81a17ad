package lsp

import (
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// regroups says which edits move files between sets: a call typed or
// taken out to a folder whose files another set holds, or which a fresh
// read puts in a set of its own (a child under its own .s3policy.json).
// A call moved within one set (a child under the set's config), a call
// to a folder that holds no file (a source typed letter by letter), a
// comment, or an edit of a JSON policy moves none, so that such
// keystrokes stay as cheap as the others.
func TestRegroupsOnlyWhenACallMovesFilesBetweenSets(t *testing.T) {
	dir := t.TempDir()
	path := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	const (
		callChild = "module \"c\" {\n  source = \"./child\"\n}\n"
		callOwn   = "module \"o\" {\n  source = \"./own\"\n}\n"
	)
	writeTexts(t, map[string][]byte{
		path(".s3policy.json"):        []byte(`{"accounts": ["111122223333"]}`),
		path("iam/app.json"):          []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`),
		path("tf/main.tf"):            []byte(callChild + callOwn),
		path("tf/child/main.tf"):      []byte(childBucket("b", "data")),
		path("tf/own/.s3policy.json"): []byte(`{"files": {"main.tf": {"account": "999988887777"}}}`),
		path("tf/own/main.tf"):        []byte(childBucket("o", "owned")),
	})
	ix := newIndex()
	for _, g := range loadedSets(t, dir) {
		ix.put(g)
	}
	for _, c := range []struct {
		path, text string
		want       bool
	}{
		{"tf/main.tf", callChild + callOwn + "# a comment\n", false},
		{"tf/main.tf", "module \"c\" {\n  source = \"./chi\"\n}\n" + callOwn, false},        // the call to child taken out: it stays in the set
		{"tf/main.tf", callChild + "module \"o\" {\n  source = \"./ow\"\n}\n", true},        // own goes to its config's set
		{"tf/main.tf", "resource \"aws_s3_bucket\" \"x\" {\n" + callChild + callOwn, true},  // HCL sees no call below the open block
		{"tf/main.tf", callChild + callOwn + "resource \"aws_s3_bucket\" \"x\" {\n", false}, // nor any after it: both calls kept
		{"tf/main.tf", callChild + callOwn + "module \"d\" {\n  source = \"./chi\"\n}\n", false},
		{"tf/main.tf", "# no call\n", true},
		{"tf/child/main.tf", childBucket("b", "other"), false},
		{"iam/app.json", `{"Version": "2012-10-17", "Statement": []}`, false},
	} {
		if got := ix.regroups(map[string][]byte{path(c.path): []byte(c.text)}); got != c.want {
			t.Errorf("regroups(%s: %q) = %v, want %v", c.path, c.text, got, c.want)
		}
	}
}

// A block typed above a module call, one keystroke at a time: from its
// `{` until its `}`, HCL recovers no block below it, so the call is gone
// from the caller's text, as check reads it, and the child is read alone
// (its bucket "other" instead of the caller's "data"); at the `}` it is
// read with its caller again (and between: a quote or a label typed
// whole lets HCL see the call for a keystroke or two). No keystroke rebuilds every set (the child
// is under the caller's config), and after each one the set finds and
// decides what a set read afresh from the same texts does.
func TestABlockTypedAboveACallAgreesWithAFreshSet(t *testing.T) {
	dir := t.TempDir()
	path := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	texts := map[string][]byte{
		path(".s3policy.json"):   []byte(`{"accounts": ["111122223333"], "buckets": {"data": {"account": "999988887777"}}, "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		path("iam/app.json"):     []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`),
		path("tf/main.tf"):       []byte("module \"c\" {\n  source = \"./child\"\n  name   = \"data\"\n}\n"),
		path("tf/child/vars.tf"): []byte("variable \"name\" {\n  default = \"other\"\n}\n"),
		path("tf/child/main.tf"): []byte("resource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n}\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n" +
			"  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::${var.name}/*\" }] })\n}\n"),
	}
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	caller, child := path("tf/main.tf"), path("tf/child/main.tf")
	call := texts[caller]
	block := "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \"x\"\n}\n"
	bucketsSeen := []string{strings.Join(slices.Sorted(maps.Keys(bucketNames(ix.setOf(child), child))), ",")}
	for i := 1; i <= len(block); i++ {
		text := slices.Concat([]byte(block[:i]), []byte("\n"), call)
		if ix.regroups(map[string][]byte{caller: text}) {
			t.Fatalf("keystroke %d (%q): regroups says every set is read again", i, block[:i])
		}
		deps := ix.update(map[string][]byte{caller: text})
		texts[caller] = text
		fresh := newIndex()
		fresh.rebuild([]string{dir}, texts)
		g, want := ix.setOf(child), fresh.setOf(child)
		if !slices.Equal(g.paths, want.paths) {
			t.Fatalf("keystroke %d: files %v, a fresh set's %v", i, g.paths, want.paths)
		}
		for _, p := range g.paths {
			if got, w := publishedOf(g, p), publishedOf(want, p); !slices.Equal(got, w) {
				t.Errorf("keystroke %d (%q): %s published\n%q\na fresh set's\n%q", i, block[:i], p, got, w)
			}
		}
		if got, w := decisionsOf(g), decisionsOf(want); !reflect.DeepEqual(got, w) {
			t.Errorf("keystroke %d (%q): the set decides\n%v\na fresh set\n%v", i, block[:i], got, w)
		}
		bucket := strings.Join(slices.Sorted(maps.Keys(bucketNames(g, child))), ",")
		if bucketsSeen[len(bucketsSeen)-1] != bucket {
			bucketsSeen = append(bucketsSeen, bucket)
			if !deps[child] {
				t.Errorf("keystroke %d: the child's bucket is now %s and the child is no dependant", i, bucket)
			}
		}
	}
	if !slices.Contains(bucketsSeen, "other") || bucketsSeen[len(bucketsSeen)-1] != "data" {
		t.Errorf("the child's bucket was %v as the block was typed, want other while the call is hidden, data at the end", bucketsSeen)
	}
}

// bucketNames are the names of the buckets the file at path declares in g.
func bucketNames(g *govSet, path string) map[string]bool {
	out := map[string]bool{}
	for _, b := range g.sources.get(path).Buckets {
		out[b.Name] = true
	}
	return out
}
