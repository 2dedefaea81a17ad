package checks_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// TestCauseChecksSurviveHalfTypedAndOddInput runs every check on every
// prefix of each example policy (what an editor sees while it is typed)
// and on policies whose elements have the wrong types: no check may fail.
func TestCauseChecksSurviveHalfTypedAndOddInput(t *testing.T) {
	cfg := workspace(t, `, "encryption": "aws:kms", "kmsKeyArn": "`+bucketKey+`", "requesterPays": true, "objectOwnership": "ObjectWriter"`)
	docs := []string{
		`{"Statement": 5}`,
		`{"Statement": [1, "x", null, {"Effect": ["Deny"], "Action": {"a": 1}, "Resource": 3, "Principal": [], "Condition": []}]}`,
		`{"Statement": {"Effect": "Deny", "NotAction": 7, "NotResource": null, "Condition": {"StringNotEquals": "x", "Null": {"k": [true]}}}}`,
		`{"Statement": [{"Effect": "Allow", "Principal": {"AWS": [1, null]}, "Action": [], "Resource": []}]}`,
	}
	paths, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*.*-policy.json"))
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(src) {
			docs = append(docs, string(src[:i]))
		}
	}
	for _, name := range []string{"jane.json", "bucket.json", "vpce.json", "session.json", "k.key-policy.json", "o.scp.json"} {
		for _, doc := range docs {
			_, fs := checktest.Run(t, name, doc, cfg)
			for _, f := range fs {
				if f.Code == analysis.InternalErrorCode {
					t.Fatalf("%s on %q: %s", name, doc, f.Message.Text().EN)
				}
			}
		}
	}
}
