package checks_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The exemption of an SCP or RCP Deny, proved with the engine on the
// policy alone: every S3 action on the bucket, its objects, another
// bucket and its objects, and KMS and SQS actions, by Jane, another user
// and a role of her account, her account's root and a stranger, with
// in and out of the organization the RCPs test and of the network a
// bucket policy tests, are decided before and
// after the fix. Only Jane's blocked actions change, from denied to
// allowed: on the granted objects always, elsewhere only where the Deny
// denied them (a Deny of one bucket exempts her of the action on it;
// a Deny of every resource, only on the granted objects). Every other
// decision stays. The exemption of an account from a bucket policy's
// Deny is held to the same: only the account's granted actions change.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
func TestExemptionChangesOnlyTheBlockedRequests(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind analysis.Kind
		deny string // the Deny statement
	}{
		{"SCP s3:* on the objects", analysis.KindSCP,
			`{"Sid": "NoSharedData", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::shared-data/*"}`},
		{"SCP with a Condition on another principal's ARN", analysis.KindSCP,
			`{"Sid": "NoSharedData", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::shared-data/*", "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}`},
		{"SCP s3:* everywhere for the account", analysis.KindSCP,
			`{"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}`},
		{"SCP * everywhere", analysis.KindSCP,
			`{"Sid": "NothingHere", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"}}}`},
		{"SCP literal actions, ArnEquals taken", analysis.KindSCP,
			`{"Sid": "NoWrites", "Effect": "Deny", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:*"}, "ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}}}`},
		{"SCP NotAction", analysis.KindSCP,
			`{"Sid": "OnlyEC2", "Effect": "Deny", "NotAction": ["ec2:*", "s3:ListBucket"], "Resource": "*"}`},
		{"RCP s3:* everywhere outside the organization", analysis.KindRCP,
			`{"Sid": "OrgPrincipalsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}`},
		{"RCP s3:* on the bucket and its objects", analysis.KindRCP,
			`{"Sid": "OrgPrincipalsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"], "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg"}}}`},
		{"RCP literal actions", analysis.KindRCP,
			`{"Sid": "NoObjects", "Effect": "Deny", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": "*", "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/admin"]}}}`},
		// A bucket policy's Deny exempts the account: the grant beside it.
		{"bucket policy s3:* outside the office network", analysis.KindBucket, partnerGrant +
			`, {"Sid": "OfficeNetworkOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"], "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}`},
		{"bucket policy literal actions, StringEquals taken", analysis.KindBucket, partnerGrant +
			`, {"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "999999999999"]}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(`{"Version": "2012-10-17", "Statement": [` + tc.deny + `]}`)
			fix, fixed := exemptionFixOf(t, tc.kind, src)
			exempted, wantTitle := func(p string) bool { return p == jane }, "Exempt jane from this Deny for s3:GetObject, s3:PutObject only"
			if tc.kind == analysis.KindBucket {
				exempted = func(p string) bool { return strings.Contains(p, ":111122223333:") }
				wantTitle = "Exempt account 111122223333 from this Deny for s3:GetObject, s3:PutObject only"
				if strings.Contains(tc.deny, "NoDeletes") {
					wantTitle = "Exempt account 111122223333 from this Deny for s3:GetObject only"
				}
			}
			if fix.Title.EN != wantTitle || fix.Removes {
				t.Errorf("fix %q", fix.Title.EN)
			}
			before, after := policyDecisions(t, tc.kind, src), policyDecisions(t, tc.kind, fixed)
			lifted := 0
			for req, d := range before {
				exempt := exempted(req.Principal) && (req.Action == "s3:GetObject" || req.Action == "s3:PutObject" && !strings.Contains(tc.deny, "NoDeletes"))
				granted := exempt && req.Resource == "arn:aws:s3:::shared-data/report.csv"
				switch {
				case granted && after[req] != eval.Allowed:
					t.Errorf("%v: %v after the fix", req, after[req])
				case granted && d != eval.Allowed:
					lifted++
				case after[req] != d && !(exempt && after[req] == eval.Allowed):
					t.Errorf("%v: %v before the fix, %v after\n%s", req, d, after[req], fixed)
				}
			}
			if lifted == 0 {
				t.Errorf("the fix lifts nothing: the Deny blocked none of Jane's requests")
			}
			t.Logf("%d requests, %d lifted", len(before), lifted)
		})
	}
}

// exemptionFixes are the exemption fixes offered on the policy (an SCP,
// an RCP or the bucket policy) in a workspace where the bucket policy of
// shared-data grants Jane's account s3:GetObject and s3:PutObject on its
// objects, and her policy asks for them.
func exemptionFixes(t *testing.T, kind analysis.Kind, policy []byte) []analysis.Fix {
	t.Helper()
	found, _ := blockedFindings(t, kind, policy)
	return found
}

// blockedFindings analyses the policy in exemptionFixes' workspace: the
// exemption fixes offered, and how many findings say it blocks Jane's
// requests (they link to her policy).
func blockedFindings(t *testing.T, kind analysis.Kind, policy []byte) (found []analysis.Fix, blocking int) {
	t.Helper()
	dir := t.TempDir()
	name, account := "org.scp.json", "111122223333"
	bucketPolicy := []byte(`{"Version": "2012-10-17", "Statement": [` + partnerGrant + `]}`)
	switch kind {
	case analysis.KindRCP:
		name, account = "org.rcp.json", "444455556666"
	case analysis.KindBucket:
		name, account, bucketPolicy = "bucket.bucket-policy.json", "444455556666", policy
	}
	texts := map[string][]byte{
		filepath.Join(dir, analysis.ConfigName): []byte(`{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}},
  "files": {"jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
            "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"},
            "` + name + `": {"kind": "` + string(kind) + `", "account": "` + account + `"}}}`),
		filepath.Join(dir, "bucket.bucket-policy.json"): bucketPolicy,
		filepath.Join(dir, "jane.iam-policy.json"):      []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		filepath.Join(dir, name):                        policy,
	}
	w := tree.Sets(dir, texts)[0]
	f := w.File(filepath.Join(dir, name))
	if f == nil {
		t.Fatalf("%s not in the workspace", name)
	}
	for _, fd := range analysis.Analyze(f, checks.All) {
		if slices.ContainsFunc(fd.Related, func(r analysis.Related) bool { return r.File == "jane.iam-policy.json" }) {
			blocking++ // it names where Jane asks for what it blocks
		}
		for _, fix := range fd.AllFixes() {
			if strings.HasPrefix(fix.Title.EN, "Exempt ") {
				found = append(found, fix)
			}
		}
	}
	return found, blocking
}

// exemptionFixOf is the one exemption fix exemptionFixes finds, and the
// policy it makes.
func exemptionFixOf(t *testing.T, kind analysis.Kind, policy []byte) (analysis.Fix, []byte) {
	t.Helper()
	found := exemptionFixes(t, kind, policy)
	if len(found) != 1 {
		t.Fatalf("%d exemption fixes, want 1", len(found))
	}
	return found[0], analysis.ApplyEdits(policy, found[0].Edits)
}

// No exemption is offered where the rest of the Deny cannot be written
// exactly: an action wildcard other than "*" or "s3:*", NotResource
// with s3:*, a Condition that is not an object; nor in an RCP whose
// blocked actions it does not deny.
func TestNoExemptionThatIsNotExact(t *testing.T) {
	for _, tc := range []struct {
		kind analysis.Kind
		deny string
	}{
		{analysis.KindSCP, `{"Effect": "Deny", "Action": "s3:*Object", "Resource": "arn:aws:s3:::shared-data/*"}`},
		{analysis.KindSCP, `{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"}`},
		{analysis.KindSCP, `{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": "aws:SecureTransport"}`},
		{analysis.KindRCP, `{"Effect": "Deny", "Principal": "*", "Action": "s3:Get*", "Resource": "*"}`},
	} {
		src := []byte(`{"Version": "2012-10-17", "Statement": [` + tc.deny + `]}`)
		if found := exemptionFixes(t, tc.kind, src); len(found) != 0 {
			t.Errorf("%s %s: offered %q", tc.kind, tc.deny, found[0].Title.EN)
		}
		if _, fs := blockedFindings(t, tc.kind, src); fs == 0 {
			t.Errorf("%s %s: no finding says it blocks Jane", tc.kind, tc.deny)
		}
	}
}

// partnerGrant is the bucket policy's grant to Jane's account.
const partnerGrant = `{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared-data/*"}`

// policyRequest is a request of the matrix policyDecisions decides.
type policyRequest struct {
	Principal, Action, Resource, Org, SourceIP string
}

// policyDecisions decides, with the policy as the only SCP (beside
// FullAWSAccess) or RCP, and every other policy allowing everything,
// every S3 action on the resources of its resource types, and KMS and
// SQS actions, for each principal and organization.
func policyDecisions(t *testing.T, kind analysis.Kind, policy []byte) map[policyRequest]eval.Decision {
	t.Helper()
	doc := func(name, src string) *eval.Doc {
		d, ok := eval.NewDoc(name, []byte(src))
		if !ok {
			t.Fatalf("%s does not parse: %s", name, src)
		}
		return d
	}
	const allowAll = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	under := doc("policy", string(policy))
	base := eval.Scenario{
		IdentityPolicies: []*eval.Doc{doc("identity", allowAll)},
		ResourcePolicy:   doc("bucket", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}`),
		Bucket:           &analysis.BucketFacts{Name: "shared-data", Account: "444455556666"},
	}
	switch kind {
	case analysis.KindRCP:
		base.RCPs = [][]*eval.Doc{{under}}
	case analysis.KindBucket:
		// The bucket policy under test, granting everything besides, so
		// that what its Deny statements take from anyone shows.
		text := string(policy)
		end := strings.LastIndex(text, "]")
		base.ResourcePolicy = doc("bucket", text[:end]+`, {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`+text[end:])
	default:
		base.SCPs = [][]*eval.Doc{{doc("full", allowAll), under}}
	}
	resources := map[string][]string{
		"object": {"arn:aws:s3:::shared-data/report.csv", "arn:aws:s3:::other-bucket/report.csv"},
		"bucket": {"arn:aws:s3:::shared-data", "arn:aws:s3:::other-bucket"},
	}
	type actionOn struct{ action, resource string }
	var requests []actionOn
	for _, a := range iamdata.Lookup("s3").Actions {
		for _, r := range a.Resources() {
			for _, res := range resources[r.Name] {
				requests = append(requests, actionOn{"s3:" + a.Name(), res})
			}
		}
	}
	requests = append(requests,
		actionOn{"kms:Decrypt", "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		actionOn{"sqs:SendMessage", "arn:aws:sqs:us-east-1:444455556666:queue"})
	principals := []string{jane, "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:role/admin",
		"arn:aws:iam::111122223333:root", "arn:aws:iam::999999999999:user/stranger"}
	out := map[policyRequest]eval.Decision{}
	for _, p := range principals {
		for _, org := range []string{"o-janesorg", "o-exampleorg"} {
			for _, ip := range []string{"203.0.113.5", "198.51.100.7"} {
				for _, r := range requests {
					s := base
					s.Request = eval.Request{Principal: p, Action: r.action, Resource: r.resource, ResourceAccount: "444455556666",
						Context: map[string][]string{"aws:PrincipalOrgID": {org}, "aws:SourceIp": {ip}}}
					out[policyRequest{p, r.action, r.resource, org, ip}] = eval.Evaluate(&s).Decision
				}
			}
		}
	}
	if !slices.ContainsFunc(requests, func(r actionOn) bool { return r.action == "s3:GetObject" }) {
		t.Fatal("the IAM data lists no s3:GetObject on objects")
	}
	return out
}

// The RCP of rcp-deny (s3:* on every resource, for principals outside
// the organization) gets the exemption on its finding, in the file's
// layout, with Sids: Jane is exempted from the Deny, and two statements
// keep denying her, under the same conditions, every S3 action on any
// other resource, and on the granted objects every S3 action but the two
// granted ones (an RCP has no NotAction: patterns that leave out exactly
// s3:GetObject and s3:PutObject). After it no file has a finding; the
// engine, told Jane's organization, denies both requests before and
// allows them after.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
func TestRCPDenyGetsAnExemptionFix(t *testing.T) {
	w, fs := analyseExample(t, "rcp-deny", "rcp.rcp.json", "deny-blocks-access")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(fs), fs)
	}
	f := fs[0]
	if got := at(t, w, "rcp.rcp.json", f.Span); got != `"Deny"` {
		t.Errorf("finding at %s", got)
	}
	if len(f.AllFixes()) != 1 || f.AllFixes()[0].Title.EN != "Exempt jane from this Deny for s3:GetObject, s3:PutObject only" ||
		f.AllFixes()[0].Title.JA != "jane をこの Deny から s3:GetObject, s3:PutObject についてだけ除外" {
		t.Fatalf("fixes = %+v", f.AllFixes())
	}
	fix := f.AllFixes()[0]
	src := w.File(filepath.Join(w.Dir, "rcp.rcp.json")).Src
	if got := string(analysis.ApplyEdits(src, fix.Edits)); got != `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "OrgPrincipalsOnly",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": "*",
      "Condition": {
        "StringNotEqualsIfExists": {
          "aws:PrincipalOrgID": "o-exampleorg"
        },
        "BoolIfExists": {
          "aws:PrincipalIsAWSService": "false"
        },
        "ArnNotEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:user/jane"
        }
      }
    },
    {
      "Sid": "OrgPrincipalsOnlyJaneOtherResources",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "NotResource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "StringNotEqualsIfExists": {
          "aws:PrincipalOrgID": "o-exampleorg"
        },
        "BoolIfExists": {
          "aws:PrincipalIsAWSService": "false"
        },
        "ArnEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:user/jane"
        }
      }
    },
    {
      "Sid": "OrgPrincipalsOnlyJaneOtherActions",
      "Effect": "Deny",
      "Principal": "*",
      "Action": [
        "s3:Abort*",
        "s3:Bypass*",
        "s3:Delete*",
        "s3:GetObject?*",
        "s3:Initiate*",
        "s3:List*",
        "s3:Object*",
        "s3:PutObject?*",
        "s3:Replicate*",
        "s3:Restore*",
        "s3:Update*"
      ],
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "StringNotEqualsIfExists": {
          "aws:PrincipalOrgID": "o-exampleorg"
        },
        "BoolIfExists": {
          "aws:PrincipalIsAWSService": "false"
        },
        "ArnEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:user/jane"
        }
      }
    }
  ]
}
` {
		t.Errorf("fixed:\n%s", got)
	}
	// After it nothing is left to report: the Deny spares Jane, and the
	// statements that keep denying her the rest block nothing granted.
	dir, texts := exampleTexts(t, "rcp-deny")
	texts[filepath.Join(dir, "rcp.rcp.json")] = analysis.ApplyEdits(src, fix.Edits)
	for _, f := range tree.Sets(dir, texts)[0].Files {
		for _, fd := range analysis.Analyze(f, checks.All) {
			t.Errorf("after the fix, %s: %s %q", filepath.Base(f.Path), fd.Code, fd.Message.Text().EN)
		}
	}
	janesOrg := map[string][]string{"aws:PrincipalOrgID": {"o-janesorg"}}
	for _, tc := range []struct {
		fix  analysis.Fix
		want eval.Decision
	}{{analysis.Fix{}, eval.ExplicitlyDenied}, {fix, eval.Allowed}} {
		for action, d := range decisionsWith(t, "rcp-deny", "rcp.rcp.json", tc.fix, janesOrg, "s3:GetObject", "s3:PutObject") {
			if d != tc.want {
				t.Errorf("with %q, %s is %v, want %v", tc.fix.Title.EN, action, d, tc.want)
			}
		}
	}
}

// An SCP Deny with a Condition gets the exemption too: Jane's ARN joins
// the values of the ArnNotEquals its Condition already has (the Deny
// then spares both ARNs: a negated operator refuses every value it
// lists), and the statement that keeps denying her the rest copies the
// Condition. The engine denies both requests before, allows them after,
// and still denies her s3:DeleteObject.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func TestSCPDenyWithAConditionGetsAnExemptionFix(t *testing.T) {
	dir, texts := exampleTexts(t, "scp-deny")
	path := filepath.Join(dir, "scp.scp.json")
	texts[path] = []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "NoSharedData",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "ArnNotEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"
        }
      }
    }
  ]
}
`)
	w := tree.Sets(dir, texts)[0]
	var fixes []analysis.Fix
	for _, fd := range analysis.Analyze(w.File(path), checks.All) {
		if fd.Code == "scp-denies-s3" && string(texts[path][fd.Span.Start:fd.Span.End]) == `"s3:*"` {
			fixes = fd.AllFixes()
		}
	}
	if len(fixes) != 1 || fixes[0].Title.EN != "Exempt jane from this Deny for s3:GetObject, s3:PutObject only" {
		t.Fatalf("fixes = %+v", fixes)
	}
	fixed := analysis.ApplyEdits(texts[path], fixes[0].Edits)
	if string(fixed) != `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "NoSharedData",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::shared-data/*",
      "Condition": {
        "ArnNotEquals": {
          "aws:PrincipalArn": ["arn:aws:iam::111122223333:role/admin", "arn:aws:iam::111122223333:user/jane"]
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
        "ArnNotEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin"
        },
        "ArnEquals": {
          "aws:PrincipalArn": "arn:aws:iam::111122223333:user/jane"
        }
      }
    }
  ]
}
` {
		t.Errorf("fixed:\n%s", fixed)
	}
	decide := func(src []byte) map[string]eval.Decision {
		texts[path] = src
		after := tree.Sets(dir, texts)[0].Workspace
		out := map[string]eval.Decision{}
		for _, a := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
			out[a] = eval.Evaluate(after.Scenario(eval.Request{Principal: jane, Action: a, Resource: "arn:aws:s3:::shared-data/report.csv"})).Decision
		}
		return out
	}
	before := decide(texts[path])
	after := decide(fixed)
	for _, a := range []string{"s3:GetObject", "s3:PutObject"} {
		if before[a] != eval.ExplicitlyDenied || after[a] != eval.Allowed {
			t.Errorf("%s: %v before the fix, %v after", a, before[a], after[a])
		}
	}
	if after["s3:DeleteObject"] == eval.Allowed {
		t.Errorf("s3:DeleteObject is allowed after the fix")
	}
}

// decisionsWith applies the fix to the example's file and evaluates
// Jane's requests on the granted objects with the context given.
func decisionsWith(t *testing.T, example, file string, fix analysis.Fix, context map[string][]string, actions ...string) map[string]eval.Decision {
	t.Helper()
	dir, texts := exampleTexts(t, example)
	path := filepath.Join(dir, file)
	texts[path] = analysis.ApplyEdits(texts[path], fix.Edits)
	w := tree.Sets(dir, texts)[0].Workspace
	out := map[string]eval.Decision{}
	for _, a := range actions {
		out[a] = eval.Evaluate(w.Scenario(eval.Request{Principal: jane, Action: a, Resource: "arn:aws:s3:::shared-data/report.csv", Context: context})).Decision
	}
	return out
}
