package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A caller module beside a role's identity policy, and a child module in
// a folder whose own .s3policy.json gives the child's bucket another
// account: the bucket's policy grants the role's account nothing, so the
// role's read of it is ImplicitlyDenied [resource], and missing-resource-arn
// is reported in both policies. check, the server's first scan, the
// server after a config edit (a set read again from its texts) and
// explain, the CLI's and the server's, say so alike. The first scan and
// check read the child in a set of its own, where the caller's set knew
// nothing of its bucket: they reported nothing, and the read was Allowed
// there.
func TestAChildModuleUnderItsOwnConfigIsAnsweredAlikeEverywhere(t *testing.T) {
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	childConfig := `{"files": {"main.tf": {"account": "999988887777"}}}`
	writeTree(t, dir, map[string]string{
		".s3policy.json":           `{"accounts": ["111122223333"], "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`,
		"iam/app.json":             `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
		"main.tf":                  "# caller\nmodule \"b\" {\n  source = \"./modules/b\"\n}\n",
		"modules/b/.s3policy.json": childConfig,
		"modules/b/main.tf": "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n" +
			"  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::data/*\" }] })\n}\n",
	})
	want := map[string][]string{
		"iam/app.json":      {"1:99 missing-resource-arn -> modules/b/main.tf:6:49"},
		"modules/b/main.tf": {"6:49 missing-resource-arn -> iam/app.json:1:99"},
	}
	out, _, _ := runCLI(t, dir, "check", "--format", "json", ".")
	if got := checkPlaces(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("check reports\n%v\nwant\n%v", got, want)
	}
	explainArgs := []string{"explain", "--principal", "arn:aws:iam::111122223333:role/app", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data/x", "--format", "json", dir}
	_, answer := explainJSON(t, explainArgs...)
	if answer.Decision != eval.ImplicitlyDenied || !slices.Equal(answer.BlockedBy, []eval.Layer{eval.LayerResource}) {
		t.Fatalf("explain answers %s %v, want ImplicitlyDenied [resource]", answer.Decision, answer.BlockedBy)
	}
	wantExplain, _ := json.Marshal(answer)

	names := policyFilesBelow(t, dir)
	srv := startServer(t, dir)
	for _, name := range names { // the first scan's publication of each
		srv.diagnostics(t, string(uri.File(filepath.Join(dir, filepath.FromSlash(name)))))
	}
	if got := srv.places(dir, names); !reflect.DeepEqual(got, want) {
		t.Errorf("the server's first scan publishes\n%v\nwant\n%v", got, want)
	}
	srv.explainsAs(t, explainArgs, wantExplain)

	// Keystrokes in the sets the scan read: in the caller (its child is
	// read again, under the child's config), in the role's policy (its
	// action, which the child's finding names, and back), in the child
	// (its grant: to the role's account, and back).
	asks := func(action string) func() bool {
		return func() bool {
			return reflect.DeepEqual(srv.places(dir, names), want) && strings.Contains(srv.messages(dir, "modules/b/main.tf"), "needs "+action)
		}
	}
	files := map[string]string{}
	for _, name := range []string{"main.tf", "iam/app.json", "modules/b/main.tf", "modules/b/.s3policy.json"} {
		text, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(text)
	}
	opened := map[string]bool{} // each file when first edited: opening a config reads the sets again
	for i, edit := range []struct {
		name, old, new string
		want           func() bool
	}{
		{"main.tf", "# caller", "# caller.", nil},
		{"iam/app.json", "s3:GetObject", "s3:PutObject", asks("s3:PutObject")},
		{"iam/app.json", "s3:PutObject", "s3:GetObject", asks("s3:GetObject")},
		{"modules/b/main.tf", "arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:root", func() bool { return reflect.DeepEqual(srv.places(dir, names), map[string][]string{}) }},
		{"modules/b/main.tf", "arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root", asks("s3:GetObject")},
		// A config edit reads the sets again from their texts
		// (tree.Sets): the child's bucket in the role's account, then
		// back.
		{"modules/b/.s3policy.json", "999988887777", "111122223333", func() bool { return reflect.DeepEqual(srv.places(dir, names), map[string][]string{}) }},
		{"modules/b/.s3policy.json", "111122223333", "999988887777", asks("s3:GetObject")},
	} {
		if !strings.Contains(files[edit.name], edit.old) {
			t.Fatalf("edit %d: %s holds no %s", i, edit.name, edit.old)
		}
		if !opened[edit.name] {
			srv.open(t, dir, edit.name, files[edit.name])
			opened[edit.name] = true
		}
		files[edit.name] = strings.Replace(files[edit.name], edit.old, edit.new, 1)
		srv.change(t, dir, edit.name, i+2, files[edit.name])
		if edit.want != nil {
			srv.waitFor(t, fmt.Sprintf("the diagnostics after edit %d (%s in %s)", i, edit.new, edit.name), edit.want, func() string {
				return fmt.Sprintf("%v\n%s\n%s", srv.places(dir, names), srv.messages(dir, "iam/app.json"), srv.messages(dir, "modules/b/main.tf"))
			})
		}
	}
	srv.explainsAs(t, explainArgs, wantExplain)
}

// checkPlaces is the places of check's JSON findings, by file, as
// checkAndServerAgreeOn writes them.
func checkPlaces(t *testing.T, out string) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, f := range decodeJSON(t, out) {
		place := fmt.Sprintf("%d:%d %s", f.Line, f.Column, f.Code)
		for _, r := range f.Related {
			place += fmt.Sprintf(" -> %s:%d:%d", r.File, r.Line, r.Column)
		}
		got[f.File] = append(got[f.File], place)
	}
	for _, v := range got {
		slices.Sort(v)
	}
	return got
}

// places is what the server last published for the files named (slash
// paths relative to dir), as checkPlaces has check's; a file with none
// is left out.
func (s *testServer) places(dir string, names []string) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := map[string][]string{}
	for _, name := range names {
		for _, dg := range s.diags[string(uri.File(filepath.Join(dir, filepath.FromSlash(name))))] {
			place := fmt.Sprintf("%d:%d %s", dg.Range.Start.Line+1, dg.Range.Start.Character+1, dg.Code)
			for _, r := range dg.RelatedInformation {
				rel, _ := filepath.Rel(dir, uri.URI(r.Location.URI).Filename())
				place += fmt.Sprintf(" -> %s:%d:%d", filepath.ToSlash(rel), r.Location.Range.Start.Line+1, r.Location.Range.Start.Character+1)
			}
			got[name] = append(got[name], place)
		}
		slices.Sort(got[name])
	}
	return got
}

// messages is the messages the server last published for a file (a
// slash path relative to dir), joined.
func (s *testServer) messages(dir, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, dg := range s.diags[string(uri.File(filepath.Join(dir, filepath.FromSlash(name))))] {
		out = append(out, dg.Message)
	}
	return strings.Join(out, "\n")
}

// open opens a file (a slash path relative to dir) in the editor with
// text, at version 1.
func (s *testServer) open(t *testing.T, dir, name, text string) {
	t.Helper()
	s.notify(t, protocol.MethodTextDocumentDidOpen, map[string]any{"textDocument": map[string]any{
		"uri": string(uri.File(filepath.Join(dir, filepath.FromSlash(name)))), "languageId": "plaintext", "version": 1, "text": text}})
}

// change replaces the text of a file open in the editor.
func (s *testServer) change(t *testing.T, dir, name string, version int, text string) {
	t.Helper()
	s.notify(t, protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": string(uri.File(filepath.Join(dir, filepath.FromSlash(name)))), "version": version},
		"contentChanges": []map[string]any{{"text": text}}})
}

// waitFor waits until ok holds, looking again at each publication; state
// says what there is instead, when it does not.
func (s *testServer) waitFor(t *testing.T, what string, ok func() bool, state func() string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		arrived := s.arrived
		s.mu.Unlock()
		if ok() {
			return
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("waited 20s for %s; the server published\n%s", what, state())
		}
	}
}

// notify sends the server a notification.
func (s *testServer) notify(t *testing.T, method string, params any) {
	t.Helper()
	if err := s.conn.Notify(context.Background(), method, params); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// explainsAs asserts that the server's s3policy.explain answers the
// request of explain's command line args as explain answered it (want,
// its JSON).
func (s *testServer) explainsAs(t *testing.T, args []string, want []byte) {
	t.Helper()
	var raw json.RawMessage
	s.call(t, protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": lsp.ExplainCommand, "arguments": []any{requestOf(args)}}, &raw)
	var got eval.Answer
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(want) {
		t.Errorf("s3policy.explain\n%s\nexplain\n%s", gotJSON, want)
	}
}
