package awsimport

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/cloudtrail"
)

// BenchmarkImport200Roles: the import of a dump of 200 roles and 500
// managed policies, with the bucket account's outputs (BENCHMARKS.md).
func BenchmarkImport200Roles(b *testing.B) {
	in := testInputs()
	b.SetBytes(int64(len(in[0].Src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Build(in); err != nil {
			b.Fatal(err)
		}
	}
}

// trailRecords is a Records file of n AccessDenied events of the roles
// of authorizationDump: reads of shared-data (denied by the bucket
// policy), reads of the role's own bucket, and deletes (denied by the SCP).
func trailRecords(n, roles int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"Records": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		role := i % roles
		op, bucket, msg := "GetObject", "shared-data", "Access Denied"
		switch i % 3 {
		case 1:
			bucket = fmt.Sprintf("bucket-%03d", role)
		case 2:
			op = "DeleteObject"
			msg = fmt.Sprintf(`User: arn:aws:sts::%s:assumed-role/Role%d/s is not authorized to perform: s3:DeleteObject on resource: \"arn:aws:s3:::shared-data/k%d\" with an explicit deny in a service control policy`, callerAccount, role, i)
		}
		fmt.Fprintf(&buf, `{"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::%s:assumed-role/Role%d/s", "accountId": "%s",
 "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::%s:role/app/Role%d"}}},
 "eventTime": "2026-11-29T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "%s", "sourceIPAddress": "192.0.2.10",
 "errorCode": "AccessDenied", "errorMessage": "%s", "requestParameters": {"bucketName": "%s", "key": "k%d"},
 "additionalEventData": {"CipherSuite": "TLS_AES_128_GCM_SHA256"}, "eventID": "e-%d"}`,
			callerAccount, role, callerAccount, callerAccount, role, op, msg, bucket, i, i)
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// BenchmarkExplainCloudTrail10000: 10,000 CloudTrail events read,
// explained and compared with AWS's layer over a workspace of about
// 1,000 imported policies (BENCHMARKS.md).
func BenchmarkExplainCloudTrail10000(b *testing.B) {
	const roles = 250
	res, err := Build(append([]Input{{"a/get-account-authorization-details.json", authorizationDump(roles, 500)}}, bucketSide()...))
	if err != nil {
		b.Fatal(err)
	}
	w := workspace(b, res)
	if len(w.Files) < 1000 {
		b.Fatalf("%d policies", len(w.Files))
	}
	trail := trailRecords(10000, roles)
	b.SetBytes(int64(len(trail)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		events := 0
		err := cloudtrail.Read(bytes.NewReader(trail), func(rec []byte) error {
			e := cloudtrail.Parse(rec)
			if !e.Denied() {
				return nil
			}
			events++
			_, err := awserror.Explain(w, e.Message(), e.Facts())
			return err
		})
		if err != nil || events != 10000 {
			b.Fatalf("%d events, %v", events, err)
		}
	}
}
