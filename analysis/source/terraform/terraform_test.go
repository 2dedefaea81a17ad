package terraform

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// readOne reads one file as a module and analyses its documents.
func readOne(t *testing.T, src string) (*analysis.Analysis, []analysis.Document) {
	t.Helper()
	res := ReadModule(map[string][]byte{"m/main.tf": []byte(src)}, "")["m/main.tf"]
	files := res.Files("m/main.tf", nil)
	return analysis.AnalyzeFile("m/main.tf", files, res.Findings, analysis.Options{Checks: checks.All}), res.Docs
}

// finding returns the finding of a code, failing when there is none.
func finding(t *testing.T, a *analysis.Analysis, code string) analysis.Finding {
	t.Helper()
	for _, f := range a.Findings {
		if f.Code == code {
			return f
		}
	}
	t.Fatalf("no %s among %+v", code, a.Findings)
	return analysis.Finding{}
}

// at is the text of the host under a span.
func at(src string, sp analysis.Span) string { return src[sp.Start:sp.End] }

// oneLine is a translated document's text without the line breaks that
// keep it on its host's lines.
func oneLine(text []byte) string { return strings.ReplaceAll(string(text), "\n", "") }

const prelude = "# 日本語のコメント 🚀 emoji\n"

// A jsonencode object is translated: a finding lands on the HCL string's
// characters, and no JSON fix is written into HCL.
func TestJSONEncodeRanges(t *testing.T) {
	src := prelude + `resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObjekt"]
      Resource = "arn:aws:s3:::b/*"
    }]
  })
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 || docs[0].Name != "aws_iam_policy.p" || docs[0].Kind != analysis.KindIdentity || docs[0].KindReason != "aws_iam_policy.p.policy" {
		t.Fatalf("docs %+v", docs)
	}
	if want := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": "arn:aws:s3:::b/*"}]}`; oneLine(docs[0].Text) != want {
		t.Errorf("text\n%s\nwant\n%s", docs[0].Text, want)
	}
	if got := at(src, docs[0].Host.Whole); !strings.HasPrefix(got, "jsonencode({") || !strings.HasSuffix(got, "})") {
		t.Errorf("whole %q", got)
	}
	f := finding(t, a, "unknown-action")
	if got := at(src, f.Span); got != `"s3:GetObjekt"` {
		t.Errorf("unknown-action at %q, want the HCL string", got)
	}
	// The fix replaces the HCL string with a JSON string, which HCL reads
	// alike: the module reads again with the action fixed.
	if len(f.AllFixes()) == 0 {
		t.Fatal("no fix for the HCL string")
	}
	fixed := string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits))
	if !strings.Contains(fixed, `Action   = ["s3:GetObject"]`) {
		t.Errorf("fixed:\n%s", fixed)
	}
	a2, docs2 := readOne(t, fixed)
	if len(docs2) != 1 || len(a2.Findings) != 0 {
		t.Errorf("after the fix: %d documents, findings %+v", len(docs2), a2.Findings)
	}
}

// A fix that would add an object member is not written into a policy
// document block, where HCL takes blocks; strings and lists are.
func TestEncodeHCL(t *testing.T) {
	for _, tc := range []struct {
		block bool
		text  string
		want  string
		ok    bool
	}{
		{true, `, "s3:ListBucket"`, `, "s3:ListBucket"`, true},
		{true, `"arn:aws:s3:::b/${aws:username}/*"`, `"arn:aws:s3:::b/$${aws:username}/*"`, true},
		{true, `, "Condition": {"Bool": {"aws:SecureTransport": "true"}}`, "", false},
		{false, `, "Condition": {"Bool": {"aws:SecureTransport": "true"}}`, `, "Condition": {"Bool": {"aws:SecureTransport": "true"}}`, true},
		{true, `"a\"{"`, `"a\"{"`, true},
	} {
		got, ok := encodeHCL(tc.block)(1, tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("encodeHCL(%v)(%q) = %q, %v; want %q, %v", tc.block, tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

// A heredoc is the file's own JSON: findings and fixes land one for one,
// interpolations are resolved or kept as placeholders, $${...} is an IAM
// policy variable.
func TestHeredocRangesAndFix(t *testing.T) {
	src := prelude + `variable "bucket" {
  default = "reports"
}
resource "aws_iam_user_policy" "u" {
  policy = <<EOF
{
  "Statement": [{
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": ["arn:aws:s3:::${var.bucket}/$${aws:username}/*", "${var.other}"]
  }]
}
EOF
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 || docs[0].Kind != analysis.KindIdentity {
		t.Fatalf("docs %+v", docs)
	}
	if !strings.Contains(string(docs[0].Text), `"arn:aws:s3:::reports/${aws:username}/*", "${var.other}"`) {
		t.Errorf("text %s", docs[0].Text)
	}
	f := finding(t, a, "missing-version")
	if got := at(src, f.Span); !strings.HasPrefix(got, "{") || f.Span.Start != strings.Index(src, "{\n  \"Statement") {
		t.Errorf("missing-version at %d %q", f.Span.Start, got)
	}
	if len(f.AllFixes()) == 0 {
		t.Fatal("no fix offered in the heredoc")
	}
	fixed := string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits))
	if !strings.Contains(fixed, "<<EOF\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\"") {
		t.Errorf("fixed:\n%s", fixed)
	}
	for _, fd := range a.Findings {
		if fd.Code == "invalid-arn" {
			t.Errorf("a placeholder is reported: %+v", fd)
		}
	}
}

// In an indented heredoc (<<-EOT) the JSON keeps its indentation; a fix
// that spans a resolved interpolation is not offered.
func TestIndentedHeredoc(t *testing.T) {
	src := prelude + `resource "aws_s3_bucket" "b" {
  bucket = "data"
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "s3:GetObjekt",
        "Resource": "${aws_s3_bucket.b.arn}/*"
      }]
    }
  EOT
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 || docs[0].Kind != analysis.KindBucket || docs[0].Facts.Bucket != "data" {
		t.Fatalf("docs %+v facts %+v", docs, docs[0].Facts)
	}
	if !strings.Contains(string(docs[0].Text), `"Resource": "arn:aws:s3:::data/*"`) {
		t.Errorf("text %s", docs[0].Text)
	}
	f := finding(t, a, "unknown-action")
	if got := at(src, f.Span); got != `"s3:GetObjekt"` {
		t.Errorf("unknown-action at %q", got)
	}
	// From "Resource" (before the interpolation) to "/*" (after it): both
	// ends are the heredoc's own text, but the value between is resolved.
	text := string(docs[0].Text)
	across := analysis.Edit{Span: analysis.Span{Start: strings.Index(text, `"Resource"`), End: strings.Index(text, `/*"`)}, NewText: "x"}
	if edits, ok := docs[0].Host.Edits([]analysis.Edit{across}); ok {
		t.Errorf("an edit across the resolved interpolation was mapped: %+v", edits)
	}
	within := analysis.Edit{Span: analysis.Span{Start: strings.Index(text, `s3:GetObjekt`), End: strings.Index(text, `s3:GetObjekt`) + len("s3:GetObjekt")}, NewText: "s3:GetObject"}
	edits, ok := docs[0].Host.Edits([]analysis.Edit{within})
	if !ok || at(src, edits[0].Span) != "s3:GetObjekt" {
		t.Errorf("an edit inside the heredoc: %+v %v", edits, ok)
	}
}

// A quoted string of JSON maps its escapes; a fix is written escaped.
func TestQuotedStringFix(t *testing.T) {
	src := prelude + `resource "aws_iam_role_policy" "r" {
  policy = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}"
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 || oneLine(docs[0].Text) != `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}` {
		t.Fatalf("docs %+v", docs)
	}
	f := finding(t, a, "missing-version")
	if len(f.AllFixes()) == 0 {
		t.Fatal("no fix")
	}
	fixed := string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits))
	if !strings.Contains(fixed, `policy = "{\"Version\": \"2012-10-17\",`) {
		t.Errorf("fixed:\n%s", fixed)
	}
	// The fixed file reads again with the same document and no missing-version.
	a2, _ := readOne(t, fixed)
	for _, fd := range a2.Findings {
		if fd.Code == "missing-version" {
			t.Errorf("still missing-version after the fix:\n%s", fixed)
		}
	}
}

// A policy document block is translated with each element at its
// attribute; principals and conditions are grouped as the provider does.
func TestPolicyDocumentRanges(t *testing.T) {
	src := prelude + `data "aws_iam_policy_document" "d" {
  statement {
    sid     = "Read"
    actions = ["s3:GetObject", "s3:GetObjekt"]
    resources = ["arn:aws:s3:::b/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-1"]
    }
  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = "b"
  policy = data.aws_iam_policy_document.d.json
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 || docs[0].Name != "data.aws_iam_policy_document.d" || docs[0].Kind != analysis.KindBucket || docs[0].KindReason != "aws_s3_bucket_policy.b.policy" || docs[0].Facts.Bucket != "b" {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjekt"], "Resource": ["arn:aws:s3:::b/*"], "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Condition": {"StringEquals": {"aws:SourceVpce": ["vpce-1"]}}}]}`
	if oneLine(docs[0].Text) != want {
		t.Errorf("text\n%s\nwant\n%s", docs[0].Text, want)
	}
	f := finding(t, a, "unknown-action")
	if got := at(src, f.Span); got != `"s3:GetObjekt"` {
		t.Errorf("unknown-action at %q", got)
	}
	if len(f.AllFixes()) == 0 || !strings.Contains(string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits)), `actions = ["s3:GetObject", "s3:GetObject"]`) {
		t.Errorf("the action's fix in the block: %+v", f.AllFixes())
	}
	// The document keeps its host's lines: explain counts lines in it.
	text := string(docs[0].Text)
	for _, elem := range []string{`"s3:GetObjekt"`, `"StringEquals"`, `"arn:aws:iam::111122223333:root"`} {
		if got, want := strings.Count(text[:strings.Index(text, elem)], "\n"), strings.Count(src[:strings.Index(src, elem)], "\n"); got != want {
			t.Errorf("%s on line %d of the document, %d of the host", elem, got+1, want+1)
		}
	}
	if got := at(src, docs[0].Host.Whole); !strings.HasPrefix(got, `data "aws_iam_policy_document" "d" {`) {
		t.Errorf("whole %q", got)
	}
}

// Each use gives its kind; a document used nowhere is left to content.
func TestKindsFromUse(t *testing.T) {
	src := `provider "aws" {
  allowed_account_ids = ["444455556666"]
}
locals {
  boundary = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
resource "aws_iam_role" "app" {
  name                 = "app"
  permissions_boundary = aws_iam_policy.boundary.arn
  assume_role_policy   = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
  inline_policy {
    name   = "inline"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "*" }] })
  }
}
resource "aws_iam_policy" "boundary" {
  policy = local.boundary
}
resource "aws_iam_policy" "attached" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.attached.arn
}
resource "aws_kms_key" "k" {}
resource "aws_kms_key_policy" "k" {
  key_id = aws_kms_key.k.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }] })
}
resource "aws_vpc_endpoint" "s3" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
resource "aws_organizations_policy" "scp" {
  content = jsonencode({ Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
resource "aws_organizations_policy" "rcp" {
  type    = "RESOURCE_CONTROL_POLICY"
  content = jsonencode({ Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
resource "aws_iam_role_policy" "by_name" {
  role   = "app"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_sqs_queue_policy" "q" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:SendMessage", Resource = "*" }] })
}
output "unused" {
  value = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
`
	_, docs := readOne(t, src)
	want := map[string]string{
		"local.boundary":                        "boundary arn:aws:iam::444455556666:role/app",
		"aws_iam_role.app.assume_role_policy":   "trust ",
		"aws_iam_role.app.inline_policy.policy": "identity arn:aws:iam::444455556666:role/app",
		"aws_iam_policy.attached":               "identity arn:aws:iam::444455556666:role/app",
		"aws_kms_key_policy.k":                  "key arn:aws:kms::444455556666:key/k",
		"aws_vpc_endpoint.s3":                   "endpoint ${aws_vpc_endpoint.s3.id}",
		"aws_organizations_policy.scp.content":  "scp ",
		"aws_organizations_policy.rcp.content":  "rcp ",
		"aws_sqs_queue_policy.q":                "resource ",
		"aws_iam_role_policy.by_name":           "identity arn:aws:iam::444455556666:role/app",
		"output.unused.value":                   " ",
	}
	got := map[string]string{}
	for _, d := range docs {
		owner := ""
		if d.Facts != nil {
			owner = d.Facts.Principal + d.Facts.Key + d.Facts.Endpoint
		}
		got[d.Name] = string(d.Kind) + " " + owner
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("documents %v", got)
	}
}

// The module's buckets carry their settings, from the configuration
// resources or the older inline blocks.
func TestBucketFacts(t *testing.T) {
	files := map[string][]byte{
		"m/main.tf": []byte(`provider "aws" {
  region = "eu-west-1"
  assume_role { role_arn = "arn:aws:iam::444455556666:role/deploy" }
}
resource "aws_s3_bucket" "a" { bucket = "a-bucket" }
resource "aws_s3_bucket" "old" {
  bucket        = "old-bucket"
  request_payer = "Requester"
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
    }
  }
  policy = jsonencode({ Statement = [] })
}
resource "aws_kms_key" "k" {}
`),
		"m/settings.tf": []byte(`resource "aws_s3_bucket_server_side_encryption_configuration" "a" {
  bucket = aws_s3_bucket.a.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
  }
}
resource "aws_s3_bucket_ownership_controls" "a" {
  bucket = aws_s3_bucket.a.bucket
  rule { object_ownership = "ObjectWriter" }
}
resource "aws_s3_bucket_request_payment_configuration" "a" {
  bucket = aws_s3_bucket.a.id
  payer  = "Requester"
}
`)}
	res := ReadModule(files, "")
	bs := res["m/main.tf"].Buckets
	if len(bs) != 2 {
		t.Fatalf("buckets %+v", bs)
	}
	want := []analysis.BucketFacts{
		{Name: "a-bucket", Account: "444455556666", Encryption: "aws:kms", KMSKeyARN: "arn:aws:kms:eu-west-1:444455556666:key/k", ObjectOwnership: "ObjectWriter", RequesterPays: true, Region: "eu-west-1"},
		{Name: "old-bucket", Account: "444455556666", Encryption: "AES256", RequesterPays: true, Region: "eu-west-1"},
	}
	for i, w := range want {
		if *bs[i] != w {
			t.Errorf("bucket %d: %+v, want %+v", i, *bs[i], w)
		}
	}
	if len(res["m/settings.tf"].Buckets) != 0 || len(res["m/settings.tf"].Docs) != 0 {
		t.Errorf("settings.tf: %+v", res["m/settings.tf"])
	}
}

// A module that mentions neither a policy nor a bucket is not parsed;
// broken HCL is no panic.
func TestNoPolicyAndBrokenHCL(t *testing.T) {
	if res := ReadModule(map[string][]byte{"m/vpc.tf": []byte(`resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }`)}, ""); len(res) != 0 {
		t.Errorf("read a module with no policy: %+v", res)
	}
	for _, src := range []string{`resource "aws_iam_policy" "p" { policy = jsonencode({ Statement = [`, "policy = <<EOF\n{\"Statement\": [\n", `policy = "{\"Statement\": ${`} {
		ReadModule(map[string][]byte{"m/x.tf": []byte(src)}, "")
	}
}

// Statements the module computes are none known, not a string where
// statements belong; a local's list is written where it is used, and the
// lists of concat() as one; a local that holds itself ends.
func TestComputedStatements(t *testing.T) {
	src := `locals {
  statements = [{ Effect = "Allow", Action = "s3:GetObjekt", Resource = "*" }]
  loop       = [local.loop]
}
resource "aws_iam_policy" "a" {
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}
resource "aws_iam_policy" "b" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [for s in var.list : { Effect = "Allow", Action = s, Resource = "*" }] })
}
resource "aws_iam_policy" "c" {
  policy = jsonencode({ Version = "2012-10-17", Statement = concat([{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }], var.extra) })
}
resource "aws_iam_policy" "d" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = local.loop, Resource = "*" }] })
}
`
	a, docs := readOne(t, src)
	texts := map[string]string{}
	for _, d := range docs {
		texts[d.Name] = oneLine(d.Text)
	}
	want := map[string]string{
		"aws_iam_policy.a": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}`,
		"aws_iam_policy.b": `{"Version": "2012-10-17", "Statement": []}`,
		"aws_iam_policy.c": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`,
	}
	for name, w := range want {
		if texts[name] != w {
			t.Errorf("%s:\n%s\nwant\n%s", name, texts[name], w)
		}
	}
	f := finding(t, a, "unknown-action")
	if got := at(src, f.Span); got != "local.statements" {
		t.Errorf("unknown-action of a local's statement at %q, want the reference", got)
	}
	for _, fd := range a.Findings {
		if fd.Code == "missing-statement" {
			t.Errorf("%+v", fd)
		}
	}
}

// A resource with count is resolved through its instance key.
func TestCountInstance(t *testing.T) {
	src := `resource "aws_s3_bucket" "this" {
  count  = var.create ? 1 : 0
  bucket = "logs"
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = ["${aws_s3_bucket.this[0].arn}/*", var.list[0]] }] })
}
`
	_, docs := readOne(t, src)
	if len(docs) != 1 || !strings.Contains(oneLine(docs[0].Text), `"Resource": ["arn:aws:s3:::logs/*", "${var.list[0]}"]`) {
		t.Errorf("docs %+v", docs)
	}
}

// In a data "aws_iam_policy_document" block the provider writes each
// &{variable} as the IAM policy variable ${variable}: the policy AWS
// reads names jane's home, and no finding says it does not. The same
// text in jsonencode stays as written (the provider is not involved).
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document#context-variable-interpolation
func TestPolicyDocumentVariables(t *testing.T) {
	src := prelude + `data "aws_iam_policy_document" "d" {
  statement {
    sid       = "ホーム"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shared-data/home/&{aws:username}/*", "arn:aws:s3:::logs/${var.env}/&{aws:userid}/*"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["home/&{aws:username}/*"]
    }
  }
}
locals {
  raw = jsonencode({Statement = [{Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/&{x}"}]})
}
`
	_, docs := readOne(t, src)
	if len(docs) != 2 {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Sid": "ホーム", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::shared-data/home/${aws:username}/*", "arn:aws:s3:::logs/${var.env}/${aws:userid}/*"], "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}}]}`
	if oneLine(docs[0].Text) != want {
		t.Errorf("text\n%s\nwant\n%s", oneLine(docs[0].Text), want)
	}
	if got := oneLine(docs[1].Text); !strings.Contains(got, `"arn:aws:s3:::b/&{x}"`) {
		t.Errorf("jsonencode text %s", got)
	}
}
