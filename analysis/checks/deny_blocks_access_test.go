package checks_test

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

const allowJane = `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}`

func TestDenyBlocksAccessUnconditional(t *testing.T) {
	cfg := workspace(t, "")
	src, got := checktest.Expect(t, "deny-blocks-access", "bucket.json", `{
  "Version": "2012-10-17",
  "Statement": [
    `+allowJane+`,
    {
      "Effect": «"Deny"»,
      "Principal": "*",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]
    }
  ]
}`, cfg)
	wantSeverity(t, got[0], analysis.Error)
	wantMessage(t, got[0], "explicit Deny of s3:* on arn:aws:s3:::DOC-EXAMPLE-BUCKET, arn:aws:s3:::DOC-EXAMPLE-BUCKET/*: no Allow in any policy overrides it",
		"明示的な Deny")
	// Its fixes, the exemption and the removal below, are written when
	// asked for, not when the Deny is reported: check prints none.
	if len(got[0].Fixes) != 0 || !got[0].HasFixes() {
		t.Errorf("reported with %d fixes written (HasFixes %v), want none written and some to write", len(got[0].Fixes), got[0].HasFixes())
	}
	wantHover(t, "bucket.json", src, got[0], cfg)
	fixed := fixRemoves(t, "bucket.json", src, got[0], 1, cfg) // after the exemption, which keeps access
	want := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    " + allowJane + "\n  ]\n}"
	if fixed != want {
		t.Errorf("after removing the statement:\n%s\nwant:\n%s", fixed, want)
	}
	// The exemption lifts only what the Deny takes from the policy's
	// grants (s3:GetObject): account 111122223333 stays denied every
	// other action, in a statement of its own laid out like the Deny and
	// with a Sid, which is a guardrail that
	// blocks nothing granted: information, with no fix.
	fixed, after := checktest.ApplyFix(t, "bucket.json", src, got[0], 0, cfg)
	if !contains(fixed, `"Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"],
      "Condition": {
        "StringNotEquals": {
          "aws:PrincipalAccount": "111122223333"
        }
      }
    },
    {
      "Sid": "DenyAccountsOtherActions",
      "Effect": "Deny",
      "Principal": "*",
      "NotAction": "s3:GetObject",
      "Resource": [
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"
      ],
      "Condition": {
        "StringEquals": {
          "aws:PrincipalAccount": "111122223333"
        }
      }
    }`) {
		t.Errorf("exemption not added as expected:\n%s", fixed)
	}
	for _, f := range after {
		if f.Code == "deny-blocks-access" && (f.Severity < analysis.Information || len(f.AllFixes()) > 0) {
			t.Errorf("after the exemption: %s %s with %d fixes", f.Severity, f.Message.Text().EN, len(f.AllFixes()))
		}
	}
}

// Deny severity by what it blocks: a Deny that cancels an Allow of the
// same policy is an error; a policy whose purpose is to deny (no Allow)
// a warning at most; a guardrail that blocks nothing the policy grants
// is information, with no fix that removes or widens it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
func TestDenySeverityByWhatItBlocks(t *testing.T) {
	cfg := workspace(t, "")
	for _, tc := range []struct {
		name, statements string
		severity         analysis.Severity
		fixes            int
	}{
		{"cancels an Allow of the same document", allowJane + `, {"Effect": «"Deny"», "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}`, analysis.Error, 2},
		{"quarantine: deny everything, no Allow", `{"Effect": «"Deny"», "Principal": "*", "Action": "*", "Resource": "*"}`, analysis.Warning, 0},
		{"delete protection blocks nothing granted", allowJane + `, {"Effect": «"Deny"», "Principal": "*", "Action": ["s3:DeleteBucket", "s3:DeleteBucketPolicy"], "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET"}`, analysis.Information, 0},
	} {
		_, got := checktest.Expect(t, "deny-blocks-access", "bucket.json", `{"Version": "2012-10-17", "Statement": [`+tc.statements+`]}`, cfg)
		if got[0].Severity != tc.severity || len(got[0].AllFixes()) != tc.fixes {
			t.Errorf("%s: %s with %d fixes, want %s with %d", tc.name, got[0].Severity, len(got[0].AllFixes()), tc.severity, tc.fixes)
		}
	}
}

func TestDenyBlocksAccessConditionalSaysWhen(t *testing.T) {
	cfg := workspace(t, "")
	for _, tc := range []struct {
		condition, en, ja string
		severity          analysis.Severity
	}{
		{`{"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}`,
			"denies some requests: every request on arn:aws:s3:::DOC-EXAMPLE-BUCKET/* that does not come through vpce-1a2b3c4d", "vpce-1a2b3c4d を経由しないリクエストをすべて拒否します", analysis.Warning},
		{`{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}`,
			"that does not carry the header x-amz-server-side-encryption: aws:kms", "ヘッダー x-amz-server-side-encryption: aws:kms を持たない", analysis.Warning},
		{`{"StringNotEquals": {"aws:PrincipalTag/team": "data"}}`,
			"whose aws:PrincipalTag/team is not data, including every request without aws:PrincipalTag/team (a negated operator is true when the key is missing)",
			"否定の演算子はキーがないと真になる", analysis.Warning},
		{`{"StringEquals": {"s3:x-amz-acl": "public-read"}}`,
			"whose s3:x-amz-acl is public-read", "s3:x-amz-acl が public-read の", analysis.Information},
		{`{"Bool": {"aws:SecureTransport": "false"}}`,
			"whose aws:SecureTransport is false", "aws:SecureTransport が false の", analysis.Hint},
	} {
		_, got := checktest.Expect(t, "deny-blocks-access", "bucket.json", `{"Version": "2012-10-17", "Statement": [`+allowJane+`,
  {"Effect": «"Deny"», "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "Condition": `+tc.condition+`}]}`, cfg)
		wantSeverity(t, got[0], tc.severity)
		wantMessage(t, got[0], tc.en, tc.ja)
	}
}

func TestDenyBlocksAccessNearMisses(t *testing.T) {
	cfg := workspace(t, "")
	for _, stmt := range []string{
		// A data perimeter that exempts the workspace's account.
		`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ["444455556666", "111122223333"]}}}`,
		// Another bucket than the workspace's.
		`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::other-bucket/*"}`,
		// A service principal, not a user.
		`{"Effect": "Deny", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}`,
		// Not S3.
		`{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}`,
	} {
		checktest.Expect(t, "deny-blocks-access", "bucket.json", `{"Version": "2012-10-17", "Statement": [`+allowJane+`, `+stmt+`]}`, cfg)
	}
}

func TestDenyBlocksAccessChosenResourceIsWarning(t *testing.T) {
	_, got := checktest.Expect(t, "deny-blocks-access", "a.iam-policy.json",
		`{"Version": "2012-10-17", "Statement": {"Effect": «"Deny"», "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"}}`, nil)
	wantSeverity(t, got[0], analysis.Warning)
	if len(got[0].AllFixes()) != 0 {
		t.Errorf("a lone statement must not be offered for removal: %+v", got[0].AllFixes())
	}
}

// The message names the policy's own text as written, even when it holds
// the words the message template fills in.
func TestDenyBlocksAccessMessageKeepsResourceText(t *testing.T) {
	cfg := workspace(t, "")
	_, got := checktest.Expect(t, "deny-blocks-access", "bucket.json", `{"Version": "2012-10-17", "Statement": [`+allowJane+`,
  {"Effect": «"Deny"», "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/{when}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`, cfg)
	wantMessage(t, got[0], "this Deny of s3:GetObject denies some requests: every request on arn:aws:s3:::DOC-EXAMPLE-BUCKET/{when}/* whose aws:SecureTransport is false",
		"arn:aws:s3:::DOC-EXAMPLE-BUCKET/{when}/* に対する")
}

// Actions compare case-insensitively when the Deny is weighed against
// the Allow statements, whether the policy's actions are all ASCII
// (lower-cased in one pass for the whole policy) or not (each lower-cased
// on its own): a Deny that takes away all an Allow grants is an error.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func TestDenyBlocksAccessComparesActionsAnyCase(t *testing.T) {
	cfg := workspace(t, "")
	for _, other := range []string{"s3:ListBucket", "s3:GetÖbject"} {
		_, got := checktest.Expect(t, "deny-blocks-access", "bucket.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "S3:GETOBJECT", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "`+other+`", "Resource": "arn:aws:s3:::OTHER-BUCKET"},
    {"Effect": «"Deny"», "Principal": "*", "Action": "s3:getObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}
  ]
}`, cfg)
		wantSeverity(t, got[0], analysis.Error)
	}
}

// A Deny with NotPrincipal that lists the grantee of the policy's Allow
// and its account spares that grant: a guardrail for everyone else, with
// no fix (removing it would let in every principal of the bucket's
// account). Listing the user without the account spares nothing: AWS
// checks the account too.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func TestDenyBlocksAccessNotPrincipalSparesTheGrantee(t *testing.T) {
	cfg := workspace(t, "")
	policy := func(notPrincipal string) string {
		return `{
  "Version": "2012-10-17",
  "Statement": [
    ` + allowJane + `,
    {
      "Effect": «"Deny"»,
      "NotPrincipal": {"AWS": ` + notPrincipal + `},
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]
    }
  ]
}`
	}
	_, got := checktest.Expect(t, "deny-blocks-access", "bucket.json", policy(`["arn:aws:iam::111122223333:user/jane", "arn:aws:iam::111122223333:root"]`), cfg)
	wantSeverity(t, got[0], analysis.Information)
	if got[0].HasFixes() {
		t.Errorf("a Deny that spares every grant of its policy has fixes; want none")
	}
	_, got = checktest.Expect(t, "deny-blocks-access", "bucket.json", policy(`["arn:aws:iam::111122223333:user/jane", "111122223333"]`), cfg)
	wantSeverity(t, got[0], analysis.Information)
	_, got = checktest.Expect(t, "deny-blocks-access", "bucket.json", policy(`"arn:aws:iam::111122223333:user/jane"`), cfg)
	wantSeverity(t, got[0], analysis.Error)

	// An account granted, and a NotPrincipal that lists another account:
	// the Deny takes the whole grant away.
	accountGrant := strings.Replace(policy(`["arn:aws:iam::999999999999:user/auditor", "arn:aws:iam::999999999999:root"]`),
		`"arn:aws:iam::111122223333:user/jane"`, `"arn:aws:iam::111122223333:root"`, 1)
	_, got = checktest.Expect(t, "deny-blocks-access", "bucket.json", accountGrant, cfg)
	wantSeverity(t, got[0], analysis.Error)
	if !got[0].HasFixes() {
		t.Errorf("a Deny that takes an account's whole grant away has no fix")
	}
	_, got = checktest.Expect(t, "deny-blocks-access", "bucket.json", strings.Replace(accountGrant, "999999999999", "111122223333", 2), cfg)
	wantSeverity(t, got[0], analysis.Information)
}
