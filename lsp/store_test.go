package lsp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A round whose changed files are no module's (a keystroke in a JSON
// policy) finds no file a module reads without the store's lock: it used
// to look, under that lock, through every text the store holds (5,000 at
// 5,000 governed policies, 12 % of the server's CPU while typing), and
// the next didChange waited for it.
func TestAJSONEditLooksForNoModuleUnderTheStoresLock(t *testing.T) {
	st := newStore()
	st.disk["/w/team/policy.json"] = []byte(`{}`)
	st.loose["/w/team/b.json"] = true
	st.mu.Lock()
	defer st.mu.Unlock()
	done := make(chan []string, 1)
	go func() { done <- st.regroupIncluded([]string{"/w/team/policy.json", "/w/team/b.json"}) }()
	select {
	case got := <-done:
		if got != nil {
			t.Fatalf("files a module reads: %v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("regroupIncluded waited for the store's lock for a JSON edit")
	}
}

// A file created on disk during the first scan, whose event the store
// takes before the scan reaches its folder's config, is governed once the
// scan records the config: among the texts the scan-end reconcile
// compares the sets with, not loose for good (the review's B7: it was
// published as a file alone, and its set lacked it, until it changed
// again).
func TestAFileCreatedBeforeTheScanReachesItsConfigJoinsTheSet(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, ".s3policy.json")
	created := filepath.Join(dir, "new.iam-policy.json")
	configText := []byte(`{"accounts": ["111122223333"]}`)
	for p, text := range map[string][]byte{config: configText, created: []byte(`{"Version": "2012-10-17", "Statement": []}`)} {
		if err := os.WriteFile(p, text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := newStore()
	st.folders = []string{dir}
	if _, err := st.modify(event{kind: onDisk, path: created}); err != nil { // didChangeWatchedFiles: Created
		t.Fatal(err)
	}
	if !st.isLoose(created) {
		t.Fatalf("before the scan reached the config, %s is not loose: the test no longer shows the case", filepath.Base(created))
	}
	st.scanned(config, configText, true)
	if _, ok := st.governedTexts()[created]; !ok || st.isLoose(created) {
		t.Errorf("after the scan recorded the config, %s is loose (%v), governed text %v; want governed", filepath.Base(created), st.isLoose(created), ok)
	}
}
