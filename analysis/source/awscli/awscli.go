// Package awscli reads the policies in saved AWS CLI output: the JSON
// that `aws s3api get-bucket-policy`, `aws kms get-key-policy`, `aws iam
// get-policy-version`, `get-role-policy`, `get-role`, `aws ec2
// describe-vpc-endpoints` and `aws organizations describe-policy` print.
// Most hold the policy as an escaped JSON string: the document's text is
// the string's value, mapped back escape by escape, and quick fixes are
// written escaped.
package awscli

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Reader reads AWS CLI output; JSON of any other shape is read as a
// policy file.
var Reader = &source.Reader{
	Name:       "awscli",
	Extensions: []string{".json"},
	Claims:     claims,
	Read:       read,
}

var keys = [][]byte{[]byte(`"Policy"`), []byte(`"ResourcePolicy"`), []byte(`"PolicyVersion"`), []byte(`"PolicyDocument"`), []byte(`"AssumeRolePolicyDocument"`), []byte(`"VpcEndpoints"`)}

func claims(_ string, text []byte) bool {
	if standaloneFirstKey(text) {
		return false // most .json files: a policy, read whole by the next reader
	}
	for _, k := range keys {
		if bytes.Contains(text, k) {
			return true
		}
	}
	return false
}

// policyRegion is the one writable region of a document: the policy's
// own text (an escaped string, or JSON written as it is).
const policyRegion = 1

func read(path string, text []byte) source.Result {
	root, syn := analysis.ParseJSON(text)
	if syn != nil || root.Kind != analysis.Object {
		return source.JSON.Read(path, text)
	}
	var docs []analysis.Document
	add := func(v *analysis.Value, name string, kind analysis.Kind, reason string, facts *analysis.FileFacts) {
		if d, ok := document(text, v); ok {
			d.Name, d.Kind, d.KindReason, d.Facts = name, kind, reason, facts
			docs = append(docs, d)
		}
	}
	policy := root.Get("Policy")
	switch {
	case policy != nil && policy.Value.Kind == analysis.String:
		// get-bucket-policy prints {"Policy"}; get-key-policy adds PolicyName.
		kind, reason := analysis.KindBucket, "aws s3api get-bucket-policy"
		switch {
		case root.Get("PolicyName") != nil:
			kind, reason = analysis.KindKey, "aws kms get-key-policy"
		case root.Get("RevisionId") != nil:
			kind, reason = analysis.KindResource, "aws lambda get-policy"
		}
		add(policy.Value, "Policy", kind, reason, nil)
	case policy != nil && policy.Value.Get("Content") != nil:
		kind := analysis.KindUnknown
		switch str(policy.Value, "PolicySummary", "Type") {
		case "SERVICE_CONTROL_POLICY":
			kind = analysis.KindSCP
		case "RESOURCE_CONTROL_POLICY":
			kind = analysis.KindRCP
		}
		add(policy.Value.Get("Content").Value, "Policy.Content", kind, "aws organizations describe-policy", nil)
	}
	if pv := root.Get("PolicyVersion"); pv != nil {
		if d := pv.Value.Get("Document"); d != nil {
			add(d.Value, "PolicyVersion.Document", analysis.KindIdentity, "aws iam get-policy-version", nil)
		}
	}
	if pd := root.Get("PolicyDocument"); pd != nil {
		reason := "aws iam get-role-policy"
		switch {
		case root.Get("UserName") != nil:
			reason = "aws iam get-user-policy"
		case root.Get("GroupName") != nil:
			reason = "aws iam get-group-policy"
		}
		add(pd.Value, "PolicyDocument", analysis.KindIdentity, reason, nil)
	}
	if attrs := root.Get("Attributes"); attrs != nil && attrs.Value.Get("Policy") != nil {
		add(attrs.Value.Get("Policy").Value, "Attributes.Policy", analysis.KindResource, "aws sqs get-queue-attributes / aws sns get-topic-attributes", nil)
	}
	if rp := root.Get("ResourcePolicy"); rp != nil {
		add(rp.Value, "ResourcePolicy", analysis.KindResource, "aws secretsmanager get-resource-policy", nil)
	}
	if role := root.Get("Role"); role != nil {
		if d := role.Value.Get("AssumeRolePolicyDocument"); d != nil {
			add(d.Value, "Role.AssumeRolePolicyDocument", analysis.KindTrust, "aws iam get-role", nil)
		}
	}
	if eps := root.Get("VpcEndpoints"); eps != nil {
		for i, ep := range eps.Value.Items {
			if d := ep.Get("PolicyDocument"); d != nil {
				var facts *analysis.FileFacts
				if id := ep.Get("VpcEndpointId"); id != nil && id.Value.Kind == analysis.String {
					facts = &analysis.FileFacts{Endpoint: id.Value.Str}
				}
				if t := ep.Get("VpcEndpointType"); t != nil && (t.Value.Str == analysis.EndpointGateway || t.Value.Str == analysis.EndpointInterface) {
					if facts == nil {
						facts = &analysis.FileFacts{}
					}
					facts.EndpointType = t.Value.Str
				}
				add(d.Value, fmt.Sprintf("VpcEndpoints[%d].PolicyDocument", i), analysis.KindEndpoint, "aws ec2 describe-vpc-endpoints", facts)
			}
		}
	}
	if len(docs) == 0 {
		return source.JSON.Read(path, text)
	}
	return source.Result{Docs: docs}
}

// document maps a policy printed as JSON (copied as it is) or as a JSON
// string (escaped, or URL-encoded as IAM returns policy versions).
func document(text []byte, v *analysis.Value) (analysis.Document, bool) {
	var b analysis.HostBuilder
	switch v.Kind {
	case analysis.Object:
		b.Copy(v.Span, string(text[v.Span.Start:v.Span.End]), policyRegion)
		return analysis.Document{Text: b.Text(), Host: b.Map(v.Span)}, true
	case analysis.String:
		pieces, ok := source.JSONStringPieces(text, v.Span)
		if !ok {
			return analysis.Document{}, false
		}
		encoded := bytes.HasPrefix(bytes.TrimSpace([]byte(v.Str)), []byte("%7B"))
		if encoded {
			pieces = urlDecode(pieces)
		}
		source.WriteRaw(&b, pieces, policyRegion)
		m := b.Map(v.Span)
		m.Encode = func(_ int, s string) (string, bool) {
			return source.EscapeJSON(s), !encoded // no fix is written URL-encoded
		}
		return analysis.Document{Text: b.Text(), Host: m}, true
	}
	return analysis.Document{}, false
}

// urlDecode splits the exact pieces of a URL-encoded string at each %XX.
func urlDecode(pieces []source.Piece) []source.Piece {
	var out []source.Piece
	for _, p := range pieces {
		if !p.Exact {
			out = append(out, p)
			continue
		}
		run := 0
		for i := 0; i < len(p.Text); i++ {
			if p.Text[i] != '%' || i+3 > len(p.Text) {
				continue
			}
			c, err := strconv.ParseUint(p.Text[i+1:i+3], 16, 8)
			if err != nil {
				continue
			}
			if i > run {
				out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + run, End: p.Host.Start + i}, Text: p.Text[run:i], Exact: true})
			}
			out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + i, End: p.Host.Start + i + 3}, Text: string([]byte{byte(c)})})
			i += 2
			run = i + 1
		}
		if run < len(p.Text) {
			out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + run, End: p.Host.End}, Text: p.Text[run:], Exact: true})
		}
	}
	return out
}

// str is the string at a path of keys, or "".
func str(v *analysis.Value, path ...string) string {
	for _, k := range path {
		f := v.Get(k)
		if f == nil {
			return ""
		}
		v = f.Value
	}
	if v.Kind != analysis.String {
		return ""
	}
	return v.Str
}

// standaloneFirstKey reports whether the text opens as a policy does, its
// first key Version, Statement or Id: a look at a few bytes that spares
// the scans for CLI keys over every policy of a tree.
func standaloneFirstKey(text []byte) bool {
	text = bytes.TrimLeft(bytes.TrimPrefix(text, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(text) == 0 || text[0] != '{' {
		return false
	}
	text = bytes.TrimLeft(text[1:], " \t\r\n")
	for _, key := range []string{`"Version"`, `"Statement"`, `"Id"`} {
		if bytes.HasPrefix(text, []byte(key)) {
			return true
		}
	}
	return false
}
