package eval

import "testing"

// Account 111122223333 (A) holds the callers; account 444455556666 (B)
// owns the bucket "shared" unless a case says otherwise.

// Cross-account: both the identity side and the resource side must allow.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func TestCrossAccount(t *testing.T) {
	runCases(t, []scenarioCase{
		{"both sides allow", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{decision: Allowed}},
		{"account root grant delegates to the identity policy", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{decision: Allowed}},
		{"only the identity side allows", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "OtherAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerResource}, CodeImplicitDeny, LayerResource, "resourcePolicy", 0, `"Sid": "OtherAccount"`}},
		{"no bucket policy", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}]
}`, want{ImplicitlyDenied, []Layer{LayerResource}, CodeImplicitDeny, LayerResource, "", -1, ""}},
		{"only the resource side allows: identity names another bucket", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "OwnBucket", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::own/*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeMissingResourceARN, LayerIdentity, "identityPolicies[0]", 0, `"Sid": "OwnBucket"`}},
		{"a user ARN in the bucket policy is not enough across accounts", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [
  {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "identityPolicies[0]", -1, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*"`}},
		{"explicit deny in the bucket policy", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"},
  {"Sid": "DenyJane", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 1, `"Sid": "DenyJane"`}},
		{"a role ARN grant covers the role's sessions", `{
"request": {"principal": "arn:aws:sts::111122223333:assumed-role/reader/s1", "action": "s3:ListBucket", "resource": "arn:aws:s3:::shared", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/team/reader"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared"}]}
}`, want{decision: Allowed}},
	})
}

// Same account: identity OR resource policy, with the exceptions for
// grants to a user, a role or a role session.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
func TestSameAccount(t *testing.T) {
	const boundaryEC2 = `"permissionBoundaries": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "OnlyEC2", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}]`
	runCases(t, []scenarioCase{
		{"user ARN in the bucket policy, boundary does not allow", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/bob"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
` + boundaryEC2 + `}`, want{decision: Allowed}},
		{"role ARN in the bucket policy, boundary does not allow", `{
"request": {"principal": "arn:aws:sts::444455556666:assumed-role/app/s1", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
` + boundaryEC2 + `}`, want{ImplicitlyDenied, []Layer{LayerBoundary}, CodeImplicitDeny, LayerBoundary, "permissionBoundaries[0]", -1, `"permissionBoundaries": [`}},
		{"role ARN in the bucket policy, session policy does not allow", `{
"request": {"principal": "arn:aws:sts::444455556666:assumed-role/app/s1", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
"sessionPolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "OtherBucket", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerSession}, CodeSessionPolicyBlocks, LayerSession, "sessionPolicy", 0, `"Sid": "OtherBucket"`}},
		{"session ARN in the bucket policy is not limited by the session policy", `{
"request": {"principal": "arn:aws:sts::444455556666:assumed-role/app/s1", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:sts::444455556666:assumed-role/app/s1"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
"sessionPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
}`, want{decision: Allowed}},
		{"account grant delegates: the identity side must allow", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "", -1, ""}},
		{"identity policy alone is enough", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:PutObject", "resource": "arn:aws:s3:::shared/a.txt"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "S3:putobject", "Resource": "arn:aws:s3:::shared/*"}]}],
"bucket": {"account": "444455556666"}
}`, want{decision: Allowed}},
		{"identity allows, boundary does not", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
` + boundaryEC2 + `}`, want{ImplicitlyDenied, []Layer{LayerBoundary}, CodeImplicitDeny, LayerBoundary, "permissionBoundaries[0]", -1, `"permissionBoundaries": [`}},
		{"explicit deny in the boundary", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:DeleteObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"permissionBoundaries": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
  {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}]
}`, want{ExplicitlyDenied, []Layer{LayerBoundary}, CodeDeny, LayerBoundary, "permissionBoundaries[0]", 1, `"Sid": "NoDelete"`}},
	})
}

// SCPs filter the principal's account, RCPs the resource's account.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
func TestOrganizationPolicies(t *testing.T) {
	const allowed = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*"}]}`
	const request = `"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},`
	const fullAccess = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	runCases(t, []scenarioCase{
		{"SCP denies s3", `{` + request + allowed + `,
"serviceControlPolicies": [` + fullAccess + `, {"Version": "2012-10-17", "Statement": [
  {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]
}`, want{ExplicitlyDenied, []Layer{LayerSCP}, CodeSCPDenies, LayerSCP, "serviceControlPolicies[1]", 0, `"Sid": "NoS3"`}},
		{"SCP allow-list without s3 at the OU level", `{` + request + allowed + `,
"serviceControlPolicies": [` + fullAccess + `,
  {"Version": "2012-10-17", "Statement": [{"Sid": "OnlyEC2", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}]
}`, want{ImplicitlyDenied, []Layer{LayerSCP}, CodeSCPDenies, LayerSCP, "serviceControlPolicies[1]", -1, `  {"Version": "2012-10-17", "Statement": [{"Sid": "OnlyEC2"`}},
		{"SCP allow-list and FullAWSAccess at the same level", `{` + request + allowed + `,
"serviceControlPolicies": [[` + fullAccess + `, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}]]
}`, want{decision: Allowed}},
		{"SCPs do not apply to the management account", `{` + request + allowed + `,
"managementAccount": "111122223333",
"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]
}`, want{decision: Allowed}},
		{"SCPs do not apply to service-linked roles", `{
"request": {"principal": "arn:aws:iam::111122223333:role/aws-service-role/replication.s3.amazonaws.com/AWSServiceRoleForS3", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
` + allowed + `,
"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]
}`, want{decision: Allowed}},
		{"SCPs do not apply to sessions of service-linked roles", `{
"request": {"principal": "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForS3/replication", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
` + allowed + `,
"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]
}`, want{decision: Allowed}},
		{"RCP denies principals outside the organization", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666", "context": {"aws:PrincipalOrgID": "o-zzz999"}},
` + allowed + `,
"resourceControlPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "EnforceOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}}]}]
}`, want{ExplicitlyDenied, []Layer{LayerRCP}, CodeDeny, LayerRCP, "resourceControlPolicies[0]", 0, `"Sid": "EnforceOrg"`}},
		{"RCP condition met", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666", "context": {"aws:PrincipalOrgID": "o-abc123"}},
` + allowed + `,
"resourceControlPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
  {"Sid": "EnforceOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}}]}]
}`, want{decision: Allowed}},
		{"RCP without an Allow: RCPFullAWSAccess stays attached", `{` + request + allowed + `,
"resourceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}]
}`, want{decision: Allowed}},
	})
}

// VPC endpoint policies filter requests made through the endpoint.
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html
func TestEndpointPolicies(t *testing.T) {
	const sides = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"endpointPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "OnlyOther", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}]`
	runCases(t, []scenarioCase{
		{"endpoint policy does not allow the bucket", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666", "context": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
` + sides + `}`, want{ImplicitlyDenied, []Layer{LayerEndpoint}, CodeEndpointBlocks, LayerEndpoint, "endpointPolicies[0]", 0, `"Sid": "OnlyOther"`}},
		{"endpoint policy does not apply outside the endpoint", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
` + sides + `}`, want{decision: Allowed}},
		{"bucket policy denies requests not from the endpoint", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "AccessViaVpceOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::shared", "arn:aws:s3:::shared/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}
}`, want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 0, `"Sid": "AccessViaVpceOnly"`}},
	})
}

// SSE-KMS objects need the KMS request to pass too.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
func TestKMS(t *testing.T) {
	const key = `arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab`
	const s3Sides = `"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared/*"}]},
"bucket": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "` + key + `"}`
	const crossGet = `"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt"},`
	runCases(t, []scenarioCase{
		{"key policy without the other account", `{` + crossGet + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}],
"keyPolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerKMS}, CodeKMSMissingActions, LayerKMS, "keyPolicy", 0, `"Sid": "Enable IAM User Permissions"`}},
		{"no key policy given: the default one allows only the key's account", `{` + crossGet + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}]
}`, want{ImplicitlyDenied, []Layer{LayerKMS}, CodeKMSMissingActions, LayerKMS, DefaultKeyPolicyName, 0, ""}},
		{"identity policy without kms:Decrypt", `{` + crossGet + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "S3Only", "Effect": "Allow", "Action": ["s3:GetObject", "kms:GenerateDataKey"], "Resource": "*"}]}],
"keyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerKMS}, CodeKMSMissingActions, LayerKMS, "identityPolicies[0]", -1, `"identityPolicies": [`}},
		{"both sides allow the key", `{` + crossGet + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}],
"keyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}
}`, want{decision: Allowed}},
		{"same account key policy without the root statement", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt"},
` + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}],
"keyPolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "KeyAdmins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/admin"}, "Action": "kms:*", "Resource": "*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerKMS}, CodeKMSMissingActions, LayerKMS, "keyPolicy", 0, `"Sid": "KeyAdmins"`}},
		{"same account with the default key policy", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt"},
` + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}]
}`, want{decision: Allowed}},
		{"multipart upload also needs kms:Decrypt", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:PutObject", "resource": "arn:aws:s3:::shared/big.bin", "multipart": true},
` + s3Sides + `,
"identityPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "Upload", "Effect": "Allow", "Action": ["s3:PutObject", "kms:GenerateDataKey"], "Resource": "*"}]}],
"keyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}
}`, want{ImplicitlyDenied, []Layer{LayerKMS}, CodeKMSMissingActions, LayerKMS, "identityPolicies[0]", -1, `"identityPolicies": [`}},
		{"AWS managed key from another account", `{` + crossGet + `
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*"}]}],
"bucket": {"account": "444455556666", "encryption": "aws:kms"}
}`, want{ImplicitlyDenied, []Layer{LayerKMS}, CodeKMSMissingActions, LayerKMS, "bucket", -1, ""}},
	})
}

// Requester pays and object ownership.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
func TestBucketSettings(t *testing.T) {
	const sides = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "444455556666"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}`
	runCases(t, []scenarioCase{
		{"requester pays without the header", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt"},
` + sides + `, "bucket": {"account": "444455556666", "requesterPays": true}}`,
			want{ImplicitlyDenied, []Layer{LayerRequesterPays}, CodeRequesterPays, LayerRequesterPays, "bucket", -1, ""}},
		{"requester pays with the header", `{
"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "context": {"x-amz-request-payer": "requester"}},
` + sides + `, "bucket": {"account": "444455556666", "requesterPays": true}}`, want{decision: Allowed}},
		{"requester pays: the owner needs no header", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt"},
` + sides + `, "bucket": {"account": "444455556666", "requesterPays": true}}`, want{decision: Allowed}},
		{"object written by another account under ObjectWriter", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "objectOwner": "111122223333"},
` + sides + `, "bucket": {"account": "444455556666", "objectOwnership": "ObjectWriter"}}`,
			want{ImplicitlyDenied, []Layer{LayerOwnership}, CodeObjectOwnership, LayerOwnership, "bucket", -1, ""}},
		{"BucketOwnerPreferred without the bucket-owner-full-control ACL", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "objectOwner": "111122223333", "objectAcl": "private"},
` + sides + `, "bucket": {"account": "444455556666", "objectOwnership": "BucketOwnerPreferred"}}`,
			want{ImplicitlyDenied, []Layer{LayerOwnership}, CodeObjectOwnership, LayerOwnership, "bucket", -1, ""}},
		{"BucketOwnerPreferred with the bucket-owner-full-control ACL", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "objectOwner": "111122223333", "objectAcl": "bucket-owner-full-control"},
` + sides + `, "bucket": {"account": "444455556666", "objectOwnership": "BucketOwnerPreferred"}}`, want{decision: Allowed}},
		{"BucketOwnerEnforced: the bucket owner owns every object", `{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "objectOwner": "111122223333"},
` + sides + `, "bucket": {"account": "444455556666", "objectOwnership": "BucketOwnerEnforced"}}`, want{decision: Allowed}},
	})
}

// Callers without an identity side: anonymous requests and the root user.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
func TestCallersWithoutIdentityPolicies(t *testing.T) {
	const public = `"resourcePolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/public/*"}]}`
	runCases(t, []scenarioCase{
		{"anonymous read of a public object", `{
"request": {"principal": "anonymous", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/public/a.txt", "resourceAccount": "444455556666"},
` + public + `, "serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}]}`, want{decision: Allowed}},
		{"anonymous read outside the public prefix", `{
"request": {"principal": "*", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/private/a.txt", "resourceAccount": "444455556666"},
` + public + `}`, want{ImplicitlyDenied, []Layer{LayerResource}, CodeMissingResourceARN, LayerResource, "resourcePolicy", 0, `"Sid": "PublicRead"`}},
		{"the root user of another account needs only the bucket policy's grant", `{
"request": {"principal": "arn:aws:iam::111122223333:root", "action": "s3:PutObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared/*"}]}
}`, want{decision: Allowed}},
	})
}
