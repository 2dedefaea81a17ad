package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// explain over a Terraform module with no .s3policy.json names the cause
// by the HCL line of its statement.
func TestExplainTerraformModule(t *testing.T) {
	for _, tc := range []struct{ dir, want string }{
		{"kms-missing-actions", `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ImplicitlyDenied (blocked by kms)
  kms-missing-actions [kms] bucket.tf#aws_kms_key.shared:41
    KMS: statement "EnableIAMPolicies" of bucket.tf#aws_kms_key.shared allows kms:Decrypt on arn:aws:kms:us-east-1:444455556666:key/shared, but not to arn:aws:iam::111122223333:role/jane: add a statement that allows account 111122223333
`},
		{"scp-denies-s3", `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ExplicitlyDenied (blocked by scp)
  scp-denies-s3 [scp] organization.tf#aws_organizations_policy.no_s3_data.content:9
    SCP: statement "NoS3Data" of organization.tf#aws_organizations_policy.no_s3_data.content explicitly denies s3:GetObject on arn:aws:s3:::shared-data/report.csv; an explicit Deny overrides every Allow
`},
	} {
		var out, errOut bytes.Buffer
		code := run([]string{"explain", "--principal", "arn:aws:iam::111122223333:role/jane", "--action", "s3:GetObject",
			"--resource", "arn:aws:s3:::shared-data/report.csv", filepath.Join(examplesDir, "terraform", tc.dir)}, &out, &errOut)
		if code != exitFindings || out.String() != tc.want {
			t.Errorf("%s: exit %d, output\n%s\nwant\n%s%s", tc.dir, code, out.String(), tc.want, errOut.String())
		}
	}
}

// N11: plain explain over a module whose endpoint policy blocks the
// request answers through no endpoint (Allowed, exit 0) and says what the
// endpoint would decide, naming it by its resource, which --context
// aws:SourceVpce then takes for the endpoint's ID (the module knows it
// only as ${aws_vpc_endpoint.s3.id}); given an endpoint, nothing is added.
func TestExplainTerraformEndpointNotGiven(t *testing.T) {
	dir := filepath.Join(examplesDir, "terraform", "endpoint-policy-blocks")
	request := []string{"explain", "--principal", "arn:aws:iam::111122223333:role/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/report.csv"}
	through := `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ImplicitlyDenied (blocked by endpoint)
  endpoint-policy-blocks [endpoint] partner.tf#aws_vpc_endpoint.s3:46
    VPC endpoint policy: statement "ArtifactsOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv
`
	for _, tc := range []struct {
		flags []string
		code  int
		want  string
	}{
		{nil, exitOK, `arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: Allowed
  through-endpoint [endpoint] partner.tf#aws_vpc_endpoint.s3:46
    the request gives no aws:SourceVpce and was decided through no VPC endpoint; through aws_vpc_endpoint.s3 (partner.tf) it is ImplicitlyDenied (blocked by endpoint): VPC endpoint policy: statement "ArtifactsOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv (to ask through it: --context aws:SourceVpce=aws_vpc_endpoint.s3, or "context": {"aws:SourceVpce": ["aws_vpc_endpoint.s3"]} in the request)
`},
		{[]string{"--context", "aws:SourceVpce=aws_vpc_endpoint.s3"}, exitFindings, through},
		{[]string{"--context", "aws:SourceVpce=partner.tf#aws_vpc_endpoint.s3"}, exitFindings, through},
		{[]string{"--context", "aws:SourceVpce=${aws_vpc_endpoint.s3.id}"}, exitFindings, through},
		{[]string{"--context", "aws:SourceVpce=vpce-0000other"}, exitOK, "arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: Allowed\n"},
	} {
		var out, errOut bytes.Buffer
		code := run(append(append(slices.Clone(request), tc.flags...), dir), &out, &errOut)
		if code != tc.code || out.String() != tc.want {
			t.Errorf("%q: exit %d, output\n%s\nwant exit %d,\n%s%s", tc.flags, code, out.String(), tc.code, tc.want, errOut.String())
		}
	}
}

// N11: the JSON answer holds the same cause, in Japanese as asked, for an
// endpoint policy a .s3policy.json places (examples/cross-account/endpoint-policy).
func TestExplainJSONEndpointNotGiven(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/x",
		"--format", "json", "--lang", "ja", filepath.Join(examplesDir, "cross-account", "endpoint-policy")}, &out, &errOut)
	want := `{
  "decision": "Allowed",
  "blockedBy": [],
  "causes": [
    {
      "code": "through-endpoint",
      "layer": "endpoint",
      "policy": "endpoint.endpoint-policy.json",
      "line": 4,
      "message": "リクエストに aws:SourceVpce がないため、VPC エンドポイントを通らないものとして判定しました。vpce-0abc1234 (endpoint.endpoint-policy.json) を通ると ImplicitlyDenied (blocked by endpoint) です: VPC エンドポイントポリシー: endpoint.endpoint-policy.json のステートメント \"CorpBucketsOnly\" は s3:GetObject を許可していますが、arn:aws:s3:::shared-data/x は対象外です (このエンドポイント経由で尋ねるには --context aws:SourceVpce=vpce-0abc1234、またはリクエストの \"context\": {\"aws:SourceVpce\": [\"vpce-0abc1234\"]})"
    }
  ]
}
`
	if code != exitOK || out.String() != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s%s", code, out.String(), want, errOut.String())
	}
}

// N11: a CloudFormation endpoint gives no ID, so its policy governs every
// endpoint: explain with no aws:SourceVpce says what it would block,
// naming the endpoint by its resource, which --context takes as it is.
// When the bucket policy asks for another endpoint (aws:SourceVpce), the
// made-up ID would meet that condition too: nothing is said.
func TestExplainUnnamedEndpointNotGiven(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"stack.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-0a1b2c3d
      ServiceName: com.amazonaws.us-east-1.s3
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::other/*
`,
		"jane.iam-policy.json":      `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
		"bucket.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
		".s3policy.json": `{"buckets": {"shared-data": {"account": "444455556666"}}, "files": {
  "stack.yaml": {"account": "111122223333"},
  "jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"}}}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	explain := func(flags ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(append([]string{"explain", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::shared-data/x"},
			append(flags, dir)...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	want := `arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared-data/x: Allowed
  through-endpoint [endpoint] stack.yaml#Resources.Endpoint:11
    the request gives no aws:SourceVpce and was decided through no VPC endpoint; through Resources.Endpoint (stack.yaml) it is ImplicitlyDenied (blocked by endpoint): VPC endpoint policy: statement 1 of stack.yaml#Resources.Endpoint allows s3:GetObject, but not on arn:aws:s3:::shared-data/x (to ask through it: --context aws:SourceVpce=Resources.Endpoint, or "context": {"aws:SourceVpce": ["Resources.Endpoint"]} in the request)
`
	if code, got := explain(); code != exitOK || got != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s", code, got, want)
	}
	if code, got := explain("--context", "aws:SourceVpce=Resources.Endpoint"); code != exitFindings || !strings.HasPrefix(got, "arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared-data/x: ImplicitlyDenied (blocked by endpoint)\n") {
		t.Errorf("through it: exit %d, output\n%s", code, got)
	}
	// The bucket denies every request but those through vpce-0real.
	deny := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"},
  {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::shared-data/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0real"}, "Null": {"aws:SourceVpce": "false"}}}]}`
	if err := os.WriteFile(filepath.Join(dir, "bucket.bucket-policy.json"), []byte(deny), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, got := explain(); code != exitOK || got != "arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared-data/x: Allowed\n" {
		t.Errorf("with the bucket's aws:SourceVpce Deny: exit %d, output\n%s", code, got)
	}
}
