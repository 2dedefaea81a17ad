package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A dynamic "statement" block (or "principals", "condition" inside a
// statement) writes its content once per element of its for_each. When
// for_each is written as a list or map (in place or in a local), each
// element is a statement of its own, the iterator's references
// (statement.value.actions, statement.key) read from the element; else
// the content is one statement whose iterator references are unknown
// placeholders (${statement.value.actions}): no finding by themselves,
// the literal text around them still checked. A quick fix is never
// written inside a dynamic block: one edit there changes every element.
// https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks

// nestedBlock is a block of a policy document as Terraform expands it:
// a written block, or the content of a dynamic block for one element.
type nestedBlock struct {
	b     *hclsyntax.Block // the block, or the dynamic block's content
	outer *hclsyntax.Block // where it is written: the block, or the dynamic block
	bind  *binding         // the iterator's element, nil when written or unknown
}

// binding is the element a dynamic block's iterator stands for.
type binding struct {
	name       string
	key, value hclsyntax.Expression
	file       *tfFile
}

// maxExpanded bounds the elements a for_each is expanded to: beyond it
// the content is one statement of unknowns.
const maxExpanded = 64

// expandBlocks lists the blocks of a type in a body with those dynamic
// blocks of the type write, in source order.
func (m *module) expandBlocks(f *tfFile, body *hclsyntax.Body, typ string) []nestedBlock {
	if body == nil {
		return nil
	}
	var out []nestedBlock
	for _, b := range body.Blocks {
		switch {
		case b.Type == typ:
			out = append(out, nestedBlock{b: b, outer: b})
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == typ:
			content := blocksOf(b.Body, "content")
			if len(content) != 1 {
				continue
			}
			name := typ
			if it := hcl.ExprAsKeyword(attr(b.Body, "iterator")); it != "" {
				name = it
			} else if it, ok := literalString(attr(b.Body, "iterator")); ok && it != "" {
				name = it // .tf.json writes the name as a string
			}
			elems, ef := m.elements(f, attr(b.Body, "for_each"))
			if elems == nil {
				out = append(out, nestedBlock{b: content[0], outer: b})
				continue
			}
			for _, el := range elems {
				out = append(out, nestedBlock{b: content[0], outer: b, bind: &binding{name: name, key: el[0], value: el[1], file: ef}})
			}
		}
	}
	return out
}

// elements are the key and value of each element of a for_each written
// as a list or a map (in place, in a local, or as the value of a variable
// that a variable file sets or its default: variableValue); nil when it
// is computed or too long.
func (m *module) elements(f *tfFile, e hclsyntax.Expression) ([][2]hclsyntax.Expression, *tfFile) {
	e = unparen(e)
	if t, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
		n := names(t.Traversal)
		switch {
		case m.localOf(t) != nil:
			l := m.localOf(t)
			f, e = l.file, unparen(l.attr.Expr)
		case len(n) == 2 && len(t.Traversal) == 2 && n[0] == "var":
			if _, passed := m.inputs[n[1]]; passed {
				break // a caller's argument is a string, not a list
			}
			if vf, v, ok := m.variableValue(n[1]); ok && v != nil {
				f, e = vf, unparen(v)
			}
		}
	}
	var out [][2]hclsyntax.Expression
	switch e := e.(type) {
	case *hclsyntax.TupleConsExpr:
		for i, x := range e.Exprs {
			key := &hclsyntax.LiteralValueExpr{Val: cty.NumberIntVal(int64(i)), SrcRange: x.Range()}
			out = append(out, [2]hclsyntax.Expression{key, x})
		}
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			k, ok := keyName(f, item.KeyExpr)
			if !ok {
				return nil, nil
			}
			key := &hclsyntax.LiteralValueExpr{Val: cty.StringVal(k), SrcRange: item.KeyExpr.Range()}
			out = append(out, [2]hclsyntax.Expression{key, item.ValueExpr})
		}
	default:
		return nil, nil
	}
	if len(out) == 0 || len(out) > maxExpanded {
		return nil, nil
	}
	return out, f
}

// iteratorValue is what a reference to a bound iterator stands for
// (statement.value.actions, statement.value["sid"], statement.key), with
// the file it is written in; false when it names no bound iterator or
// reaches into what the element does not write.
func (m *module) iteratorValue(t hcl.Traversal) (hclsyntax.Expression, *tfFile, bool) {
	var bound *binding
	for i := len(m.bindings) - 1; i >= 0; i-- {
		if m.bindings[i].name == t.RootName() {
			bound = m.bindings[i]
			break
		}
	}
	if bound == nil || len(t) < 2 {
		return nil, nil, false
	}
	var e hclsyntax.Expression
	switch step, _ := t[1].(hcl.TraverseAttr); step.Name {
	case "key":
		e = bound.key
	case "value":
		e = bound.value
	default:
		return nil, nil, false
	}
	for _, step := range t[2:] {
		name, ok := stepName(step)
		obj, isObj := unparen(e).(*hclsyntax.ObjectConsExpr)
		if !ok || !isObj {
			return nil, nil, false
		}
		if e = objectKey(bound.file, obj, name); e == nil {
			return nil, nil, false
		}
	}
	return e, bound.file, true
}

// stepName is the name a traversal step reads: .name or ["name"].
func stepName(step hcl.Traverser) (string, bool) {
	switch s := step.(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
			return s.Key.AsString(), true
		}
	}
	return "", false
}

// withBinding writes a nested block with its iterator bound (when it has
// one) and no writable region: a fix inside a dynamic block would change
// every element.
func (m *module) withBinding(nb nestedBlock, write func()) {
	if nb.outer == nb.b {
		write()
		return
	}
	region := m.region
	m.region = 0
	if nb.bind != nil {
		m.bindings = append(m.bindings, nb.bind)
	}
	write()
	if nb.bind != nil {
		m.bindings = m.bindings[:len(m.bindings)-1]
	}
	m.region = region
}

// deref is what an expression stands for when it is a bound iterator's
// reference (principals.value.identifiers), with the file it is in.
func (m *module) deref(f *tfFile, e hclsyntax.Expression) (hclsyntax.Expression, *tfFile) {
	if t, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
		if x, xf, ok := m.iteratorValue(t.Traversal); ok {
			return x, xf
		}
	}
	return e, f
}
