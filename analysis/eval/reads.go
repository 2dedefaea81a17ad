package eval

import (
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// ReadSet is what one evaluation of a workspace read: the documents a
// statement of which it judged or whose name or line a cause gives, the
// targets of its passes, and where it looked for a near miss among all
// the Allow statements of an action. A document it did not read, edited,
// changes the evaluation only if the evaluation would now read it
// (ReadSet.MayRead): so a keystroke in an identity policy evaluates
// again the requests that policy can decide, not every request of its
// principal (issue 16). Names, not documents, are kept: a kept
// evaluation must not keep an old version of the workspace alive.
type ReadSet struct {
	docs    []string // names, each once
	targets []target // of each pass: the S3 request, the KMS requests
	scans   []actionScan
}

// actionScan is indexedNearMiss looking for the first Allow statement of
// an action among a principal's identity policies: it read every
// document up to stop (the document of the statement it found, "" when
// none).
type actionScan struct {
	action string // lower-cased
	stop   string
}

func (r *ReadSet) read(d *Doc) {
	if r == nil || d.Assumed {
		return
	}
	if n := len(r.docs); n > 0 && r.docs[n-1] == d.Name || slices.Contains(r.docs, d.Name) {
		return
	}
	r.docs = append(r.docs, d.Name)
}

func (r *ReadSet) readAll(ds []*Doc) {
	for _, d := range ds {
		r.read(d)
	}
}

func (r *ReadSet) target(t target) {
	if r != nil && !slices.Contains(r.targets, t) {
		r.targets = append(r.targets, t)
	}
}

func (r *ReadSet) scan(action string, stop *Doc) {
	if r == nil {
		return
	}
	s := actionScan{action: action}
	if stop != nil {
		s.stop = stop.Name
	}
	if !slices.Contains(r.scans, s) {
		r.scans = append(r.scans, s)
	}
}

// EditedDoc is an identity policy edited in place: the same document of
// the same file, for the same principal, with another text. Only such
// an edit can leave a principal's evaluations that did not read it as
// they were; adding or removing a document changes the list a cause may
// name.
type EditedDoc struct {
	prev   *Workspace // the workspace before the edit
	before *analysis.File
	name   string
	after  *docIndex // the statements of the new text, as an index lists them
}

// EditedInPlace returns the edit from before (a document of prev) to
// after, or nil when it is not an in-place edit of an identity policy
// that stands alone in its file: such edits are left to the caller's
// coarser test.
func EditedInPlace(prev *Workspace, before, after *analysis.File) *EditedDoc {
	if before == nil || after == nil || before.Policy == nil || after.Policy == nil ||
		before.Kind != analysis.KindIdentity || after.Kind != analysis.KindIdentity ||
		before.Host != nil || after.Host != nil || before.Path != after.Path || before.DocName != after.DocName ||
		before.Facts == nil || after.Facts == nil || *before.Facts != *after.Facts || prev.names[before] == "" {
		return nil
	}
	name := prev.names[before]
	return &EditedDoc{prev: prev, before: before, name: name, after: newDocIndex([]*Doc{{Name: name, Src: after.Src, Policy: after.Policy}})}
}

// MayRead reports whether the evaluation may change with the edit: it
// read the document, or the new text has a statement the evaluation would
// judge (one that may match a pass's action and resource, or an Allow of
// the action before the near miss it found).
func (r *ReadSet) MayRead(e *EditedDoc) bool {
	if r == nil || slices.Contains(r.docs, e.name) {
		return true
	}
	for _, t := range r.targets {
		action, resource := asciiLower(t.action), escapeWild(t.resource)
		for i := range e.after.sites {
			if s := &e.after.sites[i]; s.mayMatchAction(action) && s.mayMatchResource(resource) {
				return true
			}
		}
	}
	for _, scan := range r.scans {
		for i := range e.after.sites {
			if s := &e.after.sites[i]; s.st.IsAllow() && s.mayMatchAction(scan.action) && e.comesBefore(scan.stop) {
				return true
			}
		}
	}
	return false
}

// comesBefore reports whether the edited document comes before the named
// one in the workspace's order (the order an index lists statements in);
// true when there is none.
func (e *EditedDoc) comesBefore(name string) bool {
	if name == "" {
		return true
	}
	other := e.prev.byName(name)
	if other == nil {
		return true
	}
	return e.prev.order[e.before] < e.prev.order[other]
}
