package checks

import (
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
		for _, r := range a.Resources {
			if r.Name == resourceType {
				out = append(out, "s3:"+a.Name)
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
	arn, ok := analysis.ParseARN(resource)
	if !ok || !arn.IsS3() || arn.Region != "" || arn.Account != "" {
		return "", false, false
	}
	bucket, _, object = arn.S3Bucket()
	return bucket, object, true
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
// some of its objects.
func reachesBucket(pattern, bucket string) bool {
	return coversBucket(pattern, bucket) || coversObjectsOf(pattern, bucket)
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
func namedBucketsReached(cfg *analysis.Config, statements []*analysis.Statement) []string {
	var reached []string
	for _, s := range statements {
		if s.NotResource != nil {
			return namedBuckets(cfg)
		}
		for _, r := range s.Resources() {
			pattern := analysis.ReplacePlaceholders(r.Str, "*") // as coversObjectsOf reads it
			name, _, ok := s3BucketOf(pattern)
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
// and counts them all. A policy that names its buckets one by one is
// asked only about those: asking each of the thousands of buckets a
// team's config names whether the policy reaches it, for each endpoint
// or session policy, grew with the square of the folder (issue 16).
func uncoveredBuckets(pass *analysis.Pass) (first []string, total int) {
	names := namedBuckets(pass.Config)
	reached, all := bucketsAllowed(pass.Policy)
	if all {
		for _, b := range names {
			if !allowsS3On(pass.Policy, b) {
				if total++; len(first) < bucketsNamed {
					first = append(first, b)
				}
			}
		}
		return first, total
	}
	covered := 0
	for b := range reached {
		if pass.Config.Bucket(b) != nil {
			covered++
		}
	}
	for _, b := range names {
		if len(first) == bucketsNamed {
			break
		}
		if !reached[b] {
			first = append(first, b)
		}
	}
	return first, len(names) - covered
}

// bucketsAllowed lists the buckets the Allow statements of the policy
// that allow an S3 action name literally (each reaches its bucket alone,
// as allowsS3On reads it), or says all when one may reach any bucket: a
// wildcard or a placeholder in the bucket, a Resource that may be an S3
// ARN, NotResource.
func bucketsAllowed(p *analysis.Policy) (reached map[string]bool, all bool) {
	reached = map[string]bool{}
	for _, s := range p.Statements {
		if !s.IsAllow() || !statementS3Actions(s, false) {
			continue
		}
		if s.NotResource != nil {
			return nil, true
		}
		for _, r := range s.Resources() {
			pattern := analysis.ReplacePlaceholders(r.Str, "*") // as reachesBucket reads it
			name, _, ok := s3BucketOf(pattern)
			switch {
			case ok && !hasWildcard(name):
				reached[name] = true
			case ok || mayBeS3(pattern):
				return nil, true
			}
		}
	}
	return reached, false
}
