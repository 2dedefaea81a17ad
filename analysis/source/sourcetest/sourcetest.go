// Package sourcetest holds what the tests of every host reader assert.
package sourcetest

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// InFile fails the test unless every finding, fix edit and document of
// the analysis of src lies inside src: what each reader's fuzz target
// checks.
func InFile(t testing.TB, src string, a *analysis.Analysis) {
	t.Helper()
	inside := func(sp analysis.Span, what string) {
		if sp.Start < 0 || sp.End < sp.Start || sp.End > len(src) {
			t.Fatalf("%s at %v outside the file of %d bytes", what, sp, len(src))
		}
	}
	for _, fd := range a.Findings {
		inside(fd.Span, fd.Code)
		for _, fix := range fd.AllFixes() {
			for _, e := range fix.Edits {
				inside(e.Span, fd.Code+" fix")
			}
		}
	}
	for _, d := range a.Docs {
		if d.Host != nil { // nil: the document is the file
			inside(d.Host.Whole, "document "+d.DocName)
		}
	}
}
