package eval

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// BlockedAfterEdit gives, after an edit of a bucket policy, the answer a
// workspace read afresh gives, for every principal: those the policy
// grants (their entries of its grants made again, in their place among
// the others), and those it does not (prev's answer itself). An edit it
// cannot derive the answer from (the policy no longer parses) is left to
// Blocked.
func TestBlockedAfterEditIsAFreshAnswer(t *testing.T) {
	dir, path, original := governedFile(t, func(l governed.Layout) string { return l.Bucket })
	cases := []struct {
		name, old, new string
		derived        bool // BlockedAfterEdit answers for every principal
		// reanswered: the principals whose answer it made again (not
		// prev's): app-0 and app-3, whose requests the policy grants by
		// role ARN and some of which are blocked; app-4's grant (by its
		// account) is allowed until the Deny blocks every request.
		reanswered int
	}{
		{"a character typed in a Sid", `"Sid": "AppAccess`, `"Sid": "AppAccessX`, true, 2},
		{"a line added before the statements", `"Statement": [`, "\n\n\"Statement\": [", true, 2},
		{"a granted action changed", `"s3:ListBucket"]`, `"s3:ListBucketVersions"]`, true, 2},
		{"a grant to an account removed", `"arn:aws:iam::111122220000:root"`, `"arn:aws:iam::111122229999:root"`, true, 2},
		{"the grant's Allow made a Deny", `"Effect": "Allow"`, `"Effect": "Deny"`, true, 2},
		{"a Deny that blocks every grant", `"Sid": "RequireTLS",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:*"],
      "Resource": ["arn:aws:s3:::data-00000", "arn:aws:s3:::data-00000/*"],
      "Condition": {"Bool": {"aws:SecureTransport": "false"}}`, `"Sid": "RequireTLS",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:*"],
      "Resource": ["arn:aws:s3:::data-00000", "arn:aws:s3:::data-00000/*"]`, true, 3},
		{"JSON broken", `"Version"`, `"Version`, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(path, original, 0o644); err != nil {
				t.Fatal(err)
			}
			prev := answeredWorkspace(t, dir)
			edited := bytes.Replace(original, []byte(c.old), []byte(c.new), 1)
			if bytes.Equal(edited, original) {
				t.Fatalf("%q is not in %s", c.old, filepath.Base(path))
			}
			if err := os.WriteFile(path, edited, 0o644); err != nil {
				t.Fatal(err)
			}
			next, err := loadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := loadDir(dir)
			// What the language server drops: the requests on a bucket
			// either version of the policy names.
			stale := map[string][]Request{}
			next.Reuse(prev, func(req Request, _ *ReadSet) bool {
				bucket := []byte(analysis.BucketOfARN(req.Resource))
				if bytes.Contains(original, bucket) || bytes.Contains(edited, bucket) {
					stale[req.Principal] = append(stale[req.Principal], req)
					return true
				}
				return false
			})
			reanswered := 0
			for _, p := range prev.Callers() {
				old, _ := prev.Answered(p)
				got, same, ok := next.BlockedAfterEdit(prev, p, map[string]bool{path: true}, stale[p])
				if ok != c.derived {
					t.Fatalf("%s: ok = %v, want %v", p, ok, c.derived)
				}
				if !ok {
					continue
				}
				if want := fresh.Blocked(p); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: BlockedAfterEdit gave\n%+v\na fresh workspace's Blocked\n%+v", p, got, want)
				}
				if answered, _ := next.Answered(p); !reflect.DeepEqual(answered, got) {
					t.Errorf("%s: the workspace keeps another answer than it gave", p)
				}
				if same != (len(got) > 0 && &got[0] == &old[0] || len(got) == 0 && len(old) == 0) {
					t.Errorf("%s: same = %v for an answer of %d requests that is prev's: %v", p, same, len(got), !same)
				}
				if !same {
					reanswered++
				}
			}
			if reanswered != c.reanswered {
				t.Errorf("%d principals answered again, want %d", reanswered, c.reanswered)
			}
		})
	}
}

// A stale request on a bucket that another bucket policy granting the
// principal names: that grant's entry would have to be made again, so
// BlockedAfterEdit leaves the answer to Blocked.
func TestBlockedAfterEditLeavesOtherGrantsStaleToBlocked(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 60)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	prev, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	const app0 = "arn:aws:iam::111122220000:role/app-0"
	prev.Blocked(app0)
	next, _ := loadDir(dir)
	var stale []Request
	next.Reuse(prev, func(req Request, _ *ReadSet) bool {
		if req.Principal == app0 && !strings.Contains(req.Resource, "data-00000") {
			stale = append(stale, req) // a bucket the edited policy does not name
			return true
		}
		return false
	})
	if len(stale) == 0 {
		t.Fatal("app-0 has no request on another bucket")
	}
	if _, _, ok := next.BlockedAfterEdit(prev, app0, map[string]bool{path: true}, stale); ok {
		t.Error("BlockedAfterEdit answered though requests of other bucket policies' grants were dropped")
	}
}

// KeepWithSid takes an evaluation over with the words of its causes at
// the edited statement naming it by its new Sid (or number), as a fresh
// evaluation of the edited text gives them; a cause whose words were made
// at once (a condition that fails) is left to a new evaluation.
func TestKeepWithSidIsAFreshEvaluation(t *testing.T) {
	const jane = "arn:aws:iam::111122223333:user/jane"
	const policy = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Logs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*",
   "Condition": {"StringEquals": {"s3:x-amz-acl": "private"}}},
  {"Sid": "Reports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}`
	config := `{"files": {"a.json": {"kind": "identity", "principal": "` + jane + `"}}}`
	get := Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x"} // near miss: Reports
	put := Request{Principal: jane, Action: "s3:PutObject", Resource: "arn:aws:s3:::logs/x"}  // Logs' condition fails
	for _, c := range []struct {
		name, old, new string
		statement      int
		req            Request
		kept           bool
		quoted         string // in the cause's English words
	}{
		{"a character typed", `"Reports"`, `"ReportsX"`, 1, get, true, `statement "ReportsX" of a.json`},
		{"the Sid emptied", `"Reports"`, `""`, 1, get, true, `statement 2 of a.json`},
		{"words made at once", `"Logs"`, `"LogsX"`, 0, put, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			prev, err := loadDir(writeFiles(t, map[string]string{".s3policy.json": config, "a.json": policy}))
			if err != nil {
				t.Fatal(err)
			}
			prev.Decide(c.req)
			edited := map[string]string{".s3policy.json": config, "a.json": strings.Replace(policy, c.old, c.new, 1)}
			next, _ := loadDir(writeFiles(t, edited))
			fresh, _ := loadDir(writeFiles(t, edited))
			next.Reuse(prev, func(Request, *ReadSet) bool { return true })
			sid := strings.Trim(c.new, `"`)
			if got := next.KeepWithSid(prev, c.req, "a.json", c.statement, sid); got != c.kept {
				t.Fatalf("KeepWithSid = %v, want %v", got, c.kept)
			}
			if !c.kept {
				if n := evaluationCount(next); n != 0 {
					t.Errorf("%d evaluations taken over", n)
				}
				return
			}
			if n := evaluationCount(next); n != 1 {
				t.Fatalf("%d evaluations kept, want the one taken over", n)
			}
			for _, o := range next.evaluations { // a bucket policy's edit asks about it by its bucket
				o.each(func(_ evalKey, e *evaluation) {
					if want := analysis.BucketOfARN(c.req.Resource); e.bucket != want {
						t.Errorf("the evaluation taken over is filed under bucket %q, want %q", e.bucket, want)
					}
				})
			}
			got, want := next.Decide(c.req), fresh.Decide(c.req)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("taken over\n%+v\na fresh evaluation\n%+v", got, want)
			}
			if len(got.Causes) != 1 || !strings.Contains(got.Say(&got.Causes[0]).EN, c.quoted) {
				t.Errorf("causes %+v do not quote %q", got.Causes, c.quoted)
			}
			if before := prev.Decide(c.req); !strings.Contains(before.Say(&before.Causes[0]).EN, `"Reports"`) {
				t.Errorf("prev's evaluation changed: %s", before.Say(&before.Causes[0]).EN)
			}
		})
	}
}

// evaluationCount is how many evaluations the workspace keeps.
func evaluationCount(w *Workspace) int {
	n := 0
	for _, o := range w.evaluations {
		o.each(func(evalKey, *evaluation) { n++ })
	}
	return n
}

// KeepOwnedPolicies takes a caller's list of own policies over from the
// workspace before an edit that left them alone (the same parsed texts,
// as the language server binds them, AddCopy), and evaluations with it
// decide as before; an edit of one of them leaves the list to be built
// again.
func TestKeepOwnedPolicies(t *testing.T) {
	const jane = "arn:aws:iam::111122223333:user/jane"
	config := `{"files": {"a.json": {"kind": "identity", "principal": "` + jane + `"}, "b.json": {"kind": "identity", "principal": "` + jane + `"}}}`
	const policy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}`
	prev, err := loadDir(writeFiles(t, map[string]string{".s3policy.json": config, "a.json": policy, "b.json": policy}))
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x"}
	want := prev.Decide(req)
	for _, c := range []struct {
		name   string
		edited string // the file parsed again, "" for none
		kept   bool
	}{{"none of jane's policies edited", "", true}, {"one of them edited", "b.json", false}} {
		t.Run(c.name, func(t *testing.T) {
			next := NewWorkspace(prev.Dir)
			for _, f := range prev.Files {
				if filepath.Base(f.Path) == c.edited {
					edited := analysis.NewFile(f.Path, f.Src, f.Config)
					edited.Facts = f.Facts
					next.AddFile(edited)
					continue
				}
				copied := *f
				next.AddCopy(&copied, f, prev)
			}
			next.KeepOwnedPolicies(prev, jane)
			_, kept := next.cache().owned[jane]
			if kept != c.kept {
				t.Fatalf("taken over: %v, want %v", kept, c.kept)
			}
			if kept && next.cache().owned[jane] != prev.cache().owned[jane] {
				t.Error("another list than prev's")
			}
			if got := next.Decide(req); !reflect.DeepEqual(got, want) {
				t.Errorf("decided\n%+v\nbefore the edit\n%+v", got, want)
			}
		})
	}
}

// NewWorkspaceLike makes every map NewWorkspace makes: a document added
// to it is described as to a new workspace.
func TestNewWorkspaceLikeIsANewWorkspace(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 60); err != nil {
		t.Fatal(err)
	}
	prev, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	like, fresh := NewWorkspaceLike(prev), NewWorkspace(prev.Dir)
	l, f := reflect.ValueOf(like).Elem(), reflect.ValueOf(fresh).Elem()
	for i := range f.NumField() {
		if f.Field(i).Kind() == reflect.Map && !f.Field(i).IsNil() && l.Field(i).IsNil() {
			t.Errorf("NewWorkspaceLike does not make %s", f.Type().Field(i).Name)
		}
	}
	for _, f := range prev.Files {
		a, b := *f, *f
		like.AddFile(&a)
		fresh.AddFile(&b)
	}
	if !slices.Equal(like.Callers(), fresh.Callers()) || !reflect.DeepEqual(like.endpoints, fresh.endpoints) || len(like.names.base) != len(fresh.names.base) {
		t.Error("documents added to NewWorkspaceLike's workspace are described otherwise")
	}
}

// After a character typed in the Sid of the statement a principal's near
// misses quote, BlockedAfterSidEdit gives every principal the answer a
// workspace read afresh gives, from the evaluations KeepWithSid took over.
func TestBlockedAfterSidEditIsAFreshAnswer(t *testing.T) {
	dir, path, original := governedFile(t, func(l governed.Layout) string { return l.Identity })
	prev, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prev.Callers() {
		prev.Blocked(p)
	}
	at := bytes.Index(original, []byte(`"Sid": "`)) + len(`"Sid": "`)
	if err := os.WriteFile(path, slices.Concat(original[:at], []byte("x"), original[at:]), 0o644); err != nil {
		t.Fatal(err)
	}
	next, _ := loadDir(dir)
	fresh, _ := loadDir(dir)
	name := prev.Rel(path)
	quoting := map[string][]Request{}
	next.Reuse(prev, func(req Request, _ *ReadSet) bool {
		for _, c := range prev.Decide(req).Causes {
			if c.Policy == name && c.Statement == 0 {
				quoting[req.Principal] = append(quoting[req.Principal], req)
				return true
			}
		}
		return false
	})
	if len(quoting) == 0 {
		t.Fatal("no evaluation quotes the first statement")
	}
	sid := next.File(path).Policy.Statements[0].SidText()
	for _, reqs := range quoting {
		for _, req := range reqs {
			if !next.KeepWithSid(prev, req, name, 0, sid) {
				t.Fatalf("KeepWithSid declined %+v", req)
			}
		}
	}
	for _, p := range prev.Callers() {
		got, ok := next.BlockedAfterSidEdit(prev, p, map[string]bool{path: true}, quoting[p])
		if !ok {
			t.Fatalf("%s: declined", p)
		}
		if want := fresh.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: BlockedAfterSidEdit gave\n%+v\na fresh workspace's Blocked\n%+v", p, got, want)
		}
	}
}

// governedFile writes a governed folder of 60 policies and returns it,
// with the path and text of the file pick names.
func governedFile(t *testing.T, pick func(governed.Layout) string) (dir, path string, text []byte) {
	t.Helper()
	dir = t.TempDir()
	layout, err := governed.Write(dir, 60)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, filepath.FromSlash(pick(layout)))
	if text, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return dir, path, text
}

// Swapped gives, after an identity policy and a bucket policy are edited,
// the workspace a fresh read gives: the same answer for every principal,
// the new versions in the old ones' places and every other document
// prev's own; prev is unchanged and no document is bound to the new
// workspace. A new version of another kind is no swap.
func TestSwappedIsAFreshWorkspace(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 60)
	if err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	edits := map[string][2]string{
		layout.Identity: {`"Sid": "`, `"Sid": "X`},
		layout.Bucket:   {`"s3:ListBucket"]`, `"s3:ListBucketVersions"]`},
	}
	swaps := map[*analysis.File]*analysis.File{}
	for rel, e := range edits {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		old := prev.File(path)
		text := bytes.Replace(old.Src, []byte(e[0]), []byte(e[1]), 1)
		if bytes.Equal(text, old.Src) {
			t.Fatalf("%q is not in %s", e[0], rel)
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
		swaps[old] = analysis.NewFile(path, text, old.Config)
	}
	before, workspaces := slices.Clone(prev.Files), map[*analysis.File]analysis.Workspace{}
	for _, f := range prev.Files {
		workspaces[f] = f.Workspace
	}
	next := Swapped(prev, swaps)
	if next == nil {
		t.Fatal("Swapped refused new versions of the same documents")
	}
	fresh, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Files) != len(fresh.Files) {
		t.Fatalf("%d documents, a fresh read has %d", len(next.Files), len(fresh.Files))
	}
	for i, f := range next.Files {
		want := before[i]
		if now, swapped := swaps[want]; swapped {
			want = now
		}
		if f != want || f.Path != fresh.Files[i].Path {
			t.Fatalf("document %d is %s, want %s", i, f.Path, want.Path)
		}
		if next.DocName(f) != fresh.DocName(fresh.Files[i]) {
			t.Errorf("document %d is named %q, a fresh read names it %q", i, next.DocName(f), fresh.DocName(fresh.Files[i]))
		}
	}
	if !slices.Equal(prev.Files, before) {
		t.Error("prev's documents changed")
	}
	for _, f := range prev.Files {
		if f.Workspace != workspaces[f] {
			t.Errorf("%s: bound to another workspace", f.Path)
		}
	}
	for _, now := range swaps {
		if now.Workspace != nil {
			t.Errorf("%s: the new version is bound", now.Path)
		}
	}
	if !slices.Equal(next.Callers(), fresh.Callers()) {
		t.Fatalf("callers %v, a fresh read's %v", next.Callers(), fresh.Callers())
	}
	for _, p := range fresh.Callers() {
		if got, want := next.Blocked(p), fresh.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Swapped's workspace blocks\n%+v\na fresh read's\n%+v", p, got, want)
		}
	}
	next.AddBuckets(filepath.Join(dir, "main.tf"), []*analysis.BucketFacts{{Name: "added-after"}})
	if prev.Bucket("added-after") != nil || next.Bucket("added-after") == nil {
		t.Error("a bucket added to the new workspace is prev's too, or not its own")
	}
	for old, now := range swaps {
		loose := analysis.NewFile(now.Path, now.Src, nil) // no config: no facts, the kind from the content
		if Swapped(prev, map[*analysis.File]*analysis.File{old: loose}) != nil {
			t.Errorf("%s: a version with other facts swapped in", old.Path)
		}
	}
}

// answeredWorkspace reads dir with every principal answered, as the
// language server's sets are when the user types.
func answeredWorkspace(t *testing.T, dir string) *Workspace {
	t.Helper()
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range w.Callers() {
		w.Blocked(p)
	}
	w.Seal()
	return w
}

// After Swapped, KeepOwnedPolicies takes a caller's list of own policies
// over when the swap left them alone (a bucket policy edited), and not
// when one of them is the new version (its identity policy edited).
func TestKeepOwnedPoliciesAfterSwapped(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 60)
	if err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	identity := prev.File(filepath.Join(dir, filepath.FromSlash(layout.Identity)))
	caller := identity.Facts.Principal
	for _, c := range []struct {
		name string
		rel  string
		kept bool
	}{{"a bucket policy edited", layout.Bucket, true}, {"the caller's identity policy edited", layout.Identity, false}} {
		t.Run(c.name, func(t *testing.T) {
			old := prev.File(filepath.Join(dir, filepath.FromSlash(c.rel)))
			next := Swapped(prev, map[*analysis.File]*analysis.File{old: analysis.NewFile(old.Path, old.Src, old.Config)})
			next.KeepOwnedPolicies(prev, caller)
			before := prev.cache().owned[caller]
			if before == nil {
				t.Fatalf("%s has no list of own policies before the edit", caller)
			}
			if kept := next.cache().owned[caller] == before; kept != c.kept {
				t.Errorf("taken over: %v, want %v", kept, c.kept)
			}
		})
	}
}

// A layered map made over another holds the other's entries with its own
// changes over them, leaves the other's as they were (nor sees the
// other's later ones), and lays its changes into a new base before they
// are more than maxLayered.
func TestLayeredMapSharesItsBase(t *testing.T) {
	want := func(name string, l *layered[string, int], key string, v int, ok bool) {
		t.Helper()
		if got, found := l.get(key); got != v || found != ok {
			t.Errorf("%s[%q] = %d, %v; want %d, %v", name, key, got, found, v, ok)
		}
	}
	a := newLayered[string, int](0)
	a.set("x", 1)
	a.set("y", 2)
	a.shared = true // as Seal leaves it
	b := a.over()
	b.set("x", 10)
	b.del("y")
	b.set("z", 3)
	a.set("w", 4)
	want("a", &a, "x", 1, true)
	want("a", &a, "y", 2, true)
	want("a", &a, "z", 0, false)
	want("b", &b, "x", 10, true)
	want("b", &b, "y", 0, false)
	want("b", &b, "z", 3, true)
	want("b", &b, "w", 0, false)
	c := b
	for i := range 3 * maxLayered {
		c.shared = true // as Seal leaves it
		next := c.over()
		next.set(strconv.Itoa(i), i)
		c = next
		if len(c.top) > maxLayered {
			t.Fatalf("after %d layers, %d entries over the base", i+1, len(c.top))
		}
	}
	for i := range 3 * maxLayered {
		want("c", &c, strconv.Itoa(i), i, true)
	}
	want("c", &c, "x", 10, true)
	want("c", &c, "y", 0, false)
	want("b", &b, "0", 0, false)
}

// A sealed workspace is only read by the workspaces swapped from it: two
// swaps from it at once, each writing its new workspace (a bucket added,
// every principal answered), while other goroutines read it, are no race
// (go test -race: Swapped wrote prev's flags of sharing, and two swaps
// wrote them at once), and leave its names, buckets and answers as they
// were. A workspace not sealed is not swapped from.
func TestSwappedOnlyReadsASealedWorkspace(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 30)
	if err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	old := prev.File(filepath.Join(dir, filepath.FromSlash(layout.Identity)))
	names, answers := map[*analysis.File]string{}, map[string][]analysis.BlockedRequest{}
	for _, f := range prev.Files {
		names[f] = prev.DocName(f)
	}
	for _, p := range prev.Callers() {
		answers[p] = prev.Blocked(p)
	}
	text := bytes.Replace(old.Src, []byte(`"Sid": "`), []byte(`"Sid": "X`), 1)
	swap := func(start <-chan struct{}, now *analysis.File) *Workspace {
		<-start
		next := Swapped(prev, map[*analysis.File]*analysis.File{old: now})
		if next == nil {
			t.Error("a new version of a document of a sealed workspace not swapped in")
			return nil
		}
		next.AddBuckets(filepath.Join(dir, "main.tf"), []*analysis.BucketFacts{{Name: "added-after"}})
		for _, p := range next.Callers() {
			next.Blocked(p)
		}
		return next
	}
	read := func(start <-chan struct{}) {
		<-start
		for _, f := range prev.Files {
			if prev.DocName(f) != names[f] || prev.Files[prev.orderOf(f)] != f || prev.Bucket("added-after") != nil {
				t.Errorf("%s: prev's name, place or buckets changed during a swap", f.Path)
			}
		}
		for _, p := range prev.Callers() {
			prev.Blocked(p)
		}
	}
	var a, b *Workspace
	for range 8 { // rounds: the race detector sees a race only when the goroutines overlap
		// The versions are parsed first: the parser's pools would order
		// one swap after the other.
		versions := []*analysis.File{analysis.NewFile(old.Path, text, old.Config), analysis.NewFile(old.Path, text, old.Config)}
		start, done, readDone := make(chan struct{}), make(chan *Workspace, 2), make(chan struct{})
		go func() { done <- swap(start, versions[0]) }()
		go func() { done <- swap(start, versions[1]) }()
		go func() { read(start); close(readDone) }()
		close(start)
		a, b = <-done, <-done
		<-readDone
		if a == nil || b == nil {
			return
		}
	}
	for _, p := range prev.Callers() {
		if !reflect.DeepEqual(prev.Blocked(p), answers[p]) {
			t.Errorf("%s: prev's answer changed", p)
		}
		if !reflect.DeepEqual(a.Blocked(p), b.Blocked(p)) {
			t.Errorf("%s: two swaps of the same version answer differently", p)
		}
	}
	if a.Bucket("added-after") == nil || prev.Bucket("added-after") != nil {
		t.Error("a bucket added to a swapped workspace is prev's, or not its own")
	}
	unsealed, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	again := unsealed.File(old.Path)
	if Swapped(unsealed, map[*analysis.File]*analysis.File{again: analysis.NewFile(again.Path, again.Src, again.Config)}) != nil {
		t.Error("swapped from a workspace not sealed")
	}
}

// A principal's evaluations after an edit share the maps of the workspace
// before it: what the edit dropped or made again lies over them, neither
// workspace's later entries reach the other, and when the entries over
// the base grow past a quarter of it they are laid into a map of their own.
func TestEvaluationsOverASharedBase(t *testing.T) {
	key := func(i int) evalKey {
		return evalKey{action: "s3:GetObject", resource: "arn:aws:s3:::b/" + strconv.Itoa(i)}
	}
	ev := func(i int) *evaluation { return &evaluation{request: keepRequest(Request{Resource: key(i).resource})} }
	contents := func(o *evaluationsOf) map[evalKey]*evaluation {
		m := map[evalKey]*evaluation{}
		o.each(func(k evalKey, e *evaluation) { m[k] = e })
		for k, e := range m {
			if o.get(k) != e {
				t.Errorf("get(%v) is not the entry each gives", k)
			}
		}
		return m
	}
	prev := &evaluationsOf{byKey: map[evalKey]*evaluation{}}
	for i := range 40 {
		prev.add(key(i), ev(i))
	}
	before := contents(prev)
	next := prev.share().without([]evalKey{key(1), key(2)})
	if len(next.byKey) != 40 || len(next.top) != 2 {
		t.Fatalf("a base of %d entries with %d over it, want prev's 40 with 2", len(next.byKey), len(next.top))
	}
	made := ev(1)
	next.add(key(1), made)
	prev.add(key(100), ev(100)) // prev still evaluating
	want := maps.Clone(before)
	want[key(100)] = prev.get(key(100))
	if !maps.Equal(contents(prev), want) || len(want) != 41 {
		t.Error("prev's evaluations changed by the next workspace's")
	}
	got := contents(next)
	if len(got) != 39 || got[key(1)] != made || got[key(2)] != nil || got[key(100)] != nil || got[key(3)] != before[key(3)] {
		t.Errorf("next keeps %d evaluations (want 39), key 1 made again %v, key 2 dropped %v, prev's new one %v",
			len(got), got[key(1)] == made, got[key(2)] == nil, got[key(100)] == nil)
	}
	many := []evalKey{}
	for i := 3; i < 3+15; i++ {
		many = append(many, key(i))
	}
	after := next.share().without(many)
	if after.baseShared || after.top != nil || len(after.byKey) != 39-15 {
		t.Errorf("past a quarter of the base: shared %v, %d over, %d entries, want a map of its own of 24", after.baseShared, len(after.top), len(after.byKey))
	}
	if contents(after)[key(1)] != made || len(contents(next)) != 39 {
		t.Error("laying the entries into a map of its own lost one, or changed the workspace before")
	}
}

// Swapped's workspace builds its scenario cache from prev's: the Docs of
// the documents not swapped and the lists of the principals and accounts
// none of whose policies was swapped are prev's, the rest is built again;
// it takes prev's lists of grants over unless a bucket policy is swapped;
// and every principal's answer is a fresh read's, whichever kind of
// document was edited (a bucket policy that comes to name another bucket
// too).
func TestSwappedCarriesTheScenarioCache(t *testing.T) {
	for _, c := range []struct {
		name     string
		file     func(governed.Layout) string
		old, new string
	}{
		{"identity policy", func(l governed.Layout) string { return l.Identity }, `"s3:GetObject", `, `"s3:GetObjec", `},
		{"bucket policy", func(l governed.Layout) string { return l.Bucket }, `"s3:ListBucket"]`, `"s3:ListBucketVersions"]`},
		{"bucket policy naming another bucket", func(l governed.Layout) string { return l.Bucket }, `"arn:aws:s3:::data-00000/*"`, `"arn:aws:s3:::data-00000/*", "arn:aws:s3:::data-09999/*"`},
		{"key policy", func(governed.Layout) string { return governed.Path(7) }, `"kms:Decrypt"]`, `"kms:Decrypt", "kms:GenerateDataKey"]`},
		{"endpoint policy", func(governed.Layout) string { return governed.Path(8) }, `["s3:GetObject", `, `[`},
		{"SCP", func(governed.Layout) string { return governed.Path(9) }, `"s3:PutObject"]`, `"s3:GetObject"]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			layout, err := governed.Write(dir, 60)
			if err != nil {
				t.Fatal(err)
			}
			prev := answeredWorkspace(t, dir)
			path := filepath.Join(dir, filepath.FromSlash(c.file(layout)))
			old := prev.File(path)
			text := bytes.Replace(old.Src, []byte(c.old), []byte(c.new), 1)
			if bytes.Equal(text, old.Src) {
				t.Fatalf("%q is not in %s", c.old, path)
			}
			if err := os.WriteFile(path, text, 0o644); err != nil {
				t.Fatal(err)
			}
			now := analysis.NewFile(path, text, old.Config)
			next := Swapped(prev, map[*analysis.File]*analysis.File{old: now})
			if next == nil || next.carried == nil {
				t.Fatal("Swapped made no workspace, or one that carries no scenario cache")
			}
			for p, grants := range prev.grantLists {
				if kept := len(grants) > 0 && len(next.grantLists[p]) > 0 && &next.grantLists[p][0] == &grants[0]; kept == (old.Kind == analysis.KindBucket) {
					t.Errorf("%s's grants carried: %v", p, kept)
				}
			}
			was, is := prev.cache(), next.cache()
			if d, _ := is.docs.get(old); d != nil {
				t.Error("the old version's Doc is carried")
			}
			carried, others := 0, 0
			for f := range maps.Keys(was.docs.base) {
				if d, _ := was.docs.get(f); f != old && d != nil {
					others++
					if now, _ := is.docs.get(f); now == d {
						carried++
					}
				}
			}
			if carried != others || others == 0 {
				t.Errorf("%d of the %d other Docs carried", carried, others)
			}
			for p, o := range was.owned {
				if kept := is.owned[p] == o; kept == o.holds(old.Policy) {
					t.Errorf("%s's own policies: carried %v", p, kept)
				}
			}
			if scps := len(is.scps) == len(was.scps); scps == (old.Kind == analysis.KindSCP) {
				t.Errorf("the lists of SCPs carried: %v", scps)
			}
			fresh, err := loadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range fresh.Callers() {
				if got, want := next.Blocked(p), fresh.Blocked(p); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: Swapped's workspace blocks\n%+v\na fresh read's\n%+v", p, got, want)
				}
			}
			for name, f := range fresh.cache().bucketPolicy {
				if got := is.bucketPolicy[name]; got == nil || got.Path != f.Path || !bytes.Equal(got.Src, f.Src) {
					t.Errorf("bucket %s: the policy of %v, a fresh read's is %s", name, got, f.Path)
				}
			}
		})
	}
}

// ReuseUnchanged told which buckets an edit may concern for a principal
// (buckets) asks stale about the evaluations of requests on those
// buckets' resources alone, takes the others over, and keeps what it
// kept without being told.
func TestReuseAsksAboutTheBucketsTheEditMayConcern(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 60); err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	const app0, edited = "arn:aws:iam::111122220000:role/app-0", "data-00000"
	stale := func(req Request) bool { return analysis.BucketOfARN(req.Resource) == edited }
	keptOn := func(w *Workspace, bucket string) (n int, on int) {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, o := range w.evaluations {
			o.each(func(_ evalKey, e *evaluation) {
				n++
				if e.bucket == bucket {
					on++
				}
			})
		}
		return n, on
	}
	kept := func(w *Workspace) (int, int) { return keptOn(w, edited) }
	all, onEdited := kept(prev)
	if onEdited == 0 || onEdited == all {
		t.Fatalf("%d of %d kept evaluations on %s: want some, not all", onEdited, all, edited)
	}
	told, _ := loadDir(dir)
	var asked []Request
	told.ReuseUnchanged(prev, nil, func(principal string) func(string) bool {
		if principal == app0 {
			return nil // asked about each
		}
		return func(bucket string) bool { return bucket == edited }
	}, func(req Request, _ *ReadSet, _ func() *Result) bool {
		asked = append(asked, req)
		return stale(req)
	})
	for _, req := range asked {
		if req.Principal != app0 && analysis.BucketOfARN(req.Resource) != edited {
			t.Errorf("asked about %s on %s, another bucket", req.Principal, req.Resource)
		}
	}
	if !slices.ContainsFunc(asked, func(req Request) bool { return req.Principal == app0 && analysis.BucketOfARN(req.Resource) != edited }) {
		t.Error("app-0's requests on other buckets not asked about: told nothing for it")
	}
	untold, _ := loadDir(dir)
	untold.ReuseUnchanged(prev, nil, nil, func(req Request, _ *ReadSet, _ func() *Result) bool { return stale(req) })
	if a, b := kept(told); a != all-onEdited || b != 0 {
		t.Errorf("told: %d kept, %d on %s; want %d, 0", a, b, edited, all-onEdited)
	}
	if a, _ := kept(untold); a != all-onEdited {
		t.Errorf("untold: %d kept, want %d", a, all-onEdited)
	}
	for _, p := range prev.Callers() {
		if got, want := told.Blocked(p), untold.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: answers differ, told and untold", p)
		}
	}
	// The next edit, from told, whose evaluations made again lie over the
	// base it shares with prev: the same asked and kept, told or not.
	for _, next := range []string{edited, "data-00001"} {
		all, onNext := keptOn(told, next)
		if onNext == 0 {
			t.Fatalf("no kept evaluation on %s", next)
		}
		staleOn := func(req Request) bool { return analysis.BucketOfARN(req.Resource) == next }
		var askedTold, askedUntold int
		told2, untold2 := NewWorkspace(dir), NewWorkspace(dir)
		told2.ReuseUnchanged(told, nil, func(string) func(string) bool { return func(b string) bool { return b == next } },
			func(req Request, _ *ReadSet, _ func() *Result) bool { askedTold++; return staleOn(req) })
		untold2.ReuseUnchanged(told, nil, nil, func(req Request, _ *ReadSet, _ func() *Result) bool {
			if staleOn(req) {
				askedUntold++
			}
			return staleOn(req)
		})
		a, _ := keptOn(told2, next)
		b, _ := keptOn(untold2, next)
		if a != b || a != all-onNext || askedTold != askedUntold {
			t.Errorf("edit of %s after %s: %d kept and %d asked told, %d and %d untold; want %d kept", next, edited, a, askedTold, b, askedUntold, all-onNext)
		}
	}
}

// A bucket policy's keystroke that grants another action in a statement
// naming a principal carries the grant sites over (its Principal elements
// are the same), each counting the new version's actions, as a fresh
// read's do: the count sizes a principal's list of grants.
func TestSwappedCountsTheNewVersionsGrantedActions(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 60)
	if err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	path := filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	old := prev.File(path)
	text := bytes.Replace(old.Src, []byte(`["s3:GetObject"]`), []byte(`["s3:GetObject", "s3:GetObjectVersion"]`), 1)
	if bytes.Equal(text, old.Src) {
		t.Fatalf("no statement of %s grants s3:GetObject alone", layout.Bucket)
	}
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	next := Swapped(prev, map[*analysis.File]*analysis.File{old: analysis.NewFile(path, text, old.Config)})
	if next == nil {
		t.Fatal("Swapped refused the new version")
	}
	if next.memos[grantSitesKey] == nil {
		t.Fatal("Swapped built the grant sites again instead of carrying them")
	}
	fresh, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	type site struct {
		path           string
		statement      int
		order, actions int32
	}
	described := func(w *Workspace) map[string][]site {
		out := map[string][]site{}
		for name, list := range w.grantSites() {
			for _, s := range list {
				out[name] = append(out[name], site{s.file.Path, s.statement, s.order, s.actions})
			}
		}
		return out
	}
	got, want := described(next), described(fresh)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the carried grant sites are\n%v\na fresh read's\n%v", got, want)
	}
	if reflect.DeepEqual(described(prev), want) {
		t.Error("the edit changed no site's count: the test proves nothing")
	}
	for _, p := range fresh.Callers() {
		if got, want := next.Blocked(p), fresh.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Swapped's workspace blocks\n%+v\na fresh read's\n%+v", p, got, want)
		}
	}
}
