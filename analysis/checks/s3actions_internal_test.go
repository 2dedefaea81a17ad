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

// reachesBucket answers an entry without a wildcard or a placeholder
// that does not name the bucket at once, and an S3 ARN whose bucket is
// written out by its name, wildcards after it or not; that answer is the
// one the ARNs' matches give: every pair of entries and buckets below.
func TestReachesBucketOfLiteralEntries(t *testing.T) {
	entries := []string{
		"arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::b/home/jane", "arn:aws:s3:::bb", "arn:aws:s3:::bb/*",
		"arn:aws:s3:::a-b/*", "arn:aws:s3:::b-a", "arn:aws:s3:::any-bucket-0", "arn:aws:s3:::any-bucket-0/x/y",
		"arn:aws:s3:::b?", "arn:aws:s3:::*", "arn:aws:s3:::${var.bucket}/*", "arn:aws:s3:::{{ bucket }}",
		"arn:aws:s3:::${aws:username}", "arn:aws:s3:::B", "*", "", "b", "arn:aws:s3:us-east-1:1:b",
		"arn:aws:kms:us-east-1:1:key/b", "arn:aws:s3:::b/../c",
		"arn:aws:s3:::b/*/x?", "arn:aws:s3:::bb/${aws:username}/*", "arn:aws:s3:::a-b/home/*", "arn:aws:s3:::b*/x",
		"arn:aws:s3:::accesspoint/b", "arn:aws:s3:::accesspoint/*", "arn:aws-cn:s3:::b/*", "arn:aws:s3:::/b/*",
		"arn:aws:s3:::b/{{ key }}", "arn:aws:s3:::c/*",
	}
	want := map[[2]string]bool{}
	for _, e := range entries {
		for _, b := range []string{"b", "bb", "a-b", "any-bucket-0", "c", "accesspoint", ""} {
			got := reachesBucket(e, b)
			if slow := coversBucket(e, b) || coversObjectsOf(e, b); got != slow {
				t.Errorf("reachesBucket(%q, %q) = %v, the matches say %v", e, b, got, slow)
			}
			want[[2]string{e, b}] = got
		}
	}
	for pair, reach := range map[[2]string]bool{
		{"arn:aws:s3:::b/home/jane", "b"}: true, {"arn:aws:s3:::bb", "b"}: false, {"arn:aws:s3:::a-b/*", "b"}: false,
		{"arn:aws:s3:::any-bucket-0/x/y", "any-bucket-0"}: true, {"arn:aws:s3:::${var.bucket}/*", "c"}: true,
		{"arn:aws:s3:::B", "b"}: false, {"arn:aws:s3:::b?", "bb"}: true,
		{"arn:aws:s3:::b/*/x?", "b"}: true, {"arn:aws:s3:::b/*/x?", "bb"}: false, {"arn:aws:s3:::bb/${aws:username}/*", "b"}: false,
		{"arn:aws-cn:s3:::b/*", "b"}: true, {"arn:aws:s3:::b*/x", "bb"}: true,
	} {
		if want[pair] != reach {
			t.Errorf("reachesBucket(%q, %q) = %v, want %v", pair[0], pair[1], want[pair], reach)
		}
	}
}
