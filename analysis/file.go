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
