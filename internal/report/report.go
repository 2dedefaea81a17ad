// Package report turns analysis findings into what the check command
// prints: text lines, a JSON array or SARIF 2.1.0. The analysis speaks
// byte offsets; here they become 1-based lines and UTF-16 columns.
package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// Finding is one finding, placed and worded for output.
type Finding struct {
	File      string // slash-separated, as shown to the user
	Line      int    // 1-based; columns count UTF-16 code units, 1-based
	Column    int
	EndLine   int
	EndColumn int
	Severity  analysis.Severity
	Code      string
	Message   string
	Kind      string // the policy kind, "config" or "unknown"
	Related   []Related
}

// Related is another place that takes part in a finding, such as the key
// policy statement that does not let the user's account use the key.
type Related struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	Message   string `json:"message"`
}

// RelatedSource gives the display name and text of a file that a finding's
// Related entry names (relative to the finding's folder, or absolute).
type RelatedSource func(name string) (display string, src []byte, ok bool)

// KindConfig is the kind reported for findings in .s3policy.json.
const KindConfig = "config"

// Place converts the findings of one document, worded in lang.
func Place(file string, src []byte, kind string, fs []analysis.Finding, lang string, related RelatedSource) []Finding {
	if len(fs) == 0 {
		return nil
	}
	return NewPlacer(file, src, lang, related).Place(kind, fs)
}

// Placer places the findings of the documents of one file, worded in
// lang: the file's lines are counted once for all of them, and only up
// to the findings (mapper.Counter: a file with findings has a handful,
// and indexing its every line was 3 % of check's CPU over a tree); each
// other file their related entries name is read once.
type Placer struct {
	file   string
	lines  mapper.Counter
	lang   string
	others relatedFiles
}

// NewPlacer starts placing the findings of file, whose text is src;
// nothing is read before a Place.
func NewPlacer(file string, src []byte, lang string, related RelatedSource) *Placer {
	return &Placer{file: file, lines: *mapper.NewCounter(src), lang: lang, others: relatedFiles{source: related}}
}

// Place converts the findings of one document of the file, whose kind is
// kind ("" for none).
func (p *Placer) Place(kind string, fs []analysis.Finding) []Finding {
	if len(fs) == 0 {
		return nil
	}
	if kind == "" {
		kind = "unknown"
	}
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		line, col := p.lines.LineCol(f.Span.Start)
		endLine, endCol := p.lines.LineCol(f.Span.End)
		out = append(out, Finding{
			File: p.file, Line: line, Column: col, EndLine: endLine, EndColumn: endCol,
			Severity: f.Severity, Code: f.Code, Message: f.Message.In(p.lang), Kind: kind,
			Related: p.placeRelated(f.Related),
		})
	}
	return out
}

// relatedFiles are the other files a file's findings point at, each
// asked of the source once, however many findings name it.
type relatedFiles struct {
	source RelatedSource
	files  map[string]relatedFile
}

type relatedFile struct {
	display string
	lines   *mapper.Counter // nil when the file cannot be read
}

func (r *relatedFiles) get(name string) relatedFile {
	f, ok := r.files[name]
	if !ok {
		if display, src, ok := r.source(name); ok {
			f = relatedFile{display, mapper.NewCounter(src)}
		}
		if r.files == nil {
			r.files = map[string]relatedFile{}
		}
		r.files[name] = f
	}
	return f
}

// placeRelated places the related entries; one whose file cannot be read
// is left out rather than shown at a wrong place.
func (p *Placer) placeRelated(rs []analysis.Related) []Related {
	var out []Related
	for _, r := range rs {
		display, lines := p.file, &p.lines
		if r.File != "" {
			f := p.others.get(r.File)
			if f.lines == nil {
				continue
			}
			display, lines = f.display, f.lines
		}
		line, col := lines.LineCol(r.Span.Start)
		endLine, endCol := lines.LineCol(r.Span.End)
		out = append(out, Related{display, line, col, endLine, endCol, r.Message.In(p.lang)})
	}
	return out
}

// Sort orders findings by file, then position, then code.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.EndLine, b.EndLine), cmp.Compare(a.EndColumn, b.EndColumn), cmp.Compare(a.Code, b.Code))
	})
}

// WriteText prints one line per finding, `file:line:col: severity code:
// message [kind]`, the form editors and CI problem matchers read.
func WriteText(w io.Writer, fs []Finding) error {
	var b []byte
	for i := range fs {
		b = AppendText(b[:0], fs[i:i+1])
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// AppendText appends WriteText's lines of the findings: check renders
// each file's on the core that placed them, and writes them in order.
func AppendText(b []byte, fs []Finding) []byte {
	for _, f := range fs {
		b = appendTextPlace(b, f.File, f.Line, f.Column)
		b = append(b, ' ')
		b = append(b, f.Severity.String()...)
		b = append(b, ' ')
		b = append(b, f.Code...)
		b = append(b, ": "...)
		b = append(b, f.Message...)
		if f.Kind != "unknown" {
			b = append(b, " ["...)
			b = append(b, f.Kind...)
			b = append(b, ']')
		}
		b = append(b, '\n')
		for _, r := range f.Related {
			b = appendTextPlace(b, r.File, r.Line, r.Column)
			b = append(b, " note: "...)
			b = append(b, r.Message...)
			b = append(b, '\n')
		}
	}
	return b
}

// appendTextPlace appends "file:line:column:".
func appendTextPlace(b []byte, file string, line, column int) []byte {
	b = append(b, file...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(column), 10)
	return append(b, ':')
}

// WriteJSON prints the findings as a JSON array; no findings is `[]`. It
// writes what encoding/json would, indented by two spaces, without HTML
// escaping and without reflection. check writes the same array in parts,
// one for each file (AppendJSONElements, WriteJSONElements).
func WriteJSON(w io.Writer, fs []Finding) error {
	return WriteJSONElements(w, [][]byte{AppendJSONElements(nil, fs)})
}

// AppendJSONElements appends the findings as elements of WriteJSON's
// array, each followed by a comma and a line break: check renders each
// file's findings on the core that made them, and only writes them in
// order after the analysis (WriteJSONElements), where rendering every
// finding on one core took 36 ms or more of its wall time over 10,000
// files.
func AppendJSONElements(b []byte, fs []Finding) []byte {
	for _, f := range fs {
		b = appendFinding(b, f)
		b = append(b, ",\n"...)
	}
	return b
}

// WriteJSONElements writes WriteJSON's array of the elements of parts
// (AppendJSONElements), in order: what WriteJSON writes of their
// findings, the last element without its comma.
func WriteJSONElements(w io.Writer, parts [][]byte) error {
	bw := bufio.NewWriter(w)
	array := NewJSONArray(bw)
	for _, part := range parts {
		array.Add(part)
	}
	if err := array.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// JSONArray writes WriteJSON's array a part at a time, each part elements
// as AppendJSONElements renders them: check writes each file's findings
// as soon as the files before it are done.
type JSONArray struct{ elements }

// NewJSONArray starts an array written to w (nothing is written before
// the first element, or Close).
func NewJSONArray(w io.Writer) *JSONArray {
	return &JSONArray{elements{w: w, open: "[\n", close: "\n]\n", empty: "[]\n"}}
}

// elements writes the elements of an array a part at a time, each part
// elements followed by a comma and a line break: the comma after an
// element is written when the next one comes, so that the last goes
// without it. open comes before the first element, close after the last,
// and empty instead of both when no element came.
type elements struct {
	w                  io.Writer
	open, close, empty string
	begun              bool // open and an element are written
	err                error
}

// Add writes the elements of part; an empty part writes nothing. After an
// error it writes nothing more and returns it.
func (a *elements) Add(part []byte) error {
	if len(part) == 0 || a.err != nil {
		return a.err
	}
	sep := ",\n"
	if !a.begun {
		sep, a.begun = a.open, true
	}
	if _, a.err = io.WriteString(a.w, sep); a.err == nil {
		_, a.err = a.w.Write(part[:len(part)-2]) // without its ",\n"
	}
	return a.err
}

// Close ends the array.
func (a *elements) Close() error {
	if a.err != nil {
		return a.err
	}
	end := a.close
	if !a.begun {
		end = a.empty
	}
	_, a.err = io.WriteString(a.w, end)
	return a.err
}

// appendFinding appends one element of WriteJSON's array, without the
// comma and line break after it.
func appendFinding(b []byte, f Finding) []byte {
	b = append(b, "  {\n"...)
	b = appendPlace(b, "    ", f.File, f.Line, f.Column, f.EndLine, f.EndColumn)
	b = appendMember(b, "    ", "severity", f.Severity.String(), true)
	b = appendMember(b, "    ", "code", f.Code, true)
	b = appendMember(b, "    ", "message", f.Message, true)
	b = appendMember(b, "    ", "kind", f.Kind, len(f.Related) > 0)
	if len(f.Related) > 0 {
		b = append(b, `    "related": [`...)
		for i, r := range f.Related {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n      {\n"...)
			b = appendPlace(b, "        ", r.File, r.Line, r.Column, r.EndLine, r.EndColumn)
			b = appendMember(b, "        ", "message", r.Message, false)
			b = append(b, "      }"...)
		}
		b = append(b, "\n    ]\n"...)
	}
	return append(b, "  }"...)
}

// appendPlace appends the file and the range members.
func appendPlace(b []byte, indent, file string, line, col, endLine, endCol int) []byte {
	b = appendMember(b, indent, "file", file, true)
	for _, m := range [...]struct {
		name string
		n    int
	}{{"line", line}, {"column", col}, {"endLine", endLine}, {"endColumn", endCol}} {
		b = append(b, indent...)
		b = append(b, '"')
		b = append(b, m.name...)
		b = append(b, `": `...)
		b = strconv.AppendInt(b, int64(m.n), 10)
		b = append(b, ",\n"...)
	}
	return b
}

// appendMember appends `indent"name": "value"`, a comma when more
// follows, and a line break.
func appendMember(b []byte, indent, name, value string, more bool) []byte {
	b = append(b, indent...)
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `": `...)
	b = appendString(b, value)
	if more {
		b = append(b, ',')
	}
	return append(b, '\n')
}

// appendString appends s as encoding/json quotes it without HTML
// escaping: as it is when nothing in it needs an escape, else through
// encoding/json itself (control characters, quotes, backslashes, invalid
// UTF-8, U+2028 and U+2029).
func appendString(b []byte, s string) []byte {
	if plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(out.Bytes(), []byte("\n"))...)
}

// plainJSON reports whether encoding/json writes s between quotes as it is.
// Most of a message is plain ASCII, passed eight bytes at a time.
func plainJSON(s string) bool {
	ascii := true
	for i := analysis.PlainASCIIPrefix(s); i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			ascii = false
		case c < 0x20 || c == '"' || c == '\\':
			return false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.ContainsAny(s, "\u2028\u2029")
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
