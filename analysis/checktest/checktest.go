// Package checktest runs checks on small policies written inline in tests.
// Expected ranges are marked in the text with « and », which are removed
// before analysis, so a test reads like the document it checks.
package checktest

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

const open, close = "«", "»"

// Unmark removes the markers and returns the clean text and the marked
// spans, in order.
func Unmark(marked string) (string, []analysis.Span) {
	var b strings.Builder
	var spans []analysis.Span
	start := -1
	for i := 0; i < len(marked); {
		switch {
		case strings.HasPrefix(marked[i:], open):
			start = b.Len()
			i += len(open)
		case strings.HasPrefix(marked[i:], close):
			spans = append(spans, analysis.Span{Start: start, End: b.Len()})
			i += len(close)
		default:
			b.WriteByte(marked[i])
			i++
		}
	}
	return b.String(), spans
}

// Config parses a .s3policy.json given as text, failing the test on any
// finding in it. An empty string means no config.
func Config(t testing.TB, text string) *analysis.Config {
	t.Helper()
	if text == "" {
		return nil
	}
	cfg, fs := analysis.ParseConfig(".", []byte(text))
	for _, f := range fs {
		t.Fatalf("config: %s at %v: %s", f.Code, f.Span, f.Message.Text().EN)
	}
	return cfg
}

// Run analyses src as the file path with every check and returns the
// findings.
func Run(t testing.TB, path, src string, cfg *analysis.Config) (*analysis.File, []analysis.Finding) {
	t.Helper()
	f := analysis.NewFile(path, []byte(src), cfg)
	return f, analysis.Analyze(f, checks.All)
}

// Expect analyses the marked document with every check and asserts that
// the findings with the given code sit exactly at the marked spans, in
// order. It returns those findings, and the clean text, for further
// assertions.
func Expect(t testing.TB, code, path, marked string, cfg *analysis.Config) (string, []analysis.Finding) {
	t.Helper()
	src, want := Unmark(marked)
	_, all := Run(t, path, src, cfg)
	var got []analysis.Finding
	for _, f := range all {
		if f.Code == code {
			got = append(got, f)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %d findings %s, want %d at %v\nall findings: %s", code, len(got), describe(src, got), len(want), want, describe(src, all))
	}
	for i := range want {
		if got[i].Span != want[i] {
			t.Errorf("%s finding %d: span %v %q, want %v %q", code, i, got[i].Span, slice(src, got[i].Span), want[i], slice(src, want[i]))
		}
		if got[i].Message.Text().EN == "" || got[i].Message.Text().JA == "" {
			t.Errorf("%s finding %d: message missing in a language: %+v", code, i, got[i].Message)
		}
	}
	return src, got
}

// ApplyFix applies fix number n of finding f to src, asserts that the result
// is still JSON, re-analyses it and returns the new text and findings.
func ApplyFix(t testing.TB, path, src string, f analysis.Finding, n int, cfg *analysis.Config) (string, []analysis.Finding) {
	t.Helper()
	fixes := f.AllFixes()
	if n >= len(fixes) {
		t.Fatalf("%s: no fix %d (has %d)", f.Code, n, len(fixes))
	}
	fixed := string(analysis.ApplyEdits([]byte(src), fixes[n].Edits))
	if _, err := analysis.ParseJSON([]byte(fixed)); err != nil {
		t.Fatalf("%s: fix %q leaves invalid JSON (%s):\n%s", f.Code, fixes[n].Title.EN, err.Msg.EN, fixed)
	}
	_, after := Run(t, path, fixed, cfg)
	return fixed, after
}

// Codes lists the codes of findings, for compact assertions.
func Codes(fs []analysis.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}

func describe(src string, fs []analysis.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + f.Code + " " + f.Span.String() + " " + `"` + slice(src, f.Span) + `": ` + f.Message.Text().EN)
	}
	return b.String()
}

func slice(src string, s analysis.Span) string {
	if s.Start < 0 || s.End > len(src) || s.Start > s.End {
		return "<out of range>"
	}
	return src[s.Start:s.End]
}
