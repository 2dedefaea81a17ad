package awserror

import (
	"errors"
	"reflect"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// endpointWorkspace: jane may read shared-data, whose policy grants her
// account; the endpoints (ID: policy) allow only the corp bucket, and the
// files of those without an ID apply to every endpoint.
func endpointWorkspace(endpoints map[string]string) *eval.Workspace {
	files := map[string][]byte{
		"/ws/jane.iam-policy.json":      []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		"/ws/bucket.bucket-policy.json": []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`),
	}
	config := `{"buckets": {"shared-data": {"account": "444455556666"}}, "files": {
  "jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"}`
	for name, id := range endpoints {
		files["/ws/"+name] = []byte(`{"Version": "2012-10-17", "Statement": [{"Sid": "CorpOnly", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::corp/*"}]}`)
		config += `, "` + name + `": {"kind": "endpoint", "account": "111122223333"`
		if id != "" {
			config += `, "endpoint": "` + id + `"`
		}
		config += `}`
	}
	files["/ws/.s3policy.json"] = []byte(config + "}}")
	return tree.One("/ws", files).Workspace
}

const endpointDenial = `User: ` + jane + ` is not authorized to perform: s3:GetObject on resource: "` + report + `" because no VPC endpoint policy allows the s3:GetObject action`

// R3: a message that blames a VPC endpoint policy names no endpoint; the
// request was evaluated through none, and the answer said the deployed
// endpoint policies differ while the folder's one blocks it.
func TestExplainEndpointDenialThroughTheFoldersEndpoint(t *testing.T) {
	m, err := Parse(endpointDenial)
	if err != nil {
		t.Fatal(err)
	}
	x, err := Explain(endpointWorkspace(map[string]string{"e.endpoint-policy.json": "vpce-0abc1234"}), m, Facts{})
	if err != nil {
		t.Fatal(err)
	}
	want := `AWS says no VPC endpoint policy allows it; e.endpoint-policy.json:1: VPC endpoint policy: statement "CorpOnly" of e.endpoint-policy.json allows s3:GetObject, but not on arn:aws:s3:::shared-data/report.csv; the message does not say which VPC endpoint the request came through: the folder's only one, vpce-0abc1234, was taken (--context aws:SourceVpce=ID)`
	if x.Agreement != Agrees || x.Verdict.EN != want || x.Results[0].Decision != eval.ImplicitlyDenied {
		t.Errorf("%s %s: %s\nwant %s", x.Results[0].Decision, x.Agreement, x.Verdict.EN, want)
	}
	if got := x.Scenarios[0].Request.Context["aws:SourceVpce"]; !reflect.DeepEqual(got, []string{"vpce-0abc1234"}) {
		t.Errorf("the request's aws:SourceVpce %v", got)
	}
	// The request's own endpoint wins, and the verdict takes none.
	x, err = Explain(endpointWorkspace(map[string]string{"e.endpoint-policy.json": "vpce-0abc1234"}), m, Facts{Context: map[string][]string{"aws:SourceVpce": {"vpce-other"}}})
	if err != nil || x.Agreement != Differs {
		t.Fatalf("%v %+v", err, x)
	}
}

// With several endpoints, or endpoint policies of no named endpoint, the
// command asks which endpoint (and names those it knows).
func TestExplainEndpointDenialAsksWhichEndpoint(t *testing.T) {
	m, err := Parse(endpointDenial)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		endpoints map[string]string
		want      []analysis.Text
	}{
		{map[string]string{"a.endpoint-policy.json": "vpce-a", "b.endpoint-policy.json": "vpce-b"}, []analysis.Text{analysis.Join(": ", needEndpoint, analysis.T("vpce-a, vpce-b", "vpce-a, vpce-b"))}},
		{map[string]string{"a.endpoint-policy.json": ""}, []analysis.Text{needEndpoint}},
	} {
		_, err := Explain(endpointWorkspace(c.endpoints), m, Facts{})
		var missing *MissingError
		if !errors.As(err, &missing) || !reflect.DeepEqual(missing.Missing, c.want) {
			t.Errorf("%v: got %v, want %v", c.endpoints, err, c.want)
		}
	}
	// And with what else the message lacks.
	m, _ = Parse(`An error occurred (AccessDenied) when calling the GetObject operation: User: ` + jane + ` is not authorized to perform: s3:GetObject because no VPC endpoint policy allows the s3:GetObject action`)
	_, err = Explain(endpointWorkspace(map[string]string{"a.endpoint-policy.json": ""}), m, Facts{})
	var missing *MissingError
	if !errors.As(err, &missing) || !reflect.DeepEqual(missing.Missing, []analysis.Text{needBucket, needKey, needEndpoint}) {
		t.Errorf("got %v", err)
	}
}
