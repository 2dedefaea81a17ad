package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// A closed file published from a set the scan (or a rebuild) made
// forgets what its checks built for it alone (checks.ForgetDocuments:
// here, its policy's resolved IAM references, built again when next
// asked for); published from a set an edit made, whose memos the next
// keystrokes' dependants read again, it keeps them (govSet.edited).
func TestOnlyASetNoEditMadeForgetsAPublishedFilesMemos(t *testing.T) {
	s, _ := newRecordingServer(t)
	sc := s.sched
	dir, texts := indexedExample(t, s, "kms-missing-actions", ".s3policy.json", "bucket.bucket-policy.json", "jane.iam-policy.json", "key.key-policy.json")
	jane, bucket := filepath.Join(dir, "jane.iam-policy.json"), filepath.Join(dir, "bucket.bucket-policy.json")
	scanned := sc.index.setOf(jane)
	policy := scanned.sources.get(jane).Docs[0].Policy

	resolved := iamref.Resolve(policy)
	sc.publishClosedFromSet(jane, scanned)
	if iamref.Resolve(policy) == resolved {
		t.Error("a file published from the scan's set kept its resolved IAM references")
	}

	edited, _ := scanned.with(map[string][]byte{bucket: []byte(strings.Replace(string(texts[bucket]), "s3:PutObject", "s3:PutObjectAcl", 1))})
	if !edited.edited || edited.sources.get(jane).Docs[0].Policy != policy {
		t.Fatal("the edit's set is not marked edited, or does not share the identity policy")
	}
	resolved = iamref.Resolve(policy)
	sc.publishClosedFromSet(jane, edited)
	if iamref.Resolve(policy) != resolved {
		t.Error("a file published from an edit's set forgot its resolved IAM references")
	}
}

// indexedExample copies files of an example into a folder of the server,
// which reads them from its disk, and builds its index of them; it
// returns the folder and the texts by path.
func indexedExample(t *testing.T, s *Server, example string, files ...string) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	texts := map[string][]byte{}
	for _, name := range files {
		text, err := os.ReadFile(filepath.Join("..", "examples", example, name))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
		texts[path] = text
	}
	s.store.folders = []string{dir}
	for path, text := range texts {
		s.store.disk[path] = text
	}
	s.sched.index.rebuild(s.store.folders, texts)
	return dir, texts
}
