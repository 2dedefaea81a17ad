package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// explain rejects an unknown --lang as check does.
func TestExplainRejectsUnknownLang(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--lang", "xx", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", t.TempDir()}, &out, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), `unknown --lang "xx"; use en or ja`) {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// --time sets aws:CurrentTime: an identity policy that allows reads only
// after a date is decided at the time given.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime
func TestExplainTime(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".s3policy.json", `{"files": {"bob.iam-policy.json": {"kind": "identity", "account": "444455556666", "principal": "arn:aws:iam::444455556666:user/bob"}}}`)
	write("bob.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}]}`)
	args := []string{"explain", "--format", "json", "--principal", "arn:aws:iam::444455556666:user/bob", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--resource-account", "444455556666"}
	if code, a := explainJSON(t, append(args, "--time", "2025-06-01T00:00:00Z", dir)...); a.Decision != eval.ImplicitlyDenied || code != exitFindings {
		t.Errorf("before the date: exit %d, %s", code, a.Decision)
	}
	if code, a := explainJSON(t, append(args, "--time", "1798761600", dir)...); a.Decision != eval.Allowed || code != exitOK {
		t.Errorf("after the date: exit %d, %s %+v", code, a.Decision, a.Causes)
	}
	var out, errOut bytes.Buffer
	if code := run(append(args, "--time", "soon", dir), &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), `--time "soon" is not an ISO 8601 date or epoch seconds`) {
		t.Errorf("bad time: exit %d, %s", code, errOut.String())
	}
}
