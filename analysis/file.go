package analysis

import "bytes"

// KindSource says how a document's kind was decided, so the user can see
// why a rule applies.
type KindSource string

const (
	FromConfig   KindSource = ".s3policy.json"
	FromFileName KindSource = "file name"
	FromContent  KindSource = "content"
)

// File is one document ready for the checks.
type File struct {
	Path   string // slash-separated, as the user knows it
	Src    []byte
	Root   *Value       // nil when Syntax is set
	Syntax *SyntaxError // the first JSON error, if any
	Policy *Policy      // nil when the document is not a policy

	Kind       Kind
	KindSource KindSource
	Config     *Config    // the governing .s3policy.json; may be nil
	Facts      *FileFacts // the config's entry for this file; may be nil

	// Workspace is the project the file belongs to, for checks that look
	// across files; nil when the file is analysed on its own.
	Workspace Workspace
}

// Workspace is the set of policy files a file is analysed with: what a
// check needs to follow a request from an identity policy to the bucket,
// key, endpoint, SCP and session policies of other files.
type Workspace interface {
	// PolicyFiles lists every policy of the workspace that parsed, the
	// file under analysis included, each with its kind and facts.
	PolicyFiles() []*File
	// Blocked lists the requests that bucket policies of the workspace
	// grant to a principal of another account and that the policies of
	// the workspace deny, each with its causes.
	Blocked(principal string) []BlockedRequest
}

// BlockedRequest is a request a bucket policy grants and the workspace
// denies.
type BlockedRequest struct {
	Action, Resource string
	Grant            Place  // the Principal entry of the bucket policy that grants it
	GrantedTo        string // that entry's text: the caller or its account
	Causes           []Cause
	// Conditional: denied only for some values of keys the tool cannot
	// know (aws:SourceIp, aws:RequestedRegion, ...); the causes say when.
	Conditional bool
}

// Cause is one reason a request is denied, with the code of the check
// that stands for it and the element that decides it.
type Cause struct {
	Code    string
	Message Text
	Place   Place
	Located bool // false when no file holds the cause (a missing policy)
}

// Place is an element of a file of the workspace.
type Place struct {
	Path string // as File.Path
	Span Span
}

// NewFile parses src and decides whether it is a policy and of which
// kind: first from .s3policy.json, then from the file-name suffix, then
// from the content. A JSON file that is not a policy gets Policy == nil
// and no findings.
func NewFile(path string, src []byte, cfg *Config) *File {
	f := &File{Path: path, Src: src, Config: cfg}
	f.Facts = cfg.FactsFor(path)
	switch {
	case f.Facts != nil && f.Facts.Kind != KindUnknown:
		f.Kind, f.KindSource = f.Facts.Kind, FromConfig
	case KindFromName(path) != KindUnknown:
		f.Kind, f.KindSource = KindFromName(path), FromFileName
	}
	f.Root, f.Syntax = ParseJSON(src)
	if f.Syntax != nil {
		// Half-typed JSON is the normal case while editing: report it on
		// anything that is meant to be a policy.
		if f.Kind == KindUnknown && !bytes.Contains(src, []byte(`"Statement"`)) {
			f.Syntax = nil
		}
		return f
	}
	if f.Kind == KindUnknown && !IsPolicy(f.Root) {
		return f
	}
	f.Policy = NewPolicy(f.Root)
	if f.Kind == KindUnknown {
		f.Kind, f.KindSource = KindFromContent(f.Policy), FromContent
	}
	return f
}

// IsPolicyFile reports whether the document is, or is meant to be, a
// policy: one that gets findings.
func (f *File) IsPolicyFile() bool { return f.Policy != nil || f.Syntax != nil }
