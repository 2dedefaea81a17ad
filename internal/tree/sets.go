package tree

import (
	"maps"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Sets splits the files of a folder into the sets analysed together, as
// go.mod splits a repository into modules: the files one .s3policy.json
// governs form a set rooted at its folder, and the files none governs one
// rooted at dir. So two example folders with their own config never see
// each other's SCPs. texts holds each file's text by path, configs
// included.
func Sets(dir string, texts map[string][]byte) []*Set {
	return SetsUnder(dir, texts, nil)
}

// SetsUnder is Sets with some of the configs among texts parsed already
// (by path): the documents are read under those very Configs, so that
// they compare equal to documents read under them before.
func SetsUnder(dir string, texts map[string][]byte, parsed map[string]*analysis.Config) []*Set {
	configs, paths := parseConfigs(texts, parsed)
	return setsOf(dir, texts, paths, configs, nil, nil)
}

// SourcesUnder reads the files as SetsUnder does, for a caller that
// keeps their Sources and not the sets: no set's workspace is built (the
// Sets it would return have none). The language server reads a Terraform
// module again on each keystroke in it, into a workspace of its own: at
// 5,000 governed policies, copying the folder's config into a workspace
// only to drop it was a third of such a keystroke.
func SourcesUnder(dir string, texts map[string][]byte, parsed map[string]*analysis.Config) []*Source {
	configs, paths := parseConfigs(texts, parsed)
	var out []*Source
	for _, s := range groupSets(dir, texts, paths, configs, nil, nil, newSourcesOnly) {
		out = append(out, s.Sources()...)
	}
	return out
}

// setsOf is Sets over paths (sorted) with the configs among them parsed,
// taking a file's documents from parsed when it holds them (read alone,
// under the same config) instead of reading the file again. A module
// reader's panic is told to panicked, when set (readModule).
func setsOf(dir string, texts map[string][]byte, paths []string, configs map[string]*analysis.Config, parsed map[string]*Source, panicked panicked) []*Set {
	return groupSets(dir, texts, paths, configs, parsed, panicked, newSet)
}

// groupSets is setsOf, with each set made by newSet (newSourcesOnly: no
// workspace).
func groupSets(dir string, texts map[string][]byte, paths []string, configs map[string]*analysis.Config, parsed map[string]*Source, panicked panicked, newSet func(root string) *Set) []*Set {
	sets := map[string]*Set{}
	var order []*Set
	set := func(root string) *Set {
		if sets[root] == nil {
			sets[root] = newSet(root)
			order = append(order, sets[root])
		}
		return sets[root]
	}
	for _, path := range paths {
		if cfg, ok := configs[path]; ok {
			if s := set(filepath.Dir(path)); s.Workspace != nil {
				s.AddConfig(path, cfg)
			}
		}
	}
	mods := readModules(texts, perFamily)
	governing := nearestConfigByFolder(dir, configs)
	rootOf := func(path string) string {
		module, isModule := mods.moduleOf(path)
		if isModule {
			path = filepath.Join(mods.top(module), analysis.ConfigName) // a child is read with its caller
		}
		cfg := governing(path)
		switch {
		case cfg != nil:
			return cfg.Dir
		case isModule:
			return filepath.Dir(path) // a module no config governs is a set of its own
		}
		return dir
	}
	pending := map[*Set][]pendingFile{}
	for _, path := range paths {
		if _, ok := configs[path]; ok {
			continue
		}
		s := set(rootOf(path))
		pending[s] = append(pending[s], pendingFile{path, texts[path], governing(path)})
	}
	for _, s := range order {
		s.addAll(pending[s], mods, parsed, panicked)
	}
	return order
}

// nearestConfigByFolder is nearestConfig, looked up once for each folder:
// the files of a folder have the same, and a governed folder of 10,000
// policies in a hundred folders asked twice for each file, joining and
// cleaning paths each time, while the first scan waits for its set on
// one core (issue 16).
func nearestConfigByFolder(dir string, configs map[string]*analysis.Config) func(path string) *analysis.Config {
	byFolder := map[string]*analysis.Config{}
	return func(path string) *analysis.Config {
		folder := filepath.Dir(path)
		cfg, ok := byFolder[folder]
		if !ok {
			cfg = nearestConfig(path, dir, configs)
			byFolder[folder] = cfg
		}
		return cfg
	}
}

// One makes a single set of every file of dir, each under its nearest
// config: what explain evaluates a request over.
func One(dir string, texts map[string][]byte) *Set {
	w := newSet(dir)
	configs, paths := parseConfigs(texts, nil)
	for _, path := range paths {
		if cfg, ok := configs[path]; ok {
			w.AddConfig(path, cfg)
		}
	}
	var files []pendingFile
	for _, path := range paths {
		if _, ok := configs[path]; !ok {
			files = append(files, pendingFile{path, texts[path], nearestConfig(path, dir, configs)})
		}
	}
	w.addAll(files, readModules(texts, oneSet), nil, nil)
	return w
}

// Set is documents analysed together (the evaluation engine's
// workspace), with the files they came from.
type Set struct {
	*eval.Workspace
	sources map[string]*Source
}

// Source is a file of a set: its text, what its reader said of the file
// itself, and its documents.
type Source struct {
	Path     string
	Text     []byte
	Findings []analysis.Finding // the reader's, in the file's offsets
	Docs     []*analysis.File
	Buckets  []*analysis.BucketFacts // the bucket facts its host states
	// Config is the .s3policy.json the file was read under, nil for
	// none: a file with no document (a module's bucket) takes facts from
	// it too (the account its bucket is in).
	Config *analysis.Config
	// Module is the folder of the module that read the file with its
	// other files (a Terraform module's file, or a file it reads with
	// file()); for a child module's, the folder of the module that calls
	// it (and of its caller, up to the top): an edit to it reads every
	// module of that folder again. "" for a file read alone.
	Module string
}

func newSet(root string) *Set {
	return &Set{Workspace: eval.NewWorkspace(root), sources: map[string]*Source{}}
}

// newSourcesOnly makes a set that keeps its files and builds no
// workspace (SourcesUnder).
func newSourcesOnly(string) *Set { return &Set{sources: map[string]*Source{}} }

// Read reads the documents of a file under cfg, outside any set. Its
// documents copy text: the caller may write the next file into it.
func Read(path string, text []byte, cfg *analysis.Config) *Source {
	return newSource(path, text, hosts.Read(path, text), cfg, textCopied)
}

// ReadKept is Read of a text that is never written again and is kept
// with the Source (Source.Text): a document that is the whole file
// shares it rather than copying it (analysis.Document.Kept).
func ReadKept(path string, text []byte, cfg *analysis.Config) *Source {
	return newSource(path, text, hosts.Read(path, text), cfg, textKept)
}

// ReadBorrowed is Read of a text the caller does not write to until it
// has recycled the documents (analysis.File.Recycle), and of documents
// nothing of which is used after that (analysis.Document.Borrowed): a
// document that is the whole file shares the text rather than copying it.
func ReadBorrowed(path string, text []byte, cfg *analysis.Config) *Source {
	return newSource(path, text, hosts.Read(path, text), cfg, textBorrowed)
}

// textPromise is what the caller of a read promises of its text.
type textPromise uint8

const (
	textCopied   textPromise = iota // none: Read
	textKept                        // ReadKept
	textBorrowed                    // ReadBorrowed
)

// newSource prepares what a reader found in a file under cfg. Each
// embedded document's map keeps the file's text, so that the engine names
// the file's lines, not its own JSON's. promise: what the caller promises
// of text. Only a document that is the file itself (no host map) shares
// it: a reader's translated documents are its own.
func newSource(path string, text []byte, res source.Result, cfg *analysis.Config, promise textPromise) *Source {
	for i := range res.Docs {
		whole := res.Docs[i].Host == nil
		res.Docs[i].Kept = whole && promise == textKept
		res.Docs[i].Borrowed = whole && promise == textBorrowed
	}
	src := &Source{Path: path, Text: text, Findings: res.Findings, Docs: res.Files(path, cfg), Buckets: res.Buckets, Config: cfg}
	for _, d := range src.Docs {
		if d.Host != nil {
			d.Host.Text = text
		}
	}
	return src
}

// pendingFile is a file to read into a set, under its config.
type pendingFile struct {
	path string
	text []byte
	cfg  *analysis.Config
}

// addAll reads files into the set. The files of a folder that a module
// reader reads (Terraform) are read together, in one call, since their
// policies' kinds and owners come from each other; so are the files such
// a module reads, whose kinds come from their use. A module its caller
// calls is read with what the call decides of it (mods). A file read
// alone already is taken from parsed. A module reader's panic is told to
// panicked, when set (readModule).
func (s *Set) addAll(files []pendingFile, mods modules, parsed map[string]*Source, panicked panicked) {
	byModule := map[string][]pendingFile{}
	var folders []string
	for _, f := range files {
		dir, ok := mods.moduleOf(f.path)
		switch {
		case ok:
		case parsed[f.path] != nil:
			s.addSource(parsed[f.path])
			continue
		default:
			s.add(f, hosts.Read(f.path, f.text), "")
			continue
		}
		if byModule[dir] == nil {
			folders = append(folders, dir)
		}
		byModule[dir] = append(byModule[dir], f)
	}
	for _, dir := range folders {
		texts := map[string][]byte{}
		ctx := mods.context[dir]
		var reader *source.Reader
		configured := ""
		for _, f := range byModule[dir] {
			texts[f.path] = f.text
			if r := hosts.ModuleReader(f.path); r != nil {
				reader = r
				if facts := f.cfg.FactsFor(f.path); facts != nil && configured == "" {
					configured = facts.Account
				}
			}
		}
		if configured != "" {
			ctx.Account = configured // .s3policy.json says it: it wins over the caller's provider
		}
		results := map[string]source.Result{}
		if reader != nil && !mods.idle[dir] {
			results = readModule(dir, reader, texts, ctx, panicked)
		}
		for _, f := range byModule[dir] {
			res, ok := results[f.path]
			if !ok && hosts.ModuleReader(f.path) == nil {
				res = hosts.Read(f.path, f.text) // the module left it to its name and content
			}
			s.add(f, res, mods.family(dir))
		}
	}
}

// panicked is told of a reader's panic (a bug) on path, with its stack.
type panicked func(path string, recovered any, stack []byte)

// readModule reads the files of the module in dir together. When panicked
// is set and the reader panics on them (a bug), it is told, and each file
// is read alone with the same context, as the server's index reads a set
// again (readAgain): a Terraform file without its module's other files,
// and none for a file whose reading alone panics too (its caller keeps it
// with its text and no document), so that the module's other files keep
// their findings. Unset, the panic goes on up.
func readModule(dir string, reader *source.Reader, texts map[string][]byte, ctx source.ModuleContext, panicked panicked) map[string]source.Result {
	if panicked == nil {
		return reader.ReadModule(texts, ctx)
	}
	if results, ok := survive(dir, panicked, func() map[string]source.Result { return reader.ReadModule(texts, ctx) }); ok {
		return results
	}
	results := map[string]source.Result{}
	for _, path := range slices.Sorted(maps.Keys(texts)) {
		alone, _ := survive(path, panicked, func() map[string]source.Result {
			return reader.ReadModule(map[string][]byte{path: texts[path]}, ctx)
		})
		if res, ok := alone[path]; ok {
			results[path] = res
		}
	}
	return results
}

// survive returns read's value, or tells panicked of read's panic on path
// and reports that it did not return.
func survive[T any](path string, panicked panicked, read func() T) (value T, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			panicked(path, r, debug.Stack())
		}
	}()
	return read(), true
}

// add records a file's documents in the set, with the bucket facts its
// host states; module is the folder of the module that read it, if any.
func (s *Set) add(f pendingFile, res source.Result, module string) {
	src := newSource(f.path, f.text, res, f.cfg, textKept) // a set keeps its texts, as the Source does
	src.Module = module
	s.addSource(src)
}

// addSource records a file read already.
func (s *Set) addSource(src *Source) {
	s.sources[src.Path] = src
	if s.Workspace == nil {
		return // SourcesUnder
	}
	s.AddBuckets(src.Path, src.Buckets)
	for _, d := range src.Docs {
		s.AddFile(d)
	}
}

// Source returns the file at path, or nil when the set does not hold it.
func (s *Set) Source(path string) *Source { return s.sources[path] }

// Sources lists the set's files, in path order.
func (s *Set) Sources() []*Source {
	out := make([]*Source, 0, len(s.sources))
	for _, src := range s.sources {
		out = append(out, src)
	}
	slices.SortFunc(out, func(a, b *Source) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// Load reads every file of dir that Scan lists into one set.
func Load(dir string) (*Set, error) {
	texts, err := ReadAll(dir, Disk{})
	if err != nil {
		return nil, err
	}
	return One(dir, texts), nil
}

// ReadAll reads the files Scan lists under dir, by path.
func ReadAll(dir string, files Files) (map[string][]byte, error) {
	paths, _, err := Scan(dir)
	if err != nil {
		return nil, err
	}
	texts := make(map[string][]byte, len(paths))
	for _, path := range paths {
		text, err := files.ReadFile(path)
		if err != nil {
			return nil, err
		}
		texts[path] = text
	}
	return texts, nil
}

// Governed reads the files of dir that a .s3policy.json governs and splits
// them into sets. Only there can a fault of one file show in another,
// since the cross-file checks need the config's facts; the rest of the
// tree is analysed file by file and never held in memory at once.
func Governed(dir string, files Files) []*Set {
	paths, _, err := Scan(dir)
	if err != nil {
		return nil
	}
	return GovernedOf(dir, paths, files)
}

// GovernedOf is Governed over the paths a Scan of dir already listed, for
// a walk that reads the folder once.
func GovernedOf(dir string, paths []string, files Files) []*Set {
	g := NewGrouping(paths)
	if g.Empty() {
		return nil
	}
	texts := map[string][]byte{}
	read := func() {
		for _, p := range paths {
			if _, done := texts[p]; !done && g.Grouped(p) {
				if text, err := files.ReadFile(p); err == nil {
					texts[p] = text
				}
			}
		}
	}
	read()
	if g.AddIncludes(texts) {
		read()
	}
	return Sets(dir, texts)
}

// Grouping says which files of a folder are analysed with others: those
// a .s3policy.json governs (its folder and below), and the files of a
// Terraform module (a folder's own .tf files), which are a unit with no
// configuration at all.
type Grouping struct {
	configDirs []string
	moduleDirs map[string]bool
	included   map[string]bool // the files the modules read (file()), by path
}

// NewGrouping finds the configs and modules among the paths of a walk.
// The files the modules read are added once their texts are read
// (AddIncludes).
func NewGrouping(paths []string) Grouping {
	g := Grouping{moduleDirs: map[string]bool{}, included: map[string]bool{}}
	for _, p := range paths {
		switch {
		case IsConfig(p):
			g.configDirs = append(g.configDirs, filepath.Dir(p))
		case hosts.ModuleReader(p) != nil:
			g.moduleDirs[filepath.Dir(p)] = true
		}
	}
	return g
}

// Empty reports whether no file is grouped.
func (g Grouping) Empty() bool { return len(g.configDirs) == 0 && len(g.moduleDirs) == 0 }

// Grouped reports whether a file is analysed with others.
func (g Grouping) Grouped(path string) bool {
	return g.included[path] || GovernedBy(path, g.configDirs) || IsConfig(path) || g.moduleDirs[filepath.Dir(path)] && hosts.ModuleReader(path) != nil
}

// AddIncludes adds the files that the modules among texts (their files'
// texts, by path) read a policy from with file() or templatefile(), and
// reports whether it added any. Such a file is read with its module, and
// takes its kind from its use there.
func (g Grouping) AddIncludes(texts map[string][]byte) bool {
	added := false
	for path := range IncludedBy(texts) {
		if !g.included[path] {
			g.included[path] = true
			added = true
		}
	}
	return added
}

// GovernedBy reports whether a config in one of the folders governs path.
func GovernedBy(path string, configDirs []string) bool {
	return slices.ContainsFunc(configDirs, func(dir string) bool { return Within(path, dir) })
}

// SetOf returns the set that holds path, with the file; nil when no set
// does.
func SetOf(sets []*Set, path string) (*Set, *Source) {
	for _, s := range sets {
		if src := s.Source(path); src != nil {
			return s, src
		}
	}
	return nil, nil
}

// parseConfigs parses the .s3policy.json files among texts but those
// parsed holds, and lists every path in order.
func parseConfigs(texts map[string][]byte, parsed map[string]*analysis.Config) (map[string]*analysis.Config, []string) {
	configs := map[string]*analysis.Config{}
	paths := make([]string, 0, len(texts))
	for path, text := range texts {
		paths = append(paths, path)
		if IsConfig(path) {
			cfg, ok := parsed[path]
			if !ok {
				cfg, _ = analysis.ParseConfig(filepath.Dir(path), text)
			}
			configs[path] = cfg
		}
	}
	slices.Sort(paths)
	return configs, paths
}

// nearestConfig is the config in the file's folder or above, up to dir.
func nearestConfig(path, dir string, configs map[string]*analysis.Config) *analysis.Config {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if cfg, ok := configs[filepath.Join(d, analysis.ConfigName)]; ok {
			return cfg
		}
		if d == filepath.Clean(dir) || filepath.Dir(d) == d {
			return nil
		}
	}
}

// FindConfig returns the path of the .s3policy.json that governs a file:
// the nearest one in its folder or above, up to stop (when not empty),
// as files has it (an open buffer counts before it is saved); "" for none.
func FindConfig(files Files, path, stop string) string {
	return FindConfigBy(func(candidate string) bool { return canRead(files, candidate) }, path, stop)
}

// FindConfigBy is FindConfig asking readable whether a candidate config
// can be read, for a caller that knows it without reading the file: a
// config of a large governed folder is most of a megabyte, and check
// asked for it once for each folder below it.
func FindConfigBy(readable func(candidate string) bool, path, stop string) string {
	for dir := filepath.Dir(path); ; {
		candidate := filepath.Join(dir, analysis.ConfigName)
		if readable(candidate) {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir || (stop != "" && filepath.Clean(dir) == filepath.Clean(stop)) {
			return ""
		}
		dir = parent
	}
}
