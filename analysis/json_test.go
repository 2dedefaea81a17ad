package analysis_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
)

// TestParseJSONErrors asserts the position (marked « ») and the message of
// the first syntax error for the mistakes people make while typing.
func TestParseJSONErrors(t *testing.T) {
	cases := []struct{ name, marked, msg string }{
		{"missing comma", "{\"a\": 1\n «\"»b\": 2}", `unexpected '"': expected ',' or '}' after a member (is a comma missing?)`},
		{"missing comma in array", `["a" «"»b"]`, `unexpected '"': expected ',' or ']' after an element (is a comma missing?)`},
		{"trailing comma in object", `{"a": 1,«}»`, `unexpected '}': a trailing comma is not allowed in JSON`},
		{"trailing comma in array", `["a", «]»`, `unexpected ']': a trailing comma is not allowed in JSON`},
		{"string open at line break", "{\"a\": «\"abc»\n}", `a line break inside a string: the string is not closed with " before it, or the character must be escaped`},
		{"unclosed object at EOF", `{"a": 1«»`, `unexpected end of document: the object is not closed with }`},
		{"object open after comma at EOF", `«{»"a": 1,`, `unexpected end of document: the object opened here is not closed with }`},
		{"unclosed array at EOF", `["a"«»`, `unexpected end of document: the array is not closed with ]`},
		{"unclosed string at EOF", `{"a": «"»abc`, `unexpected end of document: the string that starts here is not closed with "`},
		{"bad escape", `{"a": "x«\q»"}`, `invalid escape sequence \q (valid: \" \\ \/ \b \f \n \r \t \uXXXX)`},
		{"bad unicode escape", `{"a": "«\u12G4»"}`, `invalid \u escape: four hexadecimal digits are needed`},
		{"single quotes", `{"a": «'»b'}`, `unexpected single quote (JSON needs double quotes): expected a value`},
		{"unquoted key", `{«a»: 1}`, `unexpected 'a': expected a quoted member name`},
		{"missing colon", `{"a" «1»}`, `expected ':' after the member name "a"`},
		{"bare word", `{"a": «T»rue}`, `unexpected 'T': expected a value`},
		{"misspelt literal", `{"a": «t»ru}`, `unexpected 't': expected a value (strings need double quotes)`},
		{"leading zero", `{"a": 0«1»}`, `unexpected '1': expected ',' or '}' after a member (is a comma missing?)`},
		{"text after the value", `{} «x»`, `unexpected text after the end of the JSON value`},
		{"empty", `  «»`, `the document is empty: a policy is a JSON object such as {"Version": "2012-10-17", "Statement": []}`},
		{"control character", "«\x01»", `unexpected control character '\x01': expected a value`},
		{"Japanese before the fault", `{"Sid": "読み取り" «"»Effect": "Allow"}`, `unexpected '"': expected ',' or '}' after a member (is a comma missing?)`},
		{"invalid UTF-8 outside a string", "{«\xff»}", `unexpected byte 0xff (not UTF-8 text): expected a quoted member name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, spans := checktest.Unmark(c.marked)
			_, err := analysis.ParseJSON([]byte(src))
			if err == nil {
				t.Fatalf("no error for %q", src)
			}
			if err.Span != spans[0] || err.Msg.EN != c.msg {
				t.Errorf("error %v %q\nwant  %v %q", err.Span, err.Msg.EN, spans[0], c.msg)
			}
			if err.Msg.JA == "" || err.Msg.JA == err.Msg.EN {
				t.Errorf("no Japanese message for %q: %q", c.msg, err.Msg.JA)
			}
		})
	}
}

func TestParseJSONSpans(t *testing.T) {
	src := `{"Sid": "a\"b", "N": [1, -2.5e3, true, null], "O": {}}`
	v, err := analysis.ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err.Msg.EN)
	}
	sid := v.Get("Sid")
	if sid.Value.Str != `a"b` || src[sid.KeySpan.Start:sid.KeySpan.End] != `"Sid"` ||
		src[sid.Value.Span.Start:sid.Value.Span.End] != `"a\"b"` {
		t.Errorf("Sid: %+v", sid)
	}
	n := v.Get("N").Value
	var texts []string
	for _, item := range n.Items {
		texts = append(texts, item.Kind.String()+":"+src[item.Span.Start:item.Span.End])
	}
	if got := strings.Join(texts, " "); got != "number:1 number:-2.5e3 boolean:true null:null" {
		t.Errorf("items: %s", got)
	}
	if f, at := v.Get("O"), strings.Index(src, `"O"`); f.Span() != (analysis.Span{Start: at, End: len(src) - 1}) {
		t.Errorf("O spans %v %q", f.Span(), src[f.Span().Start:f.Span().End])
	}
}

func TestParseJSONDuplicateKeyLastWins(t *testing.T) {
	v, _ := analysis.ParseJSON([]byte(`{"Effect": "Deny", "Effect": "Allow"}`))
	if got := v.Get("Effect").Value.Str; got != "Allow" || len(v.Fields) != 2 {
		t.Errorf("Get = %q with %d fields, want the last, Allow, of 2", got, len(v.Fields))
	}
}

func TestParseJSONInvalidUTF8InString(t *testing.T) {
	src := "{\"Sid\": \"a\xffb\", \"Effect\": \"Allow\"}"
	v, err := analysis.ParseJSON([]byte(src))
	if err != nil {
		t.Fatalf("invalid UTF-8 inside a string must be accepted, as encoding/json does: %s", err.Msg.EN)
	}
	if got := v.Get("Sid").Value.Str; got != "a\uFFFDb" {
		t.Errorf("Sid = %q, want a\\uFFFDb", got)
	}
	if e := v.Get("Effect"); e.KeySpan.Start != strings.Index(src, `"Effect"`) {
		t.Errorf("Effect key at %d, want %d", e.KeySpan.Start, strings.Index(src, `"Effect"`))
	}
}

func TestParseJSONEscapes(t *testing.T) {
	v, err := analysis.ParseJSON([]byte(`["\u00e9\ud83d\ude00\/\t", "\ud800x", "\ud800\u0041"]`))
	if err != nil {
		t.Fatal(err.Msg.EN)
	}
	want := []string{"é😀/\t", "\uFFFDx", "\uFFFDA"}
	for i, w := range want {
		if v.Items[i].Str != w {
			t.Errorf("item %d = %q, want %q", i, v.Items[i].Str, w)
		}
	}
}

func TestParseJSONByteOrderMark(t *testing.T) {
	src := "\xEF\xBB\xBF{\"Version\": \"2012-10-17\"}"
	v, err := analysis.ParseJSON([]byte(src))
	if err != nil {
		t.Fatalf("a BOM must be skipped: %s", err.Msg.EN)
	}
	if v.Span != (analysis.Span{Start: 3, End: len(src)}) || v.Get("Version").KeySpan.Start != 4 {
		t.Errorf("spans must count the BOM's bytes: %v, key at %d", v.Span, v.Get("Version").KeySpan.Start)
	}
	if _, err := analysis.ParseJSON([]byte("\xEF\xBB\xBF")); err == nil || err.Span != (analysis.Span{Start: 3, End: 3}) {
		t.Errorf("a BOM alone is an empty document: %+v", err)
	}
}

func TestParseJSONNestingLimit(t *testing.T) {
	ok := strings.Repeat("[", analysis.MaxDepth+1) + strings.Repeat("]", analysis.MaxDepth+1)
	if _, err := analysis.ParseJSON([]byte(ok)); err != nil {
		t.Errorf("%d levels must parse: %s", analysis.MaxDepth+1, err.Msg.EN)
	}
	deep := strings.Repeat("[", analysis.MaxDepth+2)
	_, err := analysis.ParseJSON([]byte(deep))
	if err == nil || err.Msg.EN != "nesting is deeper than 256 levels" || err.Span.Start != analysis.MaxDepth+1 {
		t.Errorf("error %+v, want nesting is deeper than 256 levels at %d", err, analysis.MaxDepth+1)
	}
}

// BenchmarkParseJSON20KB is the parser alone on the 20 KB bucket policy
// of BenchmarkDocument20KB, against encoding/json decoding it into any
// and json.Valid, in the same loop (the machine is shared: compare the
// ratios).
func BenchmarkParseJSON20KB(b *testing.B) {
	src := policygen.Generate("bucket", 20<<10, 1)
	var parse, decode, valid time.Duration
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		t0 := time.Now()
		if _, err := analysis.ParseJSON(src); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if !json.Valid(src) {
			b.Fatal("not valid")
		}
		t3 := time.Now()
		parse, decode, valid = parse+t1.Sub(t0), decode+t2.Sub(t1), valid+t3.Sub(t2)
	}
	b.ReportMetric(float64(parse.Nanoseconds())/float64(b.N), "parse-ns/op")
	b.ReportMetric(float64(parse)/float64(decode), "vs-decode")
	b.ReportMetric(float64(parse)/float64(valid), "vs-valid")
}

// BenchmarkKeptFile20KB is the 20 KB bucket policy parsed as the
// server and a set parse it (Document.Kept: the text shared, the tree
// copied into memory of its size) and as check parses a file it reads
// alone (the text copied, the tree recycled for the next file), in the
// same loop.
func BenchmarkKeptFile20KB(b *testing.B) {
	src := policygen.Generate("bucket", 20<<10, 1)
	var kept, recycled time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		analysis.NewDocumentFile("p.bucket-policy.json", analysis.Document{Text: src, Kept: true}, nil)
		t1 := time.Now()
		analysis.NewFile("p.bucket-policy.json", src, nil).Recycle()
		kept, recycled = kept+t1.Sub(t0), recycled+time.Since(t1)
	}
	b.ReportMetric(float64(kept.Nanoseconds())/float64(b.N), "kept-ns/op")
	b.ReportMetric(float64(recycled.Nanoseconds())/float64(b.N), "recycled-ns/op")
}

// A tree parsed in the memory of recycled trees (File.Recycle, as check
// does file after file) is the tree a fresh parse gives, whatever the
// sizes of the documents before it, and so is its policy, whose
// statements and Resource ARNs lie in the memory of the policies recycled
// before it; a recycled file's tree is gone.
func TestParseInRecycledSlabs(t *testing.T) {
	docs := [][]byte{
		policygen.Generate("bucket", 20<<10, 1),
		[]byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}}`),
		policygen.Generate("bucket", 2<<10, 2),
		[]byte(`{"Version": "2012-10-17", "Statement": [`), // a syntax error frees its slabs at once
		policygen.Generate("bucket", 60<<10, 3),
		policygen.Generate("identity", 2<<10, 4),
		[]byte(`{"Statement": [1, {"Sid": "x", "Resource": ["arn:aws:s3:::a", 2, "*"]}, {}]}`),
		[]byte(`{"Statement": []}`),
	}
	fresh := make([]string, len(docs))
	for i, d := range docs {
		root, _ := analysis.ParseJSON(d)
		fresh[i] = dumpTree(root) + dumpPolicy(root, nil)
	}
	for round := range 3 {
		for i, d := range docs {
			f := analysis.NewFile("p.bucket-policy.json", d, nil)
			if got := dumpTree(f.Root) + dumpPolicy(f.Root, f.Policy); got != fresh[i] {
				t.Fatalf("round %d, document %d: the tree or its policy differs from a fresh parse's:\n%.300s\nwant\n%.300s", round, i, got, fresh[i])
			}
			f.Recycle()
			if f.Root != nil || f.Policy != nil {
				t.Fatalf("document %d: Root and Policy stay after Recycle", i)
			}
		}
	}
}

// dumpPolicy writes every statement of a policy with its elements, and
// its Resource entries read as ARNs; p nil is the policy of root made in
// memory of its own (NewPolicy), none when root is nil.
func dumpPolicy(root *analysis.Value, p *analysis.Policy) string {
	if p == nil && root != nil {
		p = analysis.NewPolicy(root)
	}
	if p == nil {
		return ""
	}
	var b strings.Builder
	arns := p.ResourceARNs()
	for _, s := range p.Statements {
		fmt.Fprintf(&b, "%d %s %s %v %d|", s.Index, s.SidText(), s.EffectText(), strs(s.Actions()), len(s.Conditions()))
		for _, r := range arns.Of(s) {
			parts, n := r.Parts()
			fmt.Fprintf(&b, "%q %v %v;", parts[:n], r.IsARN(), r.Value.Span)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// dumpTree writes every value of a tree with its kind, span and text.
func dumpTree(v *analysis.Value) string {
	var b strings.Builder
	var walk func(v *analysis.Value)
	walk = func(v *analysis.Value) {
		if v == nil {
			b.WriteString("nil;")
			return
		}
		b.WriteString(v.Kind.String() + " " + v.Span.String() + " " + v.Str + ";")
		for _, it := range v.Items {
			walk(it)
		}
		for _, f := range v.Fields {
			b.WriteString(f.Key + " " + f.KeySpan.String() + ":")
			walk(f.Value)
		}
	}
	walk(v)
	return b.String()
}

// A document whose caller keeps its text (Document.Kept: a set's texts,
// the server's store) is parsed without a copy of it: its strings lie in
// the text itself. Without the promise the parse copies, and a caller
// that writes the next file into the same buffer leaves the tree as it
// was. A caller that writes to it only once the tree is recycled
// (Document.Borrowed: check's files read alone) shares it too, and its
// tree goes to the next parse.
func TestKeptTextIsSharedOtherTextsCopied(t *testing.T) {
	const doc = `{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}`
	inText := func(s string, text []byte) bool {
		at, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&text[0]))
		return at >= start && at < start+uintptr(len(text))
	}

	kept := []byte(doc)
	f := analysis.NewDocumentFile("p.iam-policy.json", analysis.Document{Text: kept, Kept: true}, nil)
	sid := f.Policy.Statements[0].Sid
	if sid.Value.Str != "Read" || !inText(sid.Value.Str, kept) || !inText(sid.Key, kept) {
		t.Errorf("kept text: Sid %q is not a slice of the text", sid.Value.Str)
	}

	buf := []byte(doc)
	f = analysis.NewDocumentFile("p.iam-policy.json", analysis.Document{Text: buf}, nil)
	sid = f.Policy.Statements[0].Sid
	if inText(sid.Value.Str, buf) || inText(sid.Key, buf) {
		t.Errorf("text not kept: Sid %q lies in the caller's buffer", sid.Value.Str)
	}
	copy(buf, strings.Repeat("x", len(buf))) // the next file read into the buffer
	if sid.Value.Str != "Read" || sid.Key != "Sid" || f.Policy.Statements[0].EffectText() != "Allow" {
		t.Errorf("text not kept: after the buffer is overwritten Sid is %q: %q", sid.Key, sid.Value.Str)
	}

	borrowed := []byte(doc)
	f = analysis.NewDocumentFile("p.iam-policy.json", analysis.Document{Text: borrowed, Borrowed: true}, nil)
	sid = f.Policy.Statements[0].Sid
	if sid.Value.Str != "Read" || !inText(sid.Value.Str, borrowed) || !inText(sid.Key, borrowed) {
		t.Errorf("borrowed text: Sid %q is not a slice of the text", sid.Value.Str)
	}
	f.Recycle() // a borrowed text's tree lies in slabs for the next parse
	if f.Root != nil || f.Policy != nil {
		t.Errorf("borrowed text: Root and Policy stay after Recycle")
	}

	if f := analysis.NewDocumentFile("p.iam-policy.json", analysis.Document{Text: nil, Kept: true}, nil); f.Syntax == nil {
		t.Errorf("an empty kept text parses without error")
	}
}

// A kept document's tree (Document.Kept: kept as long as its text) is
// the tree the parse in place gives, laid out in memory of its exact
// size: its values are one run of consecutive Values, every slice of
// children has its exact capacity (Strings and Conditions hand them out:
// an append must copy), and it is never recycled.
func TestKeptTreeIsCompact(t *testing.T) {
	docs := [][]byte{
		policygen.Generate("bucket", 20<<10, 1),
		policygen.Generate("identity", 8<<10, 2),
		[]byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": [true, 1, null, [], {}]}}}}`),
		[]byte(`{"Statement": []}`),
		[]byte(`{"Statement": [{}], "a\u00e9": "\ud83d\ude00"}`),
	}
	for i, d := range docs {
		want := dumpTree(analysis.NewFile("p.bucket-policy.json", d, nil).Root)
		f := analysis.NewDocumentFile("p.bucket-policy.json", analysis.Document{Text: d, Kept: true}, nil)
		if got := dumpTree(f.Root); got != want {
			t.Fatalf("document %d: the kept tree differs from the tree parsed in place:\n%.300s\nwant\n%.300s", i, got, want)
		}
		var values []*analysis.Value
		var walk func(v *analysis.Value)
		walk = func(v *analysis.Value) {
			values = append(values, v)
			if cap(v.Items) != len(v.Items) || cap(v.Fields) != len(v.Fields) {
				t.Errorf("document %d: a %s's children have room for %d+%d more", i, v.Kind, cap(v.Items)-len(v.Items), cap(v.Fields)-len(v.Fields))
			}
			for _, item := range v.Items {
				walk(item)
			}
			for _, m := range v.Fields {
				walk(m.Value)
			}
		}
		walk(f.Root)
		lowest, highest := uintptr(unsafe.Pointer(values[0])), uintptr(unsafe.Pointer(values[0]))
		for _, v := range values {
			lowest, highest = min(lowest, uintptr(unsafe.Pointer(v))), max(highest, uintptr(unsafe.Pointer(v)))
		}
		if size := unsafe.Sizeof(analysis.Value{}); highest-lowest != uintptr(len(values)-1)*size {
			t.Errorf("document %d: %d values spread over %d bytes, not %d", i, len(values), highest-lowest+size, uintptr(len(values))*size)
		}
		f.Recycle() // nothing to give back: the tree stays
		if f.Root == nil {
			t.Errorf("document %d: a kept tree is recycled", i)
		}
	}
}
