package lsp

import (
	"context"
	"io"
	"net"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/uri"
)

// newTestServer is a server whose publications go to a client that reads
// and drops them.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	s := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	serverEnd, clientEnd := net.Pipe()
	s.ctx = ctx
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(serverEnd))
	go func() { _, _ = io.Copy(io.Discard, clientEnd) }()
	t.Cleanup(func() {
		cancel()
		s.conn.Close()
		clientEnd.Close()
	})
	return s
}

// The edited document is analysed first; an open document that only
// depends on what changed waits, when newer work is already pending, for
// the next round, which analyses it then (due), edited or not.
func TestDueDependantsWaitForTheNextRound(t *testing.T) {
	s := newTestServer(t)
	sc := s.sched
	docs := map[string]*document{}
	for _, name := range []string{"edited.iam-policy.json", "dependant.iam-policy.json"} {
		path := "/w/" + name
		d := &document{uri: uri.File(path), path: path, text: []byte(`{"Version": "2012-10-17", "Statement": []}`), version: 1}
		docs[name] = d
		if _, err := s.store.modify(event{kind: opened, uri: d.uri, text: d.text, version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	edited, dependant := docs["edited.iam-policy.json"], docs["dependant.iam-policy.json"]
	sc.pending.paths = []string{edited.path} // a newer edit came meanwhile
	sc.analyseOpenDocs([]*document{dependant, edited},
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
