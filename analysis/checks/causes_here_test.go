package checks_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// fixedDecisions applies the fix to the example's file and evaluates
// Jane's (or the analyst's) granted requests in the changed workspace.
func fixedDecisions(t *testing.T, example, file string, fix analysis.Fix, principal string, actions ...string) map[string]eval.Decision {
	t.Helper()
	dir, texts := exampleTexts(t, example)
	path := filepath.Join(dir, file)
	texts[path] = analysis.ApplyEdits(texts[path], fix.Edits)
	w := tree.Sets(dir, texts)[0].Workspace
	out := map[string]eval.Decision{}
	for _, a := range actions {
		// The request as the workspace makes it: through the endpoint
		// .s3policy.json places in the caller's account, if any.
		req := eval.Request{Principal: principal, Action: a, Resource: "arn:aws:s3:::shared-data/*"}
		for _, bp := range w.Files {
			for _, g := range w.Grants(bp) {
				if g.Request.Principal == principal {
					req.Context = g.Request.Context
				}
			}
		}
		out[a] = eval.Evaluate(w.Scenario(req)).Decision
	}
	return out
}

const jane = "arn:aws:iam::111122223333:user/jane"

// The key policy that lacks Jane's account gets the finding itself, at
// the statement the engine names, with Jane's policy and the grants as
// related places, and a fix that appends a statement laid out like the
// file's, with a Sid, allowing exactly kms:Decrypt and
// kms:GenerateDataKey to the account the bucket policy grants. After the
// fix the engine allows both requests.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
func TestKeyPolicyGetsTheFindingAndTheFix(t *testing.T) {
	w, fs := analyseExample(t, "kms-key-policy", "key.key-policy.json", "kms-missing-actions")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(fs), fs)
	}
	f := fs[0]
	if got := at(t, w, "key.key-policy.json", f.Span); got != `"*"` {
		t.Errorf("finding at %s, want the Resource of EnableIAMPolicies", got)
	}
	wantMessage(t, f, "this KMS key policy blocks s3:GetObject and s3:PutObject of jane on shared-data/*",
		"この KMS キーポリシーは jane の shared-data/* への s3:GetObject と s3:PutObject を妨げています")
	if len(f.Related) != 4 || f.Related[0].File != "jane.iam-policy.json" || f.Related[1].File != "bucket.bucket-policy.json" {
		t.Fatalf("related = %+v", f.Related)
	}
	if got := at(t, w, "jane.iam-policy.json", f.Related[0].Span); got != `"s3:GetObject"` {
		t.Errorf("related identity element %s", got)
	}
	if len(f.AllFixes()) != 1 {
		t.Fatalf("fixes = %+v", f.AllFixes())
	}
	fix := f.AllFixes()[0]
	if fix.Title.EN != "Allow kms:Decrypt and kms:GenerateDataKey to arn:aws:iam::111122223333:root in this key policy" {
		t.Errorf("title %q", fix.Title.EN)
	}
	src := w.File(filepath.Join(w.Dir, "key.key-policy.json")).Src
	wantFixed(t, string(analysis.ApplyEdits(src, fix.Edits)), `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableIAMPolicies",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::444455556666:root"
      },
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "AllowS3UseJane",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:root"
      },
      "Action": [
        "kms:Decrypt",
        "kms:GenerateDataKey"
      ],
      "Resource": "*"
    }
  ]
}
`)
	for action, d := range fixedDecisions(t, "kms-key-policy", "key.key-policy.json", fix, jane, "s3:GetObject", "s3:PutObject") {
		if d != eval.Allowed {
			t.Errorf("after the fix %s is %v", action, d)
		}
	}
}

// A permissions boundary or a session policy that allows only listing
// gets the finding at its Statement, with a fix that appends, laid out
// like the file, a statement allowing exactly the granted actions on the
// granted objects and one allowing the KMS actions they need on the
// bucket's key; after it the engine allows both requests.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
func TestLimitingPolicyGetsTheFindingAndTheFix(t *testing.T) {
	for _, tc := range []struct {
		example, file, code, principal, kind, sid string
	}{
		{"permissions-boundary", "jane.boundary.json", "boundary-blocks", jane, "permissions boundary", "AllowS3UseJane"},
		{"session-policy", "session.session-policy.json", "session-policy-blocks", "arn:aws:iam::111122223333:role/analyst", "session policy", "AllowS3UseAnalyst"},
	} {
		t.Run(tc.example, func(t *testing.T) {
			w, fs := analyseExample(t, tc.example, tc.file, tc.code)
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1: %v", len(fs), fs)
			}
			f := fs[0]
			if got := at(t, w, tc.file, f.Span); got != `"Statement"` {
				t.Errorf("finding at %s", got)
			}
			if len(f.AllFixes()) != 1 {
				t.Fatalf("fixes = %+v", f.AllFixes())
			}
			fix := f.AllFixes()[0]
			if want := "Allow s3:GetObject, s3:PutObject, kms:Decrypt, kms:GenerateDataKey on shared-data/* in this " + tc.kind; fix.Title.EN != want {
				t.Errorf("title %q, want %q", fix.Title.EN, want)
			}
			src := w.File(filepath.Join(w.Dir, tc.file)).Src
			wantFixed(t, string(analysis.ApplyEdits(src, fix.Edits)), `
    },
    {
      "Sid": "`+tc.sid+`",
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": "arn:aws:s3:::shared-data/*"
    },
    {
      "Sid": "`+tc.sid+`Key",
      "Effect": "Allow",
      "Action": [
        "kms:Decrypt",
        "kms:GenerateDataKey"
      ],
      "Resource": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  ]
}
`)
			for action, d := range fixedDecisions(t, tc.example, tc.file, fix, tc.principal, "s3:GetObject", "s3:PutObject") {
				if d != eval.Allowed {
					t.Errorf("after the fix %s is %v", action, d)
				}
			}
		})
	}
}

// An SCP Deny of s3:* on the bucket's objects, which blocks Jane's
// granted requests, keeps its single-file finding at the Effect; at the
// Action, what it takes from Jane, with the fix only the workspace
// knows: exempt Jane (aws:PrincipalArn) for exactly the
// blocked actions, and keep denying her the rest in a statement of its
// own. After it the engine allows both requests and still denies her
// s3:DeleteObject, which the Deny denied before.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func TestSCPDenyGetsAnExemptionFix(t *testing.T) {
	w, fs := analyseExample(t, "scp-deny", "scp.scp.json", "scp-denies-s3")
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want the Deny's and Jane's: %v", len(fs), fs)
	}
	if got := at(t, w, "scp.scp.json", fs[0].Span); got != `"Deny"` || len(fs[0].AllFixes()) != 0 {
		t.Errorf("the SCP's own finding at %s with %d fixes", got, len(fs[0].AllFixes()))
	}
	f := fs[1]
	if got := at(t, w, "scp.scp.json", f.Span); got != `"s3:*"` {
		t.Errorf("Jane's finding at %s", got)
	}
	wantMessage(t, f, "this service control policy (SCP) blocks s3:GetObject and s3:PutObject of jane on shared-data/*", "jane の shared-data/*")
	if len(f.AllFixes()) != 1 || f.AllFixes()[0].Title.EN != "Exempt jane from this Deny for s3:GetObject, s3:PutObject only" {
		t.Fatalf("fixes = %+v", f.AllFixes())
	}
	fix := f.AllFixes()[0]
	src := w.File(filepath.Join(w.Dir, "scp.scp.json")).Src
	wantFixed(t, string(analysis.ApplyEdits(src, fix.Edits)), `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "NoSharedData",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "ArnNotEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:user/jane"
        }
      }
    },
    {
      "Sid": "NoSharedDataRestJane",
      "Effect": "Deny",
      "NotAction": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "ArnEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:user/jane"
        }
      }
    }
  ]
}
`)
	got := fixedDecisions(t, "scp-deny", "scp.scp.json", fix, jane, "s3:GetObject", "s3:PutObject", "s3:DeleteObject")
	if got["s3:GetObject"] != eval.Allowed || got["s3:PutObject"] != eval.Allowed || got["s3:DeleteObject"] == eval.Allowed {
		t.Errorf("after the fix: %v", got)
	}
}

// An element's fixes are written when asked for, not when it is reported
// (check never prints them), and alike each time: the exemption's
// statements take Sids of their own without marking them used in the
// policy's Sids that every fix of it reads.
func TestAnElementsFixesAreWrittenWhenAskedForAndAlikeEachTime(t *testing.T) {
	_, fs := analyseExample(t, "scp-deny", "scp.scp.json", "scp-denies-s3")
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want the Deny's and Jane's: %v", len(fs), fs)
	}
	f := fs[1]
	if len(f.Fixes) != 0 || !f.HasFixes() {
		t.Fatalf("Jane's finding has %d fixes written and HasFixes %v, want none written and some to write", len(f.Fixes), f.HasFixes())
	}
	first := f.AllFixes()
	for range 2 {
		if again := f.AllFixes(); !reflect.DeepEqual(again, first) {
			t.Fatalf("asked for again, the fixes are\n%+v\nnot\n%+v", again, first)
		}
	}
}

// A VPC endpoint policy that covers the bucket but only for listing gets,
// at the statement the engine names, a fix that lets exactly the grantee
// through for exactly the granted actions on the granted objects, by a
// condition on "Principal": "*" (on a gateway endpoint an account named
// as principal is its root user alone); after it the engine allows both
// requests through the endpoint.
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
func TestEndpointPolicyGetsTheExactFix(t *testing.T) {
	dir, texts := exampleTexts(t, "endpoint-policy")
	path := filepath.Join(dir, "endpoint.endpoint-policy.json")
	texts[path] = []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ListOnly",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::shared-data"
    }
  ]
}
`)
	w := tree.Sets(dir, texts)[0]
	var fix *analysis.Fix
	for _, fd := range analysis.Analyze(w.File(path), checks.All) {
		for _, x := range fd.AllFixes() {
			if fd.Code == "endpoint-policy-blocks" && x.Title.EN == "Allow s3:GetObject, s3:PutObject on shared-data/* in this VPC endpoint policy" {
				fix = &x
			}
		}
	}
	if fix == nil {
		t.Fatal("no finding with the exact fix")
	}
	fixed := analysis.ApplyEdits(texts[path], fix.Edits)
	wantFixed(t, string(fixed), `
    {
      "Sid": "AllowS3UseJane",
      "Effect": "Allow",
      "Principal": "*",
      "Action": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalAccount": "111122223333"
        }
      }
    }
  ]
}
`)
	texts[path] = fixed
	after := tree.Sets(dir, texts)[0].Workspace
	for _, bp := range after.Files {
		for _, g := range after.Grants(bp) {
			if d := eval.Evaluate(after.Scenario(g.Request)).Decision; d != eval.Allowed {
				t.Errorf("after the fix %s is %v", g.Request.Action, d)
			}
		}
	}
}

// The example's endpoint policy covers no statement of the bucket: its
// own finding at Statement takes Jane's requests as related places (one
// finding, not two).
func TestEndpointPolicyFindingsJoin(t *testing.T) {
	w, fs := analyseExample(t, "endpoint-policy", "endpoint.endpoint-policy.json", "endpoint-policy-blocks")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	if got := at(t, w, "endpoint.endpoint-policy.json", fs[0].Span); got != `"Statement"` || len(fs[0].Related) != 4 || fs[0].Related[0].File != "jane.iam-policy.json" {
		t.Errorf("finding at %s, related %+v", got, fs[0].Related)
	}
}

// The endpoint policy's own finding (no Allow covers the bucket) offers
// to allow what the bucket policy grants and the workspace denies, not
// list, read and write, in the file's layout with a Sid; the engine
// allows both requests after it.
func TestEndpointPolicyBucketFixGrantsWhatIsGranted(t *testing.T) {
	w, fs := analyseExample(t, "endpoint-policy", "endpoint.endpoint-policy.json", "endpoint-policy-blocks")
	f := fs[0]
	if got := at(t, w, "endpoint.endpoint-policy.json", f.Span); got != `"Statement"` || len(f.AllFixes()) != 1 {
		t.Fatalf("first finding at %s with %d fixes", got, len(f.AllFixes()))
	}
	if got := f.AllFixes()[0].Title.EN; got != "Allow s3:GetObject, s3:PutObject on shared-data" {
		t.Errorf("title %q", got)
	}
	src := w.File(filepath.Join(w.Dir, "endpoint.endpoint-policy.json")).Src
	wantFixed(t, string(analysis.ApplyEdits(src, f.AllFixes()[0].Edits)), `
    {
      "Sid": "AllowSharedData",
      "Effect": "Allow",
      "Principal": "*",
      "Action": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalAccount": "111122223333"
        }
      }
    }
  ]
}
`)
	for action, d := range fixedDecisions(t, "endpoint-policy", "endpoint.endpoint-policy.json", f.AllFixes()[0], jane, "s3:GetObject", "s3:PutObject") {
		if d != eval.Allowed {
			t.Errorf("after the fix %s is %v", action, d)
		}
	}
}

// Over every example workspace, the quick fixes a reviewer sees: a
// statement a fix adds carries a Sid and, in a file whose statements are
// written one member a line, is written so too; fixes that keep access
// are listed before those that remove a statement.
func TestExampleFixesReadLikeTheFile(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, dir := range exampleWorkspaces(t, root) {
		texts, err := tree.ReadAll(dir, tree.Disk{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tree.Sets(dir, texts) {
			for _, f := range w.Files {
				if string(texts[f.Path]) != string(f.Src) {
					continue // a document inside a host file
				}
				for _, fd := range analysis.Analyze(f, checks.All) {
					removing := false
					for _, fix := range fd.AllFixes() {
						if removing && !fix.Removes {
							t.Errorf("%s %s: %q comes after a fix that removes", f.Path, fd.Code, fix.Title.EN)
						}
						removing = removing || fix.Removes
						for _, e := range fix.Edits {
							if !strings.Contains(e.NewText, `"Effect"`) {
								continue
							}
							added++
							multiLine := strings.Contains(string(f.Src), "\n      \"Effect\"")
							if !strings.Contains(e.NewText, `"Sid"`) || multiLine && !strings.Contains(e.NewText, "\n      \"Effect\": ") {
								t.Errorf("%s %s: %q adds a statement without a Sid or not laid out like the file:\n%s", f.Path, fd.Code, fix.Title.EN, e.NewText)
							}
						}
					}
				}
			}
		}
	}
	if added < 8 {
		t.Errorf("%d fixes over the examples add a statement; expected at least 8", added)
	}
}

// exampleWorkspaces are the folders under root that hold a .s3policy.json.
func exampleWorkspaces(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == analysis.ConfigName {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	return dirs
}
