package terraform

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// A module may call a child module of a folder below its own:
//
//	module "bucket" {
//	  source      = "./modules/bucket"
//	  bucket_name = "shared-data"
//	  providers   = { aws = aws.owner }
//	}
//
// The child is read in its caller's set (one plan deploys both), with
// each argument the caller decides (a literal, a variable's default, a
// local, a bucket's name...) as the value of the child's variable, and the
// account of the provider the call passes it (the caller's default aws
// provider when it passes none); an argument the reader cannot decide
// leaves the variable unknown, not its default. That is all that is followed: a
// registry, git or other remote source, a folder that is not below the
// caller's (../x), count and for_each on the call, outputs of the child
// read by the caller: none of these is evaluated. A child that two calls
// give different values keeps only the values they agree on, the others
// unknown.
// https://developer.hashicorp.com/terraform/language/modules/sources#local-paths
// https://developer.hashicorp.com/terraform/language/modules/develop/providers

// Calls lists the child modules a module's files call in folders below
// their own, by folder, with the inputs and account the calls give each
// (source.Reader.Calls). The arguments are decided as ReadModule decides
// the module's references with ctx, the caller's own context: the root
// module's variables take the values of its variable files (tfvars.go),
// a called module's the inputs its caller gives it. A module that calls
// none is not parsed.
func Calls(files map[string][]byte, ctx source.ModuleContext) map[string]source.ModuleContext {
	files, included := splitIncluded(files)
	calls := false
	for _, text := range files {
		calls = calls || callsModule(text)
	}
	if !calls {
		return nil
	}
	m := parseModule(files)
	m.account, m.inputs = ctx.Account, ctx.Inputs
	if !ctx.Called {
		m.readVarFiles(included)
	}
	out := map[string]source.ModuleContext{}
	for _, f := range m.files {
		for _, b := range f.body.Blocks {
			if b.Type != "module" || len(b.Labels) != 1 {
				continue
			}
			dir, ok := m.localSource(attr(b.Body, "source"))
			if !ok {
				continue
			}
			ctx := m.callContext(block{f, b})
			if prev, seen := out[dir]; seen {
				ctx = agreed(prev, ctx)
			}
			out[dir] = ctx
		}
	}
	return out
}

// callsModule is the cheap byte scan that spares parsing a module that
// calls none below its folder: a local source ("./) and a module block
// (module "x" in HCL, "module": in JSON, with what spaces may stand
// between), not path.module.
func callsModule(text []byte) bool {
	if !bytes.Contains(text, []byte(`"./`)) {
		return false
	}
	for i := 0; ; {
		at := bytes.Index(text[i:], []byte("module"))
		if at < 0 {
			return false
		}
		i += at + len("module")
		rest := bytes.TrimLeft(text[i:], " \t")
		if len(rest) > 0 && (rest[0] == '"' || rest[0] == ':') && (i-len("module") == 0 || text[i-len("module")-1] != '.') {
			return true
		}
	}
}

// localSource is the folder a module block's source names when it is a
// local path below the caller's folder ("./modules/x"); Terraform takes a
// path that starts with ./ or ../ as local, anything else as remote.
func (m *module) localSource(e hclsyntax.Expression) (string, bool) {
	src, ok := literalString(e)
	if !ok || !strings.HasPrefix(src, "./") {
		return "", false
	}
	dir := filepath.Join(m.dir, filepath.FromSlash(src))
	rel, err := filepath.Rel(m.dir, dir)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return dir, true
}

// callArguments are a module block's meta-arguments, which are not the
// child's variables.
var callArguments = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}

// callContext is what a module block decides of the child: the value of
// each argument the caller decides, and the account of the aws provider
// it passes.
func (m *module) callContext(call block) source.ModuleContext {
	ctx := source.ModuleContext{Inputs: map[string]string{}, Called: true}
	for _, a := range sortedAttrs(call.b.Body) {
		if callArguments[a.Name] {
			continue
		}
		if v, ok := m.resolve(a.Expr, 0); ok && !analysis.HasPlaceholder(v) {
			ctx.Inputs[a.Name] = v
		} else {
			ctx.Inputs[a.Name] = unknownInput(a.Name) // passed, not the default
		}
	}
	provider := "aws"
	if providers, ok := attr(call.b.Body, "providers").(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range providers.Items {
			if hcl.ExprAsKeyword(item.KeyExpr) != "aws" {
				continue
			}
			if t, ok := item.ValueExpr.(*hclsyntax.ScopeTraversalExpr); ok {
				provider = strings.Join(names(t.Traversal), ".")
			}
		}
	}
	if p, ok := m.providers[provider]; ok {
		ctx.Account, _ = m.providerAccount(p, 0)
	}
	return ctx
}

// unknownInput is the value of a child's variable that a call passes and
// the reader cannot read (an expression, or two calls that disagree): a
// placeholder, so the child's variable is unknown rather than its
// default.
func unknownInput(name string) string { return "${var." + name + "}" }

// agreed is what two calls of one child both decide: an argument one of
// them passes and the other does not, or passes another value, is
// unknown.
func agreed(a, b source.ModuleContext) source.ModuleContext {
	out := source.ModuleContext{Inputs: map[string]string{}, Called: true}
	if a.Account == b.Account {
		out.Account = a.Account
	}
	for _, one := range []source.ModuleContext{a, b} {
		for name := range one.Inputs {
			if v, ok := a.Inputs[name]; ok && b.Inputs[name] == v {
				out.Inputs[name] = v
			} else {
				out.Inputs[name] = unknownInput(name)
			}
		}
	}
	return out
}
