package terraform

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// readModule reads files (by path) as one module and analyses the
// documents of path.
func readModuleFile(t *testing.T, files map[string]string, path string) (*analysis.Analysis, []analysis.Document) {
	t.Helper()
	texts := map[string][]byte{}
	for p, s := range files {
		texts[p] = []byte(s)
	}
	res := ReadModule(texts, "")[path]
	return analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All}), res.Docs
}

// A policy written as an escaped JSON string in a .tf.json file: the
// finding lands on the escaped string inside it, the interpolation
// resolves, and the fix is written escaped.
// https://developer.hashicorp.com/terraform/language/syntax/json
func TestTFJSONQuotedPolicy(t *testing.T) {
	src := `{
  "//": "日本語 🚀",
  "resource": {
    "aws_s3_bucket": {"data": {"bucket": "reports"}},
    "aws_s3_bucket_policy": {
      "data": {
        "bucket": "${aws_s3_bucket.data.id}",
        "policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"s3:GetObjekt\", \"Resource\": \"${aws_s3_bucket.data.arn}/*\"}]}"
      }
    }
  }
}`
	a, docs := readModuleFile(t, map[string]string{"m/main.tf.json": src}, "m/main.tf.json")
	if len(docs) != 1 || docs[0].Name != "aws_s3_bucket_policy.data" || docs[0].Kind != analysis.KindBucket {
		t.Fatalf("docs %+v", docs)
	}
	if want := `"Resource": "arn:aws:s3:::reports/*"`; !strings.Contains(string(docs[0].Text), want) {
		t.Errorf("text %s, want %s", docs[0].Text, want)
	}
	f := finding(t, a, "unknown-action")
	if got := at(src, f.Span); got != `\"s3:GetObjekt\"` {
		t.Errorf("unknown-action at %q", got)
	}
	if len(f.AllFixes()) == 0 {
		t.Fatal("no fix")
	}
	fixed := string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits))
	if !strings.Contains(fixed, `\"Action\": \"s3:GetObject\"`) {
		t.Errorf("fixed:\n%s", fixed)
	}
	if a2, _ := readModuleFile(t, map[string]string{"m/main.tf.json": fixed}, "m/main.tf.json"); len(a2.Findings) != 0 {
		t.Errorf("after the fix: %+v", a2.Findings)
	}
}

// A policy document written as a JSON object, used by a .tf file of the
// same module: the kind comes from the use, elements land on the JSON
// strings, and a fix replaces a string as JSON.
func TestTFJSONPolicyDocumentUsedFromTF(t *testing.T) {
	doc := `{"data": {"aws_iam_policy_document": {"read": {
  "statement": [{
    "sid": "Read",
    "actions": ["s3:GetObjekt"],
    "resources": ["${aws_s3_bucket.data.arn}/*"],
    "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}],
    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}]
  }]
}}}}
`
	tf := `resource "aws_s3_bucket" "data" {
  bucket = "reports"
}
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.read.json
}
`
	files := map[string]string{"m/policy.tf.json": doc, "m/main.tf": tf}
	a, docs := readModuleFile(t, files, "m/policy.tf.json")
	if len(docs) != 1 || docs[0].Name != "data.aws_iam_policy_document.read" || docs[0].Kind != analysis.KindBucket || docs[0].KindReason != "aws_s3_bucket_policy.data.policy" {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": ["arn:aws:s3:::reports/*"], "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Condition": {"Bool": {"aws:SecureTransport": ["true"]}}}]}`
	if got := oneLine(docs[0].Text); got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
	if got := at(doc, docs[0].Host.Whole); !strings.HasPrefix(got, `"read": {`) {
		t.Errorf("whole %q", got)
	}
	f := finding(t, a, "unknown-action")
	if got := at(doc, f.Span); got != `"s3:GetObjekt"` {
		t.Errorf("unknown-action at %q", got)
	}
	if len(f.AllFixes()) == 0 {
		t.Fatal("no fix")
	}
	fixed := string(analysis.ApplyEdits([]byte(doc), f.AllFixes()[0].Edits))
	if !strings.Contains(fixed, `"actions": ["s3:GetObject"]`) {
		t.Errorf("fixed:\n%s", fixed)
	}
	files["m/policy.tf.json"] = fixed
	if a2, _ := readModuleFile(t, files, "m/policy.tf.json"); len(a2.Findings) != 0 {
		t.Errorf("after the fix: %+v", a2.Findings)
	}
}

// "${data.aws_iam_policy_document.x.json}" in a .tf.json resource gives
// the .tf policy document its kind; a jsonencode inside a JSON string is
// read with its ranges on the escaped text, and no fix is written there.
func TestTFJSONReferencesAndJSONEncode(t *testing.T) {
	tf := `data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
`
	js := `{"resource": {"aws_iam_role": {"app": {
  "name": "app",
  "assume_role_policy": "${data.aws_iam_policy_document.assume.json}"
}},
"aws_iam_role_policy": {"app": {
  "role": "${aws_iam_role.app.id}",
  "policy": "${jsonencode({\"Version\" = \"2012-10-17\", Statement = [{Effect = \"Allow\", Action = \"s3:GetObjekt\", Resource = \"*\"}]})}"
}}}}`
	files := map[string]string{"m/main.tf": tf, "m/roles.tf.json": js}
	_, tfDocs := readModuleFile(t, files, "m/main.tf")
	if len(tfDocs) != 1 || tfDocs[0].Kind != analysis.KindTrust || tfDocs[0].KindReason != "aws_iam_role.app.assume_role_policy" {
		t.Fatalf("tf docs %+v", tfDocs)
	}
	a, docs := readModuleFile(t, files, "m/roles.tf.json")
	if len(docs) != 1 || docs[0].Name != "aws_iam_role_policy.app" || docs[0].Kind != analysis.KindIdentity {
		t.Fatalf("docs %+v", docs)
	}
	f := finding(t, a, "unknown-action")
	if got := at(js, f.Span); got != `\"s3:GetObjekt\"` {
		t.Errorf("unknown-action at %q", got)
	}
	if len(f.AllFixes()) != 0 {
		t.Errorf("a fix inside an escaped jsonencode: %+v", f.AllFixes())
	}
}

// Bucket facts come from a .tf.json bucket and its encryption; the
// provider meta-argument is a reference.
func TestTFJSONBucketFacts(t *testing.T) {
	js := `{
  "provider": {"aws": [{"region": "eu-west-1", "allowed_account_ids": ["111122223333"]}]},
  "resource": {
    "aws_s3_bucket": {"data": {"bucket": "reports"}},
    "aws_kms_key": {"data": {"provider": "aws", "description": "k"}},
    "aws_s3_bucket_server_side_encryption_configuration": {"data": {
      "bucket": "${aws_s3_bucket.data.id}",
      "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.data.arn}"}}
    }},
    "aws_s3_bucket_ownership_controls": {"data": {"bucket": "${aws_s3_bucket.data.id}", "rule": [{"object_ownership": "BucketOwnerEnforced"}]}},
    "aws_s3_bucket_policy": {"data": {"bucket": "${aws_s3_bucket.data.id}", "policy": "{\"Statement\": []}"}}
  }
}`
	res := ReadModule(map[string][]byte{"m/main.tf.json": []byte(js)}, "")["m/main.tf.json"]
	if len(res.Buckets) != 1 {
		t.Fatalf("buckets %+v", res.Buckets)
	}
	b := res.Buckets[0]
	if b.Name != "reports" || b.KMSKeyARN != "arn:aws:kms:eu-west-1:111122223333:key/data" || b.Encryption != "aws:kms" || b.ObjectOwnership != "BucketOwnerEnforced" {
		t.Errorf("facts %+v", *b)
	}
}

// Escapes before an interpolation: its range is still the file's bytes.
func TestTFJSONEscapedRanges(t *testing.T) {
	js := `{"locals": {"p": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"\u00e9${var.x}\"}]}"}}`
	res := ReadModule(map[string][]byte{"m/a.tf.json": []byte(js)}, "")["m/a.tf.json"]
	if len(res.Docs) != 1 {
		t.Fatalf("docs %+v", res.Docs)
	}
	d := res.Docs[0]
	i := strings.Index(string(d.Text), "${var.x}")
	if i < 0 {
		t.Fatalf("text %s", d.Text)
	}
	sp := d.Host.Span(analysis.Span{Start: i, End: i + len("${var.x}")})
	if got := at(js, sp); got != "${var.x}" {
		t.Errorf("placeholder at %q", got)
	}
	j := strings.Index(string(d.Text), `\u00e9`)
	if got := at(js, d.Host.Span(analysis.Span{Start: j, End: j + 6})); j < 0 || got != `\u00e9` {
		t.Errorf("escaped character at %q", got)
	}
}

// A policy written as a JSON string with its line breaks escaped (as
// JSON.stringify(policy, null, 2) writes it, here after a first line
// break): a line break between JSON
// tokens is whitespace, one inside a JSON string stays its escape, and an
// escaped quote inside a JSON string (\\\" in the file) stays escaped.
func TestTFJSONPrettyPrintedPolicy(t *testing.T) {
	src := `{"resource": {"aws_iam_policy": {"p": {"policy": "\n{\n  \"Statement\": [{\n    \"Sid\": \"a\\\"b\\nc\",\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:GetObjekt\",\n    \"Resource\": \"*\"\n  }]\n}"}}}}`
	a, docs := readModuleFile(t, map[string]string{"m/a.tf.json": src}, "m/a.tf.json")
	if len(docs) != 1 {
		t.Fatalf("docs %+v", docs)
	}
	if want := ` {   "Statement": [{     "Sid": "a\"b\nc",     "Effect": "Allow",     "Action": "s3:GetObjekt",     "Resource": "*"   }] }`; string(docs[0].Text) != want {
		t.Errorf("text\n%s\nwant\n%s", docs[0].Text, want)
	}
	if f := finding(t, a, "unknown-action"); at(src, f.Span) != `\"s3:GetObjekt\"` {
		t.Errorf("unknown-action at %q", at(src, f.Span))
	}
	for _, f := range a.Findings {
		if f.Code != "unknown-action" && f.Code != "missing-version" {
			t.Errorf("finding %s %q", f.Code, f.Message.Text().EN)
		}
	}
}
