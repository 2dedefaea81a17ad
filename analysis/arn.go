package analysis

import "strings"

// ARN is an Amazon Resource Name split into its parts:
// arn:partition:service:region:account:resource.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s. It reports false when s does not have the six parts.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// IsS3 reports whether the ARN names an S3 bucket or object (not an access
// point, whose ARNs carry a region and an account).
func (a ARN) IsS3() bool { return a.Service == "s3" && !strings.HasPrefix(a.Resource, "accesspoint/") }

// S3Bucket returns the bucket an S3 ARN names and, for an object ARN,
// the key pattern after the first slash.
func (a ARN) S3Bucket() (bucket, key string, isObject bool) {
	bucket, key, isObject = strings.Cut(a.Resource, "/")
	return bucket, key, isObject
}
