package eval

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// Blocked keeps each request's evaluation; a workspace built after an
// edit takes over the evaluations the caller does not reject, and
// evaluates the others again.
func TestBlockedEvaluationsAreReused(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "cross-account", "scp-deny")
	const jane = "arn:aws:iam::111122223333:user/jane"
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Answered(jane); ok {
		t.Fatal("Answered before Blocked")
	}
	blocked := w.Blocked(jane)
	if got, ok := w.Answered(jane); !ok || len(got) != len(blocked) || len(blocked) == 0 {
		t.Fatalf("Answered = %d, %v; Blocked gave %d", len(got), ok, len(blocked))
	}

	var requests []Request
	next, _ := loadDir(dir)
	next.Reuse(w, func(req Request, _ *ReadSet) bool {
		requests = append(requests, req)
		return false
	})
	if len(requests) == 0 || keptEvaluations(next) != len(requests) {
		t.Fatalf("Reuse was given %d evaluations and kept %d", len(requests), keptEvaluations(next))
	}
	for _, req := range requests {
		if req.Principal != jane {
			t.Errorf("an evaluation of %s, not jane's", req.Principal)
		}
	}
	if got := next.Blocked(jane); len(got) != len(blocked) || !reflect.DeepEqual(got[0].Causes[0], blocked[0].Causes[0]) {
		t.Errorf("the answer from kept evaluations differs: %+v", got)
	}

	dropped, _ := loadDir(dir)
	dropped.Reuse(w, func(Request, *ReadSet) bool { return true })
	if n := keptEvaluations(dropped); n != 0 {
		t.Errorf("Reuse kept %d evaluations the caller rejected", n)
	}
}

// keptEvaluations counts the evaluations a workspace keeps.
func keptEvaluations(w *Workspace) int {
	n := 0
	for _, o := range w.evaluations {
		o.each(func(evalKey, *evaluation) { n++ })
	}
	return n
}

// evaluationOf is the kept evaluation of a request, or nil.
func evaluationOf(w *Workspace, req Request) *evaluation {
	if o := w.evaluations[req.Principal]; o != nil {
		return o.get(requestKey(req))
	}
	return nil
}

// A workspace shares the evaluations of a principal that Reuse kept whole
// with the workspace before it, and neither sees what the other
// evaluates afterwards: the one before may still be evaluating.
func TestReuseSharesAPrincipalsEvaluationsUntilEitherAdds(t *testing.T) {
	const jane = "arn:aws:iam::111122223333:user/jane"
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"files": {"id.json": {"kind": "identity", "principal": "` + jane + `"}}}`,
		"id.json":        `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
	})
	prev, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	read := Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a"}
	prev.Decide(read)
	next, _ := loadDir(dir)
	next.Reuse(prev, func(Request, *ReadSet) bool { return false })
	if evaluationOf(next, read) != evaluationOf(prev, read) || evaluationOf(next, read) == nil {
		t.Fatalf("the evaluation was not kept")
	}
	put := Request{Principal: jane, Action: "s3:PutObject", Resource: "arn:aws:s3:::data/a"}
	del := Request{Principal: jane, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data/a"}
	prev.Decide(put)
	next.Decide(del)
	switch {
	case evaluationOf(next, put) != nil:
		t.Errorf("an evaluation the workspace before made after Reuse shows in the one after")
	case evaluationOf(prev, del) != nil:
		t.Errorf("an evaluation of the workspace after shows in the one before")
	case evaluationOf(prev, put) == nil || evaluationOf(next, del) == nil || evaluationOf(prev, read) != evaluationOf(next, read):
		t.Errorf("an evaluation is lost: each keeps its own and the shared one")
	}
	if got := next.Decide(put).Decision; got != ImplicitlyDenied {
		t.Errorf("PutObject in the workspace after: %s, want %s", got, ImplicitlyDenied)
	}
}

// An evaluation records what it read of the workspace, and an identity
// policy edited in place is tested against it: a statement the request's
// action and resource cannot match, edited, leaves the evaluation as it
// was; one the evaluation judged, one that comes to match, and one that
// comes before the near miss it quotes change it; a statement whose Sid
// alone changed changes only those whose causes name it
// (TestASidEditKeepsTheEvaluationsThatDoNotNameIt). A cause that names
// several policies without a line reads their names only; one that gives
// the line of a policy alone reads that policy whole.
func TestReadSetMayRead(t *testing.T) {
	const jane, bob = "arn:aws:iam::111122223333:user/jane", "arn:aws:iam::111122223333:user/bob"
	const first = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Logs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"},
  {"Sid": "Reports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}`
	const second = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Tags", "Effect": "Allow", "Action": "s3:GetObjectTagging", "Resource": "arn:aws:s3:::data/*"},
  {"Sid": "Data", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`
	config := `{"buckets": {"data": {"account": "444455556666"}}, "files": {
  "a.json": {"kind": "identity", "principal": "` + jane + `"},
  "b.json": {"kind": "identity", "principal": "` + jane + `"},
  "c.json": {"kind": "identity", "principal": "` + bob + `"}}}`
	w, err := loadDir(writeFiles(t, map[string]string{".s3policy.json": config, "a.json": first, "b.json": second, "c.json": second}))
	if err != nil {
		t.Fatal(err)
	}
	read := func(req Request) *ReadSet {
		t.Helper()
		w.Decide(req)
		e := evaluationOf(w, req)
		if e == nil || e.reads == nil {
			t.Fatalf("no evaluation of %+v kept with what it read", req)
		}
		return e.reads
	}
	get := read(Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"})     // allowed by b.json's Data
	other := read(Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x"})  // near miss: a.json's Reports
	none := read(Request{Principal: jane, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data/x"}) // no statement of a.json, b.json
	edit := func(file, old, new string) *EditedDoc {
		t.Helper()
		before := w.File(filepath.Join(w.Dir, file))
		text := strings.Replace(string(before.Src), old, new, 1)
		if text == string(before.Src) {
			t.Fatalf("%s lacks %q", file, old)
		}
		after := analysis.NewFile(before.Path, []byte(text), before.Config)
		after.Facts = before.Facts
		e := EditedInPlace(w, before, after)
		if e == nil {
			t.Fatalf("%s: not an edit in place", file)
		}
		return e
	}
	for _, c := range []struct {
		name             string
		edit             *EditedDoc
		get, other, none bool
	}{
		{"a Sid no request reads", edit("b.json", `"Tags"`, `"Tags2"`), false, false, false},
		{"the Sid of the statement that allows", edit("b.json", `"Data"`, `"Data2"`), false, false, false},
		{"the Sid of the near miss", edit("a.json", `"Reports"`, `"Reports2"`), false, true, false},
		{"the Sid and the Action of the near miss", edit("a.json", `"Reports", "Effect": "Allow", "Action": "s3:GetObject"`, `"Reports2", "Effect": "Allow", "Action": "s3:GetObjectAcl"`), false, true, false},
		{"a statement that comes to match", edit("b.json", `"s3:GetObjectTagging"`, `"s3:DeleteObject"`), false, false, true},
		{"an Allow of the action before the near miss", edit("a.json", `"s3:PutObject", "Resource": "arn:aws:s3:::logs/*"`, `"s3:GetObject", "Resource": "arn:aws:s3:::logs/*"`), false, true, false},
		{"the version", edit("b.json", `"2012-10-17"`, `"2008-10-17"`), true, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := get.MayRead(c.edit); got != c.get {
				t.Errorf("GetObject on data: MayRead %v, want %v", got, c.get)
			}
			if got := other.MayRead(c.edit); got != c.other {
				t.Errorf("GetObject on other: MayRead %v, want %v", got, c.other)
			}
			if got := none.MayRead(c.edit); got != c.none {
				t.Errorf("DeleteObject: MayRead %v, want %v", got, c.none)
			}
		})
	}
	alone := read(Request{Principal: bob, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data/x"}) // no statement of c.json, at its line
	if !alone.MayRead(edit("c.json", `"Tags"`, `"Tags2"`)) {
		t.Error("a cause that gives the line of c.json alone: MayRead false for an edit to c.json")
	}
}

// An edit that changes a statement's Sid alone leaves the evaluations
// that read the statement but name it in no cause as they were (the
// engine judges a statement by its other elements), and makes again
// those whose causes name it, which then name the new Sid as a fresh
// workspace's do.
func TestASidEditKeepsTheEvaluationsThatDoNotNameIt(t *testing.T) {
	const jane = "arn:aws:iam::111122223333:user/jane"
	policy := func(sid string) string {
		return `{"Version": "2012-10-17", "Statement": [
  {"Sid": "` + sid + `", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`
	}
	files := map[string]string{
		".s3policy.json": `{"files": {"a.json": {"kind": "identity", "principal": "` + jane + `"}}}`,
		"a.json":         policy("Data"),
	}
	prev, err := loadDir(writeFiles(t, files))
	if err != nil {
		t.Fatal(err)
	}
	files["a.json"] = policy("Data2")
	next, err := loadDir(writeFiles(t, files))
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := loadDir(next.Dir)
	allowed := Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"} // read, named by no cause
	near := Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x"}   // "allows s3:GetObject, but not on ..."
	prev.Decide(allowed)
	prev.Decide(near)
	before, after := prev.Files[0], next.Files[0]
	after.Path = before.Path // the same file, edited
	edit := EditedInPlace(prev, before, after)
	if edit == nil || len(edit.changed) != 0 || !edit.renamed[0] {
		t.Fatalf("the edit is not a renamed statement: %+v", edit)
	}
	next.Reuse(prev, func(_ Request, read *ReadSet) bool { return read.MayRead(edit) })
	if evaluationOf(next, allowed) != evaluationOf(prev, allowed) || evaluationOf(next, near) != nil {
		t.Fatalf("kept: allowed %v, near miss %v; want the allowed request alone", evaluationOf(next, allowed) != nil, evaluationOf(next, near) != nil)
	}
	for _, req := range []Request{allowed, near} {
		if got, want := next.Decide(req), fresh.Decide(req); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v\nfresh: %+v", req.Resource, got, want)
		}
	}
	r := next.Decide(near)
	if m := r.Say(&r.Causes[0]).EN; !strings.Contains(m, `statement "Data2"`) {
		t.Errorf("the near miss names the old Sid: %q", m)
	}
}

// A workspace that answers once (check: ForBatch) gives every principal
// the answer a workspace that keeps its evaluations gives, and keeps none
// of them.
func TestABatchWorkspaceAnswersAlikeAndKeepsNoEvaluation(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 60); err != nil {
		t.Fatal(err)
	}
	kept, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	batch, _ := loadDir(dir)
	batch.ForBatch()
	blocked := 0
	for _, p := range kept.Callers() {
		want, got := kept.Blocked(p), batch.Blocked(p)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the batch workspace answers %d blocked requests, the other %d, or their causes differ", p, len(got), len(want))
		}
		blocked += len(want)
	}
	if blocked == 0 || keptEvaluations(kept) == 0 {
		t.Fatalf("nothing blocked (%d) or kept (%d): the folder should give both", blocked, keptEvaluations(kept))
	}
	if n := keptEvaluations(batch); n != 0 {
		t.Errorf("the batch workspace kept %d evaluations", n)
	}
}
