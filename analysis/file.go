package analysis

import (
	"bytes"
	"strings"
)

// KindSource says how a document's kind was decided, so the user can see
// why a rule applies.
type KindSource string

const (
	FromConfig   KindSource = ".s3policy.json"
	FromFileName KindSource = "file name"
	FromContent  KindSource = "content"
	FromHost     KindSource = "use in the host file"
)

// File is one document ready for the checks.
type File struct {
	Path string // slash-separated, as the user knows it: the host file of an embedded document
	// DocName says where an embedded document sits in its host
	// ("aws_s3_bucket_policy.shared", "Resources.DataBucketPolicy"); empty
	// for a standalone policy, whose file is the document.
	DocName string
	// Host maps Src to the host file; nil when Src is the file itself.
	Host *HostMap
	// KindReason is the host's use that decided the kind, for the hover.
	KindReason string
	Src        []byte       // the policy as JSON text
	Root       *Value       // nil when Syntax is set
	Syntax     *SyntaxError // the first JSON error, if any
	Policy     *Policy      // nil when the document is not a policy

	Kind       Kind
	KindSource KindSource
	Config     *Config    // the governing .s3policy.json; may be nil
	Facts      *FileFacts // the config's entry for this file; may be nil

	// Workspace is the project the file belongs to, for checks that look
	// across files; nil when the file is analysed on its own, and for the
	// documents a language server's workspaces share from one edit to the
	// next (it analyses a copy bound to the workspace of the moment).
	Workspace Workspace

	slabs  *slabs     // the memory Root lies in, for Recycle
	origin *fixOrigin // the text its findings' fixes edit, made for the first
	// findings are the slice analyze collected the findings of a
	// borrowed document in (Document.Borrowed) and returned: Recycle
	// frees it with the tree.
	findings *[]Finding
	borrowed bool // Document.Borrowed
}

// fixOrigin is the document's text and tree for its findings' fixes, one for all
// of them (Pass.Report): Recycle marks it, so that a fix asked for later
// is refused rather than written from another file's tree.
func (f *File) fixOrigin() *fixOrigin {
	if f.origin == nil {
		f.origin = &fixOrigin{doc: FixDoc{Src: f.Src, Root: f.Root, Kind: f.Kind, Config: f.Config}}
	}
	return f.origin
}

// Recycle gives the memory of the document's tree to the next parse. The
// caller promises that nothing of the tree is used again: not Root, not
// Policy, not a fix written later (Finding.AllFixes panics). check
// recycles a file once its findings are placed; the server keeps its
// trees. Root and Policy of a tree in pooled slabs are cleared, so that a
// use that breaks the promise fails loudly rather than reading another
// document's values; a kept document's tree (Document.Kept) is in memory
// of its own and stays as it is.
func (f *File) Recycle() {
	if f.origin != nil {
		f.origin.recycled, f.origin = true, nil
	}
	if f.slabs != nil {
		freeSlabs.Put(f.slabs)
		f.slabs, f.Root, f.Policy = nil, nil, nil
	}
	if f.findings != nil {
		putScratchFindings(f.findings, *f.findings)
		f.findings = nil
	}
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
	// Bucket is what the workspace knows of a bucket: .s3policy.json's
	// facts, else those a host file states (a Terraform module's
	// aws_s3_bucket_* resources); nil when nothing is known.
	Bucket(name string) *BucketFacts
	// HostMapOf is the host map of the document of that slash-separated
	// path and name, nil when none is or it stands alone: a finding's
	// related places are looked up for every finding of every file, so
	// the workspace keeps a table rather than a walk over its files.
	HostMapOf(path, doc string) *HostMap
	// HoldsHosted reports whether HostMapOf gives a host map for some
	// document of the workspace.
	HoldsHosted() bool
}

// Bucket is what the config, else the workspace, says of a bucket.
func (f *File) Bucket(name string) *BucketFacts {
	if b := f.Config.Bucket(name); b != nil || f.Workspace == nil {
		return b
	}
	return f.Workspace.Bucket(name)
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
// that stands for it and the element that decides it. Its words are
// about the request it blocks: render them with it (BlockedRequest.Say).
type Cause struct {
	Code    string
	Message CauseMessage
	// Place is never nil (the zero Place when the cause is not Located).
	// The causes of a workspace's answers at one place point at one copy
	// of it (a Cause is 48 bytes, not 88, issue 16): compare what it
	// points at.
	Place   *Place
	Located bool // false when no file holds the cause (a missing policy)
}

// Message is a cause's words: a Text, or what the engine (analysis/eval)
// keeps to make one when it is read. A folder's answers hold hundreds of
// thousands of causes and the checks report a few of them, so the words
// are made when a finding is (issue 16). Two messages that compare equal
// render the same words, as two Texts do.
type Message interface {
	CauseMessage
	Render() Text
	In(locale string) string
}

// CauseMessage is what a cause of a blocked request says: a Message, or
// words the engine keeps without the request's action and resource, which
// About takes from the request. An SCP's Deny blocks thousands of uploads
// alike: its words, and the causes of each request it blocks, are kept
// once and shared by them all (issue 16).
type CauseMessage interface {
	// About renders the words about a request of this action and
	// resource; a Message renders itself, whatever the request.
	About(action, resource string) Text
	// TakesRequest reports whether About uses the request it is given.
	TakesRequest() bool
}

// Render is the text itself, a Message made already.
func (t Text) Render() Text { return t }

// About is the text itself, whatever the request.
func (t Text) About(action, resource string) Text { return t }

// TakesRequest is false: a Text names what it names.
func (t Text) TakesRequest() bool { return false }

// Say renders a cause of the request's in words.
func (b *BlockedRequest) Say(c *Cause) Text { return c.Message.About(b.Action, b.Resource) }

// Saying is what a cause says of a request, comparable: two Sayings are
// equal exactly when the words are, without making them.
type Saying struct {
	message          CauseMessage
	action, resource string // the request's, when the words take it
}

// Saying is what a cause of the request's says of it (Say).
func (b *BlockedRequest) Saying(c *Cause) Saying {
	if !c.Message.TakesRequest() {
		return Saying{message: c.Message}
	}
	return Saying{c.Message, b.Action, b.Resource}
}

// Place is an element of a document of the workspace.
type Place struct {
	Path string // as File.Path
	Doc  string // as File.DocName
	Span Span   // in the document's text
}

// NewFile parses a standalone JSON file and decides whether it is a
// policy and of which kind: first from .s3policy.json, then from the
// file-name suffix, then from the content. A JSON file that is not a
// policy gets Policy == nil and no findings.
func NewFile(path string, src []byte, cfg *Config) *File {
	return NewDocumentFile(path, Document{Text: src}, cfg)
}

// Document is a policy that a reader found in a file, with what the file
// says about it.
type Document struct {
	Name string   // where it sits in the host; empty for a standalone policy
	Text []byte   // the policy as JSON text
	Host *HostMap // nil when Text is the file itself
	// Kind is what the host's use of the document makes it (the resource
	// or attribute that holds it), with the use named in KindReason;
	// KindUnknown leaves it to the file name and the content.
	Kind       Kind
	KindReason string
	// Facts are what the host says of the document's owner: its bucket,
	// key, principal or account. The config's entry adds to them.
	Facts *FileFacts
	// NoVersion: the host adds Version itself (serverless statements).
	NoVersion bool
	// Kept is the caller's promise that Text is never written again and
	// stays as long as the File and anything taken from its tree (a
	// set's texts, the server's store): the parse then shares Text
	// rather than copying it, and, since such a File lives long, lays
	// its tree out in memory of its exact size (it is never recycled).
	// Without it Text is copied, so that a caller may read the next file
	// into the same buffer (check), and the tree is parsed in place, in
	// memory File.Recycle gives to the next parse.
	Kept bool
	// Borrowed is the caller's promise that Text is not written to until
	// the File is recycled (File.Recycle), and that nothing taken from its
	// tree, its findings included, is used after that (Recycle clears the
	// findings' memory and gives it to the next file: they, AnalyzeFile's
	// included, then read as zero values or as another file's): the parse then
	// shares Text rather than copying it, and the tree is parsed in
	// memory Recycle gives to the next parse. check reads each file it
	// analyses alone into a buffer of its worker, writes the file's
	// findings, recycles it, and reads the next file into the buffer.
	Borrowed bool
}

// textUse is what the caller promises of the document's text.
func (d *Document) textUse() textUse {
	switch {
	case d.Kept:
		return keepText
	case d.Borrowed:
		return borrowText
	}
	return copyText
}

// NewDocumentFile prepares a document of the file at path for the checks.
// Its kind comes first from .s3policy.json, then from the host's use of
// it, then from the file-name suffix, then from the content.
func NewDocumentFile(path string, d Document, cfg *Config) *File {
	src := d.Text
	f := &File{Path: path, DocName: d.Name, Host: d.Host, Src: src, Config: cfg}
	configured := cfg.FactsFor(path)
	f.Facts = mergeFacts(configured, d.Facts)
	switch {
	// A kind the config gives a host file of many documents would make
	// them all alike: there, the host's use of each wins.
	case configured != nil && configured.Kind != KindUnknown && (d.Host == nil || d.Kind == KindUnknown):
		f.Kind, f.KindSource = configured.Kind, FromConfig
	case d.Kind != KindUnknown:
		f.Kind, f.KindSource, f.KindReason = d.Kind, FromHost, d.KindReason
	case d.Host == nil && KindFromName(path) != KindUnknown:
		f.Kind, f.KindSource = KindFromName(path), FromFileName
	}
	f.Root, f.slabs, f.Syntax = parseJSON(src, d.textUse())
	f.borrowed = d.textUse() == borrowText
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
	var mem *policySlabs
	if f.slabs != nil { // the tree is recycled, and its policy with it
		mem = &f.slabs.policy
	}
	f.Policy = newPolicy(f.Root, mem)
	if f.Kind == KindUnknown {
		f.Kind, f.KindSource = KindFromContent(f.Policy), FromContent
	}
	return f
}

// mergeFacts lays the config's entry for a file over what its host says:
// what the config names wins, what it leaves empty the host fills.
func mergeFacts(config, host *FileFacts) *FileFacts {
	switch {
	case host == nil:
		return config
	case config == nil:
		if strings.Contains(host.Principal, "${AWS::") {
			out := *host
			out.Principal = stackPrincipal(host.Principal, host.Account)
			return &out
		}
		return host
	}
	out := *config
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&out.Account, host.Account)
	fill(&out.Bucket, host.Bucket)
	fill(&out.Principal, host.Principal)
	fill(&out.Key, host.Key)
	fill(&out.Endpoint, host.Endpoint)
	fill(&out.EndpointType, host.EndpointType)
	out.Principal = stackPrincipal(out.Principal, out.Account)
	return &out
}

// stackPrincipal fills in the account of a principal a template names in
// its own stack's account (arn:${AWS::Partition}:iam::${AWS::AccountId}:
// role/name) with the account .s3policy.json gives the template; without
// it the principal is not known.
func stackPrincipal(principal, account string) string {
	if !strings.Contains(principal, "${AWS::") {
		return principal
	}
	if account == "" {
		return ""
	}
	return strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::AccountId}", account).Replace(principal)
}

// Start is the host offset of the document's first character: its "{"
// in a JSON file, where its host range starts otherwise.
func (f *File) Start() int {
	if f.Host != nil {
		return f.Host.Whole.Start
	}
	if f.Root != nil {
		return f.Root.Span.Start
	}
	return 0
}

// IsPolicyFile reports whether the document is, or is meant to be, a
// policy: one that gets findings.
func (f *File) IsPolicyFile() bool { return f.Policy != nil || f.Syntax != nil }
