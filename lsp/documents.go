package lsp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// document is an open buffer. Its text changes on the read loop; its
// worker analyses it and publishes diagnostics off the loop. The one-slot
// kick channel coalesces a burst of edits into one analysis of the latest
// text, as regal does.
type document struct {
	uri  protocol.DocumentURI
	path string // the file's path; for a non-file URI, its path part

	mu      sync.Mutex
	text    []byte
	version int32
	closed  bool

	kick chan struct{}
	done chan struct{} // closed when the worker has published its last
}

// snapshot is one version of a document.
type snapshot struct {
	uri     protocol.DocumentURI
	path    string
	text    []byte
	version int32
}

func (d *document) snapshot() snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	return snapshot{uri: d.uri, path: d.path, text: d.text, version: d.version}
}

func (d *document) poke() {
	select {
	case d.kick <- struct{}{}:
	default: // an analysis is already due; it will read the latest text
	}
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

func isConfig(path string) bool { return filepath.Base(path) == analysis.ConfigName }

func (s *Server) didOpen(params json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	item := p.TextDocument
	d := &document{
		uri: item.URI, path: withLanguageExtension(docPath(item.URI), item.URI, item.LanguageID),
		text: []byte(item.Text), version: item.Version,
		kick: make(chan struct{}, 1), done: make(chan struct{}),
	}
	s.mu.Lock()
	previous := s.docs[item.URI]
	if previous == nil {
		previous = s.retired[item.URI]
	}
	s.docs[item.URI] = d
	delete(s.ws.published, d.path) // its worker publishes it now
	s.mu.Unlock()
	s.retire(previous) // when opened twice without a close
	s.startWorker(d, previous)
	s.changed(d)
	return nil
}

// changeParams is DidChangeTextDocumentParams with the change's Range as
// a pointer: protocol v0.12.0 declares it a value, which cannot tell a
// whole-text replacement from an insertion at 0:0.
type changeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []struct {
		Range *protocol.Range `json:"range"`
		Text  string          `json:"text"`
	} `json:"contentChanges"`
}

func (s *Server) didChange(params json.RawMessage) error {
	var p changeParams
	if err := decode(params, &p); err != nil {
		return err
	}
	d, err := s.openDoc(p.TextDocument.URI, "a change to")
	if err != nil {
		return err
	}
	d.mu.Lock()
	if p.TextDocument.Version <= d.version {
		old := d.version
		d.mu.Unlock()
		return fmt.Errorf("ignoring version %d of %s: version %d is already in", p.TextDocument.Version, d.uri, old)
	}
	// The server asks for full sync, but a change with a range is applied
	// as the ranged edit it is rather than taken for the whole text.
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			d.text = []byte(c.Text)
			continue
		}
		m := mapper.New(d.text)
		start, end := m.Offset(fromPosition(c.Range.Start)), m.Offset(fromPosition(c.Range.End))
		d.text = slices.Concat(d.text[:start], []byte(c.Text), d.text[max(start, end):])
	}
	d.version = p.TextDocument.Version
	d.mu.Unlock()
	s.changed(d)
	return nil
}

func (s *Server) didSave(params json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	d, err := s.openDoc(p.TextDocument.URI, "a save of")
	if err != nil {
		return err
	}
	s.changed(d)
	return nil
}

func (s *Server) didClose(params json.RawMessage) error {
	var p protocol.DidCloseTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	delete(s.docs, p.TextDocument.URI)
	if d != nil {
		s.retired[d.uri] = d
	}
	s.mu.Unlock()
	if d == nil {
		return fmt.Errorf("ignoring a close of %s, which is not open", p.TextDocument.URI)
	}
	s.retire(d)
	if isConfig(d.path) { // the file on disk, if any, governs again
		s.configChanged(d.path)
	}
	s.workspaceChanged() // its disk text counts again, and it gets its disk diagnostics
	return nil
}

// didChangeWatchedFiles re-analyses the documents under a .s3policy.json
// that changed on disk, for clients that watch files for us.
func (s *Server) didChangeWatchedFiles(params json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decode(params, &p); err != nil {
		return err
	}
	for _, change := range p.Changes {
		if change != nil && isConfig(docPath(change.URI)) {
			s.configChanged(docPath(change.URI))
		}
	}
	s.watchedFilesChanged(&p)
	return nil
}

// changed analyses a document again, and when it is a .s3policy.json the
// documents it governs too.
func (s *Server) changed(d *document) {
	d.poke()
	s.workspaceChanged()
	if isConfig(d.path) {
		s.configChanged(d.path)
	}
}

// retire closes a document: its worker clears its diagnostics with [] and
// stops. A nil document is left alone.
func (s *Server) retire(d *document) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.poke()
}

// openDoc returns an open document, or the error to log for an event on
// one that is not open.
func (s *Server) openDoc(u protocol.DocumentURI, event string) (*document, error) {
	if d := s.doc(u); d != nil {
		return d, nil
	}
	return nil, fmt.Errorf("ignoring %s %s, which is not open", event, u)
}

func (s *Server) doc(u protocol.DocumentURI) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[u]
}

// configChanged re-analyses the open documents in the folder of a
// .s3policy.json and below it.
func (s *Server) configChanged(configPath string) {
	dir := filepath.Dir(configPath)
	s.reanalyse(func(d *document) bool {
		return d.path != configPath && within(d.path, dir)
	})
}

func (s *Server) reanalyse(which func(*document) bool) {
	s.mu.Lock()
	var due []*document
	for _, d := range s.docs {
		if which(d) {
			due = append(due, d)
		}
	}
	s.mu.Unlock()
	for _, d := range due {
		d.poke()
	}
}

// within reports whether path lies in dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// forget marks the document's worker as finished and drops it from the
// retired ones.
func (s *Server) forget(d *document) {
	close(d.done)
	s.mu.Lock()
	if s.retired[d.uri] == d {
		delete(s.retired, d.uri)
	}
	s.mu.Unlock()
}

// startWorker runs the document's analyses one at a time. A document
// reopened under the same URI waits for its predecessor's worker to clear
// the old diagnostics first, so that the [] cannot land after the new ones.
func (s *Server) startWorker(d, previous *document) {
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		defer s.forget(d)
		if previous != nil {
			select {
			case <-previous.done:
			case <-s.ctx.Done():
				return
			}
		}
		published := int32(-1 << 31)
		for {
			select {
			case <-d.kick:
			case <-s.ctx.Done():
				return
			}
			d.mu.Lock()
			closed := d.closed
			d.mu.Unlock()
			if closed {
				s.publish(d.uri, 0, []protocol.Diagnostic{})
				return
			}
			snap := d.snapshot()
			if snap.version < published {
				continue // cannot happen with one worker; kept as the rule
			}
			diags, ok := s.diagnose(snap)
			if ok {
				s.publish(snap.uri, snap.version, diags)
				published = snap.version
			}
		}
	}()
}

// diagnose analyses a snapshot into diagnostics; a panic is logged and
// publishes nothing, so the previous diagnostics stay.
func (s *Server) diagnose(snap snapshot) (diags []protocol.Diagnostic, ok bool) {
	err := s.guard("analysis of "+string(snap.uri), func() error {
		diags = s.analyse(snap).diagnostics()
		return nil
	})
	return diags, err == nil
}

func (s *Server) publish(u protocol.DocumentURI, version int32, diags []protocol.Diagnostic) {
	if diags == nil {
		diags = []protocol.Diagnostic{} // nil would go out as null
	}
	params := &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}
	if version > 0 {
		params.Version = uint32(version)
	}
	if err := s.conn.Notify(s.ctx, protocol.MethodTextDocumentPublishDiagnostics, params); err != nil && s.ctx.Err() == nil {
		s.logf("publishing diagnostics for %s: %v", u, err)
	}
}
