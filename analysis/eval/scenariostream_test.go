package eval

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

const oneScenario = `{"request": {"principal": "p", "action": "a", "resource": "r"}}`

// The stream reports the syntax error the positioned parser finds in the
// whole file, at its line, for every truncation and for a byte changed at
// every place of a batch of two scenarios.
func TestScenarioReaderSyntaxErrorsAreTheParsers(t *testing.T) {
	src := benchmarkScenarios(2)
	check := func(text []byte, what string) {
		t.Helper()
		_, syn := analysis.ParseJSON(text)
		if syn == nil {
			return
		}
		want := fmt.Sprintf("line %d: %s", bytes.Count(text[:syn.Span.Start], []byte("\n"))+1, syn.Msg.EN)
		if _, err := ParseScenarios(text); err == nil || err.Error() != want {
			t.Fatalf("%s: error %v, want %q", what, err, want)
		}
	}
	for n := range len(src) {
		check(src[:n], fmt.Sprintf("the first %d bytes", n))
	}
	for i := range src {
		for _, c := range []byte{']', '"', 'x', '\\', '.', 'e'} {
			text := bytes.Clone(src)
			text[i] = c
			check(text, fmt.Sprintf("%q at %d", c, i))
		}
	}
	for _, text := range []string{"", "  ", `"x"`, `[`, `[1 2]`, `[{}, ]`, `{} x`, `[{"request": {}}] x`, "\xEF\xBB\xBF{", `{"a\u0062": [}`,
		// Text after a whole scenario that would continue a number.
		oneScenario + ".", oneScenario + "e1", oneScenario + " -", "[" + oneScenario + ".5]", "[" + oneScenario + "E]",
		// A byte order mark that is not the file's first bytes.
		" \xEF\xBB\xBF" + oneScenario, "\xEF\xBB\xBF\xEF\xBB\xBF" + oneScenario, "\xEF\xBB\xBF \xEF\xBB\xBF[" + oneScenario + "]"} {
		check([]byte(text), text)
	}
}

// Read a byte at a time, the scenarios are the same, with the same
// answers and lines.
func TestScenarioReaderByteAtATime(t *testing.T) {
	src := benchmarkScenarios(20)
	whole, err := ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	in := NewScenarioReader(iotest.OneByteReader(bytes.NewReader(src)))
	for i := 0; ; i++ {
		s, err := in.Next()
		if err == io.EOF {
			if i != len(whole) {
				t.Fatalf("%d scenarios a byte at a time, %d at once", i, len(whole))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Evaluate(s).Answer("en"), Evaluate(whole[i]).Answer("en"); !reflect.DeepEqual(got, want) {
			t.Fatalf("scenario %d: %+v, want %+v", i, got, want)
		}
	}
	if !in.Many() {
		t.Error("an array of scenarios should be many")
	}
}

// A policy text repeated by the scenarios of a file is parsed once, and
// each scenario's cause points at its own copy's line.
func TestScenarioReaderParsesRepeatedPoliciesOnce(t *testing.T) {
	one := `{
  "request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}],
  "resourcePolicy": {"Version": "2012-10-17", "Statement": [
    {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*",
     "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}
}`
	scenarios, err := ParseScenarios([]byte("[" + one + ",\n\n" + one + "]"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) != 2 || scenarios[0].ResourcePolicy.Policy != scenarios[1].ResourcePolicy.Policy ||
		scenarios[0].IdentityPolicies[0].Policy != scenarios[1].IdentityPolicies[0].Policy {
		t.Fatal("the second scenario's policies were parsed again")
	}
	for i, want := range []int{5, 13} {
		r := Evaluate(scenarios[i])
		if len(r.Causes) != 1 || r.Causes[0].Policy != "resourcePolicy" || r.Causes[0].Line != want {
			t.Errorf("scenario %d: causes %+v, want one at resourcePolicy line %d", i, r.Causes, want)
		}
	}
}

// The scenarios before a fault are read; the fault ends the stream.
func TestScenarioReaderStopsAtTheFirstFault(t *testing.T) {
	good := `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}`
	in := NewScenarioReader(strings.NewReader("[" + good + ",\n" + good + ",\n" + `{"request": {}, "policy": {}}` + "]"))
	for range 2 {
		if _, err := in.Next(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := in.Next()
	if want := `line 3: the request needs a principal`; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	if _, again := in.Next(); again != err {
		t.Errorf("after the fault: %v, want the same error", again)
	}
}

// FuzzScenarioReader: any text either fails or gives scenarios that
// evaluate with lines inside the file; text that is not JSON always fails
// (with the parser's own error, at its line); read a byte
// at a time the outcome is the same.
func FuzzScenarioReader(f *testing.F) {
	f.Add(benchmarkScenarios(1))
	f.Add([]byte(`[{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, "serviceControlPolicies": [[{"Statement": []}]], "bucket": {"name": "b"}}]`))
	f.Add([]byte(`{"request": {"principal": "p", "action": "a", "resource": "r", "context": {"k": ["v", 1]}}, "managementAccount": "1"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		scenarios, err := ParseScenarios(src)
		var again []*Scenario
		in := NewScenarioReader(iotest.OneByteReader(bytes.NewReader(src)))
		var errAgain error
		for {
			s, err := in.Next()
			if err != nil {
				if err != io.EOF {
					errAgain = err
				}
				break
			}
			again = append(again, s)
		}
		if fmt.Sprint(err) != fmt.Sprint(errAgain) || err == nil && len(again) != len(scenarios) {
			t.Fatalf("at once: %d scenarios, %v; a byte at a time: %d, %v", len(scenarios), err, len(again), errAgain)
		}
		_, syn := analysis.ParseJSON(src)
		if syn != nil && strings.HasPrefix(syn.Msg.EN, "nesting is deeper") {
			// The parser's bound, not JSON's: the stream parses each policy
			// on its own, so a policy nested 256 levels is read.
			return
		}
		if syn != nil {
			if err == nil {
				t.Fatalf("not JSON (%s), yet %d scenarios", syn.Msg.EN, len(scenarios))
			}
			if root := bytes.TrimLeft(src, " \t\r\n\xEF\xBB\xBF"); len(root) > 0 && (root[0] == '{' || root[0] == '[') {
				want := fmt.Sprintf("line %d: %s", bytes.Count(src[:syn.Span.Start], []byte("\n"))+1, syn.Msg.EN)
				if err.Error() != want {
					t.Fatalf("error %v, want the parser's %q", err, want)
				}
			}
			return
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, s := range scenarios {
			for _, c := range Evaluate(s).Causes {
				if c.Line < 0 || c.Line > lines {
					t.Fatalf("cause line %d of a %d-line file", c.Line, lines)
				}
			}
		}
	})
}

// plainRequestAgrees checks that plainRequest takes a request text only
// when the positioned parser reads it without fault, and then reads the
// same request; it reports whether plainRequest took it.
func plainRequestAgrees(t *testing.T, text string) bool {
	t.Helper()
	var got Request
	took := NewScenarioReader(nil).plainRequest([]byte(text), &got, nil)
	root, syn := analysis.ParseJSON([]byte(text))
	if syn != nil {
		if took {
			t.Fatalf("%s: plainRequest took a text that is not JSON (%s)", text, syn.Msg.EN)
		}
		return false
	}
	r := &scenarioReader{src: []byte(text), lines: newLineIndex([]byte(text)), stream: NewScenarioReader(nil)}
	var want Request
	r.request(&want, root)
	switch {
	case took && r.err != nil:
		t.Fatalf("%s: plainRequest took a request the parser refuses: %v", text, r.err)
	case took && !reflect.DeepEqual(got, want):
		t.Fatalf("%s: plainRequest read\n%#v\nthe parser\n%#v", text, got, want)
	case !took && got.Principal != "":
		t.Fatalf("%s: plainRequest wrote the request it did not take", text)
	}
	return took
}

// A plain request is read without the positioned parser, as the parser
// reads it; any other text is left to the parser, which says what is
// wrong with it. Every truncation of a plain request, and every byte of
// it changed, is taken only when the parser reads it alike.
func TestPlainRequestIsTheParsersRequest(t *testing.T) {
	const base = `"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"`
	plain := []string{
		`{` + base + `}`,
		"{\n\t" + base + " ,\r\n \"context\" : { } }",
		`{` + base + `, "context": {"aws:SourceIp": "203.0.113.1", "s3:x-amz-acl": ["private", "bucket-owner-full-control"], "aws:username": []}}`,
		`{` + base + `, "multipart": true, "time": "2026-12-01T10:00:00Z", "resourceAccount": "444455556666"}`,
		`{` + base + `, "multipart": false, "time": "", "requestPayer": "requester", "objectOwner": "1", "objectAcl": "private"}`,
		`{"context": {"a": "1"}, ` + base + `, "time": "1764583200"}`,
	}
	parsed := []string{
		`{` + base + `, "context": {"aws:username": "j\u00e9"}}`, // an escape
		`{` + base + `, "context": {"aws:username": "jé"}}`,      // not ASCII
		`{"princip\u0061l": "p", "action": "a", "resource": "r"}`,
		`{` + base + `, "context": {"aws:MultiFactorAuthAge": 30, "aws:SecureTransport": true}}`,
		`{` + base + `, "context": {"k": "1", "k": "2"}}`,
		`{` + base + `, "action": "s3:PutObject"}`,
		`{` + base + `, "verb": "GET"}`,
		`{"action": "a", "resource": "r"}`,
		`{"principal": "", "action": "a", "resource": "r"}`,
		`{` + base + `, "multipart": "true"}`,
		`{` + base + `, "time": "yesterday"}`,
		`{` + base + `, "context": {"k": null}}`,
		`{` + base + `, "context": {"k": {"v": "1"}}}`,
		`{` + base + `, "context": {"k": ["1", 2]}}`,
		`{` + base + `,}`,
		`{` + base + ` "multipart": true}`,
		`{` + base + `, "multipart": truex}`,
		`[` + base + `]`,
		`{` + base + `} `,
	}
	for _, text := range plain {
		if !plainRequestAgrees(t, text) {
			t.Errorf("%s: plainRequest did not take it", text)
		}
	}
	for _, text := range parsed {
		if plainRequestAgrees(t, text) {
			t.Errorf("%s: plainRequest took it", text)
		}
	}
	for _, text := range plain {
		for n := range len(text) {
			plainRequestAgrees(t, text[:n])
		}
		for i := range len(text) {
			for _, c := range []byte{'"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'x', '1', 0x7f, 0x01, 0xc3} {
				b := []byte(text)
				b[i] = c
				plainRequestAgrees(t, string(b))
			}
		}
	}
}

// A batch's scenarios read with plainRequest are those the parser reads.
func TestPlainRequestsOfABatch(t *testing.T) {
	src := benchmarkScenarios(50)
	scenarios, err := ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	root, syn := analysis.ParseJSON(src)
	if syn != nil {
		t.Fatal(syn.Msg.EN)
	}
	for i, item := range root.Items {
		req := item.Get("request").Value
		if !plainRequestAgrees(t, string(src[req.Span.Start:req.Span.End])) {
			t.Fatalf("scenario %d: plainRequest did not take its request", i)
		}
		r := &scenarioReader{src: src, lines: newLineIndex(src), stream: NewScenarioReader(nil)}
		var want Request
		r.request(&want, req)
		if !reflect.DeepEqual(scenarios[i].Request, want) {
			t.Fatalf("scenario %d: read %#v, want %#v", i, scenarios[i].Request, want)
		}
	}
}

// A scenario keeps nothing of the read buffer, which is read into again:
// over a batch many times its size, each answer given once the whole
// file is read (its lines, its causes) is the answer given as soon as
// the scenario was read. The batch holds scenarios that the positioned
// parser reads whole (a member name with an escape), whose policies are
// the scenario's text.
func TestScenariosKeepNothingOfTheReadBuffer(t *testing.T) {
	batch := benchmarkScenarios(200)
	escaped := bytes.Replace(benchmarkScenarios(1)[1:], []byte(`"resourcePolicy"`), []byte(`"resource\u0050olicy"`), 1)
	escaped = bytes.Replace(escaped, []byte(`203.0.113.0/25`), []byte(`198.51.100.0/24`), 1) // denies: a cause with a line
	escaped = escaped[:len(escaped)-1]
	src := slices.Concat([]byte("[\n"), escaped, []byte(",\n"), batch[1:len(batch)-1], []byte(",\n"), escaped, []byte("\n]"))
	if len(src) < 4*readerChunk {
		t.Fatalf("the batch is %d bytes, not several read buffers", len(src))
	}
	var atOnce []Answer
	var texts [][]string
	in := NewScenarioReader(bytes.NewReader(src))
	for {
		s, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		atOnce = append(atOnce, Evaluate(s).Answer("en"))
		texts = append(texts, policyTexts(s))
	}
	all, err := ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(atOnce) {
		t.Fatalf("%d scenarios, %d read one at a time", len(all), len(atOnce))
	}
	lines := 0
	for i, s := range all {
		got := Evaluate(s).Answer("en")
		if !reflect.DeepEqual(got, atOnce[i]) {
			t.Fatalf("scenario %d answered after the file was read: %+v, as it was read: %+v", i, got, atOnce[i])
		}
		if got := policyTexts(s); !slices.Equal(got, texts[i]) {
			t.Fatalf("scenario %d: its policies' texts after the file was read:\n%q\nas it was read:\n%q", i, got, texts[i])
		}
		for _, c := range got.Causes {
			if c.Line > 0 {
				lines++
			}
		}
	}
	if last := all[len(all)-1]; lines == 0 || last.ResourcePolicy == nil || Evaluate(last).Decision == Allowed {
		t.Fatal("no cause gives a line, or the last scenario (read by the parser) is not denied by its bucket policy")
	}
}

// policyTexts are the texts of a scenario's policies (what --emit-scenario
// writes, and what the engine compares to judge a statement once).
func policyTexts(s *Scenario) []string {
	var out []string
	for _, d := range slices.Concat(s.IdentityPolicies, []*Doc{s.ResourcePolicy, s.KeyPolicy}, s.EndpointPolicies, slices.Concat(s.SCPs...)) {
		if d != nil {
			out = append(out, string(d.Src[d.Policy.Root.Span.Start:d.Policy.Root.Span.End]))
		}
	}
	return out
}
