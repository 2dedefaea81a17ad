package awsimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

const (
	callerAccount = "111122223333"
	bucketAccount = "444455556666"
)

func jsonText(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}

func allow(action, resource string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}}}
}

// authorizationDump is a synthetic `aws iam get-account-authorization-details`
// of account 111122223333, in the shape the CLI prints
// (https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html):
// policies managed policies, each reading its own bucket, the last a
// boundary that allows only listing; roles roles, each with an inline
// policy that reads shared-data, a trust policy, and managed policies i
// and i+roles attached; Role7 under the boundary; one user in a group.
func authorizationDump(roles, policies int) []byte {
	var pols, roleList []any
	for i := 0; i < policies; i++ {
		doc := allow("s3:GetObject", fmt.Sprintf("arn:aws:s3:::bucket-%03d/*", i))
		if i == policies-1 {
			doc = allow("s3:ListBucket", "*")
		}
		pols = append(pols, map[string]any{
			"PolicyName": fmt.Sprintf("Policy%03d", i), "Arn": fmt.Sprintf("arn:aws:iam::%s:policy/Policy%03d", callerAccount, i),
			"DefaultVersionId": "v2", "IsAttachable": true,
			"PolicyVersionList": []any{
				map[string]any{"Document": allow("s3:*", "*"), "VersionId": "v1", "IsDefaultVersion": false},
				map[string]any{"Document": doc, "VersionId": "v2", "IsDefaultVersion": true},
			},
		})
	}
	for i := 0; i < roles; i++ {
		name := fmt.Sprintf("Role%d", i)
		var attached []any
		for _, p := range []int{i, i + roles} {
			if p < policies-1 {
				attached = append(attached, map[string]any{"PolicyName": fmt.Sprintf("Policy%03d", p), "PolicyArn": fmt.Sprintf("arn:aws:iam::%s:policy/Policy%03d", callerAccount, p)})
			}
		}
		role := map[string]any{
			"Path": "/app/", "RoleName": name, "RoleId": fmt.Sprintf("AROA%016d", i), "Arn": fmt.Sprintf("arn:aws:iam::%s:role/app/%s", callerAccount, name),
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}},
			"RolePolicyList":           []any{map[string]any{"PolicyName": "ReadShared", "PolicyDocument": allow("s3:GetObject", "arn:aws:s3:::shared-data/*")}},
			"AttachedManagedPolicies":  attached,
		}
		if i == 7 {
			role["PermissionsBoundary"] = map[string]any{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": fmt.Sprintf("arn:aws:iam::%s:policy/Policy%03d", callerAccount, policies-1)}
		}
		roleList = append(roleList, role)
	}
	return jsonText(map[string]any{
		"UserDetailList": []any{map[string]any{"UserName": "jane", "Arn": "arn:aws:iam::" + callerAccount + ":user/jane", "GroupList": []string{"Readers"},
			"UserPolicyList": []any{}, "AttachedManagedPolicies": []any{}}},
		"GroupDetailList": []any{map[string]any{"GroupName": "Readers", "Arn": "arn:aws:iam::" + callerAccount + ":group/Readers",
			// The API's form: URL-encoded JSON text.
			"GroupPolicyList":         []any{map[string]any{"PolicyName": "ReadShared", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ashared-data%2F%2A%22%7D%5D%7D"}},
			"AttachedManagedPolicies": []any{}}},
		"RoleDetailList": roleList,
		"Policies":       pols,
	})
}

// bucketSide is account 444455556666's outputs: shared-data lets Role5
// and jane read, and is SSE-S3; an S3 gateway endpoint; an SCP of the
// organization that denies deletes, attached to the root.
func bucketSide() []Input {
	bucketPolicy := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "Partners", "Effect": "Allow",
		"Principal": map[string]any{"AWS": []string{"arn:aws:iam::" + callerAccount + ":role/app/Role5", "arn:aws:iam::" + callerAccount + ":user/jane"}},
		"Action":    "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}}}
	policyText, _ := json.Marshal(bucketPolicy)
	scp, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}}})
	endpoint, _ := json.Marshal(allow("s3:*", "*"))
	return []Input{
		{"b/get-caller-identity.json", jsonText(map[string]string{"UserId": "AIDAEXAMPLE", "Account": bucketAccount, "Arn": "arn:aws:iam::" + bucketAccount + ":user/admin"})},
		{"b/shared-data.get-bucket-policy.json", jsonText(map[string]string{"Policy": string(policyText)})},
		{"b/shared-data.get-bucket-encryption.json", []byte(`{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false}]}}`)},
		{"b/shared-data.get-bucket-ownership-controls.json", []byte(`{"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}`)},
		{"b/shared-data.get-bucket-request-payment.json", []byte(`{"Payer": "BucketOwner"}`)},
		{"a/describe-vpc-endpoints.json", jsonText(map[string]any{"VpcEndpoints": []any{map[string]any{"VpcEndpointId": "vpce-1a2b3c4d", "VpcEndpointType": "Gateway",
			"ServiceName": "com.amazonaws.us-east-1.s3", "PolicyDocument": string(endpoint), "OwnerId": callerAccount}}})},
		{"org/p-nodeletes.describe-policy.json", jsonText(map[string]any{"Policy": map[string]any{
			"PolicySummary": map[string]any{"Id": "p-nodeletes", "Name": "NoDeletes", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": false},
			"Content":       string(scp)}})},
		{"org/p-nodeletes.list-targets-for-policy.json", []byte(`{"Targets": [{"TargetId": "r-abcd", "Name": "Root", "Type": "ROOT"}]}`)},
	}
}

func testInputs() []Input {
	return append([]Input{{"a/get-account-authorization-details.json", authorizationDump(200, 500)}}, bucketSide()...)
}

func workspace(t testing.TB, res *Result) *eval.Workspace {
	t.Helper()
	texts := map[string][]byte{}
	for rel, src := range res.Files {
		texts["/ws/"+rel] = src
	}
	return tree.One("/ws", texts).Workspace
}

func TestImportLaysOutTheWorkspace(t *testing.T) {
	res, err := Build(testInputs())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	cfg, findings := analysis.ParseConfig("/ws", res.Files[analysis.ConfigName])
	if len(findings) != 0 {
		t.Fatalf("the config has findings: %+v", findings[0].Message.Text().EN)
	}
	if strings.Join(cfg.Accounts, ",") != callerAccount+","+bucketAccount {
		t.Errorf("accounts %v", cfg.Accounts)
	}
	if b := cfg.Buckets["shared-data"]; b == nil || *b != (analysis.BucketFacts{Name: "shared-data", Account: bucketAccount, Encryption: "AES256", ObjectOwnership: "BucketOwnerEnforced"}) {
		t.Errorf("bucket %+v", b)
	}
	// 200 roles × (inline + trust + 2 managed, fewer at the end) + the boundary + jane's group policy
	// + the bucket policy + the endpoint + the SCP + .s3policy.json.
	want := map[string]bool{
		"111122223333/iam/roles/Role7/boundary/Policy499.iam-policy.json":              false,
		"111122223333/iam/roles/Role7/boundary/Policy499.boundary.json":                true,
		"111122223333/iam/roles/Role7/managed/Policy207.iam-policy.json":               true,
		"111122223333/iam/roles/Role7/inline/ReadShared.iam-policy.json":               true,
		"111122223333/iam/roles/Role7/trust-policy.json":                               true,
		"111122223333/iam/users/jane/groups/Readers/inline/ReadShared.iam-policy.json": true,
		"444455556666/s3/shared-data.bucket-policy.json":                               true,
		"111122223333/vpce/vpce-1a2b3c4d.endpoint-policy.json":                         true,
		"organizations/scp/NoDeletes.scp.json":                                         true,
	}
	for path, present := range want {
		if _, ok := res.Files[path]; ok != present {
			t.Errorf("%s: present %v, want %v", path, ok, present)
		}
	}
	w := workspace(t, res)
	if len(w.Files) < 700 || len(w.Broken) != 0 {
		t.Errorf("%d policies, %d broken", len(w.Files), len(w.Broken))
	}
	// The managed policy is at its default version.
	if got := string(res.Files["111122223333/iam/roles/Role7/managed/Policy207.iam-policy.json"]); !strings.Contains(got, "bucket-207") {
		t.Errorf("Policy207 is not its default version:\n%s", got)
	}
}

// What explain then says over the import, for each kind of message.
func TestImportThenExplain(t *testing.T) {
	res, err := Build(testInputs())
	if err != nil {
		t.Fatal(err)
	}
	w := workspace(t, res)
	tests := []struct {
		name, message string
		agreement     awserror.Agreement
		verdict       string
	}{
		{"the bucket policy names another role",
			"An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::111122223333:assumed-role/Role6/run-1 is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::shared-data/a.csv\" because no resource-based policy allows the s3:GetObject action",
			awserror.Agrees, `AWS says no resource-based policy allows it; 444455556666/s3/shared-data.bucket-policy.json:3: Bucket policy: statement "Partners" of 444455556666/s3/shared-data.bucket-policy.json allows s3:GetObject on arn:aws:s3:::shared-data/a.csv, but not to arn:aws:sts::111122223333:assumed-role/Role6/run-1`},
		{"the boundary allows only listing",
			"An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::111122223333:assumed-role/Role7/run-1 is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::bucket-007/a.csv\" because no permissions boundary allows the s3:GetObject action",
			awserror.Agrees, `AWS says no permissions boundary allows it; 111122223333/iam/roles/Role7/boundary/Policy499.boundary.json:1: Permissions boundary: no statement of 111122223333/iam/roles/Role7/boundary/Policy499.boundary.json allows s3:GetObject on arn:aws:s3:::bucket-007/a.csv`},
		{"the SCP denies deletes",
			"An error occurred (AccessDenied) when calling the DeleteObject operation: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: s3:DeleteObject on resource: \"arn:aws:s3:::shared-data/a.csv\" with an explicit deny in a service control policy",
			awserror.Agrees, `AWS says an explicit Deny in a service control policy; organizations/scp/NoDeletes.scp.json:3: SCP: statement "NoDeletes" of organizations/scp/NoDeletes.scp.json explicitly denies s3:DeleteObject on arn:aws:s3:::shared-data/a.csv; an explicit Deny overrides every Allow`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := awserror.Parse(tt.message)
			if err != nil {
				t.Fatal(err)
			}
			x, err := awserror.Explain(w, m, awserror.Facts{})
			if err != nil {
				t.Fatal(err)
			}
			if x.Agreement != tt.agreement || x.Verdict.EN != tt.verdict {
				t.Errorf("%s\n got %s\nwant %s", x.Agreement, x.Verdict.EN, tt.verdict)
			}
		})
	}
	// Role5 and jane (through her group) may read shared-data.
	for _, who := range []string{"arn:aws:sts::111122223333:assumed-role/Role5/run-1", "arn:aws:iam::111122223333:user/jane"} {
		r := eval.Evaluate(w.Scenario(eval.Request{Principal: who, Action: "s3:GetObject", Resource: "arn:aws:s3:::shared-data/a.csv"}))
		if r.Decision != eval.Allowed {
			t.Errorf("%s: %s %+v", who, r.Decision, r.Causes)
		}
	}
}

func TestImportIsIdempotent(t *testing.T) {
	a, err := Build(testInputs())
	if err != nil {
		t.Fatal(err)
	}
	in := testInputs()
	in[0], in[len(in)-1] = in[len(in)-1], in[0] // the order of the inputs does not matter
	b, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Files) != len(b.Files) {
		t.Fatalf("%d files, then %d", len(a.Files), len(b.Files))
	}
	for path, src := range a.Files {
		if !bytes.Equal(src, b.Files[path]) {
			t.Errorf("%s differs", path)
		}
	}
}

// A file that cannot be read names the file and the field.
func TestImportErrorsNameFileAndField(t *testing.T) {
	tests := []struct {
		in   Input
		want string
	}{
		{Input{"x/details.json", []byte(`{"RoleDetailList": [{"RoleName": "A", "Arn": "arn:aws:iam::111122223333:role/A", "RolePolicyList": [{"PolicyName": "P", "PolicyDocument": "{not json"}]}]}`)},
			"x/details.json: RoleDetailList[0].RolePolicyList[0].PolicyDocument: not a JSON policy: invalid character 'n' looking for beginning of object key string"},
		{Input{"x/details.json", []byte(`{"RoleDetailList": [{"RoleName": "A"}]}`)}, "x/details.json: RoleDetailList[0].Arn: missing"},
		{Input{"x/policy.json", []byte(`{"Policy": "{}"}`)}, "x/policy.json: Policy: the output does not say whose policy it is: save it as BUCKET.get-bucket-policy.json or KEYID.get-key-policy.json"},
		{Input{"x/enc.json", []byte(`{"ServerSideEncryptionConfiguration": {}}`)}, "x/enc.json: the output does not name its bucket: save it as BUCKET.get-bucket-encryption.json"},
		{Input{"x/b.get-bucket-encryption.json", []byte(`{"ServerSideEncryptionConfiguration": {"Rules": 3}}`)}, "x/b.get-bucket-encryption.json: ServerSideEncryptionConfiguration.Rules: missing or not a list of rules"},
		{Input{"x/parents.json", []byte(`{"Parents": [{"Id": "ou-ab12-11111111", "Type": "ORGANIZATIONAL_UNIT"}]}`)}, "x/parents.json: Parents: the output does not name its child: save it as ACCOUNTID.list-parents.json or OUID.list-parents.json"},
		{Input{"x/111122223333.list-parents.json", []byte(`{"Parents": []}`)}, "x/111122223333.list-parents.json: Parents: missing or not a list of parents"},
		{Input{"x/p-1.list-targets-for-policy.json", []byte(`{"Targets": [{"Type": "ACCOUNT"}]}`)}, "x/p-1.list-targets-for-policy.json: Targets[0].TargetId: missing"},
		{Input{"x/other.json", []byte(`{"Buckets": []}`)}, "x/other.json: not the output of a command import reads (top-level keys: Buckets); see the README's list"},
		{Input{"x/text.json", []byte(`Access Denied`)}, "x/text.json: not a JSON object as the AWS CLI prints it (--output json): invalid character 'A' looking for beginning of value"},
	}
	for _, tt := range tests {
		_, err := Build([]Input{tt.in})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.in.Path, err, tt.want)
		}
	}
}

// The KMS outputs: a key policy paired with describe-key by the file's
// name, and the bucket's key ID resolved to its ARN.
func TestImportKey(t *testing.T) {
	keyARN := "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	res, err := Build([]Input{
		{"b/get-caller-identity.json", []byte(`{"UserId": "X", "Account": "444455556666", "Arn": "arn:aws:iam::444455556666:user/admin"}`)},
		{"b/1234abcd-12ab-34cd-56ef-1234567890ab.describe-key.json", []byte(`{"KeyMetadata": {"AWSAccountId": "444455556666", "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Arn": "` + keyARN + `", "KeyState": "Enabled"}}`)},
		{"b/1234abcd-12ab-34cd-56ef-1234567890ab.get-key-policy.json", []byte(`{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "PolicyName": "default"}`)},
		{"b/shared-data.get-bucket-encryption.json", []byte(`{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "1234abcd-12ab-34cd-56ef-1234567890ab"}}]}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := analysis.ParseConfig("/ws", res.Files[analysis.ConfigName])
	if b := cfg.Buckets["shared-data"]; b == nil || b.KMSKeyARN != keyARN || b.Account != bucketAccount {
		t.Errorf("bucket %+v", b)
	}
	if _, ok := res.Files["444455556666/kms/1234abcd-12ab-34cd-56ef-1234567890ab.key-policy.json"]; !ok {
		t.Errorf("no key policy among %v", len(res.Files))
	}
}

// A bucket's key given as a KMS alias ARN: a describe-key of the alias,
// saved as alias-NAME.describe-key.json, resolves it; without one import
// warns and leaves the bucket's KMS facts out (not the alias as a key).
func TestImportKeyAlias(t *testing.T) {
	keyARN := "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	describe := []byte(`{"KeyMetadata": {"AWSAccountId": "444455556666", "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Arn": "` + keyARN + `", "KeyState": "Enabled"}}`)
	inputs := []Input{
		{"b/get-caller-identity.json", []byte(`{"UserId": "X", "Account": "444455556666", "Arn": "arn:aws:iam::444455556666:user/admin"}`)},
		{"b/1234abcd-12ab-34cd-56ef-1234567890ab.describe-key.json", describe},
		{"b/shared-data.get-bucket-encryption.json", []byte(`{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:444455556666:alias/shared"}}]}}`)},
	}
	res, err := Build(inputs)
	if err != nil {
		t.Fatal(err)
	}
	cfg, fs := analysis.ParseConfig("/ws", res.Files[analysis.ConfigName])
	if b := cfg.Buckets["shared-data"]; len(fs) != 0 || b == nil || b.Encryption != "" || b.KMSKeyARN != "" || b.Account != bucketAccount {
		t.Errorf("unresolved alias: bucket %+v, findings %+v", b, fs)
	}
	want := "bucket shared-data: its key arn:aws:kms:us-east-1:444455556666:alias/shared is an alias: KMS left out; save `aws kms describe-key --key-id alias/shared` as alias-shared.describe-key.json and import again"
	if len(res.Warnings) != 1 || res.Warnings[0] != want {
		t.Errorf("warnings %q, want %q", res.Warnings, want)
	}

	res, err = Build(append(inputs, Input{"b/alias-shared.describe-key.json", describe}))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ = analysis.ParseConfig("/ws", res.Files[analysis.ConfigName])
	if b := cfg.Buckets["shared-data"]; b == nil || b.Encryption != "aws:kms" || b.KMSKeyARN != keyARN {
		t.Errorf("resolved alias: bucket %+v", b)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// A bucket without a policy: the CLI prints nothing to the file.
func TestImportLeavesOutEmptyOutputs(t *testing.T) {
	res, err := Build([]Input{{"b/shared-data.get-bucket-policy.json", []byte("\n")}, {"b/shared-data.get-bucket-request-payment.json", []byte(`{"Payer": "Requester"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"b/shared-data.get-bucket-policy.json: empty (the command failed or printed nothing): left out",
		"bucket shared-data: its account is unknown: save `aws sts get-caller-identity` as get-caller-identity.json beside b/shared-data.get-bucket-request-payment.json",
	}
	if strings.Join(res.Warnings, "\n") != strings.Join(want, "\n") || len(res.Files) != 1 {
		t.Errorf("warnings %q, %d files", res.Warnings, len(res.Files))
	}
}

// FuzzBuild: any saved output imports or is refused with an error, never
// a panic, under each of the names that carry facts.
func FuzzBuild(f *testing.F) {
	for _, in := range bucketSide() {
		f.Add(in.Src)
	}
	f.Add([]byte(`{"RoleDetailList": [{"RoleName": "A", "Arn": "arn:aws:iam::1:role/A", "PermissionsBoundary": {"PermissionsBoundaryArn": "x"}}], "Policies": [{"Arn": "x", "PolicyVersionList": [{"IsDefaultVersion": true, "Document": "%7B%7D"}]}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, name := range []string{"b/shared-data.get-bucket-policy.json", "b/k.get-key-policy.json", "o/p-1.list-targets-for-policy.json", "o/111122223333.list-parents.json", "x/out.json"} {
			Build([]Input{{"b/get-caller-identity.json", []byte(`{"UserId": "X", "Account": "444455556666", "Arn": "arn:aws:iam::444455556666:root"}`)}, {name, src}})
		}
	})
}
