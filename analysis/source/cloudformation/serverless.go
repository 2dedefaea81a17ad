package cloudformation

import (
	"strings"

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
	markVariables(root, 0)
	res := readTemplate(src, root, root.path("resources", "Resources"), "resources.Resources", 0, stackAccount{})
	t := newTemplate(src, root, root.path("resources", "Resources"))
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

// The framework's variables (${self:custom.bucket}, ${opt:stage},
// ${aws:accountId}, ${file(./x.yml):key}, ...) are filled in before AWS
// sees the policy: placeholders, though their colon would make ${...}
// read as an IAM policy variable. Each is written with dots for colons.
// ${aws:username} and the other IAM variables keep their meaning.
// https://www.serverless.com/framework/docs/guides/variables
var variableSources = []string{"self:", "opt:", "sls:", "env:", "ssm:", "cf:", "cf(", "s3:", "file(", "param:",
	"aws:accountId", "aws:region", "git:", "strToBool(", "sls(", "terraform:", "vault:", "doppler:"}

// markVariables turns the framework's variables of every scalar into
// placeholder pieces.
func markVariables(n *node, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	for _, c := range append(append(append([]*node{}, n.keys...), n.vals...), n.items...) {
		markVariables(c, depth+1)
	}
	if n.kind != scalarNode {
		return
	}
	var out []source.Piece
	for _, p := range n.pieces {
		if !p.Exact {
			out = append(out, p)
			continue
		}
		out = append(out, variablePieces(p)...)
	}
	n.pieces, n.text = out, nil
}

const maxDepth = 1000

// variablePieces splits an exact piece at the framework's variables.
func variablePieces(p source.Piece) []source.Piece {
	var out []source.Piece
	last := 0
	for i := 0; i+1 < len(p.Text); i++ {
		if p.Text[i] != '$' || p.Text[i+1] != '{' || !isVariable(p.Text[i+2:]) {
			continue
		}
		end, depth := i+2, 1
		for ; end < len(p.Text) && depth > 0; end++ {
			switch p.Text[end] {
			case '{':
				depth++
			case '}':
				depth--
			}
		}
		if depth > 0 {
			break
		}
		if i > last {
			out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + last, End: p.Host.Start + i}, Text: p.Text[last:i], Exact: true})
		}
		inner := strings.NewReplacer(":", ".", "${", "(", "}", ")", "{", "(").Replace(p.Text[i+2 : end-1])
		out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + i, End: p.Host.Start + end}, Text: "${" + inner + "}"})
		last, i = end, end-1
	}
	if last < len(p.Text) {
		out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + last, End: p.Host.End}, Text: p.Text[last:], Exact: true})
	}
	return out
}

func isVariable(s string) bool {
	for _, v := range variableSources {
		if strings.HasPrefix(s, v) {
			return true
		}
	}
	return false
}
