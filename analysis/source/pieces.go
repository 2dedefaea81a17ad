package source

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A host often writes a string differently from its value: a JSON string
// escapes quotes, a YAML block scalar indents every line. Piece is one
// run of a string's value with the host bytes that write it; Exact when
// the value's bytes are the host's, one for one (an unescaped run), so
// that positions inside keep their distance and edits can be written there.
type Piece struct {
	Host  analysis.Span
	Text  string
	Exact bool
}

// Value is the decoded text of the pieces.
func Value(pieces []Piece) string {
	var b strings.Builder
	for _, p := range pieces {
		b.WriteString(p.Text)
	}
	return b.String()
}

// JSONStringPieces decodes the JSON string whose token (quotes included)
// is host[token.Start:token.End]: runs of plain bytes are exact pieces,
// each escape a piece of its own. ok is false when the token is not a
// well-formed string.
func JSONStringPieces(host []byte, token analysis.Span) ([]Piece, bool) {
	if token.Len() < 2 || host[token.Start] != '"' || host[token.End-1] != '"' {
		return nil, false
	}
	var out []Piece
	run := token.Start + 1
	flush := func(end int) {
		if end > run {
			out = append(out, Piece{Host: analysis.Span{Start: run, End: end}, Text: string(host[run:end]), Exact: true})
		}
	}
	end := token.End - 1
	for i := run; i < end; {
		if host[i] != '\\' {
			i++
			continue
		}
		flush(i)
		n, text, ok := jsonEscape(host[i:end])
		if !ok {
			return nil, false
		}
		out = append(out, Piece{Host: analysis.Span{Start: i, End: i + n}, Text: text})
		i += n
		run = i
	}
	flush(end)
	return out, true
}

// jsonEscape decodes the escape at the start of b: its length and text.
func jsonEscape(b []byte) (int, string, bool) {
	if len(b) < 2 {
		return 0, "", false
	}
	switch b[1] {
	case '"', '\\', '/':
		return 2, string(b[1]), true
	case 'b':
		return 2, "\b", true
	case 'f':
		return 2, "\f", true
	case 'n':
		return 2, "\n", true
	case 'r':
		return 2, "\r", true
	case 't':
		return 2, "\t", true
	case 'u':
		r, ok := hex4(b[2:])
		if !ok {
			return 0, "", false
		}
		// A surrogate pair is two escapes that make one character.
		if r >= 0xD800 && r < 0xDC00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if lo, ok := hex4(b[8:]); ok && lo >= 0xDC00 && lo < 0xE000 {
				return 12, string(rune((r-0xD800)<<10 + (lo - 0xDC00) + 0x10000)), true
			}
		}
		if r >= 0xD800 && r < 0xE000 {
			return 6, string(utf8.RuneError), true
		}
		return 6, string(r), true
	}
	return 0, "", false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v), err == nil
}

// EscapeJSON writes s as the inside of a JSON string: quotes, backslashes
// and control characters escaped, everything else as it is.
func EscapeJSON(s string) string {
	q := analysis.Quote(s)
	return q[1 : len(q)-1]
}

// WriteRaw writes the pieces' text into the document as it is (the text
// of a policy held in a string): exact pieces are copied, writable as
// region; the others are mapped to their host bytes as a whole, with
// empty writable marks at both ends so that an edit may start or end
// next to them.
func WriteRaw(b *analysis.HostBuilder, pieces []Piece, region int) {
	for _, p := range pieces {
		if p.Exact {
			b.Copy(p.Host, p.Text, region)
			continue
		}
		b.Copy(analysis.Span{Start: p.Host.Start, End: p.Host.Start}, "", region)
		b.Wrap(p.Host, func() { b.Write(p.Text) })
		b.Copy(analysis.Span{Start: p.Host.End, End: p.Host.End}, "", region)
	}
}

// WriteString writes the pieces' text as a JSON string whose host token
// is token (quotes included, if the host has any). An edit of the whole
// string, quotes included, maps to the whole token: the marks at its ends
// are in region. Exact pieces that need no JSON escape are copied.
func WriteString(b *analysis.HostBuilder, pieces []Piece, token analysis.Span, region int) {
	b.Copy(analysis.Span{Start: token.Start, End: token.Start}, "", region)
	b.Wrap(token, func() {
		b.Write(`"`)
		for _, p := range pieces {
			esc := EscapeJSON(p.Text)
			if p.Exact && esc == p.Text {
				b.Copy(p.Host, p.Text, region)
				continue
			}
			b.Copy(analysis.Span{Start: p.Host.Start, End: p.Host.Start}, "", region)
			b.Wrap(p.Host, func() { b.Write(esc) })
			b.Copy(analysis.Span{Start: p.Host.End, End: p.Host.End}, "", region)
		}
		b.Write(`"`)
	})
	b.Copy(analysis.Span{Start: token.End, End: token.End}, "", region)
}
