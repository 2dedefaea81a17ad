package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Finding is one thing a check has to say about a document.
type Finding struct {
	Code     string
	Severity Severity
	Span     Span
	Message  FindingMessage
	// Explain is the hover text: the cause, why AWS denies, how to fix it.
	// Empty means the check's own explanation. Read a finding's with
	// Explanation, which writes ExplainLater's.
	Explain Text
	// ExplainLater, when set, writes the hover text only when asked for
	// (Explanation), from Explain: a workspace's cause checks report a
	// finding for each element that blocks a principal, on thousands of
	// closed files whose hover nobody asks for (an editor asks only for
	// an open document's), and writing what each cause says there was a
	// fifth of the bytes the checks allocated in a first scan of 10,000
	// governed policies (issue 16).
	ExplainLater LaterExplain
	DocURL       string
	Related      []Related
	// NotListed counts the related places a check left out of Related
	// (it bounds them to MaxRelated itself, without rendering them):
	// merging the findings adds the count to the message, once, and sets
	// it back to 0.
	NotListed int
	// Fixes are the quick fixes the check wrote. Read a finding's fixes
	// with AllFixes, which writes them all, FixLater's too.
	Fixes []Fix
	// FixLater, when set, is a fix its check writes only when asked for
	// (FixOf), from what it knows: the message's arguments and the node
	// the fix edits. A 20 KB policy can have ninety findings, each with a
	// fix that check never prints and an editor shows for the few under
	// the cursor, while each cost a title, a slice and a closure (issue
	// 16).
	FixLater LaterFix
}

// LaterFix is a finding's fixes that its words write when asked for, from
// the finding's message arguments and the node the fixes edit.
type LaterFix struct {
	words FixWords
	at    *Value
	// by writes the fixes instead, for a check whose fixes read more
	// than the message's arguments and a node (FixBy).
	by Fixer
	// origin is the text the fixes edit and whether its tree is gone,
	// set by Pass.Report for a finding with fixes, Fixes too.
	origin *fixOrigin
}

// String says where the fix edits, for %v of a finding: not where it
// lies in memory, so that the same finding made twice prints the same.
func (l LaterFix) String() string {
	if s, ok := l.by.(fmt.Stringer); ok {
		return s.String()
	}
	if l.by != nil {
		return "{later}"
	}
	if l.words == nil || l.at == nil {
		return "{}"
	}
	return fmt.Sprintf("{at:%d-%d}", l.at.Span.Start, l.at.Span.End)
}

// FixWords write the fixes (their titles and edits) of a finding whose
// message has arguments a, editing node at of document doc: most write
// one, some none or several (a Deny's exemption and its removal). They
// are a function of the check's file, not a closure, so that the fixes
// hold no memory of their own.
type FixWords func(doc *FixDoc, at *Value, a *Args) []Fix

// FixDoc is the document a fix written later edits: its text and its
// tree (what the words need of the policy they find from Root, as
// NewPolicy does), its kind and the .s3policy.json that governs it.
type FixDoc struct {
	Src    []byte
	Root   *Value
	Kind   Kind
	Config *Config
}

// FixOf is the fixes that words write, when asked for, at node at, from
// the message's arguments: the finding's Message must be a Say.
func FixOf(words FixWords, at *Value) LaterFix { return LaterFix{words: words, at: at} }

// Fixer writes a finding's fixes when asked for (FixBy). It must read
// only what does not change once the finding is reported, and may read
// the document's tree: a finding's fixes are not asked for once its
// document is recycled.
type Fixer interface {
	Fixes() []Fix
}

// FixBy is the fixes that f writes, when asked for: for a check whose
// fixes need more than FixOf gives its words (the workspace, what the
// check found across files).
func FixBy(f Fixer) LaterFix { return LaterFix{by: f} }

// fixOrigin is a document's text, for its findings' fixes, and whether
// the document was recycled: a fix reads the document's tree, whose
// memory then holds another file's, so AllFixes refuses to write it.
type fixOrigin struct {
	doc      FixDoc
	recycled bool
}

// HasFixes reports whether the finding may have a quick fix, without
// writing it: words may find, when they write, that none applies.
func (f *Finding) HasFixes() bool { return len(f.Fixes) > 0 || f.FixLater.pending() }

// pending reports whether fixes are left to write.
func (l LaterFix) pending() bool { return l.words != nil || l.by != nil }

// AllFixes returns the finding's fixes with their edits written: those
// its check wrote, then FixLater's. FixLater's panics once the finding's
// document is recycled (File.Recycle): it would read another file's tree.
func (f *Finding) AllFixes() []Fix {
	later := f.FixLater
	switch {
	case !later.pending():
		return f.Fixes
	case later.origin == nil:
		panic("analysis: a finding with a FixLater reported other than by Pass.Report")
	case later.origin.recycled:
		panic("analysis: a finding's fixes asked for after its document was recycled (File.Recycle)")
	case later.by != nil:
		return append(slices.Clip(f.Fixes), later.by.Fixes()...)
	}
	return append(slices.Clip(f.Fixes), later.words(&later.origin.doc, later.at, &f.Message.args)...)
}

// writeFixes makes the finding's fixes written ones (Fixes): the merge
// of duplicates reads their titles.
func (f *Finding) writeFixes() {
	if f.FixLater.pending() {
		f.Fixes, f.FixLater = f.AllFixes(), LaterFix{}
	}
}

// Explainer writes a finding's hover text from its check's
// explanation, when asked for (LaterExplain). It must read only what
// does not change once the finding is reported.
type Explainer interface {
	Explain(checkExplain Text) Text
}

// LaterExplain is a finding's hover text that its Explainer writes when
// asked for (Finding.Explanation).
type LaterExplain struct{ by Explainer }

// ExplainOf is the hover text that e writes when asked for.
func ExplainOf(e Explainer) LaterExplain { return LaterExplain{by: e} }

// String says only whether the text is written later, for %v of a
// finding: not where its Explainer lies in memory, so that the same
// finding made twice prints the same.
func (l LaterExplain) String() string {
	if l.by == nil {
		return "{}"
	}
	return "{later}"
}

// Explanation is the finding's hover text: Explain, or what
// ExplainLater writes from it.
func (f *Finding) Explanation() Text {
	if f.ExplainLater.by == nil {
		return f.Explain
	}
	return f.ExplainLater.by.Explain(f.Explain)
}

// Related points at another place, in this document or another file, that
// takes part in the finding.
type Related struct {
	File    string // empty for the same file
	Doc     string // the document of that file, as File.DocName
	Span    Span   // in that document's text
	Message Text
}

// Fix is a quick fix: byte-range edits that, applied together, repair the
// finding. Edits must not overlap. Read a finding's with
// Finding.AllFixes: a fix a check can write later (FixOf) is written
// only when someone asks for it.
type Fix struct {
	Title Text
	Edits []Edit
	// Removes marks a fix that takes access away (removes a statement):
	// the editor lists it after the fixes that keep access.
	Removes bool
}

// KeepingFirst orders fixes so that those that keep access come before
// those that remove it, each in its order.
func KeepingFirst(fixes []Fix) []Fix {
	slices.SortStableFunc(fixes, func(a, b Fix) int {
		switch {
		case a.Removes == b.Removes:
			return 0
		case b.Removes:
			return -1
		}
		return 1
	})
	return fixes
}

// Edit replaces the bytes of Span with NewText.
type Edit struct {
	Span    Span
	NewText string
}

// ApplyEdits returns src with the edits applied. Edits may come in any
// order but must not overlap.
func ApplyEdits(src []byte, edits []Edit) []byte {
	sorted := slices.Clone(edits)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Span.Start < sorted[j].Span.Start })
	out := make([]byte, 0, len(src)+64)
	last := 0
	for _, e := range sorted {
		out = append(out, src[last:e.Span.Start]...)
		out = append(out, e.NewText...)
		last = e.Span.End
	}
	return append(out, src[last:]...)
}

// findingsSorted reports whether fs is in SortFindings' order already.
func findingsSorted(fs []Finding) bool {
	for i := 1; i < len(fs); i++ {
		if compareFindings(&fs[i-1], &fs[i]) > 0 {
			return false
		}
	}
	return true
}

// SortFindings orders findings by position, then code, so output is stable.
// It sorts their places and then moves each finding once: a Finding is
// large, and sort's swaps of whole findings were a tenth of the checks'
// time on a 20 KB policy with a hundred findings.
func SortFindings(fs []Finding) {
	if findingsSorted(fs) {
		return
	}
	from := make([]int32, len(fs)) // from[i]: the finding that goes to i
	for i := range from {
		from[i] = int32(i)
	}
	slices.SortStableFunc(from, func(i, j int32) int { return compareFindings(&fs[i], &fs[j]) })
	// Follow each cycle of the permutation, holding its first finding.
	for start := range from {
		if from[start] == int32(start) {
			continue
		}
		held, at := fs[start], start
		for {
			next := int(from[at])
			from[at] = int32(at)
			if next == start {
				fs[at] = held
				break
			}
			fs[at], at = fs[next], next
		}
	}
}

// compareFindings orders two findings by span, then code.
func compareFindings(a, b *Finding) int {
	if c := cmp.Compare(a.Span.Start, b.Span.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Span.End, b.Span.End); c != 0 {
		return c
	}
	return strings.Compare(a.Code, b.Code)
}
