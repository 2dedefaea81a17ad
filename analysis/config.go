package analysis

import (
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ConfigName is the workspace file that says what the policies alone
// cannot: which kind each file is, whose it is, and the facts about the
// buckets they govern.
const ConfigName = ".s3policy.json"

// ConfigCode is the code of findings in .s3policy.json itself.
const ConfigCode = "invalid-config"

// Config is a parsed .s3policy.json.
type Config struct {
	Dir      string   // the folder that holds it; file patterns are relative to it
	Accounts []string // accounts expected to reach the buckets
	Buckets  map[string]*BucketFacts
	Files    []*FileFacts // in the order written; the first match wins
	// Severity overrides the default severity per code.
	Severity map[string]Severity
	// Disable lists codes that are not reported.
	Disable []string
	Locale  string

	// facts indexes Files for FactsFor. ParseConfig builds it; a Config
	// written by hand, or whose Files changed since, is scanned instead.
	facts *factsIndex
	// bucketNames are the keys of Buckets, sorted, as ParseConfig read
	// them: the checks of every policy of a governed folder ask for them
	// (3,000 buckets at 10,000 policies).
	bucketNames []string
}

// BucketNames lists the buckets of the config in a stable order.
func (c *Config) BucketNames() []string {
	if c == nil {
		return nil
	}
	if c.bucketNames != nil && len(c.bucketNames) == len(c.Buckets) {
		return c.bucketNames
	}
	return slices.Sorted(maps.Keys(c.Buckets))
}

// BucketFacts are what the bucket's configuration says.
type BucketFacts struct {
	Name            string
	Account         string
	Encryption      string // "AES256" or "aws:kms"
	KMSKeyARN       string
	ObjectOwnership string // BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter
	RequesterPays   bool
	Region          string // the bucket's Region: the value of aws:RequestedRegion for its requests
}

// FileFacts is the config entry for one file pattern.
type FileFacts struct {
	Pattern   string
	Kind      Kind
	Account   string // the account the policy belongs to
	Bucket    string // for a bucket policy: the bucket it is attached to
	Principal string // for identity, boundary and session policies: the user or role ARN
	Key       string // for a key policy: the key ARN
	Endpoint  string // for an endpoint policy: the endpoint ID (vpce-...)
	// Target is, for an SCP, the root (r-...), OU (ou-...) or account it
	// is attached to: the SCPs of one target are one level of the
	// organization, where one of them must allow. An SCP without a target
	// is a level of its own. An account target is also the policy's
	// account when "account" is not given.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
	Target string

	// EndpointType, for an endpoint policy, is the endpoint's type as its
	// host says it: EndpointGateway, EndpointInterface, or "" (unknown).
	EndpointType string
}

const configDocURL = "https://github.com/s3policy-lsp/s3policy-lsp#workspace-facts-s3policyjson"

var (
	encryptions   = []string{"AES256", "aws:kms", "aws:kms:dsse"}
	ownerships    = []string{"BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"}
	kindNamesList = func() []string {
		out := make([]string, len(Kinds))
		for i, k := range Kinds {
			out[i] = string(k)
		}
		return out
	}()
)

// ParseConfig reads .s3policy.json. It always returns a usable Config:
// what is wrong is reported as findings in the config file and skipped.
func ParseConfig(dir string, src []byte) (*Config, []Finding) {
	cfg := &Config{Dir: dir, Buckets: map[string]*BucketFacts{}, Severity: map[string]Severity{}}
	root, syn := ParseJSON(src)
	if syn != nil {
		return cfg, []Finding{syntaxFinding(syn)}
	}
	r := &configReader{}
	if !r.expect(root, Object, "the configuration") {
		return cfg, r.findings
	}
	for _, f := range root.Fields {
		switch f.Key {
		case "accounts":
			for _, v := range r.stringList(f.Value, "accounts") {
				if r.account(v) {
					cfg.Accounts = append(cfg.Accounts, v.Str)
				}
			}
		case "buckets":
			r.buckets(cfg, f.Value)
		case "files":
			r.files(cfg, f.Value)
		case "severity":
			r.severities(cfg, f.Value)
		case "disable":
			for _, v := range r.stringList(f.Value, "disable") {
				cfg.Disable = append(cfg.Disable, v.Str)
			}
		case "locale":
			if r.expect(f.Value, String, "locale") {
				cfg.Locale = f.Value.Str
			}
		default:
			r.unknownKey(f, "accounts", "buckets", "files", "severity", "disable", "locale")
		}
	}
	cfg.facts = newFactsIndex(cfg.Files)
	cfg.bucketNames = slices.Sorted(maps.Keys(cfg.Buckets))
	return cfg, r.findings
}

type configReader struct{ findings []Finding }

func (r *configReader) report(span Span, msg Text) {
	r.findings = append(r.findings, Finding{Code: ConfigCode, Severity: Error, Span: span, Message: SayText(msg), DocURL: configDocURL})
}

func (r *configReader) expect(v *Value, kind ValueKind, what string) bool {
	if v.Kind == kind {
		return true
	}
	article := "a "
	if v.Kind == Array || v.Kind == Object {
		article = "an "
	}
	r.report(v.Span, Text{
		EN: fmt.Sprintf("%s must be a JSON %s, not %s%s", what, kind, article, v.Kind),
		JA: fmt.Sprintf("%s は JSON の %s でなければなりません (%s ではなく)", what, kind, v.Kind),
	})
	return false
}

func (r *configReader) unknownKey(f *Field, known ...string) {
	msg := Tf("unknown key %q; expected one of: %s", "不明なキー %q。使えるキー: %s", f.Key, strings.Join(known, ", "))
	if s := Closest(f.Key, known); s != "" {
		msg = Tf("unknown key %q; did you mean %q?", "不明なキー %q。%q の誤りではありませんか?", f.Key, s)
	}
	r.report(f.KeySpan, msg)
}

func (r *configReader) stringList(v *Value, what string) []*Value {
	if v.Kind != Array {
		r.expect(v, Array, what)
		return nil
	}
	var out []*Value
	for _, item := range v.Items {
		if r.expect(item, String, "each entry of "+what) {
			out = append(out, item)
		}
	}
	return out
}

// isAccountID says whether s is an AWS account ID: 12 ASCII digits (what
// the regexp ^[0-9]{12}$ matched; a plain loop needs no regexp compiled
// when the program starts).
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (r *configReader) account(v *Value) bool {
	if isAccountID(v.Str) {
		return true
	}
	r.report(v.Span, Tf("%q is not an AWS account ID (12 digits)", "%q は AWS アカウント ID (12 桁の数字) ではありません", v.Str))
	return false
}

// target checks an SCP's target: the root (r-...), an OU (ou-...) or an
// account ID, as Organizations' list-targets-for-policy names them.
func (r *configReader) target(v *Value) bool {
	if isAccountID(v.Str) || strings.HasPrefix(v.Str, "r-") || strings.HasPrefix(v.Str, "ou-") {
		return true
	}
	r.report(v.Span, Tf("%q is not an SCP target: the root (r-...), an OU (ou-...) or an account ID (12 digits)",
		"%q は SCP のアタッチ先 (ルート r-...、OU ou-...、アカウント ID 12 桁) ではありません", v.Str))
	return false
}

func (r *configReader) oneOf(v *Value, what string, allowed []string) bool {
	if !r.expect(v, String, what) {
		return false
	}
	for _, a := range allowed {
		if v.Str == a {
			return true
		}
	}
	r.report(v.Span, Tf("%s must be one of %s", "%s は %s のいずれかでなければなりません", what, strings.Join(allowed, ", ")))
	return false
}

func (r *configReader) buckets(cfg *Config, v *Value) {
	if !r.expect(v, Object, "buckets") {
		return
	}
	for _, bf := range v.Fields {
		if b := r.bucket(bf.Key, bf.Value); b != nil {
			cfg.Buckets[b.Name] = b
		}
	}
}

// ParseBucketFacts reads the facts of one bucket, as written under
// "buckets" in .s3policy.json and in an explain scenario.
func ParseBucketFacts(name string, v *Value) (*BucketFacts, []Finding) {
	r := &configReader{}
	b := r.bucket(name, v)
	return b, r.findings
}

func (r *configReader) bucket(name string, v *Value) *BucketFacts {
	if !r.expect(v, Object, "bucket "+name) {
		return nil
	}
	b := &BucketFacts{Name: name}
	aliased := false
	for _, f := range v.Fields {
		switch f.Key {
		case "account":
			if r.expect(f.Value, String, "account") && r.account(f.Value) {
				b.Account = f.Value.Str
			}
		case "encryption":
			if r.oneOf(f.Value, "encryption", encryptions) {
				b.Encryption = f.Value.Str
			}
		case "kmsKeyArn":
			if r.expect(f.Value, String, "kmsKeyArn") {
				b.KMSKeyARN = f.Value.Str
				if alias, ok := KMSAlias(f.Value.Str); ok {
					r.report(f.Value.Span, Tf(
						"kmsKeyArn %s is a KMS alias, not a key: give the key's ARN (`aws kms describe-key --key-id %s` prints it as KeyMetadata.Arn); until then KMS is not evaluated for bucket %s",
						"kmsKeyArn %s は KMS のエイリアスで、キーではありません。キーの ARN を指定してください (`aws kms describe-key --key-id %s` の KeyMetadata.Arn)。それまでバケット %s の KMS は評価しません",
						f.Value.Str, alias, name))
					aliased = true
				}
			}
		case "objectOwnership":
			if r.oneOf(f.Value, "objectOwnership", ownerships) {
				b.ObjectOwnership = f.Value.Str
			}
		case "requesterPays":
			if r.expect(f.Value, Bool, "requesterPays") {
				b.RequesterPays = f.Value.Str == "true"
			}
		case "region":
			if r.expect(f.Value, String, "region") {
				b.Region = f.Value.Str
			}
		default:
			r.unknownKey(f, "account", "encryption", "kmsKeyArn", "objectOwnership", "requesterPays", "region")
		}
	}
	if aliased {
		// The key the alias points to is unknown: no KMS facts, rather
		// than a denial from a key the tool cannot see.
		b.Encryption, b.KMSKeyARN = "", ""
	}
	return b
}

// KMSAlias tells whether key names a KMS alias (alias/NAME or its ARN,
// arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME) rather than a key, and
// gives alias/NAME. The AWS managed key's alias aws/s3 is known (the
// engine reads it as that key) and is not reported. S3 accepts an alias
// as a bucket's KMSMasterKeyID and returns it as set.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html
func KMSAlias(key string) (string, bool) {
	alias := key
	if strings.HasPrefix(key, "arn:") {
		parts := strings.SplitN(key, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return "", false
		}
		alias = parts[5]
	}
	if !strings.HasPrefix(alias, "alias/") || alias == "alias/aws/s3" {
		return "", false
	}
	return alias, true
}

func (r *configReader) files(cfg *Config, v *Value) {
	if !r.expect(v, Object, "files") {
		return
	}
	for _, ff := range v.Fields {
		if !r.expect(ff.Value, Object, "the entry for "+ff.Key) {
			continue
		}
		if _, err := path.Match(strings.ReplaceAll(ff.Key, "**", "*"), ""); err != nil {
			r.report(ff.KeySpan, Tf("%q is not a valid file pattern", "%q は正しいファイルパターンではありません", ff.Key))
			continue
		}
		facts := &FileFacts{Pattern: ff.Key}
		for _, f := range ff.Value.Fields {
			target := map[string]*string{"account": &facts.Account, "bucket": &facts.Bucket, "principal": &facts.Principal, "key": &facts.Key, "endpoint": &facts.Endpoint}[f.Key]
			switch {
			case f.Key == "kind":
				if r.oneOf(f.Value, "kind", kindNamesList) {
					facts.Kind = Kind(f.Value.Str)
				}
			case f.Key == "account":
				if r.expect(f.Value, String, "account") && r.account(f.Value) {
					facts.Account = f.Value.Str
				}
			case f.Key == "endpointType":
				if r.oneOf(f.Value, "endpointType", []string{EndpointGateway, EndpointInterface}) {
					facts.EndpointType = f.Value.Str
				}
			case f.Key == "target":
				if r.expect(f.Value, String, "target") && r.target(f.Value) {
					facts.Target = f.Value.Str
				}
			case target != nil:
				if r.expect(f.Value, String, f.Key) {
					*target = f.Value.Str
				}
			default:
				r.unknownKey(f, "kind", "account", "bucket", "principal", "key", "endpoint", "target", "endpointType")
			}
		}
		if facts.Account == "" && isAccountID(facts.Target) {
			facts.Account = facts.Target
		}
		cfg.Files = append(cfg.Files, facts)
	}
}

func (r *configReader) severities(cfg *Config, v *Value) {
	if !r.expect(v, Object, "severity") {
		return
	}
	for _, f := range v.Fields {
		if !r.oneOf(f.Value, "the severity of "+f.Key, []string{"error", "warning", "information", "hint"}) {
			continue
		}
		sev, _ := ParseSeverity(f.Value.Str)
		cfg.Severity[f.Key] = sev
	}
}

// FactsFor returns the first entry, in the order written, whose pattern
// matches the file, or nil. A nil Config has no entries.
//
// It does not try every pattern: a governed folder's config names many
// files one entry each (key and endpoint policies) and only a few by
// wildcard, and the server asks for every file it reads. The index is
// built by ParseConfig and used while Files is the list it was built
// from (a Files reassigned or appended to is scanned entry by entry;
// entries changed in place are not seen). It is never written here, so
// lookups from several goroutines need no lock.
func (c *Config) FactsFor(file string) *FileFacts {
	if c == nil || len(c.Files) == 0 {
		return nil
	}
	if c.facts == nil || !c.facts.indexes(c.Files) {
		return c.factsForLinear(file)
	}
	rel, ok := c.relative(file)
	if !ok {
		return nil
	}
	return c.facts.lookup(rel)
}

// factsForLinear is FactsFor as a scan of every entry: the definition
// the index must agree with (tests and benchmarks compare them).
func (c *Config) factsForLinear(file string) *FileFacts {
	if c == nil || len(c.Files) == 0 {
		return nil
	}
	rel, ok := c.relative(file)
	if !ok {
		return nil
	}
	for _, f := range c.Files {
		if MatchGlob(f.Pattern, rel) {
			return f
		}
	}
	return nil
}

// relative is the file's path from the config's folder, with slashes:
// what the patterns are matched against.
func (c *Config) relative(file string) (string, bool) {
	rel, err := filepath.Rel(c.Dir, file)
	if err != nil {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// factsIndex finds the first matching entry of Files without trying them
// all. A pattern without wildcards matches exactly the path it spells
// (MatchGlob compares it segment by segment, and path.Match a segment
// without *, ?, [ or \ by equality), so those are looked up in a map; the
// others are tried in order, but only those written before the literal
// entry that matches, if any.
type factsIndex struct {
	files   []*FileFacts   // the Files it was built from
	literal map[string]int // a pattern without wildcards: the position of its first entry
	globs   []indexedGlob  // the other entries, in the order written
}

type indexedGlob struct {
	at   int // position in files
	segs []globSegment
}

func newFactsIndex(files []*FileFacts) *factsIndex {
	x := &factsIndex{files: files, literal: make(map[string]int, len(files))}
	for i, f := range files {
		if hasWildcard(f.Pattern) {
			x.globs = append(x.globs, indexedGlob{at: i, segs: compileGlob(f.Pattern)})
		} else if _, seen := x.literal[f.Pattern]; !seen {
			x.literal[f.Pattern] = i
		}
	}
	return x
}

// indexes reports whether the index was built from this list: the same
// backing array and length (an append that grows the list, or a new list,
// changes one of them).
func (x *factsIndex) indexes(files []*FileFacts) bool {
	return len(files) == len(x.files) && (len(files) == 0 || &files[0] == &x.files[0])
}

func (x *factsIndex) lookup(rel string) *FileFacts {
	first := len(x.files)
	if i, ok := x.literal[rel]; ok {
		first = i
	}
	var name []string // split once, for the patterns that need it
	for _, g := range x.globs {
		if g.at > first {
			break
		}
		if name == nil {
			name = strings.Split(rel, "/")
		}
		if matchGlobSegments(g.segs, name) {
			return x.files[g.at]
		}
	}
	if first < len(x.files) {
		return x.files[first]
	}
	return nil
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// globSegment is one segment of a pattern, with the cheapest test that
// gives path.Match's answer for it.
type globSegment struct {
	how  segmentTest
	text string // the segment; for endsWith, what follows the "*"
}

type segmentTest uint8

const (
	anySegments segmentTest = iota // "**"
	sameText                       // no wildcard: path.Match compares bytes
	endsWith                       // "*" then no wildcard: "*" takes any bytes but "/", which a segment has none of
	pathMatch                      // anything else
)

func compileGlob(pattern string) []globSegment {
	parts := strings.Split(pattern, "/")
	segs := make([]globSegment, len(parts))
	for i, p := range parts {
		switch {
		case p == "**":
			segs[i] = globSegment{anySegments, p}
		case !hasWildcard(p):
			segs[i] = globSegment{sameText, p}
		case p[0] == '*' && !hasWildcard(p[1:]):
			segs[i] = globSegment{endsWith, p[1:]}
		default:
			segs[i] = globSegment{pathMatch, p}
		}
	}
	return segs
}

func (g globSegment) matches(name string) bool {
	switch g.how {
	case sameText:
		return name == g.text
	case endsWith:
		return strings.HasSuffix(name, g.text)
	}
	ok, _ := path.Match(g.text, name)
	return ok
}

// matchGlobSegments is matchSegments on a compiled pattern. A "**" with
// no other after it can only be followed by as many name segments as
// the rest of the pattern has, so it tries that one split, not all.
func matchGlobSegments(pat []globSegment, name []string) bool {
	for len(pat) > 0 {
		if pat[0].how == anySegments {
			rest := pat[1:]
			if !slices.ContainsFunc(rest, func(s globSegment) bool { return s.how == anySegments }) {
				i := len(name) - len(rest)
				return i >= 0 && matchGlobSegments(rest, name[i:])
			}
			for i := 0; i <= len(name); i++ {
				if matchGlobSegments(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 || !pat[0].matches(name[0]) {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// Bucket returns the facts for a bucket name, or nil.
func (c *Config) Bucket(name string) *BucketFacts {
	if c == nil {
		return nil
	}
	return c.Buckets[name]
}

// Disabled reports whether findings of code are switched off.
func (c *Config) Disabled(code string) bool {
	if c == nil {
		return false
	}
	for _, d := range c.Disable {
		if d == code {
			return true
		}
	}
	return false
}

func (c *Config) applySeverities(fs []Finding) {
	if c == nil || len(c.Severity) == 0 {
		return
	}
	for i := range fs {
		if s, ok := c.Severity[fs[i].Code]; ok {
			fs[i].Severity = s
		}
	}
}

// MatchGlob matches a slash path against a pattern in which "*", "?" and
// "[...]" work as in path.Match within one segment and "**" stands for
// any number of segments.
func MatchGlob(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
