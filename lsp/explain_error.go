package lsp

import (
	"encoding/json"

	"go.lsp.dev/jsonrpc2"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// ExplainErrorCommand is the workspace/executeCommand that explains an
// AccessDenied message over the workspace, as `s3policy-lsp explain
// --error` does on a folder. Its one argument is the message, or an
// object {"message", "principal", "bucket", "key", "resource",
// "copySource", "operation", "resourceAccount", "context": {key: value |
// [values]}} whose other fields give what the message does not say. It
// returns what `explain --error --format json` prints, with the URI of
// each cause's policy beside its path.
const ExplainErrorCommand = "s3policy.explainError"

// explainErrorArgs is the command's argument in its object form.
type explainErrorArgs struct {
	Message    string `json:"message"`
	Principal  string `json:"principal"`
	Bucket     string `json:"bucket"`
	Key        string `json:"key"`
	Resource   string `json:"resource"`
	CopySource string `json:"copySource"`
	Operation  string `json:"operation"`
	// ResourceAccount and Context are the request's, as in s3policy.explain:
	// the bucket's account, and the VPC endpoint (aws:SourceVpce) a
	// message that blames an endpoint policy does not name.
	ResourceAccount string                   `json:"resourceAccount"`
	Context         map[string]contextValues `json:"context"`
}

// contextValues is a condition key's value, or its list of values.
type contextValues []string

func (v *contextValues) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*v = contextValues{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(v))
}

// facts are what the argument gives besides the message.
func (a *explainErrorArgs) facts() awserror.Facts {
	f := awserror.Facts{Principal: a.Principal, Bucket: a.Bucket, Key: a.Key, Resource: a.Resource, CopySource: a.CopySource,
		Operation: a.Operation, ResourceAccount: a.ResourceAccount}
	if len(a.Context) > 0 {
		f.Context = map[string][]string{}
		for k, v := range a.Context {
			f.Context[k] = v
		}
	}
	return f
}

// errorAnswer is awserror.Answer with linked causes.
type errorAnswer struct {
	AWS       *awserror.Message  `json:"aws"`
	Requests  []errorRequest     `json:"requests"`
	Agreement awserror.Agreement `json:"agreement"`
	Verdict   string             `json:"verdict"`
}

type errorRequest struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	explainAnswer
}

func (s *Server) explainError(args []json.RawMessage) (func() (any, error), error) {
	if len(args) != 1 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s takes one argument, the message", ExplainErrorCommand)
	}
	var a explainErrorArgs
	if json.Unmarshal(args[0], &a.Message) != nil {
		if err := json.Unmarshal(args[0], &a); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the argument is the message, or an object with \"message\": %v", ExplainErrorCommand, err)
		}
	}
	// What the message lacks, said in the editor's language so that it
	// can ask for it.
	said := func(err error) error {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %s", ExplainErrorCommand, awserror.ErrorText(err).In(s.locale(s.store.settings(), nil)))
	}
	m, err := awserror.Parse(a.Message)
	if err != nil {
		return nil, said(err)
	}
	facts := a.facts()
	reqs, err := awserror.Requests(m, facts)
	if err != nil {
		return nil, said(err)
	}
	atRequest := s.store.buffers()
	return func() (any, error) {
		s.awaitScan()
		w := s.explainSet(s.setsOf(s.store.allTexts(atRequest)), reqs[0], "")
		if w == nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s: the server has no workspace folder", ExplainErrorCommand)
		}
		x, err := awserror.Explain(w, m, facts)
		if err != nil {
			return nil, said(err)
		}
		return linkedErrorAnswer(w, x.Answer(s.locale(s.store.settings(), nil))), nil
	}, nil
}

func linkedErrorAnswer(w *eval.Workspace, a awserror.Answer) errorAnswer {
	out := errorAnswer{AWS: a.AWS, Requests: []errorRequest{}, Agreement: a.Agreement, Verdict: a.Verdict}
	for _, r := range a.Requests {
		out.Requests = append(out.Requests, errorRequest{r.Principal, r.Action, r.Resource, linkedAnswer(w.Dir, r.Answer)})
	}
	return out
}
