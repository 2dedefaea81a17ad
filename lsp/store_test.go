package lsp

import (
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
