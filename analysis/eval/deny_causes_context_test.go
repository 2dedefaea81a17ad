package eval

import (
	"fmt"
	"testing"
)

// A Deny whose condition reads a key the request may not carry says so
// when the request lacks it ("the tool cannot know its value") and not
// when it carries it: the cause made once for a Deny (denyCauseAt) is
// not reused for requests whose words depend on their context, in either
// order.
func TestADenyCauseIsMadeAnewForUnknownKeys(t *testing.T) {
	for _, order := range []string{"known first", "unknown first"} {
		w, err := loadDir(writeFiles(t, map[string]string{
			".s3policy.json": `{"buckets": {"data": {"account": "111122223333"}},
  "files": {"iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"},
    "org/a.json": {"kind": "scp", "account": "111122223333"}}}`,
			"iam/app.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
			"org/a.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}`,
		}))
		if err != nil {
			t.Fatal(err)
		}
		known := Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:PutObject", Resource: "arn:aws:s3:::data/a.txt",
			Context: map[string][]string{"aws:SourceIp": {"198.51.100.7"}}}
		unknown := Request{Principal: known.Principal, Action: known.Action, Resource: known.Resource}
		reqs := []Request{known, unknown}
		if order == "unknown first" {
			reqs = []Request{unknown, known}
		}
		for _, req := range reqs {
			sayAsAnew(t, w, req, fmt.Sprintf("%s, context %v", order, req.Context))
		}
	}
}

// sayAsAnew evaluates req in w, then anew without the causes w shares
// between requests (denyCauseAt), and fails t unless each cause says the
// same in both; it returns the evaluation in w.
func sayAsAnew(t *testing.T, w *Workspace, req Request, what string) Result {
	t.Helper()
	got := Evaluate(w.Scenario(req))
	anew := w.Scenario(req)
	anew.shared = nil
	want := Evaluate(anew)
	if len(got.Causes) != len(want.Causes) {
		t.Fatalf("%s: %d causes, want %d", what, len(got.Causes), len(want.Causes))
	}
	for i := range got.Causes {
		if g, wnt := got.Say(&got.Causes[i]).EN, want.Say(&want.Causes[i]).EN; g != wnt {
			t.Errorf("%s: cause %d says %q, want %q", what, i, g, wnt)
		}
	}
	return got
}
