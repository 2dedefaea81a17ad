package checks

import (
	"strings"
	"testing"
)

// isS3BucketARN answers as the plain rule does (no pattern or placeholder
// first, no typed resource's prefix), whatever byte the resource starts
// with: its test of the first byte only skips the prefixes.
func TestIsS3BucketARNAsThePlainRule(t *testing.T) {
	plain := func(resource string) bool {
		if resource == "" || isPattern(resource[:1]) || strings.HasPrefix(resource, "$") {
			return false
		}
		for _, typed := range s3TypedResources {
			if strings.HasPrefix(resource, typed) {
				return false
			}
		}
		return true
	}
	resources := []string{"", "b", "b/k", "*", "?x", "${x}", "$x", "job", "jobs/x", "access", "accesspoint", "accesspoints/x", "storage-lens-x", "async", "Job/x"}
	for _, typed := range s3TypedResources {
		resources = append(resources, typed, typed+"x", typed[:len(typed)-1])
	}
	for _, r := range resources {
		for _, service := range []string{"s3", "s3-object-lambda"} {
			if got, want := isS3BucketARN(service, r), service == "s3" && plain(r); got != want {
				t.Errorf("isS3BucketARN(%q, %q) = %v; want %v", service, r, got, want)
			}
		}
	}
}
