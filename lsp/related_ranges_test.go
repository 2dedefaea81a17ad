package lsp

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// The store takes a file's new text on the read loop (a change on disk,
// an edit of another document) and the index only in its next round. A
// related span of an analysis made before is an offset in the text its
// set held: mapped through the store's newer text it lands elsewhere,
// and stays there when the next round does not move the analysed file's
// findings (a Sid typed on line 4 of the key policy does not move its
// Resource on line 10, so jane is no dependant).

// keyPolicyAhead indexes the kms-key-policy example, then gives the store
// (not the index) the key policy with a Sid typed on line 4: 7 bytes more
// before its Resource "*", still at 10:18-10:21 in UTF-16.
func keyPolicyAhead(t *testing.T, s *Server) (jane, key string) {
	t.Helper()
	dir, texts := indexedExample(t, s, "cross-account/kms-key-policy", ".s3policy.json", "jane.iam-policy.json", "key.key-policy.json", "bucket.bucket-policy.json")
	jane, key = filepath.Join(dir, "jane.iam-policy.json"), filepath.Join(dir, "key.key-policy.json")
	ahead := bytes.Replace(texts[key], []byte(`"Sid": "`), []byte(`"Sid": "日😀`), 1)
	if bytes.Equal(ahead, texts[key]) {
		t.Fatal("the key policy has no Sid to type into")
	}
	s.store.mu.Lock()
	s.store.disk[key] = ahead
	s.store.mu.Unlock()
	return jane, key
}

// keyResource is the key policy's Resource "*", where jane's
// kms-missing-actions relate to.
var keyResource = protocol.Range{Start: protocol.Position{Line: 10, Character: 18}, End: protocol.Position{Line: 10, Character: 21}}

// relatedRangesIn lists the ranges the diagnostics relate to in the file
// at u.
func relatedRangesIn(diags []protocol.Diagnostic, u protocol.DocumentURI) []protocol.Range {
	var out []protocol.Range
	for _, d := range diags {
		for _, r := range d.RelatedInformation {
			if r.Location.URI == u {
				out = append(out, r.Location.Range)
			}
		}
	}
	return out
}

func TestRelatedRangesOfAnOpenFileAreMappedWithTheTextOfItsSet(t *testing.T) {
	s := newTestServer(t)
	jane, key := keyPolicyAhead(t, s)
	a := s.analyse(&document{uri: uri.File(jane), path: jane, text: s.store.disk[jane]}, s.store.settings())
	got := relatedRangesIn(a.diagnostics(), uri.File(key))
	if len(got) != 2 || got[0] != keyResource || got[1] != keyResource {
		t.Errorf("jane's findings relate to %v of the key policy, want its Resource \"*\" %v twice", got, keyResource)
	}
}

// The back publishes a closed file from the set the index held when it
// took the file (publishClosedFromSet); the set is not replaced yet, so
// nothing queues the file again.
func TestRelatedRangesOfAClosedFileAreMappedWithTheTextOfItsSet(t *testing.T) {
	s, rec := newRecordingServer(t)
	jane, key := keyPolicyAhead(t, s)
	s.sched.publishClosedFromSet(jane, s.sched.index.setOf(jane))
	raw, ok := rec.last(t, s, uri.File(jane))
	if !ok {
		t.Fatal("jane not published")
	}
	var diags []protocol.Diagnostic
	if err := json.Unmarshal([]byte(raw), &diags); err != nil {
		t.Fatal(err)
	}
	got := relatedRangesIn(diags, uri.File(key))
	if len(got) != 2 || got[0] != keyResource || got[1] != keyResource {
		t.Errorf("jane's findings relate to %v of the key policy, want its Resource \"*\" %v twice", got, keyResource)
	}
}

// The editor opens jane while the back analyses her from the index's set:
// the front takes the back's analysis (sharedAnalysis) and converts it for
// the open document, with the same set's texts.
func TestRelatedRangesOfAnAnalysisSharedWithAnOpenDocumentAreMappedWithTheTextOfItsSet(t *testing.T) {
	s := newTestServer(t)
	jane, key := keyPolicyAhead(t, s)
	sc := s.sched
	g := sc.index.setOf(jane)
	settings := s.store.settings()
	f := sc.beginFlight(jane, g, settings)
	a := s.analyseSource(jane, g.sources.get(jane).Text, g.sources.get(jane).Findings, g.bound(jane), settings)
	a.set = g // as publishClosedFromSet has it
	f.a = a
	sc.endFlight(jane, f)
	sc.flightMu.Lock()
	sc.flights[jane] = f // still in flight when the front asks
	sc.flightMu.Unlock()
	shared := sc.sharedAnalysis(&document{uri: uri.File(jane), path: jane, text: g.sources.get(jane).Text}, settings)
	if shared == nil {
		t.Fatal("no shared analysis")
	}
	if got := relatedRangesIn(shared.diagnostics(), uri.File(key)); len(got) != 2 || got[0] != keyResource || got[1] != keyResource {
		t.Errorf("the shared analysis relates to %v of the key policy, want its Resource \"*\" %v twice", got, keyResource)
	}
}
