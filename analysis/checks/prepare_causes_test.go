package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A principal answered on one of several cores (the server's first scan,
// check) has its index of where its causes lie built there
// (PrepareCausesHere), which the first analysis of a policy of another
// kind otherwise built for every principal in turn while the other
// workers waited: it is built for each principal the identity policies
// name and for no other, and not in a workspace of identity policies
// alone, where no analysis asks for it; and every document's findings,
// in both languages, their hovers, related places and fixes included,
// are those of a workspace not prepared.
func TestPreparedCausesHereAreWhatTheAnalysesBuild(t *testing.T) {
	dir, texts := generatedTexts(t, 120)
	prepared, fresh := tree.Sets(dir, texts)[0].Workspace, tree.Sets(dir, texts)[0].Workspace
	prepared.Seal()
	fresh.Seal()
	const nobody = "arn:aws:iam::999999999999:role/nobody"
	answered := append(slices.Clone(prepared.Callers()), nobody)
	var wg sync.WaitGroup
	for half := range 2 {
		wg.Go(func() {
			for i := half; i < len(answered); i += 2 {
				prepared.Blocked(answered[i])
				PrepareCausesHere(prepared, answered[i])
			}
		})
	}
	wg.Wait()
	built := causesHereBuilt(prepared)
	named := principalsOf(prepared)
	if len(named) < 2 {
		t.Fatalf("%d principals named: the test shows nothing", len(named))
	}
	for _, p := range named {
		if !built[p] {
			t.Errorf("%s: its causes-here index is not built", p)
		}
	}
	if built[nobody] || len(built) != len(named) {
		t.Errorf("built for %v, want %v only", slices.Sorted(maps.Keys(built)), named)
	}
	files := boundTo(prepared, prepared.PolicyFiles())
	freshFiles := boundTo(fresh, fresh.PolicyFiles())
	if len(files) != len(freshFiles) {
		t.Fatalf("%d documents, %d in the fresh workspace", len(files), len(freshFiles))
	}
	related := 0
	for i, f := range files {
		got, want := renderFindings(Analyze(f)), renderFindings(Analyze(freshFiles[i]))
		if got != want {
			t.Errorf("%s#%s: prepared:\n%s\nfresh:\n%s", f.Path, f.DocName, got, want)
		}
		related += strings.Count(got, "  related ")
	}
	if related == 0 {
		t.Fatal("no finding points at another place: the test shows nothing")
	}

	identityOnly := map[string][]byte{}
	for path, text := range texts {
		if tree.IsConfig(path) || strings.HasSuffix(path, ".iam-policy.json") {
			identityOnly[path] = text
		}
	}
	alone := tree.Sets(dir, identityOnly)[0].Workspace
	alone.Seal()
	for _, p := range alone.Callers() {
		alone.Blocked(p)
		PrepareCausesHere(alone, p)
	}
	if len(alone.Callers()) == 0 {
		t.Fatal("no principal among the identity policies: the test shows nothing")
	}
	if built := causesHereBuilt(alone); len(built) != 0 {
		t.Errorf("identity policies alone: built for %v, which no analysis asks for", slices.Sorted(maps.Keys(built)))
	}
}

// causesHereBuilt lists the principals whose causes-here index w built.
func causesHereBuilt(w *eval.Workspace) map[string]bool {
	out := map[string]bool{}
	w.BuiltMemos(func(key string, _ any) {
		if p, ok := strings.CutPrefix(key, causesHereKey); ok {
			out[p] = true
		}
	})
	return out
}

// renderFindings writes what a user of the findings reads of them.
func renderFindings(fs []analysis.Finding) string {
	var b strings.Builder
	for i := range fs {
		f := &fs[i]
		for _, lang := range []string{"en", "ja"} {
			fmt.Fprintf(&b, "%s %v %v %q %q %q %d\n", f.Code, f.Severity, f.Span, f.Message.In(lang), f.Explanation().In(lang), f.DocURL, f.NotListed)
			for _, r := range f.Related {
				fmt.Fprintf(&b, "  related %s#%s %v %q\n", r.File, r.Doc, r.Span, r.Message.In(lang))
			}
		}
		for _, fix := range f.AllFixes() {
			fmt.Fprintf(&b, "  fix %+v\n", fix)
		}
	}
	return b.String()
}
