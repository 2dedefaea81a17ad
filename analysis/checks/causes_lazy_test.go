package checks

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The index of causes is built in parts, each when a check first asks
// (causesOf, groupsOf, hereOf), and the server carries a principal's parts
// over an edit that changes neither its answer nor its identity policies
// (eval.Workspace.KeepPrincipalMemos), whichever of them were built. After
// random edits of random documents (a character typed into a Sid, a line
// break that moves every place of the file), with random documents
// analysed before each edit, in two goroutines, every document's findings
// in the workspace so carried are those of a workspace made fresh from
// the same texts.
func TestCarriedCauseIndexIsAFreshOnesAfterRandomEdits(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 150); err != nil {
		t.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 1))
	ws := tree.Sets(dir, texts)[0].Workspace
	carried, compared := 0, 0
	for round := range 16 {
		analyseSome(ws.PolicyFiles(), rng)
		path, text := randomEdit(ws, rng)
		texts[path] = text
		fresh := tree.Sets(dir, texts)[0].Workspace
		next, kept := carryOver(ws, fresh, path)
		carried += kept
		for _, f := range shuffled(next.PolicyFiles(), rng) {
			want := fmt.Sprintf("%+v", Analyze(fresh.File(f.Path)))
			if got := fmt.Sprintf("%+v", Analyze(f)); got != want {
				t.Fatalf("round %d, %s edited: %s\ncarried %s\nfresh   %s", round, filepath.Base(path), filepath.Base(f.Path), got, want)
			}
			compared++
		}
		ws = next
	}
	if carried < 16 || compared < 1000 {
		t.Errorf("%d principals carried over, %d documents compared: the test shows too little", carried, compared)
	}
}

// analyseSome analyses a random part of the documents, in random order,
// in two goroutines: the parts of the index they ask for are built, the
// others not.
func analyseSome(files []*analysis.File, rng *rand.Rand) {
	files = shuffled(files, rng)
	files = files[:rng.IntN(len(files)+1)]
	var wg sync.WaitGroup
	for half := range 2 {
		wg.Go(func() {
			for i := half; i < len(files); i += 2 {
				Analyze(files[i])
			}
		})
	}
	wg.Wait()
}

// randomEdit changes one random document's text: a character typed into
// its first Sid, or a line break after its first brace. Half the edits
// are of a document that holds causes of a principal's blocked requests
// (a sixth of the documents of the folder), whose elements the index
// makes when its checks ask (hereOf).
func randomEdit(w *eval.Workspace, rng *rand.Rand) (path string, text []byte) {
	files := w.PolicyFiles()
	if rng.IntN(2) == 0 {
		files = holdingCauses(w)
	}
	f := files[rng.IntN(len(files))]
	src := f.Src
	if i := bytes.Index(src, []byte(`"Sid": "`)); i >= 0 && rng.IntN(2) == 0 {
		at := i + len(`"Sid": "`)
		return f.Path, slices.Concat(src[:at], []byte("x"), src[at:])
	}
	at := bytes.IndexByte(src, '{') + 1
	return f.Path, slices.Concat(src[:at], []byte("\n  "), src[at:])
}

// carryOver builds the workspace the server binds after the edit of the
// file at edited: the other documents copied from prev, and the answer
// and the parts of the index of each principal the edit leaves alone (no
// identity policy of its edited, no grant or cause of its answer in the
// edited file) taken over. kept counts those principals.
func carryOver(prev, fresh *eval.Workspace, edited string) (next *eval.Workspace, kept int) {
	next = eval.NewWorkspace(prev.Dir)
	next.AddConfig(filepath.Join(prev.Dir, analysis.ConfigName), prev.PolicyFiles()[0].Config)
	for _, f := range fresh.PolicyFiles() {
		if old := prev.File(f.Path); old != nil && f.Path != edited {
			c := *old
			next.AddCopy(&c, old, prev)
			continue
		}
		c := *f
		next.AddFile(&c)
	}
	for _, p := range principalsOf(prev) {
		answer, answered := prev.Answered(p)
		if !answered || ownsFile(prev, p, edited) || touches(answer, edited) {
			continue
		}
		next.KeepAnswer(prev, p)
		next.KeepPrincipalMemos(prev, p)
		kept++
	}
	return next, kept
}

// ownsFile reports whether the file at path is one of the principal's
// identity policies.
func ownsFile(w *eval.Workspace, principal, path string) bool {
	f := w.File(path)
	return f != nil && isIdentityOf(f, principal)
}

// touches reports whether a grant or a cause of the answer lies in the
// file at path.
func touches(answer []analysis.BlockedRequest, path string) bool {
	for _, b := range answer {
		if b.Grant.Path == path {
			return true
		}
		for _, c := range b.Causes {
			if c.Located && c.Place.Path == path {
				return true
			}
		}
	}
	return false
}

func shuffled(files []*analysis.File, rng *rand.Rand) []*analysis.File {
	out := append([]*analysis.File(nil), files...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// holdingCauses are the documents that hold a cause of a principal's
// blocked requests, in the workspace's order.
func holdingCauses(w *eval.Workspace) []*analysis.File {
	byDocument := principalsByDocument(w)
	var out []*analysis.File
	for _, f := range w.PolicyFiles() {
		if len(byDocument[docKey{f.Path, f.DocName}]) > 0 {
			out = append(out, f)
		}
	}
	return out
}
