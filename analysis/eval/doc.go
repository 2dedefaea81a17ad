package eval

import (
	"bytes"
	"slices"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Doc is one policy and where it comes from, so that a cause can name the
// policy and the line.
type Doc struct {
	Name   string // a file path, or a scenario field such as "identityPolicies[0]"
	Src    []byte // the text the policy's spans index into
	Policy *analysis.Policy
	// Host, for a policy inside another file, maps Src to that file; its
	// lines are the file's.
	Host *analysis.HostMap
	// Assumed is set on a policy the engine assumes (an AWS default), which
	// has no line to point at.
	Assumed bool
	// Gateway is set on the policy of a gateway VPC endpoint: an AWS
	// account its Principal names means the account's root user alone
	// (gatewayGrant).
	Gateway bool

	name  docName    // Name's handle, set by the workspace that made the Doc (ReadSet)
	lines *lineIndex // shared by the docs of one source; built on first use
	// at is where Src starts in the text of lines: a scenario's policy is
	// parsed once for every scenario that holds the same text, and each
	// scenario's Doc says where its copy stands.
	at int
}

// lineIndex holds the offsets of the newlines of a source, so that a
// batch of scenarios in one file does not count lines from the start for
// every cause. The offsets are found on the first question: most
// scenarios of a batch never ask.
type lineIndex struct {
	src      []byte
	before   int // lines before src: a scenario read from a stream is a part of its file
	newlines []int
	once     sync.Once
}

func newLineIndex(src []byte) *lineIndex { return &lineIndex{src: src} }

func (ix *lineIndex) line(offset int) int {
	ix.once.Do(func() {
		// Counted first: one allocation, not one per doubling.
		ix.newlines = make([]int, 0, bytes.Count(ix.src, []byte{'\n'}))
		for i, c := range ix.src {
			if c == '\n' {
				ix.newlines = append(ix.newlines, i)
			}
		}
	})
	n, _ := slices.BinarySearch(ix.newlines, offset)
	return ix.before + n + 1
}

// NewDoc parses src as one policy document. It reports false when src is
// not JSON; a document without statements is a policy that allows nothing.
func NewDoc(name string, src []byte) (*Doc, bool) {
	root, syn := analysis.ParseJSON(src)
	if syn != nil {
		return nil, false
	}
	return &Doc{Name: name, Src: src, Policy: analysis.NewPolicy(root)}, true
}

// Line is the 1-based line of a byte offset in the document's text.
func (d *Doc) Line(offset int) int {
	if d.Assumed {
		return 0
	}
	if d.Host != nil && d.Host.Text != nil {
		offset = d.Host.Offset(offset, false)
		if d.lines == nil {
			d.lines = newLineIndex(d.Host.Text)
		}
		return d.lines.line(offset)
	}
	if d.lines == nil {
		d.lines = newLineIndex(d.Src)
	}
	return d.lines.line(d.at + offset)
}

// variables reports whether the policy substitutes policy variables.
func (d *Doc) variables() bool { return d.Policy.VersionText() == variablesVersion }
