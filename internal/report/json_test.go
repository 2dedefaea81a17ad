package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// encodeWithEncodingJSON is WriteJSON as it was written before, with
// encoding/json: the output WriteJSON must keep, byte for byte.
func encodeWithEncodingJSON(fs []Finding) []byte {
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
	out := make([]jsonFinding, len(fs))
	for i, f := range fs {
		out[i] = jsonFinding{f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Severity.String(), f.Code, f.Message, f.Kind, f.Related}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
	return b.Bytes()
}

func TestWriteJSONIsWhatEncodingJSONWrites(t *testing.T) {
	tricky := []string{
		"", "plain", `quote " and backslash \`, "tab\tline\nbreak\r", "\x00\x1f control", "<html> & 'quotes'",
		"日本語のメッセージ", "emoji 😀", "invalid \xff\xfe UTF-8", "line separator \u2028 paragraph \u2029", "del \x7f",
		// What follows eight plain bytes or more (passed a word at a time).
		"a message of plain words, then \"a quote\"", "a message of plain words, then a tab\t", "sixteen bytes...\\",
		"a message of plain words, then 日本語", "a message of plain words, then \u2028", "a message of plain words, then \xff",
		"a message of plain words and DEL \x7f, all of it plain",
	}
	var fs []Finding
	for i, s := range tricky {
		f := Finding{File: "dir/" + s + ".json", Line: i + 1, Column: 2, EndLine: i + 3, EndColumn: 40, Severity: analysis.Severity(1 + i%4),
			Code: "code-" + s, Message: s, Kind: "identity"}
		if i%2 == 1 {
			f.Related = []Related{{File: s, Line: 1, Column: 1, EndLine: 1, EndColumn: 5, Message: s}, {File: "b.json", Line: 9, Column: 8, EndLine: 10, EndColumn: 1, Message: "m"}}
		}
		fs = append(fs, f)
	}
	for _, n := range []int{0, 1, len(fs)} {
		var got bytes.Buffer
		if err := WriteJSON(&got, fs[:n]); err != nil {
			t.Fatal(err)
		}
		want := encodeWithEncodingJSON(fs[:n])
		if n == 0 {
			want = []byte("[]\n")
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%d findings:\ngot:\n%s\nwant:\n%s", n, got.Bytes(), want)
		}
	}
}

// A JSONArray given the findings in parts, some empty (a file with no
// findings), writes what WriteJSON writes of them all.
func TestJSONArrayInPartsIsWriteJSON(t *testing.T) {
	f := func(file string, line int) Finding {
		return Finding{File: file, Line: line, Column: 1, EndLine: line, EndColumn: 9, Severity: analysis.Warning, Code: "c", Message: "m", Kind: "identity"}
	}
	a, b, c := []Finding{f("a.json", 1), f("a.json", 4)}, []Finding{f("b.json", 2)}, []Finding{f("c.json", 3)}
	for _, parts := range [][][]Finding{nil, {nil}, {nil, nil}, {a}, {nil, a}, {a, nil}, {a, b, c}, {nil, a, nil, b, nil, nil, c, nil}} {
		var all []Finding
		var got bytes.Buffer
		array := NewJSONArray(&got)
		for _, part := range parts {
			all = append(all, part...)
			if err := array.Add(AppendJSONElements(nil, part)); err != nil {
				t.Fatal(err)
			}
		}
		if err := array.Close(); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := WriteJSON(&want, all); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("parts of %d findings:\n%s\nWriteJSON:\n%s", len(all), got.String(), want.String())
		}
	}
}

// BenchmarkWriteJSON writes 10,000 findings with two related places each.
func BenchmarkWriteJSON(b *testing.B) {
	fs := make([]Finding, 10_000)
	for i := range fs {
		fs[i] = Finding{File: "team-001/policy-00001.bucket-policy.json", Line: i, Column: 7, EndLine: i, EndColumn: 30, Severity: analysis.Warning,
			Code: "deny-blocks-access", Message: "this Deny of s3:* on arn:aws:s3:::doc-example-bucket-1/* denies every request whose aws:SecureTransport is false",
			Kind: "bucket", Related: []Related{{File: "a.json", Line: 1, Column: 1, EndLine: 1, EndColumn: 5, Message: "the grant"}}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(discard{}, fs); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// writeTextWithFmt is WriteText as it was written before, with fmt: the
// output AppendText must keep, byte for byte.
func writeTextWithFmt(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		suffix := ""
		if f.Kind != "unknown" {
			suffix = " [" + f.Kind + "]"
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s%s\n", f.File, f.Line, f.Column, f.Severity, f.Code, f.Message, suffix)
		for _, r := range f.Related {
			fmt.Fprintf(&b, "%s:%d:%d: note: %s\n", r.File, r.Line, r.Column, r.Message)
		}
	}
	return b.String()
}

func TestAppendTextIsWhatFmtWrote(t *testing.T) {
	var fs []Finding
	for i, s := range []string{"", "plain", "tab\tline\nbreak", "日本語 😀", "invalid \xff UTF-8", "%d %s %%"} {
		f := Finding{File: "dir/" + s + ".json", Line: i * 1000, Column: -i, Severity: analysis.Severity(i % 6), Code: "code-" + s, Message: s, Kind: []string{"identity", "unknown", "config"}[i%3]}
		if i%2 == 1 {
			f.Related = []Related{{File: s, Line: 1, Column: 99, Message: s}, {File: "b.json", Line: 9, Column: 8, Message: "m"}}
		}
		fs = append(fs, f)
	}
	if got, want := string(AppendText(nil, fs)), writeTextWithFmt(fs); got != want {
		t.Fatalf("AppendText:\n%s\nfmt:\n%s", got, want)
	}
	var written strings.Builder
	if err := WriteText(&written, fs); err != nil || written.String() != writeTextWithFmt(fs) {
		t.Fatalf("WriteText (%v):\n%s", err, written.String())
	}
}

// writeSARIFWhole is WriteSARIF as it was written before, encoding the
// whole log at once: the output SARIFLog must keep, byte for byte.
func writeSARIFWhole(w io.Writer, fs []Finding, tool Tool, rules []*analysis.Check, lang string) error {
	log := NewSARIFLog(w, tool, rules, lang) // for its rules
	driver := sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI, Rules: make([]sarifRule, len(rules))}
	for i, c := range rules {
		driver.Rules[i] = sarifRule{ID: c.Code, ShortDescription: sarifMessage{c.Title.In(lang)}, FullDescription: sarifMessage{c.Explain.In(lang)}, HelpURI: c.DocURL}
		driver.Rules[i].DefaultConfiguration.Level = Level(c.Severity)
	}
	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
		results = append(results, resultOf(f, log.index))
	}
	return writeIndented(w, sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs:    []sarifRun{{Tool: sarifTool{driver}, Results: results, ColumnKind: "utf16CodeUnits"}},
	})
}

// A SARIFLog given the findings in parts, some empty, writes what
// encoding the whole log at once wrote.
func TestSARIFLogInPartsIsTheWholeLog(t *testing.T) {
	rules := []*analysis.Check{
		{Code: "a-code", Severity: analysis.Error, Title: analysis.T("<title> & more", "題"), Explain: analysis.T("why \"quoted\"", "なぜ"), DocURL: "https://example.com/a?x=1&y=2"},
		{Code: "b-code", Severity: analysis.Hint, Title: analysis.T("b", "b"), Explain: analysis.T("b", "b")},
	}
	tool := Tool{Name: "s3policy-lsp", Version: "1.2.3 <dev>", InformationURI: "https://example.com"}
	var fs []Finding
	for i, s := range []string{"plain", "<html> & 'q'", "日本語 😀", "tab\tline\nbreak", "invalid \xff", "/abs/path json"} {
		f := Finding{File: "dir/" + s + ".json", Line: i + 1, Column: 2, EndLine: i + 2, EndColumn: 9, Severity: analysis.Severity(1 + i%4), Code: []string{"a-code", "b-code", "unknown-code"}[i%3], Message: s, Kind: "identity"}
		if i%2 == 0 {
			f.Related = []Related{{File: s, Line: 1, Column: 1, EndLine: 1, EndColumn: 5, Message: s}, {File: "/abs/b.json", Line: 9, Column: 8, EndLine: 10, EndColumn: 1, Message: "m"}}
		}
		fs = append(fs, f)
	}
	for _, lang := range []string{"en", "ja"} {
		for _, cuts := range [][]int{nil, {0}, {0, 0}, {1}, {0, 6}, {2, 2, 5}, {6, 6}} {
			var whole, parts bytes.Buffer
			n := 0
			if len(cuts) > 0 {
				n = cuts[len(cuts)-1]
			}
			if err := writeSARIFWhole(&whole, fs[:n], tool, rules, lang); err != nil {
				t.Fatal(err)
			}
			log := NewSARIFLog(&parts, tool, rules, lang)
			from := 0
			for _, to := range cuts {
				if err := log.Add(log.AppendResults(nil, fs[from:to])); err != nil {
					t.Fatal(err)
				}
				from = to
			}
			if err := log.Close(); err != nil {
				t.Fatal(err)
			}
			if parts.String() != whole.String() {
				t.Fatalf("%s, parts cut at %v:\n%s\nthe whole log:\n%s", lang, cuts, parts.String(), whole.String())
			}
		}
	}
}
