package tree

import (
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
)

// A Loader builds the sets of a folder while a walk lists its files and
// readers on any number of goroutines read them: each file is parsed as
// it is read, and a set is handed back as soon as its last file is in,
// the same set Sets would build from the same texts. The server's first
// scan uses it, so that no set waits for the whole tree, and no file is
// parsed twice.
type Loader struct {
	dir   string
	files Files
	// Seen, when set, is told of each file Read reads, before the file
	// counts as read: whoever keeps something of every file of a set has
	// it when Read or Done completes the set.
	Seen func(f Listed, text []byte)
	// Later, when set, has Read keep each file's text unparsed: the
	// files of a set are parsed on every core once its last file is in,
	// after Ready. A server that has the set's diagnostics in its cache
	// publishes them without waiting for a parse.
	Later bool
	// Ready, when set, is told of a root whose every file is read and
	// seen, before its sets are built (and, with Later, its files parsed).
	Ready func(root string)
	// Panicked, when set, is told of a panic (a reader's bug) while a
	// file of a set is parsed, with its stack: the file is kept in its
	// set with its text and no document, as the server's index keeps it
	// when reading it again panics, so that the set still completes and
	// its other files keep their findings. A Terraform module whose
	// reader panics on its files together is told by its folder, and its
	// files are read one by one. Unset, the panic goes on up the
	// goroutine that called Read or Done.
	Panicked func(path string, recovered any, stack []byte)
	// BetweenFiles, when set, is called before each file the deferred
	// parse (Later) parses, on the goroutine parsing it: the server waits
	// there while its open documents have work, as its scan's readers do
	// before each file, so that a keystroke does not wait for a whole
	// root's parse on every core.
	BetweenFiles func()

	mu         sync.Mutex
	configs    map[string]*loadedConfig // by path
	sets       map[string]*loadingSet   // by root
	setConfigs map[string][]string      // a built set's folder → the configs of its root there and below
}

// loadedConfig is a .s3policy.json, read once for the files it governs
// and for itself.
type loadedConfig struct {
	once     sync.Once
	text     []byte // nil when it could not be read
	cfg      *analysis.Config
	findings []analysis.Finding // ParseConfig's, for check to report
}

// loadingSet is a set whose files are still coming.
type loadingSet struct {
	texts   map[string][]byte
	parsed  map[string]*Source
	later   []Listed // files Read left unparsed (Later)
	maybe   []string // files in the set only if its module reads them
	waiting int      // files listed and not read yet
	listed  bool     // the walk has listed every file
}

// Complete is what the files under one root make once every one is
// read: the sets (one for a config's folder; a Terraform module and the
// child modules it calls, and any other module below it, each make one),
// the files that came in as Listed.Maybe and that a module reads, and
// those no module reads, each to be analysed alone.
type Complete struct {
	Sets  []*Set
	Maybe []string  // in one of Sets
	Alone []*Source // read alone, without a config
}

// NewLoader starts loading the sets of the folder dir from files.
func NewLoader(dir string, files Files) *Loader {
	return &Loader{dir: dir, files: files, configs: map[string]*loadedConfig{}, sets: map[string]*loadingSet{}, setConfigs: map[string][]string{}}
}

// Expect records a file the walk listed, before a reader reads it. Files
// analysed alone (no Root) are not the Loader's.
func (l *Loader) Expect(f Listed) {
	if f.Root == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.setLocked(f.Root).waiting++
}

// Read reads a file Expect recorded and parses it under its config
// (unless Later). It returns the file's text (nil when it could not be
// read) and, when it was the last file of its set, the set.
func (l *Loader) Read(f Listed) ([]byte, *Complete) {
	var text []byte
	var src *Source
	parse := false
	if IsConfig(f.Path) {
		text = l.config(f.Config).text
	} else if t, err := readListed(l.files, f); err == nil {
		text = t
		parse = hosts.ModuleReader(f.Path) == nil // a module is read whole, with its set
		if parse && !l.Later {
			src = l.parse(f, text) // kept in ls.texts for the set
		}
	}
	if text != nil && l.Seen != nil {
		l.Seen(f, text)
	}
	l.mu.Lock()
	ls := l.setLocked(f.Root)
	ls.waiting--
	if text != nil {
		ls.texts[f.Path] = text
		switch {
		case src != nil:
			ls.parsed[f.Path] = src
		case parse:
			ls.later = append(ls.later, f)
		}
		if f.Maybe {
			ls.maybe = append(ls.maybe, f.Path)
		}
	}
	ready := l.readyLocked(f.Root)
	l.mu.Unlock()
	return text, l.complete(f.Root, ready)
}

// Done says the walk listed every file of the set rooted at root; it
// returns the set when every file is read too.
func (l *Loader) Done(root string) *Complete {
	l.mu.Lock()
	l.setLocked(root).listed = true
	ready := l.readyLocked(root)
	l.mu.Unlock()
	return l.complete(root, ready)
}

func (l *Loader) setLocked(root string) *loadingSet {
	ls := l.sets[root]
	if ls == nil {
		ls = &loadingSet{texts: map[string][]byte{}, parsed: map[string]*Source{}}
		l.sets[root] = ls
	}
	return ls
}

// readyLocked returns the set rooted at root once every file of it is
// listed and read, and forgets it; nil until then.
func (l *Loader) readyLocked(root string) *loadingSet {
	ls := l.sets[root]
	if ls == nil || !ls.listed || ls.waiting > 0 {
		return nil
	}
	delete(l.sets, root)
	return ls
}

// complete builds the sets of a ready root (nil: none), parsing on every
// core the files Read left unparsed.
func (l *Loader) complete(root string, ls *loadingSet) *Complete {
	if ls == nil {
		return nil
	}
	if l.Ready != nil {
		l.Ready(root)
	}
	l.parseLater(ls)
	c := &Complete{}
	if len(ls.maybe) > 0 {
		included := readModules(ls.texts, perFamily).included
		for _, path := range ls.maybe {
			if _, ok := included[path]; ok {
				c.Maybe = append(c.Maybe, path)
				continue
			}
			c.Alone = append(c.Alone, ls.parsed[path])
			delete(ls.texts, path)
		}
	}
	configs := map[string]*analysis.Config{}
	paths := make([]string, 0, len(ls.texts))
	for path := range ls.texts {
		paths = append(paths, path)
		if IsConfig(path) {
			configs[path] = l.config(path).cfg
		}
	}
	slices.Sort(paths)
	c.Sets = setsOf(l.dir, ls.texts, paths, configs, ls.parsed, l.Panicked)
	l.recordSetConfigs(c.Sets, configs)
	return c
}

// recordSetConfigs records, for each set of a root, the configs of the
// root in its folder or below (SetConfigTexts): each config is looked up
// from its folder up to the root's, once, so that a root of many sets and
// configs costs their sum, not their product.
func (l *Loader) recordSetConfigs(sets []*Set, configs map[string]*analysis.Config) {
	if len(configs) == 0 {
		return
	}
	byDir := make(map[string]bool, len(sets))
	for _, s := range sets {
		byDir[s.Dir] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for path := range configs {
		for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
			if byDir[dir] {
				l.setConfigs[dir] = append(l.setConfigs[dir], path)
			}
			if dir == filepath.Dir(dir) || !Within(dir, l.dir) {
				break
			}
		}
	}
}

// laterPerCore is how many unparsed files make one more goroutine worth
// starting.
const laterPerCore = 64

// parseLater parses the files of a ready set that Read left unparsed,
// each as Read would have, on up to every core.
func (l *Loader) parseLater(ls *loadingSet) {
	srcs := make([]*Source, len(ls.later))
	var next atomic.Int64
	var raised atomic.Pointer[raisedPanic] // the first panic, with Panicked unset
	parse := func() {
		defer func() {
			if r := recover(); r != nil {
				raised.CompareAndSwap(nil, &raisedPanic{r})
			}
		}()
		for i := int(next.Add(1)) - 1; i < len(ls.later); i = int(next.Add(1)) - 1 {
			if l.BetweenFiles != nil {
				l.BetweenFiles()
			}
			f := ls.later[i]
			srcs[i] = l.parse(f, ls.texts[f.Path])
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ls.later)/laterPerCore) - 1 {
		wg.Go(parse)
	}
	parse()
	wg.Wait()
	if p := raised.Load(); p != nil {
		panic(p.value) // on the caller's goroutine, where its guard is
	}
	for _, src := range srcs {
		ls.parsed[src.Path] = src
	}
	ls.later = nil
}

// raisedPanic is a value a parse goroutine recovered, to raise again.
type raisedPanic struct{ value any }

// parse reads a file of a set as Read would, under its config. A panic
// in its reader is told to Panicked, and the file kept with its text
// and no document; with Panicked unset it goes on up.
func (l *Loader) parse(f Listed, text []byte) *Source {
	cfg := l.config(f.Config).cfg
	if l.Panicked == nil {
		return ReadKept(f.Path, text, cfg)
	}
	if src, ok := survive(f.Path, l.Panicked, func() *Source { return ReadKept(f.Path, text, cfg) }); ok {
		return src
	}
	return &Source{Path: f.Path, Text: text}
}

// config reads and parses a .s3policy.json once; "" gives none.
func (l *Loader) config(path string) *loadedConfig {
	if path == "" {
		return &loadedConfig{}
	}
	l.mu.Lock()
	c := l.configs[path]
	if c == nil {
		c = &loadedConfig{}
		l.configs[path] = c
	}
	l.mu.Unlock()
	c.once.Do(func() {
		if text, err := l.files.ReadFile(path); err == nil {
			c.text = text
			c.cfg, c.findings = analysis.ParseConfig(filepath.Dir(path), text)
		}
	})
	return c
}

// SetConfigTexts returns the texts of the .s3policy.json files that the
// sets built at dir were read with, in dir and below, by path: a set's
// own config, and those of the child modules read with their caller
// (Sets reads a child under the child's own config), which the server's
// index keeps to read the child again under them.
func (l *Loader) SetConfigTexts(dir string) map[string][]byte {
	l.mu.Lock()
	paths := l.setConfigs[dir]
	l.mu.Unlock()
	texts := make(map[string][]byte, len(paths))
	for _, path := range paths {
		if text := l.config(path).text; text != nil {
			texts[path] = text
		}
	}
	return texts
}

// Config returns the .s3policy.json at path as the loader read and parsed
// it for the files it governs, with what ParseConfig found in it, so that
// check reports it without reading and parsing it again (770 KB at
// 10,000 policies); ok is false when it read none, or l is nil.
func (l *Loader) Config(path string) (text []byte, cfg *analysis.Config, findings []analysis.Finding, ok bool) {
	if l == nil {
		return nil, nil, nil, false
	}
	l.mu.Lock()
	c := l.configs[path]
	l.mu.Unlock()
	if c == nil {
		return nil, nil, nil, false
	}
	c = l.config(path)
	return c.text, c.cfg, c.findings, c.text != nil
}
