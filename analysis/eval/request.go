// Package eval decides one request against the policies that govern it,
// as AWS does, and says which layers blocked it and why: the statement,
// the policy and the line.
//
// The engine (Evaluate) is a pure function over parsed policies; the
// scenario and workspace loaders are the only parts that read files.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
package eval

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Request is one request to decide.
type Request struct {
	Principal       string // the caller: IAM user, role, role session, federated user or account root ARN
	Action          string // e.g. "s3:GetObject"
	Resource        string // e.g. "arn:aws:s3:::bucket/key"
	ResourceAccount string // the account that owns the resource; "" means the bucket's, else the principal's
	// Context holds condition keys as the request carries them; a key may
	// have several values. Key names are case-insensitive.
	Context map[string][]string
	// RequestPayer is "requester" when the request carries
	// x-amz-request-payer (it may also be given as that context key).
	RequestPayer string
	// ObjectOwner is the account that wrote the object, when it is not the
	// bucket owner; ObjectACL is the canned ACL it was written with.
	ObjectOwner, ObjectACL string
	// Multipart marks a part of a multipart upload, which on an SSE-KMS
	// bucket needs kms:Decrypt as well as kms:GenerateDataKey.
	Multipart bool
	// Time is when the request is made: aws:CurrentTime and aws:EpochTime.
	// The zero value means now.
	Time time.Time
}

type principalKind int

const (
	unknownPrincipal principalKind = iota
	userPrincipal
	rolePrincipal // the role ARN itself
	sessionPrincipal
	federatedPrincipal
	rootPrincipal
	servicePrincipal
	anonymousPrincipal
)

// principal is the caller, decoded once from its ARN.
type principal struct {
	arn      string
	kind     principalKind
	account  string
	name     string // user name, role name or federated user name
	roleARN  string // for a role or role session: the role's ARN
	service  string // for a service principal: e.g. "s3.amazonaws.com"
	linked   bool   // a service-linked role: SCPs do not apply
	typeName string // the value of aws:PrincipalType
}

// parsePrincipal decodes the caller's ARN.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func parsePrincipal(s string) principal {
	p := principal{arn: s}
	if s == "" || s == "*" || s == "anonymous" {
		p.kind, p.typeName = anonymousPrincipal, "Anonymous"
		return p
	}
	if !strings.HasPrefix(s, "arn:") {
		if strings.HasSuffix(s, ".amazonaws.com") {
			p.kind, p.service, p.typeName = servicePrincipal, s, "Service"
		}
		return p
	}
	a, ok := analysis.ParseARN(s)
	if !ok {
		return p
	}
	p.account = a.Account
	kind, rest, _ := strings.Cut(a.Resource, "/")
	last := rest[strings.LastIndex(rest, "/")+1:]
	switch {
	case a.Service == "iam" && a.Resource == "root":
		p.kind, p.typeName = rootPrincipal, "Account"
	case a.Service == "iam" && kind == "user":
		p.kind, p.name, p.typeName = userPrincipal, last, "User"
	case a.Service == "iam" && kind == "role":
		p.kind, p.name, p.roleARN, p.typeName = rolePrincipal, last, s, "AssumedRole"
		p.linked = strings.HasPrefix(rest, "aws-service-role/")
	case a.Service == "sts" && kind == "assumed-role":
		role, _, _ := strings.Cut(rest, "/")
		p.kind, p.name, p.typeName = sessionPrincipal, role, "AssumedRole"
		p.roleARN = "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + role
		// A session ARN drops the role's path; service-linked roles are
		// known by their name.
		p.linked = strings.HasPrefix(role, "AWSServiceRoleFor")
	case a.Service == "sts" && kind == "federated-user":
		p.kind, p.name, p.typeName = federatedPrincipal, last, "FederatedUser"
	}
	return p
}

// contextKeys are the request's condition keys, with the global keys the
// engine can derive from the request added where the request did not
// give them. Names are lower-cased: condition keys are case-insensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
type contextKeys map[string][]string

// derivedKeys is about how many keys newContext adds to the request's.
const derivedKeys = 14

func newContext(req *Request, p principal, resourceAccount, region string) contextKeys {
	ctx := make(contextKeys, len(req.Context)+derivedKeys) // no growing for each pass of a batch

	for k, v := range req.Context {
		ctx[strings.ToLower(k)] = v
	}
	derive := ctx.derive
	principalARN := p.arn
	if p.kind == sessionPrincipal {
		principalARN = p.roleARN // aws:PrincipalArn of a role session is the role's ARN
	}
	if p.kind != servicePrincipal && p.kind != anonymousPrincipal {
		derive("aws:principalarn", principalARN)
	}
	derive("aws:principalaccount", p.account)
	derive("aws:principaltype", p.typeName)
	derive("aws:principalservicename", p.service)
	switch p.kind {
	case userPrincipal:
		derive("aws:username", p.name)
	case rootPrincipal:
		derive("aws:userid", p.account)
	case federatedPrincipal:
		derive("aws:userid", p.account+":"+p.name)
	}
	derive("aws:resourceaccount", resourceAccount)
	derive("s3:resourceaccount", resourceAccount)
	ctx.deriveAlwaysPresent(req, p, region)
	return ctx
}

// deriveAlwaysPresent sets the keys AWS puts in every request, as far as
// the request decides them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func (c contextKeys) deriveAlwaysPresent(req *Request, p principal, region string) {
	now := req.Time
	if now.IsZero() {
		now = time.Now()
	}
	c.derive("aws:currenttime", now.UTC().Format(time.RFC3339))
	c.derive("aws:epochtime", strconv.FormatInt(now.Unix(), 10))
	// The tool reasons about requests made as AWS advises: over TLS.
	c.derive("aws:securetransport", "true")
	c.derive("aws:principalisawsservice", strconv.FormatBool(p.kind == servicePrincipal))
	// Only the request S3 makes to KMS for the caller (a forward access
	// session) is made by a service on the caller's behalf.
	c.derive("aws:viaawsservice", "false")
	c.derive("aws:requestedregion", region)
}

// unknownKeys are keys AWS sets from the request, the principal or the
// resource, whose value the tool cannot know unless the request gives
// it: a condition on them does not decide by itself, and the answer says
// what the decision depends on. unknownPrefixes are tag keys, present
// when the principal or resource carries the tag.
var (
	unknownKeys     = []string{"aws:sourceip", "aws:userid", "aws:useragent", "aws:requestedregion", "aws:principalorgid", "aws:principalorgpaths", "aws:resourceorgid", "aws:resourceorgpaths"}
	unknownPrefixes = []string{"aws:principaltag/", "aws:resourcetag/", "s3:existingobjecttag/"}
)

// unknown reports whether the request carries key with a value the tool
// cannot know. aws:SourceIp is absent from requests that come through a
// VPC endpoint.
func (c contextKeys) unknown(key string) bool {
	key = strings.ToLower(key)
	if _, given := c[key]; given {
		return false
	}
	if key == "aws:sourceip" && len(c["aws:sourcevpce"]) > 0 {
		return false
	}
	if slices.Contains(unknownKeys, key) {
		return true
	}
	for _, p := range unknownPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (c contextKeys) get(key string) []string { return c[strings.ToLower(key)] }

// requesterPays reports whether the request carries
// x-amz-request-payer: requester, as a field or as a context key.
func (r *Request) requesterPays() bool {
	if strings.EqualFold(r.RequestPayer, "requester") {
		return true
	}
	for k, vs := range r.Context {
		k = strings.ToLower(k)
		if k == "x-amz-request-payer" || k == "s3:x-amz-request-payer" {
			for _, v := range vs {
				if strings.EqualFold(v, "requester") {
					return true
				}
			}
		}
	}
	return false
}

// derive sets a key the request did not give.
func (c contextKeys) derive(key, value string) {
	if _, given := c[key]; !given && value != "" {
		c[key] = []string{value}
	}
}

// inAccount reports whether the caller is an identity of an AWS account,
// with identity-based policies; anonymous callers and service principals
// are not, and only resource-based policies can grant them access.
func (p principal) inAccount() bool {
	return p.kind != anonymousPrincipal && p.kind != servicePrincipal && p.account != ""
}
