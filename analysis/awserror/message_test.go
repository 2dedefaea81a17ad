package awserror

import (
	"errors"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// The messages below follow the examples of
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
// ("Access denied message examples and how to troubleshoot them": one per
// policy type, explicit and implicit) and the format that
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
// gives ("User user is not authorized to perform action on resource
// because context"; "with an explicit deny in a type policy" /
// "because no type policy allows the action action").
const (
	mary    = "arn:aws:iam::777788889999:user/MaryMajor"
	object  = "arn:aws:s3:::amzn-s3-demo-bucket/object-name"
	bucket  = "arn:aws:s3:::amzn-s3-demo-bucket"
	cliHead = "An error occurred (AccessDenied) when calling the "
)

func TestParseEachPolicyType(t *testing.T) {
	tests := []struct {
		name, text string
		want       Message
	}{
		{"identity implicit", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" because no identity-based policy allows the s3:GetObject action`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerIdentity}},
		{"identity explicit", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" with an explicit deny in an identity-based policy`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerIdentity, Explicit: true}},
		{"resource implicit", cliHead + `PutObject operation: User: ` + mary + ` is not authorized to perform: s3:PutObject on resource: "` + object + `" because no resource-based policy allows the s3:PutObject action`,
			Message{Code: "AccessDenied", Operation: "PutObject", Principal: mary, Action: "s3:PutObject", Resource: object, Layer: eval.LayerResource}},
		{"resource explicit", cliHead + `PutObject operation: User: ` + mary + ` is not authorized to perform: s3:PutObject on resource: "` + object + `" with an explicit deny in a resource-based policy`,
			Message{Code: "AccessDenied", Operation: "PutObject", Principal: mary, Action: "s3:PutObject", Resource: object, Layer: eval.LayerResource, Explicit: true}},
		{"boundary implicit", cliHead + `ListObjectsV2 operation: User: ` + mary + ` is not authorized to perform: s3:ListBucket on resource: "` + bucket + `" because no permissions boundary allows the s3:ListBucket action`,
			Message{Code: "AccessDenied", Operation: "ListObjectsV2", Principal: mary, Action: "s3:ListBucket", Resource: bucket, Layer: eval.LayerBoundary}},
		{"boundary explicit", cliHead + `ListObjectsV2 operation: User: ` + mary + ` is not authorized to perform: s3:ListBucket on resource: "` + bucket + `" with an explicit deny in a permissions boundary`,
			Message{Code: "AccessDenied", Operation: "ListObjectsV2", Principal: mary, Action: "s3:ListBucket", Resource: bucket, Layer: eval.LayerBoundary, Explicit: true}},
		{"session implicit, assumed role", cliHead + `GetObject operation: User: arn:aws:sts::777788889999:assumed-role/role-name/role-session-name is not authorized to perform: s3:GetObject on resource: "` + object + `" because no session policy allows the s3:GetObject action`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: "arn:aws:sts::777788889999:assumed-role/role-name/role-session-name", Action: "s3:GetObject", Resource: object, Layer: eval.LayerSession}},
		{"session explicit", cliHead + `GetObject operation: User: arn:aws:sts::777788889999:assumed-role/role-name/role-session-name is not authorized to perform: s3:GetObject on resource: "` + object + `" with an explicit deny in a session policy`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: "arn:aws:sts::777788889999:assumed-role/role-name/role-session-name", Action: "s3:GetObject", Resource: object, Layer: eval.LayerSession, Explicit: true}},
		{"SCP implicit", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" because no service control policy allows the s3:GetObject action`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerSCP}},
		{"SCP explicit, with the policy's ARN", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" with an explicit deny in a service control policy: arn:aws:organizations::777788889999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerSCP, Explicit: true,
				PolicyARN: "arn:aws:organizations::777788889999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid"}},
		{"RCP explicit", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" with an explicit deny in a resource control policy`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerRCP, Explicit: true}},
		{"VPC endpoint implicit", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" because no VPC endpoint policy allows the s3:GetObject action`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerEndpoint}},
		{"VPC endpoint explicit", cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" with an explicit deny in a VPC endpoint policy`,
			Message{Code: "AccessDenied", Operation: "GetObject", Principal: mary, Action: "s3:GetObject", Resource: object, Layer: eval.LayerEndpoint, Explicit: true}},
		// The IAM page's form, without the CLI's prefix and with an unquoted resource.
		{"IAM page form", `User: arn:aws:iam::123456789012:user/mateojackson is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::my-example-bucket/a.txt because no identity-based policy allows the s3:GetObject action`,
			Message{Code: "AccessDenied", Principal: "arn:aws:iam::123456789012:user/mateojackson", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-example-bucket/a.txt", Layer: eval.LayerIdentity}},
		// Without the resource, and in the Java SDK's wrapping.
		{"SCP explicit without a resource", `User: ` + mary + ` is not authorized to perform: s3:GetObject with an explicit deny in a service control policy (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 4Z6Y; Proxy: null)`,
			Message{Code: "AccessDenied", Principal: mary, Action: "s3:GetObject", Layer: eval.LayerSCP, Explicit: true}},
		// An SSE-KMS write: S3 names the KMS action "on this resource".
		{"KMS on this resource, wrapped", cliHead + "PutObject operation:\nUser: arn:aws:sts::112233445566:assumed-role/Writer/abcde\nis not authorized to perform: kms:GenerateDataKey\non this resource\nbecause no identity-based policy allows the kms:GenerateDataKey action",
			Message{Code: "AccessDenied", Operation: "PutObject", Principal: "arn:aws:sts::112233445566:assumed-role/Writer/abcde", Action: "kms:GenerateDataKey", Layer: eval.LayerIdentity}},
		{"Block Public Access", cliHead + `PutBucketPolicy operation: User: ` + mary + ` is not authorized to perform: s3:PutBucketPolicy on resource: "` + bucket + `" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access`,
			Message{Code: "AccessDenied", Operation: "PutBucketPolicy", Principal: mary, Action: "s3:PutBucketPolicy", Resource: bucket, Layer: LayerBlockPublicAccess}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			got.Text = ""
			if *got != tt.want {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// The plain forms: the CLI's, and those of the SDKs and the REST API.
func TestParsePlain(t *testing.T) {
	tests := []struct{ text, code, op string }{
		{cliHead + "ListObjectsV2 operation: Access Denied", "AccessDenied", "ListObjectsV2"},
		// HeadObject has no body: the CLI prints the status.
		{"An error occurred (403) when calling the HeadObject operation: Forbidden", "403", "HeadObject"},
		{"An error occurred (AccessDenied) when calling the GetObject operation (reached max retries: 2): Access Denied", "AccessDenied", "GetObject"},
		{"operation error S3: GetObject, https response error StatusCode: 403, RequestID: 4Z6Y, HostID: abc=, api error AccessDenied: Access Denied", "AccessDenied", "GetObject"},
		{"Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 4Z6Y; S3 Extended Request ID: abc=; Proxy: null)", "AccessDenied", ""},
		{`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4Z6Y</RequestId></Error>`, "AccessDenied", ""},
		{"AccessDenied: Access Denied", "AccessDenied", ""},
	}
	for _, tt := range tests {
		m, err := Parse(tt.text)
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		if m.Code != tt.code || m.Operation != tt.op || m.Stated() || m.Principal != "" {
			t.Errorf("%q: got %+v", tt.text, *m)
		}
	}
}

func TestParseRejectsOtherErrors(t *testing.T) {
	for _, text := range []string{"", "NoSuchKey: The specified key does not exist.", "An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist"} {
		if _, err := Parse(text); !errors.Is(err, ErrNotAccessDenied) {
			t.Errorf("%q: got %v, want ErrNotAccessDenied", text, err)
		}
	}
}

// FuzzParse: any text parses or is refused, and what parses gives
// requests or says what is missing, without a panic.
func FuzzParse(f *testing.F) {
	f.Add(cliHead + `GetObject operation: User: ` + mary + ` is not authorized to perform: s3:GetObject on resource: "` + object + `" with an explicit deny in a service control policy: arn:aws:organizations::1:policy/p`)
	f.Add(cliHead + "CopyObject operation: Access Denied")
	f.Add("operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden")
	f.Add("User: x is not authorized to perform: kms:Decrypt on this resource because no identity-based policy allows the kms:Decrypt action")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := Parse(text)
		if err != nil {
			return
		}
		Requests(m, Facts{Bucket: "b", Key: "k", CopySource: "s/k"})
		Requests(m, Facts{})
	})
}

// R12: the REST API's body is XML: the message's entities are read (a key
// with & in it, quotes printed as &quot;).
func TestParseXMLEntities(t *testing.T) {
	for _, quote := range []string{`"`, `&quot;`} {
		text := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: ` + mary +
			` is not authorized to perform: s3:GetObject on resource: ` + quote + `arn:aws:s3:::shared-data/a&amp;b&lt;1&gt;.csv` + quote +
			` because no resource-based policy allows the s3:GetObject action</Message><RequestId>4Z6Y</RequestId></Error>`
		m, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", quote, err)
		}
		if m.Resource != "arn:aws:s3:::shared-data/a&b<1>.csv" || m.Principal != mary || m.Layer != eval.LayerResource {
			t.Errorf("%s: got %+v", quote, *m)
		}
	}
}
