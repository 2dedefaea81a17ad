package eval

import (
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// grant says how a resource-based policy's Principal names the caller,
// which decides whether the grant needs the identity side in the same
// account.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
type grant int

const (
	noGrant      grant = iota
	accountGrant       // the account: delegates to the account's IAM policies
	roleGrant          // the role ARN: still limited by the boundary and the session policy
	directGrant        // the user, the role session, or everyone: enough on its own
)

// verdict is how one statement relates to the request: which parts match
// and the first condition that fails, so a near miss can be explained.
type verdict struct {
	action, resource, principal bool
	grant                       grant
	failed                      *analysis.Condition
	// unknown are the conditions on keys the tool cannot know, taken to
	// hold (or, when failedUnknown, failed[0] taken to fail) as the pass
	// assumes.
	unknown       []analysis.Condition
	failedUnknown bool
	// placeholders: the statement matches only through a template
	// placeholder (${bucket_arn}), whose value the tool cannot know;
	// failedPlaceholder: the pass takes it not to match.
	placeholders, failedPlaceholder bool
	// boundaryNotPrincipal: a Deny's NotPrincipal lists the caller, who is
	// denied all the same for having a permissions boundary.
	boundaryNotPrincipal bool
}

func (v verdict) applies() bool {
	return v.action && v.resource && v.principal && v.failed == nil && !v.failedPlaceholder
}

// target is what one evaluation asks: an action on a resource.
type target struct {
	action, resource string
}

// judge matches one statement. withPrincipal is set for the policies
// that carry a Principal (resource, key, endpoint and control policies).
func (e *pass) judge(d *Doc, st *analysis.Statement, withPrincipal bool) verdict {
	if e.reads != nil {
		e.reads.read(d, st.Index)
	}
	vars := d.variables()
	action := matchTri(st.Action, st.NotAction, func(p string) bool { return analysis.MatchAction(p, e.target.action) })
	resource := matchTri(st.Resource, st.NotResource, func(p string) bool { return e.matchResource(p, vars) })
	v := verdict{action: action != fails, resource: resource != fails, principal: true,
		placeholders: action == unknown || resource == unknown}
	if withPrincipal && (st.Principal != nil || st.NotPrincipal != nil) {
		var viaPlaceholder bool
		v.grant, viaPlaceholder = e.principalGrant(st.Principal)
		if d.Gateway {
			v.grant, viaPlaceholder = e.gatewayPrincipalGrant(st)
		}
		v.placeholders = v.placeholders || viaPlaceholder
		v.principal = v.grant != noGrant
		if st.NotPrincipal != nil {
			v.principal = !e.notPrincipalListed(st.NotPrincipal)
			if !v.principal && !st.IsAllow() && e.boundaryDeniesNotPrincipal() {
				v.principal, v.boundaryNotPrincipal = true, true
			}
			v.grant = noGrant
			if v.principal {
				v.grant = directGrant
			}
		}
	}
	if v.action && v.resource && v.principal {
		e.judgeConditions(st, vars, &v)
		if v.placeholders && v.failed == nil {
			e.out.dependsOnUnknown = true
			v.failedPlaceholder = st.IsAllow() != e.out.optimistic
		}
	}
	return v
}

// matchTri applies an element and its Not form as matchesAny does; a
// value that holds a template placeholder matches when the text around
// the placeholder does, which the tool cannot decide (unknown).
func matchTri(elem, notElem *analysis.Field, match func(string) bool) truth {
	scan := func(f *analysis.Field) (hit, maybe bool) {
		var one [1]*analysis.Value
		for _, v := range stringsOf(f, &one) {
			if !analysis.HasPlaceholder(v.Str) {
				if match(v.Str) {
					return true, false
				}
			} else if match(analysis.ReplacePlaceholders(v.Str, "*")) {
				maybe = true
			}
		}
		return false, maybe
	}
	field, negated := elem, false
	if field == nil {
		field, negated = notElem, true
	}
	if field == nil {
		return fails
	}
	hit, maybe := scan(field)
	switch {
	case !hit && maybe:
		return unknown
	case hit != negated:
		return holds
	}
	return fails
}

// judgeConditions sets the first condition that fails. Conditions on keys
// the tool cannot know are taken in favour of access in an optimistic
// pass (an Allow's hold, a Deny's fail) and against it otherwise.
func (e *pass) judgeConditions(st *analysis.Statement, vars bool, v *verdict) {
	conds := st.Conditions()
	for i := range conds {
		c := &conds[i]
		switch e.ctx.holds(*c, vars) {
		case fails:
			v.failed, v.unknown = c, nil
			return
		case unknown:
			v.unknown = append(v.unknown, *c)
		}
	}
	if len(v.unknown) == 0 {
		return
	}
	e.out.dependsOnUnknown = true
	if st.IsAllow() != e.out.optimistic {
		v.failed, v.failedUnknown = &v.unknown[0], true
	}
}

// matchesAny applies an element and its Not form: the element matches
// when one of its values does; the Not form when none does. A statement
// with neither matches nothing.
func matchesAny(elem, notElem *analysis.Field, match func(string) bool) bool {
	var one [1]*analysis.Value
	if elem != nil {
		for _, v := range stringsOf(elem, &one) {
			if match(v.Str) {
				return true
			}
		}
		return false
	}
	if notElem != nil {
		for _, v := range stringsOf(notElem, &one) {
			if match(v.Str) {
				return false
			}
		}
		return true
	}
	return false
}

func (e *pass) matchResource(pattern string, vars bool) bool {
	p, ok := e.ctx.substitute(pattern, vars)
	return ok && analysis.MatchWildcard(p, e.escaped, false)
}

// principalGrant is the strongest way the Principal element names the
// caller.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// A principal that holds a template placeholder (arn:aws:iam::${account}:root)
// names the caller when the text around it fits (viaPlaceholder).
func (e *pass) principalGrant(f *analysis.Field) (best grant, viaPlaceholder bool) {
	for ref := range principals(f) {
		g, placeholder := e.refGrant(ref), false
		if g == noGrant && analysis.HasPlaceholder(ref.Value.Str) {
			g, placeholder = e.placeholderGrant(ref), true
		}
		if g > best {
			best, viaPlaceholder = g, placeholder
		}
	}
	return best, viaPlaceholder
}

// gatewayPrincipalGrant is how a gateway VPC endpoint policy's Principal
// names the caller. AWS: "With gateway endpoints, you must use the
// aws:PrincipalArn condition key to grant access to a principal. If you
// specify a principal [as an account ID or its root ARN], access is
// granted to the AWS account root user only, and not all users and roles
// for the account."
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html#vpc-endpoint-policies-gateway
// So "*" admits everyone, an account the root user alone; a user, role or
// session ARN named in an Allow admits no one (AWS says to name them with
// aws:PrincipalArn instead; the gateway-endpoint-principal check reports
// it), while in a Deny it still applies to them, as the engine cannot
// tell that AWS skips it.
func (e *pass) gatewayPrincipalGrant(st *analysis.Statement) (best grant, viaPlaceholder bool) {
	for ref := range principals(st.Principal) {
		g, placeholder := e.refGrant(ref), false
		if g == noGrant && analysis.HasPlaceholder(ref.Value.Str) {
			g, placeholder = e.placeholderGrant(ref), true
		}
		switch {
		case g == noGrant || ref.IsEveryone() || ref.Type != "AWS":
		case g == accountGrant:
			g = noGrant
			if e.p.kind == rootPrincipal {
				g = directGrant
			}
		case st.IsAllow():
			g = noGrant
		}
		if g > best {
			best, viaPlaceholder = g, placeholder
		}
	}
	return best, viaPlaceholder
}

// stringsOf is analysis.Strings, without an allocation for an element
// that holds one string: it is returned in one.
func stringsOf(f *analysis.Field, one *[1]*analysis.Value) []*analysis.Value {
	if f == nil {
		return nil
	}
	return valuesOf(f.Value, one)
}

func valuesOf(v *analysis.Value, one *[1]*analysis.Value) []*analysis.Value {
	if v.Kind == analysis.String {
		one[0] = v
		return one[:]
	}
	return analysis.StringValues(v) // no Field made to ask Strings
}

// principals yields what analysis.Principals lists, without building the
// list.
func principals(f *analysis.Field) func(yield func(analysis.PrincipalRef) bool) {
	return func(yield func(analysis.PrincipalRef) bool) {
		if f == nil {
			return
		}
		switch v := f.Value; v.Kind {
		case analysis.String:
			yield(analysis.PrincipalRef{Type: "*", Value: v})
		case analysis.Object:
			for _, member := range v.Fields {
				var one [1]*analysis.Value
				for _, s := range valuesOf(member.Value, &one) {
					if !yield(analysis.PrincipalRef{Type: member.Key, Value: s}) {
						return
					}
				}
			}
		}
	}
}

// placeholderGrant is how a principal with a template placeholder may name
// the caller: its account's root, or the caller itself.
func (e *pass) placeholderGrant(ref analysis.PrincipalRef) grant {
	pattern := analysis.ReplacePlaceholders(ref.Value.Str, "*")
	switch {
	case ref.Type != "AWS" || e.p.account == "":
	case analysis.MatchWildcard(pattern, e.p.account, false) || analysis.MatchWildcard(pattern, "arn:aws:iam::"+e.p.account+":root", false):
		return accountGrant
	case analysis.MatchWildcard(pattern, e.p.arn, false):
		return directGrant
	}
	return noGrant
}

func (e *pass) refGrant(ref analysis.PrincipalRef) grant {
	p, value := e.p, ref.Value.Str
	switch {
	case ref.IsEveryone():
		return directGrant
	case ref.Type == "Service":
		if p.kind == servicePrincipal && value == p.service {
			return directGrant
		}
	case ref.Type != "AWS":
	case p.account != "" && (value == p.account || isRootOf(value, p.account)):
		return accountGrant
	case value == p.arn && p.kind != rolePrincipal:
		return directGrant // a user, a role session or a federated user named exactly
	case p.roleARN != "" && sameRole(value, p.roleARN):
		return roleGrant
	}
	return noGrant
}

func isRootOf(arn, account string) bool {
	if !strings.HasSuffix(arn, ":root") {
		return false // the resource of a root ARN ends it: no parse for a role's or a user's (refGrant asks of each)
	}
	a, ok := analysis.ParseARN(arn)
	return ok && a.Service == "iam" && a.Account == account && a.Resource == "root"
}

// sameRole compares role ARNs by account and name: the ARN of a role
// session does not carry the role's path.
func sameRole(a, b string) bool {
	// The role names are the ends of the ARNs (a role's resource holds a
	// "/", the last of a), so b must end with a's: most roles a bucket
	// policy names are other roles, told apart without parsing both ARNs,
	// for each Principal entry of each statement judged.
	if !strings.HasSuffix(b, a[strings.LastIndexByte(a, '/')+1:]) {
		return false
	}
	x, ok1 := analysis.ParseARN(a)
	y, ok2 := analysis.ParseARN(b)
	if !ok1 || !ok2 || x.Service != "iam" || x.Account != y.Account || !strings.HasPrefix(x.Resource, "role/") {
		return false
	}
	return roleName(x.Resource) == roleName(y.Resource)
}

func roleName(resource string) string { return resource[strings.LastIndex(resource, "/")+1:] }

// boundaryDeniesNotPrincipal: a Deny with NotPrincipal "will always deny
// any IAM principal that has a permissions boundary policy attached,
// regardless of the values specified in the NotPrincipal element".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
func (e *pass) boundaryDeniesNotPrincipal() bool {
	switch e.p.kind {
	case userPrincipal, rolePrincipal, sessionPrincipal:
		return len(e.s.Boundaries) > 0
	}
	return false
}

// notPrincipalListed reports whether a NotPrincipal element exempts the
// caller. AWS checks the caller's account as well as the caller: a user
// or role session of an account is exempt only when both the account and
// the user (or the session ARN) are listed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func (e *pass) notPrincipalListed(f *analysis.Field) bool {
	account, self := false, false
	for ref := range principals(f) {
		switch g := e.refGrant(ref); {
		case ref.IsEveryone():
			return true
		case g == accountGrant:
			account = true
		case g == directGrant:
			self = true
		}
	}
	if e.p.kind == rootPrincipal || e.p.kind == servicePrincipal {
		return account || self
	}
	return account && self
}
