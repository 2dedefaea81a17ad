package eval

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// Decision is the outcome of a request.
type Decision string

const (
	Allowed Decision = "Allowed"
	// AllowedIf: allowed only when keys the tool cannot know have the
	// values the causes name (aws:SourceIp, aws:RequestedRegion, ...).
	AllowedIf        Decision = "AllowedIf"
	ExplicitlyDenied Decision = "ExplicitlyDenied"
	ImplicitlyDenied Decision = "ImplicitlyDenied"
)

// Layer is one kind of control a request must pass.
type Layer string

const (
	LayerIdentity      Layer = "identity"
	LayerResource      Layer = "resource"
	LayerSCP           Layer = "scp"
	LayerRCP           Layer = "rcp"
	LayerBoundary      Layer = "boundary"
	LayerSession       Layer = "session"
	LayerEndpoint      Layer = "endpoint"
	LayerKMS           Layer = "kms"
	LayerOwnership     Layer = "ownership"
	LayerRequesterPays Layer = "requester-pays"
)

// Codes of causes. Where a code of the checks fits, the cause uses it so
// the explanation and the diagnostic agree.
const (
	CodeImplicitDeny        = "implicit-deny"
	CodeDeny                = analysis.CodeDenyBlocksAccess
	CodeMissingResourceARN  = analysis.CodeMissingResourceARN
	CodeKMSMissingActions   = analysis.CodeKMSMissingActions
	CodeEndpointBlocks      = analysis.CodeEndpointPolicyBlocks
	CodeSCPDenies           = analysis.CodeSCPDeniesS3
	CodeObjectOwnership     = analysis.CodeObjectOwnership
	CodeRequesterPays       = analysis.CodeRequesterPays
	CodeSessionPolicyBlocks = analysis.CodeSessionPolicyBlocks
)

// Cause is one reason a layer blocked the request: the decisive
// statement when there is one (Statement -1 when the whole policy, or
// its absence, is the reason).
type Cause struct {
	Code      string
	Layer     Layer
	Policy    string // the file or scenario field; "" when no policy of that layer exists
	Statement int
	Line      int                   // 1-based line of the statement (or the policy); 0 when unknown
	Message   analysis.CauseMessage // about the request: render it with the result (Result.Say)
	Explicit  bool                  // an explicit Deny statement
}

// Result is the answer for one request.
type Result struct {
	Decision  Decision
	BlockedBy []Layer
	Causes    []Cause
	// optimistic: conditions on unknown keys were taken in favour of
	// access; dependsOnUnknown: some condition on such a key mattered.
	optimistic, dependsOnUnknown bool
	// about is the request's action and resource, which the words of
	// its causes may leave out (Say).
	about target
}

// Say renders a cause of the result in words.
func (r *Result) Say(c *Cause) analysis.Text {
	return c.Message.About(r.about.action, r.about.resource)
}

// AppendSaid appends Say(c).In(locale), without rendering the languages
// it does not ask for: explain writes a message for each cause of each
// of its scenarios' answers, in one language.
func (r *Result) AppendSaid(b []byte, c *Cause, locale string) []byte {
	switch m := c.Message.(type) {
	case words:
		return m.appendIn(b, analysis.IsJapanese(locale))
	case requestWords:
		return m.about(r.about.action, r.about.resource).appendIn(b, analysis.IsJapanese(locale))
	}
	return append(b, r.Say(c).In(locale)...)
}

func (r *Result) add(c Cause) {
	r.Causes = append(r.Causes, c)
	for _, l := range r.BlockedBy {
		if l == c.Layer {
			return
		}
	}
	r.BlockedBy = append(r.BlockedBy, c.Layer)
}

// decide sets the decision from the causes: an explicit Deny wins, any
// other cause is an implicit deny.
func (r *Result) decide() {
	r.Decision = Allowed
	for _, c := range r.Causes {
		if c.Explicit {
			r.Decision = ExplicitlyDenied
			return
		}
		r.Decision = ImplicitlyDenied
	}
}

// Answer is the JSON form of a Result (issue 5), in one language.
type Answer struct {
	Decision  Decision      `json:"decision"`
	BlockedBy []Layer       `json:"blockedBy"`
	Causes    []AnswerCause `json:"causes"`
}

// AnswerCause is the JSON form of a Cause.
type AnswerCause struct {
	Code      string `json:"code"`
	Layer     Layer  `json:"layer"`
	Policy    string `json:"policy"`
	Statement *int   `json:"statement,omitempty"` // nil when the whole policy, or a setting, is the cause
	Line      int    `json:"line,omitempty"`      // 0 (left out) when unknown
	Message   string `json:"message"`
}

// Answer renders the result with messages in locale ("en", "ja").
func (r Result) Answer(locale string) Answer {
	a := Answer{Decision: r.Decision, BlockedBy: append([]Layer{}, r.BlockedBy...), Causes: []AnswerCause{}}
	for _, c := range r.Causes {
		var statement *int
		if c.Statement >= 0 {
			statement = &c.Statement
		}
		a.Causes = append(a.Causes, AnswerCause{c.Code, c.Layer, c.Policy, statement, c.Line, r.Say(&c).In(locale)})
	}
	return a
}
