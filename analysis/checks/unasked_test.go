package checks_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A request that none of the principal's identity policies asks for is
// stopped by them first (explain: blocked by identity), and a policy that
// does not ask for a request is no fault: the checks of the layers after
// them say nothing of it, and their fixes do not widen a boundary, an
// endpoint or a key policy to it. The bucket policy grants Jane's account
// s3:GetObject and s3:PutObject; Jane's policy asks for s3:GetObject only.
// Her reads, which the boundary, endpoint, key policy and Requester Pays
// bucket block, stay reported as before. With her s3:PutObject on another
// bucket, her policy lacks shared-data for uploads: that is its finding
// (missing-resource-arn, at Statement, as before), and the boundary's
// block of them, behind it, is not reported (before: at her
// s3:PutObject, "jane asks for s3:PutObject on shared-data/* here").
func TestARequestNoPolicyAsksForIsNotReported(t *testing.T) {
	for _, tc := range []struct {
		example string
		upload  string // what Jane's policy allows s3:PutObject on, "" for nothing
		want    []string
	}{
		{"permissions-boundary", "", []string{
			"jane.boundary.json boundary-blocks: this permissions boundary blocks s3:GetObject of jane on shared-data/* [Allow s3:GetObject, kms:Decrypt on shared-data/* in this permissions boundary]",
			`jane.iam-policy.json boundary-blocks at "s3:GetObject": jane.boundary.json blocks s3:GetObject on shared-data/*, granted by the bucket policy []`}},
		{"endpoint-policy", "", []string{
			"endpoint.endpoint-policy.json endpoint-policy-blocks: no Allow statement covers bucket shared-data: requests to it through vpce-0abc1234 are denied [Allow s3:GetObject on shared-data]",
			`jane.iam-policy.json endpoint-policy-blocks at "s3:GetObject": endpoint.endpoint-policy.json blocks s3:GetObject on shared-data/*, granted by the bucket policy []`}},
		{"kms-key-policy", "", []string{
			`jane.iam-policy.json kms-missing-actions at "s3:GetObject": key.key-policy.json blocks s3:GetObject on shared-data/*, granted by the bucket policy []`,
			"key.key-policy.json kms-missing-actions: this KMS key policy blocks s3:GetObject of jane on shared-data/* [Allow kms:Decrypt to arn:aws:iam::111122223333:root in this key policy]"}},
		{"requester-pays", "", []string{
			`jane.iam-policy.json requester-pays at "s3:GetObject": s3:GetObject on shared-data/* needs x-amz-request-payer: requester (a Requester Pays bucket) []`}},
		{"permissions-boundary", "arn:aws:s3:::other-data/*", []string{
			"jane.boundary.json boundary-blocks: this permissions boundary blocks s3:GetObject of jane on shared-data/* [Allow s3:GetObject, kms:Decrypt on shared-data/* in this permissions boundary]",
			`jane.iam-policy.json boundary-blocks at "s3:GetObject": jane.boundary.json blocks s3:GetObject on shared-data/*, granted by the bucket policy []`,
			`jane.iam-policy.json missing-resource-arn at "Statement": s3:PutObject on shared-data/*, which the bucket policy grants, is denied. Identity policies: statement "Uploads" of jane.iam-policy.json allows s3:PutObject, but not on arn:aws:s3:::shared-data/* []`}},
	} {
		t.Run(tc.example+" "+tc.upload, func(t *testing.T) {
			dir, texts := exampleTexts(t, tc.example)
			id := filepath.Join(dir, "jane.iam-policy.json")
			read := strings.Replace(string(texts[id]), `"s3:GetObject",
        "s3:PutObject"`, `"s3:GetObject"`, 1)
			if read == string(texts[id]) {
				t.Fatalf("%s: Jane's policy does not ask for s3:GetObject and s3:PutObject together", tc.example)
			}
			if tc.upload != "" {
				read = strings.Replace(read, `"Statement": [`, `"Statement": [
    {"Sid": "Uploads", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "`+tc.upload+`"},`, 1)
			}
			texts[id] = []byte(read)
			w := tree.Sets(dir, texts)[0].Workspace
			var got []string
			for _, f := range w.PolicyFiles() {
				for _, fd := range analysis.Analyze(f, checks.All) {
					switch fd.Code {
					case "boundary-blocks", "endpoint-policy-blocks", "kms-missing-actions", "requester-pays", "missing-resource-arn":
					default:
						continue
					}
					if f.Kind != analysis.KindIdentity && fd.Code == "requester-pays" {
						continue // the bucket's own finding, of every request
					}
					var titles []string
					for _, x := range fd.AllFixes() {
						titles = append(titles, x.Title.EN)
					}
					where := ""
					if f.Kind == analysis.KindIdentity {
						where = " at " + string(f.Src[fd.Span.Start:fd.Span.End])
					}
					line := filepath.Base(f.Path) + " " + fd.Code + where + ": " + fd.Message.Text().EN + " [" + strings.Join(titles, "; ") + "]"
					got = append(got, line)
					for _, r := range fd.Related {
						if strings.Contains(r.Message.EN, "asks for s3:PutObject") {
							t.Errorf("%s: related %q", line, r.Message.EN)
						}
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
