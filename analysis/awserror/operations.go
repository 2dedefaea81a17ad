package awserror

import (
	"strings"
	"sync"
)

// Target is what an action of an operation acts on.
type Target int

const (
	OnObject Target = iota // the object named by bucket and key
	OnBucket               // the bucket
	OnSource               // the source object of a copy
	OnAny                  // "*": the action takes no resource
)

// Need is one permission an operation needs.
type Need struct {
	Action string
	On     Target
}

// operations are the actions each S3 API operation needs, from the
// pages that list them:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
// HeadObject needs s3:GetObject, HeadBucket and ListObjects(V2) need
// s3:ListBucket, and a copy needs to read its source and write its
// destination. Built on first use (explain --error), not when the
// program starts, as are the tables below.
var operations = sync.OnceValue(func() map[string][]Need {
	return map[string][]Need{
		"GetObject":               {{"s3:GetObject", OnObject}},
		"HeadObject":              {{"s3:GetObject", OnObject}},
		"SelectObjectContent":     {{"s3:GetObject", OnObject}},
		"GetObjectAttributes":     {{"s3:GetObject", OnObject}, {"s3:GetObjectAttributes", OnObject}},
		"GetObjectAcl":            {{"s3:GetObjectAcl", OnObject}},
		"GetObjectTagging":        {{"s3:GetObjectTagging", OnObject}},
		"GetObjectRetention":      {{"s3:GetObjectRetention", OnObject}},
		"GetObjectLegalHold":      {{"s3:GetObjectLegalHold", OnObject}},
		"RestoreObject":           {{"s3:RestoreObject", OnObject}},
		"PutObject":               {{"s3:PutObject", OnObject}},
		"CreateMultipartUpload":   {{"s3:PutObject", OnObject}},
		"UploadPart":              {{"s3:PutObject", OnObject}},
		"CompleteMultipartUpload": {{"s3:PutObject", OnObject}},
		"AbortMultipartUpload":    {{"s3:AbortMultipartUpload", OnObject}},
		"ListParts":               {{"s3:ListMultipartUploadParts", OnObject}},
		"PutObjectAcl":            {{"s3:PutObjectAcl", OnObject}},
		"PutObjectTagging":        {{"s3:PutObjectTagging", OnObject}},
		"DeleteObject":            {{"s3:DeleteObject", OnObject}},
		"DeleteObjects":           {{"s3:DeleteObject", OnObject}},
		"DeleteObjectTagging":     {{"s3:DeleteObjectTagging", OnObject}},
		"CopyObject":              {{"s3:GetObject", OnSource}, {"s3:PutObject", OnObject}},
		"UploadPartCopy":          {{"s3:GetObject", OnSource}, {"s3:PutObject", OnObject}},

		"ListObjects":                     {{"s3:ListBucket", OnBucket}},
		"ListObjectsV2":                   {{"s3:ListBucket", OnBucket}},
		"HeadBucket":                      {{"s3:ListBucket", OnBucket}},
		"ListObjectVersions":              {{"s3:ListBucketVersions", OnBucket}},
		"ListMultipartUploads":            {{"s3:ListBucketMultipartUploads", OnBucket}},
		"GetBucketLocation":               {{"s3:GetBucketLocation", OnBucket}},
		"GetBucketPolicy":                 {{"s3:GetBucketPolicy", OnBucket}},
		"PutBucketPolicy":                 {{"s3:PutBucketPolicy", OnBucket}},
		"DeleteBucketPolicy":              {{"s3:DeleteBucketPolicy", OnBucket}},
		"GetBucketAcl":                    {{"s3:GetBucketAcl", OnBucket}},
		"PutBucketAcl":                    {{"s3:PutBucketAcl", OnBucket}},
		"GetBucketEncryption":             {{"s3:GetEncryptionConfiguration", OnBucket}},
		"PutBucketEncryption":             {{"s3:PutEncryptionConfiguration", OnBucket}},
		"GetBucketOwnershipControls":      {{"s3:GetBucketOwnershipControls", OnBucket}},
		"PutBucketOwnershipControls":      {{"s3:PutBucketOwnershipControls", OnBucket}},
		"GetBucketRequestPayment":         {{"s3:GetBucketRequestPayment", OnBucket}},
		"GetBucketVersioning":             {{"s3:GetBucketVersioning", OnBucket}},
		"GetBucketTagging":                {{"s3:GetBucketTagging", OnBucket}},
		"GetBucketCors":                   {{"s3:GetBucketCORS", OnBucket}},
		"GetBucketLifecycleConfiguration": {{"s3:GetLifecycleConfiguration", OnBucket}},
		"GetPublicAccessBlock":            {{"s3:GetBucketPublicAccessBlock", OnBucket}},
		"DeleteBucket":                    {{"s3:DeleteBucket", OnBucket}},
		"CreateBucket":                    {{"s3:CreateBucket", OnBucket}},
		"ListBuckets":                     {{"s3:ListAllMyBuckets", OnAny}},
	}
})

// kmsOperations are the KMS operations S3 calls for an SSE-KMS object,
// and the S3 operation behind each: reading decrypts, writing generates
// a data key.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
var kmsOperations = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"Decrypt":                         "GetObject",
		"GenerateDataKey":                 "PutObject",
		"GenerateDataKeyWithoutPlaintext": "PutObject",
	}
})

// Needs lists what an operation needs; nil for an operation the table
// does not hold. Names are matched without regard to case.
func Needs(operation string) []Need {
	if n, ok := operations()[operation]; ok {
		return n
	}
	for name, n := range operations() {
		if strings.EqualFold(name, operation) {
			return n
		}
	}
	return nil
}

// S3OperationOfKMS is the S3 operation that makes S3 call a KMS
// operation on the caller's behalf, or "".
func S3OperationOfKMS(operation string) string { return kmsOperations()[operation] }
