package checks

import "testing"

// s3BucketOf parses only entries that hold ":s3:::"; every bucket or
// object ARN does, with a ${...} partition too.
func TestS3BucketOf(t *testing.T) {
	type answer struct {
		bucket     string
		object, ok bool
	}
	for resource, want := range map[string]answer{
		"arn:aws:s3:::b":                        {"b", false, true},
		"arn:aws:s3:::b/k/*":                    {"b", true, true},
		"arn:aws:s3:::*":                        {"*", false, true},
		"arn:${AWS::Partition}:s3:::b/*":        {"b", true, true},
		"arn:aws-cn:s3:::${aws:username}/*":     {"${aws:username}", true, true},
		"arn:aws:s3:us-east-1:1:accesspoint/ap": {},
		"arn:aws:s3::1:b":                       {},
		"arn:aws:kms:us-east-1:1:key/k":         {},
		"arn:aws:s3:::accesspoint/x":            {},
		"*":                                     {},
		"":                                      {},
		":s3:::b":                               {},
	} {
		var got answer
		got.bucket, got.object, got.ok = s3BucketOf(resource)
		if got != want {
			t.Errorf("s3BucketOf(%q) = %+v, want %+v", resource, got, want)
		}
	}
}
