package lsp_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// After every edit typed in the editor, a server shows what a server
// started afresh on the edited texts shows: each file's diagnostics, its
// code lenses, and the code actions of each of its diagnostics, field by
// field; and each lens's title says what s3policy.explain answers of the
// lens's request. The edits are the review's (s20) on
// examples/cross-account: SCP, RCP, key, endpoint, session and boundary
// causes with fixes, and the bucket policies' lenses. It guards 467e7a5:
// the SCP/RCP exemption fix was offered under a Sid that depended on how
// often the fix had been written (rcp-deny's ...OtherResources2 after
// edit 12, where a fresh server offers ...OtherResources).
func TestEditedCrossAccountShowsWhatAFreshServerShows(t *testing.T) {
	dir := copyTree(t, filepath.Join("..", "examples", "cross-account"), "scenarios.json")
	names := policyFiles(t, dir)
	edited := startQuiet(t, dir)
	texts, versions := map[string]string{}, map[string]int{}
	// The folders are sets of their own (a .s3policy.json each): after an
	// edit, a server started on the edited one shows what a server
	// started on the whole tree would, at a tenth of the cost.
	want := freshShown(t, dir, "", names)
	edited.compareWithFresh(t, dir, names, want, false, "the first scan, every file closed")
	for _, name := range names {
		texts[name] = readText(t, filepath.Join(dir, name))
		edited.c.open(fileURI(dir, name), texts[name], 1)
		versions[name] = 1
	}
	edited.compareWithFresh(t, dir, names, want, true, "every file opened")
	for i, e := range []struct{ name, old, new string }{
		{"scp-deny/scp.scp.json", `"Action": "s3:*"`, `"Action": "s3:PutObject"`},
		{"scp-deny/scp.scp.json", `"NoSharedData"`, `"NoShared"`},
		{"scp-deny/jane.iam-policy.json", `"s3:PutObject"`, `"s3:DeleteObject"`},
		{"scp-deny/scp.scp.json", `"Effect": "Deny"`, `"Effect": "Allow"`},
		{"scp-deny/scp.scp.json", `"Effect": "Allow"`, `"Effect": "Deny"`},
		{"scp-deny/bucket.bucket-policy.json", `111122223333`, `111122223334`},
		{"scp-deny/bucket.bucket-policy.json", `111122223334`, `111122223333`},
		{"kms-key-policy/key.key-policy.json", `"kms:*"`, `"kms:Encrypt"`},
		{"kms-key-policy/bucket.bucket-policy.json", `"arn:aws:iam::111122223333:root"`, `"111122223333"`},
		{"session-policy/session.session-policy.json", `"s3:ListBucket"`, `"s3:GetObject"`},
		{"endpoint-policy/endpoint.endpoint-policy.json", `corp-*"`, `shared-*"`},
		{"rcp-deny/rcp.rcp.json", `"o-exampleorg"`, `"o-other"`},
		{"permissions-boundary/jane.boundary.json", `"s3:ListBucket",`, `"s3:ListBucket", "s3:GetObject",`},
		{"kms-key-policy/key.key-policy.json", `"kms:Encrypt"`, `"kms:*"`},
		{"scp-deny/scp.scp.json", `"NoShared"`, `"NoSharedData"`},
		// SCP levels: the account's FullAWSAccess narrowed (its level is
		// then the allow list beside it), back; the OU's allow list
		// widened to the upload, back.
		{"scp-allow-list/account-full.scp.json", `"Action": "*"`, `"Action": "ec2:*"`},
		{"scp-allow-list/account-full.scp.json", `"Action": "ec2:*"`, `"Action": "*"`},
		{"scp-allow-list/ou-readonly.scp.json", `"s3:List*",`, `"s3:List*", "s3:PutObject", "kms:GenerateDataKey",`},
		{"scp-allow-list/ou-readonly.scp.json", `"s3:List*", "s3:PutObject", "kms:GenerateDataKey",`, `"s3:List*",`},
	} {
		text := strings.Replace(texts[e.name], e.old, e.new, 1)
		if text == texts[e.name] {
			t.Fatalf("edit %d: %s holds no %q", i, e.name, e.old)
		}
		texts[e.name] = text
		// The disk too: the fresh server reads it.
		if err := os.WriteFile(filepath.Join(dir, e.name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		versions[e.name]++
		edited.c.change(fileURI(dir, e.name), text, versions[e.name])
		maps.Copy(want, freshShown(t, dir, filepath.Dir(e.name), names))
		edited.compareWithFresh(t, dir, names, want, true, fmt.Sprintf("edit %d, %s: %s -> %s", i, e.name, e.old, e.new))
	}
}

// quietServer is a client on a server the test can wait on until it has
// published everything its events call for.
type quietServer struct {
	c      *client
	server *lsp.Server
}

// startQuiet starts a server on dir and waits for the end of its first
// scan.
func startQuiet(t *testing.T, dir string) *quietServer {
	t.Helper()
	server := lsp.New(lsp.Options{})
	c := initialize(startServer(t, server), map[string]any{"rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})
	waitScanEnd(c)
	return &quietServer{c, server}
}

// settle returns once the server has published, and the client has
// read, everything the events sent so far call for.
func (s *quietServer) settle(t *testing.T) {
	t.Helper()
	// The server reads notifications in order, before the request after
	// them; then, once it is quiet, the answer to a request comes after
	// every publication.
	var ignored []protocol.CodeLens
	s.c.call(protocol.MethodTextDocumentCodeLens, map[string]any{"textDocument": map[string]any{"uri": "file:///settle"}}, &ignored)
	if err := s.server.AwaitQuiet(timeout); err != nil {
		t.Fatalf("%v:\n%s", err, s.c.dump())
	}
	s.c.call(protocol.MethodTextDocumentCodeLens, map[string]any{"textDocument": map[string]any{"uri": "file:///settle"}}, &ignored)
}

// compareWithFresh settles the server and compares what it shows with
// want, the diagnostics alone unless open, the files open in the server.
func (s *quietServer) compareWithFresh(t *testing.T, dir string, names []string, want map[string][]string, open bool, when string) {
	t.Helper()
	s.settle(t)
	got := s.shown(t, dir, names, open)
	if !open {
		want = maps.Clone(want)
		for name, shown := range want {
			want[name] = shown[:1]
		}
	}
	if diff := shownDiff(want, got); diff != "" {
		t.Errorf("%s: the server shows what a fresh server does not:\n%s", when, diff)
	}
}

// freshShown is what a server started on dir's folder, as the disk has
// it, shows of each of its files, every one open.
func freshShown(t *testing.T, dir, folder string, names []string) map[string][]string {
	t.Helper()
	fresh := startQuiet(t, filepath.Join(dir, folder))
	var in []string
	for _, name := range names {
		if folder == "" || strings.HasPrefix(name, folder+string(filepath.Separator)) {
			in = append(in, name)
			fresh.c.open(fileURI(dir, name), readText(t, filepath.Join(dir, name)), 1)
		}
	}
	fresh.settle(t)
	defer fresh.c.stop()
	return fresh.shown(t, dir, in, false)
}

// shown is what the server shows of each file: its last diagnostics,
// its code lenses and the code actions of each diagnostic (asked for
// with the diagnostic as context and its range), one string each, the
// diagnostics first. The lenses and code actions of a closed file are
// none. With explained, each lens's title is checked against
// s3policy.explain of its request.
func (s *quietServer) shown(t *testing.T, dir string, names []string, explained bool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, name := range names {
		u := fileURI(dir, name)
		var diags []protocol.Diagnostic
		if pubs := s.c.published(u); len(pubs) > 0 {
			diags = pubs[len(pubs)-1].Diagnostics
		}
		js, _ := json.Marshal(diags)
		shown := []string{"diagnostics " + string(js)}
		for _, l := range codeLenses(t, s.c, u) {
			args, _ := json.Marshal(l.Command.Arguments)
			shown = append(shown, fmt.Sprintf("lens %d:%d %s %s %s", l.Range.Start.Line+1, l.Range.Start.Character+1, l.Command.Title, l.Command.Command, args))
			if explained {
				explainAgrees(t, s.c, name, l)
			}
		}
		for _, d := range diags {
			var actions []protocol.CodeAction
			s.c.call(protocol.MethodTextDocumentCodeAction, map[string]any{"textDocument": map[string]any{"uri": u}, "range": d.Range,
				"context": map[string]any{"diagnostics": []protocol.Diagnostic{d}}}, &actions)
			for _, a := range actions {
				js, _ := json.Marshal(a)
				shown = append(shown, fmt.Sprintf("action of %d:%d %s: %s", d.Range.Start.Line+1, d.Range.Start.Character+1, d.Code, js))
			}
		}
		out[name] = shown
	}
	return out
}

// explainAgrees checks that a lens's title ends as s3policy.explain's
// answer to its request says: ✓, ✓ if conditions hold, or ✗ and the
// first layer that blocks it.
func explainAgrees(t *testing.T, c *client, name string, l protocol.CodeLens) {
	t.Helper()
	var answer struct {
		Decision  eval.Decision `json:"decision"`
		BlockedBy []eval.Layer  `json:"blockedBy"`
	}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": l.Command.Command, "arguments": l.Command.Arguments}, &answer)
	want := " ✗"
	switch {
	case answer.Decision == eval.Allowed:
		want = " ✓"
	case answer.Decision == eval.AllowedIf:
		want = " ✓ if conditions hold"
	case len(answer.BlockedBy) > 0:
		want = " ✗ " + answer.BlockedBy[0].Title().In("en")
	}
	if !strings.HasSuffix(l.Command.Title, want) {
		t.Errorf("%s:%d: the lens says %q, s3policy.explain of its request %s %v", name, l.Range.Start.Line+1, l.Command.Title, answer.Decision, answer.BlockedBy)
	}
}

// shownDiff lists, for each file whose shown things differ, those only
// the fresh server shows (-) and those only the edited one shows (+).
func shownDiff(want, got map[string][]string) string {
	var b strings.Builder
	for _, name := range slices.Sorted(mapKeys(want, got)) {
		if slices.Equal(want[name], got[name]) {
			continue
		}
		fmt.Fprintf(&b, "== %s\n", name)
		listed := false
		for _, w := range want[name] {
			if !slices.Contains(got[name], w) {
				fmt.Fprintf(&b, "- %s\n", w)
				listed = true
			}
		}
		for _, g := range got[name] {
			if !slices.Contains(want[name], g) {
				fmt.Fprintf(&b, "+ %s\n", g)
				listed = true
			}
		}
		if !listed {
			b.WriteString("  (the same, in another order or number)\n")
		}
	}
	return b.String()
}

func mapKeys(ms ...map[string][]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range ms {
			for k := range m {
				if !seen[k] {
					seen[k] = true
					if !yield(k) {
						return
					}
				}
			}
		}
	}
}

// copyTree copies a folder and its subfolders to a temp folder, but the
// files named in skip.
func copyTree(t *testing.T, src string, skip ...string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || slices.Contains(skip, d.Name()) {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// policyFiles lists the files the server analyses under dir, configs
// aside, by their path from dir.
func policyFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && tree.Wanted(p) && !tree.IsConfig(p) {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}
