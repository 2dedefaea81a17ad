package cloudtrail

import (
	"net"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
)

// Event is what one CloudTrail record says about a request.
type Event struct {
	ID, Time, Source, Name, Region string
	ErrorCode, ErrorMessage        string
	// userIdentity
	IdentityType, ARN, AccountID, PrincipalID, InvokedBy string
	SessionIssuer                                        string // the role's ARN, for an AssumedRole
	// requestParameters
	Bucket, Key, CopySource, ACL, RequestPayer, SSE string
	KMSObject                                       string // aws:s3:arn of a KMS event's encryption context
	VPCEndpoint, SourceIP                           string
	Secure                                          bool     // the request came over TLS (tlsDetails or CipherSuite)
	Resources                                       []string // resources[].ARN
	BucketAccount                                   string   // resources[] accountId of the bucket
}

// Parse reads one record. Field names are matched as CloudTrail writes
// them or in lower case, as Athena writes them; a field whose value is
// JSON text (Athena's requestparameters) is read through.
func Parse(record []byte) Event {
	v := gjson.ParseBytes(record)
	e := Event{
		ID: str(v, "eventID"), Time: str(v, "eventTime"), Source: str(v, "eventSource"), Name: str(v, "eventName"),
		Region: str(v, "awsRegion"), ErrorCode: str(v, "errorCode"), ErrorMessage: str(v, "errorMessage"),
		IdentityType: str(v, "userIdentity", "type"), ARN: str(v, "userIdentity", "arn"),
		AccountID: str(v, "userIdentity", "accountId"), PrincipalID: str(v, "userIdentity", "principalId"),
		InvokedBy: str(v, "userIdentity", "invokedBy"), SessionIssuer: str(v, "userIdentity", "sessionContext", "sessionIssuer", "arn"),
		Bucket: str(v, "requestParameters", "bucketName"), Key: str(v, "requestParameters", "key"),
		CopySource: str(v, "requestParameters", "x-amz-copy-source"), ACL: str(v, "requestParameters", "x-amz-acl"),
		RequestPayer: str(v, "requestParameters", "x-amz-request-payer"),
		SSE:          str(v, "requestParameters", "x-amz-server-side-encryption"),
		KMSObject:    str(v, "requestParameters", "encryptionContext", "aws:s3:arn"),
		VPCEndpoint:  str(v, "vpcEndpointId"), SourceIP: str(v, "sourceIPAddress"),
		Secure: get(v, "tlsDetails").Exists() || get(v, "additionalEventData", "CipherSuite").Exists(),
	}
	get(v, "resources").ForEach(func(_, r gjson.Result) bool {
		arn := str(r, "ARN")
		e.Resources = append(e.Resources, arn)
		if str(r, "type") == "AWS::S3::Bucket" {
			e.BucketAccount = str(r, "accountId")
		}
		return true
	})
	return e
}

// get looks a path up, each name as written or in lower case, reading
// through values that are JSON text.
func get(v gjson.Result, path ...string) gjson.Result {
	for _, name := range path {
		if v.Type == gjson.String && gjson.Valid(v.Str) {
			v = gjson.Parse(v.Str)
		}
		if !v.IsObject() {
			return gjson.Result{}
		}
		next := v.Get(gjson.Escape(name))
		if !next.Exists() {
			next = v.Get(gjson.Escape(strings.ToLower(name)))
		}
		v = next
	}
	return v
}

func str(v gjson.Result, path ...string) string {
	r := get(v, path...)
	if r.Type == gjson.String {
		return r.Str
	}
	if r.Type == gjson.Number {
		return r.Raw
	}
	return ""
}

// Denied reports whether the event is an access denied of S3 or KMS.
func (e *Event) Denied() bool {
	switch e.ErrorCode {
	case "AccessDenied", "AccessDeniedException":
	default:
		return false
	}
	return e.Source == "" || e.Source == "s3.amazonaws.com" || e.Source == "kms.amazonaws.com"
}

// IsKMS reports whether the event is the KMS call S3 made for an
// SSE-KMS object.
func (e *Event) IsKMS() bool { return e.Source == "kms.amazonaws.com" }

// Principal is the caller as the engine takes it: the user, role
// session, federated user or root ARN; the service for an AWS service;
// "anonymous"; or "" when the event names only the caller's account (as
// the bucket owner's trail does for another account's caller).
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
func (e *Event) Principal() string {
	switch e.IdentityType {
	case "AWSService":
		return e.InvokedBy
	case "AWSAccount":
		if e.AccountID == "anonymous" || e.PrincipalID == "ANONYMOUS_PRINCIPAL" || e.AccountID == "ANONYMOUS_PRINCIPAL" {
			return "anonymous"
		}
		return e.ARN
	case "Root":
		if e.ARN == "" && e.AccountID != "" {
			return "arn:aws:iam::" + e.AccountID + ":root"
		}
	}
	return e.ARN
}

// Message is what AWS said: the errorMessage read as an AccessDenied
// message, with the event's operation; a message the parser does not
// know is kept as a plain denial.
func (e *Event) Message() *awserror.Message {
	m, err := awserror.Parse(e.ErrorMessage)
	if err != nil {
		m = &awserror.Message{Text: e.ErrorMessage}
	}
	m.Code = e.ErrorCode
	if !e.IsKMS() {
		m.Operation = e.Name
	}
	return m
}

// kmsContextARN is the condition key of the S3 ARN in the encryption
// context of the KMS calls S3 makes.
const kmsContextARN = "kms:EncryptionContext:aws:s3:arn"

// BucketKey reports whether the event is a KMS call S3 made for a bucket
// with S3 Bucket Keys: its encryption context names the bucket, not the
// object (one data key serves the bucket's objects for a while).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
func (e *Event) BucketKey() bool {
	if !e.IsKMS() || !strings.HasPrefix(e.KMSObject, "arn:aws:s3:::") {
		return false
	}
	bucket := strings.TrimPrefix(e.KMSObject, "arn:aws:s3:::")
	return bucket != "" && !strings.Contains(bucket, "/")
}

// Facts are the request's facts that the message leaves out.
func (e *Event) Facts() awserror.Facts {
	f := awserror.Facts{
		Principal: e.Principal(), Operation: e.Name, Bucket: e.Bucket, Key: e.Key, CopySource: e.CopySource,
		ResourceAccount: e.BucketAccount, RequestPayer: e.RequestPayer, Context: map[string][]string{},
	}
	if e.IsKMS() {
		f.Operation = awserror.S3OperationOfKMS(e.Name)
		f.Resource = e.KMSObject
		if e.BucketKey() {
			// The KMS call does not depend on the object: the request is
			// any object of the bucket, and the key policy's conditions
			// see the bucket's ARN, as KMS did.
			f.Resource = e.KMSObject + "/*"
			f.Context[kmsContextARN] = []string{e.KMSObject}
		}
	} else if f.Key == "" {
		for _, r := range e.Resources {
			if strings.HasPrefix(r, "arn:aws:s3:::") && strings.Contains(r, "/") {
				f.Resource = r
			}
		}
	}
	set := func(key, value string) {
		if value != "" {
			f.Context[key] = []string{value}
		}
	}
	set("aws:SourceVpce", e.VPCEndpoint)
	// Through a VPC endpoint the caller's address is aws:VpcSourceIp,
	// and aws:SourceIp is absent.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
	if net.ParseIP(e.SourceIP) != nil {
		if e.VPCEndpoint != "" {
			set("aws:VpcSourceIp", e.SourceIP)
		} else {
			set("aws:SourceIp", e.SourceIP)
		}
	}
	set("s3:x-amz-acl", e.ACL)
	set("s3:x-amz-server-side-encryption", e.SSE)
	if e.Secure {
		set("aws:SecureTransport", "true")
	}
	return f
}
