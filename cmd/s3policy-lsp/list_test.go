package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// list prints each policy of a folder with the place its document starts
// and its kind, decided as check decides it (here from .s3policy.json and
// from file names, whatever the case of the extension).
func TestListPrintsPoliciesWithKinds(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json":         `{"files": {"p/shared.json": {"kind": "bucket", "bucket": "b"}}}`,
		"p/shared.json":          `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`,
		"p/JANE.IAM-POLICY.JSON": "\n  {\"Statement\": []}",
		"p/package.json":         `{"name": "not a policy"}`,
		"p/notes.txt":            `{"Statement": []}`,
	})
	out, errOut, code := runCLI(t, dir, "list", ".")
	want := "p/JANE.IAM-POLICY.JSON:2:3: identity\np/shared.json:1:1: bucket\n"
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
	out, _, code = runCLI(t, dir, "list", "--format", "json", "p/shared.json")
	var got []listed
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if len(got) != 1 || got[0] != (listed{File: "p/shared.json", Line: 1, Column: 1, Kind: "bucket", Reason: "content"}) {
		t.Errorf("json: %+v", got)
	}
	if out, _, _ := runCLI(t, dir, "list", "p/package.json"); out != "" {
		t.Errorf("a JSON file that is no policy printed %q", out)
	}
	if _, errOut, code := runCLI(t, dir, "list", "missing"); code != exitUsage || errOut == "" {
		t.Errorf("a missing path: exit %d, stderr %q", code, errOut)
	}
}

// The policies of one file are listed in the order they stand in it,
// whatever order its reader found them in.
func TestListOrdersPoliciesOfAFile(t *testing.T) {
	out, _, code := runCLI(t, "../../examples/serverless", "list", "--format", "json", ".")
	var got []listed
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if len(got) < 2 {
		t.Fatalf("want the several policies of serverless.yml, got %+v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].File == got[i-1].File && got[i].Line < got[i-1].Line {
			t.Errorf("%s:%d listed after line %d", got[i].File, got[i].Line, got[i-1].Line)
		}
	}
}

// check names beside each finding the kind of the policy it is in, when
// a file holds several, and a finding on a translated YAML mapping (no
// Version) lands on its first key.
func TestCheckKindPerPolicyOfATemplate(t *testing.T) {
	out, _, _ := runCLI(t, "../../examples/cloudformation", "check", "--format", "json", "stack.yaml")
	var got []struct {
		Line, Column, EndLine, EndColumn int
		Code, Kind                       string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range got {
		kinds[f.Kind] = true
		if f.Code == "missing-version" && (f.Line != 52 || f.Column != 9 || f.EndLine != 52 || f.EndColumn != 18) {
			t.Errorf("missing-version at %d:%d-%d:%d, want the first key, Statement, at 52:9-52:18", f.Line, f.Column, f.EndLine, f.EndColumn)
		}
	}
	if !kinds["bucket"] || !kinds["boundary"] || kinds["unknown"] {
		t.Errorf("kinds %v, want each finding with its policy's kind", kinds)
	}
}

// explain names the line of the host file where a cause's policy stands
// in a template, not the line of the policy's own JSON.
func TestExplainNamesTemplateLines(t *testing.T) {
	out, _, _ := runCLI(t, "../../examples/cloudformation-cross-account", "explain",
		"--principal", "arn:aws:iam::111122223333:role/app-reader", "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::shared-data-archive/x", ".")
	if want := "app.yaml#Resources.AppRole.Policies[0]:20\n"; !strings.Contains(out, want) {
		t.Errorf("explain printed\n%s\nwant a cause at %q", out, want)
	}
}

// The files a Terraform module reads with file() and templatefile() are
// listed with the kind their use gives them and that use; check reports
// the cross-account cause at its line in the JSON file.
func TestListAndCheckModulePolicyFiles(t *testing.T) {
	dir, err := filepath.Abs("../../examples/terraform/policy-files")
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, dir, "list", "--format", "json", ".")
	var got []listed
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	want := map[string]listed{
		"policies/bucket.json":    {File: "policies/bucket.json", Line: 1, Column: 1, Kind: "bucket", Reason: "aws_s3_bucket_policy.shared.policy in bucket.tf"},
		"policies/jane.json":      {File: "policies/jane.json", Line: 1, Column: 1, Kind: "identity", Reason: "aws_iam_role_policy.jane.policy in partner.tf"},
		"policies/key.json.tftpl": {File: "policies/key.json.tftpl", Line: 1, Column: 1, Kind: "key", Reason: "aws_kms_key.shared.policy in bucket.tf"},
	}
	for _, l := range got {
		if w, ok := want[l.File]; ok {
			l.fromUse = false
			if l != w {
				t.Errorf("listed %+v, want %+v", l, w)
			}
			delete(want, l.File)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed: %v", want)
	}
	out, _, _ = runCLI(t, dir, "check", "--format", "json", ".")
	var at []string
	for _, f := range decodeJSON(t, out) {
		at = append(at, fmt.Sprintf("%s:%d:%d %s", f.File, f.Line, f.Column, f.Code))
	}
	for _, w := range []string{"policies/jane.json:13:18 kms-missing-actions", "policies/jane.json:13:34 kms-missing-actions", "policies/key.json.tftpl:9:19 kms-missing-actions"} {
		if !slices.Contains(at, w) {
			t.Errorf("check reports %v, want %s", at, w)
		}
	}
	if len(at) != 3 {
		t.Errorf("check reports %v, want 3 findings", at)
	}
}
