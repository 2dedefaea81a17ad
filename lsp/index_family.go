package lsp

import (
	"path/filepath"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// regroups reports whether texts (nil: gone) change which Terraform
// modules tree.Sets reads together: a module call to a folder whose files
// the index holds typed or taken out, or the first file of a folder that
// a module of another set may call. A set reads a called child with its
// caller, in the caller's set and with the caller's inputs; an edit of
// the set cannot move files between sets, nor read a child it held alone
// with a caller, so such an edit is followed as a config edit is: every
// set is read again (rare edits; what a keystroke costs otherwise is
// left as it is, since a call to a folder that holds no file yet, as
// `source = "./chi` typed letter by letter, moves nothing).
func (ix *index) regroups(texts map[string][]byte) bool {
	for path, text := range texts {
		reader := hosts.ModuleReader(path)
		if reader == nil || reader.Calls == nil {
			continue
		}
		var old []byte
		g := ix.setOf(path)
		if g != nil {
			if src := g.sources.get(path); src != nil {
				old = src.Text
			} else if text != nil && ix.mayBeCalledFromAnotherSet(path, g) {
				return true
			}
		}
		before, after := callsOf(reader, path, old), callsOf(reader, path, text)
		for dir := range after {
			if _, kept := before[dir]; !kept && ix.holdsWithin(dir) {
				return true
			}
		}
		for dir := range before {
			if _, kept := after[dir]; !kept && ix.holdsWithin(dir) {
				return true
			}
		}
	}
	return false
}

// callsOf is what text, the file at path (nil: none), calls as a module
// of its own folder, by folder (source.Reader.Calls over that one file:
// a call is one block of one file).
func callsOf(reader *source.Reader, path string, text []byte) map[string]source.ModuleContext {
	if text == nil {
		return nil
	}
	return reader.Calls(map[string][]byte{path: text})
}

// holdsWithin reports whether some set holds a module file in dir or
// below it: a call to dir then reads those files with their caller.
func (ix *index) holdsWithin(dir string) bool {
	for _, g := range ix.all() {
		for module, paths := range g.sources.modules {
			if tree.Within(module, dir) || slices.ContainsFunc(paths, func(p string) bool { return tree.Within(filepath.Dir(p), dir) }) {
				return true
			}
		}
	}
	return false
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
