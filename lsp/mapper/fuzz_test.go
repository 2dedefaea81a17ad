package mapper

import (
	"os"
	"testing"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// FuzzMapper checks, on any content: a position is never out of range,
// an offset is always within the content, and every offset that starts
// a character (as utf8.DecodeRune steps) survives the round trip through
// Position and back, except the one between "\r" and "\n", which LSP
// cannot name.
func FuzzMapper(f *testing.F) {
	for _, s := range []string{"", "\n", "a\r\nb", "\r\r\n\n", "é😀x\ny", "\xff\xe2\x82\n\xf0\x9f", "{\n  \"Sid\": \"読み取り\"\r\n}"} {
		f.Add([]byte(s), 3, 1)
	}
	for _, name := range checktest.ExampleFiles(f)[:20] {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src, len(src)/2, 7)
		}
	}
	f.Fuzz(func(t *testing.T, content []byte, offset, character int) {
		m := New(content)
		lines := 1 + countNewlines(content)
		p := m.Position(offset)
		if q := newIndexed(content).Position(offset); q != p {
			t.Fatalf("Position(%d) = %+v counted, %+v from the table of lines", offset, p, q)
		}
		if line, col := NewCounter(content).LineCol(offset); line != p.Line+1 || col != p.Character+1 {
			t.Fatalf("Counter.LineCol(%d) = %d:%d, Mapper %+v", offset, line, col, p)
		}
		if p.Line < 0 || p.Line >= lines || p.Character < 0 {
			t.Fatalf("Position(%d) = %+v, out of range (%d lines)", offset, p, lines)
		}
		for _, q := range []Position{{p.Line, character}, {offset, character}, {-offset, -character}} {
			if o := m.Offset(q); o < 0 || o > len(content) {
				t.Fatalf("Offset(%+v) = %d, outside %d bytes", q, o, len(content))
			}
		}
		for o := 0; o <= len(content); {
			between := o > 0 && o < len(content) && content[o-1] == '\r' && content[o] == '\n'
			if back := m.Offset(m.Position(o)); back != o && !between {
				t.Fatalf("offset %d -> %+v -> %d in %q", o, m.Position(o), back, content)
			}
			if o == len(content) {
				break
			}
			_, size := utf8.DecodeRune(content[o:])
			o += size
		}
	})
}

func countNewlines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}
