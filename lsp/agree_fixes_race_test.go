package lsp_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.lsp.dev/protocol"
)

// Code actions asked for on four goroutines while another file of the
// set is edited back and forth are each those of one of the two texts:
// a fix is written when asked for (467e7a5), on the requests'
// goroutines, from analyses new workspaces replace meanwhile; it must
// write the same each time (a Sid counted up by earlier writes was
// offered before 467e7a5's copy) and, under -race, share nothing
// unguarded.
func TestCodeActionsAskedWhileAnotherFileIsEditedAreThoseOfOneText(t *testing.T) {
	for _, tc := range []struct{ example, target, other string }{
		{"scp-deny", "scp.scp.json", "jane.iam-policy.json"},
		{"rcp-deny", "rcp.rcp.json", "jane.iam-policy.json"},
		{"kms-key-policy", "key.key-policy.json", "jane.iam-policy.json"},
		{"endpoint-policy", "endpoint.endpoint-policy.json", "jane.iam-policy.json"},
		{"session-policy", "session.session-policy.json", "analyst.iam-policy.json"},
		{"permissions-boundary", "jane.boundary.json", "jane.iam-policy.json"},
	} {
		t.Run(tc.example, func(t *testing.T) {
			dir := copyExample(t, tc.example)
			s := startQuiet(t, dir)
			u, ou := fileURI(dir, tc.target), fileURI(dir, tc.other)
			original := readText(t, filepath.Join(dir, tc.other))
			edited := strings.Replace(original, `"s3:GetObject"`, `"s3:GetObjectAcl"`, 1)
			if edited == original {
				t.Fatalf("%s asks for no s3:GetObject", tc.other)
			}
			s.c.open(u, readText(t, filepath.Join(dir, tc.target)), 1)
			s.c.open(ou, original, 1)
			s.settle(t)
			pubs := s.c.published(u)
			diags := pubs[len(pubs)-1].Diagnostics
			// The actions of each diagnostic, with each text of the other
			// file: what any answer may be.
			actionsOf := func(d protocol.Diagnostic) (string, error) {
				var actions []protocol.CodeAction
				err := s.c.callErr(protocol.MethodTextDocumentCodeAction, map[string]any{"textDocument": map[string]any{"uri": u}, "range": d.Range,
					"context": map[string]any{"diagnostics": []protocol.Diagnostic{d}}}, &actions)
				js, _ := json.Marshal(actions)
				return string(js), err
			}
			allOf := func() []string {
				var all []string
				for _, d := range diags {
					a, err := actionsOf(d)
					if err != nil {
						t.Fatal(err)
					}
					all = append(all, a)
				}
				return all
			}
			before := allOf()
			if !strings.Contains(strings.Join(before, ""), `"edit"`) {
				t.Fatalf("%s has no fix to ask for:\n%s", tc.target, before)
			}
			s.c.change(ou, edited, 2)
			s.settle(t)
			after := allOf()
			s.c.change(ou, original, 3)

			var wg sync.WaitGroup
			errs := make(chan error, 4*15)
			for g := range 4 {
				wg.Go(func() {
					for i := range 15 {
						k := (g + i) % len(diags)
						got, err := actionsOf(diags[k])
						switch {
						case err != nil:
							errs <- err
						case got != before[k] && got != after[k]:
							errs <- fmt.Errorf("the code actions of %s's diagnostic %d, asked during the edits:\n%s\nwith %s as it was:\n%s\nedited:\n%s", tc.target, k, got, tc.other, before[k], after[k])
						}
					}
				})
			}
			version := 4
			for range 14 {
				s.c.change(ou, edited, version)
				s.c.change(ou, original, version+1)
				version += 2
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			s.settle(t)
			if got := allOf(); strings.Join(got, "\n") != strings.Join(before, "\n") {
				t.Errorf("the code actions once the edits settled:\n%s\nbefore them, with the same texts:\n%s", got, before)
			}
		})
	}
}
