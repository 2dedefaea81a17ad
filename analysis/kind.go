package analysis

import (
	"strings"
	"unicode/utf8"
)

// Kind is what a policy document is attached to, which decides the rules
// it must follow.
type Kind string

const (
	KindUnknown  Kind = ""
	KindIdentity Kind = "identity" // IAM identity-based policy of a user, group or role
	KindBucket   Kind = "bucket"   // S3 bucket (or access point) policy
	KindKey      Kind = "key"      // KMS key policy
	KindEndpoint Kind = "endpoint" // VPC endpoint policy
	KindSCP      Kind = "scp"      // Organizations service control policy
	KindRCP      Kind = "rcp"      // Organizations resource control policy
	KindSession  Kind = "session"  // session policy passed to AssumeRole or GetFederationToken
	KindBoundary Kind = "boundary" // permissions boundary
	KindTrust    Kind = "trust"    // role trust policy: recognised, not checked further
	KindResource Kind = "resource" // another service's resource policy (SNS, SQS, ...)
)

// Kinds lists every kind a user may name in .s3policy.json.
var Kinds = []Kind{KindIdentity, KindBucket, KindKey, KindEndpoint, KindSCP, KindRCP, KindSession, KindBoundary, KindTrust, KindResource}

var kindDescriptions = map[Kind]Text{
	KindIdentity: T("IAM identity-based policy", "IAM アイデンティティベースのポリシー"),
	KindBucket:   T("S3 bucket policy", "S3 バケットポリシー"),
	KindKey:      T("KMS key policy", "KMS キーポリシー"),
	KindEndpoint: T("VPC endpoint policy", "VPC エンドポイントポリシー"),
	KindSCP:      T("service control policy (SCP)", "サービスコントロールポリシー (SCP)"),
	KindRCP:      T("resource control policy (RCP)", "リソースコントロールポリシー (RCP)"),
	KindSession:  T("session policy", "セッションポリシー"),
	KindBoundary: T("permissions boundary", "アクセス許可の境界"),
	KindTrust:    T("role trust policy", "ロールの信頼ポリシー"),
	KindResource: T("resource-based policy", "リソースベースのポリシー"),
	KindUnknown:  T("policy of unknown kind", "種類不明のポリシー"),
}

// Describe names the kind for people.
func (k Kind) Describe() Text { return kindDescriptions[k] }

// ThisJA is "this <kind>" in Japanese: この, and a space before a name
// that starts with a Latin word ("この KMS キーポリシー"), as the messages
// space Latin words elsewhere.
func (k Kind) ThisJA() string {
	name := kindDescriptions[k].JA
	if name != "" && name[0] < utf8.RuneSelf {
		return "この " + name
	}
	return "この" + name
}

// ParseKind accepts a kind name as written in .s3policy.json.
func ParseKind(name string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == name {
			return k, true
		}
	}
	return KindUnknown, false
}

// In reports whether k is one of ks.
func (k Kind) In(ks ...Kind) bool {
	for _, x := range ks {
		if k == x {
			return true
		}
	}
	return false
}

// HoldsPrincipal reports whether policies of this kind name a Principal.
func (k Kind) HoldsPrincipal() bool {
	return k.In(KindBucket, KindKey, KindEndpoint, KindTrust, KindResource)
}

// suffixKinds maps file-name endings to kinds, longest first where one
// ending contains another.
var suffixKinds = []struct {
	suffix string
	kind   Kind
}{
	{".iam-policy.json", KindIdentity},
	{".bucket-policy.json", KindBucket},
	{".key-policy.json", KindKey},
	{".endpoint-policy.json", KindEndpoint},
	{".scp.json", KindSCP},
	{".rcp.json", KindRCP},
	{".session-policy.json", KindSession},
	{".boundary.json", KindBoundary},
	{".trust-policy.json", KindTrust},
}

// KindFromName decides a kind from a file name suffix such as
// "jane.iam-policy.json".
func KindFromName(name string) Kind {
	lower := strings.ToLower(name)
	for _, s := range suffixKinds {
		if strings.HasSuffix(lower, s.suffix) {
			return s.kind
		}
	}
	return KindUnknown
}

// KindFromContent guesses a kind from what the policy says. Identity,
// session, boundary and SCP documents look alike, so a document without a
// Principal is taken as an identity policy; name the file or list it in
// .s3policy.json to say otherwise.
func KindFromContent(p *Policy) Kind {
	var withPrincipal, trustOnly, s3Resource, kmsOnly, wildcardResource = false, true, false, true, true
	for _, s := range p.Statements {
		if s.Principal != nil || s.NotPrincipal != nil {
			withPrincipal = true
		}
		actions := s.Actions()
		if len(actions) == 0 {
			trustOnly, kmsOnly = false, false
		}
		for _, a := range actions {
			name := strings.ToLower(a.Str)
			if !strings.HasPrefix(name, "sts:assumerole") && name != "sts:tagsession" && name != "sts:setsourceidentity" {
				trustOnly = false
			}
			if !strings.HasPrefix(name, "kms:") {
				kmsOnly = false
			}
		}
		for _, r := range append(s.Resources(), Strings(s.NotResource)...) {
			if strings.HasPrefix(r.Str, "arn:aws:s3:::") || strings.HasPrefix(r.Str, "arn:aws-") && strings.Contains(r.Str, ":s3:::") {
				s3Resource = true
			}
			if r.Str != "*" {
				wildcardResource = false
			}
		}
	}
	switch {
	case !withPrincipal:
		return KindIdentity
	case len(p.Statements) > 0 && trustOnly:
		return KindTrust
	case len(p.Statements) > 0 && kmsOnly && wildcardResource:
		return KindKey
	case s3Resource:
		return KindBucket
	}
	return KindResource
}

// The types of a VPC endpoint that matter to its policy
// (FileFacts.EndpointType). A gateway endpoint (S3's usual one, the
// default type of Terraform's aws_vpc_endpoint and CloudFormation's
// AWS::EC2::VPCEndpoint) lets an AWS account named as the Principal mean
// the account's root user alone, not its roles and users.
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html#vpc-endpoint-policies-gateway
const (
	EndpointGateway   = "Gateway"
	EndpointInterface = "Interface"
)

// GatewayEndpoint reports whether the facts are of a policy of an
// endpoint known to be a gateway endpoint.
func (f *FileFacts) GatewayEndpoint() bool {
	return f != nil && f.EndpointType == EndpointGateway
}
