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
// give them. Names are case-insensitive.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//
// A pass asks for keys by the names its policies write: the request's
// own keys are compared with them as they are, and the derived ones sit
// in fixed slots, so that building the context of a pass allocates
// nothing (it was an eighth of explain's time, a map per pass).
type contextKeys struct {
	req *Request
	// given are the request's own keys when they are few (all of them
	// when many is false): a lookup scans them instead of the map.
	given  [maxGiven]givenKey
	nGiven int
	many   bool
	// derived holds the value of each derived key (derivedNames), ""
	// where the key is not derived; a request's own key of the same name
	// wins, except for the overridden slots.
	derived    [slotCount]string
	overridden [slotCount]bool
	// now is when the request is made: aws:CurrentTime and aws:EpochTime
	// are formatted on first use.
	now       time.Time
	timeReady bool
	// unknownResourceAccount: the bucket is in an account the tool cannot
	// know (Scenario.elsewhere), the value of aws:ResourceAccount.
	unknownResourceAccount bool
}

type givenKey struct {
	name   string
	values []string
}

const maxGiven = 8

// The slots of the derived keys, and their names, lower-cased.
const (
	slotPrincipalARN = iota
	slotPrincipalAccount
	slotPrincipalType
	slotPrincipalServiceName
	slotUsername
	slotUserID
	slotResourceAccount
	slotS3ResourceAccount
	slotCurrentTime
	slotEpochTime
	slotSecureTransport
	slotPrincipalIsAWSService
	slotViaAWSService
	slotRequestedRegion
	slotKMSCallerAccount
	slotKMSViaService
	slotKMSEncryptionContextARN
	slotCount
)

var derivedNames = [slotCount]string{
	"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:principalservicename",
	"aws:username", "aws:userid", "aws:resourceaccount", "s3:resourceaccount",
	"aws:currenttime", "aws:epochtime", "aws:securetransport", "aws:principalisawsservice",
	"aws:viaawsservice", "aws:requestedregion",
	"kms:calleraccount", "kms:viaservice", "kms:encryptioncontext:aws:s3:arn",
}

func newContext(req *Request, p principal, resourceAccount, region string) *contextKeys {
	c := &contextKeys{}
	c.init(req, p, resourceAccount, region)
	return c
}

// init fills the context of a request in place.
func (c *contextKeys) init(req *Request, p principal, resourceAccount, region string) {
	*c = contextKeys{req: req, now: req.Time, many: len(req.Context) > maxGiven}
	if !c.many {
		for k, v := range req.Context {
			c.given[c.nGiven] = givenKey{k, v}
			c.nGiven++
		}
	}
	principalARN := p.arn
	if p.kind == sessionPrincipal {
		principalARN = p.roleARN // aws:PrincipalArn of a role session is the role's ARN
	}
	if p.kind != servicePrincipal && p.kind != anonymousPrincipal {
		c.derived[slotPrincipalARN] = principalARN
	}
	c.derived[slotPrincipalAccount] = p.account
	c.derived[slotPrincipalType] = p.typeName
	c.derived[slotPrincipalServiceName] = p.service
	switch p.kind {
	case userPrincipal:
		c.derived[slotUsername] = p.name
	case rootPrincipal:
		c.derived[slotUserID] = p.account
	case federatedPrincipal:
		c.derived[slotUserID] = p.account + ":" + p.name
	}
	c.derived[slotResourceAccount] = resourceAccount
	c.derived[slotS3ResourceAccount] = resourceAccount
	c.deriveAlwaysPresent(p, region)
}

// deriveAlwaysPresent sets the keys AWS puts in every request, as far as
// the request decides them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func (c *contextKeys) deriveAlwaysPresent(p principal, region string) {
	// aws:CurrentTime and aws:EpochTime: see timeValue.
	c.derived[slotCurrentTime], c.derived[slotEpochTime] = "now", "now"
	// The tool reasons about requests made as AWS advises: over TLS.
	c.derived[slotSecureTransport] = "true"
	c.derived[slotPrincipalIsAWSService] = strconv.FormatBool(p.kind == servicePrincipal)
	// Only the request S3 makes to KMS for the caller (a forward access
	// session) is made by a service on the caller's behalf.
	c.derived[slotViaAWSService] = "false"
	c.derived[slotRequestedRegion] = region
}

// timeValue formats aws:CurrentTime and aws:EpochTime the first time a
// policy asks for one.
func (c *contextKeys) timeValue() {
	if c.timeReady {
		return
	}
	c.timeReady = true
	now := c.now
	if now.IsZero() {
		now = time.Now()
	}
	c.derived[slotCurrentTime] = now.UTC().Format(time.RFC3339)
	c.derived[slotEpochTime] = strconv.FormatInt(now.Unix(), 10)
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
func (c *contextKeys) unknown(key string) bool {
	if _, given := c.lookup(key); given {
		return false
	}
	if sameKey(key, "aws:sourceip") && len(c.get("aws:sourcevpce")) > 0 {
		return false
	}
	if c.unknownResourceAccount {
		if slot := derivedSlot(key); slot == slotResourceAccount || slot == slotS3ResourceAccount {
			return true
		}
	}
	for _, k := range unknownKeys {
		if sameKey(key, k) {
			return true
		}
	}
	for _, p := range unknownPrefixes {
		if len(key) >= len(p) && sameKey(key[:len(p)], p) {
			return true
		}
	}
	return false
}

func (c *contextKeys) get(key string) []string {
	values, _ := c.lookup(key)
	return values
}

// lookup returns the values of a key and whether the context has it: a
// key the request gives (even without values), else a derived one.
func (c *contextKeys) lookup(key string) ([]string, bool) {
	slot := derivedSlot(key)
	if slot >= 0 && c.overridden[slot] {
		return c.derived[slot : slot+1 : slot+1], true
	}
	for _, g := range c.given[:c.nGiven] {
		if sameKey(g.name, key) {
			return g.values, true
		}
	}
	if c.many {
		for k, values := range c.req.Context {
			if sameKey(k, key) {
				return values, true
			}
		}
	}
	if slot < 0 || c.derived[slot] == "" {
		return nil, false
	}
	if slot == slotCurrentTime || slot == slotEpochTime {
		c.timeValue()
	}
	return c.derived[slot : slot+1 : slot+1], true
}

// derivedSlot is the slot of a derived key, or -1.
func derivedSlot(key string) int {
	for i, name := range derivedNames {
		if len(name) == len(key) && sameKey(key, name) {
			return i
		}
	}
	return -1
}

// sameKey compares condition key names as AWS does, ignoring case (as
// strings.ToLower on both would).
func sameKey(a, b string) bool {
	if len(a) != len(b) {
		return !(asciiOnly(a) && asciiOnly(b)) && strings.ToLower(a) == strings.ToLower(b)
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 0x80 || y >= 0x80 {
			return strings.ToLower(a) == strings.ToLower(b)
		}
		if x != y && lowerByte(x) != lowerByte(y) {
			return false
		}
	}
	return true
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// override sets a derived key whatever the request gives.
func (c *contextKeys) override(slot int, value string) {
	c.derived[slot], c.overridden[slot] = value, true
}

// derive sets a derived key the request does not give.
func (c *contextKeys) derive(slot int, value string) {
	c.derived[slot] = value
}

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

// inAccount reports whether the caller is an identity of an AWS account,
// with identity-based policies; anonymous callers and service principals
// are not, and only resource-based policies can grant them access.
func (p principal) inAccount() bool {
	return p.kind != anonymousPrincipal && p.kind != servicePrincipal && p.account != ""
}
