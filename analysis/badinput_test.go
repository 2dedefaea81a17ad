package analysis_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// TestBadInput runs every check on input that is not a policy, as an
// editor sends it while typing or a user points the tool at the wrong
// file: each gets one clear finding at a stated place, and nothing panics.
func TestBadInput(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`
	openQuote := strings.LastIndex(policy[:70], `"`) // the string cut off by truncation
	deep := `{"Statement": ` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	garbage[0] = 0x00 // not a value's first byte, whatever the generator says

	cases := []struct {
		name string
		src  string
		code string
		span analysis.Span
		msg  string
	}{
		{"empty file", "", "json-syntax", analysis.Span{Start: 0, End: 0},
			`the document is empty: a policy is a JSON object such as {"Version": "2012-10-17", "Statement": []}`},
		{"empty array", "[]", "missing-statement", analysis.Span{Start: 0, End: 1},
			"a policy document must be a JSON object with a Statement, not an array (kind: S3 bucket policy)"},
		{"null", "null", "missing-statement", analysis.Span{Start: 0, End: 4},
			"a policy document must be a JSON object with a Statement, not null (kind: S3 bucket policy)"},
		{"a string", `"s3:GetObject"`, "missing-statement", analysis.Span{Start: 0, End: 14},
			"a policy document must be a JSON object with a Statement, not a string (kind: S3 bucket policy)"},
		{"truncated", policy[:70], "json-syntax", analysis.Span{Start: openQuote, End: openQuote + 1},
			`unexpected end of document: the string that starts here is not closed with "`},
		{"binary garbage", string(garbage), "json-syntax", analysis.Span{Start: 0, End: 1},
			`unexpected control character '\x00': expected a value`},
		{"invalid UTF-8", "\xff\xfe{}", "json-syntax", analysis.Span{Start: 0, End: 1},
			"unexpected byte 0xff (not UTF-8 text): expected a value"},
		{"10,000-deep nesting", deep, "json-syntax", analysis.Span{Start: 14 + analysis.MaxDepth, End: 15 + analysis.MaxDepth},
			"nesting is deeper than 256 levels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := analyzeAll(t, "x.bucket-policy.json", []byte(c.src))
			if len(got) != 1 || got[0].Code != c.code || got[0].Span != c.span || got[0].Message.Text().EN != c.msg {
				t.Fatalf("findings %+v\nwant one %s at %v: %s", got, c.code, c.span, c.msg)
			}
			if got[0].Message.Text().JA == "" {
				t.Errorf("no Japanese message")
			}
		})
	}
}

// TestBadInputInvalidUTF8InString: invalid UTF-8 inside a string is
// accepted (as U+FFFD, like encoding/json) and the policy is analysed.
func TestBadInputInvalidUTF8InString(t *testing.T) {
	src := "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"\xff\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b\xfe/*\"}]}"
	got := analyzeAll(t, "x.bucket-policy.json", []byte(src))
	if len(got) != 1 || got[0].Code != "missing-principal" {
		t.Errorf("findings %+v, want only missing-principal", got)
	}
}

// TestBadInputFiveMegabytes analyses a 5 MB bucket policy in full: the one
// fault, in its last statement, is found at its place.
func TestBadInputFiveMegabytes(t *testing.T) {
	stmt := `{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},` + "\n"
	var b strings.Builder
	b.WriteString(`{"Version": "2012-10-17", "Statement": [` + "\n")
	for b.Len() < 5<<20 {
		b.WriteString(stmt)
	}
	last := b.Len()
	b.WriteString(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`)
	got := analyzeAll(t, "x.bucket-policy.json", []byte(b.String()))
	want := analysis.Span{Start: last + 1, End: last + 9} // "Effect"
	if len(got) != 1 || got[0].Code != "missing-principal" || got[0].Span != want {
		t.Errorf("findings %+v, want one missing-principal at %v", got, want)
	}
}

// analyzeAll runs every check and fails on a finding out of bounds, one
// without its texts in both languages, or an internal error (a check that
// panicked).
func analyzeAll(t testing.TB, path string, src []byte) []analysis.Finding {
	t.Helper()
	return analyzeWith(t, path, src, nil)
}

// analyzeWith is analyzeAll under a .s3policy.json.
func analyzeWith(t testing.TB, path string, src []byte, cfg *analysis.Config) []analysis.Finding {
	t.Helper()
	f := analysis.NewFile(path, src, cfg)
	got := analysis.Analyze(f, checks.All)
	for _, fd := range got {
		if fd.Code == analysis.InternalErrorCode {
			t.Fatalf("a check failed: %s", fd.Message.Text().EN)
		}
		assertSpan(t, src, fd.Span, fd.Code)
		if fd.Message.Text().EN == "" || fd.Message.Text().JA == "" || fd.Explanation().JA == "" || fd.DocURL == "" {
			t.Fatalf("%s: a message, Japanese explanation or documentation link is missing: %+v", fd.Code, fd)
		}
		for _, r := range fd.Related {
			assertSpan(t, src, r.Span, fd.Code+" related")
		}
		for _, fix := range fd.AllFixes() {
			for _, e := range fix.Edits {
				assertSpan(t, src, e.Span, fd.Code+" fix "+fix.Title.EN)
			}
		}
	}
	return got
}

func assertSpan(t testing.TB, src []byte, s analysis.Span, what string) {
	t.Helper()
	if s.Start < 0 || s.Start > s.End || s.End > len(src) {
		t.Fatalf("%s: span %v out of bounds (document of %d bytes)", what, s, len(src))
	}
}
