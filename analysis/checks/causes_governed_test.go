package checks_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// twoPrincipals is a governed folder of two principals of account
// 111122223333, each with two identity policies, two buckets of account
// 444455556666 whose policies grant the account read and write, and an
// SCP that denies every upload. Jane reads alpha and reads and writes
// beta; Bob reads alpha and lists it, and uploads nowhere.
var twoPrincipals = map[string]string{
	".s3policy.json": `{
  "accounts": ["111122223333"],
  "buckets": {
    "alpha": {"account": "444455556666"},
    "beta": {"account": "444455556666"}
  },
  "files": {
    "jane-read.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
    "jane-write.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
    "bob-list.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/bob"},
    "bob.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/bob"},
    "alpha.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "alpha"},
    "beta.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "beta"},
    "uploads.scp.json": {"kind": "scp", "account": "111122223333"}
  }
}`,
	"jane-read.iam-policy.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadAlpha", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::alpha/*"}
  ]
}`,
	"jane-write.iam-policy.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadWriteBeta", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::beta/*"}
  ]
}`,
	"bob-list.iam-policy.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ListAlpha", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::alpha"}
  ]
}`,
	"bob.iam-policy.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadAlpha", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::alpha/*"}
  ]
}`,
	"alpha.bucket-policy.json": grantAccount("alpha"),
	"beta.bucket-policy.json":  grantAccount("beta"),
	"uploads.scp.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "NoUploads", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}
  ]
}`,
}

func grantAccount(bucket string) string {
	return `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::` + bucket + `/*"}
  ]
}`
}

// governedWorkspace writes files into a temporary folder and returns its
// one workspace.
func governedWorkspace(t *testing.T, files map[string]string) *eval.Workspace {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	sets := tree.Sets(dir, texts)
	if len(sets) != 1 {
		t.Fatalf("%d workspaces, want 1", len(sets))
	}
	return sets[0].Workspace
}

// findingsOf analyses one file of the workspace and keeps the code's
// findings.
func findingsOf(t *testing.T, w *eval.Workspace, name, code string) []analysis.Finding {
	t.Helper()
	f := w.File(filepath.Join(w.Dir, name))
	if f == nil {
		t.Fatalf("%s not in the workspace", name)
	}
	var out []analysis.Finding
	for _, fd := range analysis.Analyze(f, checks.All) {
		if fd.Code == code {
			out = append(out, fd)
		}
	}
	return out
}

// In a governed folder where a principal has several identity policies,
// a request that another file blocks is reported on the identity
// policies that ask for it (an Allow statement whose action and resource
// match), at the action there, and not on the principal's other
// policies; a request none of them asks for is reported on none (the
// principal's own policies stop it first, and a policy that does not ask
// for it is no fault), nor on the SCP. The SCP denies every upload: Jane
// asks for uploads to beta in jane-write (and for none to alpha); Bob
// asks for none.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func TestCauseIsOnThePoliciesThatAskForIt(t *testing.T) {
	w := governedWorkspace(t, twoPrincipals)
	type want struct{ at, en, ja string }
	for _, tc := range []struct {
		file string
		want []want
	}{
		{"jane-write.iam-policy.json", []want{{`"s3:PutObject"`,
			"uploads.scp.json blocks s3:PutObject on beta/*, granted by the bucket policy",
			"uploads.scp.json が、バケットポリシーが許可している beta/* への s3:PutObject を妨げています"}}},
		// Nobody asks for uploads to alpha, and Bob for none: their
		// policies stop them, and the SCP's finding is not theirs.
		{"jane-read.iam-policy.json", nil},
		{"bob-list.iam-policy.json", nil},
		{"bob.iam-policy.json", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fs := findingsOf(t, w, tc.file, "scp-denies-s3")
			if len(fs) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(fs), len(tc.want), fs)
			}
			for i, f := range fs {
				wf := tc.want[i]
				if got := at(t, w, tc.file, f.Span); got != wf.at {
					t.Errorf("finding at %s, want %s", got, wf.at)
				}
				if f.Message.Text().EN != wf.en || f.Message.Text().JA != wf.ja {
					t.Errorf("message\n%q\n%q\nwant\n%q\n%q", f.Message.Text().EN, f.Message.Text().JA, wf.en, wf.ja)
				}
				if f.Severity != analysis.Warning {
					t.Errorf("severity %v", f.Severity)
				}
				// The cause first, then the grants.
				if len(f.Related) < 2 || f.Related[0].File != "uploads.scp.json" || at(t, w, "uploads.scp.json", f.Related[0].Span) != `"Deny"` {
					t.Fatalf("related = %+v", f.Related)
				}
				for _, r := range f.Related[1:] {
					if got := at(t, w, r.File, r.Span); got != `"arn:aws:iam::111122223333:root"` {
						t.Errorf("related grant %s at %s", r.File, got)
					}
				}
			}
		})
	}
	// The SCP blocks Jane's uploads to beta, which she asks for, alone.
	var said []string
	for _, f := range findingsOf(t, w, "uploads.scp.json", "scp-denies-s3") {
		if strings.Contains(f.Message.Text().EN, " blocks ") {
			said = append(said, f.Message.Text().EN)
		}
	}
	if want := []string{"this service control policy (SCP) blocks s3:PutObject of jane on beta/*"}; !slices.Equal(said, want) {
		t.Errorf("uploads.scp.json: %q, want %q", said, want)
	}
}

// An identity policy that grants nothing on buckets .s3policy.json names
// gets one finding at Statement for the buckets whose policy the folder
// does not hold, naming the first three and counting the others, with a
// fix for each of the three; a bucket whose policy the folder holds is
// the engine's to report, precisely: Bob's policy that reads alpha is
// told that beta's policy grants him s3:GetObject there, which none of
// his statements allows.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func TestNamedBucketsWithoutPolicyAreListedOnce(t *testing.T) {
	files := map[string]string{}
	for name, text := range twoPrincipals {
		files[name] = text
	}
	files[".s3policy.json"] = strings.Replace(files[".s3policy.json"], `"beta": {"account": "444455556666"}`,
		`"beta": {"account": "444455556666"}, "gamma": {"account": "444455556666"}, "delta": {"account": "444455556666"},
    "epsilon": {"account": "444455556666"}, "zeta": {"account": "444455556666"}, "eta": {"account": "444455556666"}`, 1)
	w := governedWorkspace(t, files)
	f := onlyFindingAt(t, w, "jane-read.iam-policy.json", "missing-resource-arn", `"Statement"`)
	wantMessage(t, f, "no statement allows an S3 action on buckets delta, epsilon, eta and 2 other buckets: a bucket policy that allows account 111122223333 is not enough, the user's own policy must grant the buckets too",
		"バケット delta、epsilon、eta ほか 2 件のバケットに対する S3 アクションを許可するステートメントがありません")
	var titles []string
	for _, fix := range f.AllFixes() {
		titles = append(titles, fix.Title.EN)
	}
	if want := []string{"Allow list, read and write on delta", "Allow list, read and write on epsilon", "Allow list, read and write on eta"}; !slices.Equal(titles, want) {
		t.Errorf("fixes %q, want %q", titles, want)
	}

	// In the folder whose every bucket has its policy, Bob's policies
	// have only the engine's finding.
	w = governedWorkspace(t, twoPrincipals)
	if fs := findingsOf(t, w, "bob-list.iam-policy.json", "missing-resource-arn"); len(fs) != 0 {
		t.Errorf("bob-list: %+v", fs)
	}
	f = onlyFindingAt(t, w, "bob.iam-policy.json", "missing-resource-arn", `"Statement"`)
	wantMessage(t, f, "s3:GetObject on beta/*, which the bucket policy grants, is denied. Identity policies: statement \"ReadAlpha\" of bob.iam-policy.json allows s3:GetObject, but not on arn:aws:s3:::beta/*",
		"バケットポリシーが許可している beta/* への s3:GetObject は拒否されます")
	if len(f.Related) != 1 || f.Related[0].File != "beta.bucket-policy.json" {
		t.Errorf("related = %+v", f.Related)
	}
}

// onlyFindingAt asserts that the file has one finding of the code, on
// the text want, and returns it.
func onlyFindingAt(t *testing.T, w *eval.Workspace, name, code, want string) analysis.Finding {
	t.Helper()
	fs := findingsOf(t, w, name, code)
	if len(fs) != 1 {
		t.Fatalf("%s: got %d findings of %s, want 1: %+v", name, len(fs), code, fs)
	}
	if got := at(t, w, name, fs[0].Span); got != want {
		t.Errorf("%s: finding at %s, want %s", name, got, want)
	}
	return fs[0]
}

// Requests that several files block at one element of an identity policy
// make one finding, which names the first file and counts the others
// (before, one finding per file was made and all but the first's message
// dropped when they merged at the element); its related places are the
// first file's cause, the grants, then the other files' causes, and a
// count of those not listed. Four SCPs of the account deny every upload.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func TestCausesInSeveralFilesAtOneElementAreOneFinding(t *testing.T) {
	files := map[string]string{}
	for name, text := range twoPrincipals {
		files[name] = text
	}
	var scps []string
	for _, name := range []string{"audit", "guard", "tls"} {
		files[name+".scp.json"] = files["uploads.scp.json"]
		scps = append(scps, `"`+name+`.scp.json": {"kind": "scp", "account": "111122223333"}`)
	}
	files[".s3policy.json"] = strings.Replace(files[".s3policy.json"], `"uploads.scp.json"`, strings.Join(scps, ", ")+`, "uploads.scp.json"`, 1)
	w := governedWorkspace(t, files)
	f := onlyFindingAt(t, w, "jane-write.iam-policy.json", "scp-denies-s3", `"s3:PutObject"`)
	if en, ja := "audit.scp.json (and 3 other policies) blocks s3:PutObject on beta/*, granted by the bucket policy (and 1 other related place, not listed)",
		"audit.scp.json (ほか 3 件のポリシー) が、バケットポリシーが許可している beta/* への s3:PutObject を妨げています (ほかに関連する箇所が 1 件あります。一覧にはありません)"; f.Message.Text().EN != en || f.Message.Text().JA != ja {
		t.Errorf("message\n%q\n%q\nwant\n%q\n%q", f.Message.Text().EN, f.Message.Text().JA, en, ja)
	}
	var related []string
	for _, r := range f.Related {
		related = append(related, r.File+" "+at(t, w, r.File, r.Span))
	}
	want := []string{`audit.scp.json "Deny"`, `beta.bucket-policy.json "arn:aws:iam::111122223333:root"`, `guard.scp.json "Deny"`, `tls.scp.json "Deny"`}
	if !slices.Equal(related, want) {
		t.Errorf("related = %q, want %q", related, want)
	}
}
