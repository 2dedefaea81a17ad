package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// R19: a bucket whose account nobody gives is not taken to be the
// caller's: explain says the decision in each case and the flag that
// settles it; --resource-account decides.
func TestExplainBucketAccountUnknown(t *testing.T) {
	dir := filepath.Dir(writeTemp(t, "other-bucket.bucket-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}`))
	request := []string{"explain", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::other-bucket/x"}
	var out, errOut bytes.Buffer
	code := run(append(request, dir), &out, &errOut)
	want := `arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::other-bucket/x: AllowedIf (blocked by identity)
  bucket-account-unknown [resource] other-bucket.bucket-policy.json
    nobody says which account owns bucket other-bucket: in 111122223333, the caller's account, the request is Allowed; in another account, ImplicitlyDenied (blocked by identity). Give the bucket's account to decide (--resource-account, "resourceAccount" in the request, or "account" under the bucket in .s3policy.json)
  implicit-deny [identity]
    Identity policies: no identity policy allows s3:GetObject on arn:aws:s3:::other-bucket/x
`
	if code != exitFindings || out.String() != want || errOut.Len() != 0 {
		t.Errorf("exit %d, stderr %q, got\n%s\nwant\n%s", code, errOut.String(), out.String(), want)
	}
	for account, wantCode := range map[string]int{"111122223333": exitOK, "444455556666": exitFindings} {
		out.Reset()
		code := run(append(request, "--resource-account", account, dir), &out, &errOut)
		if code != wantCode || bytes.Contains(out.Bytes(), []byte("bucket-account-unknown")) {
			t.Errorf("--resource-account %s: exit %d\n%s", account, code, out.String())
		}
	}
	// --error: the verdict says the folder's answer depends on the account.
	out.Reset()
	run([]string{"explain", "--error", `User: arn:aws:iam::111122223333:user/jane is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::other-bucket/x" because no identity-based policy allows the s3:GetObject action`, dir}, &out, &errOut)
	wantVerdict := "agrees: AWS says no identity-based policy allows it; Identity policies: no identity policy allows s3:GetObject on arn:aws:s3:::other-bucket/x; nobody says which account owns bucket other-bucket, and the folder's answer depends on it (--resource-account)\n"
	if !bytes.HasSuffix(out.Bytes(), []byte(wantVerdict)) {
		t.Errorf("--error: got\n%s\nwant the verdict\n%s", out.String(), wantVerdict)
	}
}
