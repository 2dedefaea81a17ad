package checks_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

const dupSidPolicy = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
  {"Sid": «"Read"», "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"},
  {"Sid": "Read2", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
]}`

func TestDuplicateSidBucketPolicy(t *testing.T) {
	src, got := checktest.Expect(t, "duplicate-sid", "a.bucket-policy.json", dupSidPolicy, nil)
	f := got[0]
	if f.Severity != analysis.Error {
		t.Errorf("severity %v, want error in a bucket policy", f.Severity)
	}
	at := strings.Index(src, `"Read"`)
	first := analysis.Span{Start: at, End: at + len(`"Read"`)}
	if len(f.Related) != 1 || f.Related[0].Span != first {
		t.Errorf("related %+v, want the first \"Read\" at %v", f.Related, first)
	}
	// "Read2" is taken, so the fix proposes "Read3".
	assertFixed(t, "a.bucket-policy.json", src, f, "")
	if f.AllFixes()[0].Edits[0].NewText != `"Read3"` {
		t.Errorf("fix renames to %s, want \"Read3\"", f.AllFixes()[0].Edits[0].NewText)
	}
}

func TestDuplicateSidIsWarningInKeyPolicy(t *testing.T) {
	_, got := checktest.Expect(t, "duplicate-sid", "a.key-policy.json", dupSidPolicy, nil)
	if got[0].Severity != analysis.Warning {
		t.Errorf("severity %v, want warning in a key policy", got[0].Severity)
	}
}

func TestDuplicateSidNearMiss(t *testing.T) {
	// Sids that differ only in case, and statements without a Sid, are fine.
	checktest.Expect(t, "duplicate-sid", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
  {"Sid": "read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
]}`, nil)
}

// The Sids of a policy are sorted on the stack to find whether any
// repeats, and put in a map past 64 statements: a repeat between the
// first and the last statement is reported either way, once.
func TestDuplicateSidFirstAndLastOfManyStatements(t *testing.T) {
	for _, n := range []int{2, 63, 64, 65, 130} {
		var b strings.Builder
		b.WriteString(`{"Version": "2012-10-17", "Statement": [`)
		for i := range n {
			sid := `"S` + strconv.Itoa(i) + `"`
			switch i {
			case 0:
				sid = `"Same"`
			case n - 1:
				sid = `«"Same"»`
			}
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"Sid": ` + sid + `, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`)
		}
		b.WriteString("]}")
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			checktest.Expect(t, "duplicate-sid", "a.iam-policy.json", b.String(), nil)
		})
	}
}
