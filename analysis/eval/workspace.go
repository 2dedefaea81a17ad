package eval

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Workspace is the policy files of a folder with what .s3policy.json says
// about them: which account, principal, bucket, key or endpoint each
// belongs to, and the buckets' settings.
type Workspace struct {
	Dir     string
	Files   []*analysis.File // policies that parsed
	Broken  []*analysis.File // policy files that are not valid JSON, left out
	Buckets map[string]*analysis.BucketFacts
	// bucketConfig is the .s3policy.json that describes each bucket,
	// relative to Dir.
	bucketConfig map[string]string

	// names holds each document's DocName, and named the reverse, so that
	// a scenario and a cause do not compute or search them per request.
	names map[*analysis.File]string
	named map[string]*analysis.File

	mu      sync.Mutex
	blocked map[string][]analysis.BlockedRequest // Blocked's answers, by principal
	// reads lists, by principal, the documents Blocked's evaluations read
	// (the bucket policies that grant and every policy of each scenario):
	// the language server re-evaluates a principal only when one of them,
	// or one that may join them, changes (Reuse).
	reads map[string]map[string]bool
}

// NewWorkspace starts an empty workspace rooted at dir; the tree package
// fills it with AddConfig and AddFile.
func NewWorkspace(dir string) *Workspace {
	return &Workspace{Dir: dir, Buckets: map[string]*analysis.BucketFacts{}, bucketConfig: map[string]string{},
		names: map[*analysis.File]string{}, named: map[string]*analysis.File{}}
}

// PolicyFiles lists the policies that parsed (analysis.Workspace).
func (w *Workspace) PolicyFiles() []*analysis.File { return w.Files }

// Bucket is what the workspace knows of a bucket (analysis.Workspace).
func (w *Workspace) Bucket(name string) *analysis.BucketFacts { return w.Buckets[name] }

// DocName is how causes name a document: its file relative to the
// workspace folder, then "#" and where it sits in its host when a host
// file holds it.
func (w *Workspace) DocName(f *analysis.File) string {
	if name, ok := w.names[f]; ok {
		return name
	}
	if f.DocName == "" {
		return w.rel(f.Path)
	}
	return w.rel(f.Path) + "#" + f.DocName
}

// byName returns the document DocName names, or nil.
func (w *Workspace) byName(name string) *analysis.File { return w.named[name] }

// File returns the first policy document of the file at path, or nil.
func (w *Workspace) File(path string) *analysis.File {
	for _, f := range w.Files {
		if f.Path == path {
			return f
		}
	}
	return nil
}

// Rel is how causes name a file: relative to the workspace folder.
func (w *Workspace) Rel(path string) string { return w.rel(path) }

// AddConfig records the buckets a .s3policy.json (at path) describes.
func (w *Workspace) AddConfig(path string, cfg *analysis.Config) {
	w.forget()
	for bucket, facts := range cfg.Buckets {
		w.Buckets[bucket] = facts
		w.bucketConfig[bucket] = w.rel(path)
	}
}

// AddBuckets records the bucket facts a host file (at path) states; a
// .s3policy.json's facts for the same bucket win.
func (w *Workspace) AddBuckets(path string, buckets []*analysis.BucketFacts) {
	for _, b := range buckets {
		if _, configured := w.Buckets[b.Name]; configured && strings.HasSuffix(w.bucketConfig[b.Name], analysis.ConfigName) {
			continue
		}
		w.forget()
		w.Buckets[b.Name] = b
		w.bucketConfig[b.Name] = w.rel(path)
	}
}

// AddFile adds a document: a policy joins Files, a policy file that is
// not valid JSON joins Broken, anything else is left out.
func (w *Workspace) AddFile(f *analysis.File) {
	f.Workspace = w
	w.forget()
	switch {
	case f.Policy != nil:
		name := w.DocName(f)
		w.names[f] = name
		if w.named[name] == nil { // the first of a name, as a search in order finds
			w.named[name] = f
		}
		w.Files = append(w.Files, f)
	case f.Syntax != nil:
		w.Broken = append(w.Broken, f)
	}
}

// Scenario gathers the policies that govern a request. Identity
// policies, boundaries and session policies belong to the principal the
// config names (a role's policies also to its sessions); a bucket policy
// to its bucket (from the config, else from its Resource ARNs); a key
// policy to the bucket's kmsKeyArn; an endpoint policy to its endpoint
// (or to every endpoint); SCPs and RCPs to their account (or to every
// account), each SCP file a level that must allow, beside FullAWSAccess
// when it only denies.
func (w *Workspace) Scenario(req Request) *Scenario {
	p := parsePrincipal(req.Principal)
	bucket := bucketOf(req.Resource)
	s := &Scenario{Request: req, Bucket: w.Buckets[bucket], BucketSource: w.bucketConfig[bucket]}
	account := s.resourceAccount(p)
	vpces := newContext(&req, p, account, "").get("aws:SourceVpce")
	for _, f := range w.Files {
		facts := f.Facts
		if facts == nil {
			facts = &analysis.FileFacts{}
		}
		d := &Doc{Name: w.DocName(f), Src: f.Src, Policy: f.Policy}
		switch f.Kind {
		case analysis.KindIdentity:
			if belongsTo(facts, p) {
				s.IdentityPolicies = append(s.IdentityPolicies, d)
			}
		case analysis.KindBoundary:
			if belongsTo(facts, p) {
				s.Boundaries = append(s.Boundaries, d)
			}
		case analysis.KindSession:
			if belongsTo(facts, p) {
				s.SessionPolicy = d
			}
		case analysis.KindBucket:
			if facts.Bucket == bucket || facts.Bucket == "" && namesBucket(f.Policy, bucket) {
				s.ResourcePolicy = d
			}
		case analysis.KindKey:
			if s.Bucket != nil && facts.Key != "" && facts.Key == s.Bucket.KMSKeyARN {
				s.KeyPolicy = d
			}
		case analysis.KindEndpoint:
			if facts.Endpoint == "" || slices.Contains(vpces, facts.Endpoint) {
				s.EndpointPolicies = append(s.EndpointPolicies, d)
			}
		case analysis.KindSCP:
			if facts.Account == "" || facts.Account == p.account {
				s.SCPs = append(s.SCPs, scpLevel(d))
			}
		case analysis.KindRCP:
			if facts.Account == "" || facts.Account == account {
				s.RCPs = append(s.RCPs, []*Doc{d})
			}
		}
	}
	return s
}

func (w *Workspace) rel(path string) string {
	if rel, err := filepath.Rel(w.Dir, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

// belongsTo reports whether a policy the config gives to a principal
// governs the caller.
func belongsTo(facts *analysis.FileFacts, p principal) bool {
	switch {
	case facts.Principal == "":
		return false
	case facts.Principal == p.arn:
		return true
	}
	return p.roleARN != "" && sameRole(facts.Principal, p.roleARN)
}

// namesBucket reports whether a policy's Resource names the bucket or
// its objects.
func namesBucket(p *analysis.Policy, bucket string) bool {
	if bucket == "" {
		return false
	}
	for _, st := range p.Statements {
		for _, r := range st.Resources() {
			if name := bucketOf(r.Str); name == bucket {
				return true
			}
		}
	}
	return false
}

// scpLevel is the level an SCP file stands for. An SCP without an Allow is
// a deny list, which AWS documents as attached beside FullAWSAccess; one
// with an Allow is an allow list, on its own.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html
func scpLevel(d *Doc) []*Doc {
	for _, st := range d.Policy.Statements {
		if st.IsAllow() {
			return []*Doc{d}
		}
	}
	return []*Doc{d, fullAWSAccess()}
}

// fullAWSAccess is the SCP AWS attaches by default.
func fullAWSAccess() *Doc {
	d, _ := NewDoc("FullAWSAccess", []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`))
	d.Assumed = true
	return d
}

// forget drops the answers Blocked keeps, when the workspace changes.
func (w *Workspace) forget() {
	w.mu.Lock()
	w.blocked, w.reads = nil, nil
	w.mu.Unlock()
}

// Reads reports whether an evaluation Blocked made for the principal
// read the document named name (DocName). ok is false when Blocked has
// not answered for the principal.
func (w *Workspace) Reads(principal, name string) (read, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	names, ok := w.reads[principal]
	return names[name], ok
}

// Reuse takes over prev's answers of Blocked for the principals keep
// accepts: the caller knows that none of the documents they read, and
// none that could join their scenarios, changed between prev and w.
func (w *Workspace) Reuse(prev *Workspace, keep func(principal string) bool) {
	prev.mu.Lock()
	blocked, reads := prev.blocked, prev.reads
	prev.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	for principal, out := range blocked {
		if !keep(principal) {
			continue
		}
		if w.blocked == nil {
			w.blocked, w.reads = map[string][]analysis.BlockedRequest{}, map[string]map[string]bool{}
		}
		w.blocked[principal], w.reads[principal] = out, reads[principal]
	}
}

// eachDoc calls f with every policy of the scenario that came from the
// workspace (not the assumed FullAWSAccess).
func (s *Scenario) eachDoc(f func(*Doc)) {
	one := func(d *Doc) {
		if d != nil && !d.Assumed {
			f(d)
		}
	}
	for _, d := range s.IdentityPolicies {
		one(d)
	}
	for _, d := range s.Boundaries {
		one(d)
	}
	for _, d := range s.EndpointPolicies {
		one(d)
	}
	for _, levels := range [][][]*Doc{s.SCPs, s.RCPs} {
		for _, level := range levels {
			for _, d := range level {
				one(d)
			}
		}
	}
	one(s.ResourcePolicy)
	one(s.SessionPolicy)
	one(s.KeyPolicy)
}
