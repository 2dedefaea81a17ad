package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// stormWords replace string values: each keeps the JSON valid, and many
// make a check speak.
var stormWords = []string{"s3:GetObject", "s3:Get*", "s3:GetObjct", "s3:ListBucket", "kms:Decrypt", "arn:aws:s3:::doc-example-bucket/*",
	"arn:aws:s3:us-east-1::b", "Allow", "Deny", "Alow", "*", "2012-10-17", "2008-10-17", "aws:SourceVpce", "日本語", "x😀y", ""}

// stormJunk is typed and then taken back: it breaks the JSON on the way.
var stormJunk = []string{"{", "}", "\"", ",", ":", "[", "]", "\n", "  ", "é", "😀", "\\", "null", "\"Action\": ", "s3:"}

// TestEditStorm sends 10,000 random ranged edits (a few as whole texts)
// to the binary as fast as it takes them, then compares the diagnostics
// it publishes for the last version with what `check` finds in the same
// text. Junk is typed and taken back in between, so the server works
// through broken JSON, and string values change for good, so that the
// final policy has findings to compare.
func TestEditStorm(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "storm.bucket-policy.json")
	uri := "file://" + filepath.ToSlash(path)
	text := policygen.Generate("bucket", 3<<10, 7)
	r := rand.New(rand.NewPCG(7, 11))

	c := startBinary(t, bin, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
	defer cancel()
	if err := c.Initialize(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Open(uri, 1, string(text)); err != nil {
		t.Fatal(err)
	}

	text, version := storm(t, c, uri, text, 10_000, r)
	final, err := c.WaitVersion(ctx, uri, version)
	if err != nil {
		t.Fatal(err)
	}
	if *final.Version != version {
		t.Fatalf("published version %d, want %d", *final.Version, version)
	}
	assertInOrder(t, c.Published(), uri)

	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	want := checkFindings(t, bin, path)
	assertSameFindings(t, final, want, version, text)
	if len(want) == 0 {
		t.Fatalf("the final policy has no finding: the comparison proves little\n%s", text)
	}
	t.Logf("%d edits, %d publishes, %d findings compared", version-1, len(c.Published()), len(want))
}

// storm sends edits random ranged edits (a few as whole texts) to the
// open document at uri, version 1, as fast as the server takes them: junk
// typed and taken back, and string values changed for good. It returns
// the final text and version.
func storm(t *testing.T, c *lspclient.Client, uri string, text []byte, edits int, r *rand.Rand) ([]byte, int) {
	t.Helper()
	version := 1
	send := func(start, end int, insert string) {
		version++
		m := mapper.New(text)
		change := map[string]any{"text": insert, "range": map[string]any{"start": m.Position(start), "end": m.Position(end)}}
		text = slices.Concat(text[:start], []byte(insert), text[end:])
		if version%50 == 0 {
			change = map[string]any{"text": string(text)} // now and then the whole text
		}
		err := c.Notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{change}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for version-1 < edits {
		// Junk typed, then taken back in reverse order.
		type undo struct {
			at      int
			n       int
			removed string
		}
		var undos []undo
		for range r.IntN(4) {
			at := runeStart(text, r.IntN(len(text)+1))
			end := runeStart(text, min(len(text), at+r.IntN(6)))
			junk := stormJunk[r.IntN(len(stormJunk))]
			undos = append(undos, undo{at, len(junk), string(text[at:end])})
			send(at, end, junk)
		}
		for i := len(undos) - 1; i >= 0; i-- {
			u := undos[i]
			send(u.at, u.at+u.n, u.removed)
		}
		// A value changed for good.
		root, err := analysis.ParseJSON(text)
		if err != nil {
			t.Fatalf("version %d does not parse after the junk was taken back: %s", version, err.Msg)
		}
		values := stringValues(root)
		v := values[r.IntN(len(values))]
		inner := v.InnerSpan()
		send(inner.Start, inner.End, stormWords[r.IntN(len(stormWords))])
	}

	return text, version
}

// assertSameFindings fails unless the diagnostics published for the
// last version are the findings check made of its text (want, as
// checkFindings lists them).
func assertSameFindings(t *testing.T, final lspclient.Published, want []string, version int, text []byte) {
	t.Helper()
	ds, err := final.Diagnostics()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(ds))
	for i, d := range ds {
		got[i] = fmt.Sprintf("%s %d:%d-%d:%d", d.Code, d.Range.Start.Line+1, d.Range.Start.Character+1, d.Range.End.Line+1, d.Range.End.Character+1)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("after %d edits the server publishes\n%v\nand check finds\n%v\nin:\n%s", version-1, got, want, text)
	}
}

// runeStart moves an offset back to the start of its character.
func runeStart(b []byte, i int) int {
	for i > 0 && i < len(b) && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}

// stringValues lists the string values (not keys) of a document.
func stringValues(v *analysis.Value) []*analysis.Value {
	var out []*analysis.Value
	switch v.Kind {
	case analysis.String:
		out = append(out, v)
	case analysis.Array:
		for _, item := range v.Items {
			out = append(out, stringValues(item)...)
		}
	case analysis.Object:
		for _, f := range v.Fields {
			out = append(out, stringValues(f.Value)...)
		}
	}
	return out
}

// assertInOrder fails when diagnostics of an older version of uri are
// published after those of a newer one.
func assertInOrder(t *testing.T, pubs []lspclient.Published, uri string) {
	t.Helper()
	last := 0
	for _, p := range pubs {
		if p.URI != uri || p.Version == nil {
			continue
		}
		if *p.Version < last {
			t.Fatalf("version %d published after version %d", *p.Version, last)
		}
		last = *p.Version
	}
}

// checkFindings runs `check --format json` on a file and lists its
// findings as "code line:col-endLine:endCol", sorted.
func checkFindings(t *testing.T, bin, path string) []string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bin, "check", "--format", "json", "--fail-on", "hint", path)
	cmd.Stdout = &out
	_ = cmd.Run() // exit 1 when there are findings
	var findings []struct {
		Code                             string
		Line, Column, EndLine, EndColumn int
	}
	if err := json.Unmarshal(out.Bytes(), &findings); err != nil {
		t.Fatalf("check output: %v\n%s", err, out.String())
	}
	got := make([]string, len(findings))
	for i, f := range findings {
		got[i] = fmt.Sprintf("%s %d:%d-%d:%d", f.Code, f.Line, f.Column, f.EndLine, f.EndColumn)
	}
	slices.Sort(got)
	return got
}
