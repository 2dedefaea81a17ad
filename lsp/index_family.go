package lsp

import (
	"path/filepath"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// regroups reports whether texts (nil: gone) move files between sets:
// a module call typed or taken out, to a folder whose files another set
// holds or which a fresh read puts in another set (a child under a
// .s3policy.json of its own, or below a nested one), or the first file
// of a folder that a module of another set may call. A set reads a
// called child with its caller, in the caller's set and with the
// caller's inputs; an edit of the set cannot move files between sets, so
// such an edit is followed as a config edit is: every set is read again.
//
// A call moved within one set (a child under the set's own config, the
// common layout) needs no such rebuild: the set's edit reads the caller
// with the child's modules again (reread, callsMoved), and the set holds
// what a fresh read of the same texts does. That includes a text HCL
// cannot parse whole: it recovers the blocks above a syntax error, not
// those below, so a block typed above a module call, unclosed until its
// last keystroke, hides the call meanwhile, as it does from check. Such
// a keystroke costs one more module read, not a rebuild of every set.
// A call to a folder that holds no file yet (`source = "./chi` typed
// letter by letter) moves nothing.
//
// Likewise for file(): a file another set holds, that a module file
// begins or stops reading, may move between sets. And an edit of any file
// of a family two sets hold (a child called, or a file read, from under
// two configs: tree's join) reads every set again, since the set's own
// edit cannot read the other set's files with it.
func (ix *index) regroups(texts map[string][]byte) bool {
	for path, text := range texts {
		g := ix.setOf(path)
		var src *tree.Source
		if g != nil {
			src = g.sources.get(path)
		}
		if src != nil && src.Module != "" && ix.familyElsewhere(src.Module, g) {
			return true
		}
		if hosts.ModuleReader(path) == nil {
			continue
		}
		var old []byte
		switch {
		case src != nil:
			old = src.Text
		case g != nil && text != nil && ix.mayBeCalledFromAnotherSet(path, g):
			return true
		}
		for _, dir := range callsMoved(path, old, text) {
			if ix.movesBetweenSets(dir, g) {
				return true
			}
		}
		for _, read := range includesMoved(path, old, text) {
			if other := ix.setOf(read); other != nil && other != g && other.sources.get(read) != nil {
				return true
			}
		}
	}
	return false
}

// movesCalls reports whether texts (nil: gone) move a module call or a
// file() read of a module file a set holds. While the first scan has
// sets still to hand over, regroups cannot tell whether such a move
// takes files from one of those: the scan may have read the file while
// an editor saved it (truncated, then written), and built the set of a
// child it calls with an empty caller, as a set of its own handed over
// after the caller's.
func (ix *index) movesCalls(texts map[string][]byte) bool {
	for path, text := range texts {
		g := ix.setOf(path)
		if g == nil || hosts.ModuleReader(path) == nil {
			continue
		}
		var old []byte
		if src := g.sources.get(path); src != nil {
			old = src.Text
		}
		if reachMoved(path, old, text) {
			return true
		}
	}
	return false
}

// familyElsewhere reports whether a set other than g holds files of the
// module family (tree.Source.Module): two modules under different
// configs that call one child, or read one file, are one family in two
// sets, and an edit of one set cannot read the other's files with it.
func (ix *index) familyElsewhere(family string, g *govSet) bool {
	for _, other := range ix.all() {
		if other != g && len(other.sources.modules[family]) > 0 {
			return true
		}
	}
	return false
}

// reachMoved reports whether the module file at path calls or reads with
// file() in one of its texts (old, text; nil: none) what it does not in
// the other: what a module may reach, and so which files are read with
// it, moved.
func reachMoved(path string, old, text []byte) bool {
	return len(callsMoved(path, old, text)) > 0 || len(includesMoved(path, old, text)) > 0
}

// includesMoved lists the files that the module file at path reads with
// file() in one of its texts (old, text; nil: none) and not in the other.
func includesMoved(path string, old, text []byte) []string {
	reader := hosts.ModuleReader(path)
	if reader == nil || reader.Includes == nil {
		return nil
	}
	includes := func(text []byte) []string {
		if text == nil {
			return nil
		}
		return reader.Includes(map[string][]byte{path: text}, source.ModuleContext{})
	}
	return eitherAlone(includes(old), includes(text))
}

// eitherAlone lists the paths of one list that the other lacks.
func eitherAlone(before, after []string) []string {
	var out []string
	for _, p := range after {
		if !slices.Contains(before, p) {
			out = append(out, p)
		}
	}
	for _, p := range before {
		if !slices.Contains(after, p) {
			out = append(out, p)
		}
	}
	return out
}

// callsMoved lists the folders that the module file at path calls in one
// of its texts (old, text; nil: none) and not in the other.
func callsMoved(path string, old, text []byte) []string {
	reader := hosts.ModuleReader(path)
	if reader == nil || reader.Calls == nil {
		return nil
	}
	before, after := callsOf(reader, path, old), callsOf(reader, path, text)
	var out []string
	for dir := range after {
		if _, kept := before[dir]; !kept {
			out = append(out, dir)
		}
	}
	for dir := range before {
		if _, kept := after[dir]; !kept {
			out = append(out, dir)
		}
	}
	return out
}

// callsOf is what text, the file at path (nil: none), calls as a module
// of its own folder, by folder (source.Reader.Calls over that one file:
// a call is one block of one file).
func callsOf(reader *source.Reader, path string, text []byte) map[string]source.ModuleContext {
	if text == nil {
		return nil
	}
	return reader.Calls(map[string][]byte{path: text}, source.ModuleContext{})
}

// movesBetweenSets reports whether a call from a module file of the set
// g (nil: of none) to dir, typed or taken out, moves files between sets:
// some module file in dir or below it is held by another set, or by g
// under a config other than g's own (with the call gone, a fresh read
// puts it in that config's set). A call to a folder no set holds files
// of moves nothing.
func (ix *index) movesBetweenSets(dir string, g *govSet) bool {
	for _, other := range ix.all() {
		for module, paths := range other.sources.modules {
			for _, p := range paths {
				if !tree.Within(module, dir) && !tree.Within(filepath.Dir(p), dir) {
					continue
				}
				if other != g || g.configPath == "" {
					return true
				}
				if src := g.sources.get(p); src == nil || src.Config == nil || src.Config.Dir != g.root {
					return true
				}
			}
		}
	}
	return false
}

// modulesCalledAnew lists the modules of g (by folder, as
// sourceMap.modules) in the folders that the module file at path calls
// in one of its texts and not in the other: an edit that moves such a
// call within g reads them again with the file's module, as a fresh read
// of the set groups them.
func (g *govSet) modulesCalledAnew(path string, old, text []byte) []string {
	var out []string
	for _, dir := range callsMoved(path, old, text) {
		for module, paths := range g.sources.modules {
			if !slices.Contains(out, module) && (tree.Within(module, dir) || slices.ContainsFunc(paths, func(p string) bool { return tree.Within(filepath.Dir(p), dir) })) {
				out = append(out, module)
			}
		}
	}
	return out
}

// mayBeCalledFromAnotherSet reports whether path, a module file no set
// holds yet, lies below a module of a set other than g, the set an edit
// gives it: a call there may read it with that module (a child module
// under a .s3policy.json of its own, whose first file this is).
func (ix *index) mayBeCalledFromAnotherSet(path string, g *govSet) bool {
	dir := filepath.Dir(path)
	for _, other := range ix.all() {
		if other == g {
			continue
		}
		for module := range other.sources.modules {
			if module != dir && tree.Within(dir, module) {
				return true
			}
		}
	}
	return false
}

// configlessModules lists the folders of the sets no config governs that
// hold a module file among texts (a module of its own, with the modules
// it calls): an edit there may change what they read with file(), which
// moves files between the module's set and those read alone
// (store.refreshIncluded). A file of a config's set stays in it, read or
// not: it is governed.
func (ix *index) configlessModules(texts map[string][]byte) []string {
	var out []string
	for path := range texts {
		if hosts.ModuleReader(path) == nil {
			continue
		}
		if g := ix.setOf(path); g != nil && g.configPath == "" && !slices.Contains(out, g.root) {
			out = append(out, g.root)
		}
	}
	return out
}
