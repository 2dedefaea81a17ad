package checks_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A permissions boundary that blocks requests on two SSE-KMS buckets with
// different keys: Jane's uploads and reads of shared-data (key 1234abcd,
// which they use) and her s3:PutObjectAcl on shared-logs (key 5678efgh,
// which an ACL change does not use). The fix allows the KMS actions on
// shared-data's key: before, it named the key of the last SSE-KMS bucket
// of the requests (shared-logs'), and after it Jane's reads and uploads
// were still blocked, by the statement the fix added (the review's
// counter-example in the varied golden). After the fix every blocked
// request is allowed.
func TestABoundaryFixAllowsTheKeysTheRequestsUse(t *testing.T) {
	dir, texts := exampleTexts(t, "permissions-boundary")
	const logsKey = "arn:aws:kms:us-east-1:444455556666:key/5678efgh-56ef-78ab-90cd-5678efgh9012"
	config := filepath.Join(dir, analysis.ConfigName)
	texts[config] = []byte(strings.Replace(string(texts[config]), `"files": {`, `"files": {
    "logs.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-logs"},`, 1))
	texts[config] = []byte(strings.Replace(string(texts[config]), `"buckets": {`, `"buckets": {
    "shared-logs": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "`+logsKey+`", "objectOwnership": "ObjectWriter"},`, 1))
	texts[filepath.Join(dir, "logs.bucket-policy.json")] = []byte(`{"Version": "2012-10-17", "Statement": [{"Sid": "PartnerAcls", "Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:PutObjectAcl", "Resource": "arn:aws:s3:::shared-logs/*"}]}`)
	identity := filepath.Join(dir, "jane.iam-policy.json")
	texts[identity] = []byte(strings.Replace(string(texts[identity]), `"Sid": "UseSharedKey"`, `"Sid": "LogAcls", "Effect": "Allow", "Action": "s3:PutObjectAcl", "Resource": "arn:aws:s3:::shared-logs/*"
    },
    {
      "Sid": "UseSharedKey"`, 1))
	boundary := filepath.Join(dir, "jane.boundary.json")

	w := tree.Sets(dir, texts)[0].Workspace
	fs := findingsOf(t, w, "jane.boundary.json", "boundary-blocks")
	if len(fs) != 1 || len(fs[0].AllFixes()) != 1 {
		t.Fatalf("boundary-blocks findings %+v, want one with one fix", fs)
	}
	fix := fs[0].AllFixes()[0]
	if want := "Allow s3:GetObject, s3:PutObject, s3:PutObjectAcl, kms:Decrypt, kms:GenerateDataKey on shared-data/*, shared-logs/* in this permissions boundary"; fix.Title.EN != want {
		t.Errorf("title %q, want %q", fix.Title.EN, want)
	}
	fixed := string(analysis.ApplyEdits(texts[boundary], fix.Edits))
	if !strings.Contains(fixed, `"Resource": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"`) || strings.Contains(fixed, logsKey) {
		t.Errorf("the fix does not allow the KMS actions on shared-data's key alone:\n%s", fixed)
	}

	texts[boundary] = []byte(fixed)
	w = tree.Sets(dir, texts)[0].Workspace
	for _, req := range []eval.Request{
		{Principal: jane, Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-data/*"},
		{Principal: jane, Action: "s3:PutObject", Resource: "arn:aws:s3:::shared-data/*"},
		{Principal: jane, Action: "s3:PutObjectAcl", Resource: "arn:aws:s3:::shared-logs/*"},
	} {
		if d := eval.Evaluate(w.Scenario(req)).Decision; d != eval.Allowed {
			t.Errorf("after the fix %s on %s is %v", req.Action, req.Resource, d)
		}
	}
}

// A bucket policy that grants a user by ARN: the endpoint policy's fix
// lets the user through by aws:PrincipalArn on "Principal": "*" (a user
// ARN as the endpoint policy's principal would do on an interface
// endpoint only, and an account there lets in its root user alone on a
// gateway endpoint). After the fix the engine allows every granted
// request and still denies a user of another account.
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
func TestAnEndpointFixNamesTheGranteesByCondition(t *testing.T) {
	dir, texts := exampleTexts(t, "endpoint-policy")
	bucket := filepath.Join(dir, "bucket.bucket-policy.json")
	texts[bucket] = []byte(strings.Replace(string(texts[bucket]), `"AWS": "arn:aws:iam::111122223333:root"`, `"AWS": "`+jane+`"`, 1))
	endpoint, fixed := applyEndpointFix(t, dir, texts)
	for _, want := range []string{
		`{"Sid": "AllowS3UseJane", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared-data/*", "Condition": {"ArnEquals": {"aws:PrincipalArn": "` + jane + `"}}}`,
	} {
		if !strings.Contains(fixed, want) {
			t.Errorf("the fix lacks\n%s\nfixed:\n%s", want, fixed)
		}
	}

	texts[endpoint] = []byte(fixed)
	w := tree.Sets(dir, texts)[0].Workspace
	for _, bp := range w.Files {
		for _, g := range w.Grants(bp) {
			if d := eval.Evaluate(w.Scenario(g.Request)).Decision; d != eval.Allowed {
				t.Errorf("after the fix %s %s on %s is %v", g.Request.Principal, g.Request.Action, g.Request.Resource, d)
			}
		}
	}
	stranger := eval.Request{Principal: "arn:aws:iam::777788889999:user/mallory", Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-data/x"}
	if d := eval.Evaluate(w.Scenario(stranger)).Decision; d == eval.Allowed {
		t.Errorf("after the fix a user nobody named is %v", d)
	}
}

// A bucket policy that grants a role session, or an account by the root
// ARN of another partition: the endpoint policy's fix names the session's
// role by aws:PrincipalArn (a session's aws:PrincipalArn is its role's
// ARN, with the path the session's ARN leaves out: ArnLike with and
// without one), and the account by aws:PrincipalAccount. Before, the
// session's own ARN was written (it never matches) and the other
// partition's root was taken for a user ARN (the root user alone). After
// the fix the endpoint lets every granted request through, and still not
// a session of another role.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
func TestAnEndpointFixNamesSessionsAndRootsOfEveryPartition(t *testing.T) {
	for _, tc := range []struct {
		grantee, caller, want, stranger string
	}{
		{"arn:aws:sts::111122223333:assumed-role/etl/run-1", "arn:aws:sts::111122223333:assumed-role/etl/run-1",
			`"Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/etl", "arn:aws:iam::111122223333:role/*/etl"]}}}`,
			"arn:aws:sts::111122223333:assumed-role/other/run-1"},
		{"arn:aws-cn:iam::111122223333:root", "arn:aws-cn:iam::111122223333:user/jane",
			`"Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}`,
			""},
	} {
		t.Run(tc.grantee, func(t *testing.T) {
			dir, texts := exampleTexts(t, "endpoint-policy")
			partition, _, _ := strings.Cut(strings.TrimPrefix(tc.grantee, "arn:"), ":")
			for path, text := range texts { // the whole folder in the grantee's partition
				texts[path] = []byte(strings.ReplaceAll(string(text), "arn:aws:", "arn:"+partition+":"))
			}
			bucket := filepath.Join(dir, "bucket.bucket-policy.json")
			texts[bucket] = []byte(strings.Replace(string(texts[bucket]), `"AWS": "arn:`+partition+`:iam::111122223333:root"`, `"AWS": "`+tc.grantee+`"`, 1))
			config := filepath.Join(dir, analysis.ConfigName) // Jane's policy is the caller's
			texts[config] = []byte(strings.Replace(string(texts[config]), `"principal": "arn:`+partition+`:iam::111122223333:user/jane"`, `"principal": "`+tc.caller+`"`, 1))
			endpoint, fixed := applyEndpointFix(t, dir, texts)
			if !strings.Contains(fixed, `"Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:`+partition+`:s3:::shared-data/*", `+tc.want) {
				t.Errorf("the fix lacks\n%s\nfixed:\n%s", tc.want, fixed)
			}
			texts[endpoint] = []byte(fixed)
			w := tree.Sets(dir, texts)[0].Workspace
			blockedAtEndpoint := func(req eval.Request) bool {
				return slices.Contains(eval.Evaluate(w.Scenario(req)).BlockedBy, eval.LayerEndpoint)
			}
			n := 0
			for _, bp := range w.Files {
				for _, g := range w.Grants(bp) {
					n++
					if blockedAtEndpoint(g.Request) {
						t.Errorf("after the fix the endpoint blocks %s %s on %s", g.Request.Principal, g.Request.Action, g.Request.Resource)
					}
				}
			}
			if n == 0 {
				t.Error("no granted request")
			}
			if tc.stranger != "" && !blockedAtEndpoint(eval.Request{Principal: tc.stranger, Action: "s3:GetObject", Resource: "arn:" + partition + ":s3:::shared-data/x",
				Context: map[string][]string{"aws:SourceVpce": {"vpce-0abc1234"}}}) {
				t.Errorf("after the fix the endpoint lets %s through", tc.stranger)
			}
		})
	}
}

// applyEndpointFix gives the endpoint policy of the endpoint-policy
// example one statement that allows something else (ListBucket on the
// aws partition's shared-data) and returns it with the fix of its
// endpoint-policy-blocks finding that allows the granted GetObject and
// PutObject applied.
func applyEndpointFix(t *testing.T, dir string, texts map[string][]byte) (endpoint, fixed string) {
	t.Helper()
	endpoint = filepath.Join(dir, "endpoint.endpoint-policy.json")
	texts[endpoint] = []byte(`{"Version": "2012-10-17", "Statement": [{"Sid": "ListOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared-data"}]}`)
	w := tree.Sets(dir, texts)[0].Workspace
	for _, f := range findingsOf(t, w, "endpoint.endpoint-policy.json", "endpoint-policy-blocks") {
		for _, x := range f.AllFixes() {
			if strings.HasPrefix(x.Title.EN, "Allow s3:GetObject, s3:PutObject on shared-data/*") {
				return endpoint, string(analysis.ApplyEdits(texts[endpoint], x.Edits))
			}
		}
	}
	t.Fatal("no endpoint-policy-blocks fix allowing the granted requests")
	return "", ""
}
