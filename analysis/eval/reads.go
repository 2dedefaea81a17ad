package eval

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"unique"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// ReadSet is what one evaluation of a workspace read: the statements it
// judged, the documents whose name or line a cause gives (or that it read
// whole), the targets of its passes, and where it looked for a near miss
// among all the Allow statements of an action. A statement it did not
// read, edited, changes the evaluation only if the evaluation would now
// read it (ReadSet.MayRead): so a keystroke in an identity policy
// evaluates again the requests that the statement typed in can decide,
// not every request of its principal (issue 16). The Deny statements of
// SCPs and RCPs are not recorded (unrecordedLayers): MayRead cannot
// answer for their edits, which EditedInPlace never makes. Names, not documents,
// are kept: a kept evaluation must not keep an old version of the
// workspace alive.
type ReadSet struct {
	reads   []docRead
	targets []target // of each pass: the S3 request, the KMS requests
	scans   []actionScan
}

// docRead is a statement read (its Index), or a whole document (-1).
// named: a cause names the statement, by its Sid, so that a new Sid
// changes the evaluation's words, where it changes nothing of an
// evaluation that only read the statement. The document's name is a
// handle (8 bytes, compared as a pointer), not the string (16): at
// 10,000 governed policies the kept evaluations read 437,288 statements.
type docRead struct {
	name      docName
	statement int32
	named     bool
}

// docName is a document's name as a ReadSet keeps it.
type docName = unique.Handle[string]

// nameOf is the handle of the document's name: the one its Doc holds
// when the workspace made it, else made here.
func nameOf(d *Doc) docName {
	if d.name != (docName{}) {
		return d.name
	}
	return unique.Make(d.Name)
}

const wholeDoc = -1

// actionScan is indexedNearMiss looking for the first Allow statement of
// an action among a principal's identity policies: it read every
// statement up to stop (the statement it found; stop.name is "" when it
// found none).
type actionScan struct {
	action string // lower-cased
	stop   docRead
}

func (r *ReadSet) read(d *Doc, statement int) {
	if r == nil || d.Assumed {
		return
	}
	name := nameOf(d)
	if n := len(r.reads); n > 0 && r.reads[n-1].is(name, statement) || r.find(name, statement) >= 0 {
		return
	}
	r.reads = append(r.reads, docRead{name, int32(statement), false})
}

// room makes room for n reads more at once: a pass reads each Deny
// statement an index lists for its request, the fifty of an account's
// SCPs for an upload, and appending them one by one made seven arrays.
func (r *ReadSet) room(n int) {
	if r != nil && n > 1 {
		r.reads = slices.Grow(r.reads, n)
	}
}

// quote records that a cause names the statement.
func (r *ReadSet) quote(d *Doc, statement int) {
	if r == nil || d.Assumed {
		return
	}
	// A cause most often names the statement just judged, the last read:
	// the fifty Deny statements of an upload's SCPs made the search of
	// every read a first scan's largest cost in ReadSet.
	name := nameOf(d)
	i := len(r.reads) - 1
	if i < 0 || !r.reads[i].is(name, statement) {
		i = r.find(name, statement)
	}
	if i >= 0 {
		r.reads[i].named = true
		return
	}
	r.reads = append(r.reads, docRead{name, int32(statement), true})
}

// find is the place in reads of a statement read, or -1.
func (r *ReadSet) find(name docName, statement int) int {
	return slices.IndexFunc(r.reads, func(x docRead) bool { return x.is(name, statement) })
}

func (x docRead) is(name docName, statement int) bool {
	return x.statement == int32(statement) && x.name == name
}

// readRooms are the ReadSets Workspace.evaluated records what an
// evaluation reads in, empty, and keeps a copy of (kept). An upload's
// evaluation reads the fifty Deny statements of its account's SCPs, and
// appending them into a ReadSet of its own made its list at 1, 2, 4, ...
// 64 reads, then a copy of its size to keep: half of what a kept
// evaluation allocated more than a batch one (BenchmarkBlockedGoverned).
var readRooms = sync.Pool{New: func() any { return new(ReadSet) }}

// maxReadRoom is the most reads a ReadSet given back to readRooms has room
// for: one grown larger is left to the collector.
const maxReadRoom = 1024

// kept returns what r read, as the workspace keeps it (the server keeps a
// ReadSet for each request of its governed sets): in arrays of their
// size, nil for none, since nothing is added once the evaluation is done.
// r is emptied for the next evaluation, and holds nothing.
func (r *ReadSet) kept() *ReadSet {
	k := &ReadSet{reads: sized(r.reads), targets: sized(r.targets), scans: sized(r.scans)}
	r.reads, r.targets, r.scans = emptied(r.reads), emptied(r.targets), emptied(r.scans)
	return k
}

// sized is a copy of s in an array of its size, nil when s is empty.
func sized[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// emptied is s cleared (it keeps nothing alive) and with no element.
func emptied[T any](s []T) []T {
	clear(s)
	return s[:0]
}

func (r *ReadSet) readAll(ds []*Doc) {
	for _, d := range ds {
		r.read(d, wholeDoc)
	}
}

func (r *ReadSet) target(t target) {
	if r != nil && !slices.Contains(r.targets, t) {
		r.targets = append(r.targets, t)
	}
}

func (r *ReadSet) scan(action string, stop *Doc, st *analysis.Statement) {
	if r == nil {
		return
	}
	s := actionScan{action: action}
	if stop != nil {
		s.stop = docRead{nameOf(stop), int32(st.Index), false}
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
	handle docName // name, as the ReadSets keep it
	// changed holds the Index of each statement whose text or line
	// changed; every statement changed when whole is set (the text
	// around the statements changed: the version, the list). renamed
	// holds those whose Sid alone changed, which decides nothing: only the
	// words of a cause that names it change (docRead.named). valuesOnly
	// holds, of the changed statements at the same line, those that differ
	// in the values of their Action, NotAction, Resource or NotResource
	// alone: before and after (MayRead asks whether they judge a request
	// alike).
	changed, renamed map[int]bool
	valuesOnly       map[int][2]*analysis.Statement
	whole            bool
	after            *docIndex // the statements of the new text, as an index lists them
}

// EditedInPlace returns the edit from before (a document of prev) to
// after, or nil when it is not an in-place edit of an identity policy
// that stands alone in its file: such edits are left to the caller's
// coarser test. It must stay so for SCPs and RCPs, whose Deny statements
// a kept evaluation does not record reading (unrecordedLayers).
func EditedInPlace(prev *Workspace, before, after *analysis.File) *EditedDoc {
	if before == nil || after == nil || before.Policy == nil || after.Policy == nil ||
		before.Kind != analysis.KindIdentity || after.Kind != analysis.KindIdentity ||
		before.Host != nil || after.Host != nil || before.Path != after.Path || before.DocName != after.DocName ||
		before.Facts == nil || after.Facts == nil || *before.Facts != *after.Facts || prev.nameOf(before) == "" {
		return nil
	}
	name := prev.nameOf(before)
	e := &EditedDoc{prev: prev, before: before, name: name, handle: unique.Make(name), after: indexStatements([]*Doc{{Name: name, Src: after.Src, Policy: after.Policy}}, nil)}
	e.changed, e.renamed, e.whole = changedStatements(before, after)
	for i := 0; !e.whole && i < len(before.Policy.Statements); i++ { // whole: the statements may be fewer or more
		if a, b := before.Policy.Statements[i], after.Policy.Statements[i]; e.changed[a.Index] && sameLine(before.Src, a, after.Src, b) && valuesAloneDiffer(before.Src, a, after.Src, b) {
			if e.valuesOnly == nil {
				e.valuesOnly = map[int][2]*analysis.Statement{}
			}
			e.valuesOnly[a.Index] = [2]*analysis.Statement{a, b}
		}
	}
	return e
}

// sameLine reports whether two versions of a statement start at the same
// line: a cause gives the line of the statement it names.
func sameLine(srcA []byte, a *analysis.Statement, srcB []byte, b *analysis.Statement) bool {
	return bytes.Count(srcA[:a.Obj.Span.Start], []byte{'\n'}) == bytes.Count(srcB[:b.Obj.Span.Start], []byte{'\n'})
}

// matchedElements are the elements of a statement that valuesAloneDiffer
// lets differ: the engine reads them only to match a request's action and
// resource (judge), and a cause never quotes them.
func matchedElements(st *analysis.Statement) [4]*analysis.Field {
	return [4]*analysis.Field{st.Action, st.NotAction, st.Resource, st.NotResource}
}

// valuesAloneDiffer reports whether two versions of a statement have the
// same text but for the values of their Action, NotAction, Resource and
// NotResource: the same elements, keys and everything else, in the same
// order.
func valuesAloneDiffer(srcA []byte, a *analysis.Statement, srcB []byte, b *analysis.Statement) bool {
	cutsA, cutsB := valueSpans(a), valueSpans(b)
	if len(cutsA) != len(cutsB) {
		return false
	}
	atA, atB := a.Obj.Span.Start, b.Obj.Span.Start
	for i := range cutsA {
		if cutsA[i].which != cutsB[i].which || !bytes.Equal(srcA[atA:cutsA[i].span.Start], srcB[atB:cutsB[i].span.Start]) {
			return false
		}
		atA, atB = cutsA[i].span.End, cutsB[i].span.End
	}
	return bytes.Equal(srcA[atA:a.Obj.Span.End], srcB[atB:b.Obj.Span.End])
}

// valueSpan is the value of one of a statement's matchedElements.
type valueSpan struct {
	which int
	span  analysis.Span
}

// valueSpans lists the values of a statement's matchedElements in the
// order of the text.
func valueSpans(st *analysis.Statement) []valueSpan {
	var out []valueSpan
	for i, f := range matchedElements(st) {
		if f != nil && f.Value != nil {
			out = append(out, valueSpan{i, f.Value.Span})
		}
	}
	slices.SortFunc(out, func(x, y valueSpan) int { return x.span.Start - y.span.Start })
	return out
}

// judgedAlike reports whether the statement, changed only in the values
// of its matchedElements (valuesOnly), matches each target's action and
// resource before the edit exactly as after it: judge then gives every
// pass of the evaluation the same verdict, whether it read the statement
// or not (the conditions, the Sid and the line are the same), so the
// evaluation cannot change by it. A Resource with a policy variable is
// matched against the request's context, which is not kept: it is never
// judged alike.
func (e *EditedDoc) judgedAlike(statement int, targets []target) bool {
	pair, ok := e.valuesOnly[statement]
	if !ok {
		return false
	}
	before, after := matchedElements(pair[0]), matchedElements(pair[1])
	for _, f := range slices.Concat(before[2:], after[2:]) {
		if f != nil && slices.ContainsFunc(analysis.Strings(f), func(v *analysis.Value) bool { return strings.Contains(v.Str, "${") }) {
			return false
		}
	}
	for _, t := range targets {
		action := func(p string) bool { return analysis.MatchAction(p, t.action) }
		escaped := escapeWild(t.resource)
		resource := func(p string) bool { return analysis.MatchWildcard(p, escaped, false) }
		if matchTri(before[0], before[1], action) != matchTri(after[0], after[1], action) ||
			matchTri(before[2], before[3], resource) != matchTri(after[2], after[3], resource) {
			return false
		}
	}
	return true
}

// changedStatements compares two versions of a policy statement by
// statement: the Index of each statement whose text or first line
// differs (renamed: whose Sid alone differs), or whole when the text
// outside the statements differs.
func changedStatements(before, after *analysis.File) (changed, renamed map[int]bool, whole bool) {
	a, b := before.Policy.Statements, after.Policy.Statements
	if len(a) != len(b) || !bytes.Equal(outsideStatements(before), outsideStatements(after)) {
		return nil, nil, true
	}
	changed, renamed = map[int]bool{}, map[int]bool{}
	for i := range a {
		if a[i].Index != b[i].Index {
			return nil, nil, true
		}
		sa, sb := a[i].Obj.Span, b[i].Obj.Span
		switch {
		case bytes.Count(before.Src[:sa.Start], []byte{'\n'}) != bytes.Count(after.Src[:sb.Start], []byte{'\n'}):
			changed[a[i].Index] = true
		case bytes.Equal(before.Src[sa.Start:sa.End], after.Src[sb.Start:sb.End]):
		case sidAloneDiffers(before.Src, a[i], after.Src, b[i]):
			renamed[a[i].Index] = true
		default:
			changed[a[i].Index] = true
		}
	}
	return changed, renamed, false
}

// sidAloneDiffers reports whether two versions of a statement differ in
// the text of their Sid string alone (a Sid is one line: a JSON string
// holds no newline).
func sidAloneDiffers(srcA []byte, a *analysis.Statement, srcB []byte, b *analysis.Statement) bool {
	if a.SidText() == "" || b.SidText() == "" {
		return false
	}
	va, vb := a.Sid.Value.Span, b.Sid.Value.Span
	return bytes.Equal(srcA[a.Obj.Span.Start:va.Start], srcB[b.Obj.Span.Start:vb.Start]) &&
		bytes.Equal(srcA[va.End:a.Obj.Span.End], srcB[vb.End:b.Obj.Span.End])
}

// outsideStatements is a policy's text without its statements.
func outsideStatements(f *analysis.File) []byte {
	var out []byte
	at := 0
	for _, st := range f.Policy.Statements {
		out = append(out, f.Src[at:st.Obj.Span.Start]...)
		at = st.Obj.Span.End
	}
	return append(out, f.Src[at:]...)
}

func (e *EditedDoc) changes(statement int) bool {
	return e.whole || statement == wholeDoc || e.changed[statement]
}

// MayRead reports whether the evaluation may change with the edit: it
// read a statement that changed (or the document whole), or a changed
// statement of the new text is one the evaluation would judge (it may
// match a pass's action and resource, or it is an Allow of the action
// before the near miss the evaluation found).
//
// A statement changed in the values of its Action, NotAction, Resource or
// NotResource alone, which matches every target of the evaluation before
// the edit as after it (EditedDoc.judgedAlike), changes nothing of it,
// read or not: typing a new action into a statement's list leaves the
// requests whose near miss it is as they were (issue 16).
func (r *ReadSet) MayRead(e *EditedDoc) bool {
	if r == nil {
		return true
	}
	var alike map[int]bool // judgedAlike's answers, asked once a statement
	changes := func(statement int) bool {
		if !e.changes(statement) {
			return false
		}
		if statement == wholeDoc || e.whole || e.valuesOnly[statement][0] == nil {
			return true
		}
		same, asked := alike[statement]
		if !asked {
			if alike == nil {
				alike = map[int]bool{}
			}
			same = e.judgedAlike(statement, r.targets)
			alike[statement] = same
		}
		return !same
	}
	for _, x := range r.reads {
		if x.name == e.handle && (changes(int(x.statement)) || x.named && e.renamed[int(x.statement)]) {
			return true
		}
	}
	for _, t := range r.targets {
		for i := range e.after.sites {
			if s := &e.after.sites[i]; e.changes(s.st.Index) && s.mayMatchWritten(t) && changes(s.st.Index) {
				return true
			}
		}
	}
	for _, scan := range r.scans {
		for i := range e.after.sites {
			if s := &e.after.sites[i]; e.changes(s.st.Index) && s.st.IsAllow() && s.mayMatchAction(scan.action) && e.comesBefore(s.st.Index, scan.stop) && changes(s.st.Index) {
				return true
			}
		}
	}
	return false
}

// comesBefore reports whether the edited document's statement comes
// before the one read in the workspace's order (the order an index lists
// statements in); true when there is none.
func (e *EditedDoc) comesBefore(statement int, stop docRead) bool {
	if stop.name == (docName{}) {
		return true
	}
	if stop.name == e.handle {
		return statement < int(stop.statement)
	}
	other := e.prev.byName(stop.name.Value())
	if other == nil {
		return true
	}
	return e.prev.orderOf(e.before) < e.prev.orderOf(other)
}
