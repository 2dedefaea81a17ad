package eval

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// Half-typed scenarios are normal input: every prefix of a scenario file
// either fails to parse with an error or evaluates without panicking.
func TestTruncatedScenariosNeverPanic(t *testing.T) {
	src := benchmarkScenarios(1)
	for n := range len(src) {
		scenarios, err := ParseScenarios(src[:n])
		if err == nil {
			for _, s := range scenarios {
				checkInvariants(t, s, Evaluate(s))
			}
		}
	}
}

// Truncated policies inside a well-formed scenario: a policy that is not
// an object is reported, one with odd members evaluates.
func TestMalformedPoliciesInScenario(t *testing.T) {
	for _, policy := range []string{`{}`, `{"Statement": 5}`, `{"Statement": [1, "x", {}]}`,
		`{"Statement": {"Effect": "Allow", "Action": 5, "Resource": {}, "Condition": {"StringEquals": 3}}}`,
		`{"Statement": [{"Effect": "Allow", "Principal": {"AWS": [1]}, "Action": "*", "Resource": "*", "Condition": {"Null": {"k": ["true"]}, "ForAnyValue:": {"k": "v"}}}]}`} {
		src := `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
"identityPolicies": [` + policy + `], "resourcePolicy": ` + policy + `, "keyPolicy": ` + policy + `, "bucket": {"encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k"}}`
		scenarios, err := ParseScenarios([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", policy, err)
		}
		r := Evaluate(scenarios[0])
		checkInvariants(t, scenarios[0], r)
		if r.Decision != ImplicitlyDenied && !strings.Contains(policy, `"Null"`) {
			t.Errorf("%s: %s, want ImplicitlyDenied", policy, r.Decision)
		}
	}
	if _, err := ParseScenarios([]byte(`{"request": {"principal": "p", "action": "a", "resource": "r"}, "resourcePolicy": []}`)); err == nil || !strings.Contains(err.Error(), "line 1: resourcePolicy must be a JSON object") {
		t.Errorf("error %v", err)
	}
}

// checkInvariants: a decision of the three, causes exactly when denied,
// each cause with a layer it blocked, a message in both languages and a
// line inside its source.
func checkInvariants(t *testing.T, s *Scenario, r Result) {
	t.Helper()
	switch r.Decision {
	case Allowed, ExplicitlyDenied, ImplicitlyDenied:
	default:
		t.Fatalf("decision %q", r.Decision)
	}
	if (r.Decision == Allowed) != (len(r.Causes) == 0) {
		t.Fatalf("%s with %d causes", r.Decision, len(r.Causes))
	}
	for _, c := range r.Causes {
		if said := r.Say(&c); c.Code == "" || said.EN == "" || said.JA == "" || layerTitles[c.Layer].EN == "" {
			t.Fatalf("incomplete cause %+v", c)
		}
		if c.Line < 0 || c.Line > lastLine(s) {
			t.Fatalf("cause line %d outside the source", c.Line)
		}
	}
}

// lastLine is the last line of the scenario's policies, in the file they
// were read from (a policy read once for many scenarios of a file has
// each scenario's lines).
func lastLine(s *Scenario) int {
	last := 0
	all := append(append(append([]*Doc{s.ResourcePolicy, s.KeyPolicy, s.SessionPolicy}, s.IdentityPolicies...), s.Boundaries...), s.EndpointPolicies...)
	all = append(append(all, flatten(s.SCPs)...), flatten(s.RCPs)...)
	for _, d := range all {
		if d != nil {
			last = max(last, d.Line(len(d.Src)))
		}
	}
	return last
}

// The AWS documentation corpus (../shared/corpus/awsdocs, 663 policies):
// each policy is put in the place its kind says and asked a cross-account
// and a same-account request on an SSE-KMS bucket; the engine must not
// panic and its answers must keep the invariants. The workspace loader
// reads the whole folder.
func TestCorpusPolicies(t *testing.T) {
	dir, ok := checktest.CorpusDir()
	if !ok {
		t.Skip("the AWS documentation corpus (../shared/corpus/awsdocs beside the repository) is absent; skipping")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	evaluated := 0
	for _, e := range entries {
		kind, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.Name() == "manifest.json" {
			continue
		}
		kind = kind[strings.LastIndex(kind, ".")+1:]
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		d, ok := NewDoc(e.Name(), src)
		if !ok {
			continue
		}
		for _, principal := range []string{"arn:aws:iam::111122223333:user/jane", "arn:aws:sts::123456789012:assumed-role/r/s"} {
			s := &Scenario{
				Request: Request{Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/k",
					Context: map[string][]string{"aws:SourceVpce": {"vpce-1a2b3c4d"}, "aws:SourceIp": {"203.0.113.7"}}},
				Bucket: &analysis.BucketFacts{Name: "amzn-s3-demo-bucket", Account: "123456789012", Encryption: "aws:kms", KMSKeyARN: "arn:aws:kms:us-east-1:123456789012:key/k"},
			}
			place(s, kind, d)
			checkInvariants(t, s, Evaluate(s))
			evaluated++
		}
	}
	if evaluated < 1000 {
		t.Errorf("evaluated %d requests over the corpus, want both requests for each of its policies", evaluated)
	}
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) < 600 {
		t.Errorf("the workspace loader found %d policies in the corpus", len(w.Files))
	}
	s := w.Scenario(Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/k"})
	checkInvariants(t, s, Evaluate(s))
}

func place(s *Scenario, kind string, d *Doc) {
	switch kind {
	case "iam-policy":
		s.IdentityPolicies = []*Doc{d}
	case "bucket-policy", "other-resource-policy":
		s.ResourcePolicy = d
	case "key-policy":
		s.KeyPolicy = d
	case "endpoint-policy":
		s.EndpointPolicies = []*Doc{d}
	case "scp":
		s.SCPs = [][]*Doc{{d}}
	case "rcp":
		s.RCPs = [][]*Doc{{d}}
	case "session-policy":
		s.SessionPolicy = d
	case "boundary":
		s.Boundaries = []*Doc{d}
	}
}

// Scenario files that cannot say one thing: an empty array, a member
// given twice, and messages with the right article.
func TestScenarioFileFaults(t *testing.T) {
	for src, want := range map[string]string{
		`[]`: "line 1: the array holds no scenario",
		`{"request": {"principal": "p", "action": "s3:GetObject", "resource": "r"}, "request": {"principal": "q", "action": "s3:PutObject", "resource": "r"}}`: `line 1: "request" is given twice`,
		`{"request": {"principal": "p", "resource": "r"}}`: "line 1: the request needs an action",
		`{"request": []}`: "line 1: request must be a JSON object, not an array",
	} {
		if _, err := ParseScenarios([]byte(src)); err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
}

// A cause with no statement (a bucket setting, a missing policy) leaves
// statement and line out of the JSON answer rather than printing -1 and 0.
func TestAnswerLeavesOutUnknownPlaces(t *testing.T) {
	r := evaluateJSON(t, `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]}`)
	b, err := json.Marshal(r.Answer("en").Causes[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"statement"`) || strings.Contains(string(b), `"line"`) {
		t.Errorf("answer %s names a statement or line", b)
	}
}
