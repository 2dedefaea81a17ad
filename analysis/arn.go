package analysis

import (
	"math"
	"strings"
)

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

// BucketOrObject reports whether the ARN is an S3 bucket or object ARN
// (maybe a pattern): service s3 with no region and no account, not an
// access point. It returns the bucket and whether the ARN names objects.
func (a ARN) BucketOrObject() (bucket string, object, ok bool) {
	if !a.IsS3() || a.Region != "" || a.Account != "" {
		return "", false, false
	}
	bucket, _, object = a.S3Bucket()
	return bucket, object, true
}

// S3Bucket returns the bucket an S3 ARN names and, for an object ARN,
// the key pattern after the first slash.
func (a ARN) S3Bucket() (bucket, key string, isObject bool) {
	bucket, key, isObject = strings.Cut(a.Resource, "/")
	return bucket, key, isObject
}

// BucketOfARN is the bucket an S3 ARN names ("" for any other string):
// what the engine files a request's evaluation under, and what the server
// asks an edited bucket policy about, which must agree.
func BucketOfARN(s string) string {
	a, ok := ParseARN(s)
	if !ok || !a.IsS3() {
		return ""
	}
	name, _, _ := a.S3Bucket()
	return name
}

// ResourceARN is a Resource entry read once as an ARN: where ARNParts
// cuts it, as offsets into its text, and whether it is an S3 bucket or
// object ARN, so its parts are taken without reading it again. Over 2,000
// policies of 128,000 Resource entries ParseARN ran about 235,000 times,
// besides invalid-arn's ARNParts, one reading for each check that asked
// (Policy.ResourceARNs reads a policy's entries once for them all).
// Offsets, not strings: the table of a policy then holds no pointer but
// its values'. The zero ResourceARN, and one of a text over 2 GiB (never
// in practice: the tools read files of up to 1 MB), have no parts.
type ResourceARN struct {
	Value *Value
	// bounds: part i is Value.Str[bounds[i]+1 : bounds[i+1]]; bounds[0]
	// is -1, bounds[n] the text's length, the others the cuts.
	bounds    [7]int32
	bucketEnd int32 // the end of the bucket, when s3
	n         uint8 // ARNParts's n: the number of parts
	arn       bool  // ParseARN's answer: "arn:" and six parts
	s3        bool  // an S3 bucket or object ARN (BucketOrObject)
	object    bool  // and it names objects
}

// ReadResourceARN reads v as an ARN.
func ReadResourceARN(v *Value) ResourceARN {
	var r ResourceARN
	r.read(v)
	return r
}

// read reads v into r, which is zero (in place: a policy's table is
// written entry by entry).
func (r *ResourceARN) read(v *Value) {
	r.Value = v
	s := v.Str
	if len(s) > math.MaxInt32 {
		return
	}
	cuts, n := arnCuts(s)
	r.bounds[0] = -1
	for i, cut := range cuts[:n] {
		r.bounds[i+1] = int32(cut)
	}
	r.bounds[n+1] = int32(len(s))
	r.n = uint8(n + 1)
	r.arn = r.n == 6 && strings.HasPrefix(s, "arn:")
	// ARN.BucketOrObject's rule on the offsets (no ARN made for it: most
	// entries are S3's).
	if r.arn && r.Part(2) == "s3" && r.Part(3) == "" && r.Part(4) == "" {
		resource := r.Part(5)
		if !strings.HasPrefix(resource, "accesspoint/") {
			bucket, _, object := strings.Cut(resource, "/")
			r.s3, r.object, r.bucketEnd = true, object, int32(cuts[4]+1+len(bucket))
		}
	}
}

// N is ARNParts's n for the entry's text: the number of parts.
func (r *ResourceARN) N() int { return int(r.n) }

// Part is ARNParts's part i of the entry's text, "" when i is not below N.
func (r *ResourceARN) Part(i int) string {
	if i >= int(r.n) {
		return ""
	}
	return r.Value.Str[r.bounds[i]+1 : r.bounds[i+1]]
}

// Parts is ARNParts of the entry's text.
func (r *ResourceARN) Parts() (parts [6]string, n int) {
	for i := range int(r.n) {
		parts[i] = r.Part(i)
	}
	return parts, int(r.n)
}

// IsARN is ParseARN's second answer: the text starts with "arn:" and has
// the six parts.
func (r *ResourceARN) IsARN() bool { return r.arn }

// ARN is ParseARN of the entry's text.
func (r *ResourceARN) ARN() (ARN, bool) {
	if !r.arn {
		return ARN{}, false
	}
	return ARN{Partition: r.Part(1), Service: r.Part(2), Region: r.Part(3), Account: r.Part(4), Resource: r.Part(5)}, true
}

// BucketOrObject is ARN.BucketOrObject of the entry.
func (r *ResourceARN) BucketOrObject() (bucket string, object, ok bool) {
	if !r.s3 {
		return "", false, false
	}
	return r.Value.Str[r.bounds[5]+1 : r.bucketEnd], r.object, true
}
