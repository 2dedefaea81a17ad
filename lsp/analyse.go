package lsp

import (
	"os"
	"path/filepath"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// analysed is one snapshot with its findings, ready to be turned into
// diagnostics, hovers, code actions and the rest.
type analysed struct {
	s        *Server
	snap     snapshot
	m        *mapper.Mapper
	result   *analysis.Analysis // nil for .s3policy.json, which holds no policy
	findings []analysis.Finding // in the document's offsets
	locale   string
	others   map[string]*otherFile // files named by Related, read once
}

// analyse runs the checks on a snapshot, under the nearest .s3policy.json
// with the editor settings laid over it. A .s3policy.json buffer gets the
// findings of its own parse.
func (s *Server) analyse(snap snapshot) *analysed {
	settings := s.settings()
	a := &analysed{s: s, snap: snap, m: mapper.New(snap.text)}
	if isConfig(snap.path) {
		cfg, findings := analysis.ParseConfig(filepath.Dir(snap.path), snap.text)
		a.findings = settings.apply(findings)
		a.locale = s.locale(settings, cfg)
		return a
	}
	var cfg *analysis.Config
	if _, onDisk := uriPath(snap.uri); onDisk { // an untitled buffer has no folder
		cfg = s.configFor(snap.path)
	}
	src := tree.Read(snap.path, snap.text, cfg)
	if _, governed := tree.SetOf(s.governedSets(s.workspaceTexts(map[string][]byte{snap.path: snap.text})), snap.path); governed != nil {
		src = governed // cross-file findings, once the scan has read the other files
	}
	a.locale = s.locale(settings, cfg)
	a.result = analysis.AnalyzeFile(snap.path, src.Docs, src.Findings, s.analysisOptions(settings))
	a.findings = a.result.Findings
	return a
}

// configFor finds the .s3policy.json that governs path: the nearest one in
// its folder or above, up to the workspace folder that holds it. An open
// buffer of a config wins over the file on disk, and counts even before it
// is saved.
func (s *Server) configFor(path string) *analysis.Config {
	stop := s.folderOf(path)
	if stop == "" {
		// A file opened outside every workspace folder: the server reads
		// nothing above the file's own folder.
		stop = filepath.Dir(path)
	}
	onDisk := tree.FindConfig(tree.Disk{}, path, stop)
	for dir := filepath.Dir(path); ; {
		candidate := filepath.Join(dir, analysis.ConfigName)
		if text, ok := s.openText(candidate); ok {
			cfg, _ := analysis.ParseConfig(dir, text)
			return cfg
		}
		if candidate == onDisk {
			text, err := os.ReadFile(onDisk)
			if err != nil {
				s.logf("reading %s: %v", onDisk, err)
				return nil
			}
			cfg, _ := analysis.ParseConfig(dir, text)
			return cfg
		}
		parent := filepath.Dir(dir)
		if parent == dir || dir == stop {
			return nil
		}
		dir = parent
	}
}

// mayRead reports whether the server may read path from disk on behalf of
// the document doc: only files under a workspace folder, or beside doc.
func (s *Server) mayRead(path, doc string) bool {
	return s.folderOf(path) != "" || filepath.Dir(path) == filepath.Dir(doc)
}

// folderOf returns the innermost workspace folder that holds path, or "".
func (s *Server) folderOf(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := ""
	for _, f := range s.folders {
		if within(path, f) && len(f) > len(best) {
			best = f
		}
	}
	return best
}

// openText returns the text of the open buffer of a file, if any.
func (s *Server) openText(path string) ([]byte, bool) {
	d := s.docByPath(path)
	if d == nil {
		return nil, false
	}
	return d.snapshot().text, true
}

func (s *Server) docByPath(path string) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	for u, d := range s.docs {
		if p, ok := uriPath(u); ok && p == path {
			return d
		}
	}
	return nil
}

// otherFile is a file that a finding relates to.
type otherFile struct {
	uri protocol.DocumentURI
	m   *mapper.Mapper // nil when it could not be read
}

// other locates a file named by Related.File, relative to the document's
// folder unless absolute, preferring its open buffer to the disk.
func (a *analysed) other(name string) *otherFile {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(a.snap.path), name)
	}
	path = filepath.Clean(path)
	if o, ok := a.others[path]; ok {
		return o
	}
	o := &otherFile{uri: uri.File(path)}
	if d := a.s.docByPath(path); d != nil {
		o.uri, o.m = d.uri, mapper.New(d.snapshot().text)
	} else if a.s.mayRead(path, a.snap.path) {
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
