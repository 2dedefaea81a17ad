package checks

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A keystroke's workspace (eval.Swapped) carries over what the checks
// built in the one before (CarryMemos), patched by the edited document.
// After random edits of bucket policies (a bucket named in Resource
// changed, a Sid typed into), identity policies (a bucket in Resource,
// or a wildcard bucket, an action shortened, a Sid) and of .s3policy.json (after which the
// server reads the set again, carrying nothing), with random documents
// analysed before each edit in two goroutines, each memo of the carried
// workspace is the one a workspace made fresh from the same texts builds,
// its documents the workspace's own (not an old version), and every
// document's findings are the fresh ones.
func TestCarriedMemosAreFreshOnesAfterRandomEdits(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 120); err != nil {
		t.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 6))
	ws := tree.Sets(dir, texts)[0].Workspace
	ws.Seal()
	carried := map[string]int{} // by key, without its principal
	edits := map[string]int{}
	forgetting := rand.New(rand.NewPCG(8, 16)) // apart: the edits are those of rng
	for round := range 30 {
		analyseSome(boundTo(ws, ws.PolicyFiles()), rng)
		forgetSome(ws, forgetting) // as the server does once it has published a closed file
		path, text, what := randomMemoEdit(ws, texts, rng)
		edits[what]++
		texts[path] = text
		fresh := tree.Sets(dir, texts)[0].Workspace
		if what == "config" {
			// The server reads the set again: nothing is carried.
			ws = fresh
			ws.Seal()
			continue
		}
		old := ws.File(path)
		src := tree.Read(path, text, old.Config)
		swaps := map[*analysis.File]*analysis.File{old: src.Docs[0]}
		next := eval.Swapped(ws, swaps)
		if next == nil {
			t.Fatalf("round %d: Swapped refused the edit of %s", round, filepath.Base(path))
		}
		carry := CarryMemos(next, swaps)
		next.CarryMemos(ws, swaps, func(built map[string]any) map[string]func() any {
			out := carry(built)
			for key := range out {
				carried[strings.SplitN(key, "\x00", 2)[0]]++
			}
			return out
		})
		next.Seal()
		got, want := memoSnapshot(t, next), memoSnapshot(t, fresh)
		if got != want {
			t.Fatalf("round %d, %s of %s: carried memos\n%s\nfresh\n%s", round, what, filepath.Base(path), got, want)
		}
		for i, f := range boundTo(next, shuffled(next.PolicyFiles(), rng)) {
			if i%3 != 0 && f.Kind != analysis.KindIdentity && f.Kind != analysis.KindBucket {
				continue // a part of the others: the test takes long enough
			}
			want := fmt.Sprintf("%+v", Analyze(fresh.File(f.Path)))
			if got := fmt.Sprintf("%+v", Analyze(f)); got != want {
				t.Fatalf("round %d, %s of %s: %s\ncarried %s\nfresh   %s", round, what, filepath.Base(path), filepath.Base(f.Path), got, want)
			}
		}
		ws = next
	}
	t.Logf("edits %v, memos carried %v", edits, carried)
	for _, what := range []string{"bucket resource", "identity resource", "identity wildcard", "identity action", "config"} {
		if edits[what] < 2 {
			t.Errorf("%d edits of kind %q: the test shows too little", edits[what], what)
		}
	}
	for _, key := range []string{bucketsWithPolicyKey, strings.TrimSuffix(bucketsToGrantKey, "\x00"), strings.TrimSuffix(asksKey, "\x00"),
		strings.TrimSuffix(causesKey, "\x00"), principalsByDocumentKey, firstIdentityPoliciesKey} {
		if carried[key] < 3 {
			t.Errorf("%q carried %d times: the test shows too little", key, carried[key])
		}
	}
}

// forgetSome drops the parts of the memos of a random half of w's
// documents (ForgetDocuments).
func forgetSome(w *eval.Workspace, rng *rand.Rand) {
	for _, f := range w.PolicyFiles() {
		if rng.IntN(2) == 0 {
			ForgetDocuments(w, []*analysis.File{f})
		}
	}
}

// Once a document's parts of the indexes of causes are forgotten, as the
// server does after it has published a closed file, none is left, its
// policy's IAM references are resolved again when next asked for, and
// analysing each document again (in two goroutines, forgetting meanwhile)
// gives the findings it gave before.
func TestForgottenDocumentsAreAnalysedAlike(t *testing.T) {
	ws := generatedWorkspace(t, 120)
	ws.Seal()
	files := boundTo(ws, ws.PolicyFiles())
	want := map[*analysis.File]string{}
	for _, f := range files {
		want[f] = fmt.Sprintf("%+v", Analyze(f))
	}
	if n := builtParts(ws); n == 0 {
		t.Fatal("no document built a part: the test shows nothing")
	}
	resolved := map[*analysis.File]*iamref.Resolved{}
	for _, f := range files {
		resolved[f] = iamref.Resolve(f.Policy)
		ForgetDocuments(ws, []*analysis.File{f})
	}
	if n := builtParts(ws); n != 0 {
		t.Fatalf("%d parts left once every document is forgotten", n)
	}
	for _, f := range files {
		if iamref.Resolve(f.Policy) == resolved[f] {
			t.Fatalf("%s: its IAM references kept once forgotten", filepath.Base(f.Path))
		}
		iamref.Forget(f.Policy)
	}
	var wg sync.WaitGroup
	got := make([]string, len(files))
	for half := range 2 {
		wg.Go(func() {
			for i := half; i < len(files); i += 2 {
				got[i] = fmt.Sprintf("%+v", Analyze(files[i]))
				ForgetDocuments(ws, files[i:i+1])
			}
		})
	}
	wg.Wait()
	for i, f := range files {
		if got[i] != want[f] {
			t.Errorf("%s analysed again: %s\nbefore: %s", filepath.Base(f.Path), got[i], want[f])
		}
	}
}

// builtParts counts the documents' parts of the workspace's indexes of
// causes.
func builtParts(w *eval.Workspace) int {
	n := 0
	w.BuiltMemos(func(_ string, v any) {
		switch ix := v.(type) {
		case *causeIndex:
			n += len(ix.identity.parts)
		case *causesHereIndex:
			n += len(ix.here.parts)
		}
	})
	return n
}

// boundTo returns copies of files bound to w, as the server analyses
// the documents its workspaces share.
func boundTo(w *eval.Workspace, files []*analysis.File) []*analysis.File {
	out := make([]*analysis.File, len(files))
	for i, f := range files {
		c := *f
		c.Workspace = w
		out[i] = &c
	}
	return out
}

var bucketName = regexp.MustCompile(`data-[0-9]{5}`)

// randomMemoEdit changes a random bucket or identity policy, or the
// config, and says how.
func randomMemoEdit(w *eval.Workspace, texts map[string][]byte, rng *rand.Rand) (path string, text []byte, what string) {
	if rng.IntN(8) == 0 {
		// A bucket of another account the config names, or one no more.
		path = filepath.Join(w.Dir, analysis.ConfigName)
		cfg := texts[path]
		if i := bytes.Index(cfg, []byte(`"data-99999":`)); i >= 0 {
			end := i + bytes.IndexByte(cfg[i:], '}') + 2
			return path, slices.Concat(cfg[:i], cfg[end:]), "config"
		}
		at := bytes.Index(cfg, []byte(`"buckets":{`)) + len(`"buckets":{`)
		return path, slices.Concat(cfg[:at], []byte(`"data-99999":{"account":"444455556666"},`), cfg[at:]), "config"
	}
	kind := analysis.KindBucket
	if rng.IntN(2) == 0 {
		kind = analysis.KindIdentity
	}
	var files []*analysis.File
	for _, f := range w.PolicyFiles() {
		if f.Kind == kind {
			files = append(files, f)
		}
	}
	f := files[rng.IntN(len(files))]
	src, name := f.Src, "bucket"
	if kind == analysis.KindIdentity {
		name = "identity"
	}
	switch rng.IntN(4) {
	case 3:
		// A wildcard bucket: the statement may ask for any bucket.
		if loc := bucketName.FindIndex(src); loc != nil && kind == analysis.KindIdentity {
			return f.Path, slices.Concat(src[:loc[0]], []byte("data-0000*"), src[loc[1]:]), name + " wildcard"
		}
	case 0:
		// Another bucket, one the folder has or one it has not.
		other := fmt.Sprintf("data-%05d", rng.IntN(40))
		if rng.IntN(4) == 0 {
			other = "data-99999"
		}
		if kind == analysis.KindBucket {
			return f.Path, bucketName.ReplaceAll(src, []byte(other)), name + " resource"
		}
		if loc := bucketName.FindIndex(src); loc != nil {
			return f.Path, slices.Concat(src[:loc[0]], []byte(other), src[loc[1]:]), name + " resource"
		}
	case 1:
		if i := bytes.Index(src, []byte(`"Action": ["`)); i >= 0 {
			at := i + len(`"Action": ["`)
			end := at + bytes.IndexByte(src[at:], '"')
			return f.Path, slices.Concat(src[:end-1], src[end:]), name + " action"
		}
	}
	at := bytes.Index(src, []byte(`"Sid": "`)) + len(`"Sid": "`)
	return f.Path, slices.Concat(src[:at], []byte("x"), src[at:]), name + " sid"
}

// memoSnapshot writes out the memos CarryMemos carries over, as the
// checks ask for them, and reports an error for a document one of them
// holds that is not the workspace's.
func memoSnapshot(t *testing.T, w *eval.Workspace) string {
	t.Helper()
	files := w.PolicyFiles()
	var b strings.Builder
	name := func(f *analysis.File) string {
		if !slices.Contains(files, f) {
			t.Errorf("a memo holds a document of %s that is not the workspace's", filepath.Base(f.Path))
		}
		return filepath.Base(f.Path) + "#" + f.DocName
	}
	counts := bucketsWithPolicy(w)
	for _, bucket := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "with policy %s: %d\n", bucket, counts[bucket])
	}
	for _, f := range boundTo(w, files) {
		if f.Kind == analysis.KindIdentity && f.Config != nil && f.Facts != nil {
			fmt.Fprintf(&b, "to grant for %s: %q\n", f.Facts.Account, bucketsToGrant(&analysis.Pass{File: f}))
		}
	}
	byPath := bucketPoliciesAt(w)
	for _, path := range slices.Sorted(maps.Keys(byPath)) {
		for _, f := range byPath[path] {
			fmt.Fprintf(&b, "bucket policy at %s: %s\n", filepath.Base(path), name(f))
		}
	}
	byBucket := identityPoliciesByBucket(w)
	for _, bucket := range slices.Sorted(maps.Keys(byBucket)) {
		fmt.Fprintf(&b, "identity policies using %s: %v\n", bucket, byBucket[bucket])
	}
	for _, f := range identityPolicies(w) {
		fmt.Fprintf(&b, "first identity policy: %s\n", name(f))
	}
	for _, p := range principalsOf(w) {
		asks := asksOf(w, p)
		for _, f := range asks.policies {
			fmt.Fprintf(&b, "%s asks in %s\n", p, name(f))
		}
		for _, bucket := range slices.Sorted(maps.Keys(asks.byBucket)) {
			for _, s := range asks.byBucket[bucket] {
				fmt.Fprintf(&b, "%s asks for %s in %d at %d\n", p, bucket, s.n, s.st.Index)
			}
		}
		for _, s := range asks.wild {
			fmt.Fprintf(&b, "%s asks for any bucket in %d at %d\n", p, s.n, s.st.Index)
		}
		ix := causesOf(w, p)
		for i, asking := range ix.asking {
			for _, a := range asking {
				fmt.Fprintf(&b, "%s's request %d asked for in %s at %v\n", p, i, name(a.policy), a.span)
			}
		}
		for _, d := range slices.SortedFunc(maps.Keys(ix.concerns), compareDocKeys) {
			fmt.Fprintf(&b, "%s's requests concerning %s: %v\n", p, filepath.Base(d.path), ix.concerns[d])
		}
	}
	byDocument := principalsByDocument(w)
	for _, d := range slices.SortedFunc(maps.Keys(byDocument), compareDocKeys) {
		fmt.Fprintf(&b, "principals with causes in %s#%s: %q\n", filepath.Base(d.path), d.doc, byDocument[d])
	}
	return b.String()
}

func compareDocKeys(x, y docKey) int {
	return strings.Compare(x.path+"\x00"+x.doc, y.path+"\x00"+y.doc)
}

// A bucket policy edited to name another bucket in its Resource is that
// bucket's policy now: the carried buckets with a policy count it, and an
// identity policy no longer lacks that bucket ("no statement allows an S3
// action on bucket …" is about the buckets whose policy the workspace
// does not hold). Carrying the buckets over as they were, without the
// edited policy's Resource, keeps the finding.
func TestCarriedBucketsSeeABucketPolicysResourceEdit(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		analysis.ConfigName: `{"accounts": ["111122223333"],
  "buckets": {"shared-data": {"account": "444455556666"}, "logs": {"account": "444455556666"}},
  "files": {"jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
    "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666"}}}`,
		"jane.iam-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}`,
		"bucket.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}]}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	prev := tree.Sets(dir, texts)[0].Workspace
	prev.Seal()
	jane := filepath.Join(dir, "jane.iam-policy.json")
	if got := missingBuckets(prev, jane); got != `"shared-data"` {
		t.Fatalf("before the edit, jane lacks %s, want shared-data (logs has its policy)", got)
	}
	path := filepath.Join(dir, "bucket.bucket-policy.json")
	old := prev.File(path)
	text := bytes.ReplaceAll(old.Src, []byte("logs"), []byte("shared-data"))
	swaps := map[*analysis.File]*analysis.File{old: tree.Read(path, text, old.Config).Docs[0]}
	next := eval.Swapped(prev, swaps)
	next.CarryMemos(prev, swaps, CarryMemos(next, swaps))
	next.Seal()
	if got := missingBuckets(next, jane); got != `"logs"` {
		t.Errorf("after the bucket policy's Resource names shared-data instead of logs, jane lacks %s, want logs", got)
	}
	if counts := bucketsWithPolicy(next); counts["shared-data"] != 1 || counts["logs"] != 0 {
		t.Errorf("buckets with a policy after the edit: %v, want shared-data alone", counts)
	}
}

// missingBuckets are the buckets missing-resource-arn says the identity
// policy at path lacks, in the workspace.
func missingBuckets(w *eval.Workspace, path string) string {
	f := boundTo(w, []*analysis.File{w.File(path)})[0]
	var out []string
	for _, finding := range Analyze(f) {
		if m := regexp.MustCompile(`on buckets? (\S+):`).FindStringSubmatch(finding.Message.Text().EN); m != nil && finding.Code == analysis.CodeMissingResourceARN {
			out = append(out, m[1])
		}
	}
	return fmt.Sprintf("%q", strings.Join(out, ","))
}

// A keystroke's workspace takes over the config's bucket names of the
// buckets each Resource entry reaches, not the entries asked before: each
// text typed into a Resource would stay in them for as long as the editor
// runs.
func TestCarriedBucketReachKeepsNoEntries(t *testing.T) {
	before := &bucketReach{names: []string{"data", "logs"}}
	before.of("arn:aws:s3:::data-*/reports/2024/jan*")
	key := bucketReachKey + "0xc000123456"
	c := &carrier{built: map[string]any{key: before}, out: map[string]func() any{}}
	c.configMemos()
	build, ok := c.out[key]
	if !ok {
		t.Fatal("the bucket reach is not carried")
	}
	after := build().(*bucketReach)
	if after == before || !slices.Equal(after.names, before.names) {
		t.Fatalf("carried %p with names %v, want a new reach of %v", after, after.names, before.names)
	}
	after.byEntry.Range(func(entry, _ any) bool {
		t.Errorf("the carried reach holds %q, asked in the workspace before", entry)
		return true
	})
}
