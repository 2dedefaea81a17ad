package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bucketKeyEvent is S3's kms:Decrypt for jane on a bucket with S3 Bucket
// Keys: the encryption context names the bucket, not the object.
const bucketKeyEvent = `{"Records": [{"eventVersion": "1.09", "eventID": "e-1", "eventTime": "2026-11-29T10:00:00Z",
 "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/jane", "accountId": "111122223333"},
 "eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "errorCode": "AccessDeniedException", "awsRegion": "us-east-1",
 "errorMessage": "User: arn:aws:iam::111122223333:user/jane is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action",
 "requestParameters": {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::shared-data"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
 "sourceIPAddress": "s3.amazonaws.com",
 "resources": [{"accountId": "444455556666", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}]}`

// R16: the KMS events of a bucket with S3 Bucket Keys were all "not
// evaluated" (the message does not say the object's key). The KMS
// decision does not depend on the object: the event is evaluated on any
// object of the bucket, and the key policy sees the bucket's ARN in the
// encryption context, as KMS did.
func TestExplainCloudTrailBucketKey(t *testing.T) {
	events := writeTemp(t, "events.json", bucketKeyEvent)
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--cloudtrail", events, filepath.Join(crossAccountExamples, "kms-key-policy")}, &out, &errOut)
	want := `  s3:GetObject on arn:aws:s3:::shared-data/*: ImplicitlyDenied
  agrees: AWS says no resource-based policy allows it; key.key-policy.json:4: KMS: statement "EnableIAMPolicies" of key.key-policy.json allows kms:Decrypt on arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab, but not to arn:aws:iam::111122223333:user/jane: add a statement that allows account 111122223333; the bucket uses S3 Bucket Keys, so the event names the bucket, not the object: the KMS decision does not depend on the object, evaluated as arn:aws:s3:::shared-data/*
`
	if code != exitFindings || !strings.HasSuffix(out.String(), want) {
		t.Errorf("exit %d, stderr %s, got\n%s\nwant the end\n%s", code, errOut.String(), out.String(), want)
	}
	// A key policy that lets the partner use the key for this bucket's
	// data keys only (the encryption context of Bucket Keys): allowed.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(crossAccountExamples, "kms-key-policy"))); err != nil {
		t.Fatal(err)
	}
	key := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
   "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::shared-data"}}}]}`
	if err := os.WriteFile(filepath.Join(dir, "key.key-policy.json"), []byte(key), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	run([]string{"explain", "--cloudtrail", events, dir}, &out, &errOut)
	if !strings.Contains(out.String(), "  s3:GetObject on arn:aws:s3:::shared-data/*: Allowed\n  differs: ") {
		t.Errorf("with the bucket's encryption context allowed: got\n%s", out.String())
	}
}
