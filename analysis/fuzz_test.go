package analysis_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// fuzzSeeds are documents that reach the parser's corners, plus the corpus
// of AWS documentation policies when it is present.
func fuzzSeeds(t testing.TB) [][]byte {
	seeds := []string{
		``, `{}`, `[]`, `null`, `"x"`, `0`, `-0.5e+10`, `01`, `1.`, `[1,]`, `{"a":1,}`, `{"a" 1}`,
		`{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "allow", "Principal": {"AWS": ["arn:aws:iam:1:root", "*"]}, "Actions": "s3:*", "Resource": "arn:aws:s3:eu-west-1:111122223333:b/*"}, {"Sid": "A", "NotPrincipal": "*"}]}`,
		`{"Statement": {"Effect": "Deny", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": " *", "Condition": {"Bool": {"aws:SecureTransport": false}}}}`,
		`{"Statement": ["x", {}, [], null]}`, `{"Version": "2008-10-17", "Efect": 1, "Statement": {}}`,
		"\xEF\xBB\xBF{\"Statement\": []}", "{\"a\": \"\xff\xfe\"}", "\"\\ud800\\u0041\"", "\"\\ud83d\\ude00\"", `"\u12"`, `"\x"`,
		strings.Repeat("[", 300), "{\"a\": \"b\n\"}", "{\"Sid\": \"読み取り\" \"Effect\": 1}",
	}
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = []byte(s)
	}
	for _, name := range checktest.ExampleFiles(t) {
		if src, err := os.ReadFile(name); err == nil {
			out = append(out, src)
		}
	}
	dir, ok := checktest.CorpusDir()
	if !ok {
		t.Logf("the AWS documentation corpus is absent (%s): seeding without it", dir)
		return out
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.*.json"))
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			out = append(out, src)
		}
	}
	return out
}

// FuzzParseJSON checks the parser against encoding/json: it accepts exactly
// what encoding/json accepts (except a UTF-8 byte order mark, which it
// skips, and nesting beyond MaxDepth, which it refuses), decodes the same
// values, and keeps every span within the input.
func FuzzParseJSON(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		v, err := analysis.ParseJSON(src)
		std := bytes.TrimPrefix(src, bom)
		if err != nil {
			if err.Span.Start < 0 || err.Span.Start > err.Span.End || err.Span.End > len(src) {
				t.Fatalf("error span %v out of bounds (%d bytes): %s", err.Span, len(src), err.Msg.EN)
			}
			if json.Valid(std) && !strings.HasPrefix(err.Msg.EN, "nesting is deeper") {
				t.Fatalf("rejected valid JSON %q: %v %s", src, err.Span, err.Msg.EN)
			}
			return
		}
		if !json.Valid(std) {
			t.Fatalf("accepted invalid JSON %q", src)
		}
		checkSpans(t, src, v, analysis.Span{Start: 0, End: len(src)})
		dec := json.NewDecoder(bytes.NewReader(std))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if got := plain(v); !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %#v, encoding/json %#v", got, want)
		}
		// Parsed as the server parses its texts (shared, then compacted):
		// the same tree.
		kept := analysis.NewDocumentFile("x.json", analysis.Document{Text: src, Kept: true}, nil)
		if got, want := dumpTree(kept.Root), dumpTree(v); got != want {
			t.Fatalf("kept tree %.300s\nparsed %.300s", got, want)
		}
	})
}

// checkSpans asserts that v and its parts lie within outer and in order.
func checkSpans(t *testing.T, src []byte, v *analysis.Value, outer analysis.Span) {
	if v.Span.Start < outer.Start || v.Span.End > outer.End || v.Span.Start >= v.Span.End {
		t.Fatalf("%s span %v outside %v", v.Kind, v.Span, outer)
	}
	last := v.Span.Start
	var stringItems []*analysis.Value // what Strings gives of an array
	for _, item := range v.Items {
		checkSpans(t, src, item, analysis.Span{Start: last, End: v.Span.End})
		last = item.Span.End
		if item.Kind == analysis.String {
			stringItems = append(stringItems, item)
		}
	}
	if got := analysis.Strings(&analysis.Field{Value: v}); v.Kind == analysis.Array && !slices.Equal(got, stringItems) {
		t.Fatalf("Strings of %.100s: %d values, want %d", src[v.Span.Start:v.Span.End], len(got), len(stringItems))
	}
	for _, f := range v.Fields {
		if f.KeySpan.Start < last || f.KeySpan.End > f.Value.Span.Start || src[f.KeySpan.Start] != '"' {
			t.Fatalf("key %q span %v out of place", f.Key, f.KeySpan)
		}
		checkSpans(t, src, f.Value, analysis.Span{Start: f.KeySpan.End, End: v.Span.End})
		last = f.Value.Span.End
	}
}

// plain converts a Value to what encoding/json decodes with UseNumber;
// with duplicate keys the last wins, as there.
func plain(v *analysis.Value) any {
	switch v.Kind {
	case analysis.Null:
		return nil
	case analysis.Bool:
		return v.Str == "true"
	case analysis.Number:
		return json.Number(v.Str)
	case analysis.String:
		return v.Str
	case analysis.Array:
		out := make([]any, len(v.Items))
		for i, item := range v.Items {
			out[i] = plain(item)
		}
		return out
	}
	out := map[string]any{}
	for _, f := range v.Fields {
		out[f.Key] = plain(f.Value)
	}
	return out
}

// fuzzConfig names accounts and a bucket, so that the checks and fixes
// that compare a policy with .s3policy.json run too.
var fuzzConfig = func() *analysis.Config {
	cfg, findings := analysis.ParseConfig("", []byte(`{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", "objectOwnership": "BucketOwnerEnforced", "requesterPays": true}}}`))
	if len(findings) > 0 {
		panic(findings[0].Message.Text().EN)
	}
	return cfg
}()

// fuzzNames give the fuzzed document each kind in turn, by file name.
var fuzzNames = []string{"x.iam-policy.json", "x.bucket-policy.json", "x.key-policy.json", "x.endpoint-policy.json",
	"x.scp.json", "x.rcp.json", "x.session-policy.json", "x.boundary.json", "x.trust-policy.json", "x.json"}

// FuzzAnalyze runs every check on any input under every kind, without
// and with a .s3policy.json (the top bit of kind): nothing panics, every
// span and fix edit is within the document, a fix's edits do not overlap,
// and any fix applied to a document that parses leaves JSON that parses.
func FuzzAnalyze(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(uint8(i), s)
		f.Add(uint8(i)|0x80, s)
	}
	f.Fuzz(func(t *testing.T, kind uint8, src []byte) {
		name := fuzzNames[int(kind&0x7f)%len(fuzzNames)]
		var cfg *analysis.Config
		if kind&0x80 != 0 {
			cfg = fuzzConfig
		}
		got := analyzeWith(t, name, src, cfg)
		if _, err := analysis.ParseJSON(src); err != nil {
			return
		}
		for _, fd := range got {
			for _, fix := range fd.AllFixes() {
				assertNoOverlap(t, fix)
				fixed := analysis.ApplyEdits(src, fix.Edits)
				if _, err := analysis.ParseJSON(fixed); err != nil {
					t.Fatalf("%s fix %q breaks the JSON (%s):\n%s\n->\n%s", fd.Code, fix.Title.EN, err.Msg.EN, src, fixed)
				}
			}
		}
	})
}

func assertNoOverlap(t *testing.T, fix analysis.Fix) {
	edits := fix.Edits
	for i, a := range edits {
		for _, b := range edits[i+1:] {
			if a.Span.Start < b.Span.End && b.Span.Start < a.Span.End {
				t.Fatalf("fix %q has overlapping edits %v and %v", fix.Title.EN, a.Span, b.Span)
			}
		}
	}
}

// FuzzParseConfig reads any input as .s3policy.json: nothing panics and
// every finding, with its fixes, lies within the file.
func FuzzParseConfig(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, findings := analysis.ParseConfig("/w", src)
		if cfg == nil {
			t.Fatal("ParseConfig returned no Config")
		}
		for _, fd := range findings {
			assertSpan(t, src, fd.Span, fd.Code)
			for _, fix := range fd.AllFixes() {
				for _, e := range fix.Edits {
					assertSpan(t, src, e.Span, fd.Code+" fix")
				}
			}
		}
		// The config is usable whatever it held.
		cfg.FactsFor("/w/a.json")
		cfg.Disabled("missing-version")
	})
}
