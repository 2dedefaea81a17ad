// Package report turns analysis findings into what the check command
// prints: text lines, a JSON array or SARIF 2.1.0. The analysis speaks
// byte offsets; here they become 1-based lines and UTF-16 columns.
package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"

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
	if kind == "" {
		kind = "unknown"
	}
	m := mapper.New(src)
	others := relatedFiles{source: related, files: map[string]relatedFile{}}
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		line, col := m.LineCol(f.Span.Start)
		endLine, endCol := m.LineCol(f.Span.End)
		out = append(out, Finding{
			File: file, Line: line, Column: col, EndLine: endLine, EndColumn: endCol,
			Severity: f.Severity, Code: f.Code, Message: f.Message.In(lang), Kind: kind,
			Related: placeRelated(file, m, f.Related, lang, &others),
		})
	}
	return out
}

// relatedFiles are the other files a document's findings point at, each
// asked of the source and indexed by lines once, however many findings
// name it.
type relatedFiles struct {
	source RelatedSource
	files  map[string]relatedFile
}

type relatedFile struct {
	display string
	m       *mapper.Mapper // nil when the file cannot be read
}

func (r *relatedFiles) get(name string) relatedFile {
	f, ok := r.files[name]
	if !ok {
		if display, src, ok := r.source(name); ok {
			f = relatedFile{display, mapper.New(src)}
		}
		r.files[name] = f
	}
	return f
}

// placeRelated places the related entries; one whose file cannot be read
// is left out rather than shown at a wrong place.
func placeRelated(file string, m *mapper.Mapper, rs []analysis.Related, lang string, others *relatedFiles) []Related {
	var out []Related
	for _, r := range rs {
		display, rm := file, m
		if r.File != "" {
			f := others.get(r.File)
			if f.m == nil {
				continue
			}
			display, rm = f.display, f.m
		}
		line, col := rm.LineCol(r.Span.Start)
		endLine, endCol := rm.LineCol(r.Span.End)
		out = append(out, Related{display, line, col, endLine, endCol, r.Message.In(lang)})
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
	for _, f := range fs {
		suffix := ""
		if f.Kind != "unknown" {
			suffix = " [" + f.Kind + "]"
		}
		if _, err := fmt.Fprintf(w, "%s:%d:%d: %s %s: %s%s\n", f.File, f.Line, f.Column, f.Severity, f.Code, f.Message, suffix); err != nil {
			return err
		}
		for _, r := range f.Related {
			if _, err := fmt.Fprintf(w, "%s:%d:%d: note: %s\n", r.File, r.Line, r.Column, r.Message); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFinding is the JSON form of a Finding, the severity by name.
type jsonFinding struct {
	File      string    `json:"file"`
	Line      int       `json:"line"`
	Column    int       `json:"column"`
	EndLine   int       `json:"endLine"`
	EndColumn int       `json:"endColumn"`
	Severity  string    `json:"severity"`
	Code      string    `json:"code"`
	Message   string    `json:"message"`
	Kind      string    `json:"kind"`
	Related   []Related `json:"related,omitempty"`
}

// WriteJSON prints the findings as a JSON array; no findings is `[]`.
// The array is written one finding at a time, as encoding/json would
// indent it whole: a tree of thousands of files does not hold its whole
// report in memory twice.
func WriteJSON(w io.Writer, fs []Finding) error {
	if len(fs) == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	bw := bufio.NewWriter(w)
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	bw.WriteString("[\n")
	for i, f := range fs {
		item.Reset()
		if err := enc.Encode(jsonFinding{f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Severity.String(), f.Code, f.Message, f.Kind, f.Related}); err != nil {
			return err
		}
		bw.WriteString("  ")
		bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		if i < len(fs)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
