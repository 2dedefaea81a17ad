package cloudformation

import (
	"strconv"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Intrinsic functions are resolved where the template itself decides
// their value: a !Ref or !GetAtt of a bucket whose BucketName is written
// in the template, a !Sub of those, a !Join of known parts, a !Select of
// a written list, a !FindInMap with written keys. Everything else is a
// placeholder written as ${Name} (no colon: the placeholder rule of
// analysis/placeholder.go reads it as an unknown value, never as an IAM
// policy variable). Pseudo parameters stay ${AWS::Partition} and kin:
// the template does not decide them.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html

// maxResolveDepth bounds nested intrinsic functions (and !Ref cycles).
const maxResolveDepth = 20

// stringPieces returns the string value of a scalar or of an intrinsic
// function that yields a string, in pieces of the host; ok is false for
// a mapping or sequence.
func (t *template) stringPieces(n *node, depth int) ([]source.Piece, bool) {
	if n == nil {
		return nil, false
	}
	if depth > maxResolveDepth {
		return t.placeholder(n, "Fn"), true
	}
	fn, arg, isFn := n.intrinsic()
	if !isFn {
		if n.kind != scalarNode {
			return nil, false
		}
		return n.pieces, true
	}
	switch fn {
	case "Ref":
		return t.ref(n, arg.value(), depth), true
	case "GetAtt":
		return t.getAtt(n, arg, depth), true
	case "Sub":
		return t.sub(arg, depth), true
	case "Join":
		return t.join(n, arg, depth), true
	case "Select":
		if choice := t.selectItem(arg); choice != nil {
			if p, ok := t.stringPieces(choice, depth+1); ok {
				return p, true
			}
		}
	case "If":
		if choice := t.ifBranch(arg); choice != nil {
			if p, ok := t.stringPieces(choice, depth+1); ok {
				return p, true
			}
		}
	case "FindInMap":
		if v := t.findInMap(arg); v != nil {
			if p, ok := t.stringPieces(v, depth+1); ok {
				return p, true
			}
		}
	case "ImportValue":
		if name := arg.value(); arg.kind == scalarNode && name != "" {
			return t.placeholder(n, "ImportValue."+name), true
		}
	}
	return t.placeholder(n, fn), true
}

// placeholder is an unknown value written as ${name}, mapped to the
// function call in the host. Colons become dots: ${...} with a colon is
// an IAM policy variable.
func (t *template) placeholder(n *node, name string) []source.Piece {
	name = strings.NewReplacer(":", ".", "}", ")", "{", "(").Replace(name)
	if name == "" {
		name = "Fn"
	}
	return []source.Piece{{Host: n.span, Text: "${" + name + "}"}}
}

// pseudo reports the pseudo parameters: their value is the stack's.
func pseudo(name string) bool { return strings.HasPrefix(name, "AWS::") }

// refText is the value of !Ref name, or of ${name} inside !Sub: a
// bucket's written name, else the placeholder ${name}.
func (t *template) refText(name string, depth int) string {
	if pseudo(name) {
		return "${" + name + "}"
	}
	if b := t.resource(name, "AWS::S3::Bucket"); b != nil {
		if p, ok := t.stringPieces(b.path("Properties", "BucketName"), depth+1); ok {
			return source.Value(p)
		}
	}
	return "${" + strings.ReplaceAll(name, ":", ".") + "}"
}

func (t *template) ref(n *node, name string, depth int) []source.Piece {
	return []source.Piece{{Host: n.span, Text: t.refText(name, depth)}}
}

// getAttText is the value of !GetAtt name.attr: a bucket's ARN and
// domain names follow from its name (which may itself be a placeholder),
// anything else is ${name.attr}.
func (t *template) getAttText(name, attr string, depth int) string {
	if t.resource(name, "AWS::S3::Bucket") != nil {
		bucket := t.refText(name, depth)
		switch attr {
		case "Arn":
			return "arn:${AWS::Partition}:s3:::" + bucket
		case "DomainName":
			return bucket + ".s3.amazonaws.com"
		}
	}
	return "${" + strings.ReplaceAll(name+"."+attr, ":", ".") + "}"
}

func (t *template) getAtt(n, arg *node, depth int) []source.Piece {
	var name, attr string
	switch arg.kind {
	case scalarNode:
		name, attr, _ = strings.Cut(arg.value(), ".")
	case sequenceNode:
		if len(arg.items) == 2 {
			name, attr = arg.items[0].value(), arg.items[1].value()
		}
	}
	return []source.Piece{{Host: n.span, Text: t.getAttText(name, attr, depth)}}
}

// sub substitutes the variables of !Sub that the template decides: its
// own variable map, buckets with written names and their attributes.
// ${!Literal} is the literal text ${Literal}. Unknown variables stay as
// written (exact pieces), so edits around them are still written.
func (t *template) sub(arg *node, depth int) []source.Piece {
	str, vars := arg, (*node)(nil)
	if arg.kind == sequenceNode && len(arg.items) > 0 {
		str = arg.items[0]
		if len(arg.items) > 1 {
			vars = arg.items[1]
		}
	}
	pieces, ok := t.stringPieces(str, depth+1)
	if !ok {
		return t.placeholder(arg, "Sub")
	}
	var out []source.Piece
	for _, p := range pieces {
		if !p.Exact {
			out = append(out, p)
			continue
		}
		out = append(out, t.subPiece(p, vars, depth)...)
	}
	return out
}

// subPiece splits one exact piece at the ${...} it holds.
func (t *template) subPiece(p source.Piece, vars *node, depth int) []source.Piece {
	var out []source.Piece
	text, last := p.Text, 0
	emit := func(from, to int, value string, exact bool) {
		if to > from || !exact {
			out = append(out, source.Piece{Host: analysis.Span{Start: p.Host.Start + from, End: p.Host.Start + to}, Text: value, Exact: exact})
		}
	}
	for i := 0; i+1 < len(text); i++ {
		if text[i] != '$' || text[i+1] != '{' {
			continue
		}
		end := strings.IndexByte(text[i:], '}')
		if end < 0 {
			break
		}
		end += i + 1
		inner := text[i+2 : end-1]
		value, resolved := "", false
		switch {
		case strings.HasPrefix(inner, "!"):
			value, resolved = "${"+inner[1:]+"}", true
		case vars != nil && vars.get(inner) != nil:
			if p, ok := t.stringPieces(vars.get(inner), depth+1); ok {
				value, resolved = source.Value(p), true
			}
		case strings.Contains(inner, ".") && !strings.Contains(inner, ":"):
			name, attr, _ := strings.Cut(inner, ".")
			value = t.getAttText(name, attr, depth)
			resolved = value != "${"+inner+"}"
		case !strings.Contains(inner, ":"):
			value = t.refText(inner, depth)
			resolved = value != "${"+inner+"}"
		}
		if !resolved {
			continue
		}
		emit(last, i, text[last:i], true)
		emit(i, end, value, false)
		last = end
		i = end - 1
	}
	emit(last, len(text), text[last:], true)
	return out
}

// join joins known parts with the delimiter; a part that is no string
// (a list from !Split or !GetAZs) makes the whole a placeholder.
func (t *template) join(n, arg *node, depth int) []source.Piece {
	if arg.kind != sequenceNode || len(arg.items) != 2 || arg.items[1].kind != sequenceNode {
		return t.placeholder(n, "Join")
	}
	delim := arg.items[0].value()
	var out []source.Piece
	for i, item := range arg.items[1].items {
		p, ok := t.stringPieces(item, depth+1)
		if !ok {
			return t.placeholder(n, "Join")
		}
		if i > 0 && delim != "" {
			out = append(out, source.Piece{Host: analysis.Span{Start: item.span.Start, End: item.span.Start}, Text: delim})
		}
		out = append(out, p...)
	}
	return out
}

// selectItem is the element !Select picks from a written list.
func (t *template) selectItem(arg *node) *node {
	if arg.kind != sequenceNode || len(arg.items) != 2 || arg.items[1].kind != sequenceNode {
		return nil
	}
	i, err := strconv.Atoi(arg.items[0].value())
	if err != nil || i < 0 || i >= len(arg.items[1].items) {
		return nil
	}
	return arg.items[1].items[i]
}

// ifBranch reads !If [condition, a, b] as a: the tool checks the policy
// the condition's true branch makes, unless that branch is AWS::NoValue.
func (t *template) ifBranch(arg *node) *node {
	if arg.kind != sequenceNode || len(arg.items) != 3 {
		return nil
	}
	if fn, ref, ok := arg.items[1].intrinsic(); ok && fn == "Ref" && ref.value() == "AWS::NoValue" {
		return arg.items[2]
	}
	return arg.items[1]
}

// chosen is the element an !If stands for, read as ifBranch reads it;
// any other element is itself.
func (t *template) chosen(n *node) *node {
	for depth := 0; depth < maxResolveDepth; depth++ {
		fn, arg, isFn := n.intrinsic()
		if !isFn || fn != "If" {
			return n
		}
		if n = t.ifBranch(arg); n == nil {
			return nil
		}
	}
	return n
}

// findInMap looks up a written map entry with written keys.
func (t *template) findInMap(arg *node) *node {
	if arg.kind != sequenceNode || len(arg.items) < 3 {
		return nil
	}
	for _, k := range arg.items[:3] {
		if _, _, isFn := k.intrinsic(); isFn || k.kind != scalarNode {
			return nil
		}
	}
	return t.root.path("Mappings", arg.items[0].value(), arg.items[1].value(), arg.items[2].value())
}

// resource returns the template's resource of that logical id and type.
func (t *template) resource(name, typ string) *node {
	r := t.byID[name]
	if r == nil || r.get("Type").value() != typ {
		return nil
	}
	return r
}

// literal returns the value of a node when the template decides it
// completely (no placeholder left).
func (t *template) literal(n *node) (string, bool) {
	p, ok := t.stringPieces(n, 0)
	if !ok {
		return "", false
	}
	v := source.Value(p)
	return v, v != "" && !analysis.HasPlaceholder(v)
}

// subVariable reports whether !Sub fills in ${name} from the template:
// a pseudo parameter, a parameter, a resource or a resource's attribute.
func (t *template) subVariable(name string) bool {
	id, _, _ := strings.Cut(name, ".")
	return pseudo(name) || t.root.path("Parameters", name) != nil || t.byID[id] != nil
}
