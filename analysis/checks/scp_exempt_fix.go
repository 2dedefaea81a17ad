package checks

import (
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// exemptPrincipalFixes is the fix, beside removal, of a Deny in an SCP or
// an RCP that blocks requests a bucket policy grants a principal: the
// principal is exempted from exactly the blocked actions, and nobody
// else's access changes.
//
// The Deny no longer applies to the principal (ArnNotEquals on
// aws:PrincipalArn, merged into its Condition: the operators of a
// Condition are ANDed, and the values of a negated operator's key are
// all refused). Statements of its own (ArnEquals on aws:PrincipalArn,
// the Deny's Condition copied) keep denying the principal everything
// else the Deny denied: its other actions, on its resources. A request
// without aws:PrincipalArn (a service, an anonymous caller) still meets
// the Deny, as before.
//
// Not offered when the rest cannot be written exactly (an action
// wildcard other than "*" or "s3:*"; "*" or "s3:*" with NotResource, or
// on resources that are neither "*" nor S3 ARNs; a Condition that is not
// an object), for a principal whose aws:PrincipalArn is not its own ARN
// (a role session), or when the Deny does not deny the blocked actions.
// An RCP has no NotAction: there the other S3 actions are written as
// patterns of the actions the IAM data lists for the resources.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
func exemptPrincipalFixes(pass *analysis.Pass, h *blockedHere) []analysis.Fix {
	st := denyAt(pass.Policy, h.place)
	if st == nil || !exemptableARN(h.principal) || st.NotPrincipal != nil || st.Condition != nil && st.Condition.Value.Kind != analysis.Object {
		return nil
	}
	// Each action and resource once, told apart by the principal's
	// numbers: an SCP's element blocks 750 requests, whose resources
	// were sorted to find the few buckets and objects among them.
	blocked, granted := elementActions(h), elementResources(h)
	slices.Sort(blocked)
	slices.Sort(granted)
	if !deniesEvery(st, blocked) {
		return nil // the blocked actions are not this statement's to lift
	}
	rest, ok := deniedRest(pass.Kind, st, blocked, granted)
	if !ok {
		return nil
	}
	who := sidWord(shortName(h.principal))
	edits := mergeCondition(pass.Src, st, "ArnNotEquals", "aws:PrincipalArn", []string{h.principal}, true)
	if len(rest) > 0 {
		cond, ok := restCondition(pass.Src, st, "aws:PrincipalArn", []string{h.principal}, "ArnEquals", "ArnLike", "StringEquals")
		if !ok {
			return nil
		}
		// The policy's Sids are shared by every fix of it (usedSids): these
		// statements' own are added to a copy, so that the fix writes the
		// same however often it is asked for.
		used := maps.Clone(usedSids(pass.Policy))
		var statements [][]member
		for _, r := range rest {
			sid := restSid(st, who, r.sidSuffix, len(rest))
			if used[sid] {
				sid = freeSid(sid, used)
			}
			used[sid] = true
			members := []member{{"Sid", sid}, {"Effect", "Deny"}}
			if st.Principal != nil {
				members = append(members, rawMember(pass.Src, st.Principal))
			}
			members = append(members, r.action, r.resource, member{"Condition", cond})
			statements = append(statements, members)
		}
		edits = append(edits, analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, newStatements(pass, statements...))...)
	}
	return []analysis.Fix{{
		Title: analysis.Tf("Exempt %s from this Deny for %s only", "%[1]s をこの Deny から %[2]s についてだけ除外",
			shortName(h.principal), strings.Join(blocked, ", ")),
		Edits: edits,
	}}
}

// aimedAtConfigured reports whether a Deny's condition limits it to
// principals .s3policy.json names (ArnEquals, ArnLike or StringEquals on
// aws:PrincipalArn, without IfExists, listing only them), as the
// statements the exemption writes to keep denying a principal the rest
// do. Whether such a Deny blocks what the workspace expects of them is
// the workspace causes' to say; the single-file check says nothing.
func aimedAtConfigured(cfg *analysis.Config, conds []analysis.Condition) bool {
	if cfg == nil {
		return false
	}
	var principals []string // listed when a condition asks: the config may name thousands of files
	for _, c := range conds {
		op, ok := iamdata.ConditionOperator(c)
		if !ok || op.IfExists || op.Set != "" || !strings.EqualFold(c.Key.Key, "aws:PrincipalArn") ||
			!slices.Contains([]string{"ArnEquals", "ArnLike", "StringEquals"}, op.Base.Name) || len(c.Values) == 0 {
			continue
		}
		if principals == nil {
			principals = configPrincipals(cfg)
		}
		if !slices.ContainsFunc(c.Values, func(v *analysis.Value) bool { return !slices.Contains(principals, v.Str) }) {
			return true
		}
	}
	return false
}

// exemptableARN reports whether the principal is an IAM user, role or
// account root ARN without wildcards: its aws:PrincipalArn is the ARN
// itself. A role session's is its role's, whose path the session ARN
// does not say.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
func exemptableARN(principal string) bool {
	a, ok := analysis.ParseARN(principal)
	if !ok || a.Service != "iam" || hasWildcard(principal) || strings.Contains(principal, "${") {
		return false
	}
	return a.Resource == "root" || strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "role/")
}

// denyAt is the Deny statement whose Effect is at span.
func denyAt(p *analysis.Policy, span analysis.Span) *analysis.Statement {
	for _, st := range p.Statements {
		if st.IsDeny() && st.Effect != nil && st.Effect.Value.Span == span {
			return st
		}
	}
	return nil
}

// deniesEvery reports whether the statement's Action (or NotAction)
// matches every one of the actions.
func deniesEvery(st *analysis.Statement, actions []string) bool {
	for _, a := range actions {
		if st.NotAction != nil && anyMatch(analysis.Strings(st.NotAction), a) || st.NotAction == nil && !anyMatch(st.Actions(), a) {
			return false
		}
	}
	return true
}

// restStatement is the action and resource members of a statement that
// keeps denying the exempted principal what the Deny denied besides the
// exempted actions.
type restStatement struct {
	action, resource member
	sidSuffix        string // tells two rest statements apart
}

// deniedRest is what the statement denies less the blocked actions on the
// granted resources, as statements; none when nothing is left, ok false
// when no statements say it exactly.
//
//   - Literal actions: the others, on the Deny's resources.
//   - NotAction: the blocked actions join its list.
//   - "*" or "s3:*" on S3 bucket and object ARNs only, or in a bucket or
//     S3 endpoint policy: every other action there (on an S3 ARN only S3
//     actions apply).
//   - "*" or "s3:*" on every resource: the Deny's actions on every other
//     resource, and every other action on the granted resources.
func deniedRest(kind analysis.Kind, st *analysis.Statement, blocked, granted []string) (rest []restStatement, ok bool) {
	resource := rawResource(st)
	if st.NotAction != nil {
		var notAction []string
		for _, a := range analysis.Strings(st.NotAction) {
			notAction = append(notAction, a.Str)
		}
		for _, b := range blocked {
			notAction = appendNew(notAction, b)
		}
		return []restStatement{{action: member{"NotAction", notAction}, resource: resource}}, true
	}
	var literal []string
	everyS3 := false
	for _, a := range st.Actions() {
		switch {
		case a.Str == "*" || strings.EqualFold(a.Str, "s3:*"):
			everyS3 = true
		case hasWildcard(a.Str) || strings.Contains(a.Str, "${"):
			return nil, false
		case !slices.ContainsFunc(blocked, func(b string) bool { return strings.EqualFold(a.Str, b) }):
			literal = append(literal, a.Str)
		}
	}
	if !everyS3 {
		if len(literal) == 0 {
			return nil, true
		}
		return []restStatement{{action: member{"Action", literal}, resource: resource}}, true
	}
	if kind.In(analysis.KindBucket, analysis.KindEndpoint) || st.NotResource == nil && allS3ARNs(resourceStrings(st)) {
		// A bucket's or an S3 endpoint's policy governs S3 requests only.
		action, ok := otherS3Actions(kind, blocked, resourceStrings(st))
		return []restStatement{{action: action, resource: resource}}, ok
	}
	if !everyResource(st) || !allS3ARNs(granted) {
		return nil, false
	}
	action, ok := otherS3Actions(kind, blocked, granted)
	return []restStatement{
		{action: rawMember(nil, st.Action), resource: member{"NotResource", granted}, sidSuffix: "OtherResources"},
		{action: action, resource: member{"Resource", granted}, sidSuffix: "OtherActions"},
	}, ok
}

// otherS3Actions is the member that names every S3 action but the blocked
// ones, on the resources (S3 bucket and object ARNs): NotAction where
// the policy may use it; in an RCP, which has no NotAction, patterns that
// cover every action the IAM data lists for the resources' types and no
// blocked action.
func otherS3Actions(kind analysis.Kind, blocked, resources []string) (member, bool) {
	if kind != analysis.KindRCP {
		return member{"NotAction", blocked}, true
	}
	patterns := s3PatternsExcept(blocked, resources)
	return member{"Action", patterns}, len(patterns) > 0
}

// s3PatternsExcept covers every S3 action that acts on a resource type the
// resources may be, except the blocked ones, with as few patterns as the
// names allow: the action's verb ("s3:Delete*"), else a blocked action
// followed by more ("s3:GetObject?*", every GetObject… but GetObject),
// else its longer first words ("s3:GetBucket*"), else the action itself. A pattern may also match actions of other
// resource types; on these resources they never apply.
func s3PatternsExcept(blocked, resources []string) []string {
	s3 := iamdata.Lookup("s3")
	if s3 == nil {
		return nil
	}
	types := resourceTypesOf(resources)
	matchesBlocked := func(pattern string) bool {
		return slices.ContainsFunc(blocked, func(b string) bool { return analysis.MatchAction(pattern, b) })
	}
	var out []string
	for _, a := range s3.Actions {
		name := "s3:" + a.Name()
		if !slices.ContainsFunc(a.Resources(), func(r iamdata.ActionResource) bool { return slices.Contains(types, r.Name) }) ||
			slices.ContainsFunc(blocked, func(b string) bool { return strings.EqualFold(b, name) }) {
			continue
		}
		words := wordPrefixes(a.Name())
		candidates := []string{"s3:" + words[0] + "*"}
		for _, b := range blocked {
			if len(b) < len(name) && strings.EqualFold(name[:len(b)], b) {
				candidates = append(candidates, b+"?*")
			}
		}
		for _, w := range words[1:] {
			candidates = append(candidates, "s3:"+w+"*")
		}
		pattern := name
		for _, c := range candidates {
			if !matchesBlocked(c) {
				pattern = c
				break
			}
		}
		out = appendNew(out, pattern)
	}
	return out
}

// resourceTypesOf are the S3 resource types that S3 bucket and object
// ARN patterns may name: a bucket has no "/" in its name, so a pattern
// with one names objects, and a pattern without one a bucket, or, when a
// wildcard may stand for the "/", objects too.
func resourceTypesOf(resources []string) []string {
	var types []string
	for _, r := range resources {
		bucket, object, _ := s3BucketOf(r)
		if object || hasWildcard(bucket) {
			types = appendNew(types, "object")
		}
		if !object {
			types = appendNew(types, "bucket")
		}
	}
	return types
}

// wordPrefixes are the prefixes of an action name that end a word, the
// name itself left out: "Get", "GetBucket" of "GetBucketPolicy".
func wordPrefixes(name string) []string {
	var out []string
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			out = append(out, name[:i])
		}
	}
	if len(out) == 0 {
		return []string{name}
	}
	return out
}

// everyResource reports whether the statement applies to every resource.
func everyResource(st *analysis.Statement) bool {
	return st.NotResource == nil && st.Resource != nil && slices.ContainsFunc(st.Resources(), func(r *analysis.Value) bool { return r.Str == "*" })
}

// allS3ARNs reports whether every resource is an S3 bucket or object ARN
// (on which only S3 actions apply).
func allS3ARNs(resources []string) bool {
	for _, r := range resources {
		if _, _, ok := s3BucketOf(r); !ok || strings.HasPrefix(r, "*") {
			return false
		}
	}
	return len(resources) > 0
}

// rawResource is the statement's Resource or NotResource, as written.
func rawResource(st *analysis.Statement) member {
	if st.NotResource != nil {
		return rawMember(nil, st.NotResource)
	}
	return member{"Resource", resourceStrings(st)}
}

// rawMember copies a member of the statement; with src nil, its value is
// the list of its strings.
func rawMember(src []byte, f *analysis.Field) member {
	if src == nil {
		var values []string
		for _, v := range analysis.Strings(f) {
			values = append(values, v.Str)
		}
		return member{f.Key, values}
	}
	return member{f.Key, rawJSON(src[f.Value.Span.Start:f.Value.Span.End])}
}

// restCondition is the Deny's Condition, copied, that also requires key
// to be one of values: under the first of ops (ArnEquals, ...) that does
// not test key yet (a value added there would be ORed with its values;
// for values without wildcards the operators offered are the same).
func restCondition(src []byte, st *analysis.Statement, key string, values []string, ops ...string) ([]member, bool) {
	var cond []member
	var fields []*analysis.Field
	if st.Condition != nil {
		if st.Condition.Value.Kind != analysis.Object {
			return nil, false
		}
		fields = st.Condition.Value.Fields
	}
	for _, op := range ops {
		i := slices.IndexFunc(fields, func(f *analysis.Field) bool { return f.Key == op })
		if i >= 0 && (fields[i].Value.Kind != analysis.Object || conditionKeyField(fields[i].Value, key) != nil) {
			continue // the key is taken here: the next operator
		}
		for j, f := range fields {
			value := any(rawJSON(src[f.Value.Span.Start:f.Value.Span.End]))
			if j == i {
				var keys []member
				for _, k := range f.Value.Fields {
					keys = append(keys, member{k.Key, rawJSON(src[k.Value.Span.Start:k.Value.Span.End])})
				}
				value = append(keys, member{key, values})
			}
			cond = append(cond, member{f.Key, value})
		}
		if i < 0 {
			cond = append(cond, member{op, []member{{key, values}}})
		}
		return cond, true
	}
	return nil, false
}

// restSid names a rest statement after the Deny and the principal.
func restSid(st *analysis.Statement, who, suffix string, n int) string {
	base := st.SidText()
	if base == "" || !isSidText(base) {
		base = "Deny"
	}
	if n > 1 {
		return base + who + suffix
	}
	return base + "Rest" + who
}

// isSidText reports whether s holds only the letters and digits a Sid may.
func isSidText(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))) }) < 0
}

func resourceStrings(st *analysis.Statement) []string {
	var out []string
	for _, r := range st.Resources() {
		out = append(out, r.Str)
	}
	return out
}
