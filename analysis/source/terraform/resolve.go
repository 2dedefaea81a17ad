package terraform

import (
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// References resolve where the module itself decides the value: a
// variable's literal value in the root module's variable files
// (tfvars.go) or else its literal default, a local, a bucket's name and ARNs, a role's
// ARN, the account of the provider (its allowed_account_ids or the role
// it assumes). The rest is unknown until terraform plan: it is written as
// the placeholder ${...} of its text, which no check reports by itself.

// maxDepth bounds how far references are followed (locals may refer to
// each other, in a loop when the module is wrong).
const maxDepth = 8

// placeholderOrValue is the string an expression stands for: its value
// when the module decides it, else the placeholder of its text.
func (m *module) placeholderOrValue(f *tfFile, e hclsyntax.Expression) string {
	if e == nil {
		return ""
	}
	if s, ok := m.resolve(e, 0); ok {
		return s
	}
	return "${" + sanitize(f.text(e.Range())) + "}"
}

// notPlaceholderText is what cannot stand inside a placeholder: a colon
// (${aws:username} is an IAM policy variable), a brace, quote or
// backslash, a line break. Compiled on first use, not when the program
// starts.
var notPlaceholderText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[:{}"\\\s]+`) })

// sanitize makes an expression's text the inside of a placeholder.
func sanitize(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "${"), "}"))
	s = notPlaceholderText().ReplaceAllString(s, " ")
	if s = strings.TrimSpace(s); s == "" || s == "*" || s == "?" || s == "$" {
		return "value"
	}
	// A long expression (a conditional, a try()) would fill the messages
	// that quote it: its start says which it is.
	if r := []rune(s); len(r) > maxPlaceholder {
		s = strings.TrimSpace(string(r[:maxPlaceholder])) + "..."
	}
	return s
}

const maxPlaceholder = 40

// resolve is the string value of an expression when the module decides it.
func (m *module) resolve(e hclsyntax.Expression, depth int) (string, bool) {
	if e == nil || depth > maxDepth {
		return "", false
	}
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return stringOf(e.Val)
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, p := range e.Parts {
			s, ok := m.resolve(p, depth+1)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	case *hclsyntax.TemplateWrapExpr:
		return m.resolve(e.Wrapped, depth+1)
	case *hclsyntax.ParenthesesExpr:
		return m.resolve(e.Expression, depth+1)
	case *hclsyntax.ScopeTraversalExpr:
		return m.resolveTraversal(e.Traversal, depth)
	}
	return "", false
}

// names splits a traversal into its root and attribute names; an index
// ([0], ["k"]) ends it.
func names(t hcl.Traversal) []string {
	var out []string
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			out = append(out, s.Name)
		case hcl.TraverseAttr:
			out = append(out, s.Name)
		default:
			return out
		}
	}
	return out
}

// instanceOf drops the instance key of a resource with count or for_each
// (aws_s3_bucket.this[0].arn): the attributes the module decides (a
// written bucket name) are its every instance's.
func instanceOf(t hcl.Traversal) hcl.Traversal {
	at := 2
	if t.RootName() == "data" {
		at = 3
	}
	if len(t) > at+1 {
		if _, ok := t[at].(hcl.TraverseIndex); ok && t.RootName() != "var" && t.RootName() != "local" {
			return append(t[:at:at], t[at+1:]...)
		}
	}
	return t
}

func (m *module) resolveTraversal(t hcl.Traversal, depth int) (string, bool) {
	if x, _, ok := m.iteratorValue(t); ok { // dynamic.go
		return m.resolve(x, depth+1)
	}
	n := names(instanceOf(t))
	if len(n) < 2 || len(n) < len(instanceOf(t)) {
		return "", false
	}
	switch n[0] {
	case "var":
		if len(n) != 2 {
			return "", false
		}
		if v, ok := m.inputs[n[1]]; ok {
			if analysis.HasPlaceholder(v) {
				return "", false // the caller passes what the reader cannot read
			}
			return v, true // the caller's argument
		}
		if _, e, ok := m.variableValue(n[1]); ok {
			return m.resolve(e, depth+1)
		}
		return "", false
	case "local":
		if l, ok := m.locals[n[1]]; ok && len(n) == 2 {
			return m.resolve(l.attr.Expr, depth+1)
		}
		return "", false
	case "path":
		// The module is read as the root module, run from its folder:
		// path.module, path.root and path.cwd are ".", relative paths are
		// from its folder.
		// https://developer.hashicorp.com/terraform/language/expressions/references#filesystem-and-workspace-info
		if len(n) == 2 && (n[1] == "module" || n[1] == "root" || n[1] == "cwd") {
			return ".", true
		}
		return "", false
	case "data":
		if len(n) == 4 && n[1] == "aws_caller_identity" && n[3] == "account_id" {
			if d, ok := m.data[n[1]+"."+n[2]]; ok {
				return m.accountOf(d, depth)
			}
		}
		if len(n) == 4 && n[1] == "aws_partition" && n[3] == "partition" {
			return "aws", true
		}
		return "", false
	}
	if len(n) != 3 {
		return "", false
	}
	r, ok := m.resources[n[0]+"."+n[1]]
	if !ok {
		return "", false
	}
	return m.resourceAttr(r, n[0], n[2], depth)
}

// resourceAttr is an attribute of a resource that the module decides.
func (m *module) resourceAttr(r block, typ, name string, depth int) (string, bool) {
	switch typ + "." + name {
	case "aws_s3_bucket.id", "aws_s3_bucket.bucket":
		return m.resolve(attr(r.b.Body, "bucket"), depth+1)
	case "aws_s3_bucket.arn":
		if b, ok := m.resolve(attr(r.b.Body, "bucket"), depth+1); ok {
			return "arn:aws:s3:::" + b, true
		}
	case "aws_iam_role.name", "aws_iam_role.id", "aws_iam_user.name", "aws_iam_user.id", "aws_iam_policy.name":
		return m.resolve(attr(r.b.Body, "name"), depth+1)
	case "aws_iam_role.arn":
		return m.iamARN(r, "role", depth)
	case "aws_iam_user.arn":
		return m.iamARN(r, "user", depth)
	case "aws_kms_key.arn":
		return m.keyARN(r, depth)
	case "aws_vpc_endpoint.id":
		return endpointID(r), true
	}
	return "", false
}

// iamARN is the ARN of a role or user whose name and account the module
// decides.
func (m *module) iamARN(r block, kind string, depth int) (string, bool) {
	name, ok := m.resolve(attr(r.b.Body, "name"), depth+1)
	if !ok {
		return "", false
	}
	account, ok := m.accountOf(r, depth)
	if !ok {
		return "", false
	}
	path := "/"
	if p, ok := m.resolve(attr(r.b.Body, "path"), depth+1); ok && p != "" {
		path = p
	}
	return "arn:aws:iam::" + account + ":" + kind + path + name, true
}

// keyARN stands for the ARN of a KMS key the module creates. AWS picks
// the key's ID when it creates it, so the ARN is written with the
// resource's address as its ID: the key policy, the bucket's encryption
// and the identity policies that name the key all agree on it.
func (m *module) keyARN(r block, depth int) (string, bool) {
	account, ok := m.accountOf(r, depth)
	if !ok {
		return "", false
	}
	region, _ := m.regionOf(r, depth)
	return "arn:aws:kms:" + region + ":" + account + ":key/" + r.b.Labels[1], true
}

// endpointID stands for the ID AWS gives a VPC endpoint the module
// creates: the placeholder of its reference, which conditions on
// aws:SourceVpce compare as unknown.
func endpointID(r block) string {
	return "${aws_vpc_endpoint." + r.b.Labels[1] + ".id}"
}

// providerOf is the provider block a resource or data source uses: the
// one its provider attribute names, else the default aws provider.
func (m *module) providerOf(r block) (block, bool) {
	name := "aws"
	if p, ok := attr(r.b.Body, "provider").(*hclsyntax.ScopeTraversalExpr); ok {
		name = strings.Join(names(p.Traversal), ".")
	}
	p, ok := m.providers[name]
	return p, ok
}

// accountOf is the account a resource is created in: its provider's
// allowed_account_ids (when it names one) or the account of the role the
// provider assumes.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs#allowed_account_ids
// Else the account .s3policy.json gives the module's files.
func (m *module) accountOf(r block, depth int) (string, bool) {
	if p, ok := m.providerOf(r); ok {
		if account, ok := m.providerAccount(p, depth); ok {
			return account, true
		}
	}
	return m.account, m.account != ""
}

// providerAccount is the account a provider block names.
func (m *module) providerAccount(p block, depth int) (string, bool) {
	if ids, ok := attr(p.b.Body, "allowed_account_ids").(*hclsyntax.TupleConsExpr); ok && len(ids.Exprs) == 1 {
		if id, ok := m.resolve(ids.Exprs[0], depth+1); ok {
			return id, true
		}
	}
	for _, ar := range blocksOf(p.b.Body, "assume_role") {
		if arn, ok := m.resolve(attr(ar.Body, "role_arn"), depth+1); ok {
			if a, ok := analysis.ParseARN(arn); ok && a.Account != "" && !analysis.HasPlaceholder(a.Account) {
				return a.Account, true
			}
		}
	}
	return "", false
}

// regionOf is the Region of a resource's provider, when written.
func (m *module) regionOf(r block, depth int) (string, bool) {
	if p, ok := m.providerOf(r); ok {
		return m.resolve(attr(p.b.Body, "region"), depth+1)
	}
	return "", false
}

// refersTo lists the addresses an expression refers to, each as
// "type.name" for resources, "data.type.name", "local.name" or
// "var.name".
func refersTo(e hclsyntax.Expression) []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, t := range e.Variables() {
		n := names(t)
		switch {
		case len(n) >= 3 && n[0] == "data":
			out = append(out, strings.Join(n[:3], "."))
		case len(n) >= 2:
			out = append(out, n[0]+"."+n[1])
		}
	}
	return out
}
