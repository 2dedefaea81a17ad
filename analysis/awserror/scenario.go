package awserror

import (
	"bytes"
	"encoding/json"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// ScenarioFile writes scenarios in the format of `explain --scenario`
// (eval.ParseScenarios): the request and every policy that governed it,
// with the text of each policy as its file holds it, so that a team can
// attach the reproduction to a ticket. One scenario is written as an
// object, several as an array.
func ScenarioFile(scenarios []*eval.Scenario) []byte {
	out := make([]scenarioJSON, len(scenarios))
	for i, s := range scenarios {
		out[i] = toScenarioJSON(s)
	}
	var v any = out
	if len(out) == 1 {
		v = out[0]
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

type requestJSON struct {
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	ResourceAccount string              `json:"resourceAccount,omitempty"`
	Context         map[string][]string `json:"context,omitempty"`
	RequestPayer    string              `json:"requestPayer,omitempty"`
	ObjectOwner     string              `json:"objectOwner,omitempty"`
	ObjectACL       string              `json:"objectAcl,omitempty"`
	Multipart       bool                `json:"multipart,omitempty"`
}

type bucketJSON struct {
	Name            string `json:"name"`
	Account         string `json:"account,omitempty"`
	Encryption      string `json:"encryption,omitempty"`
	KMSKeyARN       string `json:"kmsKeyArn,omitempty"`
	ObjectOwnership string `json:"objectOwnership,omitempty"`
	RequesterPays   bool   `json:"requesterPays,omitempty"`
}

type scenarioJSON struct {
	Request           requestJSON         `json:"request"`
	IdentityPolicies  []json.RawMessage   `json:"identityPolicies,omitempty"`
	ResourcePolicy    json.RawMessage     `json:"resourcePolicy,omitempty"`
	SCPs              [][]json.RawMessage `json:"serviceControlPolicies,omitempty"`
	RCPs              [][]json.RawMessage `json:"resourceControlPolicies,omitempty"`
	Boundaries        []json.RawMessage   `json:"permissionBoundaries,omitempty"`
	SessionPolicy     json.RawMessage     `json:"sessionPolicy,omitempty"`
	EndpointPolicies  []json.RawMessage   `json:"endpointPolicies,omitempty"`
	GatewayEndpoints  []json.RawMessage   `json:"gatewayEndpointPolicies,omitempty"`
	KeyPolicy         json.RawMessage     `json:"keyPolicy,omitempty"`
	Bucket            *bucketJSON         `json:"bucket,omitempty"`
	ManagementAccount string              `json:"managementAccount,omitempty"`
}

func toScenarioJSON(s *eval.Scenario) scenarioJSON {
	r := s.Request
	out := scenarioJSON{
		Request: requestJSON{r.Principal, r.Action, r.Resource, r.ResourceAccount, r.Context,
			r.RequestPayer, r.ObjectOwner, r.ObjectACL, r.Multipart},
		IdentityPolicies:  policies(s.IdentityPolicies),
		ResourcePolicy:    policy(s.ResourcePolicy),
		SCPs:              levels(s.SCPs),
		RCPs:              levels(s.RCPs),
		Boundaries:        policies(s.Boundaries),
		SessionPolicy:     policy(s.SessionPolicy),
		EndpointPolicies:  policies(endpoints(s.EndpointPolicies, false)),
		GatewayEndpoints:  policies(endpoints(s.EndpointPolicies, true)),
		KeyPolicy:         policy(s.KeyPolicy),
		ManagementAccount: s.ManagementAccount,
	}
	if b := s.Bucket; b != nil {
		out.Bucket = &bucketJSON{b.Name, b.Account, b.Encryption, b.KMSKeyARN, b.ObjectOwnership, b.RequesterPays}
	}
	return out
}

// policy is the text of a policy, compacted: the scenario file is
// re-indented as a whole.
func policy(d *eval.Doc) json.RawMessage {
	if d == nil || d.Policy == nil || d.Policy.Root == nil {
		return nil
	}
	span := d.Policy.Root.Span
	var buf bytes.Buffer
	if json.Compact(&buf, d.Src[span.Start:span.End]) != nil {
		return nil
	}
	return buf.Bytes()
}

// endpoints are the endpoint policies of gateway endpoints, or of the
// others (interface, or of a type nobody gives).
func endpoints(ds []*eval.Doc, gateway bool) []*eval.Doc {
	var out []*eval.Doc
	for _, d := range ds {
		if d.Gateway == gateway {
			out = append(out, d)
		}
	}
	return out
}

func policies(ds []*eval.Doc) []json.RawMessage {
	var out []json.RawMessage
	for _, d := range ds {
		if p := policy(d); p != nil {
			out = append(out, p)
		}
	}
	return out
}

func levels(ls [][]*eval.Doc) [][]json.RawMessage {
	var out [][]json.RawMessage
	for _, l := range ls {
		out = append(out, policies(l))
	}
	return out
}
