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
	// Cut field by field rather than SplitN: no slice to allocate, and
	// every check parses ARNs.
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, false
	}
	var a ARN
	fields := [...]*string{&a.Partition, &a.Service, &a.Region, &a.Account}
	if strings.IndexByte(rest, '$') < 0 {
		// No ${...}: every colon separates (most ARNs, asked by many
		// checks). The fields before the resource are short ("aws", "s3",
		// often empty): a byte loop, not a search call for each.
		start, n := 0, 0
		for i := 0; i < len(rest); i++ {
			if rest[i] != ':' {
				continue
			}
			*fields[n] = rest[start:i]
			start, n = i+1, n+1
			if n == len(fields) {
				a.Resource = rest[start:]
				return a, true
			}
		}
		return ARN{}, false
	}
	for _, field := range fields {
		if *field, rest, ok = cutColon(rest); !ok {
			return ARN{}, false
		}
	}
	a.Resource = rest
	return a, true
}

// cutColon cuts s at its first colon outside a ${...}: the colons of
// ${aws:PrincipalAccount} and ${AWS::Partition} do not separate parts.
func cutColon(s string) (before, after string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	open := strings.Index(s[:i], "${")
	if open < 0 {
		return s[:i], s[i+1:], true
	}
	end := strings.IndexByte(s[open:], '}')
	if end < 0 {
		return s[:i], s[i+1:], true
	}
	next := open + end + 1
	before, after, ok = cutColon(s[next:])
	return s[:next] + before, after, ok
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
