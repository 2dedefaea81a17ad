package checks_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// analyseExample loads a folder of examples/cross-account as the server
// does and returns the file's findings of code.
func analyseExample(t *testing.T, example, file, code string) (*eval.Workspace, []analysis.Finding) {
	t.Helper()
	dir, texts := exampleTexts(t, example)
	units := tree.Sets(dir, texts)
	if len(units) != 1 {
		t.Fatalf("%s: %d workspaces, want 1", example, len(units))
	}
	return units[0].Workspace, findingsOf(t, units[0].Workspace, file, code)
}

// exampleTexts reads a folder of examples/cross-account: its absolute
// path and the text of each file.
func exampleTexts(t *testing.T, example string) (string, map[string][]byte) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "cross-account", example))
	if err != nil {
		t.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	return dir, texts
}

// at is the text of a span of a workspace file.
func at(t *testing.T, w *eval.Workspace, path string, s analysis.Span) string {
	t.Helper()
	f := w.File(filepath.Join(w.Dir, path))
	if f == nil {
		t.Fatalf("%s not in the workspace", path)
	}
	return string(f.Src[s.Start:s.End])
}

// The key policy of the bucket's kmsKeyArn does not allow Jane's account:
// each granted action is reported at Jane's Action entry, in a message
// that leads with the key policy, with the key policy's statement (and
// the cause's words) and the bucket policy's grant as related places.
func TestWorkspaceKeyPolicyLacksAccount(t *testing.T) {
	w, fs := analyseExample(t, "kms-key-policy", "jane.iam-policy.json", "kms-missing-actions")
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2: %v", len(fs), fs)
	}
	for i, action := range []string{"s3:GetObject", "s3:PutObject"} {
		f := fs[i]
		if got := at(t, w, "jane.iam-policy.json", f.Span); got != `"`+action+`"` {
			t.Errorf("finding %d at %s, want %q", i, got, action)
		}
		if len(f.Related) != 2 || f.Related[0].File != "key.key-policy.json" || f.Related[1].File != "bucket.bucket-policy.json" {
			t.Fatalf("related = %+v", f.Related)
		}
		if got := at(t, w, "key.key-policy.json", f.Related[0].Span); got != `"*"` {
			t.Errorf("related key-policy element = %s, want the statement's Resource", got)
		}
		if got := at(t, w, "bucket.bucket-policy.json", f.Related[1].Span); got != `"arn:aws:iam::111122223333:root"` {
			t.Errorf("related grant = %s", got)
		}
		if f.Message.Text().EN != "key.key-policy.json blocks "+action+" on shared-data/*, granted by the bucket policy" || f.Severity != analysis.Warning {
			t.Errorf("message %q severity %v", f.Message.Text().EN, f.Severity)
		}
		if !strings.Contains(f.Related[0].Message.EN, "but not to arn:aws:iam::111122223333:user/jane") || !strings.Contains(f.Explanation().EN, "but not to arn:aws:iam::111122223333:user/jane") {
			t.Errorf("the cause's words are not in the related place nor the hover: %q / %q", f.Related[0].Message.EN, f.Explanation().EN)
		}
	}
}

// The identity policy lacks the bucket: the single-file finding at
// Statement gains the bucket policy's grant as related place, once.
func TestWorkspaceIdentityLacksBucket(t *testing.T) {
	w, fs := analyseExample(t, "identity-missing-bucket", "jane.iam-policy.json", "missing-resource-arn")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(fs), fs)
	}
	f := fs[0]
	if got := at(t, w, "jane.iam-policy.json", f.Span); got != `"Statement"` {
		t.Errorf("finding at %s", got)
	}
	if len(f.Related) != 2 {
		t.Fatalf("related = %+v, want the grant of each action", f.Related)
	}
	for _, r := range f.Related {
		if r.File != "bucket.bucket-policy.json" || at(t, w, r.File, r.Span) != `"arn:aws:iam::111122223333:root"` {
			t.Errorf("related = %+v", r)
		}
	}
}

// Where every policy allows, the workspace adds no finding.
func TestWorkspaceAllAllowedHasNoCrossFileFinding(t *testing.T) {
	for _, code := range []string{"missing-resource-arn", "kms-missing-actions", "deny-blocks-access", "scp-denies-s3"} {
		if _, fs := analyseExample(t, "all-allowed", "jane.iam-policy.json", code); len(fs) != 0 {
			t.Errorf("%s: %v", code, fs)
		}
	}
}

// Each other layer that blocks Jane's granted GetObject is reported at
// her "s3:GetObject", with the blocking element of the other file first
// among the related places.
func TestWorkspaceOtherLayers(t *testing.T) {
	for _, tc := range []struct {
		example, code, identity, file, element string
	}{
		{"scp-deny", "scp-denies-s3", "jane.iam-policy.json", "scp.scp.json", `"Deny"`},
		{"endpoint-policy", "endpoint-policy-blocks", "jane.iam-policy.json", "endpoint.endpoint-policy.json", "[\n        \"arn:aws:s3:::corp-*\",\n        \"arn:aws:s3:::corp-*/*\"\n      ]"},
		{"session-policy", "session-policy-blocks", "analyst.iam-policy.json", "session.session-policy.json", `"Statement"`},
		{"bucket-policy-deny", "deny-blocks-access", "jane.iam-policy.json", "bucket.bucket-policy.json", `"Deny"`},
	} {
		t.Run(tc.example, func(t *testing.T) {
			w, fs := analyseExample(t, tc.example, tc.identity, tc.code)
			if len(fs) != 2 {
				t.Fatalf("got %d findings, want GetObject and PutObject: %v", len(fs), fs)
			}
			f := fs[0]
			if got := at(t, w, tc.identity, f.Span); got != `"s3:GetObject"` {
				t.Errorf("finding at %s", got)
			}
			if len(f.Related) < 2 || f.Related[0].File != tc.file { // a session policy also blocks the key: one more
				t.Fatalf("related %+v", f.Related)
			}
			if got := at(t, w, tc.file, f.Related[0].Span); got != tc.element {
				t.Errorf("related element %q, want %q", got, tc.element)
			}
		})
	}
}
