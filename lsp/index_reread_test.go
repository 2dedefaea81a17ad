package lsp

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A file's documents stand after a keystroke only when they all end
// before it: one that spans the edit, even at the same offsets (as a host
// map of places relative to something else would hold), does not.
func TestDocumentsStandOnlyBeforeTheEdit(t *testing.T) {
	text := []byte(`policy = "{}" # end`)
	source := func(text []byte, whole analysis.Span) *tree.Source {
		doc := &analysis.File{Path: "main.tf", Src: []byte("{}"), Host: &analysis.HostMap{Whole: whole}}
		return &tree.Source{Path: "main.tf", Text: text, Docs: []*analysis.File{doc}}
	}
	after := append([]byte(nil), text...)
	after = append(after, '!')               // typed after the document
	before := append([]byte("# "), text...)  // typed before it
	doc := analysis.Span{Start: 10, End: 12} // `{}` in text
	for _, c := range []struct {
		name   string
		now    []byte
		whole  analysis.Span
		stands bool
	}{
		{"typed after the document", after, doc, true},
		{"typed before it, places alike", before, doc, false},
		{"a deletion after it", text[:len(text)-1], doc, true},
		{"a replacement of the same length", []byte(`policy = "{}" # eNd`), doc, false},
	} {
		if got := standsAfter(source(text, doc), source(c.now, c.whole)); got != c.stands {
			t.Errorf("%s: standsAfter = %v, want %v", c.name, got, c.stands)
		}
	}
}
