// Package policygen writes realistic policy documents of a chosen size and
// kind, deterministically, for benchmarks and stress tests.
package policygen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Kinds that Generate can write, with the file-name suffix that names them.
var Kinds = []struct{ Name, Suffix string }{
	{"bucket", ".bucket-policy.json"},
	{"identity", ".iam-policy.json"},
	{"key", ".key-policy.json"},
	{"endpoint", ".endpoint-policy.json"},
	{"scp", ".scp.json"},
}

var s3Actions = []string{
	"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation",
	"s3:GetObjectVersion", "s3:PutObjectAcl", "s3:ListBucketMultipartUploads", "s3:AbortMultipartUpload",
}

// Generate returns a policy of the given kind of about size bytes (at
// least one statement), laid out with two-space indentation as people
// write them. The same seed gives the same document.
func Generate(kind string, size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var b strings.Builder
	b.WriteString("{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"generated\",\n  \"Statement\": [")
	for i := 0; i == 0 || b.Len() < size-400; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		writeStatement(&b, kind, i, r)
	}
	b.WriteString("\n  ]\n}\n")
	return []byte(b.String())
}

func writeStatement(b *strings.Builder, kind string, i int, r *rand.Rand) {
	bucket := fmt.Sprintf("doc-example-bucket-%d", r.IntN(50))
	effect := "Allow"
	if r.IntN(5) == 0 {
		effect = "Deny"
	}
	fmt.Fprintf(b, "\n    {\n      \"Sid\": \"Statement%d\",\n      \"Effect\": %q,\n", i, effect)
	switch kind {
	case "bucket":
		fmt.Fprintf(b, "      \"Principal\": {\"AWS\": \"arn:aws:iam::%012d:root\"},\n", 111122223333+r.IntN(5))
	case "key":
		fmt.Fprintf(b, "      \"Principal\": {\"AWS\": \"arn:aws:iam::%012d:role/reader\"},\n", 111122223333+r.IntN(5))
		fmt.Fprintf(b, "      \"Action\": [\"kms:Decrypt\", \"kms:GenerateDataKey\"],\n      \"Resource\": \"*\"\n    }")
		return
	case "endpoint":
		b.WriteString("      \"Principal\": \"*\",\n")
	}
	actions := make([]string, 1+r.IntN(4))
	for j := range actions {
		actions[j] = fmt.Sprintf("%q", s3Actions[r.IntN(len(s3Actions))])
	}
	fmt.Fprintf(b, "      \"Action\": [%s],\n", strings.Join(actions, ", "))
	fmt.Fprintf(b, "      \"Resource\": [\n        \"arn:aws:s3:::%s\",\n        \"arn:aws:s3:::%s/*\"\n      ]", bucket, bucket)
	if r.IntN(3) == 0 || kind == "endpoint" {
		fmt.Fprintf(b, ",\n      \"Condition\": {\n        \"StringEquals\": {\"aws:PrincipalAccount\": [\"%012d\"]},\n        \"Bool\": {\"aws:SecureTransport\": \"true\"}\n      }", 111122223333)
	}
	b.WriteString("\n    }")
}
