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
}

func (v verdict) applies() bool { return v.action && v.resource && v.principal && v.failed == nil }

// target is what one evaluation asks: an action on a resource.
type target struct {
	action, resource string
}

// judge matches one statement. withPrincipal is set for the policies
// that carry a Principal (resource, key, endpoint and control policies).
func (e *pass) judge(d *Doc, st *analysis.Statement, withPrincipal bool) verdict {
	vars := d.variables()
	v := verdict{
		action:    matchesAny(st.Action, st.NotAction, func(p string) bool { return analysis.MatchAction(p, e.target.action) }),
		resource:  matchesAny(st.Resource, st.NotResource, func(p string) bool { return e.matchResource(p, vars) }),
		principal: true,
	}
	if withPrincipal && (st.Principal != nil || st.NotPrincipal != nil) {
		v.grant = e.principalGrant(st.Principal)
		v.principal = v.grant != noGrant
		if st.NotPrincipal != nil {
			v.principal = !e.notPrincipalListed(st.NotPrincipal)
			v.grant = noGrant
			if v.principal {
				v.grant = directGrant
			}
		}
	}
	if v.action && v.resource && v.principal {
		e.judgeConditions(st, vars, &v)
	}
	return v
}

// judgeConditions sets the first condition that fails. Conditions on keys
// the tool cannot know are taken in favour of access in an optimistic
// pass (an Allow's hold, a Deny's fail) and against it otherwise.
func (e *pass) judgeConditions(st *analysis.Statement, vars bool, v *verdict) {
	for _, c := range st.Conditions() {
		switch e.ctx.holds(c, vars) {
		case fails:
			v.failed, v.unknown = &c, nil
			return
		case unknown:
			v.unknown = append(v.unknown, c)
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
	if elem != nil {
		for _, v := range analysis.Strings(elem) {
			if match(v.Str) {
				return true
			}
		}
		return false
	}
	if notElem != nil {
		for _, v := range analysis.Strings(notElem) {
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
	return ok && analysis.MatchWildcard(p, escapeWild(e.target.resource), false)
}

// principalGrant is the strongest way the Principal element names the
// caller.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func (e *pass) principalGrant(f *analysis.Field) grant {
	best := noGrant
	for _, ref := range analysis.Principals(f) {
		if g := e.refGrant(ref); g > best {
			best = g
		}
	}
	return best
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
	a, ok := analysis.ParseARN(arn)
	return ok && a.Service == "iam" && a.Account == account && a.Resource == "root"
}

// sameRole compares role ARNs by account and name: the ARN of a role
// session does not carry the role's path.
func sameRole(a, b string) bool {
	x, ok1 := analysis.ParseARN(a)
	y, ok2 := analysis.ParseARN(b)
	if !ok1 || !ok2 || x.Service != "iam" || x.Account != y.Account || !strings.HasPrefix(x.Resource, "role/") {
		return false
	}
	return roleName(x.Resource) == roleName(y.Resource)
}

func roleName(resource string) string { return resource[strings.LastIndex(resource, "/")+1:] }

// notPrincipalListed reports whether a NotPrincipal element exempts the
// caller. AWS checks the caller's account as well as the caller: a user
// or role session of an account is exempt only when both the account and
// the user (or the session ARN) are listed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func (e *pass) notPrincipalListed(f *analysis.Field) bool {
	account, self := false, false
	for _, ref := range analysis.Principals(f) {
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
