package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

// closedConfig is a .s3policy.json with two faults: an unknown kind
// after a Japanese pattern, and an account ID after a Japanese bucket
// name with an emoji (two UTF-16 units, one rune, four bytes), so that a
// range in bytes or in runes would be off.
const closedConfig = `{
  "files": {
    "ポリシー/*.json": {"kind": "bukket"},
    "app/*.json": {"bucket": "データ🪣", "account": "1234", "kind": "bucket"}
  }
}
`

// closedConfigFixed is the config with both faults fixed.
const closedConfigFixed = `{
  "files": {
    "ポリシー/*.json": {"kind": "bucket"},
    "app/*.json": {"bucket": "データ🪣", "account": "123456789012", "kind": "bucket"}
  }
}
`

// closedConfigWant is what check reports of closedConfig, in the LSP's
// UTF-16 positions.
var closedConfigWant = []lspclient.Diagnostic{
	{Range: lspRange(2, 28, 2, 36), Severity: 1, Code: "invalid-config",
		Message: "kind must be one of identity, bucket, key, endpoint, scp, rcp, session, boundary, trust, resource"},
	{Range: lspRange(3, 49, 3, 55), Severity: 1, Code: "invalid-config",
		Message: `"1234" is not an AWS account ID (12 digits)`},
}

func lspRange(l1, c1, l2, c2 int) lspclient.Range {
	return lspclient.Range{Start: lspclient.Position{Line: l1, Character: c1}, End: lspclient.Position{Line: l2, Character: c2}}
}

// A .s3policy.json that is not open gets its own findings published, as
// check reports them: at the first scan, when it is fixed on disk (then
// none), broken again, opened with other text (the buffer's findings),
// closed (the disk's again), deleted (none) and created again. Before,
// the server published a config's findings only while it was open.
func TestClosedConfigFindingsArePublished(t *testing.T) {
	bin := buildBinary(t)
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	cfgPath := filepath.Join(dir, ".s3policy.json")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(closedConfig)
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}]}`
	if err := os.WriteFile(filepath.Join(dir, "app", "b.json"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	// check reports these very findings.
	out, _, code := runCLI(t, dir, "check", "--format", "json", ".")
	if code != 1 {
		t.Fatalf("check exited %d\n%s", code, out)
	}
	if got := checkPlaces(t, out)[".s3policy.json"]; len(got) != len(closedConfigWant) {
		t.Fatalf("check reports %v in the config, want %d findings", got, len(closedConfigWant))
	}

	cfgURI := "file://" + filepath.ToSlash(cfgPath)
	c := startBinary(t, bin, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.InitializeWithProgress(ctx, "file://"+filepath.ToSlash(dir)); err != nil {
		t.Fatal(err)
	}
	next := nextPublication(t, ctx, c, cfgURI)
	changed := func(typ int) {
		t.Helper()
		if err := c.Notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": cfgURI, "type": typ}}}); err != nil {
			t.Fatal(err)
		}
	}

	next("the first scan", closedConfigWant)
	write(closedConfigFixed)
	changed(2)
	next("fixed on disk", nil)
	write(closedConfig)
	changed(2)
	next("broken again on disk", closedConfigWant)
	if err := c.Open(cfgURI, 1, closedConfigFixed); err != nil {
		t.Fatal(err)
	}
	next("open with the fixed text", nil)
	if err := c.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": cfgURI}}); err != nil {
		t.Fatal(err)
	}
	next("closed: the client drops the buffer's", nil)
	next("closed: the disk's", closedConfigWant)
	if err := os.Remove(cfgPath); err != nil {
		t.Fatal(err)
	}
	changed(3)
	next("deleted", nil)
	write(closedConfig)
	changed(1)
	next("created again", closedConfigWant)
}

// nextPublication returns a function that waits for the next publication
// of uri (after those it saw before) and checks its diagnostics.
func nextPublication(t *testing.T, ctx context.Context, c *lspclient.Client, uri string) func(what string, want []lspclient.Diagnostic) {
	seen := 0 // publications of uri so far
	return func(what string, want []lspclient.Diagnostic) {
		t.Helper()
		var last lspclient.Published
		_, err := c.WaitPublished(ctx, func(pubs []lspclient.Published) bool {
			n := 0
			for _, p := range pubs {
				if p.URI == uri {
					if n++; n > seen {
						last = p
						return true
					}
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("%s: no publication of %s: %v\n%s", what, uri, err, c.Log())
		}
		seen++
		got, err := last.Diagnostics()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: published\n%+v\nwant\n%+v", what, got, want)
		}
	}
}
