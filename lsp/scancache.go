package lsp

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The first scan's use of the diagnostics cache (diskcache.go). When the
// scan has read every file under a set root (a .s3policy.json's folder, a
// Terraform module's), the root's key is the hash of the build, the
// settings that change the output, the root, and the path, size and
// SHA-256 of each file read under it and of each file left out; an entry
// with that key is published at once, before the root's sets reach the
// scheduler, unless an open document under the root differs from the
// disk. The scan then goes on as without it (the index and the engine
// need their state for edits): the back analyses every file, and
// publishes only what differs from what the client has (closedHash).
// What the back publishes for the closed files during the first scan is
// recorded in a spool file; once the scan is over, with no edit, save,
// file changed on disk or change of settings meanwhile, each root's
// entry is written from it, and the entries of earlier scans of the
// workspace are removed.

// scanCache is the first scan's use of the cache; nil when it is off.
type scanCache struct {
	s     *Server
	disk  *diskCache
	build []byte         // the build's identity: binary, version, checks
	start editorSettings // the settings when the scan began
	// dirty: an edit, a save, a file changed on disk or other settings
	// came during the scan; no entry is written.
	dirty atomic.Bool

	mu    sync.Mutex
	files map[string]map[string]fileDigest // by root, by path: what the scan read
	loose map[string]looseRead             // by path: the files read alone
	left  []string                         // files the walk left out, with why
	roots map[string]*scannedRoot          // by root: the roots the scan completed

	// Under the scheduler's pubMu: the closed files' publications.
	spool   *os.File
	spoolW  *bufio.Writer
	spoolAt int64
	records map[string]spooled // by path: its last publication

	// The files no root holds, each analysed alone: one entry for the
	// workspace, of each file's digest and diagnostics (nil: none).
	looseKey cacheKey
	looseOld *looseStream // the entry the last scan wrote; nil: none
}

// looseRead is a file the scan read alone: its digest, and whether its
// diagnostics came from the cache (old, without its params: they are
// copied from the old entry's file into the next).
type looseRead struct {
	fileDigest
	hit bool
	old looseEntry
}

// looseEntry is a file of the loose entry: the digest of the text its
// params were made of, and their hash; nil params: it holds no policy,
// nothing was published. at and size place the params in the entry's
// file.
type looseEntry struct {
	sum      [sha256.Size]byte
	hash     uint64
	params   []byte
	at, size int64
}

// fileDigest is a file as the scan read it.
type fileDigest struct {
	size int
	sum  [sha256.Size]byte
}

// scannedRoot is a root the scan read whole.
type scannedRoot struct {
	key  cacheKey
	hits map[string]uint64 // path → hash of what the cache published; nil: a miss
	skip string            // why no entry of it may be written, "" if it may
}

// spooled is a closed file's last publication, in the spool.
type spooled struct {
	at, size int64
	hash     uint64
	related  []string // the other files its diagnostics point into
}

// newScanCache prepares the first scan's use of the cache, or returns nil
// when the cache is off or cannot be used (logged).
func (s *Server) newScanCache() *scanCache {
	if s.opts.CacheDir == "" || s.opts.BinaryID == nil {
		return nil
	}
	id := s.opts.BinaryID()
	if id == "" {
		s.logf("diagnostics cache off: the binary cannot be identified")
		return nil
	}
	c := &scanCache{s: s, disk: newDiskCache(s.opts.CacheDir, s.store.folders), start: s.store.settings(), loose: map[string]looseRead{},
		files: map[string]map[string]fileDigest{}, roots: map[string]*scannedRoot{}, records: map[string]spooled{}}
	h := sha256.New()
	writeField(h, []byte(id))
	writeField(h, []byte(s.opts.Version))
	for _, ch := range s.opts.Checks {
		writeField(h, []byte(ch.Code))
	}
	c.build = h.Sum(nil)
	c.readLoose()
	if err := os.MkdirAll(c.disk.dir, 0o700); err != nil {
		s.logf("diagnostics cache: %v; nothing is kept for the next start", err)
		return c
	}
	spool, err := os.CreateTemp(c.disk.dir, "spool-*.tmp")
	if err != nil {
		s.logf("diagnostics cache: %v; nothing is kept for the next start", err)
		return c
	}
	c.spool, c.spoolW = spool, bufio.NewWriterSize(spool, 256<<10)
	return c
}

// read records a file the scan read under root (not for a file read
// alone).
func (c *scanCache) read(root, path string, text []byte) {
	d := fileDigest{size: len(text), sum: sha256.Sum256(text)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files[root] == nil {
		c.files[root] = map[string]fileDigest{}
	}
	c.files[root][path] = d
}

// leftOut records a file the walk left out: were it read, the sets of
// the roots above it could differ. The walk reports it before it is done
// with any root above it.
func (c *scanCache) leftOut(path, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.left = append(c.left, path+"\x00"+why)
}

// leftUnder lists the files left out under root (a nested root's too:
// one more miss at worst), with why.
func (c *scanCache) leftUnder(root string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, l := range c.left {
		if path, _, _ := strings.Cut(l, "\x00"); tree.Within(path, root) {
			out = append(out, l)
		}
	}
	return out
}

// key is the hash of every input of the diagnostics of the files under
// root, as the scan read them.
func (c *scanCache) key(folder, root string, files map[string]fileDigest, left []string, settings editorSettings, clientLocale string) cacheKey {
	h := c.keyHash(settings, clientLocale)
	writeField(h, []byte(folder))
	writeField(h, []byte(root))
	for _, path := range slices.Sorted(maps.Keys(files)) {
		d := files[path]
		writeField(h, []byte(path))
		writeField(h, []byte(strconv.Itoa(d.size)))
		writeField(h, d.sum[:])
	}
	writeField(h, []byte("left out"))
	for _, l := range slices.Sorted(slices.Values(left)) {
		writeField(h, []byte(l))
	}
	var k cacheKey
	h.Sum(k[:0])
	return k
}

// keyHash starts a key with the build and what of the settings and the
// client changes the diagnostics.
func (c *scanCache) keyHash(settings editorSettings, clientLocale string) hash.Hash {
	h := sha256.New()
	writeField(h, c.build)
	writeField(h, []byte(clientLocale))
	writeField(h, []byte(settings.Locale))
	for _, code := range slices.Sorted(maps.Keys(settings.Severity)) {
		writeField(h, []byte(code+"="+strconv.Itoa(int(settings.Severity[code]))))
	}
	writeField(h, []byte("disable"))
	for _, code := range settings.Disable {
		writeField(h, []byte(code))
	}
	return h
}

// rootRead is called when the scan has read every file under root, before
// its sets reach the scheduler: it publishes the root's entry when there
// is one.
func (c *scanCache) rootRead(folder, root string) {
	s := c.s
	c.mu.Lock()
	files := c.files[root]
	c.mu.Unlock()
	left := c.leftUnder(root)
	r := &scannedRoot{key: c.key(folder, root, files, left, s.store.settings(), s.client().locale)}
	c.mu.Lock()
	c.roots[root] = r
	c.mu.Unlock()
	if why := c.rootDiffers(root, files); why != "" {
		r.skip = why
		s.logf("diagnostics cache: %s not published from the cache: %s", root, why)
		return
	}
	entry, err := c.disk.read(r.key)
	if errors.Is(err, errNoEntry) {
		return
	}
	if err != nil {
		s.logf("diagnostics cache: %s: a miss: %v", root, err)
		return
	}
	r.hits = make(map[string]uint64, len(entry))
	sent := 0
	for _, f := range entry {
		if _, ok := files[f.path]; !ok {
			continue // cannot be: the key holds every path
		}
		var ok bool
		if r.hits[f.path], ok = s.sched.publishCached(f.path, f.params, f.hash); ok {
			sent++
		}
	}
	s.logf("diagnostics cache: published %d files of %s from the cache, before analysing them", sent, root)
}

// openDiffers says which open document of the files the scan read is not
// the text it read, or is open under a URI its path does not give
// (diagnostics that point into it name its URI); "" when none.
func openDiffers(st *store, files map[string]fileDigest) string {
	for _, d := range st.openDocs() {
		f, ok := files[d.path]
		if !ok {
			continue
		}
		if d.uri != uri.File(d.path) || len(d.text) != f.size || sha256.Sum256(d.text) != f.sum {
			return d.path + " is open with other text than on disk"
		}
	}
	return ""
}

// rootDiffers says why the sets of root do not read what its key is made
// of (files, read from disk): an open document of files has other text
// (openDiffers), or one the scan did not read is open under root (a
// restored unsaved editor, a file deleted since): the sets read every
// open buffer under their root, and its findings change the other
// files'. A document under a nested root is that root's; a nested root
// not read yet makes a miss, never a stale hit.
func (c *scanCache) rootDiffers(root string, files map[string]fileDigest) string {
	if why := openDiffers(c.s.store, files); why != "" {
		return why
	}
	for _, d := range c.s.store.openDocs() {
		if _, read := files[d.path]; read || !tree.Within(d.path, root) || c.nestedRootHolds(root, d.path) || !c.s.store.inSets(d.path) {
			continue
		}
		return d.path + " is open and was not read from disk"
	}
	return ""
}

// nestedRootHolds reports whether a root the scan has read files of,
// below root, holds path.
func (c *scanCache) nestedRootHolds(root, path string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for other := range c.files {
		if other != root && tree.Within(other, root) && tree.Within(path, other) {
			return true
		}
	}
	return false
}

// noteEvent marks the scan dirty on an event after which what it
// published is not what the disk makes: an edit, a save, a file changed
// on disk, other settings. Opening and closing a document is checked
// root by root when the entries are written.
func (c *scanCache) noteEvent(kind eventKind, settings editorSettings) {
	switch kind {
	case changed, saved, onDisk:
		c.dirty.Store(true)
	case settingsSent:
		if !sameSettings(settings, c.start) {
			c.dirty.Store(true)
		}
	}
}

// record spools a closed file's publication; under pubMu.
func (c *scanCache) record(path string, m diagnosticsMessage, related []string) {
	if c.spoolW == nil {
		return
	}
	if _, err := c.spoolW.Write(m.params); err != nil {
		c.s.logf("diagnostics cache: %v; nothing is kept for the next start", err)
		c.spoolW = nil
		return
	}
	c.records[path] = spooled{at: c.spoolAt, size: int64(len(m.params)), hash: m.hash, related: related}
	c.spoolAt += int64(len(m.params))
}

// publishCached publishes a closed file's diagnostics from the cache
// unless it is open or the client has them, and returns their hash and
// whether it sent them.
func (sc *scheduler) publishCached(path string, params []byte, hash uint64) (uint64, bool) {
	m := framedParams(params, hash)
	defer m.release()
	sc.pubMu.Lock()
	defer sc.pubMu.Unlock()
	if sc.s.store.docByPath(path) != nil {
		return m.hash, false // open: the front publishes it
	}
	if last, had := sc.closedHash[path]; had && last == m.hash {
		return m.hash, false
	}
	sc.closedHash[path] = m.hash
	if c := sc.s.cache.Load(); c != nil {
		c.record(path, m, nil) // the entry was checked for its related files
	}
	sc.s.send(m)
	return m.hash, true
}

// scanSettled reports whether the scheduler has nothing left to do: what
// the client has is what the events so far make.
func (sc *scheduler) scanSettled() bool {
	sc.mu.Lock()
	idle := sc.frontIdle
	front := !sc.hasWorkLocked() && len(sc.due) == 0
	sc.mu.Unlock()
	select {
	case <-idle:
	default:
		front = false
	}
	sc.back.Lock()
	defer sc.back.Unlock()
	return front && len(sc.queue) == 0 && sc.inflight == 0
}

// keep writes, once the first scan is over and its files are published,
// the entry of each root whose published diagnostics are what the disk
// makes, and removes the workspace's other entries.
func (c *scanCache) keep() {
	s := c.s
	defer c.closeSpool()
	for !s.sched.scanSettled() {
		if s.ctx.Err() != nil {
			return
		}
		s.sched.awaitAnalysed(func(int, int) {})
	}
	s.sched.pubMu.Lock()
	hashes := maps.Clone(s.sched.closedHash)
	records, spooled := c.records, c.spoolW != nil
	var flushed error
	if spooled {
		flushed = c.spoolW.Flush()
	}
	c.spoolW = nil // nothing more is recorded
	s.sched.pubMu.Unlock()
	switch {
	case c.dirty.Load() || !sameSettings(s.store.settings(), c.start):
		s.logf("diagnostics cache: files changed during the first scan: nothing kept for the next start")
		return
	case !spooled:
		s.logf("diagnostics cache: the spool could not be written: nothing kept for the next start")
		return
	case flushed != nil:
		s.logf("diagnostics cache: %v; nothing kept for the next start", flushed)
		return
	}
	c.mu.Lock()
	roots := maps.Clone(c.roots)
	c.mu.Unlock()
	keep := map[cacheKey]bool{}
	wrote, kept, files := 0, 0, 0
	for _, root := range slices.Sorted(maps.Keys(roots)) {
		r := roots[root]
		c.mu.Lock()
		digests := c.files[root]
		c.mu.Unlock()
		if r.skip != "" {
			continue
		}
		if why := c.rootDiffers(root, digests); why != "" {
			s.logf("diagnostics cache: %s not kept: %s", root, why)
			continue
		}
		if r.hits != nil && sameHashes(s.store, r.hits, hashes, digests) {
			keep[r.key] = true
			kept++
			continue
		}
		entry, why := c.entryOf(digests, hashes, records)
		if why != "" {
			s.logf("diagnostics cache: %s not kept: %s", root, why)
			continue
		}
		if err := c.disk.write(r.key, entry); err != nil {
			s.logf("diagnostics cache: %s not kept: %v", root, err)
			continue
		}
		keep[r.key] = true
		wrote++
		files += len(entry)
	}
	alone := c.looseEntryFiles(hashes, records)
	if len(alone) > 0 {
		if err := c.disk.write(c.looseKey, alone); err != nil {
			s.logf("diagnostics cache: the files read alone not kept: %v", err)
			alone = nil
		} else {
			keep[c.looseKey] = true
		}
	}
	if err := c.disk.keepOnly(keep); err != nil {
		s.logf("diagnostics cache: %v", err)
	}
	s.logf("diagnostics cache: kept %d roots unchanged and wrote %d (%d files), and %d files read alone (%d came from the cache), in %s", kept, wrote, files, len(alone), c.looseHits(), c.disk.dir)
}

// sameHashes reports whether the client has for each closed file under a
// root exactly what the cache published (an open file's entry was made of
// its disk text, which openDiffers found it has).
func sameHashes(st *store, hits, hashes map[string]uint64, digests map[string]fileDigest) bool {
	for path := range digests {
		if st.docByPath(path) != nil {
			continue
		}
		h, had := hashes[path]
		hit, ok := hits[path]
		if had != ok || h != hit {
			return false
		}
	}
	return true
}

// entryOf lists the entry of a root: the last publication of each of its
// closed files, which must be what the client has, and point into no
// file outside the root; why says why there is none.
func (c *scanCache) entryOf(digests map[string]fileDigest, hashes map[string]uint64, records map[string]spooled) (entry []entryFile, why string) {
	for _, path := range slices.Sorted(maps.Keys(digests)) {
		h, had := hashes[path]
		if !had {
			continue // holds no policy, or open
		}
		rec, ok := records[path]
		if !ok || rec.hash != h {
			return nil, path + ": its publication was not recorded"
		}
		for _, other := range rec.related {
			if _, ok := digests[other]; !ok {
				return nil, fmt.Sprintf("%s: its diagnostics point into %s, outside the root", path, other)
			}
		}
		entry = append(entry, entryFile{path: path, hash: rec.hash, size: rec.size, body: io.NewSectionReader(c.spool, rec.at, rec.size)})
	}
	return entry, ""
}

// scanOver is told when the scan has read every file: the loose entry's
// stream ends.
func (c *scanCache) scanOver() {
	if c.looseOld != nil {
		c.looseOld.stop()
	}
}

// closeSpool removes the spool, and closes the last loose entry.
func (c *scanCache) closeSpool() {
	c.s.sched.pubMu.Lock()
	c.spoolW = nil
	c.records = nil
	c.s.sched.pubMu.Unlock()
	if c.spool != nil {
		_ = c.spool.Close()
		_ = os.Remove(c.spool.Name())
	}
	if c.looseOld != nil {
		c.looseOld.entry.close()
	}
}

// readLoose opens the loose entry of the workspace, made under the
// settings the scan begins with, and reads it on a goroutine of its own
// as the scan reads the files (looseStream).
func (c *scanCache) readLoose() {
	h := c.keyHash(c.start, c.s.client().locale)
	writeField(h, []byte("files read alone"))
	for _, f := range c.s.store.folders {
		writeField(h, []byte(f))
	}
	h.Sum(c.looseKey[:0])
	entry, err := c.disk.open(c.looseKey)
	if errors.Is(err, errNoEntry) {
		return
	}
	if err != nil {
		c.s.logf("diagnostics cache: the files read alone: a miss: %v", err)
		return
	}
	c.looseOld = streamLoose(entry, c.s.logf)
}

// looseStream is the loose entry the last scan wrote, read on a goroutine
// of its own while the scan reads the files: the entry is in path order,
// the walk's nearly so, and a file's entry is taken when the scan reads
// the file. The stream reads at most looseAhead files ahead of what is
// taken, unless a reader waits for a file further on: the first files of
// a large ungoverned tree are published from the cache before the entry
// is read whole, and the memory does not hold it whole.
type looseStream struct {
	entry *entryReader

	mu      sync.Mutex
	moved   *sync.Cond            // on mu: a file read, a reader waiting, the end
	ahead   map[string]looseEntry // read and not taken
	last    string                // the path of the last file read
	over    bool                  // every file is read, the entry failed, or the scan is over
	waiting int                   // readers waiting for a file not read yet
}

// streamLoose starts reading the loose entry, telling logf why it stops
// short of its end.
func streamLoose(entry *entryReader, logf func(string, ...any)) *looseStream {
	ls := &looseStream{entry: entry, ahead: map[string]looseEntry{}}
	ls.moved = sync.NewCond(&ls.mu)
	go ls.run(logf)
	return ls
}

// looseAhead is how many files the stream reads ahead of the scan's
// readers when none waits.
const looseAhead = 1024

// run reads the entry until its end, a fault or stop, looseBatch files
// at a time: the readers waiting are woken once a batch.
func (ls *looseStream) run(logf func(string, ...any)) {
	type read struct {
		path string
		e    looseEntry
	}
	batch := make([]read, 0, looseBatch)
	for {
		ls.mu.Lock()
		for len(ls.ahead) >= looseAhead && ls.waiting == 0 && !ls.over {
			ls.moved.Wait()
		}
		over := ls.over
		ls.mu.Unlock()
		if over {
			return
		}
		var err error
		for batch = batch[:0]; len(batch) < looseBatch && err == nil; {
			var f cachedFile
			var at int64
			if f, at, err = ls.entry.next(); err == nil {
				var e looseEntry
				if e, err = looseEntryOf(f, at); err == nil {
					batch = append(batch, read{f.path, e})
				} else {
					err = ls.entry.corrupt(err)
				}
			}
		}
		if err != nil && err != io.EOF {
			logf("diagnostics cache: the files read alone: a miss from here on: %v", err)
		}
		ls.mu.Lock()
		if !ls.over {
			for _, r := range batch {
				ls.ahead[r.path], ls.last = r.e, r.path
			}
			ls.over = err != nil
		}
		ls.moved.Broadcast()
		ls.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// looseBatch is how many files the stream reads between two wakes of the
// readers waiting.
const looseBatch = 64

// looseEntryOf is a file of the loose entry as the stream read it, its
// params at the offset at: the digest of its text, then its params, which
// must be what their hash says (the entry's checksum is checked at its
// end, after they are published).
func looseEntryOf(f cachedFile, at int64) (looseEntry, error) {
	if len(f.params) < sha256.Size {
		return looseEntry{}, fmt.Errorf("%s has no digest", f.path)
	}
	e := looseEntry{sum: [sha256.Size]byte(f.params[:sha256.Size]), hash: f.hash, at: at + sha256.Size}
	if len(f.params) > sha256.Size {
		e.params, e.size = f.params[sha256.Size:], int64(len(f.params)-sha256.Size)
		if paramsHash(e.params) != f.hash {
			return looseEntry{}, fmt.Errorf("%s: its diagnostics are not what their hash says", f.path)
		}
	}
	return e, nil
}

// take returns the entry of path once the stream has read past it; ok is
// false when the entry has none.
func (ls *looseStream) take(path string) (e looseEntry, ok bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for !ls.over && ls.last < path {
		ls.waiting++
		ls.moved.Broadcast()
		ls.moved.Wait()
		ls.waiting--
	}
	e, ok = ls.ahead[path]
	delete(ls.ahead, path)
	return e, ok
}

// stop ends the stream once the scan has read every file: what it has
// not read is no file's.
func (ls *looseStream) stop() {
	ls.mu.Lock()
	ls.over = true
	ls.ahead = nil
	ls.moved.Broadcast()
	ls.mu.Unlock()
}

// readAlone records a file the scan read alone and publishes its
// diagnostics from the cache when it has them for this very text: it
// reports whether it did (the file need not be analysed then).
func (c *scanCache) readAlone(path string, text []byte) (hit bool) {
	d := fileDigest{size: len(text), sum: sha256.Sum256(text)}
	var e looseEntry
	ok := false
	if c.looseOld != nil {
		e, ok = c.looseOld.take(path)
	}
	// Settings changed since the scan began: the entry is not theirs.
	hit = ok && e.sum == d.sum && sameSettings(c.s.store.settings(), c.start) && openDiffers(c.s.store, map[string]fileDigest{path: d}) == ""
	if hit && e.params != nil {
		c.s.sched.publishCached(path, e.params, e.hash)
	}
	read := looseRead{fileDigest: d, hit: hit}
	if hit {
		read.old, read.old.params = e, nil
	}
	c.mu.Lock()
	c.loose[path] = read
	c.mu.Unlock()
	return hit
}

// looseEntryFiles lists the loose entry: each file read alone and closed
// now, with the digest of the text read and its diagnostics (those of the
// cache when they came from it, else its last publication, which must be
// what the client has and point into no other file; none when it holds no
// policy).
func (c *scanCache) looseEntryFiles(hashes map[string]uint64, records map[string]spooled) []entryFile {
	c.mu.Lock()
	loose := maps.Clone(c.loose)
	c.mu.Unlock()
	var entry []entryFile
	for _, path := range slices.Sorted(maps.Keys(loose)) {
		r := loose[path]
		if c.s.store.docByPath(path) != nil {
			continue
		}
		f := entryFile{path: path, size: sha256.Size}
		h, had := hashes[path]
		switch rec, ok := records[path]; {
		case r.hit:
			f.hash = r.old.hash
			f.size += r.old.size
			f.body = io.MultiReader(bytes.NewReader(r.sum[:]), io.NewSectionReader(c.looseOld.entry.f, r.old.at, r.old.size))
		case !had:
			f.body = bytes.NewReader(r.sum[:])
		case ok && rec.hash == h && len(rec.related) == 0:
			f.hash = rec.hash
			f.size += rec.size
			f.body = io.MultiReader(bytes.NewReader(r.sum[:]), io.NewSectionReader(c.spool, rec.at, rec.size))
		default:
			continue
		}
		entry = append(entry, f)
	}
	return entry
}

// looseHits counts the files read alone whose diagnostics came from the
// cache.
func (c *scanCache) looseHits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.loose {
		if r.hit {
			n++
		}
	}
	return n
}
