package eval

import (
	"fmt"
	"strings"
	"testing"
)

// The request context AWS always fills: aws:CurrentTime, aws:EpochTime,
// aws:SecureTransport, aws:PrincipalIsAWSService, aws:ViaAWSService,
// aws:RequestedRegion. Keys whose value the tool cannot know decide
// nothing by themselves: the answer is AllowedIf and the causes say when
// the request is denied.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html

const partnerJane = `"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"`

const bothSidesAllow = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}`

// The data-perimeter RCP of the AWS examples: an outside role is denied
// because aws:PrincipalIsAWSService is false on its request, and an AWS
// service principal is not.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
func TestDataPerimeterRCP(t *testing.T) {
	rcp := `"resourceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
  "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}]}]`
	runCases(t, []scenarioCase{
		{"an outside role is denied", `{"request": {` + partnerJane + `, "context": {"aws:PrincipalOrgID": "o-other"}},
` + bothSidesAllow + `,
` + rcp + `}`, want{ExplicitlyDenied, []Layer{LayerRCP}, CodeDeny, LayerRCP, "resourceControlPolicies[0]", 0, `"Sid": "EnforceOrgIdentities"`}},
		{"a role of the organization passes", `{"request": {` + partnerJane + `, "context": {"aws:PrincipalOrgID": "o-abc123"}},
` + bothSidesAllow + `,
` + rcp + `}`, want{decision: Allowed}},
		{"a service principal passes", `{"request": {"principal": "cloudtrail.amazonaws.com", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
` + rcp + `}`, want{decision: Allowed}},
		{"organization unknown: allowed if", `{"request": {` + partnerJane + `},
` + bothSidesAllow + `,
` + rcp + `}`, want{AllowedIf, []Layer{LayerRCP}, CodeDeny, LayerRCP, "resourceControlPolicies[0]", 0, `"Sid": "EnforceOrgIdentities"`}},
	})
	r := evaluateJSON(t, `{"request": {`+partnerJane+`},
`+bothSidesAllow+`,
`+rcp+`}`)
	want := `RCP: statement "EnforceOrgIdentities" of resourceControlPolicies[0] denies s3:GetObject on arn:aws:s3:::shared/a.txt for a request whose aws:PrincipalOrgID is not o-abc123, including every request without aws:PrincipalOrgID (a negated operator is true when the key is missing); AWS sets aws:PrincipalOrgID from the request, and the tool cannot know its value`
	if got := r.Say(&r.Causes[0]).EN; got != want {
		t.Errorf("message:\n%s\nwant\n%s", got, want)
	}
}

// AWS's "deny outside approved Regions" SCP: a request to a bucket in an
// approved Region passes; one whose Region is unknown is allowed if it is
// an approved one.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region
func TestRequestedRegion(t *testing.T) {
	scp := `"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Sid": "DenyAllOutsideApproved", "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"], "Resource": "*",
   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]}]`
	bucket := func(region string) string { return `, "bucket": {"region": "` + region + `"}` }
	runCases(t, []scenarioCase{
		{"bucket in an approved Region", `{"request": {` + partnerJane + `},
` + bothSidesAllow + `,
` + scp + bucket("us-east-1") + `}`, want{decision: Allowed}},
		{"bucket outside", `{"request": {` + partnerJane + `},
` + bothSidesAllow + `,
` + scp + bucket("ap-south-1") + `}`, want{ExplicitlyDenied, []Layer{LayerSCP}, CodeSCPDenies, LayerSCP, "serviceControlPolicies[0]", 1, `"Sid": "DenyAllOutsideApproved"`}},
		{"Region unknown", `{"request": {` + partnerJane + `},
` + bothSidesAllow + `,
` + scp + `}`, want{AllowedIf, []Layer{LayerSCP}, CodeSCPDenies, LayerSCP, "serviceControlPolicies[0]", 1, `"Sid": "DenyAllOutsideApproved"`}},
	})
}

// aws:CurrentTime is the time of the request (now, or the scenario's
// "time"); aws:SecureTransport is true unless the request says otherwise.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport
func TestTimeAndTransport(t *testing.T) {
	identity := func(cond string) string {
		return `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Sid": "Cond", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": ` + cond + `}]}]`
	}
	const sameAccount = `"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"`
	deny := `, "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`
	runCases(t, []scenarioCase{
		{"after a date in the past", `{"request": {` + sameAccount + `}, ` + identity(`{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}`) + `}`, want{decision: Allowed}},
		{"at a time given", `{"request": {` + sameAccount + `, "time": "2019-06-01T00:00:00Z"}, ` + identity(`{"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}`) + `}`,
			want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "identityPolicies[0]", 0, `"Sid": "Cond"`}},
		{"epoch time", `{"request": {` + sameAccount + `, "time": "1767225600"}, ` + identity(`{"NumericLessThan": {"aws:EpochTime": "1767225601"}}`) + `}`, want{decision: Allowed}},
		{"TLS by default", `{"request": {` + sameAccount + `}, ` + identity(`{}`) + deny + `}`, want{decision: Allowed}},
		{"plain HTTP when the request says so", `{"request": {` + sameAccount + `, "context": {"aws:SecureTransport": "false"}}, ` + identity(`{}`) + deny + `}`,
			want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 0, `"Sid": "TLS"`}},
		{"source IP unknown: allowed if", `{"request": {` + sameAccount + `}, ` + identity(`{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`) + `}`,
			want{AllowedIf, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "identityPolicies[0]", 0, `"Sid": "Cond"`}},
		{"no source IP through a VPC endpoint", `{"request": {` + sameAccount + `, "context": {"aws:SourceVpce": "vpce-1"}}, ` + identity(`{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`) + `}`,
			want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "identityPolicies[0]", 0, `"Sid": "Cond"`}},
	})
	r := evaluateJSON(t, `{"request": {`+sameAccount+`}, `+identity(`{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`)+`}`)
	if m := r.Say(&r.Causes[0]).EN; !strings.Contains(m, "allows s3:GetObject on arn:aws:s3:::shared/a.txt only for a request from an IP address in 203.0.113.0/24; AWS sets aws:SourceIp from the request") {
		t.Errorf("message: %s", m)
	}
}

// S3 calls KMS on the caller's behalf for an SSE-KMS object: on that call
// aws:ViaAWSService is true, so a key policy that allows a partner only
// through AWS services lets S3 decrypt for it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-viaawsservice
func TestViaAWSServiceOnTheKMSCall(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	runCases(t, []scenarioCase{
		{"the key allows the partner through services", `{"request": {` + partnerJane + `},
` + bothSidesAllow + `,
"keyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}}]},
"bucket": {"encryption": "aws:kms", "kmsKeyArn": "` + key + `"}}`, want{decision: Allowed}},
		{"but not the S3 request itself", `{"request": {` + partnerJane + `},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Sid": "ViaOnly", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}}]}}`,
			want{ImplicitlyDenied, []Layer{LayerResource}, CodeImplicitDeny, LayerResource, "resourcePolicy", 0, `"Sid": "ViaOnly"`}},
	})
}

// Template placeholders are unknown values to the engine too: a statement
// that matches only through one decides nothing by itself.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestPlaceholdersAreUnknown(t *testing.T) {
	const templated = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "${bucket_arn}/*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${account_id}:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}`
	runCases(t, []scenarioCase{
		{"a grant through placeholders: allowed if", `{"request": {` + partnerJane + `}, ` + templated + `}`,
			want{AllowedIf, []Layer{LayerResource, LayerIdentity}, CodeImplicitDeny, LayerResource, "resourcePolicy", 0, `"resourcePolicy": {"Version"`}},
		{"a Deny through a placeholder: allowed if", `{"request": {` + partnerJane + `}, ` + bothSidesAllow + `,
"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "Lock", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::${locked_bucket}/*"}]}]}`,
			want{AllowedIf, []Layer{LayerSCP}, CodeSCPDenies, LayerSCP, "serviceControlPolicies[0]", 1, `{"Sid": "Lock"`}},
		{"a Deny whose placeholder cannot fit the request: allowed", `{"request": {` + partnerJane + `}, ` + bothSidesAllow + `,
"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "Lock", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::logs-${env}/*"}]}]}`, want{decision: Allowed}},
	})
}

// A cause on a condition names the key, the values compared and what the
// request carries.
func TestConditionCauseNamesKeyValueAndRequest(t *testing.T) {
	r := evaluateJSON(t, `{"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666", "context": {"aws:SourceVpce": "vpce-2"}},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Sid": "Cond", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-3"]}}}]}]}`)
	want := `Identity policies: statement "Cond" of identityPolicies[0] would allow s3:GetObject on arn:aws:s3:::shared/a.txt, but its condition StringEquals on aws:SourceVpce (vpce-1, vpce-3) does not hold for this request, which carries aws:SourceVpce = vpce-2`
	if len(r.Causes) != 1 || r.Say(&r.Causes[0]).EN != want {
		t.Errorf("causes %+v\nwant %s", r.Causes, want)
	}
}

// Condition key names are case-insensitive, whether the request gives a
// few keys or many (more than the context keeps at hand), and a key the
// request gives wins over the one the engine derives (aws:PrincipalAccount).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func TestContextKeysIgnoreCaseFewOrMany(t *testing.T) {
	identity := `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {"StringEquals": {"AWS:SOURCEVPCE": "vpce-1", "aws:principalaccount": "999988887777", "Aws:EpochTime": "1700000000"}}}]}]`
	resource := `"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}`
	many := ""
	for i := range 9 {
		many += fmt.Sprintf(`, "test:key%d": "v%d"`, i, i)
	}
	for _, c := range []struct {
		name, context string
		decision      Decision
	}{
		{"few keys", `"aws:SourceVpce": "vpce-1", "aws:PrincipalAccount": "999988887777"`, Allowed},
		{"many keys", `"aws:SourceVpce": "vpce-1", "aws:PrincipalAccount": "999988887777"` + many, Allowed},
		{"many keys, another endpoint", `"aws:SourceVpce": "vpce-2", "aws:PrincipalAccount": "999988887777"` + many, ImplicitlyDenied},
		{"the derived account", `"aws:SourceVpce": "vpce-1"`, ImplicitlyDenied},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := evaluateJSON(t, `{"request": {`+partnerJane+`, "time": "2023-11-14T22:13:20Z", "context": {`+c.context+`}},
`+identity+`,
`+resource+`}`)
			if r.Decision != c.decision {
				t.Errorf("decision %s, want %s; causes %+v", r.Decision, c.decision, r.Causes)
			}
		})
	}
}
