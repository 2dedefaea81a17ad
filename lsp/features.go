package lsp

import (
	"encoding/json"
	"slices"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Each feature takes its document's version on the read loop (so it sees
// every edit sent before it) and reads the scheduler's analysis of that
// version off the loop: features never run the checks again.

// onDocument decodes params, takes the version of the document they name
// and returns the work to do on its analysis; a document that is not open
// gets the empty answer.
func onDocument[P any](s *Server, params json.RawMessage, doc func(*P) protocol.DocumentURI, empty any,
	work func(a *analysed, p *P) (any, error)) (func() (any, error), error) {
	var p P
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	d := s.store.doc(doc(&p))
	if d == nil {
		s.logf("request for %s, which is not open", doc(&p))
		return func() (any, error) { return empty, nil }, nil
	}
	return func() (any, error) { return work(s.sched.analysisOf(d), &p) }, nil
}

func (s *Server) hover(params json.RawMessage) (func() (any, error), error) {
	return onDocument(s, params, func(p *protocol.HoverParams) protocol.DocumentURI { return p.TextDocument.URI }, nil,
		func(a *analysed, p *protocol.HoverParams) (any, error) {
			offset := a.m.Offset(fromPosition(p.Position))
			var text analysis.Text
			var span analysis.Span
			var ok bool
			if a.result != nil {
				text, span, ok = a.result.Hover(offset, s.opts.Hovers)
			} else { // .s3policy.json: its findings only
				text, span, ok = analysis.Hover(&analysis.File{Path: a.path, Src: a.text}, a.findings, offset, nil)
			}
			if !ok {
				return nil, nil
			}
			r := a.rng(span)
			return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: text.In(a.locale)}, Range: &r}, nil
		})
}

func (s *Server) codeAction(params json.RawMessage) (func() (any, error), error) {
	return onDocument(s, params, func(p *protocol.CodeActionParams) protocol.DocumentURI { return p.TextDocument.URI }, []protocol.CodeAction{},
		func(a *analysed, p *protocol.CodeActionParams) (any, error) {
			actions := []protocol.CodeAction{}
			if !wantsQuickFix(p.Context.Only) {
				return actions, nil
			}
			want := analysis.Span{Start: a.m.Offset(fromPosition(p.Range.Start)), End: a.m.Offset(fromPosition(p.Range.End))}
			for _, f := range a.findings {
				if !f.HasFixes() || !overlaps(f.Span, want) && len(p.Context.Diagnostics) == 0 {
					continue
				}
				diag := a.diagnostic(f)
				if !overlaps(f.Span, want) && !sentBack(diag, p.Context.Diagnostics) {
					continue
				}
				fixes := f.AllFixes()
				for _, fix := range fixes {
					actions = append(actions, protocol.CodeAction{
						Title:       fix.Title.In(a.locale),
						Kind:        protocol.QuickFix,
						Diagnostics: []protocol.Diagnostic{diag},
						IsPreferred: len(fixes) == 1,
						Edit:        &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{a.uri: a.textEdits(fix.Edits)}},
					})
				}
			}
			return actions, nil
		})
}

// sentBack says whether the client sent the diagnostic in the context of a
// code action: Neovim 0.7's vim.lsp.buf.code_action() sends the cursor as
// the range but every diagnostic of the cursor's line, and expects their
// fixes wherever the cursor is on the line.
func sentBack(diag protocol.Diagnostic, sent []protocol.Diagnostic) bool {
	for _, d := range sent {
		if d.Range == diag.Range && d.Code == diag.Code && d.Source == diag.Source {
			return true
		}
	}
	return false
}

// wantsQuickFix reads CodeActionContext.only: empty asks for every kind.
func wantsQuickFix(only []protocol.CodeActionKind) bool {
	return len(only) == 0 || slices.Contains(only, protocol.QuickFix)
}

// overlaps treats both spans as closed, so that a cursor on either edge of
// a finding, or on an empty finding, still gets its fix.
func overlaps(a, b analysis.Span) bool {
	return a.Start <= b.End && b.Start <= a.End
}

func (s *Server) documentSymbol(params json.RawMessage) (func() (any, error), error) {
	return onDocument(s, params, func(p *protocol.DocumentSymbolParams) protocol.DocumentURI { return p.TextDocument.URI }, []protocol.DocumentSymbol{},
		func(a *analysed, _ *protocol.DocumentSymbolParams) (any, error) {
			if a.result == nil {
				return []protocol.DocumentSymbol{}, nil
			}
			return a.symbols(a.result.Outline()), nil
		})
}

func (s *Server) completion(params json.RawMessage) (func() (any, error), error) {
	empty := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	return onDocument(s, params, func(p *protocol.CompletionParams) protocol.DocumentURI { return p.TextDocument.URI }, empty,
		func(a *analysed, p *protocol.CompletionParams) (any, error) {
			list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
			if a.result == nil {
				return list, nil
			}
			for _, c := range a.result.Complete(a.m.Offset(fromPosition(p.Position)), s.opts.Completers) {
				list.Items = append(list.Items, a.completionItem(c))
			}
			return list, nil
		})
}
