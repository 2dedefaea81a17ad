package awsimport

import (
	"encoding/json"
	"fmt"
)

// authorizationDetails is the output of `aws iam
// get-account-authorization-details`: users, groups and roles with their
// inline policies, the managed policies attached to them, their
// permissions boundaries and the roles' trust policies.
type authorizationDetails struct {
	UserDetailList []struct {
		UserName, Arn           string
		UserPolicyList          []inlinePolicy
		GroupList               []string
		AttachedManagedPolicies []attached
		PermissionsBoundary     *boundary
	}
	GroupDetailList []struct {
		GroupName, Arn          string
		GroupPolicyList         []inlinePolicy
		AttachedManagedPolicies []attached
	}
	RoleDetailList []struct {
		RoleName, Arn            string
		AssumeRolePolicyDocument json.RawMessage
		RolePolicyList           []inlinePolicy
		AttachedManagedPolicies  []attached
		PermissionsBoundary      *boundary
	}
	Policies []struct {
		PolicyName, Arn, DefaultVersionId string
		PolicyVersionList                 []struct {
			Document         json.RawMessage
			VersionId        string
			IsDefaultVersion bool
		}
	}
}

type inlinePolicy struct {
	PolicyName     string
	PolicyDocument json.RawMessage
}

type attached struct{ PolicyName, PolicyArn string }

type boundary struct{ PermissionsBoundaryArn string }

// iamReader writes one principal's policies.
type iamReader struct {
	b       *builder
	file    string
	managed map[string][]byte // default version of each managed policy, by ARN
	groups  map[string]func(dir, principal, account string) error
}

func (b *builder) authorizationDetails(p parsedInput) error {
	var d authorizationDetails
	if err := json.Unmarshal(p.Src, &d); err != nil {
		return &FieldError{p.Path, "", "not the output of get-account-authorization-details: " + err.Error()}
	}
	r := &iamReader{b: b, file: p.Path, managed: map[string][]byte{}, groups: map[string]func(string, string, string) error{}}
	for i, pol := range d.Policies {
		for j, v := range pol.PolicyVersionList {
			if v.IsDefaultVersion || v.VersionId == pol.DefaultVersionId {
				doc, err := document(v.Document, p.Path, fmt.Sprintf("Policies[%d].PolicyVersionList[%d].Document", i, j))
				if err != nil {
					return err
				}
				r.managed[pol.Arn] = doc
			}
		}
	}
	for i, g := range d.GroupDetailList {
		field := fmt.Sprintf("GroupDetailList[%d]", i)
		if g.GroupName == "" {
			return &FieldError{p.Path, field + ".GroupName", "missing"}
		}
		g := g
		r.groups[g.GroupName] = func(dir, principal, account string) error {
			return r.policies(dir+"/groups/"+safe(g.GroupName), dir+"/**", field, principal, account, g.GroupPolicyList, "GroupPolicyList", g.AttachedManagedPolicies)
		}
	}
	for i, u := range d.UserDetailList {
		field := fmt.Sprintf("UserDetailList[%d]", i)
		if u.UserName == "" || u.Arn == "" {
			return &FieldError{p.Path, field + ".Arn", "missing"}
		}
		account := accountOf(u.Arn)
		dir := account + "/iam/users/" + safe(u.UserName)
		if err := r.principal(dir, field, u.Arn, u.UserPolicyList, "UserPolicyList", u.AttachedManagedPolicies, u.PermissionsBoundary); err != nil {
			return err
		}
		for _, g := range u.GroupList {
			if add := r.groups[g]; add != nil {
				if err := add(dir, u.Arn, account); err != nil {
					return err
				}
			} else {
				b.warn("%s: %s: group %s is not in the output: its policies are left out", p.Path, field, g)
			}
		}
	}
	for i, role := range d.RoleDetailList {
		field := fmt.Sprintf("RoleDetailList[%d]", i)
		if role.RoleName == "" || role.Arn == "" {
			return &FieldError{p.Path, field + ".Arn", "missing"}
		}
		account := accountOf(role.Arn)
		dir := account + "/iam/roles/" + safe(role.RoleName)
		if len(role.AssumeRolePolicyDocument) > 0 {
			doc, err := document(role.AssumeRolePolicyDocument, p.Path, field+".AssumeRolePolicyDocument")
			if err != nil {
				return err
			}
			b.write(dir+"/trust-policy.json", doc, entry{Kind: "trust", Account: account})
		}
		if err := r.principal(dir, field, role.Arn, role.RolePolicyList, "RolePolicyList", role.AttachedManagedPolicies, role.PermissionsBoundary); err != nil {
			return err
		}
	}
	return nil
}

// principal writes a user's or role's boundary, inline and managed
// policies under dir, and the config entries that give them to it: the
// boundary's entry first, as the first matching entry wins.
func (r *iamReader) principal(dir, field, arn string, inline []inlinePolicy, inlineField string, managed []attached, pb *boundary) error {
	account := accountOf(arn)
	r.b.account(account)
	if pb != nil && pb.PermissionsBoundaryArn != "" {
		doc, ok := r.managed[pb.PermissionsBoundaryArn]
		if !ok {
			r.b.warn("%s: %s: boundary %s is not in the output: left out", r.file, field, pb.PermissionsBoundaryArn)
		} else {
			r.b.write(dir+"/boundary/"+safe(lastPart(pb.PermissionsBoundaryArn))+".boundary.json", doc,
				entry{Pattern: dir + "/boundary/*", Kind: "boundary", Account: account, Principal: arn})
		}
	}
	return r.policies(dir, dir+"/**", field, arn, account, inline, inlineField, managed)
}

// policies writes inline and attached managed policies under dir; one
// config entry (pattern) gives them all to the principal.
func (r *iamReader) policies(dir, pattern, field, principal, account string, inline []inlinePolicy, inlineField string, managed []attached) error {
	for j, pol := range inline {
		f := fmt.Sprintf("%s.%s[%d]", field, inlineField, j)
		if pol.PolicyName == "" {
			return &FieldError{r.file, f + ".PolicyName", "missing"}
		}
		doc, err := document(pol.PolicyDocument, r.file, f+".PolicyDocument")
		if err != nil {
			return err
		}
		r.b.write(dir+"/inline/"+safe(pol.PolicyName)+".iam-policy.json", doc, entry{Pattern: pattern, Kind: "identity", Account: account, Principal: principal})
	}
	for _, m := range managed {
		doc, ok := r.managed[m.PolicyArn]
		if !ok {
			r.b.warn("%s: %s: managed policy %s is not in the output (run get-account-authorization-details without --filter): left out", r.file, field, m.PolicyArn)
			continue
		}
		r.b.write(dir+"/managed/"+safe(first(m.PolicyName, lastPart(m.PolicyArn)))+".iam-policy.json", doc, entry{Pattern: pattern, Kind: "identity", Account: account, Principal: principal})
	}
	return nil
}

func lastPart(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' || arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}
