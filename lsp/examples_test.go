package lsp_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// TestExamplesInTheEditor drives every example policy under examples/
// through the server as an editor would: each diagnostic has a hover that
// explains it in English and in Japanese, and each quick fix offered for it,
// applied as the client applies it, leaves valid JSON in which that
// diagnostic is gone.
func TestExamplesInTheEditor(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	// The documents are opened once the folder is scanned: a file opened
	// earlier is diagnosed alone until the scan loads the Terraform module
	// or the .s3policy.json that governs it, and its hover with it.
	progress := map[string]any{"window": map[string]any{"workDoneProgress": true}}
	en := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(root)), "capabilities": progress})
	ja := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(root)), "locale": "ja", "capabilities": progress})
	waitScanEnd(en)
	waitScanEnd(ja)
	fixed := 0
	for _, path := range examplePolicies(t, root) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		docURI := string(uri.File(path))
		rel, _ := filepath.Rel(root, path)
		en.open(docURI, string(src), 1)
		ja.open(docURI, string(src), 1)
		version := 1
		diags := en.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 1 }).Diagnostics
		ja.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 1 })
		for _, d := range diags {
			code := d.Code.(string)
			for _, c := range []struct {
				client *client
				want   string
			}{{en, checkExplain(code).EN}, {ja, checkExplain(code).JA}} {
				if hover := hoverText(c.client, docURI, d.Range.Start); !strings.Contains(hover, c.want) {
					t.Errorf("%s %s at %v: hover lacks the explanation %.60q…:\n%s", rel, code, d.Range.Start, c.want, hover)
				}
			}
			fixed += applyEachFix(t, en, docURI, string(src), d, diags, rel, &version)
		}
		en.close(docURI)
		ja.close(docURI)
	}
	if fixed < 10 {
		t.Errorf("applied %d quick fixes over the examples; expected the examples to exercise at least 10", fixed)
	}
}

// applyEachFix applies every quick fix offered for d, each on the original
// text, and asserts the JSON stays valid and d is gone (one fewer finding of
// its code than before). It restores the original text after each and
// returns the number of fixes applied; *version is the document's version.
func applyEachFix(t *testing.T, c *client, docURI, src string, d protocol.Diagnostic, before []protocol.Diagnostic, rel string, version *int) int {
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": docURI},
		"range":        d.Range,
		"context":      map[string]any{"diagnostics": []protocol.Diagnostic{d}},
	}, &actions)
	applied := 0
	for _, a := range actions {
		if len(a.Diagnostics) == 0 || a.Diagnostics[0].Code != d.Code || a.Diagnostics[0].Range != d.Range {
			continue
		}
		text := applyUTF16(t, src, a.Edit.Changes[protocol.DocumentURI(docURI)])
		if _, err := analysis.ParseJSON([]byte(text)); err != nil {
			t.Errorf("%s: the fix %q for %s leaves invalid JSON (%s):\n%s", rel, a.Title, d.Code, err.Msg.EN, text)
			continue
		}
		after := c.edit(docURI, text, version)
		if count(after, d.Code) >= count(before, d.Code) {
			t.Errorf("%s: the fix %q does not remove %s:\n%s", rel, a.Title, d.Code, text)
		}
		c.edit(docURI, src, version)
		applied++
	}
	return applied
}

// edit replaces the document's text as a new version and returns the
// diagnostics published for it.
func (c *client) edit(docURI, text string, version *int) []protocol.Diagnostic {
	*version++
	v := *version
	c.change(docURI, text, v)
	return c.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return int(p.Version) == v }).Diagnostics
}

func checkExplain(code string) analysis.Text {
	if c := checks.ByCode(code); c != nil {
		return c.Explain
	}
	for _, r := range analysis.BuiltinRules {
		if r.Code == code {
			return r.Explain
		}
	}
	return analysis.Text{}
}

func hoverText(c *client, docURI string, at protocol.Position) string {
	var h *protocol.Hover
	c.call(protocol.MethodTextDocumentHover, map[string]any{"textDocument": map[string]any{"uri": docURI}, "position": at}, &h)
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

func count(ds []protocol.Diagnostic, code any) int {
	n := 0
	for _, d := range ds {
		if d.Code == code {
			n++
		}
	}
	return n
}

// examplePolicies lists the policy files under examples/ (not the
// .s3policy.json files, not explain scenarios).
func examplePolicies(t *testing.T, root string) []string {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if !d.IsDir() && strings.HasSuffix(name, ".json") && name != analysis.ConfigName && !strings.HasPrefix(name, "scenario") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
