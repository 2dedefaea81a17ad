package cloudformation

import (
	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// node is one element of a template, JSON or YAML alike, with where it is
// written in the host.
// A nil node is an absent element: every method reads it as empty.
type node struct {
	kind kind
	// tag is a YAML short-form intrinsic function ("!Sub"); the JSON form
	// {"Fn::Sub": ...} is a mapping of one key.
	tag  string
	span analysis.Span // the whole element: a scalar's token, quotes included
	keys []*node       // mapping keys, in order
	vals []*node       // mapping values
	// items are the sequence's elements.
	items []*node
	// A scalar's decoded value in pieces of the host; str says whether it
	// is a string (else a number, boolean or null, written as it is).
	pieces []source.Piece
	text   *string // the decoded value, once asked for
	str    bool
	style  style
	// verbatim: the host writes this element as JSON text, one for one
	// (a JSON template), so it can be copied whole when nothing in it
	// needs resolving.
	verbatim bool
	flow     bool // a YAML scalar inside a flow collection
	// inexact: the host text of this scalar is not read one for one (see
	// yamlReader.scalar), so no edit may replace it.
	inexact bool
}

type kind int

const (
	absentNode kind = iota
	mappingNode
	sequenceNode
	scalarNode
)

// style is how a scalar is written, which decides how an edit is written.
type style int

const (
	jsonStyle style = iota
	plainStyle
	doubleStyle
	singleStyle
	literalStyle
	foldedStyle
	// unreadStyle is the style of a scalar whose host text is not read one
	// for one: nothing is written over it.
	unreadStyle
)

// value is a scalar's decoded text.
func (n *node) value() string {
	if n == nil || n.kind != scalarNode {
		return ""
	}
	if n.text == nil {
		v := source.Value(n.pieces)
		n.text = &v
	}
	return *n.text
}

// get returns the value of a mapping's key, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != mappingNode {
		return nil
	}
	var found *node
	for i, k := range n.keys {
		if k.value() == key {
			found = n.vals[i] // the last of duplicate keys wins
		}
	}
	return found
}

// path follows mapping keys.
func (n *node) path(keys ...string) *node {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}

// intrinsic returns the function name ("Sub", "Ref", "GetAtt", ...) and
// its argument when the node is an intrinsic function call, in either
// form: YAML's !Sub x or JSON's {"Fn::Sub": x} / {"Ref": x}.
func (n *node) intrinsic() (string, *node, bool) {
	if n == nil {
		return "", nil, false
	}
	if n.tag != "" {
		return n.tag[1:], &node{kind: n.kind, span: n.span, keys: n.keys, vals: n.vals, items: n.items, pieces: n.pieces, text: n.text, str: n.str, style: n.style}, true
	}
	if n.kind != mappingNode || len(n.keys) != 1 {
		return "", nil, false
	}
	switch k := n.keys[0].value(); {
	case k == "Ref":
		return k, n.vals[0], true
	case k == "Condition" && n.vals[0].kind == scalarNode:
		// {"Condition": "Name"} inside Fn::And; a statement's Condition
		// element holds a mapping.
		return k, n.vals[0], true
	case len(k) > 4 && k[:4] == "Fn::":
		return k[4:], n.vals[0], true
	}
	return "", nil, false
}

// list is a sequence's elements; none for anything else.
func (n *node) list() []*node {
	if n == nil || n.kind != sequenceNode {
		return nil
	}
	return n.items
}

func (n *node) isMapping() bool { return n != nil && n.kind == mappingNode }

// writtenStyle is the style an edit of the scalar is written in.
func (n *node) writtenStyle() style {
	if n.inexact {
		return unreadStyle
	}
	return n.style
}
