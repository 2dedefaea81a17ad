package lsp

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A closed file the back analyses with a set that an edit replaces
// meanwhile must not keep the old set's findings (issue 16: "the server
// never lies"). The front's update (govSet.with) names as dependants the
// files that hold a cause of each answer it sees, before and after the
// edit; when the back's analysis answers a principal on the old
// workspace after the update looked at it, that old answer is seen by
// nobody, and a file holding a cause only in it was published with the
// old set's findings and never analysed again.
//
// Here: kms-missing-actions, nobody has asked for jane's answer yet (the
// scan's answerPrincipals stops for the client's events), the back takes
// the key policy, the user opens the bucket policy and takes s3:PutObject
// out of its grant (the key policy no longer blocks jane's uploads), then
// the back analyses the key policy with the set it took.
func TestAClosedFileAnalysedWithAReplacedSetIsAnalysedAgain(t *testing.T) {
	e := newGrantEdit(t)
	sc := e.s.sched
	jane := "arn:aws:iam::111122223333:user/jane"
	taken := sc.index.setOf(e.key)
	if _, answered := taken.ws.Answered(jane); answered {
		t.Fatal("jane is answered before any analysis")
	}

	// The back takes the key policy from the set the index holds.
	sc.queue[e.key] = true
	if !sc.take(e.key) || sc.index.setOf(e.key) != taken {
		t.Fatal("the back could not take the key policy")
	}
	e.typeIn(t, taken)
	// The back analyses the key policy with the set it took, answering
	// jane there, then drains what is queued.
	_ = e.s.guard("analysis of "+e.key, func() error { sc.publishClosedFromSet(e.key, taken); return nil })
	sc.finished()
	sc.drain()
	e.wantKeyAsAfresh(t, taken)
}

// Two of the back's workers may hold one closed file: an edit that
// replaces its set while the first analyses it queues it again, and the
// second analyses it with the new set. The first one's older analysis,
// published after the second's, must be followed by one more: before,
// the first asked whether its set was replaced before publishing, saw
// no, and left the client with the old set's findings for good (the
// review's probe: a Requester Pays finding lost after Terraform facts
// were typed during the first scan, 4 runs in 10).
//
// The same when the edit reads every set again (index.rebuild: here the
// config opened beside the edit; a config edit, a module call moved
// between sets, the end of a scan that read a module mid-save), and when
// the scan hands over a set of the same root again (index.put: a set read
// before a rebuild during the scan): the sets rebuild and put drop are as
// replaced as those with replaces.
func TestAnOlderAnalysisPublishedLastIsFollowedByTheNewSets(t *testing.T) {
	for _, how := range []string{"an edit", "a rebuild", "the scan"} {
		t.Run(how, func(t *testing.T) {
			olderPublishedLast(t, how)
		})
	}
}

func olderPublishedLast(t *testing.T, how string) {
	e := newGrantEdit(t)
	e.how = how
	sc := e.s.sched
	// The first worker takes the key policy and analyses it with the set
	// the index holds; before it publishes, the edit comes and the second
	// worker analyses and publishes the key policy with the new set.
	taken := sc.index.setOf(e.key)
	sc.queue[e.key] = true
	if !sc.take(e.key) {
		t.Fatal("the back could not take the key policy")
	}
	sc.beforeClosedPublish = func(string) {
		sc.beforeClosedPublish = nil
		e.typeIn(t, taken)
		sc.queue[e.key] = true // as a dependant of the edit, whether it is one or not
		if !sc.take(e.key) {
			t.Fatal("the second worker could not take the key policy")
		}
		sc.publishClosedFromSet(e.key, sc.index.setOf(e.key))
		sc.finished()
	}
	_ = e.s.guard("analysis of "+e.key, func() error { sc.publishClosedFromSet(e.key, taken); return nil })
	sc.finished()
	if sc.beforeClosedPublish != nil {
		t.Fatal("the key policy was published without its analysis")
	}
	sc.drain()
	e.wantKeyAsAfresh(t, taken)
}

// grantEdit is kms-missing-actions indexed in a server whose client
// records what is published, and the edit both tests above type:
// s3:PutObject taken out of the bucket policy's grant, after which the
// key policy no longer blocks jane's uploads.
type grantEdit struct {
	s           *Server
	rec         *recorder
	texts       map[string][]byte
	key, bucket string
	edited      []byte
	// how typeIn replaces the key policy's set: "an edit" (with), "a
	// rebuild" (the config opened as it is beside the edit) or "the scan"
	// (a set of the edited texts handed over at the same root, put).
	how string
}

func newGrantEdit(t *testing.T) *grantEdit {
	t.Helper()
	s, rec := newRecordingServer(t)
	s.sched.typingPause = 0
	dir, texts := indexedExample(t, s, "kms-missing-actions", ".s3policy.json", "bucket.bucket-policy.json", "jane.iam-policy.json", "key.key-policy.json")
	e := &grantEdit{s: s, rec: rec, texts: texts, key: filepath.Join(dir, "key.key-policy.json"), bucket: filepath.Join(dir, "bucket.bucket-policy.json")}
	const grant = "\"s3:GetObject\",\n        \"s3:PutObject\""
	if !strings.Contains(string(texts[e.bucket]), grant) {
		t.Fatalf("the bucket policy has no %q", grant)
	}
	e.edited = []byte(strings.Replace(string(texts[e.bucket]), grant, `"s3:GetObject"`, 1))
	return e
}

// typeIn opens the bucket policy and types the edit, and the front takes
// it in, replacing taken, the key policy's set.
func (e *grantEdit) typeIn(t *testing.T, taken *govSet) {
	t.Helper()
	sc, u := e.s.sched, uri.File(e.bucket)
	if e.how == "the scan" {
		e.s.store.scanned(e.bucket, e.edited, true)
		texts := maps.Clone(e.texts)
		texts[e.bucket] = e.edited
		for _, set := range tree.Sets(taken.root, texts) {
			if g := newGovSet(set, texts); g.root == taken.root {
				sc.mu.Lock()
				sc.fromScan = append(sc.fromScan, g)
				sc.mu.Unlock()
			}
		}
		sc.round()
		if sc.index.setOf(e.key) == taken {
			t.Fatal("the scan's set did not replace the set")
		}
		return
	}
	events := []event{
		{kind: opened, uri: u, text: e.texts[e.bucket], version: 1},
		{kind: changed, uri: u, version: 2, edits: []textChange{{Text: string(e.edited)}}},
	}
	if e.how == "a rebuild" {
		config := filepath.Join(filepath.Dir(e.bucket), ".s3policy.json")
		events = append(events, event{kind: opened, uri: uri.File(config), text: e.texts[config], version: 1})
	}
	for _, ev := range events {
		a, err := e.s.store.modify(ev)
		if err != nil {
			t.Fatal(err)
		}
		sc.enqueue(a)
	}
	sc.round()
	if sc.index.setOf(e.key) == taken {
		t.Fatal("the edit did not replace the set")
	}
}

// wantKeyAsAfresh asserts that the key policy was last published with
// the diagnostics of the edited files analysed afresh, which differ from
// those of taken, the set before the edit.
func (e *grantEdit) wantKeyAsAfresh(t *testing.T, taken *govSet) {
	t.Helper()
	texts := maps.Clone(e.texts)
	texts[e.bucket] = e.edited
	fresh := newIndex()
	fresh.rebuild(e.s.store.folders, texts)
	settings := e.s.store.settings()
	analyse := func(g *govSet) string {
		src := g.sources.get(e.key)
		return diagnosticsJSON(t, e.s.analyseSource(e.key, src.Text, src.Findings, g.bound(e.key), settings).diagnostics())
	}
	want, old := analyse(fresh.setOf(e.key)), analyse(taken)
	if want == old {
		t.Fatalf("the edit changes none of the key policy's diagnostics: the test shows nothing\n%s", want)
	}
	got, ok := e.rec.last(t, e.s, uri.File(e.key))
	if !ok {
		t.Fatal("the key policy was never published")
	}
	if got != want {
		t.Errorf("the key policy's diagnostics once the edit settled:\n%s\nthose of the same files analysed afresh:\n%s", got, want)
	}
}

// diagnosticsJSON is the JSON of diagnostics as the client reads them.
func diagnosticsJSON(t *testing.T, diags []protocol.Diagnostic) string {
	t.Helper()
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	out, err := json.Marshal(diags)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// recorder is a client that keeps the diagnostics last published for
// each URI.
type recorder struct {
	mu      sync.Mutex
	diags   map[protocol.DocumentURI]json.RawMessage
	arrived chan struct{} // closed and replaced on every publication
}

// newRecordingServer is a server whose publications go to a recorder.
func newRecordingServer(t *testing.T) (*Server, *recorder) {
	t.Helper()
	s, ctx, clientEnd := serverOnPipe(t)
	rec := &recorder{diags: map[protocol.DocumentURI]json.RawMessage{}, arrived: make(chan struct{})}
	client := jsonrpc2.NewConn(jsonrpc2.NewStream(clientEnd))
	client.Go(ctx, func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		var p struct {
			URI         protocol.DocumentURI `json:"uri"`
			Diagnostics json.RawMessage      `json:"diagnostics"`
		}
		if req.Method() == protocol.MethodTextDocumentPublishDiagnostics && json.Unmarshal(req.Params(), &p) == nil {
			rec.mu.Lock()
			rec.diags[p.URI] = p.Diagnostics
			close(rec.arrived)
			rec.arrived = make(chan struct{})
			rec.mu.Unlock()
		}
		return reply(ctx, nil, nil)
	})
	return s, rec // the client's stream closes with its end of the pipe
}

// last returns the diagnostics last published for u, as JSON, once every
// publication made before the call has arrived: the client handles
// notifications in order, so it waits for one more, made now.
func (r *recorder) last(t *testing.T, s *Server, u protocol.DocumentURI) (string, bool) {
	t.Helper()
	marker := uri.File("/the-last-publication-of-the-test")
	s.publish(marker, 0, nil)
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		_, done := r.diags[marker]
		raw, ok := r.diags[u]
		arrived := r.arrived
		r.mu.Unlock()
		if done {
			if !ok {
				return "", false
			}
			var diags []protocol.Diagnostic
			if err := json.Unmarshal(raw, &diags); err != nil {
				t.Fatal(err)
			}
			return diagnosticsJSON(t, diags), true
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatal("the publications did not arrive")
		}
	}
}
