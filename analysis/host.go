package analysis

import (
	"path/filepath"
	"slices"
)

// A policy often lives inside another file: a Terraform heredoc, a
// CloudFormation resource, the escaped string of AWS CLI output. The
// checks and the engine read it as JSON text of its own (File.Src); a
// HostMap says where each piece of that text stands in the file that
// holds it, so that findings, related places and quick-fix edits land on
// the host's bytes. A standalone .json policy has no HostMap: its text is
// the file.

// HostMap maps the offsets of a document's JSON text to its host file.
type HostMap struct {
	// Whole is the host range of the whole document: where offsets that
	// no segment covers are placed.
	Whole Span
	// Text is the host file's text, when the caller has it: for the line
	// numbers the engine names.
	Text     []byte
	segments []Segment // in the order written: outer before inner
	// Encode writes JSON text of the document as the host writes it in
	// the region given (escaping it inside a string, say); false when it
	// cannot. Nil means the host writes JSON text as it is.
	Encode func(region int, text string) (string, bool)
}

// Segment ties a range of the document's text to a range of the host.
type Segment struct {
	Doc, Host Span
	// Exact means the document's bytes are the host's, one for one, so an
	// offset inside maps to the same distance into Host.
	Exact bool
	// Region groups the exact segments an edit may span: the bytes between
	// two of the same region are the host's own text of the document
	// (one heredoc, one escaped string). 0 is no region: not writable.
	Region int
}

// HostBuilder writes a document's JSON text while recording where each
// piece comes from: host readers build their documents with it.
type HostBuilder struct {
	buf  []byte
	segs []Segment
}

// Text is the JSON written so far.
func (b *HostBuilder) Text() []byte { return b.buf }

// Len is the offset the next write starts at.
func (b *HostBuilder) Len() int { return len(b.buf) }

// Write adds JSON text that stands for no host text of its own (the
// punctuation of a translated document): it maps to its enclosing segment.
func (b *HostBuilder) Write(s string) { b.buf = append(b.buf, s...) }

// Copy adds text that is the host's bytes at host, one for one, writable
// as part of region (0: not writable).
func (b *HostBuilder) Copy(host Span, text string, region int) {
	start := len(b.buf)
	b.buf = append(b.buf, text...)
	b.segs = append(b.segs, Segment{Doc: Span{start, len(b.buf)}, Host: host, Exact: true, Region: region})
}

// Wrap maps everything write adds to the host range host, as a whole.
// Segments recorded inside stay more precise.
func (b *HostBuilder) Wrap(host Span, write func()) {
	i := len(b.segs)
	start := len(b.buf)
	b.segs = append(b.segs, Segment{Host: host})
	write()
	b.segs[i].Doc = Span{start, len(b.buf)}
}

// Map finishes the map of the document whose host range is whole.
func (b *HostBuilder) Map(whole Span) *HostMap {
	return &HostMap{Whole: whole, segments: b.segs}
}

// innermost returns the smallest segment that holds the offset, with
// atEnd choosing the segment that ends there over one that starts there.
func (m *HostMap) innermost(offset int, atEnd bool) (Segment, bool) {
	var best Segment
	found := false
	var mark Segment // an empty segment at the offset: used when no other holds it
	marked := false
	for _, s := range m.segments {
		if s.Doc.Start == s.Doc.End {
			if offset == s.Doc.Start {
				mark, marked = s, true
			}
			continue
		}
		in := s.Doc.Start <= offset && offset < s.Doc.End
		if atEnd {
			in = s.Doc.Start < offset && offset <= s.Doc.End
		}
		if in && (!found || s.Doc.Len() <= best.Doc.Len()) {
			best, found = s, true
		}
	}
	if !found && marked {
		return mark, true
	}
	return best, found
}

// Offset maps an offset of the document to the host. An offset inside an
// exact segment keeps its distance; inside a translated one it goes to
// the start of its host range (end when atEnd).
func (m *HostMap) Offset(offset int, atEnd bool) int {
	if m == nil {
		return offset
	}
	s, ok := m.innermost(offset, atEnd)
	switch {
	case !ok && atEnd:
		return m.Whole.End
	case !ok:
		return m.Whole.Start
	case s.Exact:
		return min(s.Host.Start+offset-s.Doc.Start, s.Host.End)
	case atEnd:
		return s.Host.End
	}
	return s.Host.Start
}

// Span maps a span of the document to the host. Text the reader wrote
// itself (the "{" of a translated YAML mapping, a JSON key standing for
// an HCL attribute) goes to the host element that follows it there: a
// finding on a document's "{" lands on its first key, not on the whole
// mapping.
func (m *HostMap) Span(sp Span) Span {
	if m == nil {
		return sp
	}
	if next, ok := m.followingElement(sp); ok {
		return next.Host
	}
	start := m.Offset(sp.Start, false)
	end := m.Offset(sp.End, sp.End > sp.Start)
	if end < start {
		end = start
	}
	return Span{start, end}
}

// followingElement finds, for a span of text the reader wrote inside a
// translated segment (and not the whole of it), the first segment of its
// own that starts after the span within that segment.
func (m *HostMap) followingElement(sp Span) (Segment, bool) {
	outer, ok := m.innermost(sp.Start, false)
	if !ok || outer.Exact || sp.Start == sp.End || sp.Start <= outer.Doc.Start && sp.End >= outer.Doc.End {
		return Segment{}, false
	}
	var next Segment
	found := false
	for _, s := range m.segments {
		if s.Doc.Len() > 0 && s.Doc.Start >= sp.End && s.Doc.End <= outer.Doc.End && (!found || s.Doc.Start < next.Doc.Start) {
			next, found = s, true
		}
	}
	return next, found
}

// DocOffset maps a host offset into the document: the innermost segment
// whose host range holds it decides. ok is false outside the document.
func (m *HostMap) DocOffset(host int) (int, bool) {
	if m == nil {
		return host, true
	}
	if host < m.Whole.Start || host > m.Whole.End {
		return 0, false
	}
	var best Segment
	found := false
	for _, s := range m.segments {
		if s.Host.Start <= host && host <= s.Host.End && (!found || s.Host.Len() <= best.Host.Len()) {
			best, found = s, true
		}
	}
	switch {
	case !found:
		return 0, true
	case best.Exact:
		return min(best.Doc.Start+host-best.Host.Start, best.Doc.End), true
	}
	return best.Doc.Start, true
}

// exactAt finds the exact segment that holds a document offset for an
// edit. At a boundary between two segments the host may hold text of its
// own between them (the indentation of a YAML block scalar's next line):
// an edit's start goes to the segment that starts there, its end to the
// one that ends there, so that the edit keeps that text.
func (m *HostMap) exactAt(offset int, atEnd bool) (Segment, bool) {
	var found Segment
	ok := false
	for _, s := range m.segments {
		if !s.Exact || s.Region == 0 || offset < s.Doc.Start || offset > s.Doc.End {
			continue
		}
		inner := offset > s.Doc.Start && offset < s.Doc.End
		preferred := atEnd && offset == s.Doc.End || !atEnd && offset == s.Doc.Start
		if inner || preferred {
			return s, true
		}
		if !ok {
			found, ok = s, true
		}
	}
	return found, ok
}

// Edits maps quick-fix edits to the host. It succeeds only when each edit
// starts and ends in writable text of one region and the host can write
// the new text there: a fix that cannot be written in the host's syntax
// is not offered rather than offered wrong.
func (m *HostMap) Edits(edits []Edit) ([]Edit, bool) {
	if m == nil {
		return edits, true
	}
	out := make([]Edit, 0, len(edits))
	for _, e := range edits {
		first, ok1 := m.exactAt(e.Span.Start, false)
		last, ok2 := first, ok1
		if e.Span.End > e.Span.Start {
			last, ok2 = m.exactAt(e.Span.End, true)
		}
		if !ok1 || !ok2 || first.Region != last.Region {
			return nil, false
		}
		text := e.NewText
		if m.Encode != nil {
			var ok bool
			if text, ok = m.Encode(first.Region, text); !ok {
				return nil, false
			}
		}
		out = append(out, Edit{
			Span:    Span{first.Host.Start + e.Span.Start - first.Doc.Start, last.Host.Start + e.Span.End - last.Doc.Start},
			NewText: text,
		})
	}
	return out, true
}

// ToHost maps the findings of a document to its host file, in one place
// for check, explain and the server: spans, related places (in this
// document or another document of its workspace) and quick-fix edits.
// A fix whose edits cannot be written in a host's syntax is dropped.
func ToHost(f *File, fs []Finding) []Finding {
	if f.Host == nil && !relatesToHosted(f, fs) {
		return fs
	}
	out := make([]Finding, 0, len(fs))
	for _, fd := range fs {
		fd.Span = f.Host.Span(fd.Span)
		fd.Related = slices.Clone(fd.Related)
		for i, r := range fd.Related {
			fd.Related[i].Span = f.relatedMap(r).Span(r.Span)
		}
		var fixes []Fix
		for _, fix := range fd.AllFixes() {
			// Whether a host can write the edits decides whether the fix
			// is offered: a fix written only when asked for is written
			// here, for the documents other files hold.
			if edits, ok := f.Host.Edits(fix.Edits); ok {
				fix.Edits = edits
				fixes = append(fixes, fix)
			}
		}
		fd.Fixes, fd.FixLater = fixes, LaterFix{}
		out = append(out, fd)
	}
	SortFindings(out)
	return out
}

// relatesToHosted reports whether a finding points into a document that
// another file holds.
func relatesToHosted(f *File, fs []Finding) bool {
	if f.Workspace == nil || !f.Workspace.HoldsHosted() {
		// No document of another file has a host map (a folder of JSON
		// policies): nothing to look up for each related place of each
		// finding of each file.
		return false
	}
	for _, fd := range fs {
		for _, r := range fd.Related {
			if r.File != "" && f.relatedMap(r) != nil {
				return true
			}
		}
	}
	return false
}

// relatedMap is the host map of the document a related place is in. A
// place with no file is in this document, whether it names it or not: a
// single-file check (duplicate-sid's first use) names none.
func (f *File) relatedMap(r Related) *HostMap {
	if r.File == "" && (r.Doc == "" || r.Doc == f.DocName) {
		return f.Host
	}
	if f.Workspace == nil {
		return nil
	}
	path := r.File
	if path == "" {
		path = f.Path
	} else if !filepath.IsAbs(filepath.FromSlash(path)) {
		path = filepath.ToSlash(filepath.Join(filepath.Dir(filepath.FromSlash(f.Path)), filepath.FromSlash(path)))
	}
	return f.Workspace.HostMapOf(path, r.Doc)
}
