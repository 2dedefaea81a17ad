package lsp

import (
	"path/filepath"
	"testing"
)

// regroups says which edits move files between sets or into a caller's
// family: a call to a folder the index holds files of, typed or taken
// out. A call to a folder that holds none (a source typed letter by
// letter), a comment, or an edit of a JSON policy moves nothing, so
// that such keystrokes stay as cheap as the others.
func TestRegroupsOnlyWhenACallReachesHeldFiles(t *testing.T) {
	dir := t.TempDir()
	path := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	writeTexts(t, map[string][]byte{
		path(".s3policy.json"):   []byte(`{"accounts": ["111122223333"]}`),
		path("iam/app.json"):     []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`),
		path("tf/main.tf"):       []byte("module \"c\" {\n  source = \"./child\"\n}\n"),
		path("tf/child/main.tf"): []byte(childBucket("b", "data")),
	})
	ix := newIndex()
	for _, g := range loadedSets(t, dir) {
		ix.put(g)
	}
	for _, c := range []struct {
		path, text string
		want       bool
	}{
		{"tf/main.tf", "module \"c\" {\n  source = \"./child\"\n}\n# a comment\n", false},
		{"tf/main.tf", "module \"c\" {\n  source = \"./chi\"\n}\n", true}, // the call to child is taken out
		{"tf/main.tf", "module \"c\" {\n  source = \"./child\"\n}\nmodule \"d\" {\n  source = \"./chi\"\n}\n", false},
		{"tf/main.tf", "# no call\n", true},
		{"tf/child/main.tf", childBucket("b", "other"), false},
		{"iam/app.json", `{"Version": "2012-10-17", "Statement": []}`, false},
	} {
		if got := ix.regroups(map[string][]byte{path(c.path): []byte(c.text)}); got != c.want {
			t.Errorf("regroups(%s: %q) = %v, want %v", c.path, c.text, got, c.want)
		}
	}
}
