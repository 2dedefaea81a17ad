// Package awserror reads the AccessDenied messages that AWS returns (as
// the AWS CLI, the SDKs and the console print them), turns each into the
// requests it stands for, evaluates them over a folder of policies with
// the engine of analysis/eval, and says whether the folder agrees with
// the layer AWS named.
//
// The message forms are those of the AWS pages
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
// ("Access denied message examples") and
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html.
package awserror

import (
	"errors"
	"html"
	"regexp"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// LayerBlockPublicAccess is the layer of S3 Block Public Access, which
// AWS names in a message but the engine does not model.
const LayerBlockPublicAccess eval.Layer = "block-public-access"

// Message is what an AccessDenied message says. Every field may be
// empty: the plain "Access Denied" names only the operation, if that.
type Message struct {
	Text      string     `json:"message"`             // the message, whitespace folded
	Code      string     `json:"code,omitempty"`      // AccessDenied, AccessDeniedException, 403
	Operation string     `json:"operation,omitempty"` // the API operation, e.g. GetObject
	Principal string     `json:"principal,omitempty"` // the caller's ARN as AWS printed it
	Action    string     `json:"action,omitempty"`    // e.g. s3:GetObject
	Resource  string     `json:"resource,omitempty"`  // "" also for "on this resource"
	Layer     eval.Layer `json:"layer,omitempty"`     // the policy type AWS blames
	Explicit  bool       `json:"explicit"`            // "with an explicit deny in"
	PolicyARN string     `json:"policyArn,omitempty"` // the policy AWS names, newer messages only
}

// Stated reports whether AWS said which kind of policy denied.
func (m *Message) Stated() bool { return m.Layer != "" }

// messageForms are the patterns of the messages, compiled on the first
// Parse: compiling them at start-up took 1 ms and 140 KB of every run of
// the binary (GODEBUG=inittrace=1), and only explain --error and
// --cloudtrail, and the server's explain command, read a message.
type messageForms struct {
	spaces, cliForm, goForm, javaForm, xmlForm, codePrefix *regexp.Regexp
	detail, implicit, explicit, bpa                        *regexp.Regexp
}

var forms = sync.OnceValue(func() *messageForms {
	return &messageForms{
		spaces: regexp.MustCompile(`\s+`),
		// The CLI: "An error occurred (AccessDenied) when calling the GetObject operation: ..."
		cliForm: regexp.MustCompile(`(?i)an error occurred \(([\w.]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?:\s*(.*)$`),
		// The Go SDK v2: "operation error S3: GetObject, https response error StatusCode: 403, RequestID: ..., api error AccessDenied: Access Denied"
		goForm: regexp.MustCompile(`(?i)operation error [\w ]+: (\w+),.*?api error (\w+):\s*(.*)$`),
		// The Java SDK: "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: ...)"
		javaForm: regexp.MustCompile(`(?i)^(.*?)\s*\(Service: [^;]*; Status Code: \d+; Error Code: (\w+);.*\)\s*$`),
		// The REST API's body: <Error><Code>AccessDenied</Code><Message>Access Denied</Message>...
		xmlForm: regexp.MustCompile(`(?is)<Code>(\w+)</Code>\s*<Message>(.*?)</Message>`),
		// A bare code prefix, as the JavaScript and Python SDKs print it: "AccessDenied: Access Denied"
		codePrefix: regexp.MustCompile(`^(AccessDenied(?:Exception)?|Forbidden|403)\s*:\s*(.*)$`),

		// "User: ARN is not authorized to perform: ACTION [on resource: RES | on this resource] [reason]"
		detail:   regexp.MustCompile(`(?i)(?:User|Principal):\s*(\S+)\s+is not authorized to perform:\s*([\w-]+:[\w*-]+)(?:\s+on (?:resource:\s*("[^"]*"|\S+)|this resource))?\s*(.*)$`),
		implicit: regexp.MustCompile(`(?i)^because no (.+?) allows? the [\w-]+:[\w*-]+ action`),
		explicit: regexp.MustCompile(`(?i)^with an explicit deny in (?:a |an |the )?(.+?)(?::\s*(arn:\S+))?\.?$`),
		bpa:      regexp.MustCompile(`(?i)^because public (?:ACLs|policies) are prevented by the \w+ setting in S3 Block Public Access`),
	}
})

// policyTypes are the policy types AWS names in its messages, and the
// layer of the engine each is.
var policyTypes = sync.OnceValue(func() map[string]eval.Layer {
	return map[string]eval.Layer{
		"identity-based policy":     eval.LayerIdentity,
		"identity-based policies":   eval.LayerIdentity,
		"resource-based policy":     eval.LayerResource,
		"resource-based policies":   eval.LayerResource,
		"permissions boundary":      eval.LayerBoundary,
		"permissions boundaries":    eval.LayerBoundary,
		"session policy":            eval.LayerSession,
		"session policies":          eval.LayerSession,
		"service control policy":    eval.LayerSCP,
		"service control policies":  eval.LayerSCP,
		"resource control policy":   eval.LayerRCP,
		"resource control policies": eval.LayerRCP,
		"vpc endpoint policy":       eval.LayerEndpoint,
		"vpc endpoint policies":     eval.LayerEndpoint,
	}
})

// ErrNotAccessDenied is returned for a text that is no AccessDenied
// message the parser knows.
var ErrNotAccessDenied = errors.New(notAccessDenied.EN)

var notAccessDenied = analysis.T("this is not an AccessDenied message: paste the whole line the AWS CLI or SDK printed, such as \"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\"",
	"AccessDenied のメッセージではありません: AWS CLI または SDK が表示した行をそのまま貼り付けてください (例: \"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\")")

// Parse reads one AccessDenied message. Line breaks and indentation,
// which terminals and logs add, do not matter.
func Parse(text string) (*Message, error) {
	f := forms()
	m := &Message{Text: strings.TrimSpace(f.spaces.ReplaceAllString(text, " "))}
	rest := m.Text
	if sub := f.xmlForm.FindStringSubmatch(rest); sub != nil {
		// The body is XML: a key with & reads &amp;, and some clients
		// print the quotes around the resource as &quot;.
		m.Code, rest = sub[1], html.UnescapeString(sub[2])
	}
	if sub := f.cliForm.FindStringSubmatch(rest); sub != nil {
		m.Code, m.Operation, rest = sub[1], sub[2], sub[3]
	} else if sub := f.goForm.FindStringSubmatch(rest); sub != nil {
		m.Operation, m.Code, rest = sub[1], sub[2], sub[3]
	} else if sub := f.javaForm.FindStringSubmatch(rest); sub != nil {
		rest, m.Code = sub[1], sub[2]
	}
	if sub := f.codePrefix.FindStringSubmatch(rest); sub != nil {
		if m.Code == "" {
			m.Code = sub[1]
		}
		rest = sub[2]
	}
	if sub := f.detail.FindStringSubmatch(rest); sub != nil {
		m.Principal, m.Action = sub[1], sub[2]
		m.Resource = strings.Trim(sub[3], `"`)
		m.reason(strings.TrimSpace(sub[4]))
		if m.Code == "" {
			m.Code = "AccessDenied"
		}
		return m, nil
	}
	if !deniedCode(m.Code) && !plainDenied(rest) {
		return nil, ErrNotAccessDenied
	}
	if m.Code == "" {
		m.Code = "AccessDenied"
	}
	return m, nil
}

// reason reads the clause after the resource: the policy type, and
// whether the deny was explicit.
func (m *Message) reason(s string) {
	f := forms()
	if sub := f.implicit.FindStringSubmatch(s); sub != nil {
		m.Layer = policyTypes()[strings.ToLower(sub[1])]
		return
	}
	if sub := f.explicit.FindStringSubmatch(s); sub != nil {
		m.Layer, m.Explicit, m.PolicyARN = policyTypes()[strings.ToLower(sub[1])], true, sub[2]
		return
	}
	if f.bpa.MatchString(s) {
		m.Layer = LayerBlockPublicAccess
	}
}

func deniedCode(code string) bool {
	switch strings.ToLower(code) {
	case "accessdenied", "accessdeniedexception", "403", "forbidden", "allaccessdisabled":
		return true
	}
	return false
}

func plainDenied(s string) bool {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	return s == "access denied" || s == "forbidden"
}
