package lsp_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// A closed bucket policy's cross-account missing-resource-arn ("no
// statement grants account 111122223333, whose jane.iam-policy.json uses
// this bucket") points at the Resource entry of each identity policy that
// uses the bucket. The server publishes it again when one of them changes
// what it cites: a Sid typed on the line of Jane's Resource moves the
// related range, and Bob's policy deleted on disk takes his finding away
// (review s8, B3: both were left as they were).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func TestAClosedBucketPolicyFollowsTheIdentityPoliciesItCites(t *testing.T) {
	dir := t.TempDir()
	const resource = `"arn:aws:s3:::shared-data/*"`
	jane := `{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ` + resource + `}]}` + "\n"
	bob := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:PutObject\", \"Resource\": " + resource + "}]\n}\n"
	for name, text := range map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}}, "files": {
  "*.iam-policy.json": {"kind": "identity", "account": "111122223333"},
  "jane.iam-policy.json": {"principal": "arn:aws:iam::111122223333:user/jane"},
  "bob.iam-policy.json": {"principal": "arn:aws:iam::111122223333:user/bob"},
  "shared.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"}}}`,
		"jane.iam-policy.json": jane,
		"bob.iam-policy.json":  bob,
		"shared.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
  "Action": "s3:GetObject", "Resource": ` + resource + `}]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	janeURI, bobURI, bucketURI := fileURI(dir, "jane.iam-policy.json"), fileURI(dir, "bob.iam-policy.json"), fileURI(dir, "shared.bucket-policy.json")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	// The bucket policy's cross-account findings, as where each relates to.
	cites := func(want ...protocol.Location) func(protocol.PublishDiagnosticsParams) bool {
		return func(p protocol.PublishDiagnosticsParams) bool {
			var got []protocol.Location
			for _, d := range p.Diagnostics {
				if d.Code == "missing-resource-arn" && strings.HasPrefix(d.Message, "no statement grants account 111122223333") {
					for _, r := range d.RelatedInformation {
						got = append(got, r.Location)
					}
				}
			}
			return slices.Equal(got, want)
		}
	}
	at := func(u, text string) protocol.Location {
		return protocol.Location{URI: protocol.DocumentURI(u), Range: rangeOf(t, text, resource)}
	}
	c.waitDiagnostics(bucketURI, cites(at(bobURI, bob), at(janeURI, jane)))
	waitScanEnd(c)

	c.open(janeURI, jane, 1)
	typed := strings.Replace(jane, `"Sid": "Read"`, `"Sid": "ReadShared"`, 1)
	c.change(janeURI, typed, 2)
	if at(janeURI, typed) == at(janeURI, jane) {
		t.Fatal("the Sid typed does not move Jane's Resource: the test shows nothing")
	}
	c.waitDiagnostics(bucketURI, cites(at(bobURI, bob), at(janeURI, typed)))

	bobPath := filepath.Join(dir, "bob.iam-policy.json")
	if err := os.Remove(bobPath); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{
		"changes": []any{map[string]any{"uri": string(uri.File(bobPath)), "type": 3}},
	})
	c.waitDiagnostics(bucketURI, cites(at(janeURI, typed)))
}
