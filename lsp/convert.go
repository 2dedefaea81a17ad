package lsp

import (
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
