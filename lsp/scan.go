package lsp

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The first scan, as gopls loads a workspace: on initialized the server
// reads each workspace folder (tree.Walk: no .git, no node_modules,
// nothing over 1 MB, no symbolic link out of the folder). Every policy
// file of the folders gets diagnostics, open or not, because a fault in
// one file shows in another (cross-file findings), and the user must see
// it without opening every file. The scan streams: files are read on
// every core as the walk lists them; a file no config governs is
// analysed and published at once, and not kept; a governed file is
// read and kept, parsed once its set is read (after the diagnostics
// cache has published the set's entry, when it has one), and its set is handed to the scheduler
// as soon as its last file is in (tree.Loader), which analyses the set's
// open documents, then publishes the rest on every core, while the scan
// goes on. Open documents do not wait for the scan: readers yield to the
// scheduler's front. The server never writes a file, and reads nothing
// outside its folders.

// progressToken names the scan's work-done progress.
const progressToken = "s3policy-lsp/scan"

// progressEvery is how many files the scan reads between two reports.
const progressEvery = 1000

// startScan scans the folders once, on a goroutine of its own, and
// reports whether this call started it. The scan calls the client (its
// progress, its settings) when mayCall is set; else it scans with the
// initializationOptions and shows no progress (startUninitialized).
func (s *Server) startScan(mayCall bool) bool {
	if !s.scanStarted.CompareAndSwap(false, true) {
		return false
	}
	s.sched.scanStarted()
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		var scanDone func()
		if s.opts.ScanStarted != nil {
			scanDone = s.opts.ScanStarted()
		}
		progress := &scanProgress{s: s} // shown to no client
		if mayCall {
			progress = s.beginProgress()
			s.takeSettings() // what the scan publishes, and caches, is made with them
		}
		// Off the read loop: the binary's identity is a hash of it.
		s.cache.Store(s.newScanCache())
		// A panic in the scan still ends the progress the client shows.
		_ = s.guard("scanning the workspace", func() error { s.scan(progress); return nil })
		if c := s.cache.Load(); c != nil {
			c.scanOver()
		}
		s.sched.scanDone()
		close(s.scanned)
		// The progress ends when every file read is diagnosed, not when
		// the reading ends: the closed files' analysis goes on for
		// seconds after it in a large folder, in the back's lane.
		s.sched.awaitAnalysed(func(done, total int) {
			progress.report(fmt.Sprintf("analysing %d of %d files", done, total), uint32(50+50*done/max(total, 1)))
		})
		progress.finish()
		if scanDone != nil {
			s.sched.yieldToFront() // what it does (a collection, a ballast dropped) waits for a pause in the typing
			scanDone()
		}
		if c := s.cache.Load(); c != nil && s.ctx.Err() == nil {
			_ = s.guard("keeping the diagnostics for the next start", func() error { c.keep(); return nil })
		} else if c != nil {
			c.closeSpool() // the session ended before the files were published
		}
	}()
	return true
}

// awaitScan waits for the first scan of the folders to have read them, if
// one was started (not for the closed files' analysis after it).
func (s *Server) awaitScan() {
	if !s.scanStarted.Load() {
		return
	}
	select {
	case <-s.scanned:
	case <-s.ctx.Done():
	}
}

// scanProgress is the first scan's $/progress. The scan does not wait
// for the client's answer to window/workDoneProgress/create: nothing is
// sent on the token before the client has created it (the LSP
// specification's "Creating a work done progress ... server must not
// send progress notifications for it before the response"), and when
// the answer comes the begin goes out, with the last report and, if the
// scan is over by then, the end. A client that refuses, or never
// answers, is shown no progress, and its workspace is scanned all the
// same. Before, the scan waited up to settingsWait for the answer and
// went on without progress after it: a client answering late under load
// was shown no progress at all, and no end.
type scanProgress struct {
	s       *Server
	mu      sync.Mutex
	created bool                             // the client answered the create
	last    *protocol.WorkDoneProgressReport // the latest report, nil for none yet
	end     *protocol.WorkDoneProgressEnd    // set once the scan is over
}

// beginProgress asks the client to create the scan's progress token when
// it can show progress, on a goroutine of its own.
func (s *Server) beginProgress() *scanProgress {
	p := &scanProgress{s: s}
	if !s.client().workDone {
		return p
	}
	s.offLoop(protocol.MethodWorkDoneProgressCreate, func() {
		err := s.ask(s.ctx, protocol.MethodWorkDoneProgressCreate, &protocol.WorkDoneProgressCreateParams{Token: *protocol.NewProgressToken(progressToken)}, nil)
		if err != nil {
			if s.ctx.Err() == nil { // the session's end is no refusal: nothing to tell, and stderr stays empty
				s.logf("%s: %v: scanning without progress", protocol.MethodWorkDoneProgressCreate, err)
			}
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.created = true
		p.send(&protocol.WorkDoneProgressBegin{Kind: protocol.WorkDoneProgressKindBegin, Title: "s3policy-lsp", Message: "scanning the workspace for policies", Percentage: 0})
		if p.last != nil {
			p.send(p.last) // how far it got, also when it is over
		}
		if p.end != nil {
			p.send(p.end)
		}
	})
	return p
}

// report tells how far the scan is, once the token is created.
func (p *scanProgress) report(message string, percentage uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = &protocol.WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport, Message: message, Percentage: percentage}
	if p.created && p.end == nil {
		p.send(p.last)
	}
}

// finish ends the progress: now, or when the client creates the token.
func (p *scanProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.end != nil {
		return
	}
	p.end = &protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: "workspace scanned"}
	if p.created {
		p.send(p.end)
	}
}

func (p *scanProgress) send(value any) {
	params := &protocol.ProgressParams{Token: *protocol.NewProgressToken(progressToken), Value: value}
	if err := p.s.conn.Notify(p.s.ctx, protocol.MethodProgress, params); err != nil && p.s.ctx.Err() == nil {
		p.s.logf("$/progress: %v", err)
	}
}

// scan reads every folder, reporting how far it is to progress. Files it
// leaves out are logged; those over 1 MB as a notice the user sees.
func (s *Server) scan(progress *scanProgress) {
	folders := s.store.folders
	for i, folder := range folders {
		s.scanFolder(folder, func(read, listed int, walked bool) {
			msg := fmt.Sprintf("%s: %d files read", filepath.Base(folder), read)
			done := 0 // of this folder, in percent: known once the walk is over
			if walked {
				msg = fmt.Sprintf("%s: %d of %d files", filepath.Base(folder), read, listed)
				done = 100 * read / max(listed, 1)
			}
			progress.report(msg, uint32((100*i+done)/(2*len(folders)))) // reading is the first half
		})
	}
}

// scanFolder walks a folder and reads its files on every core as the walk
// lists them. report gets the count of files read every progressEvery
// files and at the end, with the count listed and whether the walk is
// over.
func (s *Server) scanFolder(folder string, report func(read, listed int, walked bool)) {
	loader := tree.NewLoader(folder, tree.Disk{})
	cache := s.cache.Load()
	// Before a file counts as read: when its set completes, the store
	// and the cache's key hold every file of it.
	loader.Seen = func(f tree.Listed, text []byte) {
		if !f.Maybe {
			s.store.scanned(f.Path, text, true)
		}
		if cache != nil {
			cache.read(f.Root, f.Path, text)
		}
	}
	// As a reader's guard logs it; the set keeps the file, with no
	// document, and completes.
	loader.Panicked = func(path string, r any, stack []byte) {
		s.log(protocol.MessageTypeError, fmt.Sprintf("panic in reading %s: %v\n%s", path, r, stack))
	}
	if cache != nil {
		// The cache's diagnostics of a root go out as soon as its last
		// file is in, before any is parsed.
		loader.Later = true
		loader.Ready = func(root string) { cache.rootRead(folder, root) }
		loader.BetweenFiles = s.sched.yieldToFront // as the readers, before each file
	}
	next := make(chan tree.Listed, scanAhead)
	var read, listed atomic.Int64
	var walked atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for f := range next {
				if s.ctx.Err() != nil {
					continue // the session is over: the walk's list is drained unread
				}
				s.sched.yieldToFront()
				_ = s.guard("reading "+f.Path, func() error { s.readScanned(folder, loader, f); return nil })
				if n := read.Add(1); n%progressEvery == 0 {
					report(int(n), int(listed.Load()), walked.Load())
				}
			}
		})
	}
	// The readers end when the walk does, also when it panics (the
	// scan's guard recovers it): else they would wait on next for the
	// session's life.
	readersDone := sync.OnceFunc(func() {
		walked.Store(true)
		close(next)
		wg.Wait()
	})
	defer readersDone()
	err := tree.Walk(folder, tree.Walker{
		File: func(f tree.Listed) {
			loader.Expect(f)
			listed.Add(1)
			next <- f
		},
		Reached: s.sched.readByWalk,
		Skip: func(sk tree.Skipped) {
			typ := protocol.MessageTypeLog
			if strings.Contains(sk.Reason.EN, "1 MB") {
				typ = protocol.MessageTypeInfo
			}
			s.log(typ, fmt.Sprintf("skipping %s: %s", sk.Path, sk.Reason.EN))
			if c := s.cache.Load(); c != nil {
				c.leftOut(sk.Path, sk.Reason.EN)
			}
		},
		Done: func(root string) {
			// As a reader guards each file: a set that fails to load
			// does not stop the walk.
			_ = s.guard("loading "+root, func() error { s.completed(folder, loader, root, loader.Done(root)); return nil })
		},
	})
	if err != nil {
		s.logf("scanning %s: %v", folder, err)
	}
	readersDone()
	report(int(read.Load()), int(listed.Load()), true)
}

// scanAhead is how many listed files the walk may be ahead of the
// readers: paths only, so that listing never waits for analysis.
const scanAhead = 4096

// readScanned reads one file the walk listed: a file of a set into the
// loader (and the store), handing the set to the scheduler when it was
// its last file; any other file is analysed and published at once.
func (s *Server) readScanned(folder string, loader *tree.Loader, f tree.Listed) {
	if f.Root != "" {
		_, complete := loader.Read(f)
		if tree.IsConfig(f.Path) {
			s.publishScannedConfig(loader, f.Path)
		}
		s.completed(folder, loader, f.Root, complete)
		return
	}
	text, err := os.ReadFile(f.Path)
	if err != nil {
		return
	}
	if c := s.cache.Load(); c != nil && c.readAlone(f.Path, text) {
		s.store.scanned(f.Path, text, false)
		return
	}
	s.publishLoose(tree.ReadKept(f.Path, text, nil))
}

// completed takes the sets the loader completed under root (nil: none)
// to the scheduler, and publishes the files under a module's folder no
// module reads as the files they are.
func (s *Server) completed(folder string, loader *tree.Loader, root string, c *tree.Complete) {
	if c == nil {
		return
	}
	if s.beforeLoad != nil {
		s.beforeLoad(root)
	}
	for _, path := range c.Maybe {
		if _, src := tree.SetOf(c.Sets, path); src != nil {
			s.store.scanned(path, src.Text, true)
		}
	}
	for _, set := range c.Sets {
		s.sched.loaded(set, loader)
	}
	s.sched.rootLoaded(root)
	for _, src := range c.Alone {
		s.publishLoose(src)
	}
}

// scanHold holds back the first diagnostics of an open document that the
// first scan lists under a set (a .s3policy.json's folder, a Terraform
// module) until the scan has loaded that set: analysed alone before, it
// would be published without the findings the set brings, and with some
// the set takes away, then published again. A document in no set is
// published at once. The hold never outlasts the scan: a set that fails
// to load is released with the rest when the scan ends. Only the
// scheduler's front reads and writes it.
type scanHold struct {
	loaded map[string]bool   // roots whose sets the index holds
	rootOf map[string]string // the root the walk lists an open document's file under, "" for none
	held   map[string]bool   // files whose diagnostics are held back
}

// holds reports whether the diagnostics of the open file at path, in the
// workspace folder folder, wait for its set; the scan is on.
func (h *scanHold) holds(folder, path string) bool {
	if folder == "" {
		return false
	}
	h.init()
	root, known := h.rootOf[path]
	if !known {
		root = tree.RootOf(folder, path) // the walk may not have listed it yet
		h.rootOf[path] = root
	}
	if root == "" || h.loaded[root] {
		return false
	}
	h.held[path] = true
	return true
}

func (h *scanHold) init() {
	if h.loaded == nil {
		h.loaded, h.rootOf, h.held = map[string]bool{}, map[string]string{}, map[string]bool{}
	}
}

// release records the roots the scan has loaded since the last round and
// returns the files held back for them: for every one once the scan is
// over (scanning false), whatever became of its set.
func (h *scanHold) release(roots []string, scanning bool) []string {
	if !scanning {
		out := slices.Collect(maps.Keys(h.held))
		*h = scanHold{}
		return out
	}
	h.init()
	var out []string
	for _, root := range roots {
		h.loaded[root] = true
	}
	for path := range h.held {
		if h.loaded[h.rootOf[path]] {
			out = append(out, path)
			delete(h.held, path)
		}
	}
	return out
}

// publishLoose analyses and publishes a file no set holds, read alone,
// and remembers it as such.
func (s *Server) publishLoose(src *tree.Source) {
	s.store.scanned(src.Path, src.Text, false)
	a := s.analyseSource(src.Path, src.Text, src.Findings, src.Docs, s.store.settings())
	if a.holdsPolicy() {
		s.sched.publishClosed(src.Path, a)
	}
}

// refreshLenses asks the client to fetch code lenses again, when it can.
func (s *Server) refreshLenses() {
	if s.client().lensRefresh {
		s.callClient(protocol.MethodCodeLensRefresh, nil)
	}
}
