package awserror

import (
	"errors"
	"reflect"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

const (
	jane   = "arn:aws:iam::111122223333:user/jane"
	report = "arn:aws:s3:::shared-data/report.csv"
)

// testWorkspace: jane (account 111122223333) may read and write
// shared-data, a bucket of 444455556666 whose policy grants reads only to
// its own account; the SCP of 111122223333 denies deletes.
func testWorkspace() *eval.Workspace {
	return tree.One("/ws", map[string][]byte{
		"/ws/.s3policy.json": []byte(`{"buckets": {"shared-data": {"account": "444455556666"}},
 "files": {
  "jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "reader.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/data/Reader"},
  "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"},
  "org.scp.json": {"kind": "scp", "account": "111122223333"}}}`),
		"/ws/jane.iam-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::shared-data/*"},
  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared-data"}]}`),
		"/ws/reader.iam-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		"/ws/bucket.bucket-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "OwnAccountReads", "Effect": "Allow",
   "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		"/ws/org.scp.json": []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}`),
	}).Workspace
}

func explainText(t *testing.T, text string, f Facts) *Explanation {
	t.Helper()
	m, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	x, err := Explain(testWorkspace(), m, f)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// The issue's example: "AWS says no resource-based policy allows it;
// bucket.bucket-policy.json:8 grants only account 444455556666".
func TestExplainAgreesWithResourceLayer(t *testing.T) {
	x := explainText(t, cliHead+`GetObject operation: User: `+jane+` is not authorized to perform: s3:GetObject on resource: "`+report+`" because no resource-based policy allows the s3:GetObject action`, Facts{})
	if x.Agreement != Agrees {
		t.Fatalf("agreement %s: %s", x.Agreement, x.Verdict.EN)
	}
	want := `AWS says no resource-based policy allows it; bucket.bucket-policy.json:2: Bucket policy: statement "OwnAccountReads" of bucket.bucket-policy.json allows s3:GetObject on arn:aws:s3:::shared-data/report.csv, but not to arn:aws:iam::111122223333:user/jane`
	if x.Verdict.EN != want {
		t.Errorf("verdict\n got %s\nwant %s", x.Verdict.EN, want)
	}
	wantJA := `AWS によると原因はどのリソースベースのポリシーにも許可がないことです。bucket.bucket-policy.json:2: バケットポリシー: bucket.bucket-policy.json のステートメント "OwnAccountReads" は arn:aws:s3:::shared-data/report.csv に対する s3:GetObject を許可していますが、arn:aws:iam::111122223333:user/jane は対象外です`
	if x.Verdict.JA != wantJA {
		t.Errorf("Japanese verdict\n got %s\nwant %s", x.Verdict.JA, wantJA)
	}
}

// AWS blames an SCP the folder does not hold: the deployed SCPs differ.
func TestExplainSaysDeployedSCPsDiffer(t *testing.T) {
	x := explainText(t, cliHead+`PutObject operation: User: `+jane+` is not authorized to perform: s3:PutObject on resource: "`+report+`" with an explicit deny in a service control policy`, Facts{})
	if x.Agreement != Differs {
		t.Fatalf("agreement %s: %s", x.Agreement, x.Verdict.EN)
	}
	want := `AWS says an explicit Deny in a service control policy; nothing among the SCPs of this folder denies it: the deployed SCPs differ from these files; the folder denies it elsewhere: bucket.bucket-policy.json:1: Bucket policy: no statement of bucket.bucket-policy.json allows s3:PutObject on arn:aws:s3:::shared-data/report.csv`
	if x.Verdict.EN != want {
		t.Errorf("verdict\n got %s\nwant %s", x.Verdict.EN, want)
	}
}

func TestExplainAgreesWithSCPDeny(t *testing.T) {
	x := explainText(t, cliHead+`DeleteObject operation: User: `+jane+` is not authorized to perform: s3:DeleteObject on resource: "`+report+`" with an explicit deny in a service control policy`, Facts{})
	want := `AWS says an explicit Deny in a service control policy; org.scp.json:2: SCP: statement "NoDeletes" of org.scp.json explicitly denies s3:DeleteObject on arn:aws:s3:::shared-data/report.csv; an explicit Deny overrides every Allow`
	if x.Agreement != Agrees || x.Verdict.EN != want {
		t.Errorf("%s\n got %s\nwant %s", x.Agreement, x.Verdict.EN, want)
	}
}

// A plain Access Denied names no bucket: the flags must.
func TestRequestsAskForWhatIsMissing(t *testing.T) {
	m, _ := Parse(cliHead + "ListObjectsV2 operation: Access Denied")
	_, err := Requests(m, Facts{})
	var missing *MissingError
	if !errors.As(err, &missing) || !reflect.DeepEqual(missing.Missing, []analysis.Text{needPrincipal, needBucket}) {
		t.Fatalf("got %v", err)
	}
	want := "the message does not say who called (--principal ARN; `aws sts get-caller-identity` prints it), nor the bucket (--bucket NAME, or --resource ARN): give it with the flag"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}

// Each operation family gives its actions and resources.
func TestRequestsPerOperation(t *testing.T) {
	f := Facts{Principal: jane, Bucket: "shared-data", Key: "report.csv", CopySource: "source-bucket/in/report.csv"}
	tests := []struct{ op, want string }{
		{"ListObjectsV2", "s3:ListBucket arn:aws:s3:::shared-data"},
		{"ListObjects", "s3:ListBucket arn:aws:s3:::shared-data"},
		{"HeadBucket", "s3:ListBucket arn:aws:s3:::shared-data"},
		{"HeadObject", "s3:GetObject arn:aws:s3:::shared-data/report.csv"},
		{"GetObject", "s3:GetObject arn:aws:s3:::shared-data/report.csv"},
		{"PutObject", "s3:PutObject arn:aws:s3:::shared-data/report.csv"},
		{"UploadPart", "s3:PutObject arn:aws:s3:::shared-data/report.csv"},
		{"DeleteObjects", "s3:DeleteObject arn:aws:s3:::shared-data/report.csv"},
		{"CopyObject", "s3:GetObject arn:aws:s3:::source-bucket/in/report.csv|s3:PutObject arn:aws:s3:::shared-data/report.csv"},
		{"ListObjectVersions", "s3:ListBucketVersions arn:aws:s3:::shared-data"},
		{"GetBucketPolicy", "s3:GetBucketPolicy arn:aws:s3:::shared-data"},
		{"ListBuckets", "s3:ListAllMyBuckets *"},
	}
	for _, tt := range tests {
		m, err := Parse(cliHead + tt.op + " operation: Access Denied")
		if err != nil {
			t.Fatal(err)
		}
		reqs, err := Requests(m, f)
		if err != nil {
			t.Fatalf("%s: %v", tt.op, err)
		}
		got := ""
		for i, r := range reqs {
			if i > 0 {
				got += "|"
			}
			got += r.Action + " " + r.Resource
			if r.Principal != jane {
				t.Errorf("%s: principal %s", tt.op, r.Principal)
			}
		}
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.op, got, tt.want)
		}
	}
}

// The session of an assumed role is that role's session: the role's
// policies (path and all) govern it.
func TestExplainAssumedRoleSession(t *testing.T) {
	x := explainText(t, cliHead+`GetObject operation: User: arn:aws:sts::111122223333:assumed-role/Reader/etl-run-7 is not authorized to perform: s3:GetObject on resource: "`+report+`" because no identity-based policy allows the s3:GetObject action`, Facts{})
	if x.Agreement != Differs {
		t.Fatalf("agreement %s: %s", x.Agreement, x.Verdict.EN)
	}
	want := `AWS says no identity-based policy allows it; nothing among the identity policies of this folder blocks it: the deployed identity policies differ from these files; the folder denies it elsewhere: bucket.bucket-policy.json:2: Bucket policy: statement "OwnAccountReads" of bucket.bucket-policy.json allows s3:GetObject on arn:aws:s3:::shared-data/report.csv, but not to arn:aws:sts::111122223333:assumed-role/Reader/etl-run-7`
	if x.Verdict.EN != want {
		t.Errorf("verdict\n got %s\nwant %s", x.Verdict.EN, want)
	}
}

// The KMS action S3 called for an SSE-KMS write is explained through the
// S3 request, with the bucket from the flags.
func TestRequestsBehindKMS(t *testing.T) {
	m, _ := Parse(cliHead + "PutObject operation: User: " + jane + " is not authorized to perform: kms:GenerateDataKey on this resource because no identity-based policy allows the kms:GenerateDataKey action")
	if _, err := Requests(m, Facts{}); err == nil || err.Error() != "the message does not say the bucket (--bucket NAME, or --resource ARN), nor the object's key (--key KEY, or --resource arn:aws:s3:::BUCKET/KEY): give it with the flag" {
		t.Fatalf("got %v", err)
	}
	reqs, err := Requests(m, Facts{Resource: report})
	if err != nil || len(reqs) != 1 || reqs[0].Action != "s3:PutObject" || reqs[0].Resource != report {
		t.Fatalf("got %+v, %v", reqs, err)
	}
	if expectedLayer(m) != eval.LayerKMS {
		t.Errorf("layer %s", expectedLayer(m))
	}
}

// A copy is two requests: reading the source and writing the
// destination; the scenario file of both parses back into both.
func TestExplainCopyObject(t *testing.T) {
	x := explainText(t, cliHead+"CopyObject operation: Access Denied", Facts{Principal: jane, Bucket: "shared-data", Key: "copy.csv", CopySource: "/source-bucket/in.csv?versionId=3"})
	if len(x.Results) != 2 || x.Agreement != Unstated {
		t.Fatalf("%d results, %s", len(x.Results), x.Agreement)
	}
	got := []string{}
	for i, s := range x.Scenarios {
		got = append(got, s.Request.Action+" "+s.Request.Resource+" "+string(x.Results[i].Decision))
	}
	want := []string{"s3:GetObject arn:aws:s3:::source-bucket/in.csv ImplicitlyDenied", "s3:PutObject arn:aws:s3:::shared-data/copy.csv ImplicitlyDenied"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
	scenarios, err := eval.ParseScenarios(ScenarioFile(x.Scenarios))
	if err != nil || len(scenarios) != 2 {
		t.Fatalf("%d scenarios, %v", len(scenarios), err)
	}
	for i, s := range scenarios {
		r := eval.Evaluate(s)
		if r.Decision != x.Results[i].Decision || !reflect.DeepEqual(r.BlockedBy, x.Results[i].BlockedBy) {
			t.Errorf("scenario %d answers %s %v, the folder %s %v", i, r.Decision, r.BlockedBy, x.Results[i].Decision, x.Results[i].BlockedBy)
		}
	}
}

// A KMS denial names its side: the key policy is AWS's resource-based
// policy, the caller's policies the identity-based ones. Jane's policy
// lacks kms:Decrypt while the key policy allows her account: AWS saying
// the identity side agrees with the folder; AWS saying the key policy
// (resource-based) differs from it, since the folder's key policy allows
// her, and the folder's cause on the other side is named as elsewhere.
func TestExplainKMSDenialComparesTheSide(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	w := tree.One("/ws", map[string][]byte{
		"/ws/.s3policy.json": []byte(`{"accounts": ["111122223333"],
 "buckets": {"shared-data": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "` + key + `", "objectOwnership": "BucketOwnerEnforced"}},
 "files": {
  "jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "` + jane + `"},
  "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"},
  "key.key-policy.json": {"kind": "key", "account": "444455556666", "key": "` + key + `"}}}`),
		"/ws/jane.iam-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [{"Sid": "ReadWriteShared", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		"/ws/key.key-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "EnableIAMPolicies", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "PartnerUsesKey", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}`),
		"/ws/bucket.bucket-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [{"Sid": "PartnerAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared-data/*"}]}`),
	}).Workspace
	cause := `jane.iam-policy.json:1: KMS: no statement of jane.iam-policy.json allows kms:Decrypt on ` + key
	for _, c := range []struct {
		side  string
		agree Agreement
		want  string
	}{
		{"identity-based", Agrees, `AWS says no identity-based policy allows it; ` + cause},
		{"resource-based", Differs, `AWS says no resource-based policy allows it; nothing among the key policies of this folder blocks it: the deployed key policies differ from these files; the folder denies it elsewhere: ` + cause},
	} {
		m, err := Parse(`User: ` + jane + ` is not authorized to perform: kms:Decrypt on resource: ` + key + ` because no ` + c.side + ` policy allows the kms:Decrypt action`)
		if err != nil {
			t.Fatal(err)
		}
		x, err := Explain(w, m, Facts{Resource: report})
		if err != nil {
			t.Fatal(err)
		}
		if x.Agreement != c.agree || x.Verdict.EN != c.want {
			t.Errorf("%s: %s, verdict\n got %s\nwant %s", c.side, x.Agreement, x.Verdict.EN, c.want)
		}
	}
}
