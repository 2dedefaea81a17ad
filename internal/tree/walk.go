package tree

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Listed is a file a walk lists, with the set it belongs to as soon as it
// is listed: a reader need not wait for the whole tree to know whether
// the file is analysed alone.
type Listed struct {
	Path string
	// Root is the folder the file's set is under: its .s3policy.json's
	// folder, or, with no config, the outermost folder above it that
	// holds a Terraform module (a module's set holds the child modules it
	// calls below it); "" when the file is analysed alone. A config's
	// folder where a module of its parent's root may call a module or
	// read a file (its reader's byte scan of the files of one of the
	// root's folders above it says it may) is under that root: the sets
	// of a root are built together, and a child module goes to its
	// caller's set, under its own config, as Sets has it.
	Root string
	// Config is the .s3policy.json that governs the file (itself for a
	// config), "" for none.
	Config string
	// Size is the file's size as the walk's lstat saw it, 0 when the walk
	// did not stat the file itself (a link), for a reader to size its
	// buffer: the file may have changed since.
	Size int64
	// Maybe is set for a file no config governs under a Terraform
	// module's folder (Root) that is not a module file: it is in the
	// module's set if a module reads it (file(), templatefile()), which is
	// known once the modules' files are read, and analysed alone
	// otherwise.
	Maybe bool
}

// Walker receives what Walk finds. Any function may be nil.
type Walker struct {
	File func(Listed)  // each file Scan lists, in the same order
	Skip func(Skipped) // each file or folder Scan leaves out
	// Done names a set's root once every file of the set is listed, so
	// that the set can be built before the rest of the tree is read.
	Done func(root string)
	// PathOrder lists the files in the order of their paths as strings
	// (each folder's entries sorted with a folder's name followed by its
	// separator), instead of filepath.WalkDir's, which lists x/a.json
	// before x.json although '.' sorts before '/': a reader that prints
	// what it finds in path order can then print each file's as soon as
	// the files listed before it are done.
	PathOrder bool
	// Reached, when set, is told of each module file Walk read to decide
	// the root of a config's folder below it (Listed.Root), with the text
	// it read, when the walk leaves the file's folder: a reader that reads
	// the file again may find another text (an editor saving it, truncated
	// then written, meanwhile), and a set built from that text may call a
	// child the walk listed under a root of its own.
	Reached func(path string, text []byte)
}

// Walk lists the files Scan lists, in the same order and under the same
// rules, calling w.File for each as it is found. A folder's
// .s3policy.json is looked for when the walk enters the folder, so each
// file is known to be governed or not when it is listed, whatever the
// order of the folder's entries.
func Walk(dir string, w Walker) error {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	var open []walkedFolder // the folders the walk is in, outermost first
	var folders lister
	leave := func(path string) {
		for len(open) > 0 && (path == "" || !below(path, open[len(open)-1].path)) {
			top := open[len(open)-1]
			open = open[:len(open)-1]
			if w.Reached != nil && top.reach != nil {
				for _, t := range top.reach.texts {
					w.Reached(t.path, t.text)
				}
			}
			if w.Done == nil {
				continue
			}
			for _, root := range top.roots {
				w.Done(root)
			}
		}
	}
	err = walkDir(dir, w.PathOrder, &folders, func(path string, d fs.DirEntry, err error) error {
		leave(path)
		if err != nil {
			if path == dir {
				return err
			}
			w.skip(Skipped{path, analysis.T("not readable: "+err.Error(), "読めません: "+err.Error()), err})
			return nil
		}
		if d.IsDir() {
			if path != dir && skippedFolder(d.Name()) {
				return filepath.SkipDir
			}
			open = append(open, enter(path, realDir, open, &folders))
			return nil
		}
		if !Wanted(path) {
			return nil
		}
		size, reason, err := readableEntry(path, d, realDir)
		if reason.EN != "" {
			w.skip(Skipped{path, reason, err})
			return nil
		}
		if len(open) == 0 { // dir is a file
			open = append(open, walkedFolder{path: filepath.Dir(path)})
		}
		if w.File != nil {
			f := listed(path, &open[len(open)-1])
			f.Size = size
			w.File(f)
		}
		return nil
	})
	leave("")
	return err
}

// walkDir is filepath.WalkDir, each folder's entries sorted by path when
// pathOrder is set (byPath), each folder listed by folders.
func walkDir(root string, pathOrder bool, folders *lister, fn fs.WalkDirFunc) error {
	info, err := os.Lstat(root)
	if err != nil {
		err = fn(root, nil, err)
	} else {
		err = walkEntry(root, fs.FileInfoToDirEntry(info), pathOrder, folders, fn)
	}
	if err == filepath.SkipDir || err == filepath.SkipAll {
		return nil
	}
	return err
}

// walkEntry walks one entry, and a folder's entries below it, as
// filepath.WalkDir does.
func walkEntry(path string, d fs.DirEntry, pathOrder bool, folders *lister, fn fs.WalkDirFunc) error {
	if err := fn(path, d, nil); err != nil || !d.IsDir() {
		if err == filepath.SkipDir && d.IsDir() {
			err = nil
		}
		return err
	}
	entries, err := folders.take(path)
	if err != nil {
		if err = fn(path, d, err); err != nil {
			if err == filepath.SkipDir {
				err = nil
			}
			return err
		}
	}
	if pathOrder {
		slices.SortFunc(entries, byPath)
	}
	for _, e := range entries {
		if err := walkEntry(filepath.Join(path, e.Name()), e, pathOrder, folders, fn); err != nil {
			if err == filepath.SkipDir {
				break
			}
			return err
		}
	}
	return nil
}

// byPath orders the entries of a folder as their paths, and those of
// the files below them, sort as strings: a folder's name is compared as
// if followed by a slash, the separator the paths are shown with. No
// name holds a slash, so whatever a folder's paths go on with, they sort
// where "name/" does.
func byPath(a, b fs.DirEntry) int {
	return strings.Compare(pathKey(a), pathKey(b))
}

func pathKey(e fs.DirEntry) string {
	if e.IsDir() {
		return e.Name() + "/"
	}
	return e.Name()
}

func (w Walker) skip(sk Skipped) {
	if w.Skip != nil {
		w.Skip(sk)
	}
}

// walkedFolder is a folder the walk is in.
type walkedFolder struct {
	path   string
	config string   // the .s3policy.json in force here, "" for none
	module string   // without a config, the outermost folder here or above that holds a Terraform module, "" for none
	root   string   // the root the folder's files are listed under (Listed.Root), "" for none
	roots  []string // the sets whose every file is listed once the walk leaves this folder
	reach  *reach   // what its module files may reach below it, read when first asked (mayReachBelow)
}

// reach is what a folder's module files may reach below it: any folder
// (a file whose reader has no MayReachBelow, or that could not be read),
// or the folders their reader says of.
type reach struct {
	any   bool
	texts []readerText
}

type readerText struct {
	reader *source.Reader
	path   string
	text   []byte
}

// enter starts a folder: its own .s3policy.json governs it when Scan
// would list that file (a link out of the folder or a file over 1 MB
// governs nothing), else its parent's does. A folder no config governs
// that holds Terraform files is a module, a set of its own. A folder
// with a config starts a root of its own unless a module above it, in
// its parent's root, may call a module of it or read a file of it
// (calledFromAbove): Sets reads such a child with its caller, so its
// files are listed under the caller's root, and the root's sets are
// built together (Loader) as Sets builds them. Other configs' folders
// (per-team folders under a repository's top module, say) stay roots of
// their own, each read as soon as the walk leaves it.
func enter(path, realDir string, open []walkedFolder, folders *lister) walkedFolder {
	f := walkedFolder{path: filepath.Clean(path)}
	if len(open) > 0 {
		parent := open[len(open)-1]
		f.config, f.module, f.root = parent.config, parent.module, parent.root
	}
	config := filepath.Join(path, analysis.ConfigName)
	switch reason, _ := readable(config, realDir); {
	case reason.EN == "":
		f.config, f.module = config, ""
		if !calledFromAbove(open, f.path, realDir) {
			f.root = f.path
			f.roots = append(f.roots, f.path)
		}
	case f.config == "" && f.module == "" && holdsModule(folders.keep(path)):
		f.module, f.root = f.path, f.path
		f.roots = append(f.roots, f.path)
	}
	return f
}

// calledFromAbove reports whether a module of one of the open folders of
// the innermost root, from its folder down, may call a module of dir or
// below it, or read a file there. A module calls and reads only below
// its own folder (source.Reader.Calls, Includes), so no other module can.
// A module above the root's folder cannot either: it is in no root (then
// it would be a module root itself) or in an enclosing root, and then
// this root's folder would have joined that one.
func calledFromAbove(open []walkedFolder, dir, realDir string) bool {
	if len(open) == 0 || open[len(open)-1].root == "" {
		return false
	}
	root := open[len(open)-1].root
	for i := len(open) - 1; i >= 0; i-- {
		if open[i].mayReach(dir, realDir) {
			return true
		}
		if open[i].path == root {
			break
		}
	}
	return false
}

// mayReach reports whether the folder's module may call a module of dir
// (a folder below it) or below, or read a file there, reading its module
// files the first time it is asked (only a folder on the way to a config,
// in a root, is) and keeping their texts while the walk is in it. It asks
// their reader (source.Reader.MayReachBelow), whose no is a no of Calls
// and Includes, by which Sets groups: a false "may" costs a root that
// would stream, a false "may not" would build a set otherwise than Sets.
func (f *walkedFolder) mayReach(dir, realDir string) bool {
	if f.reach == nil {
		f.reach = readReach(f.path, realDir)
	}
	if f.reach.any {
		return true
	}
	rel, _ := filepath.Rel(f.path, dir)
	below := filepath.ToSlash(rel)
	return slices.ContainsFunc(f.reach.texts, func(t readerText) bool { return t.reader.MayReachBelow(t.text, below) })
}

// reachReads counts the module files readReach reads, for tests.
var reachReads atomic.Int64

// readReach reads the files of a folder that Scan would list and a module
// reader reads, for what they may reach below it.
func readReach(dir, realDir string) *reach {
	out := &reach{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		r := hosts.ModuleReader(e.Name())
		if e.IsDir() || r == nil {
			continue
		}
		if r.MayReachBelow == nil {
			return &reach{any: true}
		}
		path := filepath.Join(dir, e.Name())
		size, reason, _ := readableEntry(path, e, realDir)
		if reason.EN != "" {
			continue // Scan does not list it: no set holds it
		}
		reachReads.Add(1)
		text, err := ReadFileInto(path, nil, size)
		if err != nil {
			return &reach{any: true}
		}
		out.texts = append(out.texts, readerText{r, path, text})
	}
	return out
}

// holdsModule reports whether a folder's entries hold files a module
// reader reads.
func holdsModule(entries []fs.DirEntry) bool {
	return slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return !e.IsDir() && hosts.ModuleReader(e.Name()) != nil })
}

// lister lists a walk's folders. Entering a folder no config governs
// asks whether it holds a Terraform module (holdsModule) just before the
// walk lists the same folder: the listing is kept for the walk, not
// read twice (every folder of an ungoverned tree was). A nil lister
// keeps nothing.
type lister struct {
	path    string // the folder kept, "" for none
	entries []fs.DirEntry
	err     error
}

// keep lists the folder at path and keeps the listing for take; a
// listing that fails is read as no entries.
func (l *lister) keep(path string) []fs.DirEntry {
	entries, err := os.ReadDir(path)
	if l != nil {
		*l = lister{path, entries, err}
	}
	return entries
}

// take returns the folder's listing kept, once, else lists it.
func (l *lister) take(path string) ([]fs.DirEntry, error) {
	if l != nil && l.path != "" && l.path == path {
		entries, err := l.entries, l.err
		*l = lister{}
		return entries, err
	}
	return os.ReadDir(path)
}

// listed says which set a file of the folder belongs to.
func listed(path string, folder *walkedFolder) Listed {
	f := Listed{Path: path, Config: folder.config, Root: folder.root}
	switch {
	case f.Config != "":
	case folder.module != "":
		f.Maybe = hosts.ModuleReader(path) == nil
	case hosts.ModuleReader(path) != nil: // a module file the folder's listing did not show
		f.Root = folder.path
		folder.module, folder.root = folder.path, folder.path
		folder.roots = append(folder.roots, folder.path)
	}
	return f
}

// RootOf is the Root a walk of dir lists the file at path under ("" when
// the walk would not list it, or lists it as analysed alone), decided as
// Walk decides it, from the folders between dir and the file: the server
// asks it of a document opened before its first scan has listed it.
func RootOf(dir, path string) string {
	if !Readable(path, dir) {
		return ""
	}
	realDir, _ := filepath.EvalSymlinks(dir) // Readable resolved it
	folder := filepath.Clean(dir)
	open := []walkedFolder{enter(folder, realDir, nil, nil)}
	if rel, _ := filepath.Rel(folder, filepath.Dir(path)); rel != "." {
		for _, name := range strings.Split(rel, string(filepath.Separator)) {
			folder = filepath.Join(folder, name)
			open = append(open, enter(folder, realDir, open, nil))
		}
	}
	return listed(path, &open[len(open)-1]).Root
}

// below reports whether path lies under dir, for paths of one walk:
// each joined to its folder's, so both are clean (but for the folder the
// walk started at, which enter cleans).
func below(path, dir string) bool {
	for p := filepath.Dir(path); ; p = filepath.Dir(p) {
		if p == dir {
			return true
		}
		if p == "." || p == filepath.Dir(p) {
			return false
		}
	}
}
