package eval

import (
	"io/fs"
	"os"
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

	mu      sync.Mutex
	blocked map[string][]analysis.BlockedRequest // Blocked's answers, by principal
}

// MaxFileSize bounds the files read: no policy is near 1 MB.
const MaxFileSize = 1 << 20

// NewWorkspace starts an empty workspace rooted at dir; the server fills
// it from its open buffers with AddConfig and AddFile.
func NewWorkspace(dir string) *Workspace {
	return &Workspace{Dir: dir, Buckets: map[string]*analysis.BucketFacts{}, bucketConfig: map[string]string{}}
}

// PolicyFiles lists the policies that parsed (analysis.Workspace).
func (w *Workspace) PolicyFiles() []*analysis.File { return w.Files }

// LoadWorkspace reads every JSON file under dir that Scan lists, with
// the nearest .s3policy.json of each.
func LoadWorkspace(dir string) (*Workspace, error) {
	texts, err := ReadAll(dir)
	if err != nil {
		return nil, err
	}
	return Build(dir, texts), nil
}

// ReadAll reads the files Scan lists under dir, by path.
func ReadAll(dir string) (map[string][]byte, error) {
	paths, _, err := Scan(dir)
	if err != nil {
		return nil, err
	}
	texts := map[string][]byte{}
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		texts[path] = src
	}
	return texts, nil
}

// Skipped is a file Scan leaves out, and why.
type Skipped struct {
	Path   string
	Reason analysis.Text
}

// Scan lists the .json files under dir, .s3policy.json included. It
// skips .git and node_modules, files over MaxFileSize, and symbolic
// links: a link to a file inside dir is listed, one that leads out of
// dir, loops or names a folder is not followed, so that nothing outside
// the folder is read and no folder is walked twice.
func Scan(dir string) (paths []string, skipped []Skipped, err error) {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, nil, err
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		if reason, ok := scannable(path, realDir); !ok {
			skipped = append(skipped, Skipped{path, reason})
			return nil
		}
		paths = append(paths, path)
		return nil
	})
	return paths, skipped, err
}

// Scannable reports whether Scan of dir would read the file at path: the
// server asks it of a file that changed on disk.
func Scannable(path, dir string) bool {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil || !inside(path, dir) {
		return false
	}
	rel, _ := filepath.Rel(dir, path)
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part == ".git" || part == "node_modules" {
			return false
		}
	}
	_, ok := scannable(path, realDir)
	return ok
}

// scannable decides whether Scan reads a file, and says why not.
func scannable(path, realDir string) (analysis.Text, bool) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		switch {
		case err != nil:
			return analysis.T("a symbolic link that loops or leads nowhere", "ループしているか行き先のないシンボリックリンク"), false
		case !inside(target, realDir):
			return analysis.T("a symbolic link out of the workspace folder", "ワークスペースフォルダーの外を指すシンボリックリンク"), false
		}
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return analysis.T("not readable: "+err.Error(), "読めません: "+err.Error()), false
	case !info.Mode().IsRegular():
		return analysis.T("not a regular file", "通常のファイルではありません"), false
	case info.Size() > MaxFileSize:
		return analysis.T("larger than 1 MB", "1 MB を超えています"), false
	}
	return analysis.Text{}, true
}

// inside reports whether path lies in dir or below it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Build makes the workspace of dir from the texts of its files (path →
// text, .s3policy.json files included): each policy is analysed under
// the nearest config among texts in its folder or above, up to dir.
func Build(dir string, texts map[string][]byte) *Workspace {
	w := NewWorkspace(dir)
	configs, paths := parseConfigs(texts)
	for _, path := range paths {
		if cfg, ok := configs[path]; ok {
			w.AddConfig(path, cfg)
		}
	}
	for _, path := range paths {
		if _, ok := configs[path]; !ok {
			w.AddFile(analysis.NewFile(path, texts[path], nearestConfig(path, dir, configs)))
		}
	}
	return w
}

// Units splits the files of dir into workspaces, as go.mod splits a
// repository into modules: the files governed by one .s3policy.json form
// a workspace rooted at its folder, and the files governed by none one
// rooted at dir. So two example folders with their own config never see
// each other's SCPs. The server and check use Units; explain on a folder
// takes the whole folder.
func Units(dir string, texts map[string][]byte) []*Workspace {
	configs, paths := parseConfigs(texts)
	units := map[string]*Workspace{}
	var order []*Workspace
	unit := func(root string) *Workspace {
		if units[root] == nil {
			units[root] = NewWorkspace(root)
			order = append(order, units[root])
		}
		return units[root]
	}
	for _, path := range paths {
		if cfg, ok := configs[path]; ok {
			unit(filepath.Dir(path)).AddConfig(path, cfg)
		}
	}
	for _, path := range paths {
		if _, ok := configs[path]; ok {
			continue
		}
		cfg := nearestConfig(path, dir, configs)
		root := dir
		if cfg != nil {
			root = cfg.Dir
		}
		unit(root).AddFile(analysis.NewFile(path, texts[path], cfg))
	}
	return order
}

// parseConfigs parses the .s3policy.json files among texts, and lists
// every path in order.
func parseConfigs(texts map[string][]byte) (map[string]*analysis.Config, []string) {
	configs := map[string]*analysis.Config{}
	paths := make([]string, 0, len(texts))
	for path, text := range texts {
		paths = append(paths, path)
		if filepath.Base(path) == analysis.ConfigName {
			configs[path], _ = analysis.ParseConfig(filepath.Dir(path), text)
		}
	}
	slices.Sort(paths)
	return configs, paths
}

// nearestConfig is the config in the file's folder or above, up to dir.
func nearestConfig(path, dir string, configs map[string]*analysis.Config) *analysis.Config {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if cfg, ok := configs[filepath.Join(d, analysis.ConfigName)]; ok {
			return cfg
		}
		if d == filepath.Clean(dir) || filepath.Dir(d) == d {
			return nil
		}
	}
}

// File returns the policy file at path, or nil.
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

// AddFile adds a document: a policy joins Files, a policy file that is
// not valid JSON joins Broken, anything else is left out.
func (w *Workspace) AddFile(f *analysis.File) {
	f.Workspace = w
	w.forget()
	switch {
	case f.Policy != nil:
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
		d := &Doc{Name: w.rel(f.Path), Src: f.Src, Policy: f.Policy}
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
	w.blocked = nil
	w.mu.Unlock()
}
