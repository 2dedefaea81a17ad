package checks_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A permissions boundary whose statement allows Jane's actions on another
// bucket (a near miss on the resource) blocks her requests: the finding is
// the boundary's (boundary-blocks, at the boundary, the file to change),
// not missing-resource-arn, an error of the code for an identity policy
// whose Resource lacks the bucket's ARN, on her identity policy, whose
// Resource is right (the review's counter-example).
func TestABoundaryNearMissIsTheBoundarys(t *testing.T) {
	dir, texts := exampleTexts(t, "permissions-boundary")
	boundary := filepath.Join(dir, "jane.boundary.json")
	texts[boundary] = []byte(strings.Replace(string(texts[boundary]), `"Sid": "ListOnly",`, `"Sid": "ObjectsElsewhere", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::other-bucket/*"
    },
    {
      "Sid": "ListOnly",`, 1))
	w := tree.Sets(dir, texts)[0].Workspace
	if fs := findingsOf(t, w, "jane.iam-policy.json", "missing-resource-arn"); len(fs) != 0 {
		t.Errorf("jane's identity policy has missing-resource-arn: %+v", fs)
	}
	// One finding at the statement that nearly allows the S3 requests, one
	// at "Statement" for the KMS actions no statement comes close to.
	fs := findingsOf(t, w, "jane.boundary.json", "boundary-blocks")
	var at []string
	for _, f := range fs {
		at = append(at, string(texts[boundary][f.Span.Start:f.Span.End]))
		wantMessage(t, f, "blocks s3:GetObject and s3:PutObject of jane on shared-data/*", "jane の shared-data/*")
	}
	if want := []string{`"Statement"`, `"arn:aws:s3:::other-bucket/*"`}; !slices.Equal(at, want) {
		t.Errorf("boundary-blocks at %q, want at %q", at, want)
	}
}
