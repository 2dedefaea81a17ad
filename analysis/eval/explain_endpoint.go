package eval

import (
	"cmp"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// CodeThroughEndpoint is the cause that says what a request that gives no
// VPC endpoint (aws:SourceVpce) would get through one of the folder's
// endpoints, when that differs from the answer through none
// (ExplainThroughEndpoints).
const CodeThroughEndpoint = "through-endpoint"

// Endpoint is a VPC endpoint whose policy the folder holds.
type Endpoint struct {
	// ID is the endpoint's ID (aws:SourceVpce) as its policy's facts give
	// it: vpce-…, or a host's expression for it ("${aws_vpc_endpoint.s3.id}");
	// "" when the policy names no endpoint (it governs every endpoint).
	ID string
	// Policy is the endpoint policy as causes name it (Workspace.DocName):
	// its file, or "file#address" when a Terraform or CloudFormation file
	// holds it.
	Policy string
	// Address is the resource that holds the policy in its host
	// (aws_vpc_endpoint.s3, Resources.Endpoint): a name the user may give
	// for aws:SourceVpce when the host does not know the ID (ResolveEndpoint).
	Address string
	// Account is the account the policy's facts place the endpoint in ("" unknown).
	Account string
}

// Endpoints lists the folder's VPC endpoint policies of the account (of
// every account when account is ""; a policy of no known account counts
// for every account), in the workspace's order: the one list explain,
// explain --error and the server read of "the folder's endpoints".
func (w *Workspace) Endpoints(account string) []Endpoint {
	var out []Endpoint
	for _, f := range w.PolicyFiles() {
		facts := f.Facts
		if f.Kind != analysis.KindEndpoint || facts != nil && facts.Account != "" && account != "" && facts.Account != account {
			continue
		}
		e := Endpoint{Policy: w.DocName(f), Address: f.DocName}
		if facts != nil {
			e.ID, e.Account = facts.Endpoint, facts.Account
		}
		out = append(out, e)
	}
	return out
}

// ResolveEndpoint is the endpoint ID the user means by name, given for
// aws:SourceVpce: the ID itself, or the address (or Policy name) of an
// endpoint of the folder whose host gives its ID only as an expression
// (Terraform's aws_vpc_endpoint.s3, whose ID the module does not know).
// A name the folder does not know is returned as it is.
func (w *Workspace) ResolveEndpoint(name string) string {
	for _, e := range w.Endpoints("") {
		if e.ID != "" && e.Address != "" && (name == e.Address || name == e.Policy) {
			return e.ID
		}
	}
	return name
}

// ResolveSourceVpce gives the request the IDs of the endpoints its
// aws:SourceVpce names by their address (ResolveEndpoint); the request's
// context is copied before it changes.
func (w *Workspace) ResolveSourceVpce(req *Request) {
	for k, vs := range req.Context {
		if !strings.EqualFold(k, "aws:SourceVpce") {
			continue
		}
		var ids []string
		for i, v := range vs {
			if id := w.ResolveEndpoint(v); id != v {
				if ids == nil {
					ids = slices.Clone(vs)
				}
				ids[i] = id
			}
		}
		if ids != nil {
			context := make(map[string][]string, len(req.Context))
			for k2, v2 := range req.Context {
				context[k2] = v2
			}
			context[k] = ids
			req.Context = context
			return
		}
	}
}

// givesEndpoint reports whether the request says which VPC endpoint it
// came through (aws:SourceVpce, in any case).
func givesEndpoint(req *Request) bool {
	for k := range req.Context {
		if strings.EqualFold(k, "aws:SourceVpce") {
			return true
		}
	}
	return false
}

// ExplainThroughEndpoints is Explain for a request as the user asks it
// (explain's flags, the server's s3policy.explain and its code lenses):
// an aws:SourceVpce that names one of the folder's endpoints by its
// address takes that endpoint's ID; and a request that gives no
// aws:SourceVpce, decided through no VPC endpoint, gets one cause
// (CodeThroughEndpoint) for each of the folder's endpoints of the
// caller's account through which the decision would differ (the
// endpoint policies of no named endpoint together, when they alone would
// block it): check
// reports what those endpoints' policies block, and an answer that said
// "Allowed" alone was not the whole truth (review N11).
func (w *Workspace) ExplainThroughEndpoints(req Request) (*Scenario, Result) {
	w.ResolveSourceVpce(&req)
	s, r := w.Explain(req)
	if givesEndpoint(&req) {
		return s, r
	}
	var extra []Cause
	seen := map[string]bool{}
	for _, e := range w.Endpoints(parsePrincipal(req.Principal).account) {
		id := e.ID
		if id == "" {
			// A policy of no named endpoint governs every endpoint: the
			// request goes through one whose ID the folder does not give,
			// named by the policy's resource (or ID), which aws:SourceVpce
			// may take as any value.
			id = cmp.Or(e.Address, e.Policy)
		}
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		through := req
		through.Context = make(map[string][]string, len(req.Context)+1)
		for k, v := range req.Context {
			through.Context[k] = v
		}
		through.Context["aws:SourceVpce"] = []string{id}
		_, other := w.Explain(through)
		if decisionWords(&other) == decisionWords(&r) ||
			// An ID made up for the unnamed endpoint would meet the
			// conditions of other policies on aws:SourceVpce: only the
			// endpoint policies' own verdict is told.
			e.ID == "" && !slices.Equal(other.BlockedBy, []Layer{LayerEndpoint}) {
			continue
		}
		extra = append(extra, throughCause(e, id, &other))
	}
	if len(extra) > 0 {
		r.Causes = slices.Concat(r.Causes, extra)
	}
	return s, r
}

// throughCause says what the request would get through endpoint e: the
// decision, the first cause of it, and how to ask through it.
func throughCause(e Endpoint, id string, other *Result) Cause {
	name := id
	if e.Address != "" && strings.Contains(id, "${") {
		name = e.Address // a Terraform expression: its resource is the name to give
	}
	file, _, _ := strings.Cut(e.Policy, "#")
	msg := analysis.Tf(
		"the request gives no aws:SourceVpce and was decided through no VPC endpoint; through %s (%s) it is %s",
		"リクエストに aws:SourceVpce がないため、VPC エンドポイントを通らないものとして判定しました。%s (%s) を通ると %s です",
		name, file, decisionWords(other))
	line := 0
	for i := range other.Causes {
		if c := &other.Causes[i]; c.Code != CodeBucketAccountUnknown {
			said := other.Say(c)
			if c.Policy == e.Policy {
				line = c.Line
			} else if c.Policy != "" {
				said = analysis.Join(": ", analysis.T(c.Policy, c.Policy), said)
			}
			msg = analysis.Join(": ", msg, said)
			break
		}
	}
	msg = analysis.Join("", msg, analysis.Tf(
		" (to ask through it: --context aws:SourceVpce=%s, or \"context\": {\"aws:SourceVpce\": [\"%s\"]} in the request)",
		" (このエンドポイント経由で尋ねるには --context aws:SourceVpce=%s、またはリクエストの \"context\": {\"aws:SourceVpce\": [\"%s\"]})",
		name, name))
	return Cause{Code: CodeThroughEndpoint, Layer: LayerEndpoint, Policy: e.Policy, Statement: -1, Line: line, Message: msg}
}
