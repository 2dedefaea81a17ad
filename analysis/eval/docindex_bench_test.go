package eval

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// BenchmarkCandidates looks up, in a principal's index of identity
// policies of a governed folder of 2,000 policies, the sites an S3 object
// request and the KMS request behind it may match.
func BenchmarkCandidates(b *testing.B) {
	dir := b.TempDir()
	if _, err := governed.Write(dir, 2000); err != nil {
		b.Fatal(err)
	}
	w, err := loadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	p := parsePrincipal(w.Callers()[0])
	c := w.cache()
	ix := c.ownedOf(w, p).index
	object, key := escapeWild("arn:aws:s3:::data-00123/*"), "arn:aws:kms:us-east-1:444455556666:key/00000123-0000-4000-8000-000000000000"
	for b.Loop() {
		ix.candidates("s3:getobject", object)
		ix.candidates("kms:decrypt", key)
	}
}
