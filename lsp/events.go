package lsp

import (
	"encoding/json"
	"runtime/trace"

	"go.lsp.dev/protocol"
)

// The file events: each handler decodes its notification into an event
// for modify, the one entry through which every change reaches the store
// and the scheduler.

// modify applies an event to the store and hands what it touched to the
// scheduler.
func (s *Server) modify(ev event) error {
	touched, err := s.store.modify(ev)
	if err != nil {
		return err
	}
	if c := s.cache.Load(); c != nil {
		c.noteEvent(ev.kind, s.store.settings())
	}
	s.sched.enqueue(touched)
	return nil
}

func (s *Server) didOpen(params json.RawMessage) error {
	var p protocol.DidOpenTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	item := p.TextDocument
	return s.modify(event{kind: opened, uri: item.URI, text: []byte(item.Text), version: item.Version, language: item.LanguageID})
}

// changeParams is DidChangeTextDocumentParams with the change's Range as
// a pointer: protocol v0.12.0 declares it a value, which cannot tell a
// whole-text replacement from an insertion at 0:0.
type changeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []textChange                             `json:"contentChanges"`
}

func (s *Server) didChange(params json.RawMessage) error {
	var p changeParams
	if err := decode(params, &p); err != nil {
		return err
	}
	if trace.IsEnabled() { // serve --trace: when each version came (Logf's arguments are boxed before it looks)
		trace.Logf(s.ctx, "didChange", "%s %d", p.TextDocument.URI, p.TextDocument.Version)
	}
	return s.modify(event{kind: changed, uri: p.TextDocument.URI, version: p.TextDocument.Version, edits: p.ContentChanges})
}

func (s *Server) didSave(params json.RawMessage) error {
	var p protocol.DidSaveTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	return s.modify(event{kind: saved, uri: p.TextDocument.URI})
}

func (s *Server) didClose(params json.RawMessage) error {
	var p protocol.DidCloseTextDocumentParams
	if err := decode(params, &p); err != nil {
		return err
	}
	return s.modify(event{kind: closed, uri: p.TextDocument.URI})
}

// didChangeWatchedFiles reads again the files that changed on disk, for
// clients that watch files for us.
func (s *Server) didChangeWatchedFiles(params json.RawMessage) error {
	var p protocol.DidChangeWatchedFilesParams
	if err := decode(params, &p); err != nil {
		return err
	}
	for _, change := range p.Changes {
		if change == nil {
			continue
		}
		if path, ok := uriPath(change.URI); ok {
			if err := s.modify(event{kind: onDisk, path: path}); err != nil {
				return err
			}
		}
	}
	return nil
}
