package lsp

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// ExplainCommand is the workspace/executeCommand that answers why a
// request is allowed or denied, over the workspace, as `s3policy-lsp
// explain` does on a folder. Its one argument is the request of a
// scenario file: {"principal", "action", "resource", "resourceAccount",
// "context": {key: value | [values]}, "requestPayer", "objectOwner",
// "objectAcl", "multipart"}; it returns eval.Answer. An optional second
// argument, {"uri": the document asked from}, picks the policies of that
// document's set when a folder holds several sets that name the same
// bucket (examples/cross-account/*, all about shared-data): a lens sends
// the URI of its bucket policy.
const ExplainCommand = "s3policy.explain"

func (s *Server) executeCommand(params json.RawMessage) (func() (any, error), error) {
	var p struct {
		Command   string            `json:"command"`
		Arguments []json.RawMessage `json:"arguments"`
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.Command == ExplainErrorCommand {
		return s.explainError(p.Arguments) // explain_error.go
	}
	if p.Command != ExplainCommand {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
	}
	if len(p.Arguments) < 1 || len(p.Arguments) > 2 {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s takes the request and, optionally, {\"uri\": the document}", ExplainCommand)
	}
	req, err := parseRequest(p.Arguments[0])
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: %v", ExplainCommand, err)
	}
	from := ""
	if len(p.Arguments) == 2 {
		var where struct {
			URI protocol.DocumentURI `json:"uri"`
		}
		if err := json.Unmarshal(p.Arguments[1], &where); err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the second argument: %v", ExplainCommand, err)
		}
		from, _ = uriPath(where.URI)
	}
	atRequest := s.store.buffers() // the buffers as of this request
	return func() (any, error) {
		// An answer given before the first scan ends would miss policies
		// on disk: wait for it, then let the buffers of the request win.
		s.awaitScan()
		w := s.explainSet(s.setsOf(s.store.allTexts(atRequest)), req, from)
		if w == nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s: the server has no workspace folder", ExplainCommand)
		}
		_, r := w.ExplainThroughEndpoints(req)
		return linkedAnswer(w.Dir, r.Answer(s.locale(s.store.settings(), nil))), nil
	}, nil
}

// explainAnswer is eval.Answer with the URI of each cause's policy, so that
// a client can link to the statement (uri, line) without knowing which
// folder the policy path is relative to.
type explainAnswer struct {
	Decision  eval.Decision  `json:"decision"`
	BlockedBy []eval.Layer   `json:"blockedBy"`
	Causes    []explainCause `json:"causes"`
}

type explainCause struct {
	eval.AnswerCause
	URI protocol.DocumentURI `json:"uri,omitempty"`
}

// linkedAnswer adds to each cause the URI of its policy, a path relative
// to the workspace folder dir.
func linkedAnswer(dir string, a eval.Answer) explainAnswer {
	out := explainAnswer{Decision: a.Decision, BlockedBy: a.BlockedBy, Causes: []explainCause{}}
	for _, c := range a.Causes {
		linked := explainCause{AnswerCause: c}
		if c.Policy != "" {
			path := c.Policy
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, filepath.FromSlash(path))
			}
			linked.URI = uri.File(path)
		}
		out.Causes = append(out.Causes, linked)
	}
	return out
}

// parseRequest reads the command's argument as the request of a scenario
// file, so that both take the same fields and say the same about errors.
func parseRequest(arg json.RawMessage) (eval.Request, error) {
	scenarios, err := eval.ParseScenarios([]byte(`{"request": ` + string(arg) + `}`))
	if err != nil {
		return eval.Request{}, err
	}
	return scenarios[0].Request, nil
}

// explainSet picks the set that answers a request: the one that holds the
// file at path from (the document asked from, "" for none), else the one
// whose .s3policy.json describes the bucket, else the one that knows the
// principal, else the first.
func (s *Server) explainSet(units []*tree.Set, req eval.Request, from string) *eval.Workspace {
	for _, w := range units {
		if from != "" && w.Source(from) != nil {
			return w.Workspace
		}
	}
	bucket := analysis.BucketOfARN(req.Resource)
	for _, w := range units {
		if w.Buckets[bucket] != nil {
			return w.Workspace
		}
	}
	for _, w := range units {
		for _, f := range w.Files {
			if f.Facts != nil && f.Facts.Principal == req.Principal {
				return w.Workspace
			}
		}
	}
	if len(units) > 0 {
		return units[0].Workspace
	}
	// Folders without policies: nothing grants, and the answer says so.
	if len(s.store.folders) > 0 {
		return eval.NewWorkspace(s.store.folders[0])
	}
	return nil
}

// setsOf splits the folders into sets, from the given texts.
func (s *Server) setsOf(texts map[string][]byte) []*tree.Set {
	var out []*tree.Set
	for _, folder := range s.store.folders {
		mine := map[string][]byte{}
		for path, text := range texts {
			if s.store.folderOf(path) == folder {
				mine[path] = text
			}
		}
		out = append(out, tree.Sets(folder, mine)...)
	}
	return out
}

// maxLenses caps the lenses above one statement: principals × actions.
const maxLenses = 12

// codeLens puts above each bucket-policy statement that grants another
// account one lens per principal of that account in the workspace and
// granted action, saying whether the request gets through; the lens runs
// s3policy.explain with that request.
func (s *Server) codeLens(params json.RawMessage) (func() (any, error), error) {
	return onDocument(s, params, func(p *protocol.CodeLensParams) protocol.DocumentURI { return p.TextDocument.URI }, []protocol.CodeLens{},
		func(a *analysed, _ *protocol.CodeLensParams) (any, error) {
			lenses := []protocol.CodeLens{}
			if a.result == nil {
				return lenses, nil
			}
			perStatement := map[*analysis.Statement]int{}
			for _, f := range a.currentDocs() {
				w, grouped := f.Workspace.(*eval.Workspace)
				if !grouped || f.Kind != analysis.KindBucket || f.Policy == nil {
					continue
				}
				locale := s.locale(s.store.settings(), f.Config)
				for _, g := range w.Grants(f) {
					if perStatement[g.Statement]++; perStatement[g.Statement] > maxLenses {
						continue
					}
					lenses = append(lenses, a.lens(w, f.Host, g, locale))
				}
			}
			return lenses, nil
		})
}

// currentDocs returns the documents of the analysed file bound to its set
// as the set is now. The analysis of an open bucket policy is kept until
// its own findings may change, but its lenses answer from the whole set:
// after a fix to the SCP or the key policy they must say ✓, not what the
// set said when the bucket policy was last analysed.
func (a *analysed) currentDocs() []*analysis.File {
	if _, src, docs := a.s.sched.index.lookup(a.path, a.text); src != nil {
		return docs
	}
	return a.result.Docs
}

// lens is one request's lens, on the first line of its statement. Its
// title fits a line beside others (jane: GetObject ✗ KMS): the causes are
// in the explain answer the lens opens.
func (a *analysed) lens(w *eval.Workspace, host *analysis.HostMap, g eval.Grant, locale string) protocol.CodeLens {
	start := a.m.Position(host.Offset(g.Statement.Obj.Span.Start, false))
	pos := toPosition(start)
	arg := map[string]any{"principal": g.Request.Principal, "action": g.Request.Action, "resource": g.Request.Resource}
	if len(g.Request.Context) > 0 {
		arg["context"] = g.Request.Context
	}
	_, r := w.Explain(g.Request)
	title := lensTitle(r, g.Request, locale)
	return protocol.CodeLens{
		Range:   protocol.Range{Start: pos, End: pos},
		Command: &protocol.Command{Title: title, Command: ExplainCommand, Arguments: []any{arg, map[string]any{"uri": a.uri}}},
	}
}

// lensTitle says in a few words whether the request gets through and,
// when not, which layer stops it first.
func lensTitle(r eval.Result, req eval.Request, locale string) string {
	who := shortPrincipal(req.Principal) + ": " + shortAction(req.Action)
	switch {
	case r.Decision == eval.Allowed:
		return who + " ✓"
	case r.Decision == eval.AllowedIf:
		return who + " " + analysis.T("✓ if conditions hold", "✓ 条件を満たせば").In(locale)
	case len(r.BlockedBy) > 0:
		return who + " ✗ " + r.BlockedBy[0].Title().In(locale)
	}
	return who + " ✗"
}

// shortPrincipal names a principal by the last part of its ARN (user/jane
// → jane, an account root → the account), at most 24 characters.
func shortPrincipal(arn string) string {
	name := arn
	if a, ok := analysis.ParseARN(arn); ok {
		name = a.Resource[strings.LastIndex(a.Resource, "/")+1:]
		if name == "root" || name == "" {
			name = a.Account
		}
	}
	if r := []rune(name); len(r) > 24 {
		name = string(r[:23]) + "…"
	}
	return name
}

// shortAction drops the service prefix of an S3 action: s3:GetObject →
// GetObject; other services keep theirs.
func shortAction(action string) string { return strings.TrimPrefix(action, "s3:") }
