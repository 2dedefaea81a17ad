package cloudformation

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// maxNodes bounds the elements read from one YAML file: aliases can make
// a small file name an exponential number of them.
const maxNodes = 1 << 20

// yamlReader turns yaml.v3's nodes into nodes with host byte ranges.
// yaml.v3 gives each node's start as a line and a column counted in
// characters (runes), and no end: the reader converts the start to a
// byte offset and scans the host for the end of each scalar.
type yamlReader struct {
	src        []byte
	lineStarts []int
	budget     int
}

// parseYAML reads a YAML file into nodes; the error is the parser's.
func parseYAML(src []byte) (*node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	r := &yamlReader{src: src, lineStarts: lineStarts(src), budget: maxNodes}
	return r.convert(doc.Content[0], false, 0), nil
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset converts yaml.v3's 1-based line and rune column to a byte offset.
// yaml.v3 counts the first line's columns after a byte order mark that
// starts the text.
func (r *yamlReader) offset(line, column int) int {
	if line < 1 || line > len(r.lineStarts) {
		return len(r.src)
	}
	at := r.lineStarts[line-1]
	if line == 1 && bytes.HasPrefix(r.src, []byte("\xef\xbb\xbf")) {
		at = 3
	}
	for c := 1; c < column && at < len(r.src) && r.src[at] != '\n'; c++ {
		_, size := utf8.DecodeRune(r.src[at:])
		at += size
	}
	return at
}

// skipProperties steps over a node's tag and anchor (yaml.v3 places the
// node where they start) to the node's own text.
func (r *yamlReader) skipProperties(at int) int {
	for at < len(r.src) && (r.src[at] == '!' || r.src[at] == '&') {
		for at < len(r.src) && !isSpace(r.src[at]) {
			at++
		}
		for at < len(r.src) && isSpace(r.src[at]) {
			at++
		}
	}
	return at
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (r *yamlReader) convert(y *yaml.Node, flow bool, depth int) *node {
	r.budget--
	for y.Kind == yaml.AliasNode && y.Alias != nil && depth < 100 {
		y = y.Alias
		depth++
	}
	if r.budget < 0 || depth > 1000 || y.Kind == yaml.AliasNode {
		return &node{kind: scalarNode}
	}
	n := &node{}
	if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
		n.tag = y.Tag
	}
	start := r.skipProperties(r.offset(y.Line, y.Column))
	inFlow := flow || y.Style&yaml.FlowStyle != 0
	switch y.Kind {
	case yaml.MappingNode:
		n.kind = mappingNode
		for i := 0; i+1 < len(y.Content); i += 2 {
			if y.Content[i].Tag == "!!merge" {
				r.merge(n, y.Content[i+1], inFlow, depth+1)
				continue
			}
			n.keys = append(n.keys, r.convert(y.Content[i], inFlow, depth+1))
			n.vals = append(n.vals, r.convert(y.Content[i+1], inFlow, depth+1))
		}
		n.span = r.collectionSpan(start, n.vals, y.Style&yaml.FlowStyle != 0, '}')
	case yaml.SequenceNode:
		n.kind = sequenceNode
		for _, c := range y.Content {
			n.items = append(n.items, r.convert(c, inFlow, depth+1))
		}
		n.span = r.collectionSpan(start, n.items, y.Style&yaml.FlowStyle != 0, ']')
	default:
		n.kind = scalarNode
		n.flow = flow
		r.scalar(n, y, start, inFlow)
	}
	return n
}

// merge adds the members of a YAML merge key (<<: *base, or a list of
// aliases) to a mapping, at the places the merged mappings are written.
func (r *yamlReader) merge(n *node, y *yaml.Node, flow bool, depth int) {
	from := r.convert(y, flow, depth)
	sources := []*node{from}
	if from.kind == sequenceNode {
		sources = from.items
	}
	for _, m := range sources {
		if m.kind == mappingNode {
			n.keys = append(n.keys, m.keys...)
			n.vals = append(n.vals, m.vals...)
		}
	}
}

// collectionSpan runs from the collection's start to its last element's
// end, or to its closing bracket when it is written in flow style.
func (r *yamlReader) collectionSpan(start int, children []*node, flow bool, closer byte) analysis.Span {
	end := start
	if len(children) > 0 {
		end = max(end, children[len(children)-1].span.End)
	}
	if !flow {
		return analysis.Span{Start: start, End: end}
	}
	if end == start {
		end++ // past the opening bracket
	}
	for i := end; i < len(r.src); i++ {
		switch c := r.src[i]; {
		case c == closer:
			return analysis.Span{Start: start, End: i + 1}
		case c == '#':
			for i < len(r.src) && r.src[i] != '\n' {
				i++
			}
		case !isSpace(c) && c != ',':
			return analysis.Span{Start: start, End: end}
		}
	}
	return analysis.Span{Start: start, End: end}
}

// scalar sets a scalar's pieces, token and style. When the host text
// does not decode to yaml.v3's value as read here (a multi-line plain or
// quoted scalar that YAML folds, a flow key yaml.v3 reads with its ":"),
// the scalar is one piece mapped to its first line (in a flow collection,
// to where a plain scalar ends): positions inside it are not exact and no
// edit is written over it.
func (r *yamlReader) scalar(n *node, y *yaml.Node, start int, flow bool) {
	n.str = y.Tag == "!!str" || n.tag != "" || y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
	var pieces []source.Piece
	var end int
	var ok bool
	switch {
	case y.Style&yaml.DoubleQuotedStyle != 0:
		n.style = doubleStyle
		pieces, end, ok = r.doubleQuoted(start)
	case y.Style&yaml.SingleQuotedStyle != 0:
		n.style = singleStyle
		pieces, end, ok = r.singleQuoted(start)
	case y.Style&yaml.LiteralStyle != 0:
		n.style = literalStyle
		pieces, end, ok = r.literal(start)
	case y.Style&yaml.FoldedStyle != 0:
		n.style = foldedStyle
	default:
		n.style = plainStyle
		pieces, end, ok = r.plain(start, flow)
	}
	if ok && source.Value(pieces) == y.Value {
		n.pieces, n.span = pieces, analysis.Span{Start: start, End: end}
		return
	}
	if !flow || !ok || end <= start {
		end = start
		for end < len(r.src) && r.src[end] != '\n' {
			end++
		}
	}
	n.span = analysis.Span{Start: start, End: end}
	n.pieces = []source.Piece{{Host: n.span, Text: y.Value}}
	n.inexact = true
}

// plain reads a plain scalar on one line: it ends before a comment, at
// the end of the line, or in flow context at , ] } or ": ".
func (r *yamlReader) plain(start int, flow bool) ([]source.Piece, int, bool) {
	end := start
	for end < len(r.src) {
		c := r.src[end]
		if c == '\n' || c == '\r' || (c == '#' && end > start && isSpace(r.src[end-1])) {
			break
		}
		if c == ':' && (end+1 == len(r.src) || isSpace(r.src[end+1]) || (flow && strings.IndexByte(",]}", r.src[end+1]) >= 0)) {
			break
		}
		if flow && strings.IndexByte(",]}", c) >= 0 {
			break
		}
		end++
	}
	for end > start && (r.src[end-1] == ' ' || r.src[end-1] == '\t') {
		end--
	}
	if end == start {
		return nil, end, true
	}
	return []source.Piece{{Host: analysis.Span{Start: start, End: end}, Text: string(r.src[start:end]), Exact: true}}, end, true
}

// singleQuoted reads '...' on one line; ” is a quote.
func (r *yamlReader) singleQuoted(start int) ([]source.Piece, int, bool) {
	if start >= len(r.src) || r.src[start] != '\'' {
		return nil, 0, false
	}
	var out []source.Piece
	run := start + 1
	for i := run; i < len(r.src); i++ {
		switch r.src[i] {
		case '\n':
			return nil, 0, false
		case '\'':
			if i > run {
				out = append(out, source.Piece{Host: analysis.Span{Start: run, End: i}, Text: string(r.src[run:i]), Exact: true})
			}
			if i+1 < len(r.src) && r.src[i+1] == '\'' {
				out = append(out, source.Piece{Host: analysis.Span{Start: i, End: i + 2}, Text: "'"})
				i++
				run = i + 1
				continue
			}
			return out, i + 1, true
		}
	}
	return nil, 0, false
}

// doubleQuoted reads "..." on one line with YAML's escapes.
func (r *yamlReader) doubleQuoted(start int) ([]source.Piece, int, bool) {
	if start >= len(r.src) || r.src[start] != '"' {
		return nil, 0, false
	}
	var out []source.Piece
	run := start + 1
	flush := func(i int) {
		if i > run {
			out = append(out, source.Piece{Host: analysis.Span{Start: run, End: i}, Text: string(r.src[run:i]), Exact: true})
		}
	}
	for i := run; i < len(r.src); {
		switch r.src[i] {
		case '\n':
			return nil, 0, false
		case '"':
			flush(i)
			return out, i + 1, true
		case '\\':
			flush(i)
			n, text, ok := yamlEscape(r.src[i:])
			if !ok {
				return nil, 0, false
			}
			out = append(out, source.Piece{Host: analysis.Span{Start: i, End: i + n}, Text: text})
			i += n
			run = i
		default:
			i++
		}
	}
	return nil, 0, false
}

// yamlEscape decodes a YAML double-quoted escape: its length and text.
func yamlEscape(b []byte) (int, string, bool) {
	if len(b) < 2 {
		return 0, "", false
	}
	simple := map[byte]string{'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v", 'f': "\f",
		'r': "\r", 'e': "\x1b", ' ': " ", '"': `"`, '/': "/", '\\': `\`, 'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029"}
	if s, ok := simple[b[1]]; ok {
		return 2, s, true
	}
	width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[b[1]]
	if width == 0 || len(b) < 2+width {
		return 0, "", false
	}
	v, err := strconv.ParseUint(string(b[2:2+width]), 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, "", false
	}
	return 2 + width, string(rune(v)), true
}

// literal reads a literal block scalar (|, |-, |+, |2) starting at its
// indicator: each content line without its indentation is an exact piece,
// each line break another, so a policy written in the block maps back
// line by line.
func (r *yamlReader) literal(start int) ([]source.Piece, int, bool) {
	header := start
	for header < len(r.src) && r.src[header] != '\n' {
		header++
	}
	chomp, indent := byte(0), 0
	for _, c := range r.src[start+1 : header] {
		if c == ' ' || c == '#' {
			break
		}
		switch {
		case c == '-' || c == '+':
			chomp = c
		case c >= '1' && c <= '9':
			return nil, 0, false // an explicit indentation indicator: rare, not mapped
		}
	}
	var out []source.Piece
	end := header
	at := header + 1
	for at < len(r.src) {
		lineEnd := at
		for lineEnd < len(r.src) && r.src[lineEnd] != '\n' {
			lineEnd++
		}
		line := r.src[at:lineEnd]
		cr := bytes.HasSuffix(line, []byte("\r")) // a CRLF file: the \r is part of the line break
		if cr {
			line = line[:len(line)-1]
		}
		spaces := len(line) - len(bytes.TrimLeft(line, " "))
		blank := len(bytes.TrimSpace(line)) == 0
		if indent == 0 && !blank {
			indent = spaces
		}
		if !blank && (spaces < indent || indent == 0) {
			break
		}
		contentEnd := at + len(line)
		if !blank || len(line) > indent {
			out = append(out, source.Piece{Host: analysis.Span{Start: at + indent, End: contentEnd}, Text: string(line[indent:]), Exact: true})
		}
		if !blank {
			end = contentEnd
		}
		switch {
		case lineEnd < len(r.src) && cr:
			out = append(out, source.Piece{Host: analysis.Span{Start: contentEnd, End: lineEnd + 1}, Text: "\n"})
		case lineEnd < len(r.src):
			out = append(out, source.Piece{Host: analysis.Span{Start: lineEnd, End: lineEnd + 1}, Text: "\n", Exact: true})
		}
		at = lineEnd + 1
	}
	return chompPieces(out, chomp), end, true
}

// chompPieces applies the block's chomping: clip keeps one final line
// break, strip none, keep all.
func chompPieces(pieces []source.Piece, chomp byte) []source.Piece {
	if chomp == '+' {
		return pieces
	}
	last := -1
	for i, p := range pieces {
		if strings.TrimSpace(p.Text) != "" {
			last = i
		}
	}
	if chomp != '-' && last+1 < len(pieces) && pieces[last+1].Text == "\n" {
		last++
	}
	return pieces[:last+1]
}
