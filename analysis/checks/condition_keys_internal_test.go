package checks

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// TestConditionKeysResolveAsIAMData: a policy's keys, resolved once, answer
// as iamdata.ResolveKey does, and so does a key the policy does not name.
func TestConditionKeysResolveAsIAMData(t *testing.T) {
	src := `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
	    "StringEquals": {"aws:SourceVpce": "vpce-1", "s3:x-amz-acl": "private", "S3:X-Amz-Acl": "private", "token.actions.githubusercontent.com:sub": "repo:o/r"},
	    "Bool": {"nope:key": "true", "noColon": "true"}}},
	  {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-2"}}}]}`
	f := analysis.NewFile("p.iam-policy.json", []byte(src), nil)
	keys := conditionKeysOf(f.Policy)
	if len(keys) != 6 {
		t.Errorf("%d keys resolved, want the policy's 6 names", len(keys))
	}
	for _, name := range []string{"aws:SourceVpce", "s3:x-amz-acl", "S3:X-Amz-Acl", "token.actions.githubusercontent.com:sub", "nope:key", "noColon", "aws:SecureTransport"} {
		key, svc, kind := keys.resolve(name)
		wantKey, wantSvc, wantKind := iamdata.ResolveKey(name)
		if kind != wantKind || svc != wantSvc || (key == nil) != (wantKey == nil) || key != nil && (key.Name != wantKey.Name || key.Type != wantKey.Type) {
			t.Errorf("%s: resolved %v %v %v, iamdata says %v %v %v", name, key, svc, kind, wantKey, wantSvc, wantKind)
		}
	}
	if kind := keys["aws:SourceVpce"].kind; kind != iamdata.KeyGlobal {
		t.Errorf("aws:SourceVpce resolved as %v, want a global key", kind)
	}
}
