package lsp

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// newTestServer is a server whose publications go to a client that reads
// and drops them.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	s, _, clientEnd := serverOnPipe(t)
	go func() { _, _ = io.Copy(io.Discard, clientEnd) }()
	return s
}

// serverOnPipe is a server whose connection is one end of a pipe, with the
// context it works in and the client's end; both ends close, and the
// context is cancelled, when the test ends.
func serverOnPipe(t *testing.T) (*Server, context.Context, net.Conn) {
	t.Helper()
	s := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	serverEnd, clientEnd := net.Pipe()
	s.ctx = ctx
	s.connect(serverEnd)
	t.Cleanup(func() {
		cancel()
		s.conn.Close()
		clientEnd.Close()
	})
	return s, ctx, clientEnd
}

// The edited document is analysed first; an open document that only
// depends on what changed waits, when newer work is already pending, for
// the next round, which analyses it then (due), edited or not.
func TestDueDependantsWaitForTheNextRound(t *testing.T) {
	s := newTestServer(t)
	sc := s.sched
	edited, dependant := openEditedAndDependant(t, s)
	sc.pending.paths = []string{edited.path} // a newer edit came meanwhile
	sc.analyseOpenDocs([]*document{dependant, edited}, false,
		func(d *document) bool { return d == edited }, func(d *document) bool { return d == dependant })
	if _, ok := sc.cache[edited.uri]; !ok {
		t.Error("the edited document was not analysed")
	}
	if _, ok := sc.cache[dependant.uri]; ok {
		t.Error("the dependant was analysed while newer work was pending")
	}
	if !sc.due[dependant.path] || len(sc.due) != 1 {
		t.Fatalf("due: %v, want the dependant alone", sc.due)
	}
	sc.round() // takes the pending edit, and the dependant with it
	if _, ok := sc.cache[dependant.uri]; !ok {
		t.Error("the next round left the due dependant out")
	}
	if len(sc.due) != 0 {
		t.Errorf("due after the round: %v", sc.due)
	}
}

// While the user types, an open document that only depends on the edit
// waits for the typing pause (the next keystroke must find the front
// free), then a round comes by itself and analyses it: no event is needed
// to wake it, and the front stays busy until then, so the back waits.
// The pause is longer than the test, and the test ends it (a pause of
// 50 ms ran out, under -race on a loaded machine, while the edited
// document was analysed (3 runs in 300), and the dependant was analysed
// with it).
func TestDependantsWaitForTheTypingPause(t *testing.T) {
	s := newTestServer(t)
	sc := s.sched
	sc.typingPause = time.Hour
	edited, dependant := openEditedAndDependant(t, s)
	sc.enqueue(affected{typed: true}) // a keystroke: the front is busy, the pause begins
	sc.mu.Lock()
	idle := sc.frontIdle
	sc.pending = affected{} // taken by the round below
	sc.mu.Unlock()
	sc.analyseOpenDocs([]*document{dependant, edited}, false,
		func(d *document) bool { return d == edited }, func(d *document) bool { return d == dependant })
	sc.cacheMu.Lock()
	_, editedDone := sc.cache[edited.uri]
	_, dependantDone := sc.cache[dependant.uri]
	sc.cacheMu.Unlock()
	if !editedDone || dependantDone {
		t.Fatalf("edited analysed %v, dependant analysed %v: want the edited document alone", editedDone, dependantDone)
	}
	if !sc.due[dependant.path] {
		t.Fatalf("due: %v, want the dependant", sc.due)
	}
	sc.round() // a round within the pause leaves the dependant due
	sc.cacheMu.Lock()
	_, dependantDone = sc.cache[dependant.uri]
	sc.cacheMu.Unlock()
	if dependantDone || !sc.due[dependant.path] {
		t.Fatalf("a round within the typing pause: dependant analysed %v, due %v; want it left due", dependantDone, sc.due)
	}
	select {
	case <-idle:
		t.Fatal("the front went idle with the dependant due")
	default:
	}
	sc.start()
	sc.mu.Lock()
	sc.typedAt = time.Now().Add(-sc.typingPause) // the pause ends now
	sc.wake.Reset(0)                             // as its end would
	sc.mu.Unlock()
	timeout := time.After(10 * time.Second)
	for {
		sc.cacheMu.Lock()
		_, done := sc.cache[dependant.uri]
		changed := sc.cacheChanged
		sc.cacheMu.Unlock()
		if done {
			break
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatal("the dependant was not analysed after the typing pause")
		}
	}
	select {
	case <-idle:
	case <-timeout:
		t.Fatal("the front stayed busy after the due dependant was analysed")
	}
}

// The scan's progress ends only once no closed file is queued or in
// analysis: awaitAnalysed reports what is left, and returns when the back
// has drained the queue, not before.
func TestAwaitAnalysedWaitsForTheBack(t *testing.T) {
	s := newTestServer(t)
	sc := s.sched
	sc.queue["/elsewhere/a.iam-policy.json"] = true // outside the folders: analysed as nothing
	sc.queue["/elsewhere/b.iam-policy.json"] = true
	type progress struct{ done, total int }
	reports := make(chan progress, 10)
	returned := make(chan struct{})
	go func() {
		sc.awaitAnalysed(func(done, total int) { reports <- progress{done, total} })
		close(returned)
	}()
	if got := <-reports; got != (progress{0, 2}) {
		t.Fatalf("first report %+v, want 0 of 2", got)
	}
	select {
	case <-returned:
		t.Fatal("returned with two files queued")
	default:
	}
	sc.drain()
	<-returned
	if sc.analysed != 2 || sc.inflight != 0 || len(sc.queue) != 0 {
		t.Errorf("analysed %d, in flight %d, queued %v after the drain", sc.analysed, sc.inflight, sc.queue)
	}
	if len(reports) != 0 {
		t.Errorf("%d more reports, want none (fewer than analyseEvery files)", len(reports))
	}
}

// After the scan's sets come in, the front answers every principal of
// them on every core, before the closed files' analysis needs them; the
// scan's own work that comes with the sets (a root loaded, more sets,
// the scan's end) does not stop it, a pending event from the client does
// (the analyses that need the rest answer them).
func TestScanSetsPrincipalsAreAnsweredBeforeTheFirstKeystroke(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 60); err != nil {
		t.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	for _, typing := range []bool{false, true} {
		sc := newTestServer(t).sched
		sc.index.rebuild([]string{dir}, texts)
		sets := sc.index.all()
		sc.rootsLoaded, sc.fromScan, sc.rescan = []string{dir}, sets, true
		if typing {
			sc.pending.paths = []string{"/w/typed.iam-policy.json"}
		}
		sc.answerPrincipals(sets)
		principals := principalsOf(sets[0].ws)
		if len(sets) != 1 || len(principals) < 2 {
			t.Fatalf("%d sets, principals %v: want one set, several principals", len(sets), principals)
		}
		for _, p := range principals {
			if _, answered := sets[0].ws.Answered(p); answered == typing {
				t.Errorf("typing %v: %s answered %v", typing, p, answered)
			}
		}
	}
}

// openEditedAndDependant opens two empty identity policies: one to edit,
// and one that depends on the edit.
func openEditedAndDependant(t *testing.T, s *Server) (edited, dependant *document) {
	t.Helper()
	open := func(name string) *document {
		path := "/w/" + name
		d := &document{uri: uri.File(path), path: path, text: []byte(`{"Version": "2012-10-17", "Statement": []}`), version: 1}
		if _, err := s.store.modify(event{kind: opened, uri: d.uri, text: d.text, version: 1}); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return open("edited.iam-policy.json"), open("dependant.iam-policy.json")
}

// The scan's round analyses and publishes the first file of each kind of
// a large set it loaded, off the back's queue: their first analyses build
// what the checks derive from the whole set (at 5,000 policies 25 ms of
// CPU for a bucket policy, 10 for an identity policy, against about 1 ms
// for the next ones), which the editor's first documents and keystrokes
// waited for when the back or the open round made it. A small set is
// left to the back whole.
func TestTheScansRoundWarmsTheChecksOfALargeSet(t *testing.T) {
	for _, n := range []int{warmSetSize, warmSetSize / 2} {
		dir, _, texts, ix := governedIndex(t, n)
		s := newTestServer(t)
		s.store.folders = []string{dir}
		for p, text := range texts {
			s.store.scanned(p, text, true)
		}
		sc := s.sched
		sc.index = ix
		sets := sc.index.all()
		if len(sets) != 1 {
			t.Fatalf("%d sets, want 1", len(sets))
		}
		sc.fromScan = sets
		sc.round()

		var warmed []string
		if n >= warmSetSize {
			warmed = firstOfEachKind(sets[0])
		}
		var kinds []analysis.Kind
		for _, p := range warmed {
			kinds = append(kinds, sets[0].sources.get(p).Docs[0].Kind)
			if sc.queue[p] {
				t.Errorf("%d policies: %s, the first of its kind, is left to the back", n, filepath.Base(p))
			}
			if _, published := sc.closedHash[p]; !published {
				t.Errorf("%d policies: %s, the first of its kind, is not published", n, filepath.Base(p))
			}
		}
		if n >= warmSetSize && (!slices.Contains(kinds, analysis.KindIdentity) || !slices.Contains(kinds, analysis.KindBucket)) {
			t.Errorf("%d policies: the first of each kind are %v", n, kinds)
		}
		if sc.analysed != len(warmed) || len(sc.queue) != len(sets[0].paths)-len(warmed) {
			t.Errorf("%d policies: %d files analysed, %d left to the back, want %d and %d", n, sc.analysed, len(sc.queue), len(warmed), len(sets[0].paths)-len(warmed))
		}
	}
}
