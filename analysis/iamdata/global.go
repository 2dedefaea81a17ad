package iamdata

import (
	"strings"
	"sync"
)

// GlobalKeysURL is the AWS reference of the global condition keys.
const GlobalKeysURL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"

// Global lists the aws: condition keys that apply to every action, from
// GlobalKeysURL. Types follow the service data: ArrayOf... marks a
// multivalued key, to be tested with ForAnyValue:/ForAllValues:.
var Global = []ConditionKey{
	// Properties of the principal.
	{"aws:PrincipalArn", "ARN", "ARN of the principal that made the request (for a role session, the role's ARN)"},
	{"aws:PrincipalAccount", "String", "account ID of the principal that made the request"},
	{"aws:PrincipalOrgID", "String", "ID of the AWS Organizations organization of the principal's account"},
	{"aws:PrincipalOrgPaths", "ArrayOfString", "Organizations paths (o-id/r-id/ou-id/) of the principal's account"},
	{"aws:PrincipalTag/${TagKey}", "String", "tag attached to the principal (user or role, or passed as a session tag)"},
	{"aws:PrincipalIsAWSService", "Bool", "whether the request is made by an AWS service principal (such as cloudtrail.amazonaws.com)"},
	{"aws:PrincipalServiceName", "String", "name of the AWS service principal that made the request"},
	{"aws:PrincipalServiceNamesList", "ArrayOfString", "every service principal name of the service that made the request"},
	{"aws:PrincipalType", "String", "type of principal: Account, User, FederatedUser, AssumedRole or Anonymous"},
	{"aws:userid", "String", "principal identifier: user ID, or role ID:session name for a role session"},
	{"aws:username", "String", "friendly name of the IAM user (absent for role sessions)"},
	// Properties of the role session.
	{"aws:AssumedRoot", "Bool", "whether the request uses AssumeRoot to act as the root user of a member account"},
	{"aws:FederatedProvider", "String", "identity provider that issued the principal's credentials (IAM OIDC provider ARN or cognito-identity.amazonaws.com)"},
	{"aws:TokenIssueTime", "Date", "date and time at which the temporary credentials were issued"},
	{"aws:MultiFactorAuthAge", "Numeric", "seconds since the principal authenticated with MFA (absent without MFA)"},
	{"aws:MultiFactorAuthPresent", "Bool", "whether the temporary credentials were issued with MFA (absent for long-term keys)"},
	{"aws:ChatbotSourceArn", "ARN", "ARN of the Amazon Q Developer (chat applications) channel configuration that made the request"},
	{"aws:Ec2InstanceSourceVpc", "String", "ID of the VPC to which EC2 instance role credentials were delivered"},
	{"aws:Ec2InstanceSourcePrivateIPv4", "IPAddress", "private IPv4 address of the EC2 instance to which role credentials were delivered"},
	{"aws:SourceIdentity", "String", "source identity set by the principal when it assumed the role"},
	{"aws:RoleSessionName", "String", "role session name that the principal set when it assumed the role"},
	// Properties of the network.
	{"aws:SourceIp", "IPAddress", "public IP address of the requester (absent for requests through a VPC endpoint)"},
	{"aws:SourceVpc", "String", "ID of the VPC whose endpoint the request came through"},
	{"aws:SourceVpcArn", "ARN", "ARN of the VPC whose endpoint the request came through"},
	{"aws:SourceVpce", "String", "ID of the VPC endpoint the request came through (vpce-...)"},
	{"aws:VpcSourceIp", "IPAddress", "private IP address of the requester, for requests through a VPC endpoint"},
	{"aws:VpceAccount", "String", "account ID that owns the VPC endpoint the request came through"},
	{"aws:VpceOrgID", "String", "organization ID of the account that owns the VPC endpoint the request came through"},
	{"aws:VpceOrgPaths", "ArrayOfString", "Organizations paths of the account that owns the VPC endpoint the request came through"},
	// Properties of the resource.
	{"aws:ResourceAccount", "String", "account ID of the account that owns the resource"},
	{"aws:ResourceOrgID", "String", "organization ID of the account that owns the resource"},
	{"aws:ResourceOrgPaths", "ArrayOfString", "Organizations paths of the account that owns the resource"},
	{"aws:ResourceTag/${TagKey}", "String", "tag attached to the resource"},
	// Properties of the request.
	{"aws:CalledVia", "ArrayOfString", "service principals that made the request on the principal's behalf, in order (forward access sessions)"},
	{"aws:CalledViaFirst", "String", "first service principal in aws:CalledVia"},
	{"aws:CalledViaLast", "String", "last service principal in aws:CalledVia"},
	{"aws:ViaAWSService", "Bool", "whether an AWS service made the request on the principal's behalf (forward access session)"},
	{"aws:CurrentTime", "Date", "date and time of the request (ISO 8601)"},
	{"aws:EpochTime", "Date", "date and time of the request in seconds since 1970 (tested with Date or Numeric operators)"},
	{"aws:referer", "String", "HTTP Referer header of the request, as the client sent it (not a security control)"},
	{"aws:RequestedRegion", "String", "AWS Region the request was made to (us-east-1 for global services such as IAM)"},
	{"aws:RequestTag/${TagKey}", "String", "tag key and value passed in the request"},
	{"aws:TagKeys", "ArrayOfString", "tag keys passed in the request"},
	{"aws:SecureTransport", "Bool", "whether the request was sent over TLS"},
	{"aws:SourceAccount", "String", "account ID of the resource that makes a service-to-service request (for confused-deputy protection)"},
	{"aws:SourceArn", "ARN", "ARN of the resource that makes a service-to-service request"},
	{"aws:SourceOrgID", "String", "organization ID of the resource that makes a service-to-service request"},
	{"aws:SourceOwner", "String", "account ID of the owner of the resource that makes a service-to-service request (older key used by Amazon SNS; prefer aws:SourceAccount)"},
	{"aws:SourceOrgPaths", "ArrayOfString", "Organizations paths of the resource that makes a service-to-service request"},
	{"aws:UserAgent", "String", "HTTP User-Agent of the client (not a security control)"},
	{"aws:IsMcpServiceAction", "Bool", "whether the action is called through an AWS-managed MCP server"},
	{"aws:ViaAWSMCPService", "Bool", "whether the request was made through an AWS-managed MCP server"},
	{"aws:CalledViaAWSMCP", "String", "the AWS-managed MCP server that made the request"},
}

// GlobalKey returns the global key that name is or instantiates
// (aws:PrincipalTag/team instantiates aws:PrincipalTag/${TagKey}), or nil.
// Key names are case-insensitive.
func GlobalKey(name string) *ConditionKey {
	if k := getFold(globalByName(), name); k != nil {
		return k
	}
	for i := range Global {
		k := &Global[i]
		if isTemplate(k.Name) && MatchTemplate(k.Name, name) {
			return k
		}
	}
	return nil
}

// globalByName indexes Global by lower-case name, on first use.
var globalByName = sync.OnceValue(func() map[string]*ConditionKey {
	m := make(map[string]*ConditionKey, len(Global))
	for i := range Global {
		m[strings.ToLower(Global[i].Name)] = &Global[i]
	}
	return m
})

// KeyKind tells where a condition key comes from.
type KeyKind int

const (
	KeyUnknown  KeyKind = iota // no such key
	KeyGlobal                  // an aws: key, valid with every action
	KeyService                 // a key of the service named by its prefix
	KeyProvider                // a key of an identity provider (saml:, an OIDC issuer such as token.actions.githubusercontent.com:sub)
)

// ResolveKey finds a condition key. Its kind says why it is valid; for
// KeyService the service is returned too. Keys of OIDC providers (a prefix
// with a dot or slash, the issuer URL) are accepted whatever their name:
// any OIDC provider may be registered in an account.
func ResolveKey(name string) (*ConditionKey, *Service, KeyKind) {
	prefix, _, ok := strings.Cut(name, ":")
	if !ok {
		return nil, nil, KeyUnknown
	}
	lp := strings.ToLower(prefix)
	if lp == "aws" {
		if k := GlobalKey(name); k != nil {
			return k, nil, KeyGlobal
		}
		return nil, nil, KeyUnknown
	}
	ix := loadIndex()
	if owner := getFold(ix.owners, name); owner != "" {
		if k := Lookup(owner).Key(name); k != nil {
			return k, Lookup(owner), KeyService
		}
	}
	if owner := ownerOfPrefix(ix, lp); owner != "" {
		if k := Lookup(owner).Key(name); k != nil {
			return k, nil, KeyProvider
		}
	}
	if strings.ContainsAny(lp, "./") {
		return &ConditionKey{Name: name, Type: "String", Description: "claim of the OIDC identity provider " + prefix}, nil, KeyProvider
	}
	s := Lookup(lp)
	if s == nil {
		return nil, nil, KeyUnknown
	}
	if k := s.Key(name); k != nil {
		return k, s, KeyService
	}
	return nil, s, KeyUnknown
}

// ownerOfPrefix finds the service that lists the keys of an identity
// provider prefix, which may itself be a template
// (token.actions.githubusercontent.com/${SubPath}).
func ownerOfPrefix(ix *index, prefix string) string {
	if owner := ix.owners[prefix+":"]; owner != "" || !strings.ContainsAny(prefix, "./") {
		return owner
	}
	for _, t := range ix.ownerTemplates {
		if MatchTemplate(t, prefix+":") {
			return ix.owners[t]
		}
	}
	return ""
}
