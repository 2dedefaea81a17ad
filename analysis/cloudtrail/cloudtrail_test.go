package cloudtrail

import (
	"reflect"
	"strings"
	"testing"
)

// Events written from the examples of
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
// (one userIdentity per type) and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
// (the S3 data event's fields), with errorCode AccessDenied.
func s3Event(identity, extra string) string {
	return `{"eventVersion": "1.09", "userIdentity": ` + identity + `,
 "eventTime": "2026-11-29T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
 "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.10", "userAgent": "[aws-cli/2.15.0]",
 "errorCode": "AccessDenied", "errorMessage": "Access Denied",
 "requestParameters": {"bucketName": "shared-data", "Host": "shared-data.s3.us-east-1.amazonaws.com", "key": "report.csv"` + extra + `},
 "responseElements": null,
 "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "AuthenticationMethod": "AuthHeader"},
 "requestID": "EXAMPLE123456789", "eventID": "e-1", "readOnly": true,
 "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::shared-data/report.csv"},
               {"accountId": "444455556666", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::shared-data"}],
 "eventType": "AwsApiCall", "managementEvent": false, "recipientAccountId": "444455556666",
 "vpcEndpointId": "vpce-1a2b3c4d", "eventCategory": "Data"}`
}

var identities = []struct{ name, identity, principal string }{
	{"IAMUser", `{"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "arn": "arn:aws:iam::111122223333:user/Alice", "accountId": "111122223333", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "Alice"}`,
		"arn:aws:iam::111122223333:user/Alice"},
	{"AssumedRole", `{"type": "AssumedRole", "principalId": "AROAIDPPEZS35WEXAMPLE:AssumedRoleSessionName", "arn": "arn:aws:sts::111122223333:assumed-role/RoleToBeAssumed/MySessionName", "accountId": "111122223333", "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
  "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAIDPPEZS35WEXAMPLE", "arn": "arn:aws:iam::111122223333:role/RoleToBeAssumed", "accountId": "111122223333", "userName": "RoleToBeAssumed"},
   "attributes": {"creationDate": "2026-11-29T09:00:00Z", "mfaAuthenticated": "false"}}}`,
		"arn:aws:sts::111122223333:assumed-role/RoleToBeAssumed/MySessionName"},
	{"FederatedUser", `{"type": "FederatedUser", "principalId": "111122223333:Alice", "arn": "arn:aws:sts::111122223333:federated-user/Alice", "accountId": "111122223333", "accessKeyId": "ASIAIOSFODNN7EXAMPLE"}`,
		"arn:aws:sts::111122223333:federated-user/Alice"},
	{"Root", `{"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}`,
		"arn:aws:iam::111122223333:root"},
	// The bucket owner's trail names only the other account's caller by account.
	{"AWSAccount", `{"type": "AWSAccount", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "accountId": "111122223333"}`, ""},
	{"AWSAccount anonymous", `{"type": "AWSAccount", "principalId": "", "accountId": "anonymous"}`, "anonymous"},
	{"AWSService", `{"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}`, "cloudtrail.amazonaws.com"},
}

func TestParseEachIdentityType(t *testing.T) {
	for _, tt := range identities {
		e := Parse([]byte(s3Event(tt.identity, "")))
		if got := e.Principal(); got != tt.principal {
			t.Errorf("%s: principal %q, want %q", tt.name, got, tt.principal)
		}
		if !e.Denied() || e.IdentityType != strings.Fields(tt.name)[0] {
			t.Errorf("%s: denied %v, type %q", tt.name, e.Denied(), e.IdentityType)
		}
	}
	e := Parse([]byte(s3Event(identities[1].identity, "")))
	if e.SessionIssuer != "arn:aws:iam::111122223333:role/RoleToBeAssumed" {
		t.Errorf("session issuer %q", e.SessionIssuer)
	}
}

func TestFactsOfAnS3Event(t *testing.T) {
	e := Parse([]byte(s3Event(identities[0].identity, `, "x-amz-acl": "bucket-owner-full-control", "x-amz-request-payer": "requester", "x-amz-server-side-encryption": "aws:kms"`)))
	f := e.Facts()
	if f.Operation != "GetObject" || f.Bucket != "shared-data" || f.Key != "report.csv" || f.ResourceAccount != "444455556666" || f.RequestPayer != "requester" {
		t.Errorf("facts %+v", f)
	}
	want := map[string][]string{
		"aws:SourceVpce": {"vpce-1a2b3c4d"}, "aws:VpcSourceIp": {"192.0.2.10"}, "aws:SecureTransport": {"true"},
		"s3:x-amz-acl": {"bucket-owner-full-control"}, "s3:x-amz-server-side-encryption": {"aws:kms"},
	}
	if !reflect.DeepEqual(f.Context, want) {
		t.Errorf("context %v", f.Context)
	}
}

// The KMS event S3 makes for an SSE-KMS read names the object in its
// encryption context; it stands for the S3 GetObject.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
func TestFactsOfAKMSEvent(t *testing.T) {
	rec := `{"eventVersion": "1.08", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Reader/s1", "accountId": "111122223333", "invokedBy": "s3.amazonaws.com"},
 "eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "errorCode": "AccessDenied",
 "errorMessage": "User: arn:aws:sts::111122223333:assumed-role/Reader/s1 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action",
 "requestParameters": {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::shared-data/report.csv"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
 "resources": [{"accountId": "444455556666", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}`
	e := Parse([]byte(rec))
	f, m := e.Facts(), e.Message()
	if !e.Denied() || f.Operation != "GetObject" || f.Resource != "arn:aws:s3:::shared-data/report.csv" || m.Action != "kms:Decrypt" || m.Operation != "" {
		t.Errorf("facts %+v, message %+v", f, m)
	}
}

func readAll(t *testing.T, src string) []string {
	t.Helper()
	var names []string
	err := Read(strings.NewReader(src), func(rec []byte) error {
		e := Parse(rec)
		names = append(names, e.Name+"/"+e.Principal()+"/"+e.Bucket)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// Every file shape gives the same events.
func TestReadEveryShape(t *testing.T) {
	one := s3Event(identities[0].identity, "")
	want := []string{"GetObject/arn:aws:iam::111122223333:user/Alice/shared-data"}
	quoted := strings.ReplaceAll(strings.ReplaceAll(strings.Join(strings.Fields(one), " "), `\`, `\\`), `"`, `\"`)
	athena := `{"eventversion": "1.09", "useridentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Alice", "accountid": "111122223333"}, "eventsource": "s3.amazonaws.com", "eventname": "GetObject", "errorcode": "AccessDenied", "requestparameters": "{\"bucketName\":\"shared-data\",\"key\":\"report.csv\"}"}`
	shapes := map[string]string{
		"single event":   one,
		"Records":        `{"Records": [` + one + `]}`,
		"lookup-events":  `{"Events": [{"EventId": "e-1", "EventName": "GetObject", "CloudTrailEvent": "` + quoted + `"}]}`,
		"Lake rows":      `{"QueryStatus": "FINISHED", "QueryResultRows": [[{"eventName": "GetObject"}, {"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Alice"}}, {"requestParameters": "{\"bucketName\": \"shared-data\"}"}]]}`,
		"Athena lines":   athena + "\n",
		"Lake eventJson": `{"QueryResultRows": [[{"eventJson": "` + quoted + `"}]]}`,
		"array":          `[` + one + `]`,
	}
	for name, src := range shapes {
		if got := readAll(t, src); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v", name, got)
		}
	}
	if got := readAll(t, athena+"\n"+athena+"\n"); len(got) != 2 {
		t.Errorf("two Athena lines: got %v", got)
	}
}

func TestReadReportsBadJSON(t *testing.T) {
	for _, src := range []string{`{"Records": [{"eventName": }]}`, `{"Records": 3}`, `"text"`} {
		if err := Read(strings.NewReader(src), func([]byte) error { return nil }); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(s3Event(identities[1].identity, "")))
	f.Add([]byte(`{"Records": [{"eventName": "GetObject", "errorCode": "AccessDenied"}]}`))
	f.Add([]byte(`{"QueryResultRows": [[{"eventName": "x"}]]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		Read(strings.NewReader(string(src)), func(rec []byte) error {
			e := Parse(rec)
			e.Principal()
			e.Facts()
			e.Message()
			return nil
		})
	})
}

// With S3 Bucket Keys the KMS event's encryption context names the
// bucket: the event stands for a read of any object of the bucket, with
// the bucket's ARN in the encryption context.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
func TestFactsOfABucketKeyEvent(t *testing.T) {
	rec := `{"eventSource": "kms.amazonaws.com", "eventName": "GenerateDataKey", "errorCode": "AccessDenied",
 "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/jane", "accountId": "111122223333"},
 "requestParameters": {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::shared-data"}}}`
	e := Parse([]byte(rec))
	f := e.Facts()
	if !e.BucketKey() || f.Operation != "PutObject" || f.Resource != "arn:aws:s3:::shared-data/*" ||
		!reflect.DeepEqual(f.Context["kms:EncryptionContext:aws:s3:arn"], []string{"arn:aws:s3:::shared-data"}) {
		t.Errorf("bucket key %v, facts %+v", e.BucketKey(), f)
	}
	if e := Parse([]byte(strings.Replace(rec, `shared-data"}`, `shared-data/report.csv"}`, 1))); e.BucketKey() {
		t.Errorf("an object's ARN is no bucket key")
	}
}
