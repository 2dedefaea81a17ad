package lsp

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The first scan reads a Terraform module's main.tf while an editor saves
// it by truncating and writing (the review's probe of s20 and s21: 1 run
// in 5): the scan's sets are built from an empty main.tf, so the bucket
// child, under a .s3policy.json of its own, is a set of its own, read
// without its caller's inputs, while the editor has main.tf open with the
// module call. The sets reach the index together or in two rounds (a
// root's sets are handed over one by one, and the walk may have made the
// child's folder a root of its own); when the root module's set came
// first, the call typed "moved" nothing the index held yet, and the child
// stayed read alone for good: its Requester Pays finding, which check and
// a fresh server report, was never published. Once the scan is over,
// every file's last diagnostics must be those of the texts read afresh.
// Also when the round that takes the caller's set rebuilds every set (a
// config opened beside main.tf: the review's case), and the child's set
// read alone comes after the rebuild.
func TestAModuleCallTheScanReadMidWriteEndsAsAfresh(t *testing.T) {
	for _, rounds := range []string{"together", "caller first", "child first", "the walk read it empty",
		"caller first, the folder's config opened", "caller first, the child's config opened"} {
		t.Run(rounds, func(t *testing.T) {
			f := newFactsTyping(t)
			sc := f.s.sched
			mainTF := filepath.Join(f.dir, "main.tf")
			child := filepath.Join(f.dir, "modules", "bucket", "main.tf")
			wantChild := f.analysedAfresh(t, child, nil)

			// The scan starts afresh on the texts it reads: main.tf empty;
			// or, the walk read it empty and made the child's folder a root
			// of its own, and the loader read it whole.
			sc.index = newIndex()
			sc.scanStarted()
			read := maps.Clone(f.texts)
			read[mainTF] = []byte{}
			f.s.store.scanned(mainTF, read[mainTF], true)
			roots := []map[string][]byte{read}
			if rounds == "the walk read it empty" {
				sc.readByWalk(mainTF, read[mainTF])
				f.s.store.scanned(mainTF, f.texts[mainTF], true)
				callerRoot, childRoot := map[string][]byte{}, map[string][]byte{}
				for path, text := range f.texts {
					if tree.Within(filepath.Dir(path), filepath.Dir(child)) {
						childRoot[path] = text
					} else {
						callerRoot[path] = text
					}
				}
				roots = []map[string][]byte{callerRoot, childRoot}
			}
			var caller, alone *govSet
			for _, texts := range roots {
				for _, s := range tree.Sets(f.dir, texts) {
					g := newGovSet(s, texts)
					if g.root == f.dir {
						caller = g
					} else if g.sources.get(child) != nil {
						alone = g
					}
				}
			}
			if caller == nil || alone == nil {
				t.Fatal("the scan's read of an empty main.tf does not make the child a set of its own")
			}

			// The editor has main.tf open, with its module call, and maybe a
			// config, as it is.
			opens := []string{mainTF}
			switch rounds {
			case "caller first, the folder's config opened":
				opens = append(opens, filepath.Join(f.dir, ".s3policy.json"))
			case "caller first, the child's config opened":
				opens = append(opens, filepath.Join(filepath.Dir(child), ".s3policy.json"))
			}
			for _, path := range opens {
				a, err := f.s.store.modify(event{kind: opened, uri: uri.File(path), text: f.texts[path], version: 1})
				if err != nil {
					t.Fatal(err)
				}
				sc.enqueue(a)
			}
			handOver := func(sets ...*govSet) {
				sc.mu.Lock()
				sc.fromScan = append(sc.fromScan, sets...)
				sc.mu.Unlock()
				sc.round()
			}
			switch rounds {
			case "together":
				handOver(caller, alone)
			case "caller first", "the walk read it empty":
				handOver(caller)
				handOver(alone)
			case "child first":
				handOver(alone)
				handOver(caller)
			default:
				handOver(caller)
				handOver(alone)
			}
			sc.scanDone()
			sc.round()
			sc.drain()

			f.wantEveryFileAsAfresh(t, 0)
			if got, _ := f.rec.last(t, f.s, uri.File(child)); got != wantChild {
				t.Errorf("the child's last diagnostics:\n%s\nwant (with its Requester Pays finding):\n%s", got, wantChild)
			}
		})
	}
}

// The walk's reading of a module file is compared with its text at the
// end of the scan by what it calls and reads: a value typed meanwhile (the
// bucket's name) leaves the walk's roots right and reads no set again; a
// call the walk did not see (main.tf read empty) reads them all again.
func TestTheWalksReadingDiffersByItsCallsOnly(t *testing.T) {
	f := newFactsTyping(t)
	mainTF := filepath.Join(f.dir, "main.tf")
	text := string(f.texts[mainTF])
	renamed := strings.Replace(text, `bucket_name = "shared-data"`, `bucket_name = "shared-data-x"`, 1)
	if renamed == text {
		t.Fatal("main.tf names no shared-data bucket")
	}
	for read, want := range map[string]bool{text: false, renamed: false, "": true} {
		if got := f.s.sched.readElseThanTheWalk(map[string][]byte{mainTF: []byte(read)}); got != want {
			t.Errorf("the walk read main.tf as %q: read the sets again %v, want %v", read[:min(len(read), 40)], got, want)
		}
	}
}
