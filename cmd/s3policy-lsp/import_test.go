package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// savedOutputs writes the outputs of two accounts as the README tells a
// person to save them: jane's account (111122223333) and the bucket's
// (444455556666), each in its folder with get-caller-identity.json.
func savedOutputs(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"a/get-caller-identity.json": `{"UserId": "AIDAEXAMPLE", "Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/admin"}`,
		"a/get-account-authorization-details.json": `{"UserDetailList": [{"UserName": "jane", "Arn": "arn:aws:iam::111122223333:user/jane",
  "UserPolicyList": [{"PolicyName": "ReadShared", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}}],
  "GroupList": [], "AttachedManagedPolicies": []}], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}`,
		"b/get-caller-identity.json":           `{"UserId": "AIDAEXAMPLE2", "Account": "444455556666", "Arn": "arn:aws:iam::444455556666:user/admin"}`,
		"b/shared-data.get-bucket-policy.json": `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Partner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::555566667777:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::shared-data/*\"}]}"}`,
	}
	for rel, src := range files {
		path := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The README's path: import the saved outputs, then explain the error.
func TestImportThenExplainError(t *testing.T) {
	saved := savedOutputs(t)
	out := filepath.Join(t.TempDir(), "ws")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"import", "--out", out, filepath.Join(saved, "a"), filepath.Join(saved, "b")}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.String() != out+": 3 files from 4 outputs\n" || stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	first, _ := os.ReadFile(filepath.Join(out, ".s3policy.json"))
	// Twice: the same workspace, nothing left beside it.
	if code := run([]string{"import", "--out", out, filepath.Join(saved, "a"), filepath.Join(saved, "b")}, &stdout, &stderr); code != exitOK {
		t.Fatalf("second import: exit %d: %s", code, stderr.String())
	}
	second, _ := os.ReadFile(filepath.Join(out, ".s3policy.json"))
	siblings, _ := os.ReadDir(filepath.Dir(out))
	if !bytes.Equal(first, second) || len(siblings) != 1 {
		t.Errorf("second import differs or left %d entries beside it", len(siblings))
	}
	stdout.Reset()
	msg := `An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::shared-data/report.csv" because no resource-based policy allows the s3:GetObject action`
	if code := run([]string{"explain", "--error", msg, out}, &stdout, &stderr); code != exitFindings {
		t.Fatalf("explain: exit %d: %s", code, stderr.String())
	}
	want := `agrees: AWS says no resource-based policy allows it; 444455556666/s3/shared-data.bucket-policy.json:4: Bucket policy: statement "Partner" of 444455556666/s3/shared-data.bucket-policy.json allows s3:GetObject on arn:aws:s3:::shared-data/report.csv, but not to arn:aws:iam::111122223333:user/jane`
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("got\n%s\nwant a line\n%s", stdout.String(), want)
	}
}

// A file it cannot read: an error naming the file and the field, and
// --out as it was.
func TestImportFailureLeavesOutAlone(t *testing.T) {
	saved := savedOutputs(t)
	out := filepath.Join(t.TempDir(), "ws")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"import", "--out", out, saved}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	before, _ := os.ReadFile(filepath.Join(out, ".s3policy.json"))
	bad := filepath.Join(saved, "b", "other.get-bucket-policy.json")
	os.WriteFile(bad, []byte(`{"Policy": "{\"Statement\": ["}`), 0o644)
	stderr.Reset()
	if code := run([]string{"import", "--out", out, saved}, &stdout, &stderr); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	want := "s3policy-lsp import: " + bad + ": Policy: not a JSON policy: unexpected end of JSON input\n"
	if stderr.String() != want {
		t.Errorf("got  %q\nwant %q", stderr.String(), want)
	}
	after, _ := os.ReadFile(filepath.Join(out, ".s3policy.json"))
	siblings, _ := os.ReadDir(filepath.Dir(out))
	if !bytes.Equal(before, after) || len(siblings) != 1 {
		t.Errorf("--out changed, or %d entries beside it", len(siblings))
	}
	// A folder an import did not write is not replaced.
	mine := t.TempDir()
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("mine"), 0o644)
	stderr.Reset()
	os.Remove(bad)
	if code := run([]string{"import", "--out", mine, saved}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "not replacing a folder an import did not write") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
