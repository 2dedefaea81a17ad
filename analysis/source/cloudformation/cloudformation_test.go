package cloudformation_test

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/cloudformation"
)

func analyze(t *testing.T, path string) (string, *analysis.Analysis) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res := cloudformation.Reader.Read(path, src)
	return string(src), analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All})
}

// finding returns the only finding with the code, checking it covers
// exactly want (the first occurrence at or after from).
func finding(t *testing.T, src string, a *analysis.Analysis, code, want string, from int) analysis.Finding {
	t.Helper()
	start := strings.Index(src[from:], want) + from
	for _, f := range a.Findings {
		if f.Code == code && f.Span.Start >= from {
			if f.Span != (analysis.Span{Start: start, End: start + len(want)}) {
				t.Errorf("%s at %v %q, want %q at %d", code, f.Span, src[f.Span.Start:f.Span.End], want, start)
			}
			return f
		}
	}
	t.Fatalf("no %s finding after %d: %+v", code, from, a.Findings)
	return analysis.Finding{}
}

func fixed(t *testing.T, src string, f analysis.Finding) string {
	t.Helper()
	if len(f.AllFixes()) == 0 {
		t.Fatalf("%s has no fix", f.Code)
	}
	return string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits))
}

// The kinds and names of a YAML template's policies, placeholders that
// cause no finding, and a bucket's name resolved through !Ref and !Sub.
func TestYAMLTemplate(t *testing.T) {
	src, a := analyze(t, "testdata/stack.yaml")
	var got []string
	for _, d := range a.Docs {
		got = append(got, string(d.Kind)+" "+d.DocName)
	}
	want := "bucket Resources.DataBucketPolicy|trust Resources.ReaderRole.AssumeRolePolicyDocument|identity Resources.ReaderRole.Policies[0]|boundary Resources.Boundary"
	if strings.Join(got, "|") != want {
		t.Errorf("documents %q, want %q", strings.Join(got, "|"), want)
	}
	if a.Docs[0].Facts == nil || a.Docs[0].Facts.Bucket != "shared-data-bucket" {
		t.Errorf("bucket policy facts %+v", a.Docs[0].Facts)
	}
	if !strings.Contains(string(a.Docs[0].Src), `"Resource": "arn:${AWS::Partition}:s3:::shared-data-bucket/*"`) {
		t.Errorf("!Sub of the bucket not resolved: %s", a.Docs[0].Src)
	}
	// After 読み取り🚀 on an earlier line: the action in a flow sequence.
	finding(t, src, a, "missing-resource-arn", "s3:ListBucket", strings.Index(src, "Action: [s3"))
	finding(t, src, a, "missing-resource-arn", "'s3:*'", strings.Index(src, "Boundary:"))
	// The boundary's missing Version is added as a YAML member, indented
	// like the Statement key before which it goes.
	var mv analysis.Finding
	for _, f := range a.Findings {
		if f.Code == "missing-version" {
			mv = f
		}
	}
	boundary := strings.Index(src, "Boundary:\n")
	if got, want := fixed(t, src, mv), src[:boundary]+strings.Replace(src[boundary:], "      PolicyDocument:\n        Statement:", "      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:", 1); got != want {
		t.Errorf("missing-version fix:\n%s", got)
	}
	if len(a.Findings) != 3 {
		t.Errorf("findings %+v, want the two missing-resource-arn and the boundary's missing-version", a.Findings)
	}
	res := cloudformation.Reader.Read("stack.yaml", []byte(src))
	if len(res.Buckets) != 1 || res.Buckets[0].Name != "shared-data-bucket" || res.Buckets[0].Encryption != "aws:kms" ||
		!strings.HasSuffix(res.Buckets[0].KMSKeyARN, "key/1234abcd-12ab-34cd-56ef-1234567890ab") || res.Buckets[0].ObjectOwnership != "BucketOwnerEnforced" {
		t.Errorf("bucket facts %+v", res.Buckets)
	}
}

// Quick fixes are written in each scalar's own style, and in a block
// scalar with its indentation, after multi-byte text on the same line.
func TestYAMLFixes(t *testing.T) {
	src, a := analyze(t, "testdata/fix.yaml")
	plain := finding(t, src, a, "invalid-effect", "allow", strings.Index(src, "🚀"))
	if got := fixed(t, src, plain); !strings.Contains(got, "{Sid: 読み取り🚀, Effect: Allow, Action") {
		t.Errorf("plain fix:\n%s", got)
	}
	single := finding(t, src, a, "invalid-effect", "'deny'", strings.Index(src, "'deny'"))
	if got := fixed(t, src, single); !strings.Contains(got, "- Effect: 'Deny'\n") {
		t.Errorf("single-quoted fix:\n%s", got)
	}
	mv := finding(t, src, a, "missing-version", "{", strings.Index(src, "!Sub |"))
	got := fixed(t, src, mv)
	var doc struct {
		Resources map[string]struct {
			Properties map[string]yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatalf("fixed template is not YAML: %v\n%s", err, got)
	}
	block := doc.Resources["Q"].Properties["PolicyDocument"]
	if block.Tag != "!Sub" || !strings.HasPrefix(block.Value, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\"") {
		t.Errorf("block after the fix: %s %q", block.Tag, block.Value)
	}
}

// A JSON template: verbatim policies keep every fix; an Fn::Sub inside is
// resolved, and a fix that adds a string with a placeholder writes it
// under Fn::Sub; a policy held in an escaped string maps exactly.
func TestJSONTemplate(t *testing.T) {
	src, a := analyze(t, "testdata/escaped.json")
	if got := string(a.Docs[0].Src); !strings.Contains(got, `"Resource": "arn:${AWS::Partition}:s3:::ビーdata/*"`) {
		t.Errorf("Fn::Sub not resolved: %s", got)
	}
	arn := finding(t, src, a, "missing-resource-arn", `"s3:ListBucket"`, 0)
	if got := fixed(t, src, arn); !strings.Contains(got, `"Resource": [{"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}/*"}, {"Fn::Sub": "arn:${AWS::Partition}:s3:::ビーdata"}]`) {
		t.Errorf("fix:\n%s", got)
	}
	effect := finding(t, src, a, "invalid-effect", `\"allow\"`, strings.Index(src, `caf\u00e9`))
	if got := fixed(t, src, effect); !strings.Contains(got, `\"Effect\": \"Allow\"`) {
		t.Errorf("escaped fix:\n%s", got)
	}
}

// serverless.yml: statements without Version are policies with it; the
// framework's variables are placeholders, IAM policy variables are not.
func TestServerless(t *testing.T) {
	src := "service: s\nprovider:\n  iam:\n    role:\n      statements:\n        - Effect: Allow # 日本語\n          Action: s3:ListBucket\n          Resource: arn:aws:s3:::${self:custom.bucket}/${aws:username}/*\n"
	res := cloudformation.Reader.Read("serverless.yml", []byte(src))
	a := analysis.AnalyzeFile("serverless.yml", res.Files("serverless.yml", nil), res.Findings, analysis.Options{Checks: checks.All})
	if len(a.Docs) != 1 || a.Docs[0].DocName != "provider.iam.role.statements" || a.Docs[0].Kind != analysis.KindIdentity {
		t.Fatalf("docs %+v", a.Docs)
	}
	if got := string(a.Docs[0].Src); got != `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::${self.custom.bucket}/${aws:username}/*"}]}` {
		t.Errorf("document %s", got)
	}
	finding(t, src, a, "missing-resource-arn", "s3:ListBucket", 0)
	if len(a.Findings) != 1 {
		t.Errorf("findings %+v, want only missing-resource-arn", a.Findings)
	}
}

// JSON that names Resources and AWS:: but is no template is a policy.
func TestJSONPolicyNotTemplate(t *testing.T) {
	src := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::Resources-AWS::x/*"}]}`
	res := cloudformation.Reader.Read("p.json", []byte(src))
	if len(res.Docs) != 1 || string(res.Docs[0].Text) != src || res.Docs[0].Host != nil {
		t.Errorf("docs %+v", res.Docs)
	}
}

// A policy under !If is read as its first value; a stack set's template
// written in place is read as a template.
func TestIfAndStackSet(t *testing.T) {
	src := "Resources:\n" +
		"  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n" +
		"        - !If\n          - HasLogs\n          - PolicyName: logs\n            PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: s3:PutObject, Resource: '*'}]}\n          - !Ref AWS::NoValue\n" +
		"  S:\n    Type: AWS::CloudFormation::StackSet\n    Properties:\n      TemplateBody:\n        Resources:\n          K:\n            Type: AWS::KMS::Key\n            Properties:\n              KeyPolicy: {Version: '2012-10-17', Statement: []}\n"
	res := cloudformation.Reader.Read("t.yaml", []byte(src))
	var got []string
	for _, d := range res.Docs {
		got = append(got, string(d.Kind)+" "+d.Name)
	}
	if strings.Join(got, "|") != "identity Resources.R.Policies[0]|key Resources.S.TemplateBody.Resources.K" {
		t.Errorf("documents %q", got)
	}
}

// In a flow mapping the new member is written before the first key,
// followed by a comma; a document under a sequence item keeps its dash.
func TestYAMLMemberInsert(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]} # 日本\n",
			"PolicyDocument: {Version: \"2012-10-17\", Statement: ["},
		{"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: '*'\n",
			"          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Effect"},
	} {
		res := cloudformation.Reader.Read("t.yaml", []byte(c.src))
		a := analysis.AnalyzeFile("t.yaml", res.Files("t.yaml", nil), res.Findings, analysis.Options{Checks: checks.All})
		if len(a.Findings) != 1 || a.Findings[0].Code != "missing-version" {
			t.Fatalf("findings %+v", a.Findings)
		}
		if got := fixed(t, c.src, a.Findings[0]); !strings.Contains(got, c.want) {
			t.Errorf("fixed:\n%s\nwant it to hold:\n%s", got, c.want)
		}
	}
}

// A file with a byte-order mark and CRLF line breaks: a literal block's
// lines map exactly, and the fixes keep CRLF.
func TestCRLF(t *testing.T) {
	src, a := analyze(t, "testdata/crlf.yaml")
	plain := finding(t, src, a, "invalid-effect", "allow", 0)
	if got := fixed(t, src, plain); !strings.Contains(got, "{Sid: 日本, Effect: Allow, Action") {
		t.Errorf("plain fix:\n%q", got)
	}
	finding(t, src, a, "invalid-effect", `"deny"`, strings.Index(src, "|"))
	var got []string
	for _, f := range a.Findings {
		got = append(got, f.Code)
	}
	if strings.Join(got, " ") != "invalid-effect invalid-effect" {
		t.Errorf("findings %q", got)
	}
}

// A YAML merge key brings the members of the mapping it names.
func TestYAMLMerge(t *testing.T) {
	src := "Mappings: {}\nx: &read {Effect: Allow, Action: s3:GetObject}\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - <<: *read\n            Resource: '*'\n"
	res := cloudformation.Reader.Read("t.yaml", []byte(src))
	if len(res.Docs) != 1 || string(res.Docs[0].Text) != `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}` {
		t.Errorf("docs %+v", res.Docs)
	}
}

// A template that does not parse gets one information finding on the
// line the parser names; other YAML that mentions AWS:: gets none.
func TestYAMLError(t *testing.T) {
	src := "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  P:\n    Type: AWS::S3::BucketPolicy\n   Properties: [\n"
	res := cloudformation.Reader.Read("t.yaml", []byte(src))
	if len(res.Docs) != 0 || len(res.Findings) != 1 || res.Findings[0].Code != analysis.UnreadableCode || res.Findings[0].Severity != analysis.Information {
		t.Fatalf("result %+v", res)
	}
	if sp := res.Findings[0].Span; src[sp.Start:sp.End] != "Resources:" /* the line yaml.v3 names: where the mapping it could not finish starts */ || !strings.Contains(res.Findings[0].Message.Text().EN, "not valid YAML") {
		t.Errorf("finding %+v", res.Findings[0])
	}
	helm := "metadata:\n  annotations:\n    x: {{ .Values.x }}\nspec: Resources AWS::S3::Bucket [\n"
	if res := cloudformation.Reader.Read("chart.yaml", []byte(helm)); len(res.Findings) != 0 || len(res.Docs) != 0 {
		t.Errorf("helm chart: %+v", res)
	}
}

// A policy held in a quoted YAML string: positions count the string's
// escapes, and the fix is written in the string's quoting.
func TestYAMLQuotedPolicy(t *testing.T) {
	for _, c := range []struct{ doc, bad, want string }{
		{`"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"é🚀\", \"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}"`, `\"allow\"`, `\"Effect\": \"Allow\"`},
		{`'{"Version": "2012-10-17", "Statement": [{"Sid": "it''s 🚀", "Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}]}'`, `"allow"`, `"Effect": "Allow"`},
	} {
		src := "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: " + c.doc + "\n"
		res := cloudformation.Reader.Read("t.yaml", []byte(src))
		a := analysis.AnalyzeFile("t.yaml", res.Files("t.yaml", nil), res.Findings, analysis.Options{Checks: checks.All})
		f := finding(t, src, a, "invalid-effect", c.bad, 0)
		if got := fixed(t, src, f); !strings.Contains(got, c.want) {
			t.Errorf("fixed:\n%s", got)
		}
	}
}

// A role whose name the template writes is the principal of its
// policies, in the account .s3policy.json gives the template; without
// that account the principal is not known.
func TestRolePrincipal(t *testing.T) {
	src := "Resources:\n  Reader:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: reader\n      Path: /apps/\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n      Policies:\n        - PolicyName: p\n          PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]}\n" +
		"  Extra:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Roles: [!Ref Reader]\n      PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: s3:ListBucket, Resource: '*'}]}\n"
	res := cloudformation.Reader.Read("stack.yaml", []byte(src))
	cfg, fs := analysis.ParseConfig(".", []byte(`{"files": {"stack.yaml": {"account": "111122223333"}}}`))
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	for _, withConfig := range []bool{true, false} {
		var got []string
		c := cfg
		if !withConfig {
			c = nil
		}
		for _, f := range res.Files("stack.yaml", c) {
			if f.Kind == analysis.KindIdentity {
				got = append(got, f.DocName+" "+f.Facts.Principal)
			}
		}
		want := "Resources.Reader.Policies[0] arn:aws:iam::111122223333:role/apps/reader|Resources.Extra arn:aws:iam::111122223333:role/apps/reader"
		if !withConfig {
			want = "Resources.Reader.Policies[0] |Resources.Extra "
		}
		if strings.Join(got, "|") != want {
			t.Errorf("config %v: %q", withConfig, got)
		}
	}
}

// A role a stack set's template creates lives in each of the stack set's
// target accounts, never in the administrator's account .s3policy.json
// gives the template: its policies have no principal when the targets are
// an organizational unit's accounts or several accounts, and the one
// account the stack set lists otherwise (with .s3policy.json's account
// for the template or without it). The template's own role stays in the
// template's account.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html
func TestStackSetRolePrincipal(t *testing.T) {
	set := func(id, targets string) string {
		return "  " + id + ":\n    Type: AWS::CloudFormation::StackSet\n    Properties:\n      PermissionModel: SERVICE_MANAGED\n" +
			"      StackInstancesGroup:\n        - DeploymentTargets: " + targets + "\n          Regions: [us-east-1]\n" +
			"      TemplateBody:\n        Resources:\n          R:\n            Type: AWS::IAM::Role\n            Properties:\n              RoleName: reader\n" +
			"              AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n              Policies:\n" +
			"                - PolicyName: p\n                  PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]}\n"
	}
	src := "Resources:\n  Own:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: admin\n      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n      Policies:\n" +
		"        - PolicyName: p\n          PolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]}\n" +
		set("OU", "{OrganizationalUnitIds: [ou-abcd-11111111]}") +
		set("One", "{Accounts: ['444455556666']}") +
		set("Two", "{Accounts: ['444455556666', '777788889999']}") +
		set("Param", "{Accounts: [!Ref Target]}")
	res := cloudformation.Reader.Read("stack.yaml", []byte(src))
	cfg, fs := analysis.ParseConfig(".", []byte(`{"files": {"stack.yaml": {"account": "111122223333"}}}`))
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	for _, c := range []*analysis.Config{cfg, nil} {
		var got []string
		for _, f := range res.Files("stack.yaml", c) {
			if f.Kind == analysis.KindIdentity {
				principal := ""
				if f.Facts != nil {
					principal = f.Facts.Principal
				}
				got = append(got, f.DocName+" "+principal)
			}
		}
		own := "arn:aws:iam::111122223333:role/admin"
		if c == nil {
			own = ""
		}
		want := []string{"Resources.Own.Policies[0] " + own,
			"Resources.OU.TemplateBody.Resources.R.Policies[0] ",
			"Resources.One.TemplateBody.Resources.R.Policies[0] arn:aws:iam::444455556666:role/reader",
			"Resources.Two.TemplateBody.Resources.R.Policies[0] ",
			"Resources.Param.TemplateBody.Resources.R.Policies[0] "}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("config %v:\n%s\nwant\n%s", c != nil, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// The fix that adds the bucket ARN to Resource is written as YAML: a
// lone value becomes a flow sequence, a block sequence gets a new "- "
// line, and a value with a placeholder is written under !Sub.
func TestYAMLResourceFixes(t *testing.T) {
	head := "Resources:\n  B:\n    Type: AWS::S3::Bucket\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:ListBucket # 日本\n"
	for _, c := range []struct{ resource, want string }{
		{"            Resource: arn:aws:s3:::data/*\n", "            Resource: [arn:aws:s3:::data/*, \"arn:aws:s3:::data\"]\n"},
		{"            Resource:\n              - arn:aws:s3:::data/*\n", "            Resource:\n              - arn:aws:s3:::data/*\n              - \"arn:aws:s3:::data\"\n"},
		{"            Resource: [\"arn:aws:s3:::data/*\"]\n", "            Resource: [\"arn:aws:s3:::data/*\", \"arn:aws:s3:::data\"]\n"},
		{"            Resource:\n              - !Sub \"${B.Arn}/*\"\n              - arn:aws:s3:::other/*\n", "              - arn:aws:s3:::other/*\n              - !Sub \"arn:${AWS::Partition}:s3:::${B}\"\n"},
	} {
		got := resourceFixes(t, head+c.resource)
		if len(got) == 0 || !strings.HasSuffix(got[0], c.want) {
			t.Errorf("resource %q: fixed %q, want it to end with %q", c.resource, got, c.want)
		}
		for _, g := range got {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(g), &n); err != nil {
				t.Errorf("fix leaves invalid YAML: %v\n%s", err, g)
			}
		}
	}
}

// resourceFixes are the template src with each fix of its
// missing-resource-arn findings applied.
func resourceFixes(t *testing.T, src string) []string {
	t.Helper()
	var got []string
	for _, f := range readAndCheck(t, src) {
		if f.Code == "missing-resource-arn" {
			for _, fix := range f.AllFixes() {
				got = append(got, string(analysis.ApplyEdits([]byte(src), fix.Edits)))
			}
		}
	}
	return got
}

// A fix that adds an ARN to a Resource written as an intrinsic whose
// argument is a YAML collection (!Sub [text, {vars}], in flow or block
// form, or Fn::Sub: [...]) cannot make a flow sequence around it: "["
// would stand after the tag, or before block lines. Such a fix is not
// offered; every fix offered leaves YAML that, read again, has the
// finding fixed.
func TestYAMLSubListResourceFixes(t *testing.T) {
	head := "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data-bkt\n  Pol:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Data\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Sid: 読み取り🚀\n            Effect: Allow\n            Principal: {AWS: \"arn:aws:iam::111122223333:root\"}\n            Action: s3:ListBucket\n"
	for _, c := range []struct{ resource, want string }{
		{"            Resource: !Sub [\"arn:aws:s3:::${B}/*\", {B: !Ref Data}]\n", ""},
		{"            Resource: !Sub [\"arn:aws:s3:::${B}/*\", {}]\n", ""},
		{"            Resource: !Sub\n              - \"arn:aws:s3:::${B}/*\"\n              - B: !Ref Data\n", ""},
		{"            Resource:\n              Fn::Sub:\n                - \"arn:aws:s3:::${B}/*\"\n                - B: !Ref Data\n", ""},
		{"            Resource: [!Sub [\"arn:aws:s3:::${B}/*\", {B: !Ref Data}]]\n", ""},
		{"            Resource: [\"arn:aws:s3:::data-bkt/*\"]\n", "            Resource: [\"arn:aws:s3:::data-bkt/*\", \"arn:aws:s3:::data-bkt\"]\n"},
	} {
		got := resourceFixes(t, head+c.resource)
		if c.want == "" {
			if len(got) > 0 {
				t.Errorf("resource %q: a fix is offered that cannot be written:\n%s", c.resource, got[0])
			}
			continue
		}
		if len(got) != 1 || got[0] != head+c.want {
			t.Errorf("resource %q: fixed %q, want %q", c.resource, got, head+c.want)
			continue
		}
		for _, f := range readAndCheck(t, got[0]) {
			if f.Code == "missing-resource-arn" || f.Code == analysis.UnreadableCode {
				t.Errorf("resource %q: after the fix, %s: %s", c.resource, f.Code, f.Message.Text().EN)
			}
		}
	}
}

func readAndCheck(t *testing.T, src string) []analysis.Finding {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, src)
	}
	res := cloudformation.Reader.Read("t.yaml", []byte(src))
	return analysis.AnalyzeFile("t.yaml", res.Files("t.yaml", nil), res.Findings, analysis.Options{Checks: checks.All}).Findings
}

// A policy held as JSON text in a literal block under !Sub (Fn::Sub),
// alone or as the string of [string, {vars}], takes its fixes in the
// block's own writing: plain JSON lines, not a JSON string's escapes.
func TestSubLiteralPolicyFixes(t *testing.T) {
	head := "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: data-bkt\n  Pol:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
	policy := `{"Statement": [{"Sid": "データ🚀", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::${B}"}]}`
	for _, doc := range []string{
		"      PolicyDocument: !Sub |\n        " + strings.ReplaceAll(policy, "${B}", "${Data}") + "\n",
		"      PolicyDocument: !Sub\n        - |\n          " + policy + "\n        - B: !Ref Data\n",
		"      PolicyDocument:\n        Fn::Sub:\n          - |\n            " + policy + "\n          - B: !Ref Data\n",
		"      PolicyDocument:\n        Fn::Sub: |\n          " + strings.ReplaceAll(policy, "${B}", "${Data}") + "\n",
	} {
		src := head + doc
		var fix *analysis.Finding
		for _, f := range readAndCheck(t, src) {
			if f.Code == "missing-version" {
				fix = &f
			}
		}
		if fix == nil || len(fix.AllFixes()) == 0 {
			t.Errorf("%q: no missing-version fix", doc)
			continue
		}
		got := string(analysis.ApplyEdits([]byte(src), fix.AllFixes()[0].Edits))
		if !strings.Contains(got, `{"Version": "2012-10-17", "Statement"`) && !strings.Contains(got, "\"Version\": \"2012-10-17\",\n") {
			t.Errorf("%q: fixed\n%s", doc, got)
		}
		for _, f := range readAndCheck(t, got) {
			t.Errorf("%q: after the fix, %s: %s\n%s", doc, f.Code, f.Message.Text().EN, got)
		}
	}
}

// A template that starts with a UTF-8 byte order mark: yaml.v3 counts the
// first line's columns after it, and a node there is found at its own
// text (its start was a byte early: the invalid-effect span took the
// space before "allow", which its quick fix would have removed), as on
// the next lines; check then places it where the editor shows it.
func TestBOMFirstLineNodes(t *testing.T) {
	line := `Resources: {P: {Type: "AWS::S3::BucketPolicy", Properties: {Bucket: b, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: allow, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"}]}}}}`
	for _, src := range []string{"\ufeff" + line + "\n", "\ufeff" + line + "\r\n# 日本語\n", "\ufeff# 日本語\n" + line + "\n"} {
		var spans []string
		for _, f := range readAndCheck(t, src) {
			spans = append(spans, f.Code+" "+src[f.Span.Start:f.Span.End])
		}
		if strings.Join(spans, ",") != "invalid-effect allow" {
			t.Errorf("%q: findings at %q, want invalid-effect at allow", src[:12], spans)
		}
	}
}
