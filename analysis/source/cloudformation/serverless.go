package cloudformation

import (
	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// readServerless reads a serverless.yml: the statements of the role the
// framework makes (provider.iam.role.statements since v3,
// provider.iamRoleStatements before, and per function with the
// per-function-roles plugin) are identity policies; resources.Resources
// is a CloudFormation template.
// https://www.serverless.com/framework/docs/providers/aws/guide/iam
func readServerless(src []byte, root *node) source.Result {
	res := readTemplate(src, root, root.path("resources", "Resources"), "resources.Resources")
	t := &template{src: src, root: root, resources: root.path("resources", "Resources")}
	add := func(name string, statements *node) {
		if statements != nil && statements.kind == sequenceNode {
			res.Docs = append(res.Docs, t.statements(statements, name))
		}
	}
	add("provider.iam.role.statements", root.path("provider", "iam", "role", "statements"))
	add("provider.iamRoleStatements", root.path("provider", "iamRoleStatements"))
	functions := root.get("functions")
	if functions != nil {
		for i, key := range functions.keys {
			add("functions."+key.value()+".iamRoleStatements", functions.vals[i].get("iamRoleStatements"))
		}
	}
	return res
}

// statements writes a list of statements as a policy. The framework adds
// the Version itself, so the document says it too.
func (t *template) statements(list *node, name string) analysis.Document {
	w := newWriter(t)
	w.b.Wrap(list.span, func() {
		w.b.Write(`{"Version": "2012-10-17", "Statement": `)
		w.value(list)
		w.b.Write("}")
	})
	m := w.b.Map(list.span)
	m.Encode = w.encode
	return analysis.Document{Name: name, Text: w.b.Text(), Host: m, Kind: analysis.KindIdentity, KindReason: "serverless " + name}
}
