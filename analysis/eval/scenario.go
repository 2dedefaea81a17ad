package eval

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// ParseScenarios reads a scenario file: one scenario object or an array
// of them. The shape (issue 5) is
//
//	{"request": {"principal", "action", "resource", "resourceAccount", "context": {"key": "value" | ["values"]}},
//	 "identityPolicies": [policy], "resourcePolicy": policy,
//	 "serviceControlPolicies": [policy], "resourceControlPolicies": [policy],
//	 "permissionBoundaries": [policy], "sessionPolicy": policy,
//	 "endpointPolicies": [policy], "keyPolicy": policy,
//	 "bucket": {the fields of a .s3policy.json bucket}}
//
// with every field but request optional. Extensions, all optional:
// request.requestPayer, request.objectOwner, request.objectAcl,
// request.multipart, request.time (default: now), bucket.name, bucket.region, "managementAccount",
// "gatewayEndpointPolicies" (the policies of gateway VPC endpoints, whose
// Principal AWS reads otherwise than an interface endpoint's: Doc.Gateway), and an SCP or RCP
// entry that is an array of policies (the policies attached at one level
// of the organization). Policies keep their positions in src, so causes
// give lines of the scenario file.
func ParseScenarios(src []byte) ([]*Scenario, error) {
	in := NewScenarioReader(bytes.NewReader(src))
	var out []*Scenario
	for {
		s, err := in.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
}

// scenarioReader reads one scenario. When delimited, the values of the
// scenario's members are only delimited (skeleton): each is parsed when
// it is read, and a policy text is looked up among those already parsed.
type scenarioReader struct {
	src       []byte
	lines     *lineIndex
	err       error
	stream    *ScenarioReader
	delimited bool
	room      *ScenarioRoom // what the scenario is read into; nil for memory of its own
}

func (r *scenarioReader) fail(v *analysis.Value, format string, args ...any) {
	r.failAt(v.Span.Start, format, args...)
}

func (r *scenarioReader) failAt(offset int, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("line %d: %s", r.lines.line(offset), fmt.Sprintf(format, args...))
	}
}

func (r *scenarioReader) expect(v *analysis.Value, kind analysis.ValueKind, what string) bool {
	if v.Kind != kind {
		r.fail(v, "%s must be a JSON %s, not %s", what, kind, withArticle(v.Kind.String()))
		return false
	}
	r.noDuplicates(v, 0)
	return true
}

// noDuplicates fails on a member given twice in an object: which one was
// meant cannot be told. at is where v's text starts in the scenario's.
func (r *scenarioReader) noDuplicates(v *analysis.Value, at int) {
	if len(v.Fields) <= 16 { // no map for the few members of a policy or a request
		for i, f := range v.Fields {
			for _, g := range v.Fields[:i] {
				if g.Key == f.Key {
					r.failAt(at+f.KeySpan.Start, "%q is given twice", f.Key)
					break
				}
			}
		}
		return
	}
	seen := map[string]bool{}
	for _, f := range v.Fields {
		if seen[f.Key] {
			r.failAt(at+f.KeySpan.Start, "%q is given twice", f.Key)
		}
		seen[f.Key] = true
	}
}

// withArticle puts "a" or "an" before a noun: "an action", "an object".
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

func (r *scenarioReader) scenario(v *analysis.Value) *Scenario {
	s := r.room.newScenario()
	if !r.expect(v, analysis.Object, "a scenario") {
		return s
	}
	req := v.Get("request")
	if req == nil {
		r.fail(v, "a scenario needs a request")
		return s
	}
	if !r.delimited || !r.stream.plainRequest(r.src[req.Value.Span.Start:req.Value.Span.End], &s.Request, r.room) {
		r.request(&s.Request, r.parse(req.Value))
	}
	for _, f := range v.Fields {
		switch f.Key {
		case "request":
		case "identityPolicies":
			s.IdentityPolicies = r.docList(f)
		case "resourcePolicy":
			s.ResourcePolicy = r.doc(f.Key, f.Value)
		case "serviceControlPolicies":
			s.SCPs = r.levels(f)
		case "resourceControlPolicies":
			s.RCPs = r.levels(f)
		case "permissionBoundaries":
			s.Boundaries = r.docList(f)
		case "sessionPolicy":
			s.SessionPolicy = r.doc(f.Key, f.Value)
		case "endpointPolicies":
			s.EndpointPolicies = append(s.EndpointPolicies, r.docList(f)...)
		case "gatewayEndpointPolicies":
			gateways := r.docList(f)
			for _, d := range gateways {
				d.Gateway = true
			}
			s.EndpointPolicies = append(s.EndpointPolicies, gateways...)
		case "keyPolicy":
			s.KeyPolicy = r.doc(f.Key, f.Value)
		case "bucket":
			s.Bucket = r.cachedBucket(f.Value, s.Request.Resource)
		case "managementAccount":
			s.ManagementAccount = r.str(&analysis.Field{Key: f.Key, KeySpan: f.KeySpan, Value: r.parse(f.Value)})
		default:
			r.fail(f.Value, "unknown scenario field %q", f.Key)
		}
	}
	return s
}

func (r *scenarioReader) str(f *analysis.Field) string {
	if r.expect(f.Value, analysis.String, f.Key) {
		return f.Value.Str
	}
	return ""
}

func (r *scenarioReader) request(req *Request, v *analysis.Value) {
	if !r.expect(v, analysis.Object, "request") {
		return
	}
	for _, f := range v.Fields {
		switch target := stringMember(req, f.Key); {
		case target != nil:
			*target = r.str(f)
		case f.Key == "context":
			req.Context = r.context(f.Value)
		case f.Key == "multipart":
			req.Multipart = r.expect(f.Value, analysis.Bool, "multipart") && f.Value.Str == "true"
		case f.Key == "time":
			req.Time = r.time(f)
		default:
			r.fail(f.Value, "unknown request field %q", f.Key)
		}
	}
	for _, need := range []string{"principal", "action", "resource"} {
		if *stringMember(req, need) == "" {
			r.fail(v, "the request needs %s", withArticle(need))
		}
	}
}

// ParseTime reads the time of a request as a Date condition does: ISO
// 8601 or epoch seconds.
func ParseTime(s string) (time.Time, bool) { return parseDate(s) }

// time reads the moment of the request, in the forms a Date condition
// takes (ISO 8601 or epoch seconds).
func (r *scenarioReader) time(f *analysis.Field) time.Time {
	s := r.str(f)
	t, ok := parseDate(s)
	if s != "" && !ok {
		r.fail(f.Value, "time %q is not an ISO 8601 date or epoch seconds", s)
	}
	return t
}

// context reads condition keys: each a scalar or an array of scalars.
func (r *scenarioReader) context(v *analysis.Value) map[string][]string {
	if !r.expect(v, analysis.Object, "context") {
		return nil
	}
	out := map[string][]string{}
	for _, f := range v.Fields {
		switch f.Value.Kind {
		case analysis.String, analysis.Number, analysis.Bool:
			out[f.Key] = []string{f.Value.Str}
		case analysis.Array:
			values := []string{}
			for _, item := range f.Value.Items {
				values = append(values, item.Str)
			}
			out[f.Key] = values
		default:
			r.fail(f.Value, "context key %q takes a value or an array of values", f.Key)
		}
	}
	return out
}

func (r *scenarioReader) doc(name string, v *analysis.Value) *Doc {
	if !r.expect(v, analysis.Object, name) {
		return nil
	}
	if !r.delimited {
		d := r.room.newDoc()
		*d = Doc{Name: name, Src: r.src, Policy: analysis.NewPolicy(v), lines: r.lines}
		return d
	}
	text := r.src[v.Span.Start:v.Span.End]
	cached := r.stream.policies.get(text)
	if cached == nil {
		root, syn := analysis.ParseJSON(text)
		if syn != nil {
			r.notJSON(v.Span.Start + syn.Span.Start)
			return nil
		}
		r.noDuplicates(root, v.Span.Start)
		cached = r.stream.policies.put(text, analysis.NewPolicy(root))
	}
	d := r.room.newDoc()
	*d = Doc{Name: name, Src: cached.src, Policy: cached.policy, lines: r.lines, at: v.Span.Start}
	return d
}

// parse reads a delimited value whole, in the offsets of the scenario.
func (r *scenarioReader) parse(v *analysis.Value) *analysis.Value {
	if !r.delimited {
		return v
	}
	parsed, syn := analysis.ParseJSON(r.src[v.Span.Start:v.Span.End])
	if syn != nil {
		r.notJSON(v.Span.Start + syn.Span.Start)
		return &analysis.Value{Kind: analysis.Null, Span: v.Span}
	}
	shift(parsed, v.Span.Start)
	return parsed
}

// shift moves the spans of a value parsed alone by the offset of its text.
func shift(v *analysis.Value, by int) {
	v.Span.Start += by
	v.Span.End += by
	for _, item := range v.Items {
		shift(item, by)
	}
	for _, f := range v.Fields {
		f.KeySpan.Start += by
		f.KeySpan.End += by
		shift(f.Value, by)
	}
}

// elements are the elements of an array value: delimited ones when the
// scenario is.
func (r *scenarioReader) elements(v *analysis.Value) []*analysis.Value {
	if !r.delimited {
		return v.Items
	}
	out, ok := r.stream.items(r.src, v.Span)
	if !ok {
		r.notJSON(v.Span.Start)
	}
	return out
}

// notJSON: the scenario is not JSON at offset; the stream says where
// exactly, with the parser's message.
func (r *scenarioReader) notJSON(offset int) {
	r.failAt(offset, "not JSON")
}

func (r *scenarioReader) docList(f *analysis.Field) []*Doc {
	if !r.expect(f.Value, analysis.Array, f.Key) {
		return nil
	}
	elements := r.elements(f.Value)
	out := r.room.docList(len(elements))
	for i, item := range elements {
		if d := r.doc(r.stream.listName(f.Key, i), item); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// levels reads SCPs or RCPs: each entry a policy (a level of its own) or
// an array of the policies attached at one level. An empty list is taken
// as missing: AWS always attaches at least the default policy.
func (r *scenarioReader) levels(f *analysis.Field) [][]*Doc {
	if !r.expect(f.Value, analysis.Array, f.Key) {
		return nil
	}
	elements := r.elements(f.Value)
	out := r.room.levelList(len(elements))
	for i, item := range elements {
		name := r.stream.listName(f.Key, i)
		if item.Kind != analysis.Array {
			if d := r.doc(name, item); d != nil {
				out = append(out, append(r.room.docList(1), d))
			}
			continue
		}
		policies := r.elements(item)
		level := r.room.docList(len(policies))
		for j, p := range policies {
			if d := r.doc(r.stream.listName(name, j), p); d != nil {
				level = append(level, d)
			}
		}
		out = append(out, level)
	}
	return out
}

// bucket reads the scenario's bucket facts as .s3policy.json does, plus
// an optional "name" (by default the bucket of the request's resource).
func (r *scenarioReader) bucket(v *analysis.Value, resource string) *analysis.BucketFacts {
	if !r.expect(v, analysis.Object, "bucket") {
		return nil
	}
	name, facts := analysis.BucketOfARN(resource), *v
	facts.Fields = nil
	for _, f := range v.Fields {
		if f.Key == "name" {
			name = r.str(f)
		} else {
			facts.Fields = append(facts.Fields, f)
		}
	}
	b, findings := analysis.ParseBucketFacts(name, &facts)
	for _, fd := range findings {
		r.failAt(fd.Span.Start, "bucket: %s", fd.Message.In("en"))
	}
	return b
}

// cachedBucket reads the bucket facts, once for each text and bucket name
// when the scenario is delimited: a batch repeats them.
func (r *scenarioReader) cachedBucket(v *analysis.Value, resource string) *analysis.BucketFacts {
	if !r.delimited {
		return r.bucket(v, resource)
	}
	text, name := r.src[v.Span.Start:v.Span.End], analysis.BucketOfARN(resource)
	if b, ok := r.stream.buckets[string(text)][name]; ok {
		return b
	}
	before := r.err
	b := r.bucket(r.parse(v), resource)
	if r.err == before && len(r.stream.buckets) < 1024 {
		byName := r.stream.buckets[string(text)]
		if byName == nil {
			byName = map[string]*analysis.BucketFacts{}
			r.stream.buckets[string(text)] = byName
		}
		byName[name] = b
	}
	return b
}
