package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// On a varied governed folder (Not* elements, conditions, allow-list SCPs,
// RCPs, boundaries, session policies, one role name in several accounts,
// a nested config with other facts, grantees and bucket names behind \u
// escapes), the first scan publishes what check reports, at the same
// places: the plain governed folder has deny-list SCPs only and hides
// faults of the cross-file evaluation that this one shows.
func TestCheckAndServerAgreeOnAVariedTree(t *testing.T) {
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	if _, err := governed.WriteVaried(dir, 250, governed.Varied{Seed: 21, Nested: true, Escapes: true}); err != nil {
		t.Fatal(err)
	}
	names := policyFilesBelow(t, dir)
	if len(names) != 257 {
		t.Fatalf("%d policy files, want 257", len(names))
	}
	out, _, _ := runCLI(t, dir, "check", "--format", "json", ".")
	files, codes, nested := map[string]bool{}, map[string]bool{}, 0
	for _, f := range decodeJSON(t, out) {
		files[f.File], codes[f.Code] = true, true
		if strings.HasPrefix(f.File, "team-001/") {
			nested++
		}
	}
	if len(files) < 150 || len(codes) < 10 || nested == 0 {
		t.Fatalf("check finds something in %d files (%d findings in the nested set), of %d codes; the test would prove little", len(files), nested, len(codes))
	}
	checkAndServerAgreeOn(t, dir, names)
}
