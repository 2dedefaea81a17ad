package analysis

import "strings"

// ARN is an Amazon Resource Name split into its parts:
// arn:partition:service:region:account:resource.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s. It reports false when s does not have the six parts.
// Its parts are ARNParts's: one reading of an ARN for every check, the
// engine and invalid-arn.
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
		// often empty): a byte loop, not a search call for each. (Faster
		// here than ARNParts's loop, which keeps offsets for any string:
		// ParseARN is asked about twice as often.)
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
	parts, n := ARNParts(s)
	if n < len(parts) {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// ARNParts cuts s at the colons that separate the parts of an ARN
// (arn:partition:service:region:account:resource), at most five times:
// the resource keeps its colons. A colon inside a ${...}, a policy
// variable such as ${aws:username} or a pseudo parameter such as
// ${AWS::Partition}, does not separate, nor does one inside a ${...}
// nested in another; after an unclosed ${ none does. n is the number of
// parts found, six for a whole ARN.
func ARNParts(s string) (parts [6]string, n int) {
	cuts, n := arnCuts(s)
	start := 0
	for i, cut := range cuts[:n] {
		parts[i] = s[start:cut]
		start = cut + 1
	}
	parts[n] = s[start:]
	return parts, n + 1
}

// arnCuts returns the offsets of the first n (at most five) colons of s
// that separate the parts of an ARN (ARNParts). Offsets, not strings: the
// parts are then written once, into ARNParts's result (invalid-arn's
// splitARN, which appended each part as it found it, was 3 % of check
// over a tree).
func arnCuts(s string) (cuts [5]int, n int) {
	start := 0
	if strings.HasPrefix(s, "arn:") { // nearly always: its colon is the first
		cuts[0], n, start = 3, 1, 4
	}
	if strings.IndexByte(s[start:], '$') < 0 {
		// No ${...}: every colon separates (most ARNs, asked by many
		// checks). The parts before the resource are short ("aws", "s3",
		// often empty): a byte loop, not a search call for each.
		for i := start; i < len(s); i++ {
			if s[i] == ':' {
				cuts[n] = i
				if n++; n == len(cuts) {
					break
				}
			}
		}
		return cuts, n
	}
	depth := 0
	for i := start; i < len(s) && n < len(cuts); i++ {
		switch s[i] {
		case ':':
			if depth == 0 {
				cuts[n] = i
				n++
			}
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				depth++
			}
		case '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return cuts, n
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
