package eval

import "testing"

// A Deny that blocks both an S3 request and the KMS request of another
// one names, in each cause, the request it blocks: the cause made once
// for a Deny (denyCauseAt) is not made in the KMS pass, whose words name
// kms:Decrypt on the key, so an upload it blocks later does not say
// kms:Decrypt, in either order.
func TestADenyCauseOfAKMSRequestIsNotTakenForAnS3One(t *testing.T) {
	const principal = "arn:aws:iam::111122223333:role/app"
	for _, order := range []string{"download first", "upload first"} {
		w, err := loadDir(writeFiles(t, map[string]string{
			".s3policy.json": `{"buckets": {"data": {"account": "111122223333", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k"}},
  "files": {"iam/app.json": {"kind": "identity", "principal": "` + principal + `"},
    "kms/k.json": {"kind": "key", "key": "arn:aws:kms:us-east-1:111122223333:key/k"},
    "org/a.json": {"kind": "scp", "account": "111122223333"}}}`,
			"iam/app.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
			"kms/k.json":   `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}`,
			"org/a.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Sid": "NoUploadsNoDecrypt", "Effect": "Deny", "Action": ["s3:PutObject", "kms:Decrypt"], "Resource": "*"}]}`,
		}))
		if err != nil {
			t.Fatal(err)
		}
		download := Request{Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"}
		upload := Request{Principal: principal, Action: "s3:PutObject", Resource: "arn:aws:s3:::data/b.txt"}
		reqs := []Request{download, upload}
		if order == "upload first" {
			reqs = []Request{upload, download}
		}
		for _, req := range reqs {
			if got := sayAsAnew(t, w, req, order+", "+req.Action); got.Decision != ExplicitlyDenied {
				t.Errorf("%s, %s: %s, want ExplicitlyDenied", order, req.Action, got.Decision)
			}
		}
	}
}
