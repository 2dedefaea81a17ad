package lsp

import (
	"strconv"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// toRange maps a byte span to an LSP range in UTF-16 code units.
func toRange(m *mapper.Mapper, span analysis.Span) protocol.Range {
	return protocol.Range{Start: toPosition(m.Position(span.Start)), End: toPosition(m.Position(span.End))}
}

func toPosition(p mapper.Position) protocol.Position {
	return protocol.Position{Line: uint32(p.Line), Character: uint32(p.Character)}
}

func fromPosition(p protocol.Position) mapper.Position {
	return mapper.Position{Line: int(p.Line), Character: int(p.Character)}
}

func (a *analysed) rng(span analysis.Span) protocol.Range { return toRange(a.m, span) }

// diagnostics converts every finding; never nil, as nil goes out as null.
func (a *analysed) diagnostics() []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(a.findings))
	for _, f := range a.findings {
		out = append(out, a.diagnostic(f))
	}
	return out
}

func (a *analysed) diagnostic(f analysis.Finding) protocol.Diagnostic {
	d := protocol.Diagnostic{
		Range:    a.rng(f.Span),
		Severity: protocol.DiagnosticSeverity(f.Severity),
		Code:     f.Code,
		Source:   Source,
		Message:  f.Message.In(a.locale),
	}
	if f.DocURL != "" {
		d.CodeDescription = &protocol.CodeDescription{Href: protocol.URI(f.DocURL)}
	}
	for _, r := range f.Related {
		d.RelatedInformation = append(d.RelatedInformation, a.related(r))
	}
	return d
}

func (a *analysed) related(r analysis.Related) protocol.DiagnosticRelatedInformation {
	loc := protocol.Location{URI: a.uri, Range: a.rng(r.Span)}
	if r.File != "" {
		o := a.other(r.File)
		loc = protocol.Location{URI: o.uri}
		if o.m != nil { // unreadable: point at its start rather than drop it
			loc.Range = toRange(o.m, r.Span)
		}
	}
	return protocol.DiagnosticRelatedInformation{Location: loc, Message: r.Message.In(a.locale)}
}

// appendDiagnostics appends the JSON of the file's diagnostics, byte for
// byte what json.Append (with the flags jsonrpc2 encodes with) makes of
// a.diagnostics(), without making them: the protocol's structs of every
// finding and their encoding by reflection were a tenth of the bytes the
// server allocated for itself in a first scan of 10,000 governed
// policies, where each allocation brings the next collection nearer
// (the heap is near the memory budget then). Fields in the order of
// protocol.Diagnostic, the empty ones left out as its tags say (code is
// an interface: "" is written); never null.
func (a *analysed) appendDiagnostics(b []byte) []byte {
	b = append(b, '[')
	var last struct { // the file the previous related place was in
		name string
		file *otherFile
	}
	for i := range a.findings {
		f := &a.findings[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"range":`...)
		b = appendRange(b, a.m, f.Span)
		if f.Severity != 0 {
			b = append(b, `,"severity":`...)
			b = strconv.AppendInt(b, int64(f.Severity), 10) // a float64 of an integer: the same digits
		}
		b = append(b, `,"code":`...)
		b = appendJSONString(b, f.Code)
		if f.DocURL != "" {
			b = append(b, `,"codeDescription":{"href":`...)
			b = appendJSONString(b, f.DocURL)
			b = append(b, '}')
		}
		b = append(b, `,"source":`...)
		b = appendJSONString(b, Source)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, f.Message.In(a.locale))
		if len(f.Related) > 0 {
			b = append(b, `,"relatedInformation":[`...)
			for j, r := range f.Related {
				if j > 0 {
					b = append(b, ',')
				}
				u, m := a.uri, a.m
				if r.File != "" {
					if r.File != last.name || last.file == nil {
						last.name, last.file = r.File, a.other(r.File)
					}
					u, m = last.file.uri, last.file.m
				}
				b = append(b, `{"location":{"uri":`...)
				b = appendJSONString(b, string(u))
				b = append(b, `,"range":`...)
				if m != nil {
					b = appendRange(b, m, r.Span)
				} else { // unreadable: its start, as related does
					b = append(b, `{"start":{"line":0,"character":0},"end":{"line":0,"character":0}}`...)
				}
				b = append(b, `},"message":`...)
				b = appendJSONString(b, r.Message.In(a.locale))
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendRange appends the JSON of toRange(m, span).
func appendRange(b []byte, m *mapper.Mapper, span analysis.Span) []byte {
	b = append(b, `{"start":`...)
	b = appendPosition(b, m.Position(span.Start))
	b = append(b, `,"end":`...)
	b = appendPosition(b, m.Position(span.End))
	return append(b, '}')
}

func appendPosition(b []byte, p mapper.Position) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendUint(b, uint64(uint32(p.Line)), 10)
	b = append(b, `,"character":`...)
	b = strconv.AppendUint(b, uint64(uint32(p.Character)), 10)
	return append(b, '}')
}

// textEdits maps byte edits to LSP text edits.
func (a *analysed) textEdits(edits []analysis.Edit) []protocol.TextEdit {
	out := make([]protocol.TextEdit, len(edits))
	for i, e := range edits {
		out[i] = protocol.TextEdit{Range: a.rng(e.Span), NewText: e.NewText}
	}
	return out
}

// symbols maps the outline: statements as structs, elements as properties.
func (a *analysed) symbols(syms []analysis.Symbol) []protocol.DocumentSymbol {
	out := make([]protocol.DocumentSymbol, len(syms))
	for i, sym := range syms {
		kind := protocol.SymbolKindStruct
		if sym.IsElement {
			kind = protocol.SymbolKindProperty
		}
		name := sym.Name
		if name == "" { // LSP requires a name
			name = "(empty)"
		}
		out[i] = protocol.DocumentSymbol{
			Name: name, Detail: sym.Detail, Kind: kind,
			Range: a.rng(sym.Span), SelectionRange: a.rng(sym.NameSpan),
			Children: a.symbols(sym.Children),
		}
	}
	return out
}

var completionKinds = map[analysis.CompletionKind]protocol.CompletionItemKind{
	analysis.CompleteValue:    protocol.CompletionItemKindValue,
	analysis.CompleteElement:  protocol.CompletionItemKindProperty,
	analysis.CompleteService:  protocol.CompletionItemKindModule,
	analysis.CompleteAction:   protocol.CompletionItemKindFunction,
	analysis.CompleteOperator: protocol.CompletionItemKindOperator,
	analysis.CompleteKey:      protocol.CompletionItemKindField,
	analysis.CompleteSnippet:  protocol.CompletionItemKindSnippet,
}

func (a *analysed) completionItem(c analysis.CompletionItem) protocol.CompletionItem {
	item := protocol.CompletionItem{
		Label:    c.Label,
		Kind:     completionKinds[c.Kind],
		Detail:   c.Detail,
		TextEdit: &protocol.TextEdit{Range: a.rng(c.Replace), NewText: c.NewText},
	}
	if doc := c.Doc.In(a.locale); doc != "" {
		item.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: doc}
	}
	if c.Snippet {
		item.InsertTextFormat = protocol.InsertTextFormatSnippet
	}
	return item
}
