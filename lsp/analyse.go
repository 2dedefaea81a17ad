package lsp

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// analysed is one version of a file with its findings, ready to be turned
// into diagnostics, hovers, code actions and the rest: the features read
// it, they never analyse again.
type analysed struct {
	s        *Server
	uri      protocol.DocumentURI
	path     string
	text     []byte
	m        *mapper.Mapper
	result   *analysis.Analysis // nil for .s3policy.json, which holds no policy
	findings []analysis.Finding // in the file's offsets
	locale   string
	// set is the set the analysis ran on, nil when the file was read
	// alone: the byte spans of Related are in the texts it holds.
	set *govSet
	// others are the files named by Related, read once; the scheduler's
	// publish and a feature (code action) may convert the same analysis
	// at once, so othersMu guards the cache.
	othersMu sync.Mutex
	others   map[string]*otherFile
}

// analyse analyses a version of an open document: with its governed set
// when the dependency index holds this text, else alone under the nearest
// .s3policy.json, with the editor settings laid over it. A .s3policy.json
// buffer gets the findings of its own parse.
func (s *Server) analyse(d *document, settings editorSettings) *analysed {
	if tree.IsConfig(d.path) {
		a := s.newAnalysed(d.uri, d.path, d.text)
		cfg, findings := analysis.ParseConfig(filepath.Dir(d.path), d.text)
		a.findings = settings.apply(findings)
		a.locale = s.locale(settings, cfg)
		return a
	}
	if g, src, docs := s.sched.index.lookup(d.path, d.text); src != nil {
		a := s.analyseSource(d.path, d.text, src.Findings, docs, settings)
		a.uri, a.set = d.uri, g
		return a
	}
	var cfg *analysis.Config
	if _, onDisk := uriPath(d.uri); onDisk { // an untitled buffer has no folder
		cfg = s.store.configFor(d.path)
	}
	src := tree.ReadKept(d.path, d.text, cfg) // the store never writes to a text
	a := s.analyseSource(d.path, d.text, src.Findings, src.Docs, settings)
	a.uri = d.uri
	return a
}

// analyseSource runs the checks on the documents of a file.
func (s *Server) analyseSource(path string, text []byte, fileFindings []analysis.Finding, docs []*analysis.File, settings editorSettings) *analysed {
	a := s.newAnalysed(uri.File(path), path, text)
	var cfg *analysis.Config
	if len(docs) > 0 {
		cfg = docs[0].Config
	}
	a.locale = s.locale(settings, cfg)
	a.result = analysis.AnalyzeFile(path, docs, fileFindings, s.analysisOptions(settings))
	a.findings = a.result.Findings
	return a
}

func (s *Server) newAnalysed(u protocol.DocumentURI, path string, text []byte) *analysed {
	return &analysed{s: s, uri: u, path: path, text: text, m: mapper.New(text)}
}

// readLoose reads a file no config governs from the disk.
func (s *Server) readLoose(path string) *tree.Source {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return tree.ReadKept(path, text, nil)
}

// holdsPolicy reports whether the file holds a policy or the reader said
// something of it: only those get diagnostics when closed.
func (a *analysed) holdsPolicy() bool {
	return a.result != nil && (slices.ContainsFunc(a.result.Docs, (*analysis.File).IsPolicyFile) || len(a.findings) > 0)
}

// relatedFiles lists the other files the diagnostics made so far point
// into.
func (a *analysed) relatedFiles() []string {
	a.othersMu.Lock()
	defer a.othersMu.Unlock()
	if len(a.others) == 0 {
		return nil
	}
	return slices.Collect(maps.Keys(a.others))
}

// otherFile is a file that a finding relates to.
type otherFile struct {
	uri protocol.DocumentURI
	m   *mapper.Mapper // nil when it could not be read
}

// other locates a file named by Related.File, relative to the document's
// folder unless absolute, under the URI of its open buffer if it has one.
// Its text is the one the analysis's set holds, which the related spans
// are offsets in (the store may be ahead of the set: a file changed on
// disk or an edit of another document, which the index takes in its next
// round; mapped through that text a span lands elsewhere, and stays
// there when the next round does not move this file's findings); else
// its open buffer, else the text the server holds, else the disk.
func (a *analysed) other(name string) *otherFile {
	path, u := a.relatedPath(name)
	a.othersMu.Lock()
	defer a.othersMu.Unlock()
	if o, ok := a.others[path]; ok {
		return o
	}
	st := a.s.store
	o := &otherFile{uri: u}
	d := st.docByPath(path)
	if d != nil {
		o.uri = d.uri
	}
	if src := a.setSource(path); src != nil {
		o.m = mapper.New(src.Text)
	} else if d != nil {
		o.m = mapper.New(d.text)
	} else if text, ok := st.text(path); ok {
		o.m = mapper.New(text)
	} else if st.mayRead(path, a.path) {
		if text, err := os.ReadFile(path); err == nil {
			o.m = mapper.New(text)
		}
	}
	if a.others == nil {
		a.others = map[string]*otherFile{}
	}
	a.others[path] = o
	return o
}

// relatedPath is the path of a file named by Related.File, relative to
// the document's folder unless absolute, and its URI on disk: made once
// for every file of the set that names it (govSet.relatedPath).
func (a *analysed) relatedPath(name string) (string, protocol.DocumentURI) {
	dir := filepath.Dir(a.path)
	if a.set != nil {
		return a.set.relatedPath(dir, name)
	}
	path := joinRelated(dir, name)
	return path, uri.File(path)
}

// joinRelated is the path of name, a file named by a finding of a file in
// dir.
func joinRelated(dir, name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(dir, name)
}

// setSource is the file at path as the analysis's set holds it, or nil.
func (a *analysed) setSource(path string) *tree.Source {
	if a.set == nil {
		return nil
	}
	return a.set.sources.get(path)
}

// relatedFile is a file the findings of a set's files relate to: its path
// and its URI on disk.
type relatedFile struct {
	path string
	uri  protocol.DocumentURI
}

// relatedPath is joinRelated(dir, name) and its URI, made once for the
// set: the files of a folder relate again and again to the same bucket
// policies, each by a path relative to its own folder, and each
// analysis joined it and made its URI anew (6 of the 9 MB the
// diagnostics' related files allocated in the first scan of 10,000
// governed policies: 4,097 files, looked up 29,864 times, near the memory
// budget where every 30 MB allocated is one more collection). The path is
// looked up without being made when it joins by dropping a folder of dir
// for each leading "../" of name (appendJoined); else it is joined first.
func (g *govSet) relatedPath(dir, name string) (string, protocol.DocumentURI) {
	var room [256]byte
	joined, ok := appendJoined(room[:0], dir, name)
	if !ok {
		joined = append(room[:0], joinRelated(dir, name)...)
	}
	g.relatedMu.Lock()
	f, hit := g.related[string(joined)]
	g.relatedMu.Unlock()
	if hit {
		return f.path, f.uri
	}
	path := string(joined)
	if src := g.sources.get(path); src != nil {
		path = src.Path // the set keeps that string anyway
	}
	f = relatedFile{path: path, uri: uri.File(path)}
	g.relatedMu.Lock()
	if g.related == nil {
		g.related = map[string]relatedFile{}
	}
	g.related[path] = f
	g.relatedMu.Unlock()
	return f.path, f.uri
}

// appendJoined appends filepath.Join(dir, name) to b when it is dir less
// a folder for each leading "../" of name, then the rest of name: dir an
// absolute clean path, name relative with no other "." or ".." element,
// no empty one, "/"-separated; dir not the root. ok is false otherwise,
// b unchanged.
func appendJoined(b []byte, dir, name string) ([]byte, bool) {
	if filepath.Separator != '/' || len(dir) < 2 || dir[0] != '/' || dir != filepath.Clean(dir) || name == "" || name[0] == '/' {
		return b, false
	}
	for strings.HasPrefix(name, "../") {
		i := strings.LastIndexByte(dir, '/')
		if i <= 0 {
			return b, false // at the root: Join decides
		}
		dir, name = dir[:i], name[len("../"):]
	}
	for rest := name; ; {
		elem, after, more := strings.Cut(rest, "/")
		if elem == "" || elem == "." || elem == ".." {
			return b, false
		}
		if !more {
			break
		}
		rest = after
	}
	b = append(b, dir...)
	b = append(b, '/')
	return append(b, name...), true
}
