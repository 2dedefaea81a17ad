package eval

import (
	"fmt"
	"strings"
	"testing"
)

// benchmarkScenarios builds n scenarios that mix the layers: cross-account
// and same-account callers, SSE-KMS, SCPs, an endpoint and conditions.
func benchmarkScenarios(n int) []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		account := []string{"111122223333", "444455556666"}[i%2]
		fmt.Fprintf(&b, `{
"request": {"principal": "arn:aws:iam::%s:user/user%d", "action": "s3:%s", "resource": "arn:aws:s3:::shared/home/user%d/f%d.txt",
  "context": {"aws:SourceVpce": "vpce-%d", "aws:SourceIp": "203.0.113.%d", "aws:TagKeys": ["env", "team"]}},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared/home/${aws:username}/*"},
  {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}}]}],
"resourcePolicy": {"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*"},
  {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::shared/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/25"}}}]},
"serviceControlPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Effect": "Deny", "NotAction": ["s3:*", "kms:*"], "Resource": "*"}]}],
"endpointPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}}}]}],
"keyPolicy": {"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}}]},
"bucket": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k1"}
}`, account, i, []string{"GetObject", "PutObject"}[i%2], i%7, i, i%3, i%256)
	}
	b.WriteString("]")
	return []byte(b.String())
}

// TestBenchmarkScenariosDecide keeps the benchmark honest: its scenarios
// parse and reach each decision.
func TestBenchmarkScenariosDecide(t *testing.T) {
	scenarios, err := ParseScenarios(benchmarkScenarios(200))
	if err != nil {
		t.Fatal(err)
	}
	count := map[Decision]int{}
	for _, s := range scenarios {
		count[Evaluate(s).Decision]++
	}
	if count[Allowed] == 0 || count[ExplicitlyDenied] == 0 || count[ImplicitlyDenied] == 0 {
		t.Errorf("decisions %v: the benchmark should reach all three", count)
	}
}

// BenchmarkExplain parses and answers a batch of 1,000 scenarios, as
// explain --scenario does.
func BenchmarkExplain(b *testing.B) {
	src := benchmarkScenarios(1000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		scenarios, err := ParseScenarios(src)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range scenarios {
			Evaluate(s)
		}
	}
}
