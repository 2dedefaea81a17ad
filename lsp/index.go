package lsp

import (
	"bytes"
	"cmp"
	"fmt"
	"iter"
	"maps"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// The dependency index: the sets a .s3policy.json governs, kept parsed
// between edits, with the engine's record of which statements each
// evaluation read (eval.ReadSet). An edit re-reads
// the files that changed only, builds the set's workspace again from the
// documents it already has, takes over the answers of every principal
// none of whose inputs changed (eval.Workspace.Reuse), and names the
// documents whose findings can change: the identity policies of the
// principals it had to evaluate again. The scheduler updates it; any
// goroutine may read a set, which is never changed once built.
type index struct {
	mu   sync.Mutex
	sets map[string]*govSet // by root: the folder of its .s3policy.json
	// logPanic, when set, is told of a panic in an update (withOrAfresh).
	logPanic func(msg string)
}

// govSet is one set of files analysed together (those a .s3policy.json
// governs, or a Terraform module's), as of one version of its files.
type govSet struct {
	root       string
	configPath string // "" for a module no config governs
	configText []byte
	cfg        *analysis.Config
	// childConfigs are the other configs some of its documents were read
	// under, by path: a child module in a folder with a .s3policy.json of
	// its own is read with its caller, under its own config, and an edit
	// of the caller reads it again so, as a fresh scan does.
	childConfigs map[string]readConfig
	sources      sourceMap // by path, as the reader gave them
	paths        []string  // sorted
	// ws holds the documents of sources, shared with the sets of the
	// edits before and after (only the edited files' documents are new);
	// none of them is bound to ws: bound returns a file's documents bound
	// to it, for the checks.
	ws *eval.Workspace
	// replaced is set by with before it looks at which principals ws has
	// answered: an analysis with this set that ends after it may have
	// answered a principal with saw unanswered, and with names as
	// dependants only the files of the causes of the answers it sees
	// (the back analyses such a file again: publishClosedFromSet). rebuild
	// and put set it on the sets they drop.
	replaced atomic.Bool
	// edited: with made the set from the one before an edit; its
	// workspace shares that one's memos, which the next keystrokes'
	// dependants read again (publishClosedFromSet forgets no part of them).
	edited bool
	// related are the files the findings of its files relate to, by
	// path (relatedPath).
	relatedMu sync.Mutex
	related   map[string]relatedFile
}

// sourceMap is a set's files by path. The set of a keystroke shares the
// base map of the set before it and copies only the files edited since
// that base was made: copying a map of 5,000 files on every keystroke
// was a fifth of the bytes an index update allocated.
type sourceMap struct {
	base map[string]*tree.Source // written only while the set is made
	// edited are the files edited since base was made (nil: gone), at
	// most maxEdited, copied by each edit.
	edited map[string]*tree.Source
	// modules lists the paths of the files each module reads, by its
	// folder (tree.Source.Module): a keystroke in one of them reads them
	// again (reread), and finding them among every file of the set took
	// a fifth of such a keystroke at 5,000 governed policies.
	modules map[string][]string
}

// maxEdited is how many edited files a sourceMap holds beside its base:
// an edit past it makes a new base.
const maxEdited = 64

func newSourceMap() sourceMap { return sourceMap{base: map[string]*tree.Source{}} }

// get returns the file at path, or nil.
func (m sourceMap) get(path string) *tree.Source {
	if src, ok := m.edited[path]; ok {
		return src
	}
	return m.base[path]
}

// all yields every file, by path, in no order.
func (m sourceMap) all() iter.Seq2[string, *tree.Source] {
	return func(yield func(string, *tree.Source) bool) {
		for path, src := range m.base {
			if _, edited := m.edited[path]; !edited && !yield(path, src) {
				return
			}
		}
		for path, src := range m.edited {
			if src != nil && !yield(path, src) {
				return
			}
		}
	}
}

// indexModules lists the files of each module (modules), once every
// file is in base.
func (m *sourceMap) indexModules() {
	m.modules = map[string][]string{}
	for path, src := range m.all() {
		if src.Module != "" {
			m.modules[src.Module] = append(m.modules[src.Module], path)
		}
	}
}

// paths yields the path of every file, in no order.
func (m sourceMap) paths() iter.Seq[string] {
	return func(yield func(string) bool) {
		for path := range m.all() {
			if !yield(path) {
				return
			}
		}
	}
}

// with returns the files after changes (nil: gone); m stays as it is.
func (m sourceMap) with(changes map[string]*tree.Source) sourceMap {
	var next sourceMap
	if len(m.edited)+len(changes) > maxEdited {
		base := maps.Collect(m.all())
		for path, src := range changes {
			if src == nil {
				delete(base, path)
			} else {
				base[path] = src
			}
		}
		next = sourceMap{base: base}
	} else {
		edited := make(map[string]*tree.Source, len(m.edited)+len(changes))
		maps.Copy(edited, m.edited)
		maps.Copy(edited, changes)
		next = sourceMap{base: m.base, edited: edited}
	}
	moduleOf := func(src *tree.Source) string {
		if src == nil {
			return ""
		}
		return src.Module
	}
	for path, src := range changes {
		if moduleOf(m.get(path)) != moduleOf(src) {
			next.indexModules() // a module's file came, went or moved
			return next
		}
	}
	next.modules = m.modules // read-only once made
	return next
}

func newIndex() *index { return &index{sets: map[string]*govSet{}} }

// newLoggedIndex is newIndex telling log of a panic in an update.
func newLoggedIndex(log func(msg string)) *index {
	ix := newIndex()
	ix.logPanic = log
	return ix
}

// rebuild reads every governed set again from texts (configs included):
// after a config changed, and at the end of the scan.
func (ix *index) rebuild(folders []string, texts map[string][]byte) {
	sets := map[string]*govSet{}
	for _, folder := range folders {
		mine := map[string][]byte{}
		for path, text := range texts {
			if folderOf(folders, path) == folder {
				mine[path] = text
			}
		}
		for _, g := range ix.readSets(folder, mine) {
			sets[g.root] = g
		}
	}
	ix.mu.Lock()
	old := ix.sets
	ix.sets = sets
	ix.mu.Unlock()
	for _, g := range old {
		g.replaced.Store(true) // an analysis in flight on it is made again (publishClosedFromSet)
	}
}

// readSets reads the sets of folder from texts (its files, configs
// included) as the scan does (tree.Sets). When that panics (a reader's
// bug on some file's text), each config's files are read as one set at
// its folder, and the files no config governs as one at folder
// (readAgain: file by file where that panics too), so that the index
// still holds every file: a module no config governs stays in folder's
// set, as afresh keeps a set's files, until the next rebuild.
func (ix *index) readSets(folder string, texts map[string][]byte) []*govSet {
	var sets []*govSet
	if survived(ix.logPanic, "reading the sets of "+folder+", read config by config", func() {
		for _, s := range tree.Sets(folder, texts) {
			sets = append(sets, newGovSet(s, texts))
		}
	}) {
		return sets
	}
	roots := []string{folder}
	for path := range texts {
		if tree.IsConfig(path) {
			roots = append(roots, filepath.Dir(path))
		}
	}
	files := map[string]map[string][]byte{} // by root
	for _, root := range roots {
		if root != folder {
			files[root] = map[string][]byte{} // a config's set, even of no file
		}
	}
	for path, text := range texts {
		if !tree.IsConfig(path) {
			root := folderOf(roots, path)
			if files[root] == nil {
				files[root] = map[string][]byte{}
			}
			files[root][path] = text
		}
	}
	sets = nil
	for root, mine := range files {
		g := &govSet{root: root}
		if configPath := filepath.Join(root, analysis.ConfigName); texts[configPath] != nil {
			g.configPath, g.configText = configPath, texts[configPath]
			g.cfg, _ = analysis.ParseConfig(root, g.configText)
		}
		sets = append(sets, g.readAgain(mine, ix.logPanic))
	}
	return sets
}

// newGovSet keeps a set read whole; texts holds the texts of the configs
// its files were read under.
func newGovSet(s *tree.Set, texts map[string][]byte) *govSet {
	g := &govSet{root: s.Dir, sources: newSourceMap(), ws: s.Workspace}
	sources := s.Sources()
	configPath := filepath.Join(s.Dir, analysis.ConfigName)
	read := readUnder(sources)
	if text, governed := texts[configPath]; governed {
		g.configPath, g.configText = configPath, text
		if g.cfg = read[configPath]; g.cfg == nil {
			g.cfg, _ = analysis.ParseConfig(s.Dir, text)
		}
	}
	for path, cfg := range read {
		if text, ok := texts[path]; ok && path != configPath {
			if g.childConfigs == nil {
				g.childConfigs = map[string]readConfig{}
			}
			g.childConfigs[path] = readConfig{text, cfg}
		}
	}
	for _, src := range sources {
		unbind(src)
		g.sources.base[src.Path] = src
		g.paths = append(g.paths, src.Path)
	}
	g.sources.indexModules()
	g.ws.Seal()
	return g
}

// readUnder returns the configs the files of sources and their documents
// were read under, by path. The set keeps those very configs: an edit reads the
// file again under them, and its documents take the places of the old
// ones in the workspace (eval.Swapped) only under the same ones. Parsed
// again here, they made the first edit of every set build its workspace
// document by document, with the scenario cache, grant lists and memos
// the workspace carries from one edit to the next: at 5,000 governed
// policies, twice the warm keystroke's time (issue 16).
func readUnder(sources []*tree.Source) map[string]*analysis.Config {
	read := map[string]*analysis.Config{}
	for _, src := range sources {
		if src.Config != nil { // a child module's bucket, with no document, is in its config's account
			read[filepath.Join(src.Config.Dir, analysis.ConfigName)] = src.Config
		}
		for _, d := range src.Docs {
			if d.Config != nil {
				read[filepath.Join(d.Config.Dir, analysis.ConfigName)] = d.Config
			}
		}
	}
	return read
}

// readConfig is a config with the text it was parsed from.
type readConfig struct {
	text []byte
	cfg  *analysis.Config
}

// unbind clears the workspace of the documents of a file read into a
// tree.Set (analysis.File.Workspace: that set's), before the server keeps
// them: its workspaces share a document from one edit to the next, so
// the field would name a workspace a keystroke replaced, and a check
// reading it another document's would judge an old set. The checks get
// copies bound to the set as it is (bound); the documents it keeps are
// bound to none.
func unbind(src *tree.Source) {
	for _, d := range src.Docs {
		d.Workspace = nil
	}
}

// put adds a set the first scan loaded, or replaces the one at its root.
func (ix *index) put(g *govSet) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old := ix.sets[g.root]; old != nil && old != g {
		old.replaced.Store(true)
	}
	ix.sets[g.root] = g
}

// all lists the sets.
func (ix *index) all() []*govSet {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return slices.Collect(maps.Values(ix.sets))
}

// folderOf is the innermost of folders that holds path, or "".
func folderOf(folders []string, path string) string {
	best := ""
	for _, f := range folders {
		if tree.Within(path, f) && len(f) > len(best) {
			best = f
		}
	}
	return best
}

// setOf returns the set an edit of path goes to, or nil, looking at the
// sets rooted at path's folders from path up:
//  1. the first that holds path (a child module under a .s3policy.json of
//     its own is held by its caller's set, above the set of its config's
//     folder: tree.Sets);
//  2. else, for a module's file no set holds yet (a new .tf file), the
//     first that holds a module file of the same folder;
//  3. else the nearest, the set of the nearest config.
//
// Trying every set instead made the first scan of thousands of modules
// (a set each) quadratic.
func (ix *index) setOf(path string) *govSet {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var nearest, module *govSet
	folder, isModule := filepath.Dir(path), hosts.ModuleReader(path) != nil
	for dir := filepath.Clean(path); ; {
		if g := ix.sets[dir]; g != nil {
			if g.sources.get(path) != nil {
				return g
			}
			if nearest == nil {
				nearest = g
			}
			if isModule && module == nil && g.holdsModuleIn(folder) {
				module = g
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return cmp.Or(module, nearest)
		}
		dir = parent
	}
}

// holdsModuleIn reports whether the set holds a module's file of folder:
// a file of the folder that a module reader read (the module lists hold
// every such file), for a module file no set holds yet.
func (g *govSet) holdsModuleIn(folder string) bool {
	for _, paths := range g.sources.modules {
		for _, path := range paths {
			if filepath.Dir(path) == folder && hosts.ModuleReader(path) != nil {
				return true
			}
		}
	}
	return false
}

// lookup returns the set that holds path with the file's documents bound
// to its workspace (bound), when the set holds the file with this very
// text.
func (ix *index) lookup(path string, text []byte) (*govSet, *tree.Source, []*analysis.File) {
	g := ix.setOf(path)
	if g == nil {
		return nil, nil, nil
	}
	src := g.sources.get(path)
	if src == nil || !bytes.Equal(src.Text, text) {
		return nil, nil, nil
	}
	return g, src, g.bound(path)
}

// bound returns copies of the documents of the file at path bound to the
// set's workspace (analysis.File.Workspace), for the checks: the
// documents themselves are shared by the workspaces of successive edits.
func (g *govSet) bound(path string) []*analysis.File {
	src := g.sources.get(path)
	if src == nil {
		return nil
	}
	copies := make([]analysis.File, len(src.Docs))
	out := make([]*analysis.File, len(src.Docs))
	for i, f := range src.Docs {
		copies[i] = *f
		copies[i].Workspace = g.ws
		out[i] = &copies[i]
	}
	return out
}

// allPaths lists the files of every set.
func (ix *index) allPaths() []string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var out []string
	for _, g := range ix.sets {
		out = append(out, g.paths...)
	}
	return out
}

// update takes the new text of files (nil: gone) and returns the paths
// whose findings can change: the files themselves, the identity
// policies of the principals whose evaluations had to be made again, the
// files of their causes, and both sides of each cross-account use whose
// finding changed (addCrossAccountReaders).
// Files no set governs are left out (governed false for all of them).
func (ix *index) update(texts map[string][]byte) (dependants map[string]bool) {
	dependants = map[string]bool{}
	bySet := map[*govSet]map[string][]byte{}
	for path, text := range texts {
		if g := ix.setOf(path); g != nil {
			if bySet[g] == nil {
				bySet[g] = map[string][]byte{}
			}
			bySet[g][path] = text
		}
	}
	for old, changes := range bySet {
		next, deps := old.withOrAfresh(changes, ix.logPanic)
		ix.mu.Lock()
		if ix.sets[old.root] == old {
			ix.sets[old.root] = next
		}
		ix.mu.Unlock()
		for p := range deps {
			dependants[p] = true
		}
	}
	return dependants
}

// withOrAfresh is with, or, when with panics (a bug: it runs outside the
// checks' recover), the set read afresh from its texts after the changes,
// with every file of the set before and after a dependant. Else the old
// set would stay in the index, marked replaced: every later edit
// reaching what made it panic would panic again, nothing of the set
// would be published again, and the back would queue its closed files
// again forever (publishClosedFromSet).
func (g *govSet) withOrAfresh(changes map[string][]byte, logPanic func(string)) (next *govSet, deps map[string]bool) {
	if survived(logPanic, "the update of the set at "+g.root+", read again whole", func() { next, deps = g.with(changes) }) {
		return next, deps
	}
	return g.afresh(changes, logPanic)
}

// survived runs f and reports whether it returned; a panic in it is
// told to logPanic (when set) as a panic in what, with its stack.
func survived(logPanic func(string), what string, f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if logPanic != nil {
				logPanic(fmt.Sprintf("panic in %s: %v\n%s", what, r, debug.Stack()))
			}
			ok = false
		}
	}()
	f()
	return true
}

// afresh reads the set again whole from its texts after the changes (nil:
// gone), as the scan does, and names every file of it, before and after,
// a dependant. Every file stays in the set at g.root, as with keeps them,
// even those a scan would now split into sets of their own (a child
// module its caller no longer calls): the index holds them there until it
// is rebuilt.
func (g *govSet) afresh(changes map[string][]byte, logPanic func(string)) (*govSet, map[string]bool) {
	texts := map[string][]byte{}
	deps := map[string]bool{}
	for path, src := range g.sources.all() {
		texts[path], deps[path] = src.Text, true
	}
	for path, text := range changes {
		deps[path] = true
		if text == nil {
			delete(texts, path)
		} else {
			texts[path] = text
		}
	}
	next := g.readAgain(texts, logPanic)
	for _, p := range next.paths {
		deps[p] = true
	}
	return next, deps
}

// readAgain makes the set at g.root of texts (its files, by path), with
// g's config (tree.One). When reading the whole set panics (a reader's
// bug on some file's text), each file is read alone under the same
// config: a file whose reading panics is kept with its text and no
// document, and the others are read (a Terraform module's file without
// its module's other files). It never panics.
func (g *govSet) readAgain(texts map[string][]byte, logPanic func(string)) *govSet {
	withConfig := func(texts map[string][]byte) map[string][]byte {
		if g.configPath != "" {
			texts[g.configPath] = g.configText
		}
		for path, c := range g.childConfigs {
			texts[path] = c.text
		}
		return texts
	}
	var next *govSet
	if survived(logPanic, "reading the set at "+g.root+" again whole, read file by file", func() {
		next = newGovSet(tree.One(g.root, withConfig(maps.Clone(texts))), withConfig(map[string][]byte{}))
	}) {
		return next
	}
	var sources []*tree.Source
	for _, path := range slices.Sorted(maps.Keys(texts)) {
		src := &tree.Source{Path: path, Text: texts[path]}
		survived(logPanic, "reading "+path+" alone", func() {
			if alone := tree.One(g.root, withConfig(map[string][]byte{path: texts[path]})).Source(path); alone != nil {
				src = alone
			}
		})
		sources = append(sources, src)
	}
	next = &govSet{root: g.root, configPath: g.configPath, configText: g.configText, cfg: g.cfg, childConfigs: g.childConfigs, sources: newSourceMap()}
	if !survived(logPanic, "gathering the files of the set at "+g.root+", kept without their documents", func() { next.gather(sources) }) {
		for _, src := range sources {
			src.Docs, src.Buckets = nil, nil
		}
		next.gather(sources)
	}
	return next
}

// gather makes the set's workspace of sources, read apart (readAgain).
func (g *govSet) gather(sources []*tree.Source) {
	g.ws, g.paths = eval.NewWorkspace(g.root), nil
	if g.cfg != nil {
		g.ws.AddConfig(g.configPath, g.cfg)
	}
	for _, src := range sources {
		g.sources.base[src.Path] = src
		g.paths = append(g.paths, src.Path)
		g.ws.AddBuckets(src.Path, src.Buckets)
		for _, d := range src.Docs {
			g.ws.AddFile(d)
		}
		unbind(src)
	}
	g.sources.indexModules()
	g.ws.Seal()
}

// with returns the set after the changes, and the paths whose findings
// can change.
func (g *govSet) with(changes map[string][]byte) (*govSet, map[string]bool) {
	reread := g.reread(changes)
	if len(reread) == 0 {
		// Every text is the one the set holds (a document opened as it is
		// on disk, a save): the set stays, with its workspace, so that the
		// principals answered meanwhile on it (the back's closed files, the
		// open documents' analyses) are answered once.
		return g, map[string]bool{}
	}
	if documentsStand(g, reread) {
		// The files re-read hold the very documents and buckets the set
		// holds (keepSameReadings: typed after the documents, or a file of
		// none): the set keeps its workspace, evaluations and answers, with
		// the new texts. Only the files themselves are dependants (their
		// reader's findings); no place in them moved.
		g.replaced.Store(true) // as below: an analysis in flight on g is made again
		next := &govSet{root: g.root, configPath: g.configPath, configText: g.configText, cfg: g.cfg, childConfigs: g.childConfigs,
			sources: g.sources.with(reread), paths: g.paths, ws: g.ws, edited: g.edited}
		deps := map[string]bool{}
		for path := range reread {
			deps[path] = true
		}
		return next, deps
	}
	g.replaced.Store(true)
	next := &govSet{root: g.root, configPath: g.configPath, configText: g.configText, cfg: g.cfg, childConfigs: g.childConfigs, sources: g.sources.with(reread), edited: true}
	var before, after []*analysis.File
	bucketsMoved := false
	// factsMoved are the buckets whose facts the edit changed, before and
	// after (a name typed, a bucket gone): an evaluation reads the facts of
	// its request's bucket alone, looked up by that very name
	// (eval.Workspace.gather: a request on arn:aws:s3:::* or data-* reads
	// those of a bucket named so, and there is none), its KMS key policy
	// through them. The evaluations on other buckets stay.
	factsMoved := map[string]bool{}
	for path, src := range reread {
		old := g.sources.get(path)
		if old != nil {
			before = append(before, old.Docs...)
		}
		if src != nil {
			after = append(after, src.Docs...)
		}
		if old != nil && src != nil && reflect.DeepEqual(old.Buckets, src.Buckets) {
			continue
		}
		bucketsMoved = bucketsMoved || old != nil && len(old.Buckets) > 0 || src != nil && len(src.Buckets) > 0
		for _, b := range bucketFactsMoved(old, src) {
			factsMoved[b] = true
		}
	}
	if sameFiles(g, reread) {
		next.paths = g.paths // read-only: shared, not sorted again on every keystroke
	} else {
		next.paths = slices.Sorted(next.sources.paths())
	}
	swaps := next.bind(g, reread)
	// A bucket's owner decides whether a bucket policy's grant that names
	// it is across accounts (eval's grants): its change changes the
	// grants of the principals a bucket policy that names it may grant
	// to (grantsMoved: their account in its text), not every answer of
	// the set (a bucket's name typed letter by letter gives owners to
	// names none does; a module call hidden by a block typed above it
	// renames the child's bucket, and the child's policy names it).
	var ownerMoved []string
	for b := range factsMoved {
		if ownerOf(g.ws.Bucket(b)) != ownerOf(next.ws.Bucket(b)) {
			ownerMoved = append(ownerMoved, b)
		}
	}
	var namingOwnerMoved []*analysis.File // the bucket policies, before and after, that name one of ownerMoved
	if len(ownerMoved) > 0 {
		namingOwnerMoved = slices.Concat(bucketPoliciesNaming(g.ws, ownerMoved), bucketPoliciesNaming(next.ws, ownerMoved))
	}

	// The evaluations of the old set stay unless the edit may change them:
	// a document took part in one (its old version) or may now (its new
	// one). mayJoin holds for every document a scenario takes. An identity
	// policy edited in place takes part in the evaluations of its
	// principal's requests that read it or would now (eval.ReadSet), not
	// in all of them: a keystroke in one of a principal's policies
	// evaluates again the requests that policy can decide.
	edits, inPlace := editedInPlace(g, next, reread)
	var joiners []*analysis.File
	for _, f := range slices.Concat(before, after) {
		if f.Policy != nil && !inPlace[f.Path] {
			joiners = append(joiners, f)
		}
	}
	staleFor := map[string][]eval.Request{} // by principal, the requests evaluated again
	var renamed []sidRename                 // of those, the ones whose causes quote a Sid edited
	joins := newJoinCheck(joiners)
	editsOf := map[string][]inPlaceEdit{} // the edits that may join a principal's requests (mayJoin looks at the principal only)
	editsFor := func(principal string) []inPlaceEdit {
		mine, ok := editsOf[principal]
		if !ok {
			for _, e := range edits {
				if mayJoin(e.after, eval.Request{Principal: principal}) {
					mine = append(mine, e)
				}
			}
			editsOf[principal] = mine
		}
		return mine
	}
	// A principal no changed document may join and no in-place edit
	// concerns keeps its evaluations whole, unasked one by one.
	unchanged := func(principal string) bool {
		return len(factsMoved) == 0 && !joins.anyForEveryone() && !joins.joinsPrincipal(principal) && len(editsFor(principal)) == 0
	}
	// factsAlone is unchanged but for the bucket facts that moved, after
	// Reuse (staleFor): none of the principal's evaluations read them, and
	// no owner moved that a bucket policy granting it names.
	factsAlone := func(principal string) bool {
		return !joins.anyForEveryone() && !joins.joinsPrincipal(principal) && len(editsFor(principal)) == 0 &&
			len(staleFor[principal]) == 0 && !grantsMoved(namingOwnerMoved, principal)
	}
	// Reuse asks about one principal's evaluations after another: what
	// depends on the principal alone is looked up once for them.
	var last struct {
		principal string
		edits     []inPlaceEdit
		joins     bool
	}
	// A bucket policy's edit concerns, of a principal none of whose own
	// documents or SCPs it joins, only the requests on the buckets the
	// policy may join: stale below says no for every other request, and
	// Reuse need not ask about them one by one.
	buckets := func(principal string) func(bucket string) bool {
		if len(joins.always) > 0 || len(factsMoved) == 0 && len(joins.byResource) == 0 || joins.joinsPrincipal(principal) || len(editsFor(principal)) > 0 {
			return nil
		}
		return func(bucket string) bool { return factsMoved[bucket] || joins.joinsBucket(bucket) }
	}
	next.ws.ReuseUnchanged(g.ws, unchanged, buckets, func(req eval.Request, read *eval.ReadSet, result func() *eval.Result) bool {
		if req.Principal != last.principal || last.principal == "" {
			last.principal, last.edits, last.joins = req.Principal, editsFor(req.Principal), joins.joinsPrincipal(req.Principal)
		}
		mine := last.edits
		stale := len(factsMoved) > 0 && factsMoved[analysis.BucketOfARN(req.Resource)] || last.joins || joins.anyForEveryone() && joins.any(req)
		for _, e := range mine {
			if stale {
				break
			}
			switch {
			case e.sid < 0:
				stale = read.MayRead(e.edit)
			case e.quotesSid(g.ws, result().Causes):
				stale = true
				renamed = append(renamed, sidRename{req, e})
			}
		}
		if stale {
			staleFor[req.Principal] = append(staleFor[req.Principal], req)
		}
		return stale
	})
	renamedFor, renameFailed := map[string][]eval.Request{}, map[string]bool{}
	for _, r := range renamed {
		p := r.req.Principal
		if next.ws.KeepWithSid(g.ws, r.req, g.ws.DocName(r.edit.before), r.edit.sid, r.edit.newSid) {
			renamedFor[p] = append(renamedFor[p], r.req)
		} else {
			renameFailed[p] = true
		}
	}
	sidsOnly := len(edits) == len(reread) && !slices.ContainsFunc(edits, func(e inPlaceEdit) bool { return e.sid < 0 })
	for p := range staleFor {
		next.ws.KeepOwnedPolicies(g.ws, p) // when the edit left them alone: their requests are evaluated again
	}
	if !slices.ContainsFunc(slices.Concat(before, after), isBucketPolicy) {
		decideStale(g.ws, next.ws, staleFor, renamed)
	}
	// A principal's identity policies depend on the requests its grants
	// make and nothing else of the set: they are dependants when its
	// answer changed, or when it had none yet. An answer none of whose
	// evaluations or grants can have changed is kept as it was.
	deps, rereadPaths := map[string]bool{}, map[string]bool{}
	for path := range reread {
		deps[path], rereadPaths[path] = true, true
	}
	principals := principalsOf(g.ws, next.ws)
	callersMoved := !slices.Equal(g.ws.Callers(), next.ws.Callers())
	affected := map[string]bool{}
	lines := &lineMaps{g: g, next: next, by: map[string][2]*mapper.Mapper{}} // made once an edit, not once a principal
	for _, p := range principals {
		old, answered := g.ws.Answered(p)
		if !answered && !callersMoved && (unchanged(p) || len(factsMoved) > 0 && factsAlone(p)) {
			// No analysis has asked for its answer yet, and the edit
			// changes none of its inputs: it stays unasked (the next
			// analysis that needs it answers it), and no finding depends
			// on it. Answering it here made the first keystroke after
			// the scan answer every principal the scan had not reached.
			// Bucket facts that moved are no such input when none of
			// its evaluations kept read them and no owner moved under a
			// grant to it: its answer is made on next, of next's facts.
			continue
		}
		// An answer with a place in a policy edited in place is built again
		// from its kept evaluations: the evaluations depend on what their
		// statements say and on their lines, the places on their offsets.
		keep := answered && !grantsMoved(namingOwnerMoved, p) && !callersMoved && len(staleFor[p]) == 0 && !grantsMoved(joiners, p) && !(editsJoin(edits, p) && placedIn(old, inPlace))
		var now []analysis.BlockedRequest
		patched := false
		if !keep && answered && !bucketsMoved && !callersMoved && len(inPlace) == 0 {
			// Bucket policies edited: the entries of their grants are made
			// again, the principal's others taken over.
			now, keep, patched = next.ws.BlockedAfterEdit(g.ws, p, rereadPaths, staleFor[p])
		}
		if !keep && !patched && answered && sidsOnly && !bucketsMoved && !callersMoved && !renameFailed[p] && len(renamedFor[p]) == len(staleFor[p]) {
			// Sids typed in: the same requests blocked, their causes' words
			// and places in the edited files made again.
			now, patched = next.ws.BlockedAfterSidEdit(g.ws, p, rereadPaths, renamedFor[p])
		}
		if keep {
			next.ws.KeepAnswer(g.ws, p)
			if !ownPolicyEdited(before, after, p) {
				next.ws.KeepPrincipalMemos(g.ws, p)
			} else {
				addAskers(deps, next.ws, p, old)
			}
			continue
		}
		if !patched {
			now = next.ws.BlockedFrom(g.ws, p) // prev's entries that the edit left alone taken over
		}
		affected[p] = !answered || !sameAnswer(old, now) || g.placesMoved(next, reread, lines, old, now)
		if affected[p] {
			addCauseFiles(deps, old, now)
		} else if ownPolicyEdited(before, after, p) {
			addAskers(deps, next.ws, p, now)
		}
	}
	if swaps != nil {
		// What the checks derived from the documents the edit left alone,
		// patched by the swapped ones, past the memos of the principals
		// kept above. It must come before any check asks next for a
		// principal's causes (addAskers reads only the first identity
		// policies): a memo next holds already is not carried, and the
		// principals by document are patched only for those carried.
		next.ws.CarryMemos(g.ws, swaps, checks.CarryMemos(next.ws, swaps))
	}
	addCrossAccountReaders(deps, g, next, reread, slices.Concat(before, after), lines)
	if bucketsMoved {
		addBucketPoliciesOfMovedFacts(deps, g, next, reread)
	}
	addGrantersOfBucketsWhosePolicyCameOrWent(deps, g, next, slices.Concat(before, after))
	flipped := accountGrantsFlipped(before, after)
	for _, p := range principals {
		affected[p] = affected[p] || flipped(accountOf(p))
	}
	for _, f := range next.ws.Files {
		if f.Kind == analysis.KindIdentity && f.Facts != nil && affected[f.Facts.Principal] {
			deps[f.Path] = true
		}
	}
	return next, deps
}

// addCrossAccountReaders adds the files whose cross-account
// missing-resource-arn the edit changes: the identity policy that uses a
// bucket of another account the bucket's policy does not grant, and that
// bucket policy, each reporting the other (checks.CrossAccountRead). No
// answer of the engine holds them, so the answers' dependants miss them.
// What the two findings read of each use is compared before and after
// the edit, for the identity policies edited and, when a bucket policy
// or a bucket's facts were edited, for those that use its buckets
// (checks.CrossAccountUsers, an index by bucket): a use that differs
// makes its identity policy and its bucket policy dependants, before and
// after. A keystroke in an identity policy compares its own uses only.
func addCrossAccountReaders(deps map[string]bool, g, next *govSet, reread map[string]*tree.Source, edited []*analysis.File, lines *lineMaps) {
	var touched []string // buckets whose policy or facts the edit may change
	for _, f := range edited {
		touched = append(touched, checks.BucketsOfBucketPolicy(f)...)
	}
	for path, src := range reread {
		touched = append(touched, bucketFactsMoved(g.sources.get(path), src)...)
	}
	slices.Sort(touched)
	touched = slices.Compact(touched) // a bucket policy names its bucket in most statements
	readers := map[string]bool{}      // paths of the identity policies to compare
	for _, f := range edited {
		if f.Kind == analysis.KindIdentity {
			readers[f.Path] = true
		}
	}
	for _, b := range touched {
		for _, f := range checks.CrossAccountUsers(next.ws, b) {
			readers[f.Path] = true // the same document in g unless read again: then it is among edited
		}
	}
	for path := range readers {
		was, is := crossAccountReadsAt(g, path), crossAccountReadsAt(next, path)
		if len(was) == 0 && len(is) == 0 {
			continue
		}
		saidWas, saidIs := lines.said(reread, was, 0), lines.said(reread, is, 1)
		if slices.Equal(saidWas, saidIs) {
			continue
		}
		deps[path] = true
		// A bucket policy reports this identity policy's uses of its
		// buckets in their order: it changed when that list did.
		byPolicy := map[string][2][]string{}
		for side, reads := range [][]checks.CrossAccountRead{was, is} {
			said := [][]string{saidWas, saidIs}[side]
			for i, r := range reads {
				lists := byPolicy[r.Policy.Path]
				lists[side] = append(lists[side], said[i])
				byPolicy[r.Policy.Path] = lists
			}
		}
		for policy, lists := range byPolicy {
			if !slices.Equal(lists[0], lists[1]) {
				deps[policy] = true
			}
		}
	}
}

// addBucketPoliciesOfMovedFacts adds the bucket policies that name a
// bucket whose facts the edit changed (a Terraform module's Requester
// Pays or owner): their single-file checks read them (requester-pays
// reads the bucket named by a statement's Resource), and no answer or
// cross-account use holds them. A scan of the set's files, made only
// when a file stating bucket facts changed them.
func addBucketPoliciesOfMovedFacts(deps map[string]bool, g, next *govSet, reread map[string]*tree.Source) {
	moved := map[string]bool{}
	for path, src := range reread {
		for _, b := range bucketFactsMoved(g.sources.get(path), src) {
			moved[b] = true
		}
	}
	if len(moved) == 0 {
		return
	}
	for _, f := range next.ws.Files {
		if !deps[f.Path] && slices.ContainsFunc(checks.BucketsOfBucketPolicy(f), func(b string) bool { return moved[b] }) {
			deps[f.Path] = true
		}
	}
}

// addGrantersOfBucketsWhosePolicyCameOrWent adds the identity policies
// whose missing-resource-arn "no statement allows an S3 action on bucket
// X" the edit may change: a bucket of .s3policy.json whose policy the set
// held and no longer does, or the reverse (an in-place edit that renames
// every ARN of a bucket policy, checks.BucketPolicyHeld), names it for
// every identity policy of a config account other than the bucket's. A
// keystroke that leaves its bucket policies' buckets as they were looks
// up those buckets only; the set's files are scanned when one moved.
func addGrantersOfBucketsWhosePolicyCameOrWent(deps map[string]bool, g, next *govSet, edited []*analysis.File) {
	var moved []string
	for _, f := range edited {
		for _, b := range checks.PolicyBuckets(f) {
			if !slices.Contains(moved, b) && checks.BucketPolicyHeld(g.ws, b) != checks.BucketPolicyHeld(next.ws, b) {
				moved = append(moved, b)
			}
		}
	}
	if len(moved) == 0 {
		return
	}
	for _, f := range next.ws.Files {
		if f.Kind != analysis.KindIdentity || f.Config == nil || f.Facts == nil || deps[f.Path] || !slices.Contains(f.Config.Accounts, f.Facts.Account) {
			continue
		}
		if slices.ContainsFunc(moved, func(b string) bool { c := f.Config.Bucket(b); return c != nil && c.Account != f.Facts.Account }) {
			deps[f.Path] = true
		}
	}
}

// crossAccountReadsAt lists checks.CrossAccountReads of the documents of
// the file at path in the set.
func crossAccountReadsAt(g *govSet, path string) []checks.CrossAccountRead {
	src := g.sources.get(path)
	if src == nil {
		return nil
	}
	var out []checks.CrossAccountRead
	for _, f := range src.Docs {
		out = append(out, checks.CrossAccountReads(g.ws, f)...)
	}
	return out
}

// said renders each read as its findings show it: its places as lines
// and columns in the texts of side (0 before the edit, 1 after) where
// the file was read again (an embedded document's differ on each side:
// its host map is not compared), else as the offsets of the text both
// sides share.
func (l *lineMaps) said(reread map[string]*tree.Source, reads []checks.CrossAccountRead, side int) []string {
	out := make([]string, len(reads))
	at := func(f *analysis.File, span analysis.Span) string {
		if _, ok := reread[f.Path]; !ok {
			return fmt.Sprint(span)
		}
		m, ok := l.of(f.Path)
		if !ok || f.Host != nil || f.DocName != "" {
			return fmt.Sprintf("moved on side %d", side)
		}
		return fmt.Sprint(m[side].Position(span.Start), m[side].Position(span.End))
	}
	for i, r := range reads {
		out[i] = fmt.Sprintf("%s %s %s %s %s %v %s %s", r.Identity.Path, r.Policy.Path, r.Account, r.Bucket, r.BucketAccount, r.Actions,
			at(r.Identity, r.Resource), at(r.Policy, r.Statement))
	}
	return out
}

// ownerOf is the account that owns a bucket, as a grant on it reads it:
// "" for a bucket of no facts.
func ownerOf(b *analysis.BucketFacts) string {
	if b == nil {
		return ""
	}
	return b.Account
}

// bucketPoliciesNaming are the bucket policies of ws that name one of
// buckets in a statement's Resource, as eval's grants look up the owner
// of the buckets a statement names.
func bucketPoliciesNaming(ws *eval.Workspace, buckets []string) []*analysis.File {
	var out []*analysis.File
	for _, f := range ws.Files {
		if f.Kind != analysis.KindBucket || f.Policy == nil {
			continue
		}
		if slices.ContainsFunc(f.Policy.Statements, func(st *analysis.Statement) bool {
			return slices.ContainsFunc(st.Resources(), func(r *analysis.Value) bool {
				// A bucket's ARN holds its name: most entries of the
				// set's bucket policies need no parsing.
				return slices.ContainsFunc(buckets, func(b string) bool { return strings.Contains(r.Str, b) && analysis.BucketOfARN(r.Str) == b })
			})
		}) {
			out = append(out, f)
		}
	}
	return out
}

// bucketFactsMoved are the buckets whose facts a file states (a
// Terraform bucket's owner) differ before and after: the owner decides
// whether a use is across accounts.
func bucketFactsMoved(before, after *tree.Source) []string {
	facts := func(src *tree.Source) map[string]*analysis.BucketFacts {
		out := map[string]*analysis.BucketFacts{}
		if src != nil {
			for _, b := range src.Buckets {
				out[b.Name] = b
			}
		}
		return out
	}
	was, is := facts(before), facts(after)
	var out []string
	for name, b := range was {
		if !reflect.DeepEqual(b, is[name]) {
			out = append(out, name)
		}
	}
	for name := range is {
		if _, ok := was[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

// isBucketPolicy reports whether f is a bucket policy: the only kind
// whose edit changes the grants, which the answers then list again (on a
// bucket policy's keystroke, StillGranted would list them once more first).
func isBucketPolicy(f *analysis.File) bool { return f.Kind == analysis.KindBucket }

// decideStale evaluates again, on every core, the requests an edit
// staled, before the answers below ask for them one after another: an
// edit that changes what a policy allows stales hundreds (313 for the
// first keystroke of bench/keystrokes -into action at 5,000 policies,
// 45 ms of CPU), and while the user types the back leaves the cores to
// the front. The workspace keeps each evaluation (Decide) as the
// principal's answer makes it. Only the requests of the principals prev
// had answered are, which the answers below make again; a request whose
// causes quote a Sid edited (renamed) is left to KeepWithSid, which
// takes over its old evaluation; and only those a grant still makes: the
// requests of a grant as it was before the edit no answer asks for again.
func decideStale(prev, next *eval.Workspace, staleFor map[string][]eval.Request, renamed []sidRename) {
	var reqs []eval.Request
	for p, stale := range staleFor {
		_, answered := prev.Answered(p)
		if answered && !slices.ContainsFunc(renamed, func(r sidRename) bool { return r.req.Principal == p }) {
			reqs = append(reqs, stale...)
		}
	}
	reqs = next.StillGranted(reqs)
	onEveryCore(len(reqs), func(i int) bool {
		next.Decide(reqs[i])
		return true
	})
}

// sameAnswer reports whether two answers for a principal hold the same
// blocked requests, field by field (reflect.DeepEqual took 7 % of an
// update at 5,000 policies); no blocked request, nil or empty, is one
// answer.
func sameAnswer(a, b []analysis.BlockedRequest) bool {
	return slices.EqualFunc(a, b, func(x, y analysis.BlockedRequest) bool {
		return x.Action == y.Action && x.Resource == y.Resource && x.Grant == y.Grant && x.GrantedTo == y.GrantedTo &&
			x.Conditional == y.Conditional && slices.EqualFunc(x.Causes, y.Causes, sameCause)
	})
}

// sameCause compares two causes by what they say, their places by value:
// each workspace points its answers' causes at its own copy of a place.
func sameCause(a, b analysis.Cause) bool {
	return a.Code == b.Code && a.Message == b.Message && a.Located == b.Located &&
		(a.Place == b.Place || a.Place != nil && b.Place != nil && *a.Place == *b.Place)
}

// ownPolicyEdited reports whether an edit changed a document of the
// principal's own (its identity policies: the checks derive from them what
// they keep for it).
func ownPolicyEdited(before, after []*analysis.File, principal string) bool {
	return slices.ContainsFunc(slices.Concat(before, after), func(f *analysis.File) bool {
		return f.Facts != nil && f.Facts.Principal == principal
	})
}

// lineMaps are the line maps of the files an edit read again, before
// and after, made as they are asked for, by path.
type lineMaps struct {
	g, next *govSet
	by      map[string][2]*mapper.Mapper
}

// of returns the line maps of the file at path in g and next; ok is
// false when it is not in both.
func (l *lineMaps) of(path string) (m [2]*mapper.Mapper, ok bool) {
	if m, ok := l.by[path]; ok {
		return m, true
	}
	before, after := l.g.sources.get(path), l.next.sources.get(path)
	if before == nil || after == nil {
		return m, false
	}
	m = [2]*mapper.Mapper{mapper.New(before.Text), mapper.New(after.Text)}
	l.by[path] = m
	return m, true
}

// placesMoved reports whether a cause or a grant of the answers sits in
// a file read again at another line or column: the same byte offsets in
// a new text may be other lines and columns, and the findings that relate
// to them show those. A place in a document embedded in a host file
// (Place.Doc) counts as moved.
func (g *govSet) placesMoved(next *govSet, reread map[string]*tree.Source, lines *lineMaps, answers ...[]analysis.BlockedRequest) bool {
	moved := func(pl analysis.Place) bool {
		if _, ok := reread[pl.Path]; !ok {
			return false
		}
		m, ok := lines.of(pl.Path)
		if pl.Doc != "" || !ok {
			return true
		}
		return m[0].Position(pl.Span.Start) != m[1].Position(pl.Span.Start) || m[0].Position(pl.Span.End) != m[1].Position(pl.Span.End)
	}
	for _, answer := range answers {
		for _, b := range answer {
			if moved(b.Grant) || slices.ContainsFunc(b.Causes, func(c analysis.Cause) bool { return c.Located && moved(*c.Place) }) {
				return true
			}
		}
	}
	return false
}

// editsJoin reports whether an identity policy edited in place may take
// part in the principal's evaluations (mayJoin: it is the principal's, or
// its role's), and so be a place of its answer: the answers of the other
// principals need not be searched for it (a search of every principal's
// thousand requests on every keystroke at 5,000 policies).
func editsJoin(edits []inPlaceEdit, principal string) bool {
	return slices.ContainsFunc(edits, func(e inPlaceEdit) bool { return mayJoin(e.after, eval.Request{Principal: principal}) })
}

// placedIn reports whether a grant or a cause of the answer is in one of
// the files.
func placedIn(answer []analysis.BlockedRequest, paths map[string]bool) bool {
	if len(paths) == 0 {
		return false
	}
	return slices.ContainsFunc(answer, func(b analysis.BlockedRequest) bool {
		return paths[b.Grant.Path] || slices.ContainsFunc(b.Causes, func(c analysis.Cause) bool { return c.Located && paths[c.Place.Path] })
	})
}

// inPlaceEdit is an identity policy edited in place (eval.EditedInPlace),
// with its new version; sid is the statement (its Index) whose Sid alone
// the edit changed, or -1 (sidEdited).
type inPlaceEdit struct {
	edit   *eval.EditedDoc
	after  *analysis.File
	before *analysis.File
	sid    int
	newSid string // the statement's Sid after the edit
}

// quotesSid reports whether a cause of prev's evaluation of a request
// (causes) is at the statement whose Sid alone the edit changed. Such an edit changes
// nothing else of an evaluation (the engine names a statement by its Sid
// and judges it by its other elements): the others stay as they were, not
// every one that read the statement or may now (eval.ReadSet.MayRead), and
// these are taken over with the new Sid (eval.Workspace.KeepWithSid).
func (e inPlaceEdit) quotesSid(prev *eval.Workspace, causes []eval.Cause) bool {
	name := prev.DocName(e.before)
	return slices.ContainsFunc(causes, func(c eval.Cause) bool { return c.Policy == name && c.Statement == e.sid })
}

// sidRename is a request whose evaluation quotes a Sid an edit changed.
type sidRename struct {
	req  eval.Request
	edit inPlaceEdit
}

// sidEdited returns the Index of the statement whose Sid value alone
// differs between two versions of a policy, or -1: the texts differ in
// one run of bytes inside that string in both, with no quote, backslash
// or line break in it, so the rest of the policy is the same JSON at the
// same lines (its offsets after the run shifted).
func sidEdited(before, after *analysis.File) int {
	if before.Policy == nil || after.Policy == nil || len(before.Policy.Statements) != len(after.Policy.Statements) {
		return -1
	}
	a, b := before.Src, after.Src
	prefix := 0
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(a)-prefix && suffix < len(b)-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	oldRun, newRun := a[prefix:len(a)-suffix], b[prefix:len(b)-suffix]
	if bytes.ContainsAny(oldRun, "\"\\\r\n") || bytes.ContainsAny(newRun, "\"\\\r\n") {
		return -1
	}
	inside := func(st *analysis.Statement, end int) bool {
		if st.Sid == nil || st.Sid.Value.Kind != analysis.String {
			return false
		}
		span := st.Sid.Value.Span // quotes included
		return span.Start < prefix && end <= span.End-1
	}
	for i, st := range before.Policy.Statements {
		if inside(st, len(a)-suffix) {
			if inside(after.Policy.Statements[i], len(b)-suffix) && st.Index == after.Policy.Statements[i].Index {
				return st.Index
			}
			return -1
		}
	}
	return -1
}

// editedInPlace lists the files re-read that hold one identity policy
// before and after, the same document for the same principal
// (eval.EditedInPlace), and their paths.
func editedInPlace(g, next *govSet, reread map[string]*tree.Source) ([]inPlaceEdit, map[string]bool) {
	var edits []inPlaceEdit
	paths := map[string]bool{}
	for path, src := range reread {
		if src == nil || g.sources.get(path) == nil {
			continue
		}
		old, now := g.sources.get(path).Docs, src.Docs
		if len(old) != 1 || len(now) != 1 {
			continue
		}
		if e := eval.EditedInPlace(g.ws, old[0], now[0]); e != nil {
			edit := inPlaceEdit{edit: e, after: now[0], before: old[0], sid: sidEdited(old[0], now[0])}
			if edit.sid >= 0 {
				edit.newSid = now[0].Policy.Statements[edit.sid].SidText()
			}
			edits = append(edits, edit)
			paths[path] = true
		}
	}
	return edits, paths
}

// addCauseFiles adds the files that hold a cause of the requests of a
// principal whose answer changed: each reports, on the element that
// blocks, whose requests it blocks (analysis/checks: causes here).
// addAskers adds the documents whose findings of the principal's answer
// depend on which of its identity policies ask for each request, when one
// of them was edited and the answer stayed: the documents of the causes,
// whose findings point at the policy that asks (its place moves as the
// user types), and the principal's first identity policy, which reports
// the requests none of them asks for (analysis/checks, causes_index.go).
func addAskers(deps map[string]bool, ws *eval.Workspace, principal string, answer []analysis.BlockedRequest) {
	if len(answer) == 0 {
		return
	}
	addCauseFiles(deps, answer)
	if f := checks.FirstIdentityPolicy(ws, principal); f != nil {
		deps[f.Path] = true
	}
}

// addCauseFiles adds to deps the files of the answers' causes. The
// causes of a principal's thousand requests are at a few places (904 at
// 10,000 policies), each shared by a workspace's answers: each place's
// file is looked up once.
func addCauseFiles(deps map[string]bool, answers ...[]analysis.BlockedRequest) {
	seen := map[*analysis.Place]bool{}
	for _, answer := range answers {
		for _, b := range answer {
			for _, c := range b.Causes {
				if c.Located && !seen[c.Place] {
					deps[c.Place.Path] = true
					seen[c.Place] = true
				}
			}
		}
	}
}

// reread reads the changed files again (nil: gone), each Terraform
// module among them whole, since its files' documents come from each
// other: the module of a file edited, deleted or created in its folder,
// with the modules it calls or that call it; a file whose text did not
// change is left out, and so is a file of those modules whose reading is
// the one the set holds; a file edited after its documents keeps them
// (keepSameReadings).
func (g *govSet) reread(changes map[string][]byte) map[string]*tree.Source {
	changes = g.moved(changes)
	texts := map[string][]byte{}
	modules := map[string]bool{}
	out := map[string]*tree.Source{}
	var joined []string         // files new to the set that no module reader reads as its own
	var newModuleFiles []string // files new to the set that a module reader reads
	for path, text := range changes {
		switch old := g.sources.get(path); {
		case text == nil:
			out[path] = nil
			if old != nil && old.Module != "" {
				modules[old.Module] = true // its module's other files, read without it
			}
		default:
			texts[path] = text
			if hosts.ModuleReader(path) != nil {
				modules[filepath.Dir(path)] = true
				if old == nil {
					newModuleFiles = append(newModuleFiles, path)
				}
				var oldText []byte
				if old != nil {
					oldText = old.Text
				}
				for _, module := range g.modulesCalledAnew(path, oldText, text) {
					modules[module] = true // a child it calls now, read with it (one it no longer calls is of its module)
				}
			}
			if old != nil && old.Module != "" {
				modules[old.Module] = true // its module with those it calls, or that reads it (file())
			}
			if old == nil && hosts.ModuleReader(path) == nil {
				joined = append(joined, path)
			}
		}
	}
	if len(newModuleFiles) > 0 {
		// A file created in a module's folder is read with that module's
		// files, a child module's with its caller, as a fresh scan reads
		// it: the modules whose top folder holds its folder are read again,
		// since a module calls its children in folders below its own (the
		// call may be there before the child's first file).
		for module := range g.sources.modules {
			if !modules[module] && slices.ContainsFunc(newModuleFiles, func(p string) bool { return tree.Within(filepath.Dir(p), module) }) {
				modules[module] = true
			}
		}
	}
	if len(joined) > 0 {
		// A file created after a module of the set began to read it with
		// file() is read with that module, as a fresh scan reads it.
		readers := g.includedBy()
		for _, path := range joined {
			if dir, ok := readers[path]; ok {
				modules[dir] = true
			}
		}
	}
	if len(modules) == 0 {
		for path, text := range texts {
			out[path] = tree.ReadKept(path, text, g.cfg) // the store's texts are never written to
		}
		g.keepSameReadings(out, changes)
		return out
	}
	for module := range modules {
		g.addModule(texts, module, changes)
	}
	g.addIncluded(texts, modules, changes)
	parsed := map[string]*analysis.Config{} // the documents' configs, so that bind swaps them
	if g.configPath != "" {
		texts[g.configPath] = g.configText
		if g.cfg != nil {
			parsed[g.configPath] = g.cfg
		}
	}
	for path, c := range g.childConfigs {
		texts[path], parsed[path] = c.text, c.cfg
	}
	for _, src := range tree.SourcesUnder(g.root, texts, parsed) {
		out[src.Path] = src
	}
	g.keepSameReadings(out, changes)
	return out
}

// moved is changes without the files sent with the text the set holds
// (a save, an open of a file as it is on disk): such a file is a file of
// its module like any other, read again with it when another file of the
// module changes, not a change that leaves it out.
func (g *govSet) moved(changes map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(changes))
	for path, text := range changes {
		if old := g.sources.get(path); old == nil || text == nil || !bytes.Equal(old.Text, text) {
			out[path] = text
		}
	}
	return out
}

// addModule adds to texts the files of module (by its family's folder,
// as sourceMap.modules) that changes leaves alone: the module's files,
// and those it reads.
func (g *govSet) addModule(texts map[string][]byte, module string, changes map[string][]byte) {
	for _, path := range g.sources.modules[module] {
		if _, changed := changes[path]; !changed {
			texts[path] = g.sources.get(path).Text
		}
	}
}

// addIncluded adds to texts the files the modules in texts read with
// file() and the set holds: one the set read alone until an edit of a
// module began to read it, read now as what the module makes it; and
// with it the modules of another family that read it too, since a file
// two modules read is read with the first by name (tree.IncludedBy), so
// the set is what a fresh read of the same texts gives.
func (g *govSet) addIncluded(texts map[string][]byte, modules map[string]bool, changes map[string][]byte) {
	for added := true; added; {
		added = false
		for path := range tree.IncludedBy(texts) {
			src := g.sources.get(path)
			if _, changed := changes[path]; changed || src == nil {
				continue
			}
			if texts[path] == nil {
				texts[path] = src.Text
			}
			if src.Module != "" && !modules[src.Module] {
				modules[src.Module] = true
				g.addModule(texts, src.Module, changes)
				added = true
			}
		}
	}
}

// includedBy is tree.IncludedBy over the set's module files: the files
// its modules read with file() or templatefile(), each with its module's
// folder.
func (g *govSet) includedBy() map[string]string {
	texts := map[string][]byte{}
	for path, src := range g.sources.all() {
		if hosts.ModuleReader(path) != nil {
			texts[path] = src.Text
		}
	}
	return tree.IncludedBy(texts)
}

// sameFiles reports whether the files re-read were all in the set before
// and are still: the set holds the same paths.
func sameFiles(g *govSet, reread map[string]*tree.Source) bool {
	for path, src := range reread {
		if src == nil || g.sources.get(path) == nil {
			return false
		}
	}
	return true
}

// bind builds the set's workspace from its sources, after the files of
// prev re-read: prev's workspace with the re-read files' documents
// swapped for their new versions (eval.Swapped) when each is a new
// version of the same document, else document by document, taking over
// from prev what it derived from the documents it holds
// (eval.Workspace.AddShared). Either way the documents are prev's, not
// copies, but those of the files re-read, and prev is not changed. The
// workspace is sealed before the set is published. It returns the
// documents swapped, nil when the workspace was built document by
// document.
func (g *govSet) bind(prev *govSet, reread map[string]*tree.Source) (swaps map[*analysis.File]*analysis.File) {
	defer func() { g.ws.Seal() }()
	if swaps = swapsOf(prev, reread); swaps != nil {
		if ws := eval.Swapped(prev.ws, swaps); ws != nil {
			g.ws = ws
			return swaps
		}
	}
	ws := eval.NewWorkspaceLike(prev.ws)
	if g.cfg != nil {
		ws.AddConfig(g.configPath, g.cfg)
	}
	for _, p := range g.paths {
		src := g.sources.get(p)
		ws.AddBuckets(p, src.Buckets)
		for _, f := range src.Docs {
			ws.AddShared(f, prev.ws)
		}
	}
	g.ws = ws
	return nil
}

// swapsOf pairs the documents of each file re-read, before and after,
// when every file re-read was in prev and still is, with as many
// documents and the same buckets (each document's sameness is the
// workspace's to judge); nil otherwise.
func swapsOf(prev *govSet, reread map[string]*tree.Source) map[*analysis.File]*analysis.File {
	swaps := map[*analysis.File]*analysis.File{}
	for path, src := range reread {
		old := prev.sources.get(path)
		if src == nil || old == nil || len(old.Docs) != len(src.Docs) || !reflect.DeepEqual(old.Buckets, src.Buckets) {
			return nil
		}
		for i, f := range old.Docs {
			swaps[f] = src.Docs[i]
		}
	}
	return swaps
}

// principalsOf lists the principals identity policies name in either
// workspace (eval.Workspace.Callers: kept as files are added, where
// reading every file for them took O(files × principals) on each edit).
func principalsOf(workspaces ...*eval.Workspace) []string {
	var out []string
	for _, w := range workspaces {
		for _, p := range w.Callers() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// accountGrantsFlipped returns whether the edit changed, for an account,
// whether a bucket policy grants it anything (checks.GrantsAccount): the
// identity side of missing-resource-arn ("the bucket policy of shared-data
// grants nothing to account 111122223333") depends on it, though no answer
// of the account's principals changes when the grant is added.
func accountGrantsFlipped(before, after []*analysis.File) func(account string) bool {
	memo := map[string]bool{}
	grants := func(docs []*analysis.File, account string) map[string]bool {
		out := map[string]bool{}
		for _, f := range docs {
			if f.Kind == analysis.KindBucket && f.Policy != nil {
				out[f.Path] = out[f.Path] || checks.GrantsAccount(f.Policy, account)
			}
		}
		return out
	}
	return func(account string) bool {
		flipped, ok := memo[account]
		if !ok {
			flipped = !maps.Equal(grants(before, account), grants(after, account))
			memo[account] = flipped
		}
		return flipped
	}
}

// grantsMoved reports whether a change to these documents may change
// what is granted to a principal: a bucket policy that names its account
// (grants name a principal or its account), or an endpoint policy (its
// endpoint is part of each request from its account).
func grantsMoved(changed []*analysis.File, principal string) bool {
	account := accountOf(principal)
	return slices.ContainsFunc(changed, func(f *analysis.File) bool {
		return f.Kind == analysis.KindEndpoint || f.Kind == analysis.KindBucket && (account == "" || mayName(f.Src, account))
	})
}

// mayJoin reports whether a document may take part in the evaluation of
// a request (eval.Workspace.Scenario's choice, or more): an identity-side policy of a principal of the caller's
// account, an SCP of that account or of every account, a bucket policy
// that names the request's bucket, and any key, endpoint or resource
// control policy. It is coarser than the engine's choice (by account, not
// by ARN; by the bucket's name anywhere in the text), so that it never
// misses a dependant. A document of a kind the engine does not read (a
// role's trust policy, eval.EvaluatesKind) joins none: a keystroke in a
// Terraform file that holds a role's trust policy beside its identity
// policy evaluated every principal's requests again.
func mayJoin(f *analysis.File, req eval.Request) bool {
	if !eval.EvaluatesKind(f.Kind) {
		return false
	}
	facts := factsOf(f)
	account := accountOf(req.Principal)
	switch f.Kind {
	case analysis.KindIdentity, analysis.KindBoundary, analysis.KindSession:
		// A role's policies also govern its sessions, and a role is known
		// with or without its path: the same role name in the account.
		return facts.Principal == req.Principal ||
			facts.Principal != "" && accountOf(facts.Principal) == account && roleOf(facts.Principal) != "" && roleOf(facts.Principal) == roleOf(req.Principal)
	case analysis.KindSCP:
		return facts.Account == "" || facts.Account == account
	case analysis.KindBucket:
		return bucketMayJoin(facts, analysis.BucketOfARN(req.Resource), func(name string) bool { return mayName(f.Src, name) })
	}
	return true
}

// bucketMayJoin is mayJoin for a bucket policy and a request's bucket:
// its own, or one its text names (inText). No bucket ("") may join any:
// an evaluation filed under none is always asked about again.
func bucketMayJoin(facts *analysis.FileFacts, bucket string, inText func(name string) bool) bool {
	return bucket == "" || facts.Bucket == bucket || inText(bucket)
}

// textNames is a bucket policy's namesText as joinCheck searches it for the
// names of a workspace's buckets, a thousand or more on each edit of it:
// its runs of bytes between JSON's structural bytes, spaces, ':' and '/',
// each distinct run once, joined by a newline. A name without those
// bytes is in the text where it is inside one run, so it is in the
// runs exactly when it is in the text (bytes.Contains), in a tenth of
// the bytes; a name with them is looked for in the text.
type textNames struct {
	src     []byte // namesText's
	runs    string
	anyName bool // the text did not decode: any name may be in it
}

// nameBreaks are the bytes textNames cuts a text at.
const nameBreaks = "\"\t\n\r ,:/[]{}"

func newTextNames(policy []byte) textNames {
	src, ok := namesText(policy)
	if !ok {
		return textNames{anyName: true}
	}
	seen := map[string]bool{}
	var runs strings.Builder
	for _, run := range bytes.FieldsFunc(src, func(r rune) bool { return r < utf8.RuneSelf && strings.ContainsRune(nameBreaks, r) }) {
		if !seen[string(run)] {
			seen[string(run)] = true
			runs.Write(run)
			runs.WriteByte('\n')
		}
	}
	return textNames{src: src, runs: runs.String()}
}

// contains reports whether the text holds name, as bytes.Contains does.
func (t textNames) contains(name string) bool {
	switch {
	case t.anyName:
		return true
	case strings.ContainsAny(name, nameBreaks):
		return bytes.Contains(t.src, []byte(name))
	}
	return strings.Contains(t.runs, name)
}

// factsOf is a file's facts; none said is no fact.
func factsOf(f *analysis.File) *analysis.FileFacts {
	if f.Facts == nil {
		return &analysis.FileFacts{}
	}
	return f.Facts
}

// joinCheck answers whether any of the changed documents may join a
// request (mayJoin), remembering the answer by principal and by bucket:
// Reuse asks once per kept evaluation (tens of thousands at 5,000
// policies), for a few principals and buckets. mayJoin looks at the
// request's principal only, for the caller's own policies and SCPs, and
// at its resource only, for bucket policies; any other kind always joins.
type joinCheck struct {
	byPrincipal, byResource, always []*analysis.File
	principals, buckets             map[string]bool
	names                           []textNames // of byResource, in order
}

func newJoinCheck(joiners []*analysis.File) *joinCheck {
	j := &joinCheck{principals: map[string]bool{}, buckets: map[string]bool{}}
	for _, f := range joiners {
		if !eval.EvaluatesKind(f.Kind) {
			continue // it joins none (mayJoin)
		}
		switch f.Kind {
		case analysis.KindIdentity, analysis.KindBoundary, analysis.KindSession, analysis.KindSCP:
			j.byPrincipal = append(j.byPrincipal, f)
		case analysis.KindBucket:
			j.byResource = append(j.byResource, f)
			j.names = append(j.names, newTextNames(f.Src))
		default:
			j.always = append(j.always, f)
		}
	}
	return j
}

func (j *joinCheck) any(req eval.Request) bool {
	return len(j.always) > 0 || j.joins(j.byPrincipal, j.principals, req.Principal, req) || j.joinsResource(req.Resource)
}

// joinsResource reports whether a changed bucket policy may join the
// requests for resource (mayJoin), remembered by the resource's bucket,
// which alone decides: a bucket policy's keystroke asks for each kept
// evaluation of every principal (tens of thousands at 5,000 policies),
// for many objects of each bucket, and a map of every resource grew on
// each keystroke.
func (j *joinCheck) joinsResource(resource string) bool {
	if len(j.byResource) == 0 {
		return false
	}
	return j.joinsBucket(analysis.BucketOfARN(resource))
}

// joinsBucket is joinsResource for the requests on a bucket's resources
// (analysis.BucketOfARN).
func (j *joinCheck) joinsBucket(bucket string) bool {
	if len(j.byResource) == 0 {
		return false
	}
	found, ok := j.buckets[bucket]
	if !ok {
		for i, f := range j.byResource {
			if found = bucketMayJoin(factsOf(f), bucket, j.names[i].contains); found {
				break
			}
		}
		j.buckets[bucket] = found
	}
	return found
}

// anyForEveryone reports whether a changed document may join any
// request, or every request of some bucket: whether any request is
// stale can then not be told by its principal alone.
func (j *joinCheck) anyForEveryone() bool { return len(j.always) > 0 || len(j.byResource) > 0 }

// joinsPrincipal reports whether a changed document of the kinds mayJoin
// decides by principal may join the principal's requests.
func (j *joinCheck) joinsPrincipal(principal string) bool {
	return j.joins(j.byPrincipal, j.principals, principal, eval.Request{Principal: principal})
}

// joins reports whether one of files may join req, remembered under key.
func (j *joinCheck) joins(files []*analysis.File, memo map[string]bool, key string, req eval.Request) bool {
	if len(files) == 0 {
		return false
	}
	found, ok := memo[key]
	if !ok {
		found = slices.ContainsFunc(files, func(f *analysis.File) bool { return mayJoin(f, req) })
		memo[key] = found
	}
	return found
}

// roleOf is the name of the role an ARN names, or whose session it
// names; "" for any other principal.
func roleOf(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":assumed-role/"); ok {
		role, _, _ := strings.Cut(rest, "/")
		return role
	}
	if _, rest, ok := strings.Cut(arn, ":role/"); ok {
		return rest[strings.LastIndex(rest, "/")+1:]
	}
	return ""
}

// accountOf is the account of an IAM or STS ARN, or "".
func accountOf(arn string) string {
	a, ok := analysis.ParseARN(arn)
	if !ok {
		return ""
	}
	return a.Account
}
