package lsp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// Terraform facts typed while the back publishes the first scan's closed
// files (the review's probe of s20, made deterministic): a bucket's name
// typed on and taken back, the default provider's account moved into the
// partner's and back, in examples/terraform/child-modules whose bucket
// child has a .s3policy.json of its own that makes shared-data a Requester
// Pays bucket. At each keystroke a back worker holds one closed file: it
// has analysed it with the set the keystroke replaces, a second worker
// analyses and publishes it with the new set, then the first publishes
// (sched.beforeClosedPublish orders them). Once the back drains, every
// file's last diagnostics must be those of the same texts analysed
// afresh. Before 77812d2 the first worker asked whether its set was
// replaced before it published: the child's Requester Pays finding,
// which check reports, was lost for good (4 runs in 10 of the probe).
func TestTerraformFactsTypedWhileTheBackPublishesEndAsAfresh(t *testing.T) {
	for _, child := range []string{"modules/bucket/main.tf", "modules/reader/main.tf"} {
		t.Run(child, func(t *testing.T) {
			f := newFactsTyping(t)
			held := filepath.Join(f.dir, filepath.FromSlash(child))
			sc := f.s.sched
			// The scan has handed the set over: the back is to publish
			// every closed file.
			for _, p := range sc.index.setOf(held).paths {
				if !tree.IsConfig(p) {
					sc.queue[p] = true
				}
			}
			stale := 0 // keystrokes whose held analysis the client must not keep
			name := `bucket_name     = "shared-data`
			var keystrokes [][2]string // file, new text
			typed := func(file, old, new string) {
				text := f.texts[filepath.Join(f.dir, file)]
				for _, k := range slices.Backward(keystrokes) {
					if k[0] == file {
						text = []byte(k[1])
						break
					}
				}
				edited := strings.Replace(string(text), old, new, 1)
				if edited == string(text) {
					t.Fatalf("%s holds no %q", file, old)
				}
				keystrokes = append(keystrokes, [2]string{file, edited})
			}
			for _, c := range "-x1" {
				typed("main.tf", name+`"`, name+string(c)+`"`)
				name += string(c)
			}
			typed("providers.tf", `allowed_account_ids = ["444455556666"]`, `allowed_account_ids = ["111122223333"]`)
			for range 3 {
				typed("main.tf", name+`"`, name[:len(name)-1]+`"`)
				name = name[:len(name)-1]
			}
			typed("providers.tf", `allowed_account_ids = ["111122223333"]`, `allowed_account_ids = ["444455556666"]`)
			typed("providers.tf", `allowed_account_ids = ["444455556666"]`, `allowed_account_ids = ["111122223333"]`)

			for i, k := range keystrokes {
				taken := sc.index.setOf(held)
				sc.queue[held] = true
				if !sc.take(held) {
					t.Fatal("the back could not take", held)
				}
				sc.beforeClosedPublish = func(string) {
					sc.beforeClosedPublish = nil
					f.typeIn(t, k[0], k[1])
					if sc.index.setOf(held) == taken {
						t.Fatalf("keystroke %d in %s did not replace the set of %s", i, k[0], held)
					}
					// The second worker, as if the keystroke queued it.
					sc.queue[held] = true
					if !sc.take(held) {
						t.Fatal("the second worker could not take", held)
					}
					sc.publishClosedFromSet(held, sc.index.setOf(held))
					sc.finished()
				}
				_ = f.s.guard("analysis of "+held, func() error { sc.publishClosedFromSet(held, taken); return nil })
				sc.finished()
				if sc.beforeClosedPublish != nil {
					t.Fatal(held, "was published without its analysis")
				}
				sc.drain()
				if f.analysedAfresh(t, held, taken) != f.analysedAfresh(t, held, nil) {
					stale++
				}
				f.wantEveryFileAsAfresh(t, i)
			}
			if stale == 0 {
				t.Fatalf("no keystroke changes the diagnostics of %s: the test shows nothing", held)
			}
		})
	}
}

// factsTyping is examples/terraform/child-modules indexed in a server
// whose client records what is published, both modules reading
// shared-data, the bucket child under a .s3policy.json of its own.
type factsTyping struct {
	s     *Server
	rec   *recorder
	dir   string
	texts map[string][]byte // by path: the disk, then what was typed
	open  map[string]int32  // the versions of the files typed in
}

func newFactsTyping(t *testing.T) *factsTyping {
	t.Helper()
	s, rec := newRecordingServer(t)
	s.sched.typingPause = 0
	f := &factsTyping{s: s, rec: rec, dir: t.TempDir(), texts: map[string][]byte{}, open: map[string]int32{}}
	from := filepath.Join("..", "examples", "terraform", "child-modules")
	for _, name := range []string{"main.tf", "providers.tf", "modules/bucket/main.tf", "modules/reader/main.tf"} {
		text, err := os.ReadFile(filepath.Join(from, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		f.texts[name] = text
	}
	f.texts["main.tf"] = []byte(strings.Replace(string(f.texts["main.tf"]), `bucket_name = "shared-data-archive"`, `bucket_name = "shared-data"`, 1))
	f.texts[".s3policy.json"] = []byte(`{"accounts": ["111122223333"]}`)
	f.texts["modules/bucket/.s3policy.json"] = []byte(`{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666", "requesterPays": true}}}`)
	byPath := map[string][]byte{}
	for name, text := range f.texts {
		byPath[filepath.Join(f.dir, filepath.FromSlash(name))] = text
	}
	writeTexts(t, byPath)
	f.texts = byPath
	s.store.folders = []string{f.dir}
	for path, text := range byPath {
		s.store.disk[path] = text
	}
	s.sched.index.rebuild(s.store.folders, byPath)
	return f
}

// typeIn opens a file of the root module (at its first keystroke) and
// types its new text; the front takes it in.
func (f *factsTyping) typeIn(t *testing.T, name, text string) {
	t.Helper()
	sc, path := f.s.sched, filepath.Join(f.dir, name)
	u := uri.File(path)
	var events []event
	if f.open[path] == 0 {
		f.open[path] = 1
		events = append(events, event{kind: opened, uri: u, text: f.texts[path], version: 1})
	}
	f.open[path]++
	events = append(events, event{kind: changed, uri: u, version: f.open[path], edits: []textChange{{Text: text}}})
	f.texts[path] = []byte(text)
	for _, ev := range events {
		a, err := f.s.store.modify(ev)
		if err != nil {
			t.Fatal(err)
		}
		sc.enqueue(a)
	}
	sc.round()
	for range 10 { // the open dependants a round leaves due
		sc.mu.Lock()
		more := len(sc.due) > 0 || len(sc.pending.paths) > 0
		sc.mu.Unlock()
		if !more {
			return
		}
		sc.round()
	}
	t.Fatal("the front did not settle in 10 rounds")
}

// analysedAfresh is the JSON of path's diagnostics analysed with the
// set of the texts as they are now, read afresh; or, with g, with g.
func (f *factsTyping) analysedAfresh(t *testing.T, path string, g *govSet) string {
	t.Helper()
	if g == nil {
		fresh := newIndex()
		fresh.rebuild(f.s.store.folders, f.texts)
		g = fresh.setOf(path)
	}
	src := g.sources.get(path)
	return diagnosticsJSON(t, f.s.analyseSource(path, src.Text, src.Findings, g.bound(path), f.s.store.settings()).diagnostics())
}

// wantEveryFileAsAfresh asserts that the last diagnostics published for
// every file, open or closed, are those of the texts analysed afresh.
func (f *factsTyping) wantEveryFileAsAfresh(t *testing.T, keystroke int) {
	t.Helper()
	for path := range f.texts {
		if tree.IsConfig(path) {
			continue
		}
		want := f.analysedAfresh(t, path, nil)
		got, ok := f.rec.last(t, f.s, uri.File(path))
		if !ok {
			got = "[]" // a closed file holding no policy is published only to clear what it had
		}
		if got != want {
			rel, _ := filepath.Rel(f.dir, path)
			t.Errorf("after keystroke %d, %s's diagnostics:\n%s\nthose of the same texts analysed afresh:\n%s", keystroke, rel, got, want)
		}
	}
}
