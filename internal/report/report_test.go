package report

import (
	"bytes"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

func TestPlaceCountsUTF16(t *testing.T) {
	src := []byte("{\n  \"Sid\": \"日本😀\", x\n}")
	at := bytes.IndexByte(src, 'x')
	fs := Place("a.json", src, "", []analysis.Finding{{
		Code: "json-syntax", Severity: analysis.Error, Span: analysis.Span{Start: at, End: at + 1},
		Message: analysis.T("bad", "不正"),
	}}, "ja-JP")
	want := Finding{File: "a.json", Line: 2, Column: 18, EndLine: 2, EndColumn: 19, Severity: analysis.Error, Code: "json-syntax", Message: "不正", Kind: "unknown"}
	if len(fs) != 1 || fs[0] != want {
		t.Errorf("Place = %+v, want %+v", fs, want)
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
