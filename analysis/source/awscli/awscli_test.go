package awscli_test

import (
	"os"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/awscli"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/sourcetest"
)

func analyze(path string, src []byte) *analysis.Analysis {
	res := awscli.Reader.Read(path, src)
	return analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All})
}

// A finding inside the escaped policy of get-bucket-policy points at the
// host's characters, escapes and Japanese before it counted, and its fix
// is written escaped.
func TestEscapedPolicy(t *testing.T) {
	src := `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"パートナー\\u00e9\",\"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"}`
	a := analyze("policy.json", []byte(src))
	if len(a.Docs) != 1 || a.Docs[0].Kind != analysis.KindBucket || a.Docs[0].DocName != "Policy" {
		t.Fatalf("docs %+v", a.Docs)
	}
	var effect *analysis.Finding
	for i, f := range a.Findings {
		if f.Code == "invalid-effect" {
			effect = &a.Findings[i]
		}
	}
	if effect == nil {
		t.Fatalf("no invalid-effect: %+v", a.Findings)
	}
	want := strings.Index(src, `\"allow\"`)
	if effect.Span != (analysis.Span{Start: want, End: want + len(`\"allow\"`)}) {
		t.Errorf("invalid-effect at %v %q", effect.Span, src[effect.Span.Start:effect.Span.End])
	}
	fixed := string(analysis.ApplyEdits([]byte(src), effect.AllFixes()[0].Edits))
	if !strings.Contains(fixed, `\"Effect\":\"Allow\"`) {
		t.Errorf("fixed: %s", fixed)
	}
}

// The kinds each command's output gives, from the examples.
func TestExamples(t *testing.T) {
	want := map[string]string{
		"get-bucket-policy.json":      "bucket Policy",
		"get-key-policy.json":         "key Policy",
		"get-policy-version.json":     "identity PolicyVersion.Document",
		"get-role-policy.json":        "identity PolicyDocument",
		"get-role.json":               "trust Role.AssumeRolePolicyDocument",
		"describe-vpc-endpoints.json": "endpoint VpcEndpoints[0].PolicyDocument",
		"describe-policy.json":        "scp Policy.Content",
		"get-queue-attributes.json":   "resource Attributes.Policy",
		"lambda-get-policy.json":      "resource Policy",
	}
	for name, w := range want {
		src, err := os.ReadFile("../../../examples/cli-output/" + name)
		if err != nil {
			t.Fatal(err)
		}
		a := analyze(name, src)
		if len(a.Docs) != 1 || string(a.Docs[0].Kind)+" "+a.Docs[0].DocName != w {
			t.Errorf("%s: %d docs, first %s %s, want %s", name, len(a.Docs), a.Docs[0].Kind, a.Docs[0].DocName, w)
		}
	}
	src, _ := os.ReadFile("../../../examples/cli-output/get-policy-version.json")
	a := analyze("v.json", src)
	if !strings.HasPrefix(string(a.Docs[0].Src), "{\n  \"Statement\": [{\"Effect\": \"Allow\"") {
		t.Errorf("URL-decoded: %s", a.Docs[0].Src)
	}
	if len(a.Findings) != 1 || a.Findings[0].Code != "missing-version" || len(a.Findings[0].AllFixes()) != 0 {
		t.Errorf("URL-encoded policy: %+v (want missing-version without a fix: none is written URL-encoded)", a.Findings)
	}
	if at := strings.Index(string(src), "%7B"); a.Findings[0].Span != (analysis.Span{Start: at, End: at + 3}) {
		t.Errorf("missing-version at %v, want the encoded brace at %d", a.Findings[0].Span, at)
	}
}

// FuzzRead: any text never panics the reader, and findings and edits stay
// inside the file.
func FuzzRead(f *testing.F) {
	f.Add(`{"Policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}"}`)
	f.Add(`{"PolicyVersion": {"Document": "%7B%22Statement%22%3A%5B%5D%7D"}}`)
	f.Add(`{"VpcEndpoints": [{"PolicyDocument": "{}", "VpcEndpointId": "vpce-1"}]}`)
	f.Fuzz(func(t *testing.T, src string) {
		a := analyze("p.json", []byte(src))
		sourcetest.InFile(t, src, a)
	})
}

// describe-vpc-endpoints gives each endpoint policy its endpoint's type.
func TestDescribeVpcEndpointsType(t *testing.T) {
	src := `{"VpcEndpoints": [
  {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Gateway", "PolicyDocument": "{\"Statement\": []}"},
  {"VpcEndpointId": "vpce-2", "VpcEndpointType": "Interface", "PolicyDocument": "{\"Statement\": []}"},
  {"VpcEndpointId": "vpce-3", "PolicyDocument": "{\"Statement\": []}"}]}`
	res := awscli.Reader.Read("describe-vpc-endpoints.json", []byte(src))
	var got []string
	for _, d := range res.Docs {
		got = append(got, d.Facts.Endpoint+"="+d.Facts.EndpointType)
	}
	if strings.Join(got, " ") != "vpce-1=Gateway vpce-2=Interface vpce-3=" {
		t.Errorf("endpoints %v", got)
	}
}
