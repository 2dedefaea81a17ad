package report

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

func TestPlaceCountsUTF16(t *testing.T) {
	src := []byte("{\n  \"Sid\": \"日本😀\", x\n}")
	at := bytes.IndexByte(src, 'x')
	fs := Place("a.json", src, "", []analysis.Finding{{
		Code: "json-syntax", Severity: analysis.Error, Span: analysis.Span{Start: at, End: at + 1},
		Message: analysis.SayText(analysis.T("bad", "不正")),
	}}, "ja-JP", nil)
	want := Finding{File: "a.json", Line: 2, Column: 18, EndLine: 2, EndColumn: 19, Severity: analysis.Error, Code: "json-syntax", Message: "不正", Kind: "unknown"}
	if len(fs) != 1 || !reflect.DeepEqual(fs[0], want) {
		t.Errorf("Place = %+v, want %+v", fs, want)
	}
}

func TestPlaceRelated(t *testing.T) {
	src := []byte("{\n  \"a\": 1\n}")
	other := []byte("{\n\n  😀 \"Deny\"\n}")
	source := func(name string) (string, []byte, bool) {
		if name == "key.json" {
			return "dir/key.json", other, true
		}
		return "", nil, false
	}
	deny := bytes.Index(other, []byte(`"Deny"`))
	fs := Place("dir/a.json", src, "identity", []analysis.Finding{{
		Code: "kms-missing-actions", Severity: analysis.Warning, Span: analysis.Span{Start: 4, End: 7}, Message: analysis.SayText(analysis.T("m", "m")),
		Related: []analysis.Related{
			{File: "key.json", Span: analysis.Span{Start: deny, End: deny + 6}, Message: analysis.T("the key policy", "キーポリシー")},
			{Span: analysis.Span{Start: 0, End: 1}, Message: analysis.T("here", "ここ")},
			{File: "gone.json", Span: analysis.Span{Start: 0, End: 1}, Message: analysis.T("unreadable", "読めない")},
		},
	}}, "en", source)
	want := []Related{
		{File: "dir/key.json", Line: 3, Column: 6, EndLine: 3, EndColumn: 12, Message: "the key policy"},
		{File: "dir/a.json", Line: 1, Column: 1, EndLine: 1, EndColumn: 2, Message: "here"},
	}
	if len(fs) != 1 || !reflect.DeepEqual(fs[0].Related, want) {
		t.Fatalf("related %+v, want %+v", fs[0].Related, want)
	}
	var text bytes.Buffer
	if err := WriteText(&text, fs); err != nil {
		t.Fatal(err)
	}
	if want := "dir/a.json:2:3: warning kms-missing-actions: m [identity]\ndir/key.json:3:6: note: the key policy\ndir/a.json:1:1: note: here\n"; text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
}

// A file that many findings point at is asked of the source once per
// file placed, however many documents it holds, readable or not (check
// read it from disk for each entry: 1.2 million reads on a governed
// folder of 1,000 policies, issue 16).
func TestRelatedFileIsReadOncePerFile(t *testing.T) {
	asked := map[string]int{}
	source := func(name string) (string, []byte, bool) {
		asked[name]++
		return "dir/" + name, []byte("{\n  \"Deny\"\n}"), name != "gone.json"
	}
	var fs []analysis.Finding
	for i := range 50 {
		fs = append(fs, analysis.Finding{Code: "c", Span: analysis.Span{Start: i, End: i + 1}, Related: []analysis.Related{
			{File: "key.json", Span: analysis.Span{Start: 4, End: 10}}, {File: "gone.json"}}})
	}
	p := NewPlacer("dir/a.json", make([]byte, 64), "en", source)
	placed := append(p.Place("identity", fs[:25]), p.Place("bucket", fs[25:])...)
	if len(placed) != 50 || asked["key.json"] != 1 || asked["gone.json"] != 1 {
		t.Fatalf("%d findings; asked %v", len(placed), asked)
	}
	want := []Related{{File: "dir/key.json", Line: 2, Column: 3, EndLine: 2, EndColumn: 9}}
	if !reflect.DeepEqual(placed[49].Related, want) {
		t.Fatalf("related %+v, want %+v", placed[49].Related, want)
	}
}

// A Placer places the findings of a file's documents, asked in any
// order, where Place of each document alone does: lines and UTF-16
// columns across Japanese text, emoji and "\r\n", a related entry in the
// same file before the finding.
func TestPlacerPlacesEachDocumentAsPlace(t *testing.T) {
	src := []byte("Resources:\r\n  A:\r\n    Sid: \"読み取り😀\"\r\n    Effect: Allw\r\n  B:\r\n    Action: \"s3:GetObjekt\" # 😀😀\n")
	span := func(s string) analysis.Span {
		at := bytes.Index(src, []byte(s))
		return analysis.Span{Start: at, End: at + len(s)}
	}
	docA := []analysis.Finding{
		{Code: "invalid-effect", Span: span("Allw"), Message: analysis.SayText(analysis.T("bad effect", "不正な Effect")),
			Related: []analysis.Related{{Span: span(`"読み取り😀"`), Message: analysis.T("the Sid", "Sid")}}},
		{Code: "sid", Span: span("読み取り😀"), Message: analysis.SayText(analysis.T("sid", "Sid"))},
	}
	docB := []analysis.Finding{{Code: "unknown-action", Span: span("s3:GetObjekt"), Message: analysis.SayText(analysis.T("unknown", "不明"))}}
	p := NewPlacer("t.yaml", src, "ja", nil)
	got := append(p.Place("bucket", docB), p.Place("", docA)...)
	want := []Finding{
		{File: "t.yaml", Line: 6, Column: 14, EndLine: 6, EndColumn: 26, Code: "unknown-action", Message: "不明", Kind: "bucket"},
		{File: "t.yaml", Line: 4, Column: 13, EndLine: 4, EndColumn: 17, Code: "invalid-effect", Message: "不正な Effect", Kind: "unknown",
			Related: []Related{{File: "t.yaml", Line: 3, Column: 10, EndLine: 3, EndColumn: 18, Message: "Sid"}}},
		{File: "t.yaml", Line: 3, Column: 11, EndLine: 3, EndColumn: 17, Code: "sid", Message: "Sid", Kind: "unknown"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("placed\n%+v\nwant\n%+v", got, want)
	}
	alone := append(Place("t.yaml", src, "bucket", docB, "ja", nil), Place("t.yaml", src, "", docA, "ja", nil)...)
	if !reflect.DeepEqual(alone, want) {
		t.Fatalf("Place of each document\n%+v\nwant\n%+v", alone, want)
	}
}

func TestSort(t *testing.T) {
	fs := []Finding{
		{File: "b.json", Line: 1, Column: 1, Code: "a"},
		{File: "a.json", Line: 2, Column: 1, Code: "a"},
		{File: "a.json", Line: 1, Column: 5, Code: "z"},
		{File: "a.json", Line: 1, Column: 5, Code: "b"},
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.File+":"+f.Code)
	}
	want := []string{"a.json:b", "a.json:z", "a.json:a", "b.json:a"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted %q, want %q", got, want)
		}
	}
}

func TestLevelAndURI(t *testing.T) {
	for sev, want := range map[analysis.Severity]string{analysis.Error: "error", analysis.Warning: "warning", analysis.Information: "note", analysis.Hint: "note"} {
		if got := Level(sev); got != want {
			t.Errorf("Level(%v) = %q, want %q", sev, got, want)
		}
	}
	for file, want := range map[string]string{
		"policies/a b.json": "policies/a%20b.json",
		"../up/x.json":      "../up/x.json",
		"c:d.json":          "./c:d.json", // not a scheme
		"/srv/p/x.json":     "file:///srv/p/x.json",
		"日本/x.json":         "%E6%97%A5%E6%9C%AC/x.json",
	} {
		if got := artifactURI(file); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", file, got, want)
		}
	}
}

// A file that starts with a UTF-8 BOM (and ends its lines with CRLF) is
// placed as VS Code shows it, which takes the BOM off the document: the
// first line's columns count from after the BOM, also after Japanese
// text; a related place in such a file too.
func TestPlaceSkipsTheBOM(t *testing.T) {
	src := []byte("\xef\xbb\xbf{\"Sid\": \"読み取り\", \"Effect\": \"allow\"}\r\n{\"Effect\": \"allow\"}\r\n")
	first := bytes.Index(src, []byte(`"allow"`))
	second := bytes.LastIndex(src, []byte(`"allow"`))
	source := func(name string) (string, []byte, bool) { return name, src, name == "other.json" }
	fs := Place("a.json", src, "identity", []analysis.Finding{
		{Code: "invalid-effect", Severity: analysis.Error, Span: analysis.Span{Start: first, End: first + 7}, Message: analysis.SayText(analysis.T("m", "m")),
			Related: []analysis.Related{{File: "other.json", Span: analysis.Span{Start: first, End: first + 7}, Message: analysis.T("r", "r")}}},
		{Code: "invalid-effect", Severity: analysis.Error, Span: analysis.Span{Start: second, End: second + 7}, Message: analysis.SayText(analysis.T("m", "m"))},
	}, "en", source)
	// {"Sid": "読み取り", "Effect": is 26 characters (36 bytes after the BOM).
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%d:%d-%d:%d", f.Line, f.Column, f.EndLine, f.EndColumn))
		for _, r := range f.Related {
			got = append(got, fmt.Sprintf("%s %d:%d-%d:%d", r.File, r.Line, r.Column, r.EndLine, r.EndColumn))
		}
	}
	if want := "1:27-1:34,other.json 1:27-1:34,2:12-2:19"; strings.Join(got, ",") != want {
		t.Errorf("placed at %s, want %s", strings.Join(got, ","), want)
	}
}
