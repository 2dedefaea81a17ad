package tree

import (
	"bytes"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// modules is what the modules among a walk's texts (Terraform's: the
// files of a folder a module reader reads) say of each other and of other
// files: the files each reads a policy from, and the child modules each
// calls in a folder below its own. A child is read in its caller's set
// with what the call decides of it, so one plan's policies are analysed
// together.
type modules struct {
	folders  map[string]bool                 // the folders of the modules
	included map[string]string               // a file a module reads (file()) → the module's folder
	caller   map[string]string               // a child module's folder → its caller's
	context  map[string]source.ModuleContext // a child module's folder → what its caller decides
	idle     map[string]bool                 // the folders of the modules left unread (findIdle)
	joined   map[string]string               // a family's top → the top of a family it is read with (family)
}

// setScope is which files a module's bucket facts reach: what decides
// whether a module is idle (findIdle).
type setScope bool

const (
	perFamily setScope = false // Sets: a module no config governs is a set with its family
	oneSet    setScope = true  // One: every file of texts is in one set
)

// readModules finds the modules among texts and what they say, read in
// sets of scope.
func readModules(texts map[string][]byte, scope setScope) modules {
	mods := modules{folders: map[string]bool{}, included: map[string]string{}, caller: map[string]string{}, context: map[string]source.ModuleContext{}, idle: map[string]bool{}, joined: map[string]string{}}
	byFolder := moduleFiles(texts)
	for dir := range byFolder {
		mods.folders[dir] = true
	}
	seconds := mods.readCalls(byFolder) // a folder two modules read from or call, by both
	for path, readers := range readersOf(byFolder, mods.context) {
		if _, read := texts[path]; read && hosts.ModuleReader(path) == nil {
			mods.included[path] = readers[0]
			for _, other := range readers[1:] {
				seconds = append(seconds, [2]string{readers[0], other})
			}
		}
	}
	for _, both := range seconds {
		mods.join(mods.top(both[0]), mods.top(both[1]))
	}
	mods.findIdle(texts, byFolder, scope)
	return mods
}

// readCalls records the child modules the modules of byFolder call, with
// what each call decides of them, and returns the pairs of folders that
// call one child.
func (mods modules) readCalls(byFolder map[string]map[string][]byte) (seconds [][2]string) {
	callers := make([]string, 0, len(byFolder))
	for dir := range byFolder {
		callers = append(callers, dir)
	}
	slices.Sort(callers)
	for _, dir := range callers {
		r := readerOf(byFolder[dir])
		if r.Calls == nil {
			continue
		}
		// A caller's own callers are in folders above it, read before it:
		// its context is whole here.
		for child, ctx := range r.Calls(byFolder[dir], mods.context[dir]) {
			if !mods.folders[child] {
				continue // a child whose files the walk did not read
			}
			if _, called := mods.caller[child]; called {
				// Called from two folders: read in the first's set, with
				// only what both calls decide alike.
				if !reflect.DeepEqual(mods.context[child], ctx) {
					mods.context[child] = source.ModuleContext{Called: true}
				}
				seconds = append(seconds, [2]string{mods.caller[child], dir})
				continue
			}
			mods.caller[child], mods.context[child] = dir, ctx
		}
	}
	return seconds
}

// join makes the families of two tops one: a child both call is read
// with what both calls decide, and a file both read with the first, so
// an edit of either family reads the other's files too
// (tree.Source.Module is the family).
func (mods modules) join(a, b string) {
	a, b = mods.family(a), mods.family(b)
	if a == b {
		return
	}
	if b < a {
		a, b = b, a
	}
	mods.joined[b] = a
}

// family is the folder that names the family of the module in dir: the
// top of its callers, or of a family it is joined to.
func (mods modules) family(dir string) string {
	top := mods.top(dir)
	for {
		next, ok := mods.joined[top]
		if !ok {
			return top
		}
		top = next
	}
}

// findIdle finds the modules whose set can hold no policy: no
// .s3policy.json governs their family (a top module, the modules it
// calls, theirs, ..., and the files they read: the set of a module no
// config governs), and no file of the family may hold one
// (source.Reader.MayHoldPolicy). The bucket facts such a module states
// would reach no policy, so it is left unread, as its reader leaves a
// module with neither a policy nor a bucket: an infrastructure repository
// of bucket modules costs its byte scans, not a parse of each. A governed
// module is read whatever its family holds: the other files of its set
// may hold policies, and the server reads a module again without them.
// In one set of every file (oneSet: explain over a folder) the facts of
// each family reach every policy of the set, so no module is idle unless
// no file of the whole set may hold a policy.
func (mods modules) findIdle(texts map[string][]byte, byFolder map[string]map[string][]byte, scope setScope) {
	var configDirs []string
	for path := range texts {
		if IsConfig(path) {
			configDirs = append(configDirs, filepath.Dir(path))
		}
	}
	setOf := func(dir string) string { // the set a module is read in, by its family's top folder
		if scope == oneSet {
			return ""
		}
		return mods.top(dir)
	}
	wanted := map[string]bool{} // a set → its facts may reach a policy
	for _, module := range mods.included {
		wanted[setOf(module)] = true
	}
	if scope == oneSet {
		for path := range texts {
			if !IsConfig(path) && hosts.ModuleReader(path) == nil {
				wanted[""] = true // a file of no module, that may be a policy
			}
		}
	}
	for dir, files := range byFolder {
		set := setOf(dir)
		if !wanted[set] {
			wanted[set] = GovernedBy(mods.top(dir), configDirs) || mayHoldPolicy(files)
		}
	}
	for dir := range byFolder {
		if !wanted[setOf(dir)] {
			mods.idle[dir] = true
		}
	}
}

// mayHoldPolicy reports whether one of a module's files may hold a policy.
func mayHoldPolicy(files map[string][]byte) bool {
	r := readerOf(files)
	if r.MayHoldPolicy == nil {
		return true
	}
	for _, text := range files {
		if r.MayHoldPolicy(text) {
			return true
		}
	}
	return false
}

// moduleOf is the folder of the module whose reading gives a file its
// documents: its own folder's for a module file, the reading module's for
// a file a module reads.
func (mods modules) moduleOf(path string) (string, bool) {
	if dir, ok := mods.included[path]; ok {
		return dir, true
	}
	if hosts.ModuleReader(path) != nil {
		return filepath.Dir(path), true
	}
	return "", false
}

// top is the folder of the module that calls a module, and calls its
// caller, ..., up to one no module calls.
func (mods modules) top(dir string) string {
	seen := map[string]bool{}
	for !seen[dir] {
		seen[dir] = true
		caller, ok := mods.caller[dir]
		if !ok {
			return dir
		}
		dir = caller
	}
	return dir // calls in a loop: the folder met twice
}

// moduleFiles groups the files of module readers among texts by folder.
func moduleFiles(texts map[string][]byte) map[string]map[string][]byte {
	out := map[string]map[string][]byte{}
	for path, text := range texts {
		if hosts.ModuleReader(path) != nil {
			dir := filepath.Dir(path)
			if out[dir] == nil {
				out[dir] = map[string][]byte{}
			}
			out[dir][path] = text
		}
	}
	return out
}

// readerOf is the module reader of a folder's files.
func readerOf(files map[string][]byte) *source.Reader {
	for path := range files {
		return hosts.ModuleReader(path)
	}
	return nil
}

// IncludedBy finds the files the modules among texts read with file() or
// templatefile() (source.Reader.Includes), whether texts holds them or
// not, each with the folder of the module that reads it: of two, the
// first by name (readModules reads their families together).
func IncludedBy(texts map[string][]byte) map[string]string {
	byFolder := moduleFiles(texts)
	readers := readersOf(byFolder, nil)
	if len(byFolder) > 1 && callsFile(byFolder) {
		// A module that reads a file may be called by another, with
		// inputs its paths read: the calls are parsed only then (the
		// server asks this of a folder's texts at each edit of a module).
		// Whether one reads a file is told by its text, not by the paths
		// read without the calls: a path that only a caller's argument
		// gives (a variable with no default) resolves to none.
		mods := modules{folders: map[string]bool{}, caller: map[string]string{}, context: map[string]source.ModuleContext{}}
		for dir := range byFolder {
			mods.folders[dir] = true
		}
		mods.readCalls(byFolder)
		readers = readersOf(byFolder, mods.context)
	}
	out := map[string]string{}
	for path, dirs := range readers {
		out[path] = dirs[0]
	}
	return out
}

// callsFile reports whether a module file calls file() or templatefile().
func callsFile(byFolder map[string]map[string][]byte) bool {
	for _, files := range byFolder {
		for _, text := range files {
			if bytes.Contains(text, []byte("file(")) {
				return true
			}
		}
	}
	return false
}

// readersOf is IncludedBy with every module that reads a file, by folder
// name, from the module files by folder (moduleFiles) and what the calls
// among them decide of each (readCalls).
func readersOf(byFolder map[string]map[string][]byte, context map[string]source.ModuleContext) map[string][]string {
	out := map[string][]string{}
	for dir, files := range byFolder {
		if r := readerOf(files); r.Includes != nil {
			for _, inc := range r.Includes(files, context[dir]) {
				out[inc] = append(out[inc], dir)
			}
		}
	}
	for _, readers := range out {
		slices.Sort(readers)
	}
	return out
}
