package checks

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// S3 actions by the resource type they take, from the IAM service data
// (the service authorization reference:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
var (
	s3BucketActions = sync.OnceValue(func() []string { return s3ActionsOn("bucket") })
	s3ObjectActions = sync.OnceValue(func() []string { return s3ActionsOn("object") })
)

// s3ActionsOn lists the S3 actions that act on a resource type, as
// "s3:Name".
func s3ActionsOn(resourceType string) []string {
	var out []string
	for _, a := range iamdata.Lookup("s3").Actions {
		for _, r := range a.Resources() {
			if r.Name == resourceType {
				out = append(out, "s3:"+a.Name())
				break
			}
		}
	}
	return out
}

// dataActions are what a cross-account user of a bucket needs day to day:
// a Deny of one of them is what makes "AccessDenied" on the bucket.
var dataActions = []string{"s3:ListBucket", "s3:GetObject", "s3:PutObject"}

// s3ResourceTypes reports whether an Action entry such as "s3:Get*" covers
// bucket-level actions, object-level actions, or both.
func s3ResourceTypes(pattern string) (bucket, object bool) {
	if t, ok := resourceTypes.Get(pattern); ok {
		return t[0], t[1]
	}
	bucket, object = matchesAnyAction(pattern, s3BucketActions()), matchesAnyAction(pattern, s3ObjectActions())
	resourceTypes.Put(pattern, [2]bool{bucket, object})
	return bucket, object
}

// resourceTypes keeps s3ResourceTypes by pattern: several checks ask it
// for every Action entry on every keystroke, and each answer scans about
// 150 S3 actions.
var resourceTypes = iamref.BoundedCache[[2]bool]{Max: 4096}

// coversS3 reports whether an Action entry covers some S3 action on
// buckets or objects.
func coversS3(pattern string) bool {
	bucket, object := s3ResourceTypes(pattern)
	return bucket || object
}

// coversDataAccess reports whether an Action entry covers one of the
// actions cross-account users need (s3:ListBucket, s3:GetObject, s3:PutObject).
func coversDataAccess(pattern string) bool { return matchesAnyAction(pattern, dataActions) }

func matchesAnyAction(pattern string, actions []string) bool {
	for _, a := range actions {
		if analysis.MatchAction(pattern, a) {
			return true
		}
	}
	return false
}

// anyMatch reports whether one of the Action entries covers action.
func anyMatch(patterns []*analysis.Value, action string) bool {
	for _, p := range patterns {
		if analysis.MatchAction(p.Str, action) {
			return true
		}
	}
	return false
}

// statementS3Actions reports which of the statement's actions reach S3:
// for Action, whether any entry covers an S3 action; for NotAction,
// whether some S3 action is left out of the list.
func statementS3Actions(s *analysis.Statement, data bool) bool {
	want := coversS3
	tables := [][]string{s3BucketActions(), s3ObjectActions()}
	if data {
		want, tables = coversDataAccess, [][]string{dataActions}
	}
	if s.NotAction != nil {
		excluded := analysis.Strings(s.NotAction)
		for _, table := range tables {
			for _, a := range table {
				if !anyMatch(excluded, a) {
					return true
				}
			}
		}
		return false
	}
	for _, a := range s.Actions() {
		if want(a.Str) {
			return true
		}
	}
	return false
}

const s3ARNPrefix = "arn:aws:s3:::"

// bucketARN and objectsARN are the ARNs a quick fix adds for a bucket.
func bucketARN(bucket string) string  { return s3ARNPrefix + bucket }
func objectsARN(bucket string) string { return s3ARNPrefix + bucket + "/*" }

// s3BucketOf returns the bucket part of an S3 ARN (maybe a pattern) and
// whether the ARN names objects.
func s3BucketOf(resource string) (bucket string, object, ok bool) {
	if !strings.Contains(resource, ":s3:::") {
		// Service s3 with no region and no account: every such ARN holds
		// ":s3:::". Other ARNs and "*" are not parsed (asked of every
		// Resource entry by several checks).
		return "", false, false
	}
	arn, ok := analysis.ParseARN(resource)
	if !ok {
		return "", false, false
	}
	return arn.BucketOrObject()
}

// s3BucketOfPattern is s3BucketOf of the entry with its template
// placeholders made wildcards (as coversObjectsOf reads it), and that
// pattern.
func s3BucketOfPattern(r *analysis.ResourceARN) (pattern, bucket string, object, ok bool) {
	pattern = analysis.ReplacePlaceholders(r.Value.Str, "*")
	if pattern != r.Value.Str {
		bucket, object, ok = s3BucketOf(pattern)
		return pattern, bucket, object, ok
	}
	bucket, object, ok = r.BucketOrObject()
	return pattern, bucket, object, ok
}

// coversBucket reports whether a Resource entry covers the bucket ARN.
// A template placeholder in the entry may stand for anything.
func coversBucket(pattern, bucket string) bool {
	return analysis.MatchWildcard(analysis.ReplacePlaceholders(pattern, "*"), bucketARN(bucket), false)
}

// coversObjectsOf reports whether a Resource entry covers some object of
// the bucket: "*", "arn:aws:s3:::*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/home/*".
func coversObjectsOf(pattern, bucket string) bool {
	pattern = analysis.ReplacePlaceholders(pattern, "*")
	if analysis.MatchWildcard(pattern, objectsARN(bucket), false) {
		return true
	}
	b, object, ok := s3BucketOf(pattern)
	return ok && object && analysis.MatchWildcard(b, bucket, false)
}

// reachesBucket reports whether a Resource entry covers the bucket or
// some of its objects. An entry without a wildcard or a placeholder
// reaches only a bucket it names: most entries, answered without the two
// ARNs and the matches (deny-blocks-access asks it of every Resource
// entry of every Deny).
//
// An S3 ARN that writes its bucket out ("arn:aws:s3:::b/*", the entries of
// most bucket policies) reaches that bucket alone: a wildcard after the
// bucket ranges over keys, never over buckets (a bucket name holds no
// '/'), so another bucket is answered by the names.
func reachesBucket(pattern, bucket string) bool {
	if named, ok := literalBucketOf(pattern); ok && strings.IndexByte(bucket, '/') < 0 {
		if named != bucket {
			return false
		}
	} else if iamref.IsLiteral(pattern) && !strings.Contains(pattern, bucket) {
		return false
	}
	return coversBucket(pattern, bucket) || coversObjectsOf(pattern, bucket)
}

// literalBucketOf returns NAME of an entry "arn:aws:s3:::NAME" or
// "arn:aws:s3:::NAME/...", when NAME holds no wildcard or placeholder.
func literalBucketOf(pattern string) (string, bool) {
	rest, ok := strings.CutPrefix(pattern, s3ARNPrefix)
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, iamref.IsLiteral(name)
}

// allowsS3On reports whether some Allow statement of the policy allows an
// S3 action on the bucket or its objects.
func allowsS3On(p *analysis.Policy, bucket string) bool {
	for _, s := range p.Statements {
		if !s.IsAllow() || !statementS3Actions(s, false) {
			continue
		}
		if s.NotResource != nil {
			return true
		}
		for _, r := range s.Resources() {
			if reachesBucket(r.Str, bucket) {
				return true
			}
		}
	}
	return false
}

// namedBuckets lists the buckets of .s3policy.json in a stable order.
func namedBuckets(cfg *analysis.Config) []string { return cfg.BucketNames() }

// namedBucketsReached lists, in namedBuckets' order, the buckets of
// .s3policy.json that a Resource entry of the statements may reach (every
// one when an entry has a wildcard or a placeholder): a policy names a
// few buckets of the thousands a team's config can list, and a check that
// asks of each named bucket whether the policy reaches it asked that of
// each policy thousands of times.
func namedBucketsReached(cfg *analysis.Config, p *analysis.Policy) []string {
	var reached []string
	arns := p.ResourceARNs()
	for _, s := range p.Statements {
		if s.NotResource != nil {
			return namedBuckets(cfg)
		}
		entries := arns.Of(s)
		for i := range entries {
			pattern, name, _, ok := s3BucketOfPattern(&entries[i])
			switch {
			case ok && !hasWildcard(name):
				// arn:aws:s3:::b or arn:aws:s3:::b/...: bucket b alone.
				if cfg.Bucket(name) != nil && !slices.Contains(reached, name) {
					reached = append(reached, name)
				}
			case ok || mayBeS3(pattern):
				return namedBuckets(cfg)
			}
		}
	}
	slices.Sort(reached)
	return reached
}

// mayBeS3 reports whether a Resource entry that is no bucket or object
// ARN may still match one: a wildcard ("*", "arn:aws:s3:*:*:*", a
// wildcard service) unless its service is another one (arn:aws:kms:...).
func mayBeS3(pattern string) bool {
	if !hasWildcard(pattern) {
		return false
	}
	fields := strings.SplitN(pattern, ":", 4)
	return len(fields) < 4 || hasWildcard(fields[0]+fields[1]+fields[2]) || fields[2] == "s3"
}

// uncoveredBuckets names, in namedBuckets' order, the first of the
// buckets of .s3policy.json on which no Allow statement of the policy
// allows an S3 action (at most bucketsNamed, as a finding names them),
// and counts them all. Which buckets a Resource entry reaches is asked of
// each bucket once per workspace and entry ("arn:aws:s3:::data-*" in a
// thousand endpoint policies), and the policy's buckets are the union of
// its entries': asking each of the thousands of buckets a team's config
// names whether each policy reaches it grew with the square of the
// folder (issue 16).
func uncoveredBuckets(pass *analysis.Pass) (first []string, total int) {
	reach := bucketReachOf(pass)
	covered := newBitSet(len(reach.names))
	arns := pass.Policy.ResourceARNs()
	for _, s := range pass.Policy.Statements {
		if !s.IsAllow() || !statementS3Actions(s, false) {
			continue
		}
		if s.NotResource != nil {
			return nil, 0 // every bucket, as allowsS3On says
		}
		entries := arns.Of(s)
		for j := range entries {
			r := &entries[j]
			if i, literal := reach.literal(r); !literal {
				covered.or(reach.of(r.Value.Str))
			} else if i >= 0 {
				covered.add(int32(i))
			}
		}
	}
	for _, i := range covered.firstNotIn(len(reach.names), bucketsNamed) {
		first = append(first, reach.names[i])
	}
	return first, len(reach.names) - covered.count()
}

// bucketReach keeps, by Resource entry, the buckets of .s3policy.json
// (names, sorted) it reaches.
type bucketReach struct {
	names   []string
	byEntry sync.Map // Resource entry -> bitSet of names
}

// bucketReachOf is the config's bucketReach, kept by the workspace.
func bucketReachOf(pass *analysis.Pass) *bucketReach {
	build := func() *bucketReach { return &bucketReach{names: namedBuckets(pass.Config)} }
	if pass.Workspace == nil {
		return build()
	}
	return memoized(pass.Workspace, fmt.Sprintf(bucketReachKey+"%p", pass.Config), build)
}

// literal reports whether a Resource entry names one bucket (or its
// objects) without a wildcard, and that bucket's place in names, -1 when
// the config does not name it: it reaches that bucket alone (reachesBucket).
func (r *bucketReach) literal(entry *analysis.ResourceARN) (int, bool) {
	_, name, _, ok := s3BucketOfPattern(entry)
	if !ok || hasWildcard(name) {
		return -1, false
	}
	if i, found := slices.BinarySearch(r.names, name); found {
		return i, true
	}
	return -1, true
}

// of is the set of the buckets an entry reaches, as allowsS3On asks it
// of each (reachesBucket): a wildcard the buckets it matches, an entry of
// another service none; asked for the entries that are not literal.
func (r *bucketReach) of(entry string) bitSet {
	if set, ok := r.byEntry.Load(entry); ok {
		return set.(bitSet)
	}
	set := newBitSet(len(r.names))
	pattern := analysis.ReplacePlaceholders(entry, "*") // as reachesBucket reads it
	if _, _, ok := s3BucketOf(pattern); ok || mayBeS3(pattern) {
		for i, b := range r.names {
			if reachesBucket(pattern, b) {
				set.add(int32(i))
			}
		}
	}
	r.byEntry.Store(entry, set)
	return set
}
