package analysis_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

func TestParseConfigFull(t *testing.T) {
	cfg, fs := analysis.ParseConfig("/w", []byte(`{
  "accounts": ["111122223333"],
  "buckets": {"b": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k",
                    "objectOwnership": "BucketOwnerEnforced", "requesterPays": true}},
  "files": {"a.json": {"kind": "bucket", "bucket": "b", "account": "444455556666"}, "**/*.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/r"}},
  "severity": {"missing-version": "error"},
  "disable": ["duplicate-sid"],
  "locale": "ja"
}`))
	if len(fs) != 0 {
		t.Fatalf("findings: %+v", fs)
	}
	b := cfg.Bucket("b")
	if b == nil || b.Account != "444455556666" || b.Encryption != "aws:kms" || !b.RequesterPays || b.ObjectOwnership != "BucketOwnerEnforced" {
		t.Errorf("bucket %+v", b)
	}
	if f := cfg.FactsFor("/w/a.json"); f == nil || f.Kind != analysis.KindBucket || f.Bucket != "b" {
		t.Errorf("facts for a.json: %+v", f)
	}
	if f := cfg.FactsFor("/w/x/y/z.json"); f == nil || f.Kind != analysis.KindIdentity || f.Principal == "" {
		t.Errorf("facts for x/y/z.json: %+v", f)
	}
	if cfg.FactsFor("/elsewhere/a.yaml") != nil {
		t.Errorf("a file outside the patterns has facts")
	}
	if !cfg.Disabled("duplicate-sid") || cfg.Disabled("missing-version") || cfg.Locale != "ja" || !slices.Equal(cfg.Accounts, []string{"111122223333"}) {
		t.Errorf("config %+v", cfg)
	}
}

// TestParseConfigErrors: each mistake is reported at its place and the
// rest of the configuration still applies.
func TestParseConfigErrors(t *testing.T) {
	src, spans := checktest.Unmark(`{
  «"acounts"»: [],
  "accounts": [«"1234"», «5»],
  "files": {"a.json": {"kind": «"bucket-policy"»}, «"[.json"»: {}},
  "severity": {"x": «"fatal"»},
  "locale": "en"
}`)
	cfg, fs := analysis.ParseConfig(".", []byte(src))
	// The types of a list's entries are checked before their values.
	spans[1], spans[2] = spans[2], spans[1]
	wants := []string{
		`unknown key "acounts"; did you mean "accounts"?`,
		`each entry of accounts must be a JSON string, not a number`,
		`"1234" is not an AWS account ID (12 digits)`,
		`kind must be one of identity, bucket, key, endpoint, scp, rcp, session, boundary, trust, resource`,
		`"[.json" is not a valid file pattern`,
		`the severity of x must be one of error, warning, information, hint`,
	}
	if len(fs) != len(wants) {
		t.Fatalf("got %d findings, want %d: %+v", len(fs), len(wants), fs)
	}
	for i, w := range wants {
		if fs[i].Span != spans[i] || fs[i].Message.Text().EN != w || fs[i].Code != analysis.ConfigCode || fs[i].Message.Text().JA == "" {
			t.Errorf("finding %d: %v %q, want %v %q", i, fs[i].Span, fs[i].Message.Text().EN, spans[i], w)
		}
	}
	if cfg.Locale != "en" || len(cfg.Accounts) != 0 {
		t.Errorf("the valid parts must still apply: %+v", cfg)
	}
}

func TestParseConfigNotJSON(t *testing.T) {
	_, fs := analysis.ParseConfig(".", []byte(`{"files": `))
	if len(fs) != 1 || fs[0].Code != analysis.SyntaxCode {
		t.Errorf("findings %+v, want one json-syntax", fs)
	}
	_, fs = analysis.ParseConfig(".", []byte(`[]`))
	if len(fs) != 1 || fs[0].Message.Text().EN != "the configuration must be a JSON object, not an array" {
		t.Errorf("findings %+v", fs)
	}
}

// TestConfigSeverityAndDisable: the config changes what Analyze reports.
func TestConfigSeverityAndDisable(t *testing.T) {
	cfg := checktest.Config(t, `{"severity": {"missing-version": "hint"}, "disable": ["invalid-effect"]}`)
	src := []byte(`{"Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}`)
	got := analysis.Analyze(analysis.NewFile("a.iam-policy.json", src, cfg), checks.All)
	if len(got) != 1 || got[0].Code != "missing-version" || got[0].Severity != analysis.Hint {
		t.Errorf("findings %+v, want only missing-version as a hint", got)
	}
}

// A KMS alias in kmsKeyArn (S3 takes it as a bucket's key and returns it
// as set) is not a key: reported, and the bucket's KMS facts left out
// rather than a denial from a key the tool cannot see. The managed key's
// alias aws/s3 is a known key.
func TestParseConfigKMSAlias(t *testing.T) {
	src, spans := checktest.Unmark(`{"buckets": {
  "shared-data": {"encryption": "aws:kms", "kmsKeyArn": «"arn:aws:kms:us-east-1:444455556666:alias/shared"»},
  "managed": {"encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:alias/aws/s3"},
  "key": {"encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
}}`)
	cfg, fs := analysis.ParseConfig(".", []byte(src))
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	m := fs[0].Message.Text()
	if fs[0].Span != spans[0] || fs[0].Code != analysis.ConfigCode ||
		m.EN != "kmsKeyArn arn:aws:kms:us-east-1:444455556666:alias/shared is a KMS alias, not a key: give the key's ARN (`aws kms describe-key --key-id alias/shared` prints it as KeyMetadata.Arn); until then KMS is not evaluated for bucket shared-data" ||
		m.JA != "kmsKeyArn arn:aws:kms:us-east-1:444455556666:alias/shared は KMS のエイリアスで、キーではありません。キーの ARN を指定してください (`aws kms describe-key --key-id alias/shared` の KeyMetadata.Arn)。それまでバケット shared-data の KMS は評価しません" {
		t.Errorf("finding %v %q / %q", fs[0].Span, m.EN, m.JA)
	}
	if b := cfg.Buckets["shared-data"]; b == nil || b.Encryption != "" || b.KMSKeyARN != "" {
		t.Errorf("alias bucket %+v, want no KMS facts", b)
	}
	if b := cfg.Buckets["managed"]; b == nil || b.KMSKeyARN != "arn:aws:kms:us-east-1:444455556666:alias/aws/s3" {
		t.Errorf("managed bucket %+v", b)
	}
	if b := cfg.Buckets["key"]; b == nil || b.Encryption != "aws:kms" || b.KMSKeyARN == "" {
		t.Errorf("key bucket %+v", b)
	}
}

// An SCP's target (the root, an OU or an account it is attached to) is
// read as written; an account target is the policy's account when
// "account" is left out; anything else is reported at its place and left
// out (the SCP is then a level of its own, as without a target).
func TestConfigSCPTarget(t *testing.T) {
	src, spans := checktest.Unmark(`{"files": {
  "root.scp.json": {"kind": "scp", "target": "r-ab12"},
  "ou.scp.json": {"kind": "scp", "target": "ou-ab12-11111111"},
  "account.scp.json": {"kind": "scp", "target": "111122223333"},
  "both.scp.json": {"kind": "scp", "account": "444455556666", "target": "ou-ab12-11111111"},
  "typo.scp.json": {"kind": "scp", "target": «"prod"»},
  "number.scp.json": {"kind": "scp", "target": «111122223333»}}}`)
	cfg, fs := analysis.ParseConfig("/w", []byte(src))
	wants := []string{
		`"prod" is not an SCP target: the root (r-...), an OU (ou-...) or an account ID (12 digits)`,
		`target must be a JSON string, not a number`,
	}
	if len(fs) != len(wants) {
		t.Fatalf("got %d findings, want %d: %+v", len(fs), len(wants), fs)
	}
	for i, w := range wants {
		if fs[i].Span != spans[i] || fs[i].Message.Text().EN != w || fs[i].Code != analysis.ConfigCode || fs[i].Message.Text().JA == "" {
			t.Errorf("finding %d: %v %q, want %v %q", i, fs[i].Span, fs[i].Message.Text().EN, spans[i], w)
		}
	}
	for _, tc := range []struct{ file, account, target string }{
		{"root.scp.json", "", "r-ab12"},
		{"ou.scp.json", "", "ou-ab12-11111111"},
		{"account.scp.json", "111122223333", "111122223333"},
		{"both.scp.json", "444455556666", "ou-ab12-11111111"},
		{"typo.scp.json", "", ""},
		{"number.scp.json", "", ""},
	} {
		if f := cfg.FactsFor("/w/" + tc.file); f == nil || f.Account != tc.account || f.Target != tc.target {
			t.Errorf("%s: facts %+v, want account %q target %q", tc.file, f, tc.account, tc.target)
		}
	}
}
