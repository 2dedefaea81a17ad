// Package mapper converts between byte offsets, which the analysis speaks,
// and the line/character positions of the Language Server Protocol, whose
// characters are UTF-16 code units. It is modelled on gopls's
// protocol.Mapper: the line table is built once per document version and
// every conversion is a binary search plus a scan of one line.
package mapper

import (
	"bytes"
	"sort"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
)

// Mapper maps positions in one version of a document. It is safe for
// concurrent use.
type Mapper struct {
	content []byte
	// lineStarts is the byte offset of the start of each line, built
	// once the positions asked have counted more bytes than building it
	// reads (countBudget): most mappers map a file's few findings, or the
	// one place a diagnostic relates to in another file, and the table
	// of every line was a slice a file, 10 of 353 MB allocated by the
	// server's first scan of 10,000 governed policies (the collector
	// runs more often near the memory budget: CPU).
	lineStarts atomic.Pointer[[]int]
	counted    atomic.Int64 // bytes counted by positions asked without the table
}

// New indexes content. Lines end at "\n"; a preceding "\r" belongs to the
// line's text, as in LSP, where "\r\n" is one line break.
func New(content []byte) *Mapper {
	return &Mapper{content: content}
}

// countBudget is how many bytes the positions asked of a mapper may
// count before it builds its table of lines: the table reads the text
// twice (count, then find the breaks) and allocates.
func (m *Mapper) countBudget() int64 { return 2*int64(len(m.content)) + 1024 }

// table returns the table of line starts, building it when force is set
// or when counting cost bytes more would go over countBudget; nil: count.
func (m *Mapper) table(cost int, force bool) []int {
	if t := m.lineStarts.Load(); t != nil {
		return *t
	}
	if !force && m.counted.Add(int64(cost)) <= m.countBudget() {
		return nil
	}
	t := lineStarts(m.content) // two goroutines may both build it: the same table
	m.lineStarts.Store(&t)
	return t
}

// lineStarts finds the line breaks with the library's vectorised byte
// searches: a loop over every byte was 2-3 % of check's CPU over a tree
// (it indexes each file with findings).
func lineStarts(content []byte) []int {
	starts := make([]int, 1, 1+bytes.Count(content, newline))
	for i := 0; ; {
		j := bytes.IndexByte(content[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	return starts
}

var newline = []byte{'\n'}

// newIndexed is New with the table of lines built at once, for a caller
// that knows it will ask many positions (Counter, once it gave up
// counting).
func newIndexed(content []byte) *Mapper {
	m := New(content)
	m.table(0, true)
	return m
}

// Position is a zero-based line and a zero-based column counted in UTF-16
// code units.
type Position struct {
	Line, Character int
}

// Position returns the LSP position of a byte offset. An offset inside a
// multi-byte character maps to the start of that character; an offset past
// the end maps to the end.
func (m *Mapper) Position(offset int) Position {
	offset = max(0, min(offset, len(m.content)))
	before := m.content[:offset]
	if starts := m.table(offset, false); starts != nil {
		line := sort.Search(len(starts), func(i int) bool { return starts[i] > offset }) - 1
		return Position{Line: line, Character: utf16Len(m.content[textFrom(m.content, starts[line], offset):offset])}
	}
	start := textFrom(m.content, bytes.LastIndexByte(before, '\n')+1, offset)
	return Position{Line: bytes.Count(before, newline), Character: utf16Len(before[start:])}
}

// Offset returns the byte offset of an LSP position. A character past the
// end of its line clamps to the line end (before "\r\n"), and a line past
// the end clamps to the end of the document, as the LSP specification
// asks of servers.
func (m *Mapper) Offset(p Position) int {
	if p.Line < 0 {
		return 0
	}
	lineStarts := m.table(0, true) // asked of a client's position: seldom
	if p.Line >= len(lineStarts) {
		return len(m.content)
	}
	start := textFrom(m.content, lineStarts[p.Line], len(m.content))
	end := len(m.content)
	if p.Line+1 < len(lineStarts) {
		end = lineStarts[p.Line+1] - 1 // the "\n"
		if end > start && m.content[end-1] == '\r' {
			end--
		}
	}
	units := 0
	for i := start; i < end; {
		if units >= p.Character {
			return i
		}
		r, size := utf8.DecodeRune(m.content[i:end])
		units += utf16RuneLen(r)
		if units > p.Character {
			return i // inside a surrogate pair: the start of the character
		}
		i += size
	}
	return end
}

// LineCol returns the one-based line and one-based UTF-16 column of an
// offset, as the command line and SARIF (whose default column kind is
// utf16CodeUnits) report them.
func (m *Mapper) LineCol(offset int) (line, col int) {
	p := m.Position(offset)
	return p.Line + 1, p.Character + 1
}

// bom is the UTF-8 byte order mark. An editor takes it off the text it
// shows (VS Code opens such a file as "UTF-8 with BOM", its document
// starting after it), so the first line's columns count from after it:
// the positions of a file read from disk (check, the server's closed
// files) are those of the same file opened.
var bom = []byte("\xef\xbb\xbf")

// textFrom is where the characters of the line that starts at start
// begin, for an offset on it: after a BOM that starts the content (an
// offset inside it maps to the line's start).
func textFrom(content []byte, start, offset int) int {
	if start == 0 && bytes.HasPrefix(content, bom) {
		return min(offset, len(bom))
	}
	return start
}

func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			n++
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		n += utf16RuneLen(r)
		b = b[size:]
	}
	return n
}

func utf16RuneLen(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1 // invalid UTF-8 decodes to U+FFFD, one unit
}

// Counter gives the lines and columns of a few offsets of a text without
// indexing its every line, as check does for a file's findings: a file
// with findings has a handful, and New's index of a file's every line was
// 3 % of check's CPU over a tree (one search call per line). Each offset
// counts the line breaks between it and the one asked before it, with the
// library's vectorised count, so offsets asked in order cost one pass up
// to the last. Once the counting has gone over the text twice (offsets
// asked back and forth), the rest are asked of New's index. A Counter is
// not safe for concurrent use.
type Counter struct {
	content []byte
	offset  int // the offset asked last
	line    int // its 0-based line
	counted int // bytes counted so far
	index   *Mapper
}

// NewCounter starts counting in content; nothing is read before a
// LineCol.
func NewCounter(content []byte) *Counter { return &Counter{content: content} }

// LineCol is Mapper.LineCol: the 1-based line and UTF-16 column of offset.
func (c *Counter) LineCol(offset int) (line, col int) {
	if c.index != nil {
		return c.index.LineCol(offset)
	}
	offset = max(0, min(offset, len(c.content)))
	lo, hi := min(offset, c.offset), max(offset, c.offset)
	c.counted += hi - lo
	if c.counted > 2*len(c.content) {
		c.index = newIndexed(c.content)
		return c.index.LineCol(offset)
	}
	n := bytes.Count(c.content[lo:hi], newline)
	if offset < c.offset {
		n = -n
	}
	c.offset, c.line = offset, c.line+n
	start := textFrom(c.content, bytes.LastIndexByte(c.content[:offset], '\n')+1, offset)
	return c.line + 1, utf16Len(c.content[start:offset]) + 1
}
