package assist

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// IAMCompleter suggests, from the cursor's place in the (possibly
// half-typed) document: element names, Effect values, a new statement,
// service prefixes and actions, condition operators and condition keys.
func IAMCompleter(f *analysis.File, offset int) []analysis.CompletionItem {
	if offset < 0 || offset > len(f.Src) {
		return nil
	}
	cur, values := scanTo(f.Src, offset)
	c := completion{cur: cur, offset: offset, src: f.Src}
	path := cur.path()
	if len(path) == 0 {
		if cur.atKey() {
			return c.words(analysis.TopLevelElements, analysis.CompleteElement)
		}
		return nil
	}
	stmt, rest, inStatement := splitStatement(path)
	if cur.atKey() {
		switch {
		case !inStatement:
		case len(rest) == 0:
			return c.words(analysis.StatementElements, analysis.CompleteElement)
		case len(rest) == 1 && rest[0] == "Condition":
			return c.operators()
		case len(rest) == 2 && rest[0] == "Condition":
			return c.keys(statementActionNames(values, stmt))
		case len(rest) == 1 && (rest[0] == "Principal" || rest[0] == "NotPrincipal"):
			return c.words([]string{"AWS", "Service", "Federated", "CanonicalUser"}, analysis.CompleteElement)
		}
		return nil
	}
	switch {
	case path[0] == "Version" && len(path) == 1:
		return c.words([]string{"2012-10-17"}, analysis.CompleteValue)
	case !inStatement:
	case len(rest) == 0 && !cur.inString:
		// Between statements, or where the Statement value goes.
		return []analysis.CompletionItem{statementSnippet(offset)}
	case len(rest) == 0:
	case rest[0] == "Effect" && len(rest) == 1:
		return c.words([]string{"Allow", "Deny"}, analysis.CompleteValue)
	case (rest[0] == "Action" || rest[0] == "NotAction") && (len(rest) == 1 || len(rest) == 2 && isIndex(rest[1])):
		return c.actions()
	}
	return nil
}

// splitStatement splits a path that leads into a statement into the
// statement's own path ([Statement] or [Statement i]) and the rest.
func splitStatement(path []string) (stmt, rest []string, ok bool) {
	if len(path) == 0 || path[0] != "Statement" {
		return nil, nil, false
	}
	if len(path) > 1 && isIndex(path[1]) {
		return path[:2], path[2:], true
	}
	return path[:1], path[1:], true
}

func isIndex(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// statementActionNames collects the Action values of the statement at
// stmt (a path such as [Statement 0]).
func statementActionNames(values []stringAt, stmt []string) []string {
	var out []string
	for _, v := range values {
		p := v.path
		if len(p) >= len(stmt)+1 && slices.Equal(p[:len(stmt)], stmt) && p[len(stmt)] == "Action" {
			out = append(out, v.value)
		}
	}
	return out
}

type completion struct {
	cur    cursorAt
	offset int
	src    []byte
}

// item builds a suggestion that replaces what was typed of the string
// (or inserts a quoted string where none was begun).
func (c completion) item(label string, kind analysis.CompletionKind, detail string, doc analysis.Text) analysis.CompletionItem {
	it := analysis.CompletionItem{Label: label, Kind: kind, Detail: detail, Doc: doc}
	if c.cur.inString {
		it.Replace = analysis.Span{Start: c.cur.strStart + 1, End: c.offset}
		it.NewText = label
	} else {
		it.Replace = analysis.Span{Start: c.offset, End: c.offset}
		it.NewText = analysis.Quote(label)
	}
	return it
}

func (c completion) words(words []string, kind analysis.CompletionKind) []analysis.CompletionItem {
	var out []analysis.CompletionItem
	for _, w := range words {
		out = append(out, c.item(w, kind, "", analysis.Text{}))
	}
	return out
}

func (c completion) actions() []analysis.CompletionItem {
	prefix, _, hasColon := strings.Cut(c.cur.typed, ":")
	if !hasColon {
		var out []analysis.CompletionItem
		for _, p := range iamdata.Prefixes() {
			it := c.item(p+":", analysis.CompleteService, iamdata.ServiceName(p), analysis.Text{})
			it.Label = p
			out = append(out, it)
		}
		return out
	}
	svc := iamdata.Lookup(prefix)
	if svc == nil {
		return nil
	}
	out := make([]analysis.CompletionItem, 0, len(svc.Actions)+1)
	out = append(out, c.item(prefix+":*", analysis.CompleteAction, "all actions", analysis.Tf("Every action of %s", "%s のすべてのアクション", svc.Name)))
	for i := range svc.Actions {
		a := &svc.Actions[i]
		out = append(out, c.item(prefix+":"+a.Name(), analysis.CompleteAction, a.Access(), analysis.T(a.Description(), a.Description())))
	}
	return out
}

func (c completion) operators() []analysis.CompletionItem {
	var out []analysis.CompletionItem
	for _, name := range iamdata.OperatorNames() {
		p, _ := iamdata.ParseOperator(name)
		out = append(out, c.item(name, analysis.CompleteOperator, p.Base.Type, analysis.Text{}))
	}
	return out
}

// keys suggests the global keys and the service keys that the statement's
// actions support (all keys of their services when an action is a
// wildcard the data cannot narrow).
func (c completion) keys(actions []string) []analysis.CompletionItem {
	var out []analysis.CompletionItem
	add := func(k *iamdata.ConditionKey) {
		it := c.item(k.Name, analysis.CompleteKey, k.Type, analysis.T(k.Description, k.Description))
		if snippet, ok := keySnippet(it.NewText); ok {
			it.NewText, it.Snippet = snippet, true
		}
		out = append(out, it)
	}
	for i := range iamdata.Global {
		add(&iamdata.Global[i])
	}
	seen := map[string]bool{}
	for _, entry := range actions {
		r, ok := iamref.ParseAction(&analysis.Value{Str: entry})
		if !ok || r.Service == nil {
			continue
		}
		for _, a := range r.Matches {
			for _, name := range a.Keys() {
				if k := r.Service.Key(name); k != nil && !seen[k.Name] && !strings.HasPrefix(k.Name, "aws:") {
					seen[k.Name] = true
					add(k)
				}
			}
		}
	}
	return out
}

// templatePart matches the ${TagKey} or <key> part of a key template;
// compiled on first use, not at every start of the binary.
var templatePart = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([^}]*)\}|<([^>]*)>`) })

// keySnippet turns a key template into a snippet whose template parts are
// placeholders to fill: aws:PrincipalTag/${TagKey} becomes
// aws:PrincipalTag/${1:TagKey}.
func keySnippet(text string) (string, bool) {
	n := 0
	out := templatePart().ReplaceAllStringFunc(text, func(m string) string {
		n++
		return "${" + strconv.Itoa(n) + ":" + strings.Trim(m, "${}<>") + "}"
	})
	return out, n > 0
}

// statementSnippet is a new statement, inserted where the cursor is.
func statementSnippet(offset int) analysis.CompletionItem {
	return analysis.CompletionItem{
		Label:   "statement",
		Kind:    analysis.CompleteSnippet,
		Detail:  "new statement",
		Doc:     analysis.T("A statement with Sid, Effect, Action and Resource.", "Sid、Effect、Action、Resource を持つステートメント。"),
		Replace: analysis.Span{Start: offset, End: offset},
		NewText: "{\n\t\"Sid\": \"${1:Statement}\",\n\t\"Effect\": \"${2|Allow,Deny|}\",\n\t\"Action\": \"${3:s3:GetObject}\",\n\t\"Resource\": \"${4:arn:aws:s3:::bucket/*}\"\n}",
		Snippet: true,
	}
}
