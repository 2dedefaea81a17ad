package lsp

import (
	"bytes"
	"maps"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// What the round that opens documents leaves to the first keystroke
// (issue 16): a document opened as it is on disk changes nothing of its
// set, and an edit answers no principal that nobody asked for and that
// the edit cannot concern.

// Opening a document whose text is the disk's (what the set holds) keeps
// the set and its workspace, with the answers made on it meanwhile, and
// names no dependant: before, a new workspace was made and every
// principal not yet answered was answered again on it, 216–366 ms of the
// open round at 5,000 policies.
func TestTheSameTextsKeepTheSet(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	identity := filepath.Join(dir, filepath.FromSlash(layout.Identity))
	bucket := filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	before := ix.setOf(identity)
	deps := ix.update(map[string][]byte{identity: texts[identity], bucket: texts[bucket]})
	if len(deps) != 0 {
		t.Errorf("dependants %v, want none", slices.Sorted(maps.Keys(deps)))
	}
	if after := ix.setOf(identity); after != before {
		t.Error("the set was replaced though no text changed")
	}
}

// An edit to one principal's identity policy, in a set none of whose
// principals an analysis has asked for yet (as the scan leaves it when a
// document is opened before its principals are answered), answers that
// principal alone: the others stay unasked, their identity policies are
// no dependants, and once asked they answer as a set read afresh does.
func TestAnEditAnswersNoPrincipalNobodyAskedFor(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	identity := filepath.Join(dir, filepath.FromSlash(layout.Identity))
	g := ix.setOf(identity)
	edited := principalOf(t, g, identity)
	others := slices.DeleteFunc(principalsOf(g.ws), func(p string) bool { return p == edited })
	if len(others) < 2 {
		t.Fatalf("principals %v: want several besides %s", principalsOf(g.ws), edited)
	}
	for _, p := range principalsOf(g.ws) {
		if _, answered := g.ws.Answered(p); answered {
			t.Fatalf("%s is answered before any analysis", p)
		}
	}
	// The Action string the keystroke bench types into, one character
	// taken back: what the policy allows changes.
	key := []byte(`"s3:GetObject"`)
	if !bytes.Contains(texts[identity], key) {
		t.Fatalf("%s has no %s", layout.Identity, key)
	}
	now := maps.Clone(texts)
	now[identity] = bytes.Replace(texts[identity], key, []byte(`"s3:GetObjec"`), 1)
	deps := ix.update(map[string][]byte{identity: now[identity]})

	next := ix.setOf(identity)
	if next == g {
		t.Fatal("the edit kept the set")
	}
	if _, answered := next.ws.Answered(edited); !answered {
		t.Errorf("%s, whose policy was edited, is not answered", edited)
	}
	for _, p := range others {
		if _, answered := next.ws.Answered(p); answered {
			t.Errorf("%s was answered by an edit that cannot concern it", p)
		}
	}
	for _, f := range next.ws.Files {
		if f.Kind == analysis.KindIdentity && f.Facts != nil && slices.Contains(others, f.Facts.Principal) && deps[f.Path] {
			t.Errorf("%s, a policy of %s, is a dependant", filepath.Base(f.Path), f.Facts.Principal)
		}
	}
	fresh := newIndex()
	fresh.rebuild([]string{dir}, now)
	want := fresh.setOf(identity)
	for _, p := range principalsOf(want.ws) {
		if got, want := next.ws.Blocked(p), want.ws.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: after the edit blocked\n%+v\na fresh set's\n%+v", p, got, want)
		}
	}
	if got, want := findingsOf(next, identity), findingsOf(want, identity); !slices.Equal(got, want) {
		t.Errorf("%s after the edit:\n%q\na fresh set's\n%q", layout.Identity, got, want)
	}
}

// principalOf is the principal of the identity policy at path.
func principalOf(t *testing.T, g *govSet, path string) string {
	t.Helper()
	for _, f := range g.sources.get(path).Docs {
		if f.Facts != nil && f.Facts.Principal != "" {
			return f.Facts.Principal
		}
	}
	t.Fatalf("%s names no principal", filepath.Base(path))
	return ""
}

// A document opened while the back analyses its file from the set (the
// first scan's back takes the files in order, often the one the editor
// opens) takes the back's analysis once it is done instead of making it
// again beside it; a text or a set other than the back's is analysed
// apart, without waiting for the back.
func TestAnOpenedDocumentTakesTheBacksAnalysis(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	s := newTestServer(t)
	sc := s.sched
	sc.index = ix
	identity := filepath.Join(dir, filepath.FromSlash(layout.Identity))
	d := &document{uri: uri.File(identity), path: identity, text: texts[identity], version: 1}
	if _, err := s.store.modify(event{kind: opened, uri: d.uri, text: d.text, version: 1}); err != nil {
		t.Fatal(err)
	}
	settings := s.store.settings()
	g := ix.setOf(identity)
	f := sc.beginFlight(identity, g, settings)
	opened := make(chan struct{})
	go func() {
		sc.analyseOpen(d, settings, false)
		close(opened)
	}()
	// The back ends its analysis once the front waits for it, as when
	// the document is opened while the back is at it.
	made := s.analyseSource(identity, g.sources.get(identity).Text, g.sources.get(identity).Findings, g.bound(identity), settings)
	for waiting := false; !waiting; {
		select {
		case <-opened:
			t.Fatal("the document was analysed without the back's analysis in progress")
		default:
		}
		runtime.Gosched()
		sc.flightMu.Lock()
		waiting = f.waiters > 0
		sc.flightMu.Unlock()
	}
	f.a = made
	sc.endFlight(identity, f)
	<-opened
	got := sc.cache[d.uri].a
	if got == nil || got.result != made.result || got.uri != d.uri {
		t.Fatalf("the open document's analysis is not the back's (result shared %v)", got != nil && got.result == made.result)
	}
	if diags, want := got.diagnostics(), s.analyse(d, settings).diagnostics(); !reflect.DeepEqual(diags, want) {
		t.Errorf("the back's analysis gives\n%+v\nthe document's own\n%+v", diags, want)
	}

	// A flight that never ends: an edited text, or another set, must not
	// wait for it.
	stuck := sc.beginFlight(identity, g, settings)
	defer sc.endFlight(identity, stuck)
	edited := &document{uri: d.uri, path: identity, text: bytes.Replace(d.text, []byte(`"s3:GetObject"`), []byte(`"s3:GetObjec"`), 1), version: 2}
	if a := sc.sharedAnalysis(edited, settings); a != nil {
		t.Error("an edited text took the back's analysis")
	}
	ix.update(map[string][]byte{identity: edited.text})
	if a := sc.sharedAnalysis(d, settings); a != nil {
		t.Error("the back's analysis of a set the index replaced was taken")
	}
}
