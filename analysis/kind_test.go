package analysis_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

func TestKindFromName(t *testing.T) {
	cases := map[string]analysis.Kind{
		"users/jane.iam-policy.json":   analysis.KindIdentity,
		"b.bucket-policy.json":         analysis.KindBucket,
		"B.BUCKET-POLICY.JSON":         analysis.KindBucket,
		"k.key-policy.json":            analysis.KindKey,
		"e.endpoint-policy.json":       analysis.KindEndpoint,
		"org.scp.json":                 analysis.KindSCP,
		"org.rcp.json":                 analysis.KindRCP,
		"s.session-policy.json":        analysis.KindSession,
		"b.boundary.json":              analysis.KindBoundary,
		"r.trust-policy.json":          analysis.KindTrust,
		"policy.json":                  analysis.KindUnknown,
		"scp.json":                     analysis.KindUnknown, // no dot before the suffix
		"x.other-resource-policy.json": analysis.KindUnknown,
		"bucket-policy.json.bak":       analysis.KindUnknown,
	}
	for name, want := range cases {
		if got := analysis.KindFromName(name); got != want {
			t.Errorf("KindFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestKindFromContent(t *testing.T) {
	cases := []struct {
		src  string
		want analysis.Kind
	}{
		{`{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`, analysis.KindIdentity},
		{`{"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}`, analysis.KindTrust},
		{`{"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*"}}`, analysis.KindKey},
		{`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`, analysis.KindBucket},
		{`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws-cn:s3:::b/*"}}`, analysis.KindBucket},
		{`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:q"}}`, analysis.KindResource},
	}
	for _, c := range cases {
		if got := analysis.KindFromContent(mustPolicy(t, c.src)); got != c.want {
			t.Errorf("%s: kind %q, want %q", c.src, got, c.want)
		}
	}
}

func TestNewFileKindPrecedence(t *testing.T) {
	bucketLike := []byte(`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`)
	cfg, fs := analysis.ParseConfig("/w", []byte(`{"files": {"policies/**/*.json": {"kind": "endpoint"}}}`))
	if len(fs) != 0 {
		t.Fatal(fs[0].Message.Text().EN)
	}
	cases := []struct {
		path   string
		cfg    *analysis.Config
		kind   analysis.Kind
		source analysis.KindSource
	}{
		{"/w/policies/a/b.iam-policy.json", cfg, analysis.KindEndpoint, analysis.FromConfig},
		{"/w/other/b.iam-policy.json", cfg, analysis.KindIdentity, analysis.FromFileName},
		{"/w/other/b.json", cfg, analysis.KindBucket, analysis.FromContent},
		{"/w/other/b.json", nil, analysis.KindBucket, analysis.FromContent},
	}
	for _, c := range cases {
		f := analysis.NewFile(c.path, bucketLike, c.cfg)
		if f.Kind != c.kind || f.KindSource != c.source || f.Policy == nil {
			t.Errorf("%s: kind %q from %q, want %q from %q", c.path, f.Kind, f.KindSource, c.kind, c.source)
		}
	}
}

func TestNewFileLeavesOtherJSONAlone(t *testing.T) {
	for _, src := range []string{`{"name": "x"}`, `{"name": `, `[1, 2]`} {
		f := analysis.NewFile("package.json", []byte(src), nil)
		if f.IsPolicyFile() || f.Kind != analysis.KindUnknown {
			t.Errorf("%s: read as a policy (kind %q, syntax %v)", src, f.Kind, f.Syntax)
		}
	}
	// Half-typed JSON that mentions Statement is meant to be a policy.
	f := analysis.NewFile("p.json", []byte(`{"Statement": [`), nil)
	if !f.IsPolicyFile() || f.Syntax == nil {
		t.Errorf("a broken document with \"Statement\" must report its syntax error")
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range analysis.Kinds {
		if got, ok := analysis.ParseKind(string(k)); !ok || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, ok)
		}
		if k.Describe().EN == "" || k.Describe().JA == "" {
			t.Errorf("kind %q lacks a description", k)
		}
	}
	if _, ok := analysis.ParseKind("Bucket"); ok {
		t.Errorf("kind names are lower case")
	}
}

// A JSON file is a policy only when its Statement holds statements: a
// query file whose "Statement" is a string gets no finding, unless its
// name or .s3policy.json says it is a policy.
func TestStatementStringIsNoPolicy(t *testing.T) {
	for name, want := range map[string]bool{"queries.json": false, "q.iam-policy.json": true} {
		f := analysis.NewFile(name, []byte(`{"Statement": "SELECT * FROM t"}`), nil)
		if got := f.IsPolicyFile(); got != want {
			t.Errorf("%s: policy %v, want %v", name, got, want)
		}
	}
	for _, src := range []string{`{"Statement": []}`, `{"Statement": {"Effect": "Allow"}}`, `{"Statement": [{"Effect": "Allow"}]}`} {
		if !analysis.NewFile("p.json", []byte(src), nil).IsPolicyFile() {
			t.Errorf("%s is a policy", src)
		}
	}
	if analysis.NewFile("p.json", []byte(`{"Statement": ["a", 1]}`), nil).IsPolicyFile() {
		t.Error("a Statement of strings and numbers is no policy")
	}
}
