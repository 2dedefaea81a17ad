package lsp

import (
	"bytes"
	"fmt"
	"maps"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The scheduler decides what to analyse and publish. Events only record
// what they touched (pending) and kick it. Its front goroutine takes the
// pending work in rounds: it updates the dependency index with the new
// texts, then analyses and publishes the open documents whose text
// changed, newest version only, each version once (again only when its
// findings changed); then the other open documents that depend on what
// changed, unless newer edits are already waiting or the user is typing,
// in which case they are due in a later round (the document typed in
// comes first; while typing, the round after the typing pause). The closed
// files whose findings can change go to the back goroutine, which
// publishes them from the disk when their findings differ from what the
// client has (a hash per file). The back never starts a file while the
// front has work, nor while the user is typing (typingPause after the
// last didChange, as gopls waits diagnosticsDelay before the diagnostics
// of other packages), so that open documents get the cores; a file queued
// again before the back took it is analysed once, with the newest set.
type scheduler struct {
	s     *Server
	index *index

	mu       sync.Mutex
	pending  affected
	due      map[string]bool // open documents (by path) a round left for later: newer edits were waiting
	fromScan []*govSet       // sets the first scan read whole, to add to the index
	rescan   bool            // the scan is done: check the sets against the store
	scanning bool            // the first scan is reading the folders
	kick     chan struct{}   // one slot: a round is due
	typedAt  time.Time       // the last didChange
	// typingPause is how long closed files, and the open documents that
	// only depend on an edit, wait after the last didChange.
	typingPause time.Duration
	// frontIdle is closed when the front has nothing to do; the back
	// waits for it before each file, so that open documents get the
	// cores first.
	frontIdle chan struct{}
	// wake runs a round when the typing pause ends, for the open
	// dependants it left due (wakeFrontLocked).
	wake *time.Timer
	// rootsLoaded are the roots whose every set the scan handed over
	// (fromScan) since the last round; hold is the front's alone.
	rootsLoaded []string
	hold        scanHold
	// regroupAfterScan is set, by the front alone, when a module call or
	// file() moved while the scan had sets still to hand over: the set
	// whose files the call moves may not be in the index yet, so the sets
	// are read again whole once the scan is over (index.movesCalls). So
	// does a rebuild during the scan: the sets handed over after it were
	// read before it.
	regroupAfterScan bool
	// walkRead holds the module files the scan's walk read to decide the
	// roots of configs' folders below them, with the texts it read
	// (readByWalk); checked against the store once the scan is over.
	walkRead map[string][]byte

	back     sync.Mutex
	queue    map[string]bool // closed files to analyse and publish
	lensDue  bool            // code lenses may have changed: refresh when the queue drains
	bulk     bool            // the queue holds every file of the sets: use every core
	backKick chan struct{}
	inflight int           // closed files taken off the queue and not yet published
	analysed int           // closed files the back has analysed, ever
	backDone chan struct{} // closed and replaced when the back has no file left, and every analyseEvery files

	cacheMu      sync.Mutex
	cache        map[protocol.DocumentURI]cached // the open documents' last analyses
	cacheChanged chan struct{}                   // closed and replaced on every update

	flightMu sync.Mutex
	flights  map[string]*closedFlight // by path: the back's analyses of governed files in progress
	configs  configParses             // the last parse of each config, for its closed publication

	// beforeClosedPublish, for tests, runs between a closed file's
	// analysis with a set and its publication.
	beforeClosedPublish func(path string)

	pubMu      sync.Mutex
	openPub    map[protocol.DocumentURI]published
	closedHash map[string]uint64 // what the client has for each closed file
}

type published struct {
	version int32
	hash    uint64
}

// closedFlight is the back's analysis of a governed file from the set
// it holds, in progress: a document opened meanwhile with the same text
// and the same set takes its result instead of making it again (the
// front waited as long, on a core the two analyses shared).
type closedFlight struct {
	set      *govSet
	settings editorSettings
	done     chan struct{} // closed when a is set (nil: the analysis failed)
	a        *analysed
	waiters  int // open documents waiting for it, under flightMu (tests)
}

// cached is the analysis of one version of an open document; a nil
// analysis means the analysis failed (and was logged).
type cached struct {
	doc *document
	a   *analysed
}

func newScheduler(s *Server) *scheduler {
	idle := make(chan struct{})
	close(idle)
	return &scheduler{
		s: s, index: newLoggedIndex(func(msg string) { s.log(protocol.MessageTypeError, msg) }), due: map[string]bool{}, typingPause: typingPause,
		kick: make(chan struct{}, 1), backKick: make(chan struct{}, 1), queue: map[string]bool{}, backDone: make(chan struct{}),
		cache: map[protocol.DocumentURI]cached{}, cacheChanged: make(chan struct{}), frontIdle: idle,
		openPub: map[protocol.DocumentURI]published{}, closedHash: map[string]uint64{}, flights: map[string]*closedFlight{},
	}
}

// typingPause is how long the back waits after the last didChange before
// it analyses a closed file: while the user types, the cores are the open
// documents'. A closed file's findings are seen later anyway (gopls waits
// a second, its diagnosticsDelay, before those of other packages).
const typingPause = 300 * time.Millisecond

// enqueue records what an event touched and asks for a round.
func (sc *scheduler) enqueue(a affected) {
	sc.mu.Lock()
	sc.frontBusyLocked()
	if a.typed {
		sc.typedAt = time.Now()
	}
	sc.pending.paths = append(sc.pending.paths, a.paths...)
	sc.pending.cleared = append(sc.pending.cleared, a.cleared...)
	sc.pending.settings = sc.pending.settings || a.settings
	sc.pending.closedStale = sc.pending.closedStale || a.closedStale
	sc.mu.Unlock()
	poke(sc.kick)
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // a round is already due; it will see this
	}
}

// start runs the front and back goroutines until the session ends.
func (sc *scheduler) start() {
	sc.s.workers.Add(2)
	go sc.serve(sc.kick, "analysis", sc.round)
	go sc.serve(sc.backKick, "publishing the workspace", sc.drain)
}

// serve runs work, guarded against panics, each time kick fires, until
// the session ends.
func (sc *scheduler) serve(kick <-chan struct{}, what string, work func()) {
	s := sc.s
	defer s.workers.Done()
	for {
		select {
		case <-kick:
		case <-s.ctx.Done():
			return
		}
		_ = s.guard(what, func() error { work(); return nil })
	}
}

// frontBusyLocked marks the front busy until a round finds nothing more
// to do.
func (sc *scheduler) frontBusyLocked() {
	select {
	case <-sc.frontIdle:
		sc.frontIdle = make(chan struct{})
	default: // busy already
	}
}

// yieldToFront waits while the front has work, and until typingPause has
// passed since the last didChange: the back and the scan's readers call
// it before each file.
func (sc *scheduler) yieldToFront() {
	for {
		sc.mu.Lock()
		idle := sc.frontIdle
		wait := time.Until(sc.typedAt.Add(sc.typingPause))
		sc.mu.Unlock()
		select {
		case <-idle:
		case <-sc.s.ctx.Done():
			return
		}
		if wait <= 0 {
			return
		}
		select {
		case <-time.After(wait):
		case <-sc.s.ctx.Done():
			return
		}
	}
}

// round does the pending work. Under serve --trace, the round, its
// index update, and each analysis of an open document or a closed file
// are regions of the execution trace: where a keystroke's time went.
func (sc *scheduler) round() {
	defer trace.StartRegion(sc.s.ctx, "round").End()
	defer func() {
		sc.mu.Lock()
		if !sc.hasWorkLocked() && len(sc.due) == 0 {
			select {
			case <-sc.frontIdle:
			default:
				close(sc.frontIdle)
			}
		}
		sc.mu.Unlock()
	}()
	st := sc.s.store
	sc.mu.Lock()
	work, rescan, loaded, due := sc.pending, sc.rescan, sc.fromScan, sc.due
	sc.pending, sc.rescan, sc.fromScan, sc.due = affected{}, false, nil, map[string]bool{}
	var walkRead map[string][]byte
	if rescan {
		walkRead, sc.walkRead = sc.walkRead, nil
	}
	roots, scanning := sc.rootsLoaded, sc.scanning
	sc.rootsLoaded = nil
	sc.mu.Unlock()

	open := map[string]*document{} // by path, file URIs only
	docs := st.openDocs()
	isOpen := map[protocol.DocumentURI]bool{}
	for _, d := range docs {
		isOpen[d.uri] = true
		if _, ok := uriPath(d.uri); ok {
			open[d.path] = d
		}
	}
	for _, u := range work.cleared {
		if !isOpen[u] {
			sc.clear(u)
		} else {
			sc.reopened(u)
		}
	}

	changed := map[string]bool{}
	configChanged := false
	for _, p := range work.paths {
		changed[p] = true
		configChanged = configChanged || tree.IsConfig(p)
	}
	// A set the scan loaded: each of its files gets its diagnostics, and
	// an open buffer's text replaces the disk's.
	fromScan := map[string]bool{}
	for _, g := range loaded {
		sc.index.put(g)
		for _, p := range g.paths {
			fromScan[p] = true
			if open[p] != nil {
				changed[p] = true
			}
		}
	}
	for _, p := range sc.hold.release(roots, scanning) {
		changed[p] = true // its set is in, or the scan is over: published now
	}
	if rescan {
		configChanged = configChanged || sc.regroupAfterScan || sc.readElseThanTheWalk(walkRead) || sc.reconcile(changed)
		sc.regroupAfterScan = false
	}
	for _, p := range st.regroupIncluded(work.paths) {
		changed[p] = true // a loose file a module now reads with file()
	}
	var texts map[string][]byte
	if !configChanged {
		texts = map[string][]byte{}
		for p := range changed {
			if d := open[p]; d != nil {
				if !st.inSets(p) {
					continue // a file read alone (analyseOpenDocs), not one of a set: the folder's module set must not take it in
				}
				texts[p] = d.text
			} else if text, ok := st.text(p); ok {
				texts[p] = text
			} else {
				texts[p] = nil
			}
		}
		if moved := st.refreshIncluded(sc.index.configlessModules(texts)); len(moved) > 0 {
			// A file a module no config governs stops or starts reading (its
			// own edit, its caller's argument, the root's terraform.tfvars)
			// leaves the module's set to be read alone, or joins it: read as
			// after a config edit.
			for _, p := range moved {
				changed[p] = true
			}
			configChanged = true
		} else {
			configChanged = sc.index.regroups(texts) // a module call typed or taken out: read as after a config edit
		}
		sc.regroupAfterScan = sc.regroupAfterScan || scanning && !configChanged && sc.index.movesCalls(texts)
	}
	var dependants map[string]bool
	if configChanged {
		// The sets the scan hands over after this rebuild were read
		// before it, from texts it may have read mid-save.
		sc.regroupAfterScan = sc.regroupAfterScan || scanning
		sc.index.rebuild(st.folders, st.governedTexts())
		dependants = map[string]bool{}
		for _, p := range sc.index.allPaths() {
			dependants[p] = true
		}
	} else {
		update := trace.StartRegion(sc.s.ctx, "index update")
		dependants = sc.index.update(texts)
		update.End()
		for p := range fromScan {
			dependants[p] = true
		}
	}

	sc.analyseOpenDocs(docs, scanning, func(d *document) bool { return work.settings || configChanged || changed[d.path] },
		func(d *document) bool { return dependants[d.path] || due[d.path] })
	sc.back.Lock()
	for p := range changed {
		if open[p] == nil {
			sc.queue[p] = true
		}
	}
	for p := range dependants {
		if open[p] == nil {
			sc.queue[p] = true
		}
	}
	if rescan {
		// The configs the scan published, as its loader read them maybe
		// long before a change on disk that the back published since:
		// published again from the store's text (unparsed when the same).
		for _, p := range sc.configs.paths() {
			if open[p] == nil {
				sc.queue[p] = true
			}
		}
	}
	if work.closedStale {
		// Every closed file the client has diagnostics of, in the old
		// language or severities: the others are analysed under the new
		// settings when their turn comes.
		for _, p := range slices.Concat(sc.index.allPaths(), st.loosePaths(), sc.configs.paths()) {
			if open[p] == nil {
				sc.queue[p] = true
			}
		}
	}
	sc.lensDue = sc.lensDue || len(dependants) > 0 || configChanged
	sc.bulk = sc.bulk || configChanged || len(loaded) > 0 || work.closedStale
	sc.back.Unlock()
	if len(loaded) > 0 {
		sc.answerPrincipals(loaded)
		sc.warmChecks(loaded)
	}
	poke(sc.backKick)
}

// answerPrincipals answers, on every core, each principal of the sets the
// scan loaded, unless the client sends an event meanwhile: the closed
// files' analysis needs them all, and one closed file (a bucket policy
// asks for every principal) would answer them on one core while the
// others wait for it. So with each principal's index of where its causes
// lie (checks.PrepareCausesHere), which the first analysis of a policy
// that is no identity policy built for all of them in turn: at 10,000
// governed policies 70-90 ms of warmChecks on one core, the other waiting. The scan's own work that comes meanwhile (more
// sets, a root loaded, the scan's end) does not stop it: it came with
// these sets, in the same moment, and stopped it every time.
func (sc *scheduler) answerPrincipals(loaded []*govSet) {
	var principals []string
	var workspaces []*eval.Workspace
	for _, g := range loaded {
		if len(g.paths) == 0 {
			continue
		}
		now := sc.index.setOf(g.paths[0]) // the round may have replaced it
		if now == nil || now.ws == nil {
			continue
		}
		for _, p := range principalsOf(now.ws) {
			principals = append(principals, p)
			workspaces = append(workspaces, now.ws)
		}
	}
	sc.eachUntilEvent(len(principals), func(i int) {
		workspaces[i].Blocked(principals[i])
		prepareCausesHere(workspaces[i], principals[i])
	})
}

// prepareCausesHere builds the principal's index of where its causes lie
// ahead of the analyses that read it. A panic there drops it, as check's
// answerEveryPrincipal drops a failed answer: the round goes on (its
// warm analyses, the back's kick), and the analyses that ask for the
// index fail as they did when they built it, each file with its
// internal-error finding.
func prepareCausesHere(w *eval.Workspace, principal string) {
	defer func() { _ = recover() }()
	checks.PrepareCausesHere(w, principal)
}

// warmSetSize is the number of files from which a set the scan loaded
// has the first file of each kind analysed in the scan's round
// (warmChecks); in a smaller set a first analysis costs little more than
// the next.
const warmSetSize = 100

// warmChecks analyses and publishes, in the scan's round and on every
// core, the first file of each kind of the large sets the scan loaded
// (unless the client sends an event meanwhile; one no longer queued, open
// or taken by the back, is left to what took it): the first
// analysis of a bucket policy, or of an identity policy, builds what the
// checks derive from the whole set (the principals' indexes of causes,
// the buckets with a policy ...), 25 and 10 ms of CPU at 5,000 policies
// against about 1 ms for the next one. Left to the back, it was made
// beside the editor's first documents, or by their own analysis in the
// round that opens them, while the user began to type. It is the back's
// work done first: the files are taken off its queue.
func (sc *scheduler) warmChecks(loaded []*govSet) {
	var paths []string
	for _, g := range loaded {
		if len(g.paths) < warmSetSize {
			continue
		}
		if now := sc.index.setOf(g.paths[0]); now != nil {
			paths = append(paths, firstOfEachKind(now)...)
		}
	}
	sc.eachUntilEvent(len(paths), func(i int) { sc.publishTaken(paths[i]) })
}

// firstOfEachKind lists, in path order, the files of a set that hold the
// first document of a kind.
func firstOfEachKind(g *govSet) []string {
	seen := map[analysis.Kind]bool{}
	var out []string
	for _, p := range g.paths {
		first := false
		for _, d := range g.sources.get(p).Docs {
			first = first || !seen[d.Kind]
			seen[d.Kind] = true
		}
		if first {
			out = append(out, p)
		}
	}
	return out
}

// onEveryCore runs do(0) ... do(n-1) on every core, until one returns
// false.
//
// A panic in do stops the others and is raised again on the caller's
// goroutine, with the stack where it happened: there the caller's guard
// logs it, where on a goroutine of its own it would end the server.
func onEveryCore(n int, do func(i int) bool) {
	var next atomic.Int64
	var stop atomic.Bool
	var failed atomic.Pointer[workerPanic]
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					failed.CompareAndSwap(nil, &workerPanic{r, debug.Stack()})
					stop.Store(true)
				}
			}()
			for i := int(next.Add(1)) - 1; i < n && !stop.Load(); i = int(next.Add(1)) - 1 {
				if !do(i) {
					stop.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		panic(p)
	}
}

// workerPanic is a panic of one of onEveryCore's goroutines.
type workerPanic struct {
	value any
	stack []byte
}

func (p *workerPanic) String() string { return fmt.Sprintf("%v\n%s", p.value, p.stack) }

// eachUntilEvent runs do(0) ... do(n-1) on every core, and stops when
// the client sends an event: the event first (the analyses that need what
// is left make it).
func (sc *scheduler) eachUntilEvent(n int, do func(i int)) {
	onEveryCore(n, func(i int) bool {
		sc.mu.Lock()
		waiting := sc.pending.any()
		sc.mu.Unlock()
		if !waiting {
			do(i)
		}
		return !waiting
	})
}

// hasWorkLocked reports whether events or the scan left work for a round.
func (sc *scheduler) hasWorkLocked() bool {
	return sc.pending.any() || sc.rescan || len(sc.fromScan) > 0 || len(sc.rootsLoaded) > 0
}

// any reports whether the client's events touched anything.
func (a affected) any() bool {
	return len(a.paths) > 0 || len(a.cleared) > 0 || a.settings
}

// analyseOpenDocs analyses and publishes the open documents edited (or
// whose settings or config changed), then those that depend on what
// changed; once newer work is waiting, the dependants left are due in the
// next round, which takes the new edit first. While the user types they
// wait for the typing pause, as the closed files do: the next keystroke
// would find the front busy with them (an open bucket policy, 2-4 ms of
// a 15 ms round at 5,000 governed policies, in half the rounds), and
// each keystroke makes them due again.
func (sc *scheduler) analyseOpenDocs(docs []*document, scanning bool, edited, dependant func(*document) bool) {
	settings := sc.s.store.settings()
	var later []*document
	for _, d := range docs {
		switch {
		case edited(d):
			sc.analyseOpen(d, settings, scanning)
		case dependant(d):
			later = append(later, d)
		}
	}
	for i, d := range later {
		sc.mu.Lock()
		waiting := sc.hasWorkLocked()
		typing := time.Until(sc.typedAt.Add(sc.typingPause))
		if waiting || typing > 0 {
			for _, d := range later[i:] {
				sc.due[d.path] = true
			}
			if !waiting {
				sc.wakeFrontLocked(typing)
			}
		}
		sc.mu.Unlock()
		if waiting || typing > 0 {
			return
		}
		sc.analyseOpen(d, settings, scanning)
	}
}

// wakeFrontLocked has a round run after wait, for the dependants due
// when the typing pause ends; the front stays busy until then (the
// round leaves it busy while any is due), so the back waits for them.
func (sc *scheduler) wakeFrontLocked(wait time.Duration) {
	if sc.wake != nil {
		sc.wake.Reset(wait)
		return
	}
	sc.wake = time.AfterFunc(wait, func() {
		sc.mu.Lock()
		sc.frontBusyLocked()
		sc.mu.Unlock()
		poke(sc.kick)
	})
}

// analyseOpen analyses an open document and publishes it unless the
// client already has these findings for this version, or a newer one's,
// or the first scan has yet to load its set (scanHold).
func (sc *scheduler) analyseOpen(d *document, settings editorSettings, scanning bool) {
	defer trace.StartRegion(sc.s.ctx, "open document").End()
	if trace.IsEnabled() { // Logf's arguments are boxed before it looks
		trace.Logf(sc.s.ctx, "analyseOpen", "%s %d", d.uri, d.version)
	}
	var a *analysed
	_ = sc.s.guard("analysis of "+string(d.uri), func() error {
		if a = sc.sharedAnalysis(d, settings); a == nil {
			a = sc.s.analyse(d, settings)
		}
		return nil
	})
	sc.cacheMu.Lock()
	sc.cache[d.uri] = cached{d, a}
	close(sc.cacheChanged)
	sc.cacheChanged = make(chan struct{})
	sc.cacheMu.Unlock()
	if a == nil {
		return // the previous diagnostics stay
	}
	if scanning && sc.holdsBack(d) {
		return // the features read the analysis meanwhile
	}
	m := a.message(d.uri, d.version)
	defer m.release()
	sc.pubMu.Lock()
	defer sc.pubMu.Unlock()
	if last, ok := sc.openPub[d.uri]; ok && (last.version == d.version && last.hash == m.hash || last.version > d.version) {
		return
	}
	if sc.s.store.doc(d.uri) == nil {
		return // closed meanwhile: the next round clears it
	}
	sc.openPub[d.uri] = published{d.version, m.hash}
	delete(sc.closedHash, d.path)
	sc.s.send(m)
}

// holdsBack reports whether the first scan has yet to load the set of
// the open document's file (scanHold); an untitled buffer is in none.
func (sc *scheduler) holdsBack(d *document) bool {
	_, file := uriPath(d.uri)
	return file && sc.hold.holds(sc.s.store.folderOf(d.path), d.path)
}

// clear publishes [] for a document that was closed.
func (sc *scheduler) clear(u protocol.DocumentURI) {
	sc.cacheMu.Lock()
	delete(sc.cache, u)
	sc.cacheMu.Unlock()
	sc.pubMu.Lock()
	defer sc.pubMu.Unlock()
	delete(sc.openPub, u)
	if path, ok := uriPath(u); ok {
		// The client now has [] for the file, whatever it had before the
		// open: the back's analysis of it as a closed file must publish.
		delete(sc.closedHash, path)
	}
	sc.s.publish(u, 0, []protocol.Diagnostic{})
}

// reopened forgets what the client had for a document closed and opened
// again since the last round: a client may drop a document's diagnostics
// when it closes it (Neovim's :edit, reloading a buffer, does), so its
// analysis must be published even if unchanged.
func (sc *scheduler) reopened(u protocol.DocumentURI) {
	sc.pubMu.Lock()
	delete(sc.openPub, u)
	sc.pubMu.Unlock()
}

// drain analyses and publishes the queued closed files, then refreshes
// the code lenses when they may have changed. After a scan or a config
// change (bulk) it uses every core; otherwise one, leaving the others to
// the open documents. A file is taken off the queue only when its turn
// comes, so that a file queued again meanwhile is analysed once, with the
// set as it is then.
func (sc *scheduler) drain() {
	for {
		sc.back.Lock()
		paths := slices.Sorted(maps.Keys(sc.queue))
		bulk, refresh := sc.bulk, len(paths) == 0 && sc.lensDue
		sc.bulk = false
		if refresh {
			sc.lensDue = false
		}
		sc.back.Unlock()
		if len(paths) == 0 {
			if refresh {
				sc.s.refreshLenses()
			}
			return
		}
		workers := 1
		if bulk {
			workers = runtime.GOMAXPROCS(0)
		}
		started := time.Now()
		// The workers take the paths in order by a counter, not from a
		// goroutine that hands them out one by one: that goroutine waited
		// for a core behind the workers, and a worker that finished a file
		// waited for it (5,000 times in the 10,000 files of a first
		// scan's trace, 0.8 s runnable in 1.5 s of publishing).
		var next atomic.Int64
		var wg sync.WaitGroup
		for worker := range workers {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(paths); i = int(next.Add(1)) - 1 {
					sc.yieldToFront()
					sc.publishTaken(paths[i])
					// Once the user types, the bulk goes on in the
					// dependants' lane, one file at a time: a keystroke
					// finds at most one closed file in analysis.
					if worker > 0 && sc.typedSince(started) {
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

// publishTaken analyses and publishes a closed file if it is still
// queued, taking it off the queue.
func (sc *scheduler) publishTaken(path string) {
	if sc.take(path) {
		defer trace.StartRegion(sc.s.ctx, "closed file").End()
		_ = sc.s.guard("analysis of "+path, func() error { sc.publishClosedFile(path); return nil })
		sc.finished()
	}
}

// take removes a closed file from the queue, reporting whether it was
// there still; a file taken is in flight until finished.
func (sc *scheduler) take(path string) bool {
	sc.back.Lock()
	defer sc.back.Unlock()
	queued := sc.queue[path]
	delete(sc.queue, path)
	if queued {
		sc.inflight++
	}
	return queued
}

// finished records that the back is done with a file it took.
func (sc *scheduler) finished() {
	sc.back.Lock()
	defer sc.back.Unlock()
	sc.inflight--
	sc.analysed++
	// Its waiters want the end and a count every analyseEvery files:
	// woken for each file, awaitAnalysed was one more goroutine waiting
	// for a core beside the back's workers (3,000 wakes and 1.1 s
	// runnable in 1.5 s of publishing a first scan's 10,000 files).
	if sc.analysed%analyseEvery == 0 || len(sc.queue) == 0 && sc.inflight == 0 {
		close(sc.backDone)
		sc.backDone = make(chan struct{})
	}
}

// typedSince reports whether a didChange came after t.
func (sc *scheduler) typedSince(t time.Time) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.typedAt.After(t)
}

// analyseEvery is how many closed files the back analyses between two
// reports of awaitAnalysed.
const analyseEvery = 250

// awaitAnalysed waits, once the scan is done, until the front has taken
// in what the scan read and no closed file is queued or in analysis: then
// every file of the folders is diagnosed. While it waits it reports the
// files analysed since the call and that count plus those left, at the
// start and every analyseEvery files. A keystroke meanwhile makes it wait
// for the typing pause, in which the back goes on.
func (sc *scheduler) awaitAnalysed(report func(done, total int)) {
	sc.back.Lock()
	start := sc.analysed
	sc.back.Unlock()
	reported := -1
	for {
		sc.mu.Lock()
		idle := sc.frontIdle
		sc.mu.Unlock()
		select {
		case <-idle: // the round that takes the scan's sets in has queued their files
		case <-sc.s.ctx.Done():
			return
		}
		sc.back.Lock()
		done, left, next := sc.analysed-start, len(sc.queue)+sc.inflight, sc.backDone
		sc.back.Unlock()
		if left == 0 {
			return
		}
		if reported < 0 || done-reported >= analyseEvery {
			report(done, done+left)
			reported = done
		}
		select {
		case <-next:
		case <-sc.s.ctx.Done():
			return
		}
	}
}

// publishClosedFile analyses a closed file of the folders from the disk
// and publishes it when its findings changed; a file gone, or that holds
// no policy, has its diagnostics cleared if it had any.
func (sc *scheduler) publishClosedFile(path string) {
	st := sc.s.store
	if st.docByPath(path) != nil || st.folderOf(path) == "" {
		return
	}
	if tree.IsConfig(path) {
		sc.publishClosedConfig(path)
		return
	}
	if g := sc.index.setOf(path); g != nil && g.sources.get(path) != nil {
		sc.publishClosedFromSet(path, g)
		return
	}
	var a *analysed
	if st.isLoose(path) {
		if src := sc.s.readLoose(path); src != nil {
			a = sc.s.analyseSource(path, src.Text, src.Findings, src.Docs, st.settings())
		}
	}
	sc.publishClosedAnalysis(path, a)
}

// publishClosedFromSet analyses a closed file with the set g, the one
// the index held when the back took the file, and publishes it. When an
// edit replaced g meanwhile, the file is queued again, to be analysed
// with the set as it is then: the analysis may have answered on g's
// workspace a principal the edit's update saw unanswered, whose answer
// there no update compared, so the file may hold a cause of it that the
// edit removed, and be no dependant (govSet.with). It costs one more
// analysis of each closed file in progress when an edit comes.
func (sc *scheduler) publishClosedFromSet(path string, g *govSet) {
	settings := sc.s.store.settings()
	f := sc.beginFlight(path, g, settings)
	defer sc.endFlight(path, f) // after a panic too: the front may wait for it
	docs := g.bound(path)
	a := sc.s.analyseSource(path, g.sources.get(path).Text, g.sources.get(path).Findings, docs, settings)
	a.set = g
	f.a = a
	if sc.beforeClosedPublish != nil {
		sc.beforeClosedPublish(path)
	}
	sc.publishClosedAnalysis(path, a)
	// Asked after the publication, not before: an edit that replaces g
	// between the two queues the file, and another worker may analyse it
	// with the new set and publish first; this older analysis, published
	// after it, is then always followed by one more.
	if g.replaced.Load() {
		sc.back.Lock()
		sc.queue[path] = true
		sc.back.Unlock()
	}
	if !g.edited {
		// Published: its parts of the set's memos are built again if it
		// is analysed again. A set an edit made keeps them: the next
		// keystroke's dependants would build them again for every
		// principal, beside the typing.
		checks.ForgetDocuments(g.ws, docs)
	}
}

// publishClosedAnalysis publishes a closed file's analysis; nil, or one
// of a file that holds no policy, clears its diagnostics.
func (sc *scheduler) publishClosedAnalysis(path string, a *analysed) {
	if a == nil || !a.holdsPolicy() {
		sc.publishClosed(path, nil)
		return
	}
	sc.publishClosed(path, a)
}

// beginFlight records that the back analyses the file at path from set.
func (sc *scheduler) beginFlight(path string, set *govSet, settings editorSettings) *closedFlight {
	f := &closedFlight{set: set, settings: settings, done: make(chan struct{})}
	sc.flightMu.Lock()
	sc.flights[path] = f
	sc.flightMu.Unlock()
	return f
}

// endFlight records that the back's analysis f is over.
func (sc *scheduler) endFlight(path string, f *closedFlight) {
	sc.flightMu.Lock()
	if sc.flights[path] == f {
		delete(sc.flights, path)
	}
	sc.flightMu.Unlock()
	close(f.done)
}

// sharedAnalysis returns, for an open document, the back's analysis of
// its file when one is in progress with the set the index holds now, the
// document's very text and the same settings, once it is done; nil
// otherwise, an analysis already made included (the caller analyses). The first scan's back takes
// the files in order, so it is often analysing a file just as the editor
// opens it.
func (sc *scheduler) sharedAnalysis(d *document, settings editorSettings) *analysed {
	sc.flightMu.Lock()
	f := sc.flights[d.path]
	sc.flightMu.Unlock()
	if f == nil {
		return nil
	}
	g := sc.index.setOf(d.path)
	if g != f.set || g.sources.get(d.path) == nil || !bytes.Equal(g.sources.get(d.path).Text, d.text) || !sameSettings(settings, f.settings) {
		return nil
	}
	sc.flightMu.Lock()
	f.waiters++
	sc.flightMu.Unlock()
	select {
	case <-f.done:
	case <-sc.s.ctx.Done():
		return nil
	}
	if f.a == nil {
		return nil
	}
	b := f.a
	return &analysed{s: b.s, uri: d.uri, path: b.path, text: d.text, m: b.m, result: b.result, findings: b.findings, locale: b.locale, set: b.set}
}

// sameSettings reports whether two editor settings analyse alike.
func sameSettings(a, b editorSettings) bool {
	return a.Locale == b.Locale && maps.Equal(a.Severity, b.Severity) && slices.Equal(a.Disable, b.Disable)
}

// publishClosed sends the diagnostics of a closed file's analysis unless
// the client has them already; nil clears them, if the client has any.
func (sc *scheduler) publishClosed(path string, a *analysed) {
	var m diagnosticsMessage
	var related []string // the other files the diagnostics point into (for the cache)
	// Loaded once: the scan stores the cache after its first round trips,
	// and a record must carry the related files it was made with.
	cache := sc.s.cache.Load()
	if a != nil {
		// Outside the lock: the scan's readers and the back's workers
		// publish at once.
		m = a.message(uri.File(path), 0)
		defer m.release()
		if cache != nil { // only the cache keeps them
			related = a.relatedFiles()
		}
	}
	sc.pubMu.Lock()
	defer sc.pubMu.Unlock()
	if sc.s.store.docByPath(path) != nil {
		return // open: the front publishes it
	}
	last, had := sc.closedHash[path]
	if a == nil {
		if had {
			delete(sc.closedHash, path)
			sc.s.publish(uri.File(path), 0, []protocol.Diagnostic{})
		}
		return
	}
	if had && last == m.hash {
		return
	}
	sc.closedHash[path] = m.hash
	if cache != nil {
		cache.record(path, m, related)
	}
	sc.s.send(m)
}

// analysisOf returns the analysis of a version of an open document for
// the features: the front's, once it has made it, else (a newer version
// came, or the analysis failed) one made here from the document alone.
func (sc *scheduler) analysisOf(d *document) *analysed {
	for {
		sc.cacheMu.Lock()
		c, ok := sc.cache[d.uri]
		wait := sc.cacheChanged
		sc.cacheMu.Unlock()
		switch {
		case ok && c.doc.version == d.version && bytes.Equal(c.doc.text, d.text) && c.a != nil:
			return c.a
		case ok && c.doc.version >= d.version, sc.s.store.doc(d.uri) != d:
			return sc.s.analyse(d, sc.s.store.settings())
		}
		select {
		case <-wait:
		case <-sc.s.ctx.Done():
			return sc.s.analyse(d, sc.s.store.settings())
		}
	}
}

// loaded hands the scheduler a set the first scan read whole, with its
// config as the loader read it.
func (sc *scheduler) loaded(set *tree.Set, loader *tree.Loader) {
	g := scannedSet(set, loader)
	sc.mu.Lock()
	sc.frontBusyLocked()
	sc.fromScan = append(sc.fromScan, g)
	sc.mu.Unlock()
	poke(sc.kick)
}

// scannedSet keeps a set the first scan read whole, with its config as
// the loader read it, and the config of each child module it reads under
// one of its own: an edit reads the child again under that config, as
// the scan did.
func scannedSet(set *tree.Set, loader *tree.Loader) *govSet {
	return newGovSet(set, loader.SetConfigTexts(set.Dir))
}

// reconcile compares the sets the scan loaded with the texts the store
// has once the scan is over (a file changed, came or went while the scan
// read the folder; an open buffer) and marks in changed the files to
// read again. It reports whether the sets must be read again whole: a
// config changed, or a governed file is in no set.
func (sc *scheduler) reconcile(changed map[string]bool) (rebuild bool) {
	texts := sc.s.store.governedTexts()
	holder := map[string]*govSet{}
	configs := map[string]bool{}
	for _, g := range sc.index.all() {
		if g.configPath != "" {
			if text, ok := texts[g.configPath]; !ok || !bytes.Equal(text, g.configText) {
				return true
			}
			configs[g.configPath] = true
		}
		for _, p := range g.paths {
			holder[p] = g
			if _, ok := texts[p]; !ok {
				changed[p] = true // gone
			}
		}
	}
	for path, text := range texts {
		switch g := holder[path]; {
		case tree.IsConfig(path):
			if !configs[path] {
				return true
			}
		case g != nil:
			if !bytes.Equal(g.sources.get(path).Text, text) {
				changed[path] = true
			}
		case sc.index.setOf(path) == nil:
			return true
		default:
			changed[path] = true // new in a set
		}
	}
	return false
}

// readByWalk records the text of a module file as the scan's walk read
// it to decide the roots of the configs' folders below it
// (tree.Walker.Reached).
func (sc *scheduler) readByWalk(path string, text []byte) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.walkRead == nil {
		sc.walkRead = map[string][]byte{}
	}
	sc.walkRead[path] = text
}

// readElseThanTheWalk reports whether a module file the walk read to
// decide roots (walkRead) now calls or reads with file() what that text
// did not, or the reverse: the loader, reading it again, built sets from
// a text that may call a child the walk listed under a root of its own,
// so that the child was read alone, without its caller's inputs. The sets
// must be read again whole. A text that calls and reads the same (a
// value typed) leaves the walk's roots right: a module may reach only
// what it calls or reads (tree.Walk's calledFromAbove).
func (sc *scheduler) readElseThanTheWalk(walkRead map[string][]byte) bool {
	for path, read := range walkRead {
		now, ok := sc.s.store.text(path)
		if !ok || !bytes.Equal(now, read) && reachMoved(path, read, now) {
			return true
		}
	}
	return false
}

// scanStarted records that the first scan is on: open documents of the
// sets it has yet to load wait for them (scanHold).
func (sc *scheduler) scanStarted() {
	sc.mu.Lock()
	sc.scanning = true
	sc.mu.Unlock()
}

// rootLoaded records that the scan handed over every set under root.
func (sc *scheduler) rootLoaded(root string) {
	sc.mu.Lock()
	sc.frontBusyLocked()
	sc.rootsLoaded = append(sc.rootsLoaded, root)
	sc.mu.Unlock()
	poke(sc.kick)
}

// scanDone has the sets checked against the store once the scan is over,
// and the documents still held back published.
func (sc *scheduler) scanDone() {
	sc.mu.Lock()
	sc.frontBusyLocked()
	sc.rescan = true
	sc.scanning = false
	sc.mu.Unlock()
	poke(sc.kick)
}
