package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// crossAccountExamples holds one explain workspace per cause.
var crossAccountExamples = filepath.Join(examplesDir, "cross-account")

// expectedRE reads the README line "Expected: DECISION[, CODE at POLICY[:LINE]]".
var expectedRE = regexp.MustCompile(`(?m)^Expected: (\w+)(?:, ([\w-]+) at ([^\s:]+)(?::(\d+))?)?$`)

// TestExplainExamples runs the command each example's README gives and
// checks the decision and the first cause the README names.
func TestExplainExamples(t *testing.T) {
	dirs, err := os.ReadDir(crossAccountExamples)
	if err != nil {
		t.Fatal(err)
	}
	dirs = slices.DeleteFunc(dirs, func(d os.DirEntry) bool { return !d.IsDir() })
	if len(dirs) < 12 {
		t.Fatalf("found %d examples, want one per cause and one where all is right", len(dirs))
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join(crossAccountExamples, d.Name())
			readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			args := commandOf(t, string(readme), dir)
			m := expectedRE.FindStringSubmatch(string(readme))
			if m == nil {
				t.Fatal("README has no Expected: line")
			}
			code, answer := explainJSON(t, args...)
			if answer.Decision != eval.Decision(m[1]) {
				t.Fatalf("decision %s, want %s; causes %+v", answer.Decision, m[1], answer.Causes)
			}
			wantExit := exitFindings
			if m[1] == "Allowed" {
				wantExit = exitOK
			}
			if code != wantExit {
				t.Errorf("exit %d, want %d", code, wantExit)
			}
			if m[2] == "" {
				if len(answer.Causes) != 0 {
					t.Errorf("causes %+v, want none", answer.Causes)
				}
				return
			}
			c := answer.Causes[0]
			wantLine, _ := strconv.Atoi(m[4])
			if c.Code != m[2] || c.Policy != m[3] || c.Line != wantLine {
				t.Errorf("first cause %s at %s:%d, want %s at %s:%d (%s)", c.Code, c.Policy, c.Line, m[2], m[3], wantLine, c.Message)
			}
		})
	}
}

// commandOf takes the indented "s3policy-lsp explain ... ." line of a
// README and points it at dir.
func commandOf(t *testing.T, readme, dir string) []string {
	t.Helper()
	for _, line := range strings.Split(readme, "\n") {
		fields := strings.Fields(line)
		if strings.HasPrefix(line, "    ") && len(fields) > 2 && fields[0] == "s3policy-lsp" && fields[1] == "explain" {
			args := fields[1:]
			if args[len(args)-1] != "." {
				t.Fatalf("the command must end with the folder '.': %s", line)
			}
			return append(args[:len(args)-1:len(args)-1], "--format", "json", dir)
		}
	}
	t.Fatal("README has no indented s3policy-lsp explain command")
	return nil
}

func explainJSON(t *testing.T, args ...string) (int, eval.Answer) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	var a eval.Answer
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("exit %d, output is not one answer: %v\n%s%s", code, err, out.String(), errOut.String())
	}
	return code, a
}

const crossAccountScenario = `{
  "request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}],
  "resourcePolicy": {"Version": "2012-10-17", "Statement": [
    {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*",
     "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}
}`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExplainScenarioArrayAnsweredInOrder(t *testing.T) {
	allowed := strings.Replace(crossAccountScenario, `"resourceAccount": "444455556666"}`, `"resourceAccount": "444455556666", "context": {"aws:SourceVpce": "vpce-1"}}`, 1)
	path := writeTemp(t, "batch.json", "["+crossAccountScenario+",\n"+allowed+"]")
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--scenario", path, "--format", "json"}, &out, &errOut)
	var answers []eval.Answer
	if err := json.Unmarshal(out.Bytes(), &answers); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	if code != exitFindings || len(answers) != 2 {
		t.Fatalf("exit %d with %d answers, want 1 with 2", code, len(answers))
	}
	if answers[0].Decision != eval.ImplicitlyDenied || answers[1].Decision != eval.Allowed {
		t.Fatalf("decisions %s, %s; want ImplicitlyDenied, Allowed", answers[0].Decision, answers[1].Decision)
	}
	c := answers[0].Causes[0]
	want := eval.AnswerCause{Code: "implicit-deny", Layer: "resource", Policy: "resourcePolicy", Line: 5,
		Message: `Bucket policy: statement "Partner" of resourcePolicy would allow s3:GetObject on arn:aws:s3:::shared/a.txt, but its condition StringEquals on aws:SourceVpce (vpce-1) does not hold for this request, which does not carry aws:SourceVpce`}
	if c.Statement == nil || *c.Statement != 0 {
		t.Errorf("statement %v, want 0", c.Statement)
	}
	c.Statement = nil
	if c != want {
		t.Errorf("cause\n%+v, want\n%+v", c, want)
	}
	if len(answers[1].BlockedBy) != 0 || len(answers[1].Causes) != 0 {
		t.Errorf("allowed answer with %v %v", answers[1].BlockedBy, answers[1].Causes)
	}
}

func TestExplainScenarioTextJapanese(t *testing.T) {
	path := writeTemp(t, "one.json", crossAccountScenario)
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--scenario", path, "--lang", "ja"}, &out, &errOut)
	want := `arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared/a.txt: ImplicitlyDenied (blocked by resource)
  implicit-deny [resource] resourcePolicy:5
    バケットポリシー: resourcePolicy のステートメント "Partner" は arn:aws:s3:::shared/a.txt に対する s3:GetObject を許可しますが、条件 StringEquals (aws:SourceVpce: vpce-1) がこのリクエストでは成り立ちません。このリクエストは aws:SourceVpce を持ちません
`
	if code != exitFindings || out.String() != want {
		t.Errorf("exit %d, output\n%s\nwant\n%s%s", code, out.String(), want, errOut.String())
	}
}

func TestExplainWorkspaceContextFlags(t *testing.T) {
	dir := filepath.Join(crossAccountExamples, "bucket-policy-deny")
	inside := []string{"explain", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject",
		"--resource", "arn:aws:s3:::shared-data/report.csv", "--format", "json"}
	if code, a := explainJSON(t, append(inside, "--context", "aws:SourceIp=203.0.113.9", dir)...); code != exitOK || a.Decision != eval.Allowed {
		t.Errorf("from the office network: exit %d, %s %+v", code, a.Decision, a.Causes)
	}
	// A key given twice is multivalued: NotIpAddress holds, and the Deny
	// applies, when no value is inside the network.
	if code, a := explainJSON(t, append(inside, "--context", "aws:SourceIp=198.51.100.1", "--context", "aws:SourceIp=198.51.100.2", dir)...); code != exitFindings || a.Decision != eval.ExplicitlyDenied {
		t.Errorf("from outside: exit %d, %s", code, a.Decision)
	}
}

func TestExplainUsageErrors(t *testing.T) {
	bad := writeTemp(t, "bad.json", `{"request": {"principal": "p", "action": "s3:GetObject", "resource": "r"}, "identityPolicy": []}`)
	for _, args := range [][]string{
		{"explain"},
		{"explain", "--format", "xml", "--scenario", bad},
		{"explain", "--scenario", bad},
		{"explain", "--scenario", filepath.Join(t.TempDir(), "missing.json")},
		{"explain", "--scenario", bad, "--principal", "arn:aws:iam::111122223333:user/jane"},
		{"explain", "--principal", "p", "--action", "a", "--resource", "r", "--context", "novalue"},
		{"explain", "--principal", "p", "--action", "a", "--resource", "r", filepath.Join(t.TempDir(), "nofolder")},
		{"explain", "--principal", "p", "--action", "a", "--resource", "r", ".", "."},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != exitUsage || errOut.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d with a message", args, code, errOut.String(), exitUsage)
		}
	}
	var out, errOut bytes.Buffer
	run([]string{"explain", "--scenario", bad}, &out, &errOut)
	if want := `unknown scenario field "identityPolicy"`; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q does not say %q", errOut.String(), want)
	}
}

// The scenario file of the examples: the first request is denied by the
// key policy, the second, with the partner statement added, is allowed.
func TestExplainExampleScenarios(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--scenario", filepath.Join(crossAccountExamples, "scenarios.json"), "--format", "json"}, &out, &errOut)
	var answers []eval.Answer
	if err := json.Unmarshal(out.Bytes(), &answers); err != nil || len(answers) != 2 {
		t.Fatalf("%v: %s%s", err, out.String(), errOut.String())
	}
	if code != exitFindings || answers[0].Decision != eval.ImplicitlyDenied || answers[1].Decision != eval.Allowed {
		t.Fatalf("exit %d, decisions %s and %s", code, answers[0].Decision, answers[1].Decision)
	}
	c := answers[0].Causes[0]
	if c.Code != "kms-missing-actions" || c.Layer != "kms" || c.Policy != "keyPolicy" || c.Statement == nil || *c.Statement != 0 || c.Line != 27 {
		t.Errorf("cause %+v", c)
	}
}

// A batch is answered as it is read: the answers before a scenario that
// is not valid are written, then the run stops with exit 2 and the line.
func TestExplainScenarioStreamStopsAtAFault(t *testing.T) {
	path := writeTemp(t, "batch.json", "["+crossAccountScenario+",\n"+`{"request": {"action": "s3:GetObject"}}`+"]")
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--scenario", path}, &out, &errOut)
	wantOut := "arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared/a.txt: ImplicitlyDenied (blocked by resource)\n"
	wantErr := "s3policy-lsp explain: " + path + ": line 8: the request needs a principal\n"
	if code != exitUsage || !strings.HasPrefix(out.String(), wantOut) || errOut.String() != wantErr {
		t.Errorf("exit %d, stdout\n%s\nstderr %q; want %d, the first answer and %q", code, out.String(), errOut.String(), exitUsage, wantErr)
	}
}

// A file of more than a batch (batchScenarios) is evaluated on several
// goroutines past the first and answered in the order of the file: the
// answers are those of evaluating each scenario in turn, in JSON and in
// text, with one worker and with three, whose batches may be answered
// out of turn (run with -race: the scenarios share the policies parsed
// once, and the rooms of a batch their words).
func TestExplainScenarioBatchInOrder(t *testing.T) {
	allowed := strings.Replace(crossAccountScenario, `"resourceAccount": "444455556666"}`, `"resourceAccount": "444455556666", "context": {"aws:SourceVpce": "vpce-1"}}`, 1)
	var batch []string
	for i := range inlineScenarios + 20*batchScenarios + 7 {
		batch = append(batch, []string{crossAccountScenario, allowed}[i%3%2])
	}
	src := "[" + strings.Join(batch, ",\n") + "]"
	scenarios, err := eval.ParseScenarios([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	results := make([]eval.Result, len(scenarios))
	for i, s := range scenarios {
		results[i] = eval.Evaluate(s)
	}
	path := writeTemp(t, "batch.json", src)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, format := range []string{"json", "text"} {
			var want bytes.Buffer
			if format == "json" {
				writeJSON(&want, results, true, "en")
			} else {
				writeText(&want, scenarios, results, "en")
			}
			var out, errOut bytes.Buffer
			code := run([]string{"explain", "--scenario", path, "--format", format}, &out, &errOut)
			if code != exitFindings || out.String() != want.String() {
				t.Errorf("GOMAXPROCS %d, %s: exit %d, %d bytes of answers, want 1 and the %d bytes of evaluating in turn%s", procs, format, code, out.Len(), want.Len(), errOut.String())
			}
		}
	}
}

// A fault past the first batch, where the scenarios are evaluated on
// several goroutines, stops the run as one in it does: after the answers
// before it, in the middle of a batch or at its end.
func TestExplainScenarioLongBatchStopsAtAFault(t *testing.T) {
	for _, before := range []int{inlineScenarios + batchScenarios + 10, inlineScenarios + 3*batchScenarios} {
		batch := strings.Repeat(crossAccountScenario+",\n", before)
		path := writeTemp(t, "batch.json", "["+batch+`{"request": {"action": "s3:GetObject"}}`+"]")
		var out, errOut bytes.Buffer
		code := run([]string{"explain", "--scenario", path}, &out, &errOut)
		answer := "arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared/a.txt: ImplicitlyDenied (blocked by resource)\n"
		line := strings.Count(batch, "\n") + 1
		wantErr := fmt.Sprintf("s3policy-lsp explain: %s: line %d: the request needs a principal\n", path, line)
		if n := strings.Count(out.String(), answer); code != exitUsage || n != before || errOut.String() != wantErr {
			t.Errorf("exit %d, %d answers, stderr %q; want %d, %d answers and %q", code, n, errOut.String(), exitUsage, before, wantErr)
		}
	}
}

// --scenario - reads the scenarios from standard input, as they come.
func TestExplainScenarioFromStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin; r.Close() }()
	go func() {
		io.WriteString(w, "["+crossAccountScenario+",\n"+`{"request": {"action": "s3:GetObject"}}`+"]")
		w.Close()
	}()
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--scenario", "-"}, &out, &errOut)
	wantOut := "arn:aws:iam::111122223333:user/jane s3:GetObject on arn:aws:s3:::shared/a.txt: ImplicitlyDenied (blocked by resource)\n"
	wantErr := "s3policy-lsp explain: standard input: line 8: the request needs a principal\n"
	if code != exitUsage || !strings.HasPrefix(out.String(), wantOut) || errOut.String() != wantErr {
		t.Errorf("exit %d, stdout\n%s\nstderr %q; want %d, the first answer and %q", code, out.String(), errOut.String(), exitUsage, wantErr)
	}
}
