package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// A plain Access Denied (as across accounts, the AWS page
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
// says) takes the caller and the object from the flags.
func TestExplainErrorPlainWithFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	dir := filepath.Join(crossAccountExamples, "bucket-policy-other-account")
	code := run([]string{"explain", "--error", "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
		"--principal", "arn:aws:iam::111122223333:user/jane", "--bucket", "shared-data", "--key", "report.csv", dir}, &out, &errOut)
	if code != exitFindings {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	want := `AWS: AccessDenied on GetObject
arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ImplicitlyDenied (blocked by resource)
  implicit-deny [resource] bucket.bucket-policy.json:4
    Bucket policy: statement "PartnerAccount" of bucket.bucket-policy.json allows s3:GetObject on arn:aws:s3:::shared-data/report.csv, but not to arn:aws:iam::111122223333:user/jane
unstated: AWS denied it without saying which policy (as it does across accounts); the folder denies it: bucket.bucket-policy.json:4: Bucket policy: statement "PartnerAccount" of bucket.bucket-policy.json allows s3:GetObject on arn:aws:s3:::shared-data/report.csv, but not to arn:aws:iam::111122223333:user/jane
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestExplainErrorAsksForTheBucket(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--error", "-", "--principal", "arn:aws:iam::111122223333:user/jane", t.TempDir()}, &out, &errOut)
	if code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	// stdin is the test's: empty, which is no AccessDenied message.
	if !strings.Contains(errOut.String(), "this is not an AccessDenied message") {
		t.Errorf("stderr %s", errOut.String())
	}
	errOut.Reset()
	code = run([]string{"explain", "--error", "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied",
		"--principal", "arn:aws:iam::111122223333:user/jane", t.TempDir()}, &out, &errOut)
	want := "s3policy-lsp explain: the message does not say the bucket (--bucket NAME, or --resource ARN): give it with the flag\n"
	if code != exitUsage || errOut.String() != want {
		t.Errorf("exit %d, stderr %q, want %q", code, errOut.String(), want)
	}
}

// --emit-scenario writes a file that --scenario answers the same way.
func TestExplainErrorEmitScenario(t *testing.T) {
	dir := filepath.Join(crossAccountExamples, "kms-key-policy")
	file := filepath.Join(t.TempDir(), "scenario.json")
	var out, errOut bytes.Buffer
	msg := "An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: kms:GenerateDataKey on this resource because no resource-based policy allows the kms:GenerateDataKey action"
	code := run([]string{"explain", "--error", msg, "--resource", "arn:aws:s3:::shared-data/x", "--emit-scenario", file, "--format", "json", dir}, &out, &errOut)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var a awserror.Answer
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a.Agreement != awserror.Agrees || len(a.Requests) != 1 || a.Requests[0].Causes[0].Code != "kms-missing-actions" {
		t.Fatalf("got %+v", a)
	}
	if !strings.HasPrefix(a.Verdict, "AWS says no resource-based policy allows it; key.key-policy.json:4: KMS: ") {
		t.Errorf("verdict %s", a.Verdict)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := eval.ParseScenarios(src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	r := eval.Evaluate(scenarios[0])
	if r.Decision != eval.ImplicitlyDenied || r.Causes[0].Code != "kms-missing-actions" || r.Causes[0].Layer != eval.LayerKMS {
		t.Errorf("the scenario answers %+v", r)
	}
}

// explain --cloudtrail groups the denied events of a Records file by
// cause; the records are written from the S3 data events of
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
func TestExplainCloudTrailGroupsByCause(t *testing.T) {
	var out, errOut bytes.Buffer
	dir := filepath.Join(crossAccountExamples, "scp-deny")
	code := run([]string{"explain", "--cloudtrail", filepath.Join("testdata", "cloudtrail-records.json"), dir}, &out, &errOut)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	table := `4 records, 3 AccessDenied events

EVENTS  AGREEMENT      AWS SAYS        THE FOLDER SAYS
1       agrees         scp (explicit)  scp-denies-s3 [scp] scp.scp.json:4
1       unstated       Access Denied   scp-denies-s3 [scp] scp.scp.json:4
1       not evaluated  -               the event names only the caller's account (111122223333), not who called: give --principal
`
	if !strings.HasPrefix(out.String(), table) {
		t.Errorf("got\n%s\nwant the table\n%s", out.String(), table)
	}
	// With the caller given, the third event is evaluated too.
	out.Reset()
	code = run([]string{"explain", "--cloudtrail", filepath.Join("testdata", "cloudtrail-records.json"), "--principal", "arn:aws:iam::111122223333:user/jane", "--format", "json", dir}, &out, &errOut)
	var got struct {
		Records int
		Groups  []struct{ Count int }
		Events  []struct {
			Explanation *awserror.Answer
			Error       string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || code != exitFindings {
		t.Fatalf("exit %d, %v", code, err)
	}
	if got.Records != 4 || len(got.Events) != 3 || got.Events[2].Explanation == nil ||
		got.Events[2].Explanation.Requests[0].Action != "s3:ListBucket" || got.Events[2].Explanation.Requests[0].Resource != "arn:aws:s3:::shared-data" {
		t.Errorf("got %+v", got)
	}
}

// N11: --error takes a Terraform endpoint by its resource for
// aws:SourceVpce, as plain explain does: the request goes through it (the
// name alone is no endpoint the folder knows, and was let through).
func TestExplainErrorEndpointByItsResource(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--error", "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
		"--principal", "arn:aws:iam::111122223333:role/jane", "--bucket", "shared-data", "--key", "report.csv",
		"--context", "aws:SourceVpce=aws_vpc_endpoint.s3", filepath.Join(examplesDir, "terraform", "endpoint-policy-blocks")}, &out, &errOut)
	want := `AWS: AccessDenied on GetObject
arn:aws:iam::111122223333:role/jane s3:GetObject on arn:aws:s3:::shared-data/report.csv: ImplicitlyDenied (blocked by endpoint)
  endpoint-policy-blocks [endpoint] partner.tf#aws_vpc_endpoint.s3:46
    VPC endpoint policy: statement "ArtifactsOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv
unstated: AWS denied it without saying which policy (as it does across accounts); the folder denies it: partner.tf#aws_vpc_endpoint.s3:46: VPC endpoint policy: statement "ArtifactsOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv
`
	if code != exitFindings || out.String() != want {
		t.Errorf("exit %d, got\n%s\nwant\n%s%s", code, out.String(), want, errOut.String())
	}
}
