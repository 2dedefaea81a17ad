package lsp

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// sameMessage fails unless a.message is byte for byte (frame and hash)
// what encodeDiagnostics makes of a.diagnostics(), the protocol's structs
// encoded by reflection, which is what the server sent before.
func sameMessage(t *testing.T, name string, a *analysed, u protocol.DocumentURI, version int32) {
	t.Helper()
	want, err := encodeDiagnostics(u, version, a.diagnostics())
	if err != nil {
		t.Fatal(err)
	}
	defer want.release()
	got := a.message(u, version)
	defer got.release()
	if !bytes.Equal(got.frame, want.frame) || got.hash != want.hash {
		t.Errorf("%s: encoded directly:\n%s\nfrom the protocol's structs:\n%s", name, got.frame, want.frame)
	}
}

// TestDiagnosticsEncodedDirectlyAreTheProtocolStructsEncoded: every file
// under examples/, analysed with the sets of the whole folder, in English
// and Japanese, open (a version) and closed; and findings made to hit
// every field left out or escaped: no severity, an empty code, a
// documentation URL, HTML, U+2028, bytes that are not UTF-8 and control
// characters in a message, related places in the same file, in another
// (twice in a row, then the first again) and in one that cannot be read,
// a path that needs escaping, and none at all.
func TestDiagnosticsEncodedDirectlyAreTheProtocolStructsEncoded(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t)
	texts := map[string][]byte{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := os.ReadFile(path)
		texts[path] = text
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.store.folders = []string{root}
	for path, text := range texts {
		s.store.disk[path] = text
	}
	s.sched.index.rebuild(s.store.folders, texts)
	withFindings := 0
	for _, locale := range []string{"en", "ja"} {
		settings := s.store.settings()
		settings.Locale = locale
		for path, text := range texts {
			a := s.analyse(&document{uri: uri.File(path), path: path, text: text}, settings)
			if len(a.findings) > 0 {
				withFindings++
			}
			rel, _ := filepath.Rel(root, path)
			sameMessage(t, rel+" "+locale, a, a.uri, 0)
			sameMessage(t, rel+" "+locale+" open", a, a.uri, 4)
		}
	}
	if withFindings < 50 {
		t.Errorf("%d analyses of the examples had findings: the comparison covers too little", withFindings)
	}

	dir := t.TempDir()
	other := filepath.Join(dir, "other <&> 読み.json")
	if err := os.WriteFile(other, []byte("{\n  \"a\": \"日😀\",\r\n  \"b\": 1\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.store.folders = append(s.store.folders, dir)
	text := []byte("{\n\t\"Statement\": [\"é😀\", \"x\"]\n}\n")
	path := filepath.Join(dir, "p&q.json")
	say := func(s string) analysis.FindingMessage {
		return analysis.SayText(analysis.Text{EN: s, JA: s + " 読み"})
	}
	weird := "a <b> & c \u2028 \u2029 \"q\" \\ \t\x01\x1f \xff\xfe 😀"
	a := &analysed{s: s, uri: uri.File(path), path: path, text: text, m: mapper.New(text), locale: "en", findings: []analysis.Finding{
		{Code: "", Severity: 0, Span: analysis.Span{Start: 2, End: 13}, Message: say("plain")},
		{Code: "x<y", Severity: analysis.Severity(2), Span: analysis.Span{Start: 17, End: 99}, Message: say(weird), DocURL: "https://example.com/d?a=1&b=<2>",
			Related: []analysis.Related{
				{Span: analysis.Span{Start: 20, End: 24}, Message: analysis.Text{EN: "here"}},
				{File: filepath.Base(other), Span: analysis.Span{Start: 9, End: 17}, Message: analysis.Text{EN: weird}},
				{File: other, Span: analysis.Span{Start: 20, End: 30}},
				{File: "gone.json", Span: analysis.Span{Start: 1, End: 2}, Message: analysis.Text{EN: "gone"}},
				{File: filepath.Base(other), Span: analysis.Span{Start: 0, End: 1}},
			}},
		{Code: "c", Severity: analysis.Severity(4), Span: analysis.Span{Start: len(text), End: len(text) + 5}, Message: say("")},
	}}
	for _, locale := range []string{"en", "ja"} {
		a.locale = locale
		sameMessage(t, "made "+locale, a, a.uri, 0)
		sameMessage(t, "made "+locale+" open", a, "file:///w/a%20b/p<&>.json", 1<<30)
	}
	a.findings = nil
	sameMessage(t, "none", a, a.uri, 0)
}

// appendJSONString copies a string of printable ASCII as it is: each
// byte under 128, alone and in a word, is escaped as json.Append escapes
// it, and so are texts beyond ASCII.
func TestJSONStringsAreWrittenAsJSONAppendWritesThem(t *testing.T) {
	texts := []string{"", "読み取り", "é😀", "\u2028", "\xff", "ok\xe2\x82"}
	for c := range 128 {
		texts = append(texts, string(rune(c)), "a"+string(rune(c))+"b")
	}
	for _, s := range texts {
		want, err := json.Append(nil, s, jsonFlags)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: %s, json.Append %s", s, got[1:], want)
		}
	}
}
