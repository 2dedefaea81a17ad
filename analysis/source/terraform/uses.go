package terraform

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A policy's kind is where the module uses it: the attribute of the
// resource that attaches it, written in place or reached through
// data.aws_iam_policy_document.x.json and locals. A policy used nowhere
// is left to its content, as a standalone file is.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs

// useSite is an attribute that attaches a policy.
type useSite struct {
	r    block
	addr string // "aws_s3_bucket_policy.shared"
	attr string // "policy", "inline_policy.policy"
	expr hclsyntax.Expression
}

// decideUses gives each document the kind, reason and facts of its first
// use, in file and source order; a policy document that another one
// takes as source_policy_documents or override_policy_documents is used
// as that one is.
func (m *module) decideUses() {
	for _, site := range m.useSites() {
		kind, ok := m.kindOf(site)
		if !ok {
			continue
		}
		for _, d := range m.docsOf(site.addr, site.attr, site.expr, 0) {
			if d.kind == analysis.KindUnknown {
				d.kind = kind
				d.reason = m.reasonFor(d, site.r.file, site.addr+"."+site.attr)
				d.facts = m.factsOf(site, kind)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, d := range m.docs {
			if d.block == nil || d.kind == analysis.KindUnknown {
				continue
			}
			for _, name := range []string{"source_policy_documents", "override_policy_documents"} {
				for _, src := range m.docsOf("", "", attr(d.block.Body, name), 0) {
					if src.kind == analysis.KindUnknown {
						src.kind, src.facts = d.kind, d.facts
						src.reason = m.reasonFor(src, d.file, d.addr+"."+name)
						changed = true
					}
				}
			}
		}
	}
}

// reasonFor is how a document's kind is explained: the attribute that
// uses it, and for a file the module reads, the file of that attribute.
func (m *module) reasonFor(d *doc, at *tfFile, use string) string {
	if m.isIncluded(d) {
		return use + " in " + filepath.Base(at.path)
	}
	return use
}

// useSites lists every resource attribute that may attach a policy.
func (m *module) useSites() []useSite {
	var out []useSite
	for _, r := range m.allResources() {
		addr := blockAddr(r.b)
		for _, a := range sortedAttrs(r.b.Body) {
			out = append(out, useSite{r, addr, a.Name, a.Expr})
		}
		for _, inline := range blocksOf(r.b.Body, "inline_policy") {
			if e := attr(inline.Body, "policy"); e != nil {
				out = append(out, useSite{r, addr, "inline_policy.policy", e})
			}
		}
	}
	return out
}

// kindOf is the kind of policy a resource's attribute takes.
func (m *module) kindOf(s useSite) (analysis.Kind, bool) {
	typ := s.r.b.Labels[0]
	switch typ + "." + s.attr {
	case "aws_s3_bucket_policy.policy", "aws_s3_bucket.policy", "aws_s3_access_point.policy", "aws_s3control_access_point_policy.policy":
		return analysis.KindBucket, true
	case "aws_iam_policy.policy":
		if _, ok := m.boundaryOf(s.addr); ok {
			return analysis.KindBoundary, true
		}
		return analysis.KindIdentity, true
	case "aws_iam_role_policy.policy", "aws_iam_user_policy.policy", "aws_iam_group_policy.policy", "aws_iam_role.inline_policy.policy":
		return analysis.KindIdentity, true
	case "aws_iam_role.assume_role_policy":
		return analysis.KindTrust, true
	case "aws_kms_key.policy", "aws_kms_key_policy.policy":
		return analysis.KindKey, true
	case "aws_vpc_endpoint.policy", "aws_vpc_endpoint_policy.policy":
		return analysis.KindEndpoint, true
	case "aws_organizations_policy.content":
		// SERVICE_CONTROL_POLICY is the default; tag and backup policies
		// are not IAM policies.
		switch t, _ := m.resolve(attr(s.r.b.Body, "type"), 0); t {
		case "", "SERVICE_CONTROL_POLICY":
			return analysis.KindSCP, true
		case "RESOURCE_CONTROL_POLICY":
			return analysis.KindRCP, true
		}
		return analysis.KindUnknown, false
	}
	if s.attr == "policy" || s.attr == "access_policy" {
		return analysis.KindResource, true // SQS, SNS, Secrets Manager, ...
	}
	return analysis.KindUnknown, false
}

// docsOf lists the documents an attribute's expression uses: written in
// it, or reached through a policy document or a local.
func (m *module) docsOf(addr, attrName string, e hclsyntax.Expression, depth int) []*doc {
	if depth > maxDepth {
		return nil
	}
	var out []*doc
	for _, d := range m.docs {
		if addr != "" && d.addr == addr && d.attr == attrName && d.block == nil {
			out = append(out, d)
		}
	}
	if len(m.included) > 0 {
		for _, c := range m.fileCalls(e) {
			if d := m.includedDoc(c); d != nil {
				out = append(out, d)
			}
		}
	}
	for _, ref := range refersTo(e) {
		switch {
		case strings.HasPrefix(ref, "data.aws_iam_policy_document."):
			for _, d := range m.docs {
				if d.addr == ref && d.block != nil {
					out = append(out, d)
				}
			}
		case strings.HasPrefix(ref, "local."):
			if l, ok := m.locals[strings.TrimPrefix(ref, "local.")]; ok {
				out = append(out, m.docsOf(ref, "", l.attr.Expr, depth+1)...)
			}
		}
	}
	return out
}

// factsOf is what the module says of the owner of a policy attached at
// a site: the bucket, key, endpoint or principal, and its account.
func (m *module) factsOf(s useSite, kind analysis.Kind) *analysis.FileFacts {
	facts := &analysis.FileFacts{Kind: kind}
	account, _ := m.accountOf(s.r, 0)
	switch kind {
	case analysis.KindBucket:
		// aws_s3_bucket_policy, aws_s3_access_point and aws_s3_bucket
		// itself name the bucket alike.
		facts.Account = account
		facts.Bucket, _ = m.resolve(attr(s.r.b.Body, "bucket"), 0)
	case analysis.KindKey:
		facts.Account = account
		if key, ok := m.policyTarget(s, "aws_kms_key_policy", "key_id", "aws_kms_key"); ok {
			facts.Key, _ = m.keyARN(key, 0)
		}
	case analysis.KindEndpoint:
		facts.Account = account
		if ep, ok := m.policyTarget(s, "aws_vpc_endpoint_policy", "vpc_endpoint_id", "aws_vpc_endpoint"); ok {
			facts.Endpoint = endpointID(ep)
			facts.EndpointType = m.endpointType(ep)
		}
	case analysis.KindIdentity:
		if owner, ok := m.ownerOf(s); ok {
			facts.Principal, _ = m.iamARN(owner, strings.TrimPrefix(owner.b.Labels[0], "aws_iam_"), 0)
			facts.Account, _ = m.accountOf(owner, 0)
		}
	case analysis.KindBoundary:
		if owner, ok := m.boundaryOf(s.addr); ok {
			facts.Principal, _ = m.iamARN(owner, strings.TrimPrefix(owner.b.Labels[0], "aws_iam_"), 0)
			facts.Account, _ = m.accountOf(owner, 0)
		}
	}
	return facts
}

// policyTarget is the resource a policy is attached to: the site's own
// resource (aws_kms_key.policy), or the one a policy resource names
// (aws_kms_key_policy.key_id).
func (m *module) policyTarget(s useSite, policyType, refAttr, targetType string) (block, bool) {
	if s.r.b.Labels[0] == policyType {
		return m.referenced(attr(s.r.b.Body, refAttr), targetType)
	}
	return s.r, true
}

// referenced is the resource of a type that an expression refers to.
func (m *module) referenced(e hclsyntax.Expression, typ string) (block, bool) {
	for _, ref := range refersTo(e) {
		if strings.HasPrefix(ref, typ+".") {
			if r, ok := m.resources[ref]; ok {
				return r, true
			}
		}
	}
	return block{}, false
}

// ownerOf is the role or user an identity policy belongs to: the one its
// resource names (aws_iam_role_policy.role), the role that holds it
// inline, or the one an attachment gives an aws_iam_policy to.
func (m *module) ownerOf(s useSite) (block, bool) {
	switch s.r.b.Labels[0] {
	case "aws_iam_role":
		return s.r, true
	case "aws_iam_role_policy":
		return m.named(attr(s.r.b.Body, "role"), "aws_iam_role")
	case "aws_iam_user_policy":
		return m.named(attr(s.r.b.Body, "user"), "aws_iam_user")
	case "aws_iam_policy":
		return m.attachedTo(s.addr)
	}
	return block{}, false
}

// named is the role or user an attribute names: by reference
// (aws_iam_role.app.name), or by a name the module gives one of them.
func (m *module) named(e hclsyntax.Expression, typ string) (block, bool) {
	if r, ok := m.referenced(e, typ); ok {
		return r, true
	}
	name, ok := m.resolve(e, 0)
	if !ok {
		return block{}, false
	}
	for _, r := range m.allResources() {
		if r.b.Labels[0] == typ {
			if n, ok := m.resolve(attr(r.b.Body, "name"), 0); ok && n == name {
				return r, true
			}
		}
	}
	return block{}, false
}

// attachedTo finds the role or user an aws_iam_policy is attached to.
func (m *module) attachedTo(policy string) (block, bool) {
	for _, r := range m.allResources() {
		body := r.b.Body
		var policyRef, owners []string
		switch r.b.Labels[0] {
		case "aws_iam_role_policy_attachment":
			policyRef, owners = refersTo(attr(body, "policy_arn")), refersTo(attr(body, "role"))
		case "aws_iam_user_policy_attachment":
			policyRef, owners = refersTo(attr(body, "policy_arn")), refersTo(attr(body, "user"))
		case "aws_iam_policy_attachment":
			policyRef = refersTo(attr(body, "policy_arn"))
			owners = append(refersTo(attr(body, "roles")), refersTo(attr(body, "users"))...)
		case "aws_iam_role":
			policyRef, owners = refersTo(attr(body, "managed_policy_arns")), []string{blockAddr(r.b)}
		}
		if !slices.Contains(policyRef, policy) {
			continue
		}
		for _, o := range owners {
			if owner, ok := m.resources[o]; ok && (owner.b.Labels[0] == "aws_iam_role" || owner.b.Labels[0] == "aws_iam_user") {
				return owner, true
			}
		}
	}
	return block{}, false
}

// boundaryOf finds the role or user whose permissions_boundary is the
// aws_iam_policy at addr.
func (m *module) boundaryOf(addr string) (block, bool) {
	for _, r := range m.allResources() {
		if (r.b.Labels[0] == "aws_iam_role" || r.b.Labels[0] == "aws_iam_user") && slices.Contains(refersTo(attr(r.b.Body, "permissions_boundary")), addr) {
			return r, true
		}
	}
	return block{}, false
}

// allResources lists the module's resource blocks in file and source order.
func (m *module) allResources() []block {
	var out []block
	for _, f := range m.files {
		for _, b := range f.body.Blocks {
			if b.Type == "resource" && len(b.Labels) == 2 {
				out = append(out, block{f, b})
			}
		}
	}
	return out
}

// endpointType is the type of an aws_vpc_endpoint as the module decides
// it: vpc_endpoint_type, whose default is Gateway; "" when it is not a
// literal or names another type.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_endpoint#vpc_endpoint_type-1
func (m *module) endpointType(ep block) string {
	e := attr(ep.b.Body, "vpc_endpoint_type")
	if e == nil {
		return analysis.EndpointGateway
	}
	switch t, _ := m.resolve(e, 0); t {
	case analysis.EndpointGateway, analysis.EndpointInterface:
		return t
	}
	return ""
}
