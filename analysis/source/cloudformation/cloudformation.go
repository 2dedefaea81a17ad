// Package cloudformation reads the policies of CloudFormation and SAM
// templates, JSON and YAML, and of serverless.yml files: each policy
// becomes a document whose JSON text maps back to the template, with the
// kind that the resource holding it gives it.
package cloudformation

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Reader reads CloudFormation, SAM and serverless.yml templates. It
// claims a file that mentions a resource type (AWS::...) and Resources,
// or a serverless.yml; the rest of .json is left to the policy reader.
var Reader = &source.Reader{
	Name:       "cloudformation",
	Extensions: []string{".json", ".yaml", ".yml", ".template"},
	Claims:     claims,
	Read:       read,
}

func claims(path string, text []byte) bool {
	return (bytes.Contains(text, []byte("Resources")) && bytes.Contains(text, []byte("AWS::"))) || isServerlessName(path)
}

func isServerlessName(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return base == "serverless.yml" || base == "serverless.yaml"
}

// template is a parsed template file.
type template struct {
	src       []byte
	root      *node
	resources *node            // the Resources mapping
	byID      map[string]*node // its resources by logical id
	// boundaries are the managed policies a PermissionsBoundary names.
	boundaries map[string]string
	// stack is the account the template's stack is made in, when it is a
	// stack set's body (stackAccount).
	stack stackAccount
}

func newTemplate(src []byte, root, resources *node) *template {
	t := &template{src: src, root: root, resources: resources, byID: map[string]*node{}}
	if resources.isMapping() {
		for i, k := range resources.keys {
			t.byID[k.value()] = resources.vals[i] // the last of duplicates wins
		}
	}
	return t
}

func read(path string, text []byte) source.Result {
	root, res, ok := parse(text)
	if !ok {
		return res
	}
	if isServerlessName(path) || (root.get("provider") != nil && root.get("service") != nil) {
		return readServerless(text, root)
	}
	if !root.get("Resources").isMapping() && root.verbatim {
		// JSON that mentions Resources and AWS:: without being a template
		// (a policy whose text names them) is a policy file.
		return source.JSON.Read(path, text)
	}
	return readTemplate(text, root, root.get("Resources"), "Resources", 0, stackAccount{})
}

// parse reads a JSON or YAML template into nodes. A JSON file that does
// not parse is read as the policy reader reads it (its json-syntax
// error); a YAML file that does not parse is one finding.
func parse(text []byte) (*node, source.Result, bool) {
	if trimmed := bytes.TrimLeft(text, " \t\r\n\ufeff"); len(trimmed) > 0 && trimmed[0] == '{' {
		v, syn := analysis.ParseJSON(text)
		if syn != nil {
			return nil, source.Result{Docs: []analysis.Document{{Text: text}}}, false
		}
		return fromJSON(text, v), source.Result{}, true
	}
	root, err := parseYAML(text)
	if err != nil && !templateShaped().Match(text) {
		return nil, source.Result{}, false // YAML of another tool that mentions AWS:: (a Helm chart, a workflow)
	}
	if err != nil {
		return nil, source.Result{Findings: []analysis.Finding{yamlError(text, err)}}, false
	}
	if root == nil || root.kind != mappingNode {
		return nil, source.Result{}, false
	}
	return root, source.Result{}, true
}

// yamlLine finds the line a YAML error names. This regexp and the next
// are compiled on first use, not when the program starts.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// templateShaped matches the text of a template (or serverless.yml) even
// when it does not parse: a top-level Resources, AWSTemplateFormatVersion
// or service and provider.
var templateShaped = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^(Resources|AWSTemplateFormatVersion|provider)\s*:`)
})

// yamlError is the finding for a template that is not valid YAML: on the
// line the parser names.
func yamlError(text []byte, err error) analysis.Finding {
	span := analysis.Span{Start: 0, End: 0}
	if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil {
			starts := lineStarts(text)
			if line >= 1 && line <= len(starts) {
				end := bytes.IndexByte(text[starts[line-1]:], '\n')
				if end < 0 {
					end = len(text) - starts[line-1]
				}
				span = analysis.Span{Start: starts[line-1], End: starts[line-1] + end}
			}
		}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return analysis.UnreadableFinding(span,
		analysis.Tf("the template is not valid YAML (%s): its policies are not checked until it parses", "テンプレートが正しい YAML ではありません (%s)。解析できるまでポリシーはチェックされません", msg))
}

// fromJSON turns a parsed JSON template into nodes that may be copied
// verbatim.
func fromJSON(src []byte, v *analysis.Value) *node {
	n := &node{span: v.Span, verbatim: true}
	switch v.Kind {
	case analysis.Object:
		n.kind = mappingNode
		for _, f := range v.Fields {
			key := &node{kind: scalarNode, span: f.KeySpan, verbatim: true, str: true}
			key.pieces, _ = source.JSONStringPieces(src, f.KeySpan)
			n.keys = append(n.keys, key)
			n.vals = append(n.vals, fromJSON(src, f.Value))
		}
	case analysis.Array:
		n.kind = sequenceNode
		for _, item := range v.Items {
			n.items = append(n.items, fromJSON(src, item))
		}
	case analysis.String:
		n.kind, n.str = scalarNode, true
		n.pieces, _ = source.JSONStringPieces(src, v.Span)
	default:
		n.kind = scalarNode
		n.pieces = []source.Piece{{Host: v.Span, Text: string(src[v.Span.Start:v.Span.End]), Exact: true}}
	}
	return n
}

// needsResolving reports whether a verbatim element holds an intrinsic
// function: then it is written element by element.
func (t *template) needsResolving(n *node) bool {
	if _, _, isFn := n.intrinsic(); isFn {
		return true
	}
	for _, v := range n.vals {
		if t.needsResolving(v) {
			return true
		}
	}
	for _, item := range n.items {
		if t.needsResolving(item) {
			return true
		}
	}
	return false
}

// crlf reports whether the file's lines end in CRLF.
func (t *template) crlf() bool {
	nl := bytes.IndexByte(t.src, '\n')
	return nl > 0 && t.src[nl-1] == '\r'
}

// blockIndent is the indentation of a literal block scalar's lines.
func (t *template) blockIndent(n *node) string {
	if n.style != literalStyle || len(n.pieces) == 0 {
		return ""
	}
	at := n.pieces[0].Host.Start
	line := bytes.LastIndexByte(t.src[:at], '\n') + 1
	return string(t.src[line:at])
}
