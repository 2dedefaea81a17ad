package source_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// A JSON string decodes into exact runs and one piece per escape, a
// surrogate pair being one character; the document written from them
// maps each offset to the host's character.
func TestJSONStringPieces(t *testing.T) {
	host := `x = "日本\"\ud83d\ude80\n"`
	token := analysis.Span{Start: 4, End: len(host)}
	pieces, ok := source.JSONStringPieces([]byte(host), token)
	if !ok || source.Value(pieces) != "日本\"🚀\n" || len(pieces) != 4 {
		t.Fatalf("pieces %+v %v", pieces, ok)
	}
	if p := pieces[2]; p.Exact || host[p.Host.Start:p.Host.End] != `\ud83d\ude80` || p.Text != "🚀" {
		t.Errorf("surrogate pair piece %+v", p)
	}
	var b analysis.HostBuilder
	source.WriteRaw(&b, pieces, 1)
	m := b.Map(token)
	quote := len("日本")
	if got := m.Span(analysis.Span{Start: quote, End: quote + 1}); host[got.Start:got.End] != `\"` {
		t.Errorf("the quote maps to %q", host[got.Start:got.End])
	}
	edits, ok := m.Edits([]analysis.Edit{{Span: analysis.Span{Start: 0, End: quote}, NewText: "a\"b"}})
	if !ok || edits[0].Span != (analysis.Span{Start: 5, End: 5 + len("日本")}) {
		t.Errorf("edit %+v %v", edits, ok)
	}
	if _, ok := source.JSONStringPieces([]byte(`"\x"`), analysis.Span{Start: 0, End: 4}); ok {
		t.Error("a bad escape decoded")
	}
}
