package analysis

// Analysis is the documents of one file with their findings: what check
// prints and what the editor's features read. Everything it gives out is
// in the offsets of the file; the mapping from each document's JSON text
// to the host happens here and in ToHost, nowhere else.
type Analysis struct {
	Path string
	Docs []*File
	// Findings are every finding of the file, in its offsets: the file's
	// own (a template that cannot be read) and each document's.
	Findings []Finding
	own      []Finding   // the reader's findings about the file
	perDoc   [][]Finding // each document's findings, in its own offsets
	hostDoc  [][]Finding // the same, in the file's offsets
}

// AnalyzeFile runs the checks on each document of a file. fileFindings
// are the reader's findings about the file itself. The findings of a
// borrowed document (Document.Borrowed) lie in memory that its
// File.Recycle clears and gives to the next file: once it is recycled,
// Findings and what the Analysis gives of that document read as zero
// values (empty messages, spans at 0), or as the next file's findings,
// without an error. Place or copy them before Recycle, as check does.
func AnalyzeFile(path string, docs []*File, fileFindings []Finding, opts Options) *Analysis {
	n := len(docs)
	lists := make([][]Finding, 2*n) // perDoc and hostDoc in one allocation
	a := &Analysis{Path: path, Docs: docs, own: fileFindings, perDoc: lists[:n:n], hostDoc: lists[n:]}
	only, parts := fileFindings, 0 // the one list of findings, when only one has some
	if len(fileFindings) > 0 {
		parts++
	}
	for i, d := range docs {
		if !d.IsPolicyFile() {
			continue
		}
		fs := AnalyzeWith(d, opts)
		a.perDoc[i] = fs
		a.hostDoc[i] = ToHost(d, fs)
		if len(a.hostDoc[i]) > 0 {
			only = a.hostDoc[i]
			parts++
		}
	}
	if parts == 1 && findingsSorted(only) {
		// Nearly every file: one document, or the reader's findings alone.
		// Findings shares that list, at its exact capacity, rather than
		// copying every finding of every file once more (11 MB of what
		// check allocated over 10,000 ungoverned policies, issue 16).
		a.Findings = only[:len(only):len(only)]
		return a
	}
	if parts > 0 {
		a.Findings = append(a.Findings, fileFindings...)
		for _, fs := range a.hostDoc {
			a.Findings = append(a.Findings, fs...)
		}
	}
	SortFindings(a.Findings)
	return a
}

// ByDocument calls fn with the findings about the file itself (doc nil),
// then with each document's, all in the file's offsets: check prints the
// kind of the document beside each finding.
func (a *Analysis) ByDocument(fn func(doc *File, fs []Finding)) {
	if len(a.own) > 0 {
		fn(nil, a.own)
	}
	for i, d := range a.Docs {
		if len(a.hostDoc[i]) > 0 {
			fn(d, a.hostDoc[i])
		}
	}
}

// DocAt returns the document at a host offset, with the offset in its
// text; nil when no document is there.
func (a *Analysis) DocAt(offset int) (int, *File, int) {
	for i, d := range a.Docs {
		if at, ok := d.Host.DocOffset(offset); ok {
			return i, d, at
		}
	}
	return -1, nil, 0
}

// Hover explains what is at a host offset: the findings there and what
// the providers say of the element.
func (a *Analysis) Hover(offset int, providers []HoverProvider) (Text, Span, bool) {
	i, d, at := a.DocAt(offset)
	if d == nil {
		return Hover(&File{Path: a.Path}, a.Findings, offset, nil)
	}
	text, span, ok := Hover(d, a.perDoc[i], at, providers)
	return text, d.Host.Span(span), ok
}

// Complete suggests what may be typed at a host offset.
func (a *Analysis) Complete(offset int, completers []Completer) []CompletionItem {
	_, d, at := a.DocAt(offset)
	if d == nil || !d.IsPolicyFile() {
		return nil
	}
	var out []CompletionItem
	for _, complete := range completers {
		for _, c := range complete(d, at) {
			edits, ok := d.Host.Edits([]Edit{{Span: c.Replace, NewText: c.NewText}})
			if !ok {
				continue // the host cannot take the text there as written
			}
			c.Replace, c.NewText = edits[0].Span, edits[0].NewText
			out = append(out, c)
		}
	}
	return out
}

// Outline lists the documents' statements in host offsets; a document
// embedded in a host is one entry named where it sits, holding its own.
func (a *Analysis) Outline() []Symbol {
	var out []Symbol
	for _, d := range a.Docs {
		syms := mapSymbols(d.Host, Outline(d))
		if d.Host == nil {
			out = append(out, syms...)
			continue
		}
		name := d.DocName
		if name == "" {
			name = string(d.Kind)
		}
		out = append(out, Symbol{Name: name, Detail: d.Kind.Describe().EN, Span: d.Host.Whole, NameSpan: Span{d.Host.Whole.Start, d.Host.Whole.Start}, Children: syms})
	}
	return out
}

func mapSymbols(m *HostMap, syms []Symbol) []Symbol {
	if m == nil {
		return syms
	}
	for i := range syms {
		syms[i].Span = m.Span(syms[i].Span)
		syms[i].NameSpan = m.Span(syms[i].NameSpan)
		syms[i].Children = mapSymbols(m, syms[i].Children)
	}
	return syms
}
