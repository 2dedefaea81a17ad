package terraform

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Terraform sets the variables of the root module (the folder it runs in)
// from the variable files it loads by itself, over their defaults:
// terraform.tfvars, then terraform.tfvars.json, then every *.auto.tfvars
// and *.auto.tfvars.json in the lexical order of their names, a later one
// winning. A variable one of them sets takes that value where the file
// writes a literal (a string, or a list or map for a dynamic block's
// for_each), and is unknown where it writes anything else: never the
// default. A value given with -var or -var-file is not seen, and the
// files of a child module's folder do not apply to it (only its caller's
// arguments and its defaults do: calls.go).
// https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence

// varFileOrder is the rank of a variable file Terraform loads by itself,
// by name: 0 for a file it does not load.
func varFileOrder(path string) int {
	switch base := filepath.Base(path); {
	case base == "terraform.tfvars":
		return 1
	case base == "terraform.tfvars.json":
		return 2
	case strings.HasSuffix(base, ".auto.tfvars"), strings.HasSuffix(base, ".auto.tfvars.json"):
		return 3
	}
	return 0
}

// varValue is what the root module's variable files set a variable to:
// the expression of the last file that sets it, in that file; expr is
// nil when the value is not a literal.
type varValue struct {
	file *tfFile
	expr hclsyntax.Expression
}

// readVarFiles reads the variable files Terraform loads by itself among
// the texts the tree passes with the module (in its folder), in
// Terraform's order.
func (m *module) readVarFiles(texts map[string][]byte) {
	var paths []string
	for p := range texts {
		if varFileOrder(p) > 0 && filepath.Dir(p) == m.dir {
			paths = append(paths, p)
		}
	}
	slices.SortFunc(paths, func(a, b string) int {
		if d := varFileOrder(a) - varFileOrder(b); d != 0 {
			return d
		}
		return strings.Compare(filepath.Base(a), filepath.Base(b))
	})
	for _, p := range paths {
		f := &tfFile{path: p, src: texts[p]}
		body := parseVarFile(f.src, p)
		if body == nil {
			continue
		}
		if m.vars == nil {
			m.vars = map[string]varValue{}
		}
		for _, a := range sortedAttrs(body) {
			v := varValue{file: f, expr: a.Expr}
			if !literal(a.Expr) {
				v.expr = nil
			}
			m.vars[a.Name] = v
		}
	}
}

// parseVarFile reads a variable file: HCL attributes, or a JSON object
// read as the HCL it stands for; nil when it does not parse at all.
func parseVarFile(src []byte, path string) *hclsyntax.Body {
	if strings.HasSuffix(path, ".json") {
		v, err := analysis.ParseJSON(src)
		if err != nil || v.Kind != analysis.Object {
			return nil
		}
		c := newJSONFile(path, src)
		body := c.newBody(v)
		c.fillAttributes(body, v)
		return body
	}
	file, _ := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if file == nil {
		return nil
	}
	body, _ := file.Body.(*hclsyntax.Body)
	return body
}

// literal reports whether an expression of a variable file is a value the
// reader can take as written: it refers to nothing and calls nothing
// (a JSON string with ${...} is one Terraform takes literally; it is
// left unknown here).
func literal(e hclsyntax.Expression) bool {
	ok := len(e.Variables()) == 0
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if _, call := n.(*hclsyntax.FunctionCallExpr); call {
			ok = false
		}
		return nil
	})
	return ok
}

// variableValue is the expression a declared variable of the module takes
// (with the file it is written in) when no caller passes it: the value the
// root module's variable files set (nil when not a literal), else its
// default (nil when it has none). ok is false for an undeclared variable.
func (m *module) variableValue(name string) (*tfFile, hclsyntax.Expression, bool) {
	v, ok := m.variables[name]
	if !ok {
		return nil, nil, false
	}
	if set, ok := m.vars[name]; ok {
		return set.file, set.expr, true
	}
	return v.file, attr(v.b.Body, "default"), true
}
