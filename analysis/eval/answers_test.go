package eval

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// The causes of a blocked request's entry are made once for the requests
// whose evaluations share a list of causes (and name no wildcard), and
// are for each of them what making them for that request alone gives.
func TestAnswerCausesAreMadeOncePerSharedList(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 120); err != nil {
		t.Fatal(err)
	}
	w := answeredWorkspace(t, dir)
	maker := w.entryMaker()
	defer maker.release()
	entries := 0
	for _, p := range w.Callers() {
		for _, g := range w.grantsTo(p) {
			e := w.evaluate(g.Request)
			if e.result.Decision == Allowed || e.numCauses() == 0 {
				continue
			}
			if len(e.causes) == 0 || e.result.Causes != nil {
				t.Fatalf("%s %s: a kept evaluation's causes are not a shared list", g.Request.Action, g.Request.Resource)
			}
			alone := &evaluation{request: e.request, result: e.result} // made for this request alone
			alone.result.Causes = e.appendCauses(nil)
			if got, want := maker.blockedRequest(g, e), maker.blockedRequest(g, alone); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: %+v\nmade alone: %+v", g.Request.Action, g.Request.Resource, got, want)
			}
			entries++
		}
	}
	lists := len(w.cache().shared.answeredLists)
	if lists == 0 || lists*2 > entries {
		t.Errorf("%d entries of answers from %d lists made once: want lists shared by requests", entries, lists)
	}
}

// A list of causes shared by a request whose grant names a wildcard,
// which a cause only narrows (the identity policy allows part of it), and
// one whose grant names an object gives each its own entry: none for the
// first, the near miss for the second.
func TestAnswerCausesOfASharedListNarrowedForOneGrant(t *testing.T) {
	const jane = "arn:aws:iam::111122223333:role/jane"
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666"}}, "files": {
  "id.json": {"kind": "identity", "principal": "` + jane + `"}, "bucket.json": {"kind": "bucket", "bucket": "data"}}}`,
		"id.json": `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Reports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/reports/*"}]}`,
		"bucket.json": `{"Version": "2012-10-17", "Statement": [
  {"Sid": "All", "Effect": "Allow", "Principal": {"AWS": "` + jane + `"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
  {"Sid": "One", "Effect": "Allow", "Principal": {"AWS": "` + jane + `"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/x"}]}`,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := w.Blocked(jane)
	if len(got) != 1 || got[0].Resource != "arn:aws:s3:::data/x" || len(got[0].Causes) != 1 {
		t.Fatalf("blocked: %+v; want GetObject on data/x alone, with one cause", got)
	}
	all := w.evaluate(Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*"}).causes
	one := w.evaluate(Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}).causes
	if len(all) == 0 || &all[0] != &one[0] {
		t.Fatal("the two requests do not share a list of causes: the test tests nothing")
	}
}

// A request blocked for more than 64 reasons keeps every cause that does
// not narrow its grant: the mask of narrowing causes has 64 bits, and the
// 65th cause once set the first's, which then went missing.
func TestAnswerOfMoreThan64CausesDropsOnlyTheNarrowingOnes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666"}},
  "files": {"iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"},
    "iam/reports.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"}}}`,
		"iam/app.json":            `{"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}`,
		"iam/reports.json":        `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/reports/*"}]}`,
		"data.bucket-policy.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	grants := w.grantsTo("arn:aws:iam::111122223333:role/app")
	if len(grants) != 1 || grants[0].Request.Resource != "arn:aws:s3:::data/*" {
		t.Fatalf("grants %+v, want one of data/*", grants)
	}
	g := grants[0]
	r := Result{Decision: ImplicitlyDenied}
	for i := range 64 {
		r.Causes = append(r.Causes, Cause{Code: fmt.Sprintf("c%d", i), Policy: "iam/app.json", Statement: -1, Message: analysis.Text{EN: "no statement allows it"}})
	}
	// iam/reports.json allows only data/reports/*: a cause at it narrows
	// the grant of data/* (the request is blocked elsewhere in it).
	narrowing := Cause{Code: "narrowing", Policy: "iam/reports.json", Statement: 0, Message: analysis.Text{EN: "only reports"}}
	if !w.narrows(g, &narrowing) {
		t.Fatal("the 65th cause does not narrow data/*: the test would prove nothing")
	}
	r.Causes = append(r.Causes, narrowing)
	var codes []string
	maker := w.entryMaker()
	defer maker.release()
	for _, c := range maker.blockedRequest(g, &evaluation{result: r}).Causes {
		codes = append(codes, c.Code)
	}
	if len(codes) != 64 || codes[0] != "c0" || codes[63] != "c63" {
		t.Errorf("causes %v, want c0 … c63 (the narrowing one left out)", codes)
	}
}

// A request two statements of a bucket policy grant (an ARN's and its
// account's) is answered once, and its entry is for each grant what
// answering that grant alone gives: its own place, the same causes. In a
// batch workspace (check) and in one that keeps its evaluations; in a
// governed folder, and in a bucket policy granting twice each of two
// requests that differ only in their resource, one denied and one
// allowed on a condition.
func TestARequestGrantedTwiceIsAnsweredAsEachGrantAlone(t *testing.T) {
	const jane = "arn:aws:iam::111122223333:role/jane"
	governedDir := t.TempDir()
	if _, err := governed.Write(governedDir, 120); err != nil {
		t.Fatal(err)
	}
	twoResources := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666"}}, "files": {
  "id.json": {"kind": "identity", "principal": "` + jane + `"}, "bucket.json": {"kind": "bucket", "bucket": "data"}}}`,
		"id.json": `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}`,
		"bucket.json": `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "` + jane + `"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/a/*"},
  {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/a/*"},
  {"Effect": "Allow", "Principal": {"AWS": "` + jane + `"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/b/*"},
  {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/b/*"}]}`,
	})
	for _, c := range []struct {
		dir   string
		batch bool
	}{{governedDir, true}, {governedDir, false}, {twoResources, true}, {twoResources, false}} {
		dir, batch := c.dir, c.batch
		w, err := loadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if batch {
			w.ForBatch()
		}
		twice := 0
		for _, p := range w.Callers() {
			got := w.Blocked(p)
			maker := w.entryMaker()
			var want []analysis.BlockedRequest
			granted := map[string]bool{}
			for _, g := range w.grantsTo(p) {
				if k := fmt.Sprint(g.Policy.Path, g.Request.Action, g.Request.Resource); granted[k] {
					twice++
				} else {
					granted[k] = true
				}
				e := w.evaluate(g.Request)
				if e.result.Decision == Allowed {
					continue
				}
				if b := maker.blockedRequest(g, e); len(b.Causes) > 0 {
					want = append(want, b)
				}
			}
			maker.release()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("batch %v, %s: answered\n%+v\neach grant alone\n%+v", batch, p, got, want)
			}
			if dir == twoResources && (len(got) != 4 || got[0].Conditional || !got[2].Conditional) {
				t.Errorf("batch %v: answered %+v; want data/a/* denied and data/b/* allowed on a condition, twice each", batch, got)
			}
		}
		if twice == 0 {
			t.Fatal("no request is granted twice by one bucket policy: the test proves nothing")
		}
	}
}
