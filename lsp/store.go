package lsp

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// The store is the server's view of the files, as gopls keeps one: the
// open buffers (overlays) over the disk texts of the files a
// .s3policy.json governs, which take part in cross-file findings. Files
// no config governs are analysed once as the scan reads them and only
// remembered (loose), so that a large repository is not held in memory.
// Every file event goes through modify, which returns what it touched;
// the scheduler decides what to analyse and publish.
type store struct {
	folders []string // workspace folders, as paths; set at initialize

	mu         sync.Mutex
	docs       map[protocol.DocumentURI]*document
	disk       map[string][]byte // governed files and configs, by path
	loose      map[string]bool   // files of the folders no config governs
	configured *editorSettings   // from the client after initialize, when it sent some
	initOpts   editorSettings
}

// document is one version of an open buffer; a change replaces it.
type document struct {
	uri     protocol.DocumentURI
	path    string // the file's path; for a non-file URI, its path part
	text    []byte
	version int32
}

func newStore() *store {
	return &store{docs: map[protocol.DocumentURI]*document{}, disk: map[string][]byte{}, loose: map[string]bool{}}
}

// eventKind names what happened to a file.
type eventKind int

const (
	opened eventKind = iota
	changed
	saved
	closed
	onDisk       // changed, created or deleted on disk (watched files, the scan)
	settingsSent // the client's settings changed
)

// event is one file event. For changed, edits are applied in order to
// the open text; a nil Range replaces it.
type event struct {
	kind     eventKind
	uri      protocol.DocumentURI
	path     string
	text     []byte
	version  int32
	language protocol.LanguageIdentifier // of an opened buffer
	edits    []textChange
	settings *editorSettings
}

type textChange struct {
	Range *protocol.Range `json:"range"`
	Text  string          `json:"text"`
}

// affected is what an event touched: the paths whose text changed (open
// buffer or disk), the URIs whose diagnostics must be cleared, whether
// every open document must be analysed again, and whether the user typed
// (a didChange), after which closed files wait for a pause.
type affected struct {
	paths    []string
	cleared  []protocol.DocumentURI
	settings bool
	// closedStale: the settings analyse otherwise than before, so every
	// closed file's published diagnostics were made under the old ones
	// (another language, severity or disabled check).
	closedStale bool
	typed       bool
}

// modify applies one event and returns what it touched. It runs on the
// read loop, so it only records: parsing and analysis are the
// scheduler's.
func (st *store) modify(ev event) (affected, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch ev.kind {
	case opened:
		d := &document{uri: ev.uri, path: withLanguageExtension(docPath(ev.uri), ev.uri, ev.language), text: ev.text, version: ev.version}
		st.docs[ev.uri] = d
		return affected{paths: []string{d.path}}, nil
	case changed:
		d := st.docs[ev.uri]
		if d == nil {
			return affected{}, fmt.Errorf("ignoring a change to %s, which is not open", ev.uri)
		}
		if ev.version == d.version && bytes.Equal(applyChanges(d.text, ev.edits), d.text) {
			// The change already in, sent again: Neovim 0.7 does when a
			// request flushes its pending didChange before the debounce
			// timer's scheduled send of it runs. Nothing changes.
			return affected{}, nil
		}
		if ev.version <= d.version {
			return affected{}, fmt.Errorf("ignoring version %d of %s: version %d is already in", ev.version, d.uri, d.version)
		}
		st.docs[ev.uri] = &document{uri: d.uri, path: d.path, text: applyChanges(d.text, ev.edits), version: ev.version}
		return affected{paths: []string{d.path}, typed: true}, nil
	case saved:
		d := st.docs[ev.uri]
		if d == nil {
			return affected{}, fmt.Errorf("ignoring a save of %s, which is not open", ev.uri)
		}
		return affected{paths: []string{d.path}}, nil
	case closed:
		d := st.docs[ev.uri]
		if d == nil {
			return affected{}, fmt.Errorf("ignoring a close of %s, which is not open", ev.uri)
		}
		delete(st.docs, ev.uri)
		// Its disk text counts again, and it gets its disk diagnostics.
		return affected{paths: append([]string{d.path}, st.readDiskLocked(d.path)...), cleared: []protocol.DocumentURI{d.uri}}, nil
	case onDisk:
		if st.folderOf(ev.path) == "" {
			return affected{}, nil
		}
		return affected{paths: append([]string{ev.path}, st.readDiskLocked(ev.path)...)}, nil
	case settingsSent:
		before := st.settingsLocked()
		st.configured = ev.settings
		return affected{settings: true, closedStale: !sameSettings(before, *ev.settings)}, nil
	}
	return affected{}, nil
}

// applyChanges applies a didChange's content changes in order. The
// server asks for full sync, but a change with a range is applied as the
// ranged edit it is rather than taken for the whole text.
func applyChanges(text []byte, changes []textChange) []byte {
	for _, c := range changes {
		if c.Range == nil {
			text = []byte(c.Text)
			continue
		}
		m := mapper.New(text)
		start, end := m.Offset(fromPosition(c.Range.Start)), m.Offset(fromPosition(c.Range.End))
		text = slices.Concat(text[:start], []byte(c.Text), text[max(start, end):])
	}
	return text
}

// readDiskLocked (re)reads a file of the folders when a config governs
// it, or forgets it when it is gone or no longer one Scan would read. A
// new config governs files that were analysed alone and dropped: they are
// read too, and returned.
func (st *store) readDiskLocked(path string) (regoverned []string) {
	folder := st.folderOf(path)
	var text []byte
	if folder != "" && tree.Readable(path, folder) {
		text, _ = os.ReadFile(path)
	}
	if text == nil {
		delete(st.disk, path)
		delete(st.loose, path)
		return nil
	}
	if !tree.IsConfig(path) && !st.governedLocked(path) {
		delete(st.disk, path)
		st.loose[path] = true
		return nil
	}
	delete(st.loose, path)
	st.disk[path] = text
	if tree.IsConfig(path) {
		return st.regovernLocked(filepath.Dir(path))
	}
	return nil
}

// regovernLocked reads again the loose files under dir, where a config
// now governs them, and returns them.
func (st *store) regovernLocked(dir string) (regoverned []string) {
	for p := range st.loose {
		if tree.Within(p, dir) {
			regoverned = append(regoverned, p)
		}
	}
	for _, p := range regoverned {
		st.readDiskLocked(p)
	}
	return regoverned
}

// governedLocked reports whether path is analysed with other files: a
// .s3policy.json, open or on disk, governs it, it is a file of a
// Terraform module, or one that such a module reads (tree.Grouping).
func (st *store) governedLocked(path string) bool {
	return hosts.ModuleReader(path) != nil || st.configGovernsLocked(path) || st.includedLocked(path)
}

// configGovernsLocked reports whether a .s3policy.json, open or on disk,
// governs path.
func (st *store) configGovernsLocked(path string) bool {
	for p := range st.disk {
		if tree.IsConfig(p) && tree.Within(path, filepath.Dir(p)) {
			return true
		}
	}
	for _, d := range st.docs {
		if tree.IsConfig(d.path) && st.folderOf(d.path) != "" && tree.Within(path, filepath.Dir(d.path)) {
			return true
		}
	}
	return false
}

// includedLocked reports whether a module of a folder above path reads it
// with file() or templatefile().
func (st *store) includedLocked(path string) bool {
	texts := map[string][]byte{}
	for p, text := range st.disk {
		if hosts.ModuleReader(p) != nil && tree.Within(path, filepath.Dir(p)) {
			texts[p] = text
		}
	}
	_, included := tree.IncludedBy(texts)[path]
	return included
}

// regroupIncluded finds the loose files that the modules of the changed
// module files now read with file() or templatefile(), makes them
// governed (their disk text, or their open buffer's) and returns them, so
// that they join the module's set. The modules are parsed without the
// lock. A round in which no module file changed (every keystroke in a
// JSON policy) returns at once: looking through every text the store
// holds for a module's folder, under the lock the next didChange needs,
// was 12 % of the server's CPU while typing at 5,000 governed policies.
func (st *store) regroupIncluded(changed []string) []string {
	folders := map[string]bool{}
	for _, p := range changed {
		if hosts.ModuleReader(p) != nil {
			folders[filepath.Dir(p)] = true
		}
	}
	if len(folders) == 0 {
		return nil
	}
	st.mu.Lock()
	texts := map[string][]byte{}
	for p, text := range st.disk {
		if folders[filepath.Dir(p)] && hosts.ModuleReader(p) != nil {
			texts[p] = text
		}
	}
	for _, d := range st.docs {
		if folders[filepath.Dir(d.path)] && hosts.ModuleReader(d.path) != nil {
			texts[d.path] = d.text
		}
	}
	st.mu.Unlock()
	if len(texts) == 0 {
		return nil
	}
	var out []string
	for path := range tree.IncludedBy(texts) {
		st.mu.Lock()
		if st.loose[path] {
			if text, err := os.ReadFile(path); err == nil && len(text) <= tree.MaxFileSize {
				delete(st.loose, path)
				st.disk[path] = text
				out = append(out, path)
			}
		}
		st.mu.Unlock()
	}
	return out
}

// refreshIncluded makes each file under the folders tops (modules no
// config governs, with the modules they call below them) governed when one
// of their module files reads it with file() or templatefile() now, by
// the open buffers or the disk texts, and loose when none does and no
// config governs it; it returns the files that moved, which a fresh scan
// reads with the module or alone. What a child reads may follow its
// caller's argument or the root's terraform.tfvars, so the modules are
// read together (tree.IncludedBy), and without the lock.
func (st *store) refreshIncluded(tops []string) []string {
	if len(tops) == 0 {
		return nil
	}
	under := func(p string) bool {
		return slices.ContainsFunc(tops, func(top string) bool { return tree.Within(p, top) })
	}
	st.mu.Lock()
	texts := map[string][]byte{}
	for p, text := range st.disk {
		if hosts.ModuleReader(p) != nil && under(p) {
			texts[p] = text
		}
	}
	for _, d := range st.docs {
		if hosts.ModuleReader(d.path) != nil && st.folderOf(d.path) != "" && under(d.path) {
			texts[d.path] = d.text
		}
	}
	st.mu.Unlock()
	included := tree.IncludedBy(texts)
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []string
	for p := range included {
		if st.loose[p] && under(p) {
			if text, err := os.ReadFile(p); err == nil && len(text) <= tree.MaxFileSize {
				delete(st.loose, p)
				st.disk[p] = text
				out = append(out, p)
			}
		}
	}
	for p := range st.disk {
		if _, read := included[p]; read || !under(p) || hosts.ModuleReader(p) != nil || tree.IsConfig(p) || st.configGovernsLocked(p) {
			continue
		}
		delete(st.disk, p)
		st.loose[p] = true
		out = append(out, p)
	}
	return out
}

// scanned records what the first scan read: the text of a file a config
// governs, or that a file is loose. A config governs the files created
// under it since the scan began, which the store took as loose when their
// event came before the scan reached the config (the scan-end reconcile
// then finds them new in its set).
func (st *store) scanned(path string, text []byte, governed bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if governed {
		st.disk[path] = text
		delete(st.loose, path)
		if tree.IsConfig(path) {
			st.regovernLocked(filepath.Dir(path))
		}
	} else {
		st.loose[path] = true
		delete(st.disk, path)
	}
}

// doc returns the open document at uri, or nil.
func (st *store) doc(u protocol.DocumentURI) *document {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.docs[u]
}

// docByPath returns the open document of a file, or nil.
func (st *store) docByPath(path string) *document {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.docByPathLocked(path)
}

func (st *store) docByPathLocked(path string) *document {
	for u, d := range st.docs {
		if p, ok := uriPath(u); ok && p == path {
			return d
		}
	}
	return nil
}

// openDocs lists the open documents.
func (st *store) openDocs() []*document {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*document, 0, len(st.docs))
	for _, d := range st.docs {
		out = append(out, d)
	}
	return out
}

// governedTexts is the text of every governed file and config of the
// folders: the open buffer where there is one, else the disk.
func (st *store) governedTexts() map[string][]byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	texts := make(map[string][]byte, len(st.disk))
	for path, text := range st.disk {
		texts[path] = text
	}
	for _, d := range st.docs {
		if path, ok := uriPath(d.uri); ok && st.inSetsLocked(path) {
			texts[path] = d.text
		}
	}
	return texts
}

// inSetsLocked reports whether the sets read the open buffer of path
// (governedTexts gives it).
func (st *store) inSetsLocked(path string) bool {
	return tree.Wanted(path) && st.folderOf(path) != "" && (tree.IsConfig(path) || st.governedLocked(path))
}

// inSets reports whether the sets read the open buffer of path.
func (st *store) inSets(path string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.inSetsLocked(path)
}

// text is the text a file has for the server: its open buffer, else its
// disk text when governed; ok is false otherwise.
func (st *store) text(path string) ([]byte, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if d := st.docByPathLocked(path); d != nil {
		return d.text, true
	}
	text, ok := st.disk[path]
	return text, ok
}

// isLoose reports whether path is a file of the folders no config governs.
func (st *store) isLoose(path string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.loose[path]
}

// loosePaths lists the files of the folders no config governs.
func (st *store) loosePaths() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Collect(maps.Keys(st.loose))
}

// allTexts is every file of the folders: governedTexts with the loose
// files read again from disk, for explain, which may need any policy.
func (st *store) allTexts(buffers map[string][]byte) map[string][]byte {
	texts := st.governedTexts()
	for _, path := range st.loosePaths() {
		if text, err := os.ReadFile(path); err == nil {
			texts[path] = text
		}
	}
	for path, text := range buffers {
		texts[path] = text
	}
	return texts
}

// buffers is the text of the open documents of the folders, by path.
func (st *store) buffers() map[string][]byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := map[string][]byte{}
	for _, d := range st.docs {
		if path, ok := uriPath(d.uri); ok && tree.Wanted(path) && st.folderOf(path) != "" {
			out[path] = d.text
		}
	}
	return out
}

// settings returns the editor settings in force.
func (st *store) settings() editorSettings {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.settingsLocked()
}

func (st *store) settingsLocked() editorSettings {
	if st.configured != nil {
		return *st.configured
	}
	return st.initOpts
}

// folderOf returns the innermost workspace folder that holds path, or "".
// The folders do not change after initialize.
func (st *store) folderOf(path string) string {
	best := ""
	for _, f := range st.folders {
		if tree.Within(path, f) && len(f) > len(best) {
			best = f
		}
	}
	return best
}

// configFor parses the .s3policy.json that governs path: the nearest one
// in its folder or above, up to the workspace folder that holds it (or
// the file's own folder outside every workspace folder). An open buffer
// of a config wins over the file on disk, and counts before it is saved.
func (st *store) configFor(path string) *analysis.Config {
	stop := st.folderOf(path)
	if stop == "" {
		stop = filepath.Dir(path)
	}
	configPath := tree.FindConfig(tree.Overlay{Buffers: st.buffers(), Under: tree.Disk{}}, path, stop)
	if configPath == "" {
		return nil
	}
	text, ok := st.text(configPath)
	if !ok {
		var err error
		if text, err = os.ReadFile(configPath); err != nil {
			return nil
		}
	}
	cfg, _ := analysis.ParseConfig(filepath.Dir(configPath), text)
	return cfg
}

// mayRead reports whether the server may read path from disk on behalf of
// the document doc: only files under a workspace folder, or beside doc.
func (st *store) mayRead(path, doc string) bool {
	return st.folderOf(path) != "" || filepath.Dir(path) == filepath.Dir(doc)
}

// uriPath returns the file path of a file: URI. For other schemes
// (untitled:, ...) ok is false.
func uriPath(u protocol.DocumentURI) (string, bool) {
	parsed, err := url.Parse(string(u))
	if err != nil || parsed.Scheme != "file" {
		return "", false
	}
	path := parsed.Path
	if len(path) >= 3 && path[0] == '/' && path[2] == ':' { // /C:/... on Windows
		path = path[1:]
	}
	return filepath.Clean(filepath.FromSlash(path)), true
}

// docPath is the path a document is analysed as: its file path, or for an
// unsaved buffer the name part of its URI, so that the file-name suffix
// still decides its kind.
func docPath(u protocol.DocumentURI) string {
	if path, ok := uriPath(u); ok {
		return path
	}
	s := string(u)
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return filepath.Clean(filepath.FromSlash(s))
}

// languageExtensions gives an unsaved buffer without a file-name ending
// (untitled:Untitled-1) the ending of its language, by which the readers
// choose it.
var languageExtensions = map[protocol.LanguageIdentifier]string{
	"json": ".json", "jsonc": ".json", "yaml": ".yaml", "terraform": ".tf",
}

// withLanguageExtension names an unsaved buffer whose name has no ending
// after its language; a file keeps its path.
func withLanguageExtension(path string, u protocol.DocumentURI, language protocol.LanguageIdentifier) string {
	if _, onDisk := uriPath(u); onDisk || filepath.Ext(path) != "" {
		return path
	}
	return path + languageExtensions[language]
}
