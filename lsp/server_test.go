package lsp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// oldVersion has "2008-10-17" on a line that holds Japanese text and an
// emoji before it. In UTF-16 the line reads
//
//	  "Id": "日本語😀", "Version": "2008-10-17",
//	0 2    8         17 19        28           40
//
// where 日本語 are one unit each and 😀 is a surrogate pair: the value
// spans characters 28 to 40 of line 1 (in bytes it would be 33 to 45).
const oldVersion = `{
  "Id": "日本語😀", "Version": "2008-10-17",
  "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
}`

var oldVersionRange = protocol.Range{Start: protocol.Position{Line: 1, Character: 28}, End: protocol.Position{Line: 1, Character: 40}}

const policyURI = "file:///work/p/a.iam-policy.json"

func hasVersion(v uint32) func(protocol.PublishDiagnosticsParams) bool {
	return func(p protocol.PublishDiagnosticsParams) bool { return p.Version == v }
}

func TestDiagnosticsLifecycle(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 1)
	got := c.waitDiagnostics(policyURI, hasVersion(1))
	if len(got.Diagnostics) != 1 {
		t.Fatalf("version 1: got %d diagnostics %+v, want 1", len(got.Diagnostics), got.Diagnostics)
	}
	d := got.Diagnostics[0]
	if d.Range != oldVersionRange {
		t.Errorf("range %+v, want %+v", d.Range, oldVersionRange)
	}
	if d.Code != "missing-version" || d.Severity != protocol.DiagnosticSeverityWarning || d.Source != "s3policy-lsp" {
		t.Errorf("code %v severity %v source %q", d.Code, d.Severity, d.Source)
	}
	if d.CodeDescription == nil || string(d.CodeDescription.Href) != checks.MissingVersion.DocURL {
		t.Errorf("codeDescription %+v, want %s", d.CodeDescription, checks.MissingVersion.DocURL)
	}
	if !strings.HasPrefix(d.Message, "Version \"2008-10-17\" is not 2012-10-17") {
		t.Errorf("message %q", d.Message)
	}

	c.change(policyURI, strings.Replace(oldVersion, "2008-10-17", "2012-10-17", 1), 2)
	fixedRaw := c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
		return strings.Contains(string(raw), `"version":2`)
	})
	if !strings.Contains(string(fixedRaw), `"diagnostics":[]`) {
		t.Errorf("version 2 must clear with []: %s", fixedRaw)
	}

	c.close(policyURI)
	closedRaw := c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool {
		return strings.Contains(string(raw), policyURI) && !strings.Contains(string(raw), `"version"`)
	})
	if !strings.Contains(string(closedRaw), `"diagnostics":[]`) {
		t.Errorf("close must clear with []: %s", closedRaw)
	}
}

func TestNonPolicyJSONGetsEmptyDiagnostics(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	const u = "file:///work/p/package.json"
	c.open(u, `{"name": "x", "Version": "1"}`, 3)
	raw := c.waitNote(protocol.MethodTextDocumentPublishDiagnostics, func(raw json.RawMessage) bool { return strings.Contains(string(raw), u) })
	if !strings.Contains(string(raw), `"diagnostics":[]`) || !strings.Contains(string(raw), `"version":3`) {
		t.Errorf("got %s, want [] for version 3", raw)
	}
}

func TestHoverInEnglishAndJapanese(t *testing.T) {
	// The hover explains; the message, which the client shows already, is
	// not repeated.
	for _, tc := range []struct{ locale, want string }{
		{"en-US", "**warning** (`missing-version`)\n\nWithout `\"Version\": \"2012-10-17\"` AWS evaluates"},
		{"ja", "**警告** (`missing-version`)\n\n`\"Version\": \"2012-10-17\"` がないと"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			c := startInitialized(t, lsp.Options{}, map[string]any{"locale": tc.locale})
			c.open(policyURI, oldVersion, 1)
			var h protocol.Hover
			c.call(protocol.MethodTextDocumentHover, map[string]any{
				"textDocument": map[string]any{"uri": policyURI}, "position": position(1, 30),
			}, &h)
			if !strings.HasPrefix(h.Contents.Value, tc.want) || h.Contents.Kind != protocol.Markdown {
				t.Errorf("hover %q\nwant prefix %q", h.Contents.Value, tc.want)
			}
			if h.Range == nil || *h.Range != oldVersionRange {
				t.Errorf("hover range %+v, want %+v", h.Range, oldVersionRange)
			}
		})
	}
}

func TestHoverWithoutFindingIsNull(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 1)
	var h *protocol.Hover
	c.call(protocol.MethodTextDocumentHover, map[string]any{
		"textDocument": map[string]any{"uri": policyURI}, "position": position(3, 0),
	}, &h)
	if h != nil {
		t.Errorf("hover on the closing brace: %+v, want null", h)
	}
}

func TestCodeActionFixesInUTF16(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 1)
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": policyURI},
		"range":        map[string]any{"start": position(1, 29), "end": position(1, 29)},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &actions)
	if len(actions) != 1 {
		t.Fatalf("got %d actions %+v, want 1", len(actions), actions)
	}
	a := actions[0]
	if a.Title != "Set Version to 2012-10-17" || a.Kind != protocol.QuickFix || !a.IsPreferred {
		t.Errorf("action %q kind %q preferred %v", a.Title, a.Kind, a.IsPreferred)
	}
	if len(a.Diagnostics) != 1 || a.Diagnostics[0].Code != "missing-version" || a.Diagnostics[0].Range != oldVersionRange {
		t.Errorf("action diagnostics %+v", a.Diagnostics)
	}
	edits := a.Edit.Changes[policyURI]
	fixed := applyUTF16(t, oldVersion, edits)
	if want := strings.Replace(oldVersion, "2008-10-17", "2012-10-17", 1); fixed != want {
		t.Errorf("fixed text:\n%s\nwant:\n%s", fixed, want)
	}
	if _, err := analysis.ParseJSON([]byte(fixed)); err != nil {
		t.Errorf("the fix leaves invalid JSON: %s", err.Msg.EN)
	}

	// Outside the finding, and when only refactorings are asked for: none.
	for _, params := range []map[string]any{
		{"range": map[string]any{"start": position(2, 0), "end": position(2, 5)}, "context": map[string]any{"diagnostics": []any{}}},
		{"range": map[string]any{"start": position(1, 29), "end": position(1, 29)}, "context": map[string]any{"diagnostics": []any{}, "only": []string{"refactor"}}},
	} {
		params["textDocument"] = map[string]any{"uri": policyURI}
		var none []protocol.CodeAction
		c.call(protocol.MethodTextDocumentCodeAction, params, &none)
		if none == nil || len(none) != 0 {
			t.Errorf("params %v: got %+v, want []", params, none)
		}
	}

	// Neovim 0.7 sends the cursor, at the start of the line here, and
	// every diagnostic of its line: the fixes of those diagnostics come.
	var atLineStart []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": policyURI},
		"range":        map[string]any{"start": position(1, 0), "end": position(1, 0)},
		"context":      map[string]any{"diagnostics": a.Diagnostics},
	}, &atLineStart)
	if len(atLineStart) != 1 || atLineStart[0].Title != "Set Version to 2012-10-17" {
		t.Errorf("with the line's diagnostic sent back: %+v, want the Version fix", atLineStart)
	}
}

// applyUTF16 applies LSP text edits by counting UTF-16 code units, as an
// editor does, independently of the server's mapper.
func applyUTF16(t *testing.T, text string, edits []protocol.TextEdit) string {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	offset := func(p protocol.Position) int {
		units := utf16.Encode([]rune(lines[p.Line]))
		return len(strings.Join(lines[:p.Line], "")) + len(string(utf16.Decode(units[:p.Character])))
	}
	sorted := slices.Clone(edits)
	slices.SortFunc(sorted, func(a, b protocol.TextEdit) int { return offset(b.Range.Start) - offset(a.Range.Start) })
	for _, e := range sorted {
		text = text[:offset(e.Range.Start)] + e.NewText + text[offset(e.Range.End):]
	}
	return text
}

func TestDocumentSymbols(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	const text = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
]}`
	c.open(policyURI, text, 1)
	var syms []protocol.DocumentSymbol
	c.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": policyURI}}, &syms)
	type flat struct {
		name, detail string
		kind         protocol.SymbolKind
		children     int
		sel          protocol.Range
	}
	var got []flat
	for _, s := range syms {
		got = append(got, flat{s.Name, s.Detail, s.Kind, len(s.Children), s.SelectionRange})
	}
	rng := func(l1, c1, l2, c2 uint32) protocol.Range {
		return protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
	}
	want := []flat{
		{"Version", "2012-10-17", protocol.SymbolKindProperty, 0, rng(0, 1, 0, 10)},
		{"Read", "Allow", protocol.SymbolKindStruct, 4, rng(1, 10, 1, 16)},
		{"Statement 2", "Deny", protocol.SymbolKindStruct, 3, rng(2, 2, 2, 55)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("symbols\n got %+v\nwant %+v", got, want)
	}
	if len(syms) == 3 && (syms[1].Children[2].Name != "Action" || syms[1].Children[2].Kind != protocol.SymbolKindProperty) {
		t.Errorf("third element of Read: %+v", syms[1].Children[2])
	}
}

func TestBurstOfChangesPublishesTheLastVersion(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 1)
	const last = 201
	for v := 2; v <= last; v++ {
		text := oldVersion // odd versions are faulty, even ones clean
		if v%2 == 0 {
			text = strings.Replace(oldVersion, "2008-10-17", "2012-10-17", 1)
		}
		c.change(policyURI, text, v)
	}
	final := c.waitDiagnostics(policyURI, hasVersion(last))
	if len(final.Diagnostics) != 1 || final.Diagnostics[0].Range != oldVersionRange {
		t.Errorf("version %d: %+v, want the missing-version finding", last, final.Diagnostics)
	}
	all := c.published(policyURI)
	for i := 1; i < len(all); i++ {
		if all[i].Version < all[i-1].Version {
			t.Fatalf("version %d published after %d", all[i].Version, all[i-1].Version)
		}
	}
	if n := len(all); all[n-1].Version != last {
		t.Errorf("last publication is version %d, want %d", all[n-1].Version, last)
	}
	t.Logf("%d changes gave %d publications", last-1, len(all))
}

// TestAChangeSentTwiceIsTakenOnce sends a didChange twice, the same
// version with the same text, as Neovim 0.7 does when a request flushes
// its pending change before the debounce timer's scheduled send of it
// runs (lsp.lua, changetracking: the timer's callback was scheduled
// before the flush and sends the change again). The repeat changes
// nothing and is taken silently: before, the server logged "ignoring
// version 6 ... version 6 is already in" on stderr, which Neovim logs as
// an ERROR (editors/nvim/test/e2e.lua failed on it under load). The
// same version with another text is still refused.
func TestAChangeSentTwiceIsTakenOnce(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 5)
	c.waitDiagnostics(policyURI, hasVersion(5))
	fixed := strings.Replace(oldVersion, "2008-10-17", "2012-10-17", 1)
	c.change(policyURI, fixed, 6)
	c.change(policyURI, fixed, 6)
	c.change(policyURI, `{}`, 6)
	c.change(policyURI, `{}`, 4)
	// Notifications are taken, and refusals logged, in order: once the
	// last is refused, the others were taken or refused.
	c.waitLog("ignoring version 4 of " + policyURI + ": version 6 is already in")
	if got := c.waitDiagnostics(policyURI, hasVersion(6)); len(got.Diagnostics) != 0 {
		t.Errorf("version 6: %+v, want no findings", got.Diagnostics)
	}
	var refused []string
	for _, m := range c.logMessages() {
		if strings.Contains(m, "ignoring version 6") {
			refused = append(refused, m)
		}
	}
	if len(refused) != 1 {
		t.Errorf("refused changes: %q, want only the one with another text", refused)
	}
}

func TestStaleAndUnknownChangesAreIgnored(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 5)
	c.waitDiagnostics(policyURI, hasVersion(5))
	c.change(policyURI, `{}`, 4)
	c.waitLog("ignoring version 4 of " + policyURI + ": version 5 is already in")
	c.change("file:///nowhere.json", `{}`, 2)
	c.waitLog("ignoring a change to file:///nowhere.json, which is not open")
	// The stale text was not taken: the finding is still where it was.
	var h protocol.Hover
	c.call(protocol.MethodTextDocumentHover, map[string]any{"textDocument": map[string]any{"uri": policyURI}, "position": position(1, 30)}, &h)
	if h.Range == nil || *h.Range != oldVersionRange {
		t.Errorf("hover after a stale change: %+v", h)
	}
}

func TestConfigBufferFindingsAndEffect(t *testing.T) {
	dir := t.TempDir()
	configURI := string(uri.File(filepath.Join(dir, ".s3policy.json")))
	docURI := string(uri.File(filepath.Join(dir, "sub", "a.iam-policy.json")))
	c := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(dir))})

	c.open(docURI, oldVersion, 1)
	c.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 1 })

	c.open(configURI, "{\n  \"acounts\": [],\n  \"disable\": [\"missing-version\"]\n}", 1)
	cfg := c.waitDiagnostics(configURI, hasVersion(1))
	want := protocol.Range{Start: protocol.Position{Line: 1, Character: 2}, End: protocol.Position{Line: 1, Character: 11}}
	if len(cfg.Diagnostics) != 1 || cfg.Diagnostics[0].Code != "invalid-config" || cfg.Diagnostics[0].Range != want {
		t.Fatalf("config diagnostics %+v, want invalid-config at %+v", cfg.Diagnostics, want)
	}
	if !strings.Contains(cfg.Diagnostics[0].Message, `did you mean "accounts"?`) {
		t.Errorf("message %q", cfg.Diagnostics[0].Message)
	}
	// The unsaved buffer governs the policy below it at once.
	c.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })

	// Closing the buffer, with no file on disk, brings the finding back.
	c.close(configURI)
	c.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 1 })
}

func TestConfigOnDiskUpToTheWorkspaceFolder(t *testing.T) {
	root := t.TempDir()
	workspace := filepath.Join(root, "ws")
	if err := os.MkdirAll(filepath.Join(workspace, "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	disableAll := []byte(`{"disable": ["missing-version"]}`)
	// Above the workspace folder: must not count.
	if err := os.WriteFile(filepath.Join(root, ".s3policy.json"), disableAll, 0o644); err != nil {
		t.Fatal(err)
	}
	c := startInitialized(t, lsp.Options{}, map[string]any{
		"workspaceFolders": []any{map[string]any{"uri": string(uri.File(workspace)), "name": "ws"}},
	})
	docURI := string(uri.File(filepath.Join(workspace, "deep", "a.iam-policy.json")))
	c.open(docURI, oldVersion, 1)
	if got := c.waitDiagnostics(docURI, hasVersion(1)); len(got.Diagnostics) != 1 {
		t.Fatalf("a config above the workspace folder was used: %+v", got.Diagnostics)
	}
	// In the workspace folder: counts once saved.
	configPath := filepath.Join(workspace, ".s3policy.json")
	if err := os.WriteFile(configPath, disableAll, 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{
		"changes": []any{map[string]any{"uri": string(uri.File(configPath)), "type": 2}},
	})
	c.waitDiagnostics(docURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })
}

// A file opened outside every workspace folder reads no .s3policy.json
// above its own folder: the server reads only under its folders.
func TestConfigOutsideTheFoldersIsNotRead(t *testing.T) {
	root := t.TempDir()
	workspace, outside := filepath.Join(root, "ws"), filepath.Join(root, "elsewhere", "deep")
	for _, d := range []string{workspace, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "elsewhere", ".s3policy.json"), []byte(`{"disable": ["missing-version"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startInitialized(t, lsp.Options{}, map[string]any{
		"workspaceFolders": []any{map[string]any{"uri": string(uri.File(workspace)), "name": "ws"}},
	})
	docURI := string(uri.File(filepath.Join(outside, "a.iam-policy.json")))
	c.open(docURI, oldVersion, 1)
	if got := c.waitDiagnostics(docURI, hasVersion(1)); len(got.Diagnostics) != 1 {
		t.Fatalf("a config outside the workspace folders was read: %+v", got.Diagnostics)
	}
}

func TestSettingsLayerOverConfig(t *testing.T) {
	t.Run("initializationOptions disable", func(t *testing.T) {
		c := startInitialized(t, lsp.Options{}, map[string]any{
			"initializationOptions": map[string]any{"disable": []string{"missing-version"}},
		})
		c.open(policyURI, oldVersion, 1)
		if got := c.waitDiagnostics(policyURI, hasVersion(1)); len(got.Diagnostics) != 0 {
			t.Errorf("disabled code still reported: %+v", got.Diagnostics)
		}
	})
	// Neovim encodes an empty Lua table as [], so setup{} sends [] where an
	// object is meant: it is read as empty, without a complaint in the log.
	for _, options := range []any{
		[]any{},
		map[string]any{"s3policy": []any{}},
		map[string]any{"s3policy": map[string]any{"severity": []any{}, "disable": []any{}}},
	} {
		t.Run(fmt.Sprintf("initializationOptions %v", options), func(t *testing.T) {
			c := startInitialized(t, lsp.Options{}, map[string]any{"initializationOptions": options})
			c.open(policyURI, oldVersion, 1)
			if got := c.waitDiagnostics(policyURI, hasVersion(1)); len(got.Diagnostics) != 1 || got.Diagnostics[0].Code != "missing-version" {
				t.Errorf("diagnostics %+v, want the one missing-version", got.Diagnostics)
			}
			if logs := c.logMessages(); len(logs) != 0 {
				t.Errorf("logged %q", logs)
			}
		})
	}
	t.Run("editor severity wins over .s3policy.json", func(t *testing.T) {
		dir := t.TempDir()
		config := `{"severity": {"missing-version": "hint"}, "disable": ["other-code"]}`
		if err := os.WriteFile(filepath.Join(dir, ".s3policy.json"), []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			options map[string]any
			want    protocol.DiagnosticSeverity
		}{
			{nil, protocol.DiagnosticSeverityHint},
			{map[string]any{"s3policy": map[string]any{"severity": map[string]any{"missing-version": "error"}}}, protocol.DiagnosticSeverityError},
		} {
			c := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(dir)), "initializationOptions": tc.options})
			docURI := string(uri.File(filepath.Join(dir, "a.iam-policy.json")))
			c.open(docURI, oldVersion, 1)
			got := c.waitDiagnostics(docURI, hasVersion(1))
			if len(got.Diagnostics) != 1 || got.Diagnostics[0].Severity != tc.want {
				t.Errorf("options %v: %+v, want severity %v", tc.options, got.Diagnostics, tc.want)
			}
		}
	})
	t.Run("workspace/configuration severity and locale", func(t *testing.T) {
		c := start(t, lsp.Options{})
		c.settings = map[string]any{"severity": map[string]any{"missing-version": "error"}, "locale": "ja"}
		var result protocol.InitializeResult
		c.call(protocol.MethodInitialize, map[string]any{
			"processId":    nil,
			"capabilities": map[string]any{"workspace": map[string]any{"configuration": true}},
		}, &result)
		c.notify(protocol.MethodInitialized, map[string]any{})
		c.open(policyURI, oldVersion, 1)
		got := c.waitDiagnostics(policyURI, func(p protocol.PublishDiagnosticsParams) bool {
			return len(p.Diagnostics) == 1 && p.Diagnostics[0].Severity == protocol.DiagnosticSeverityError
		})
		if !strings.HasPrefix(got.Diagnostics[0].Message, `Version "2008-10-17" は`) {
			t.Errorf("message not in Japanese: %q", got.Diagnostics[0].Message)
		}
		// A changed setting is fetched again and applied.
		c.mu.Lock()
		c.settings = map[string]any{"disable": []string{"missing-version"}}
		c.mu.Unlock()
		c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": nil})
		c.waitDiagnostics(policyURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })
	})
}

func TestRelatedInformationAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.bucket-policy.json")
	if err := os.WriteFile(other, []byte("{\n  \"Statement\": []\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	relating := &analysis.Check{
		Code: "test-related", Severity: analysis.Information,
		Run: func(p *analysis.Pass) {
			p.Report(analysis.Finding{
				Span: p.Policy.Statement.KeySpan, Message: analysis.SayText(analysis.T("see there", "あちらを参照")),
				Related: []analysis.Related{
					{File: "other.bucket-policy.json", Span: analysis.Span{Start: 4, End: 15}, Message: analysis.T("the other", "もう一方")},
					{Span: p.Policy.Version.KeySpan, Message: analysis.T("here", "ここ")},
				},
			})
		},
	}
	c := startInitialized(t, lsp.Options{Checks: []*analysis.Check{relating}}, nil)
	docURI := string(uri.File(filepath.Join(dir, "a.iam-policy.json")))
	c.open(docURI, oldVersion, 1)
	got := c.waitDiagnostics(docURI, hasVersion(1))
	if len(got.Diagnostics) != 1 || len(got.Diagnostics[0].RelatedInformation) != 2 {
		t.Fatalf("diagnostics %+v", got.Diagnostics)
	}
	rel := got.Diagnostics[0].RelatedInformation
	wantOther := protocol.Location{URI: uri.File(other), Range: protocol.Range{Start: protocol.Position{Line: 1, Character: 2}, End: protocol.Position{Line: 1, Character: 13}}}
	if rel[0].Location != wantOther || rel[0].Message != "the other" {
		t.Errorf("related 0: %+v, want %+v", rel[0], wantOther)
	}
	wantHere := protocol.Location{URI: uri.URI(docURI), Range: protocol.Range{Start: protocol.Position{Line: 1, Character: 17}, End: protocol.Position{Line: 1, Character: 26}}}
	if rel[1].Location != wantHere {
		t.Errorf("related 1: %+v, want %+v", rel[1].Location, wantHere)
	}
}

func TestCompletionMapsItems(t *testing.T) {
	complete := func(f *analysis.File, offset int) []analysis.CompletionItem {
		return []analysis.CompletionItem{{
			Label: "Effect", Kind: analysis.CompleteElement, Detail: "Allow or Deny",
			Doc: analysis.T("The effect.", "効果。"), Replace: analysis.Span{Start: offset - len("😀"), End: offset},
			NewText: `"Effect": "${1:Allow}"`, Snippet: true,
		}}
	}
	c := startInitialized(t, lsp.Options{Completers: []analysis.Completer{complete}}, nil)
	c.open(policyURI, "{\n  \"日本😀\n", 1) // half-typed
	var list protocol.CompletionList
	c.call(protocol.MethodTextDocumentCompletion, map[string]any{"textDocument": map[string]any{"uri": policyURI}, "position": position(1, 7)}, &list)
	if len(list.Items) != 1 {
		t.Fatalf("items %+v", list.Items)
	}
	item := list.Items[0]
	wantRange := protocol.Range{Start: protocol.Position{Line: 1, Character: 5}, End: protocol.Position{Line: 1, Character: 7}}
	if item.TextEdit == nil || item.TextEdit.Range != wantRange || item.TextEdit.NewText != `"Effect": "${1:Allow}"` {
		t.Errorf("text edit %+v, want range %+v", item.TextEdit, wantRange)
	}
	if item.InsertTextFormat != protocol.InsertTextFormatSnippet || item.Kind != protocol.CompletionItemKindProperty || item.Detail != "Allow or Deny" {
		t.Errorf("item %+v", item)
	}
}

func TestPanicsAreRecovered(t *testing.T) {
	boom := &analysis.Check{Code: "test-boom", Severity: analysis.Error, Run: func(*analysis.Pass) { panic("check boom") }}
	hoverBoom := func(*analysis.File, int) (analysis.Text, analysis.Span, bool) { panic("hover boom") }
	c := startInitialized(t, lsp.Options{
		Checks: []*analysis.Check{boom, checks.MissingVersion},
		Hovers: []analysis.HoverProvider{hoverBoom},
	}, nil)
	c.open(policyURI, oldVersion, 1)

	got := c.waitDiagnostics(policyURI, hasVersion(1))
	if want := []string{"internal-error", "missing-version"}; !slices.Equal(codes(got.Diagnostics), want) {
		t.Errorf("codes %v, want %v", codes(got.Diagnostics), want)
	}
	if msg := c.waitLog("check test-boom panicked: check boom"); !strings.Contains(msg, "goroutine") {
		t.Errorf("the log has no stack: %q", msg)
	}

	// A position with no finding, so that the provider is asked.
	err := c.callErr(protocol.MethodTextDocumentHover, map[string]any{"textDocument": map[string]any{"uri": policyURI}, "position": position(3, 0)}, &protocol.Hover{})
	var rpcErr *jsonrpc2.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc2.InternalError {
		t.Fatalf("hover: error %v, want InternalError", err)
	}
	if msg := c.waitLog("panic in textDocument/hover: hover boom"); !strings.Contains(msg, "goroutine") {
		t.Errorf("the log has no stack: %q", msg)
	}
	// The server still answers.
	var syms []protocol.DocumentSymbol
	c.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": policyURI}}, &syms)
	if len(syms) != 2 || syms[1].Name != "Read" {
		t.Errorf("symbols after the panic: %+v", syms)
	}
}

func TestLifecycle(t *testing.T) {
	t.Run("requests before initialize", func(t *testing.T) {
		c := start(t, lsp.Options{})
		err := c.callErr(protocol.MethodTextDocumentHover, map[string]any{}, nil)
		var rpcErr *jsonrpc2.Error
		if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc2.ServerNotInitialized {
			t.Errorf("error %v, want ServerNotInitialized", err)
		}
	})
	t.Run("unknown request", func(t *testing.T) {
		c := startInitialized(t, lsp.Options{}, nil)
		c.notify("$/unknownNotification", map[string]any{})
		err := c.callErr("textDocument/unknownThing", map[string]any{}, nil)
		var rpcErr *jsonrpc2.Error
		if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc2.MethodNotFound {
			t.Errorf("error %v, want MethodNotFound", err)
		}
	})
	t.Run("capabilities", func(t *testing.T) {
		c := start(t, lsp.Options{})
		var result map[string]any
		c.call(protocol.MethodInitialize, map[string]any{"processId": nil, "capabilities": map[string]any{}}, &result)
		got := fmt.Sprint(result["capabilities"])
		want := "map[codeActionProvider:map[codeActionKinds:[quickfix]] codeLensProvider:map[] completionProvider:map[triggerCharacters:[: \"]] documentSymbolProvider:true executeCommandProvider:map[commands:[s3policy.explain s3policy.explainError]] hoverProvider:true textDocumentSync:map[change:1 openClose:true save:map[]]]"
		if got != want {
			t.Errorf("capabilities\n got %s\nwant %s", got, want)
		}
	})
	for _, tc := range []struct {
		name     string
		shutdown bool
		want     int
	}{{"exit after shutdown", true, 0}, {"exit without shutdown", false, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			c := startInitialized(t, lsp.Options{}, nil)
			if tc.shutdown {
				c.call(protocol.MethodShutdown, nil, nil)
			}
			c.notify(protocol.MethodExit, nil)
			if code := c.waitExit(); code != tc.want {
				t.Errorf("exit code %d, want %d", code, tc.want)
			}
		})
	}
}

func TestMalformedFramesAreSkipped(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	for _, frame := range []string{
		"Content-Length: 9\r\n\r\nnot json!",
		"Bogus header\r\nContent-Length: 2\r\n\r\n{}",
		"Content-Length: 2\r\n\r\n{}",
	} {
		if _, err := c.raw.Write([]byte(frame)); err != nil {
			t.Fatal(err)
		}
	}
	c.waitLog("skipping a frame that is not a JSON-RPC message")
	c.waitLog(`skipping a malformed frame: invalid header line "Bogus header"`)
	c.open(policyURI, oldVersion, 1)
	if got := c.waitDiagnostics(policyURI, hasVersion(1)); len(got.Diagnostics) != 1 {
		t.Errorf("after malformed frames: %+v", got.Diagnostics)
	}
}

// TestBadInputNeverFails opens what an editor may hold while typing, or
// by mistake, and asks every feature at several places: each answers
// without an error and the diagnostics come.
func TestBadInputNeverFails(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	inputs := map[string]string{
		"empty":     "",
		"array":     "[]",
		"null":      "null",
		"string":    `"Statement"`,
		"truncated": `{"Version": "2012-10-17", "Statement": [{"Effect": "Al`,
		"garbage":   "\x00\x01\xff{\"Statement\x80\": [",
		"deep":      strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		"bom":       "\ufeff{\"Statement\": []}",
	}
	version := 1
	for name, text := range inputs {
		u := "file:///work/bad/" + name + ".iam-policy.json"
		c.open(u, text, version)
		c.waitDiagnostics(u, hasVersion(uint32(version)))
		version++
		for _, pos := range []map[string]any{position(0, 0), position(0, 3), position(5, 99)} {
			doc := map[string]any{"uri": u}
			for method, params := range map[string]map[string]any{
				protocol.MethodTextDocumentHover:          {"textDocument": doc, "position": pos},
				protocol.MethodTextDocumentCompletion:     {"textDocument": doc, "position": pos},
				protocol.MethodTextDocumentDocumentSymbol: {"textDocument": doc},
				protocol.MethodTextDocumentCodeAction:     {"textDocument": doc, "range": map[string]any{"start": position(0, 0), "end": pos}, "context": map[string]any{"diagnostics": []any{}}},
			} {
				var result json.RawMessage
				if err := c.callErr(method, params, &result); err != nil {
					t.Errorf("%s on %s at %v: %v", method, name, pos, err)
				}
			}
		}
	}
}

// TestCorpusThroughTheServer opens every policy of the AWS documentation
// corpus (../shared/corpus/awsdocs, skipped when absent), waits for each
// one's diagnostics and asks for its outline: no request may fail and no
// check may panic. It logs how long the round trips took.
func TestCorpusThroughTheServer(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "awsdocs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skip("the corpus ../shared/corpus/awsdocs is absent")
	}
	c := startInitialized(t, lsp.Options{}, nil)
	began := time.Now()
	n := 0
	for _, path := range files {
		if filepath.Base(path) == "manifest.json" {
			continue
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		u := "file:///corpus/" + filepath.Base(path)
		c.open(u, string(text), 1)
		got := c.waitDiagnostics(u, hasVersion(1))
		if slices.Contains(codes(got.Diagnostics), analysis.InternalErrorCode) {
			t.Errorf("%s: %+v", path, got.Diagnostics)
		}
		var syms []protocol.DocumentSymbol
		c.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": u}}, &syms)
		c.close(u)
		n++
	}
	t.Logf("%d corpus policies: open, diagnostics, outline and close in %v (%v each)", n, time.Since(began), time.Since(began)/time.Duration(n))
}

// TestLargeDocument opens a policy of about 5 MB, then edits it ten times
// in a burst: the last version's diagnostics arrive, and the time is
// logged.
func TestLargeDocument(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("5 MB of analysis: a measurement, not run with -short or -race")
	}
	var b strings.Builder
	b.WriteString(`{"Version": "2008-10-17", "Statement": [`)
	for i := 0; b.Len() < 5<<20; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"Sid": "S%d", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket-%d/*"}`, i, i)
	}
	b.WriteString("]}")
	text := b.String()
	c := startInitialized(t, lsp.Options{}, nil)
	began := time.Now()
	c.open(policyURI, text, 1)
	c.waitDiagnostics(policyURI, hasVersion(1))
	first := time.Since(began)
	began = time.Now()
	for v := 2; v <= 11; v++ {
		c.change(policyURI, text, v)
	}
	got := c.waitDiagnostics(policyURI, hasVersion(11))
	if len(got.Diagnostics) != 1 || got.Diagnostics[0].Code != "missing-version" {
		t.Errorf("diagnostics %+v", got.Diagnostics)
	}
	t.Logf("%d bytes: first diagnostics in %v; 10 changes in a burst settled in %v with %d publications",
		len(text), first, time.Since(began), len(c.published(policyURI)))
}

func TestInitializeToleratesOddCapabilitiesAndWatchesConfigs(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, map[string]any{
		"capabilities": map[string]any{
			"workspace":    map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}},
			"textDocument": map[string]any{"completion": map[string]any{"completionItem": map[string]any{"snippetSupport": "yes"}}},
			"window":       42,
		},
		"trace": "verbose",
	})
	raw := c.waitNote(protocol.MethodClientRegisterCapability, func(json.RawMessage) bool { return true })
	// One watcher for .s3policy.json and one for each file-name ending some
	// host reader reads (.json, .yaml, .tf, ...).
	var globs []string
	for _, ext := range hosts.Extensions() {
		globs = append(globs, `{"globPattern":"**/*`+ext+`"}`)
	}
	if !slices.Contains(hosts.Extensions(), ".json") || !slices.Contains(hosts.Extensions(), ".yaml") {
		t.Errorf("extensions %q lack .json or .yaml", hosts.Extensions())
	}
	want := `{"registrations":[{"id":"s3policy-config-watcher","method":"workspace/didChangeWatchedFiles","registerOptions":{"watchers":[{"globPattern":"**/.s3policy.json"},` + strings.Join(globs, ",") + `]}}]}`
	if string(raw) != want {
		t.Errorf("registration\n got %s\nwant %s", raw, want)
	}
}

func TestReopenAfterCloseKeepsOrder(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	for round := 0; round < 20; round++ {
		c.open(policyURI, oldVersion, 1)
		c.close(policyURI)
	}
	c.open(policyURI, oldVersion, 7)
	c.waitDiagnostics(policyURI, hasVersion(7))
	all := c.published(policyURI)
	if last := all[len(all)-1]; last.Version != 7 || len(last.Diagnostics) != 1 {
		t.Errorf("the last publication is %+v, want version 7 with its finding", last)
	}
}

// TestRangedChangeIsAppliedAsAnEdit: the server asks for full sync, but a
// client that sends a ranged change anyway must not have its edit taken
// for the whole text.
func TestRangedChangeIsAppliedAsAnEdit(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(policyURI, oldVersion, 1)
	c.notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument": map[string]any{"uri": policyURI, "version": 2},
		"contentChanges": []any{map[string]any{
			"range": map[string]any{"start": position(1, 31), "end": position(1, 33)},
			"text":  "12",
		}},
	})
	got := c.waitDiagnostics(policyURI, hasVersion(2))
	if len(got.Diagnostics) != 0 {
		t.Errorf("after replacing 08 by 12 in the version: %+v", got.Diagnostics)
	}
}

// An unsaved buffer, as VS Code opens one (untitled:Untitled-1, no file-name
// ending), is read by its language.
func TestUntitledBufferIsReadByItsLanguage(t *testing.T) {
	c := startInitialized(t, lsp.Options{}, nil)
	const untitled = "untitled:Untitled-1"
	c.open(untitled, oldVersion, 1)
	got := c.waitDiagnostics(untitled, hasVersion(1))
	if len(got.Diagnostics) != 1 || got.Diagnostics[0].Code != "missing-version" || got.Diagnostics[0].Range != oldVersionRange {
		t.Errorf("diagnostics %+v, want missing-version at %+v", got.Diagnostics, oldVersionRange)
	}
}
