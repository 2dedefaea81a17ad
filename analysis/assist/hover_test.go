package assist_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// hoverAt hovers at the start of the marked span and asserts the span the
// hover explains.
func hoverAt(t *testing.T, marked string) analysis.Text {
	t.Helper()
	src, spans := checktest.Unmark(marked)
	f := analysis.NewFile("a.bucket-policy.json", []byte(src), nil)
	text, span, ok := assist.IAMHover(f, spans[0].Start+1)
	if !ok || span != spans[0] {
		t.Fatalf("hover: ok %v, span %v, want %v", ok, span, spans[0])
	}
	return text
}

func wantAll(t *testing.T, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("hover lacks %q:\n%s", p, text)
		}
	}
}

const hoverPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": %s},
  "Action": [%s, "s3:ListBucket"],
  "Resource": %s,
  "Condition": {"StringEquals": {%s: "vpce-1"}}}]}`

// hoverDoc fills hoverPolicy; one argument carries the « » markers.
func hoverDoc(principal, action, resource, key string) string {
	s := hoverPolicy
	for _, v := range []string{principal, action, resource, key} {
		s = strings.Replace(s, "%s", v, 1)
	}
	return s
}

func TestHoverAction(t *testing.T) {
	text := hoverAt(t, hoverDoc(`"111122223333"`, `«"s3:GetObject"»`, `"*"`, `"aws:SourceVpce"`))
	wantAll(t, text.EN, "**s3:GetObject** (Amazon S3, access level: Read)", "Grants permission to retrieve objects from Amazon S3",
		"- object `arn:${Partition}:s3:::${BucketName}/${ObjectName}`", "`s3:ExistingObjectTag/<key>`",
		"(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)")
	wantAll(t, text.JA, "アクセスレベル: Read", "リソースタイプ:")
}

func TestHoverWildcardAction(t *testing.T) {
	text := hoverAt(t, hoverDoc(`"111122223333"`, `«"s3:Get*"»`, `"*"`, `"aws:SourceVpce"`))
	var n int
	if _, err := fmt.Sscanf(text.EN, "**s3:Get*** matches %d actions", &n); err != nil || n < 50 {
		t.Fatalf("count %d (%v) in %q", n, err, text.EN[:60])
	}
	// Every s3:Get* action is of the Read level; twelve are listed.
	wantAll(t, text.EN, " actions of Amazon S3", fmt.Sprintf("**Read** (%d): GetAccelerateConfiguration, ", n), fmt.Sprintf(", … and %d more", n-12))
	wantAll(t, text.JA, fmt.Sprintf("%d 個のアクション", n), fmt.Sprintf("ほか %d 個", n-12))
}

func TestHoverConditionKey(t *testing.T) {
	text := hoverAt(t, hoverDoc(`"111122223333"`, `"s3:GetObject"`, `"*"`, `«"aws:SourceVpce"»`))
	wantAll(t, text.EN, "**aws:SourceVpce** (type String)", "VPC endpoint", "Global condition key", "reference_policies_condition-keys.html")
	text = hoverAt(t, hoverDoc(`"111122223333"`, `"s3:GetObject"`, `"*"`, `«"s3:prefix"»`))
	wantAll(t, text.EN, "**s3:prefix** (type String)", "support it: `s3:ListBucket`", "That do not: `s3:GetObject`")
}

func TestHoverARN(t *testing.T) {
	text := hoverAt(t, hoverDoc(`"111122223333"`, `"s3:GetObject"`, `«"arn:aws:s3:::amzn-s3-demo-bucket/*"»`, `"aws:SourceVpce"`))
	wantAll(t, text.EN, "- partition: `aws`", "- service: `s3` Amazon S3", "- region: (none)", "- account: (none)",
		"- resource: `amzn-s3-demo-bucket/*`", "Resource type: object `arn:${Partition}:s3:::${BucketName}/${ObjectName}`")
	wantAll(t, text.JA, "リージョン: (なし)")
}

func TestHoverPrincipal(t *testing.T) {
	text := hoverAt(t, hoverDoc(`«"arn:aws:iam::111122223333:role/Admin"»`, `"s3:GetObject"`, `"*"`, `"aws:SourceVpce"`))
	wantAll(t, text.EN, "IAM role", "Account: `111122223333`")
	text = hoverAt(t, hoverDoc(`«"arn:aws:sts::111122223333:assumed-role/Admin/alice"»`, `"s3:GetObject"`, `"*"`, `"aws:SourceVpce"`))
	wantAll(t, text.EN, "assumed-role session")
}
