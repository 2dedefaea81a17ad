package eval

import (
	"fmt"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Lists of kept causes that differ in one cause hold the same copies of
// the others: at 10,000 governed policies most lists are an account's
// fifty SCP causes and one that differs, and each list held its own
// copies (88 bytes a cause). Equal lists are one list.
func TestKeptListsShareTheCausesTheyHaveInCommon(t *testing.T) {
	s := newSharedCauses()
	var scps []Cause
	for i := range 50 {
		scps = append(scps, Cause{Code: CodeSCPDenies, Layer: LayerSCP, Policy: fmt.Sprintf("org/scp-%d.json", i), Statement: 0, Line: 3,
			Message: analysis.Text{EN: "denied"}, Explicit: true})
	}
	identity := Cause{Code: CodeImplicitDeny, Layer: LayerIdentity, Policy: "iam/app.json", Statement: -1, Message: analysis.Text{EN: "no statement allows it"}}
	endpoint := Cause{Code: CodeEndpointBlocks, Layer: LayerEndpoint, Policy: "vpce.json", Statement: -1, Message: analysis.Text{EN: "not listed"}}
	a := s.keptCauses(append([]Cause{identity}, scps...))
	b := s.keptCauses(append(append([]Cause{}, scps...), endpoint))
	again := s.keptCauses(append([]Cause{identity}, scps...))
	if len(a) != 51 || len(b) != 51 || cap(a) != 51 {
		t.Fatalf("kept %d and %d causes (room for %d), want 51 each without room to spare", len(a), len(b), cap(a))
	}
	for i := range scps {
		if a[i+1] != b[i] {
			t.Fatalf("the SCP cause %d is kept twice", i)
		}
		if *b[i] != scps[i] {
			t.Fatalf("kept %+v for %+v", *b[i], scps[i])
		}
	}
	if *a[0] != identity || *b[50] != endpoint {
		t.Errorf("kept %+v and %+v, want the identity and the endpoint causes", *a[0], *b[50])
	}
	if &again[0] != &a[0] {
		t.Error("two equal lists are kept twice")
	}
	if s.keptCauses(nil) != nil || s.keptCauses([]Cause{}) != nil {
		t.Error("no causes kept as a list")
	}
}

// Decide gives the caller its own result: changing its causes or layers
// changes nothing the workspace keeps, whether Decide evaluated the
// request or took its kept evaluation. The kept causes and lists are
// shared by every request evaluated alike (keptCauses), and no function
// of the package gives them out: Decide copies them, and ReuseUnchanged's
// stale is given a copy valid during the call.
func TestDecideGivesTheCallerItsOwnResult(t *testing.T) {
	w := nineDeniesWorkspace(t)
	req := Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"}
	other := req
	other.Resource = "arn:aws:s3:::data/b.txt"
	fresh := w.Decide(req) // evaluated here
	kept := w.Decide(req)  // the kept evaluation
	if len(fresh.Causes) != 9 || !reflect.DeepEqual(fresh, kept) {
		t.Fatalf("fresh %+v\nkept %+v", fresh, kept)
	}
	wantCode, wantLayer := kept.Causes[0].Code, kept.BlockedBy[0]
	for _, r := range []Result{fresh, kept, w.Decide(other)} {
		r.Causes[0].Code, r.BlockedBy[0] = "changed", "changed"
	}
	for _, r := range []Result{w.Decide(req), w.Decide(other)} {
		if r.Causes[0].Code != wantCode || r.BlockedBy[0] != wantLayer {
			t.Errorf("a caller's change reached the kept evaluation: %s by %v", r.Causes[0].Code, r.BlockedBy)
		}
	}
	if e := w.evaluate(req); e.causes[0].Code != wantCode || e.result.BlockedBy[0] != wantLayer || &e.causes[0] != &w.evaluate(other).causes[0] {
		t.Error("the kept list changed, or the two requests keep two lists")
	}
	blocked := w.Blocked(req.Principal)
	if len(blocked) != 1 || len(blocked[0].Causes) != 9 || blocked[0].Causes[0].Code != wantCode {
		t.Errorf("answer %+v", blocked)
	}
}

// A kept request is the request: a grant's (principal, action, resource,
// context) in 64 bytes, and any request that sets another field of
// Request whole. Each field is set in turn, so a field added to Request
// and not to keepRequest fails here.
func TestAKeptRequestIsTheRequest(t *testing.T) {
	grant := Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*",
		Context: map[string][]string{"aws:SourceVpce": {"vpce-1a2b3c4d"}}}
	if k := keepRequest(grant); k.whole != nil || !reflect.DeepEqual(k.request(), grant) || unsafe.Sizeof(k) != 64 {
		t.Errorf("a grant's request kept as %+v (%d bytes)", k, unsafe.Sizeof(k))
	}
	for i := range reflect.TypeFor[Request]().NumField() {
		req := grant
		f := reflect.ValueOf(&req).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Map:
			f.Set(reflect.ValueOf(map[string][]string{"aws:SourceIp": {"203.0.113.7"}}))
		default:
			f.Set(reflect.ValueOf(time.Unix(1700000000, 0)))
		}
		if k := keepRequest(req); !reflect.DeepEqual(k.request(), req) {
			t.Errorf("%s set: kept %+v, want %+v", reflect.TypeFor[Request]().Field(i).Name, k.request(), req)
		}
	}
}

// The evaluations an answer keeps gather their causes in arrays used
// again from one to the next (causeRooms): every evaluation kept while
// answering the principals of a governed folder (requests blocked by
// several SCPs' Denies among them) has the causes and layers that
// evaluating its request afresh gives, once every answer is made and each
// array was used for many other requests after it.
func TestKeptEvaluationsAreThoseMadeWithoutARoom(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 1000); err != nil {
		t.Fatal(err)
	}
	w := answeredWorkspace(t, dir)
	compared, many, most := 0, 0, 0
	for _, p := range w.Callers() {
		for _, g := range w.grantsTo(p) {
			kept, fresh := w.Decide(g.Request), Evaluate(w.Scenario(g.Request))
			if !reflect.DeepEqual(kept, fresh) {
				t.Fatalf("%+v:\nkept  %+v\nfresh %+v", g.Request, kept, fresh)
			}
			compared++
			if len(kept.Causes) > 1 {
				many++
			}
			most = max(most, len(kept.Causes))
		}
	}
	if compared < 1000 || many < 100 || most < 4 {
		t.Errorf("%d requests compared, %d with more than one cause, %d at most: the folder shows too little", compared, many, most)
	}
}

// Causes that say the same words of a request and differ in another
// field (hashed alike: keptCauseHash) are kept apart, each once.
func TestCausesWithTheSameWordsAreKeptApart(t *testing.T) {
	s := newSharedCauses()
	said := s.requestWords(words{kind: explicitDeny, layer: numberOf(LayerSCP), number: 1, doc: "org/a.json"})
	scp := Cause{Code: CodeSCPDenies, Layer: LayerSCP, Policy: "org/a.json", Statement: 0, Line: 3, Message: said, Explicit: true}
	other := scp
	other.Code, other.Policy = CodeDeny, "org/b.json"
	if keptCauseHash(s.seed, &scp) != keptCauseHash(s.seed, &other) {
		t.Fatal("the two causes hash apart: the test tests nothing")
	}
	a, b := s.keptCauses([]Cause{scp}), s.keptCauses([]Cause{other})
	if *a[0] != scp || *b[0] != other || &a[0] == &b[0] {
		t.Fatalf("kept %+v and %+v, want %+v and %+v in two lists", *a[0], *b[0], scp, other)
	}
	if both := s.keptCauses([]Cause{other, scp}); both[0] != b[0] || both[1] != a[0] {
		t.Errorf("a list of both keeps copies of its own: %p %p, want %p %p", both[0], both[1], b[0], a[0])
	}
}
