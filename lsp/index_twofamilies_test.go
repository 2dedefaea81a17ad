package lsp

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A child module two modules of one set call (tf/ calls ./a/child, tf/a
// calls ./child), and a policy file two modules read with file(), are
// read with both: a fresh read gives the child what both calls decide
// alike and the file the reading of the first module by name. Each edit,
// one after another (a comment in either caller or in the child, a block
// typed above a call, a file() taken out and put back), must leave the
// set as a fresh read of the same texts has it: reading one caller's
// family without the other's gave the child one call's inputs, and a
// false warning (the review, nineteenth pass).
func TestTwoFamiliesOfOneFileAgreeWithAFreshSet(t *testing.T) {
	const cfg = `{"accounts": ["111122223333"], "buckets": {"data": {"account": "999988887777"}, "mid": {"account": "999988887777"}}, "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`
	const app = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::data/*", "arn:aws:s3:::other/*", "arn:aws:s3:::mid/*"]}]}`
	twoCallers := map[string]string{
		"tf/main.tf":         "# caller\nmodule \"c\" {\n  source = \"./a/child\"\n  name   = \"data\"\n}\n",
		"tf/a/main.tf":       "# second\nmodule \"c\" {\n  source = \"./child\"\n  name   = \"mid\"\n}\n",
		"tf/a/child/vars.tf": "variable \"name\" {\n  default = \"other\"\n}\n",
		"tf/a/child/main.tf": childBucket("b", "${var.name}"),
	}
	twoReaders := map[string]string{
		"tf/main.tf":   "# one\nresource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"data\"\n  policy = file(\"${path.module}/a/p.json\")\n}\n",
		"tf/a/main.tf": "# two\nresource \"aws_iam_role_policy\" \"p\" {\n  role   = \"app\"\n  policy = file(\"${path.module}/p.json\")\n}\n",
		"tf/a/p.json":  `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data"}]}`,
	}
	callerEdits := [][3]string{
		{"tf/main.tf", "# caller", "# caller."},
		{"tf/a/child/main.tf", "resource \"aws_s3_bucket\" ", "# x\nresource \"aws_s3_bucket\" "},
		{"tf/main.tf", "# caller.\n", "# caller.\nr"},
		{"tf/main.tf", "\nr", "\n"},
		{"tf/a/main.tf", "# second\n", "# second\nr"},
		{"tf/a/main.tf", "\nr", "\n"},
		{"tf/a/main.tf", `"mid"`, `"data"`},
	}
	readerEdits := [][3]string{
		{"tf/a/main.tf", "# two", "# two."},
		{"tf/main.tf", "# one", "# one."},
		{"tf/a/p.json", `"s3:GetObject"`, `"s3:PutObject"`},
		{"tf/main.tf", "policy = file", "policy = filex"},
		{"tf/main.tf", "policy = filex", "policy = file"},
		{"tf/a/main.tf", "policy = file", "policy = filex"},
		{"tf/a/main.tf", "policy = filex", "policy = file"},
	}
	// The same with the second module under a .s3policy.json of its own:
	// one family in two sets, which an edit of either set cannot read
	// together, so every set may be read again (regroups), as the server's
	// scheduler does.
	nested := func(files map[string]string) map[string]string {
		out := map[string]string{"tf/a/.s3policy.json": `{"accounts": ["444455556666"], "buckets": {"mid": {"account": "999988887777"}}}`}
		for k, v := range files {
			out[k] = v
		}
		return out
	}
	for _, layout := range []struct {
		name       string
		files      map[string]string
		edits      [][3]string // path, old, new
		mayRegroup bool        // whether an edit may read every set again
	}{
		{"two callers of one child", twoCallers, callerEdits, false},
		{"two readers of one file", twoReaders, readerEdits, false},
		{"two callers under two configs", nested(twoCallers), callerEdits, true},
		{"two readers under two configs", nested(twoReaders), readerEdits, true},
	} {
		t.Run(layout.name, func(t *testing.T) {
			dir := t.TempDir()
			path := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
			texts := map[string][]byte{path(".s3policy.json"): []byte(cfg), path("iam/app.json"): []byte(app)}
			for rel, text := range layout.files {
				texts[path(rel)] = []byte(text)
			}
			writeTexts(t, texts)
			ix := newIndex()
			ix.rebuild([]string{dir}, texts)
			for i, e := range layout.edits {
				p := path(e[0])
				text := []byte(replaceOnce(t, string(texts[p]), e[1], e[2]))
				change := map[string][]byte{p: text}
				texts[p] = text
				if regroups := ix.regroups(change); regroups && !layout.mayRegroup {
					t.Fatalf("edit %d (%s): every set read again; the set's own edit must follow it", i, e[0])
				} else if regroups {
					ix.rebuild([]string{dir}, texts)
				} else {
					ix.update(change)
				}
				fresh := newIndex()
				fresh.rebuild([]string{dir}, texts)
				g, want := ix.setOf(path("iam/app.json")), fresh.setOf(path("iam/app.json"))
				for _, f := range want.paths {
					if got, w := publishedOf(g, f), publishedOf(want, f); !slices.Equal(got, w) {
						t.Errorf("edit %d (%s %q -> %q): %s published\n%q\na fresh set's\n%q", i, e[0], e[1], e[2], f, got, w)
					}
				}
				if got, w := decisionsOf(g), decisionsOf(want); !reflect.DeepEqual(got, w) {
					t.Errorf("edit %d (%s): the set decides\n%v\na fresh set\n%v", i, e[0], got, w)
				}
			}
		})
	}
}

// replaceOnce is text with its one old replaced by new.
func replaceOnce(t *testing.T, text, old, new string) string {
	t.Helper()
	if strings.Count(text, old) != 1 {
		t.Fatalf("%q is not once in %q", old, text)
	}
	return strings.Replace(text, old, new, 1)
}
