package lsp

import (
	"bytes"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAnEditKeepsNoEvaluationNoGrantAsksFor types into a bucket policy's
// Resource, answering every principal after each keystroke, as the server
// does: each keystroke makes the grant's requests of the resource typed
// before ones no answer asks for. The set then keeps as many evaluations
// as a fresh set of the same texts. Before, the edit's stale requests were
// decided again and kept whether a grant still made them or not (found in
// review: 78 kept by a fresh set, 158 after 40 keystrokes, and each later
// keystroke deciding more of them).
func TestAnEditKeepsNoEvaluationNoGrantAsksFor(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	bucket := filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	answerAll := func(g *govSet) {
		for _, p := range principalsOf(g.ws) {
			g.ws.Blocked(p)
		}
	}
	answerAll(ix.setOf(bucket))
	now := maps.Clone(texts)
	key := []byte(`arn:aws:s3:::`)
	at := bytes.Index(texts[bucket], key) + len(key)
	var typed []byte
	for i := range 40 {
		typed = append(typed, byte('a'+i%26))
		now[bucket] = slices.Concat(texts[bucket][:at], typed, texts[bucket][at:])
		ix.update(map[string][]byte{bucket: now[bucket]})
		answerAll(ix.setOf(bucket))
	}
	fresh := newIndex()
	fresh.rebuild([]string{dir}, now)
	answerAll(fresh.setOf(bucket))
	if got, want := ix.setOf(bucket).ws.KeptEvaluations(), fresh.setOf(bucket).ws.KeptEvaluations(); got != want {
		t.Errorf("after 40 keystrokes the set keeps %d evaluations, a fresh set %d", got, want)
	}
}

// TestAPanicOnEveryCoreReachesTheCaller panics in one of onEveryCore's
// goroutines: the panic must come back to the caller, whose guard logs
// it, instead of ending the server from a goroutine nobody recovers.
func TestAPanicOnEveryCoreReachesTheCaller(t *testing.T) {
	var got any
	func() {
		defer func() { got = recover() }()
		onEveryCore(8, func(i int) bool {
			if i == 3 {
				panic("engine: index out of range")
			}
			return true
		})
	}()
	if got == nil {
		t.Fatal("onEveryCore returned without the panic")
	}
	if s := fmt.Sprint(got); !strings.HasPrefix(s, "engine: index out of range\ngoroutine ") {
		t.Errorf("the caller recovered %q, want the panic's value and the stack where it happened", s)
	}
}
