package checks

import (
	"strings"
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
	if len(keys.names) != 6 {
		t.Errorf("%d keys resolved, want the policy's 6 names", len(keys.names))
	}
	for _, name := range []string{"aws:SourceVpce", "s3:x-amz-acl", "S3:X-Amz-Acl", "token.actions.githubusercontent.com:sub", "nope:key", "noColon", "aws:SecureTransport"} {
		key, svc, kind := keys.resolve(name)
		wantKey, wantSvc, wantKind := iamdata.ResolveKey(name)
		if kind != wantKind || svc != wantSvc || (key == nil) != (wantKey == nil) || key != nil && (key.Name != wantKey.Name || key.Type != wantKey.Type) {
			t.Errorf("%s: resolved %v %v %v, iamdata says %v %v %v", name, key, svc, kind, wantKey, wantSvc, wantKind)
		}
	}
	if r, _ := keys.find("aws:SourceVpce"); r.kind != iamdata.KeyGlobal {
		t.Errorf("aws:SourceVpce resolved as %v, want a global key", r.kind)
	}
}

// A policy naming more keys than fewKeys looks them up in a map: each is
// found, resolved as iamdata.ResolveKey does, and a name it does not hold
// is not found.
func TestConditionKeysOfManyNames(t *testing.T) {
	names := []string{"aws:SourceVpce", "aws:SourceIp", "aws:PrincipalAccount", "aws:SecureTransport", "s3:x-amz-acl", "s3:prefix",
		"s3:delimiter", "kms:ViaService", "aws:PrincipalOrgID", "s3:ExistingObjectTag/t", "aws:RequestedRegion"}
	var conds []string
	for _, n := range names {
		conds = append(conds, `"`+n+`": "x"`)
	}
	src := `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {` + strings.Join(conds, ", ") + `}}}]}`
	keys := conditionKeysOf(analysis.NewFile("p.iam-policy.json", []byte(src), nil).Policy)
	if keys.byName == nil || len(keys.names) != len(names) {
		t.Fatalf("%d names, map %v; want %d in a map", len(keys.names), keys.byName != nil, len(names))
	}
	for _, name := range names {
		r, ok := keys.find(name)
		wantKey, wantSvc, wantKind := iamdata.ResolveKey(name)
		if !ok || r.key != wantKey || r.svc != wantSvc || r.kind != wantKind {
			t.Errorf("%s: found %v, %+v; iamdata says %v %v %v", name, ok, r, wantKey, wantSvc, wantKind)
		}
	}
	if _, ok := keys.find("aws:username"); ok {
		t.Errorf("aws:username found, but the policy does not name it")
	}
}
