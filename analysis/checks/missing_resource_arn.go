package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// MissingResourceARN reports S3 actions whose Resource lacks the ARN type
// they act on: bucket-level actions need arn:aws:s3:::bucket, object-level
// actions arn:aws:s3:::bucket/key.
var MissingResourceARN = &analysis.Check{
	Code:     analysis.CodeMissingResourceARN,
	Category: "access",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html",
	Title:    analysis.T("An S3 action lacks the bucket or object ARN it acts on", "S3 アクションが対象のバケット ARN またはオブジェクト ARN を欠いている"),
	Explain: analysis.T(
		"Each S3 action acts on one resource type: bucket-level actions such as `s3:ListBucket` and `s3:GetBucketLocation` on the bucket ARN `arn:aws:s3:::bucket`, object-level actions such as `s3:GetObject` and `s3:PutObject` on object ARNs `arn:aws:s3:::bucket/*`. A statement that names only the other type grants nothing for the action, so AWS denies it; in a cross-account setup the user's own IAM policy must grant the bucket even when the bucket policy allows the account. Add the missing ARN to Resource.",
		"S3 の各アクションは 1 つのリソースタイプに作用します。`s3:ListBucket` や `s3:GetBucketLocation` などのバケットレベルのアクションはバケット ARN `arn:aws:s3:::bucket` に、`s3:GetObject` や `s3:PutObject` などのオブジェクトレベルのアクションはオブジェクト ARN `arn:aws:s3:::bucket/*` に作用します。もう一方のタイプしか書いていないステートメントはそのアクションを何も許可しないため、AWS は拒否します。クロスアカウントでは、バケットポリシーがアカウントを許可していても、ユーザー自身の IAM ポリシーがバケットを許可する必要があります。足りない ARN を Resource に追加してください。"),
	Kinds:        []analysis.Kind{analysis.KindIdentity, analysis.KindSession, analysis.KindBoundary, analysis.KindBucket},
	Run:          runMissingResourceARN,
	RunWorkspace: func(pass *analysis.Pass) { reportWorkspaceCauses(pass); runUngrantedBuckets(pass) },
}

func runMissingResourceARN(pass *analysis.Pass) {
	var buf [16]*analysis.Statement // most policies' fit: no allocation
	grants := unconditionalGrants(buf[:0], pass.Policy)
	for _, s := range pass.Policy.Statements {
		if s.IsAllow() && s.Resource != nil {
			checkResourceTypes(pass, s, grants)
		}
	}
	checkNamedBucketsGranted(pass)
}

// bucketARNs records, per bucket named in a statement's Resource, which
// ARN types it names.
type bucketARNs struct {
	name           string
	partition      string // as written: "aws", or a placeholder such as ${AWS::Partition}
	bucket, object bool
}

// arn is the bucket's ARN (object: of all its objects) in the partition
// the statement writes.
func (b *bucketARNs) arn(object bool) string {
	s := "arn:" + b.partition + ":s3:::" + b.name
	if object {
		s += "/*"
	}
	return s
}

// statementBuckets appends to out the buckets the statement's Resource
// names, each once, with the types of ARN it names them by.
func statementBuckets(out []bucketARNs, p *analysis.Policy, s *analysis.Statement) []bucketARNs {
	// Values, not a pointer each, in the caller's buffer: asked for every
	// Allow statement.
	entries := p.ResourceARNs().Of(s)
	for j := range entries {
		name, object, ok := entries[j].BucketOrObject()
		if !ok || (!object && isPlaceholder(name)) {
			// "arn:aws:s3:::{MANIFEST_KEY}" may stand for bucket/key.
			continue
		}
		i := slices.IndexFunc(out, func(b bucketARNs) bool { return b.name == name })
		if i < 0 {
			out = append(out, bucketARNs{name: name, partition: entries[j].Part(1)})
			i = len(out) - 1
		}
		if object {
			out[i].object = true
		} else {
			out[i].bucket = true
		}
	}
	return out
}

func checkResourceTypes(pass *analysis.Pass, s *analysis.Statement, grants []*analysis.Statement) {
	resources := s.Resources()
	var buf [4]bucketARNs // most statements name a bucket or two: no allocation
	for _, b := range statementBuckets(buf[:0], pass.Policy, s) {
		// A resource such as "*" or "arn:aws:s3:::*" covers both types.
		hasBucket := b.bucket || slices.ContainsFunc(resources, func(r *analysis.Value) bool { return coversBucket(r.Str, b.name) })
		hasObject := b.object || slices.ContainsFunc(resources, func(r *analysis.Value) bool { return coversObjectsOf(r.Str, b.name) })
		for _, a := range s.Actions() {
			onBucket, onObject := s3ResourceTypes(a.Str)
			switch {
			case onBucket && !hasBucket && hasObject && !grantedElsewhere(grants, s, a.Str, b.name, false):
				reportMissingARN(pass, s, a, onObject, b, false)
			case onObject && !hasObject && hasBucket && !grantedElsewhere(grants, s, a.Str, b.name, true):
				reportMissingARN(pass, s, a, onBucket, b, true)
			}
		}
	}
}

// unconditionalGrants appends to out the Allow statements of the policy
// that grantedElsewhere looks at: with Action, no NotAction and no
// condition. Listed once per policy, not looked for among every statement
// for each action a statement lacks an ARN for: a 20 KB policy of
// conditional statements asked that 2,000 times.
func unconditionalGrants(out []*analysis.Statement, p *analysis.Policy) []*analysis.Statement {
	for _, st := range p.Statements {
		if st.IsAllow() && st.NotAction == nil && len(st.Conditions()) == 0 {
			out = append(out, st)
		}
	}
	return out
}

// grantedElsewhere reports whether another of the policy's unconditional
// Allow statements grants the action on the bucket (object: on its
// objects): the policy as a whole is what AWS evaluates.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func grantedElsewhere(grants []*analysis.Statement, s *analysis.Statement, action, bucket string, object bool) bool {
	covers := coversBucket
	if object {
		covers = coversObjectsOf
	}
	for _, other := range grants {
		if other == s || !anyMatch(other.Actions(), action) {
			continue
		}
		if slices.ContainsFunc(other.Resources(), func(r *analysis.Value) bool { return covers(r.Str, bucket) }) {
			return true
		}
	}
	return false
}

// wildcardExample names an action people know that a wildcard Action
// entry covers, of those in table: "s3:Get*" acts on the bucket too
// (s3:GetBucketLocation).
func wildcardExample(pattern string, table []string) string {
	covers := func(a string) bool { return analysis.MatchAction(pattern, a) }
	if i := slices.IndexFunc(dataActions, func(a string) bool { return slices.Contains(table, a) && covers(a) }); i >= 0 {
		return dataActions[i]
	}
	if i := slices.IndexFunc(table, covers); i >= 0 {
		return table[i]
	}
	return ""
}

// reportMissingARN reports one action whose statement names b's objects
// but not the bucket (object: the bucket but not its objects). A wildcard
// that also covers the type Resource names still works for that type:
// information, not error. The message is written when read (lacksARN): a
// finding for each Action entry.
func reportMissingARN(pass *analysis.Pass, s *analysis.Statement, action *analysis.Value, partly bool, b bucketARNs, object bool) {
	sev := analysis.Error
	if partly {
		sev = analysis.Information
	}
	var isObject int32
	if object {
		isObject = 1
	}
	pass.Report(analysis.Finding{Span: action.Span, Severity: sev,
		Message:  analysis.Say(lacksARN, analysis.Args{S: [3]string{action.Str, b.name, b.partition}, N: [2]int32{isObject}}),
		FixLater: analysis.FixOf(addMissingARN, s.Resource.Value)})
}

// addMissingARN is the fix of lacksARN's finding: add the ARN it names
// to Resource (resource), written when asked for (check prints no fix).
func addMissingARN(doc *analysis.FixDoc, resource *analysis.Value, a *analysis.Args) []analysis.Fix {
	arn, title := addARNTitle(bucketARNs{name: a.S[1], partition: a.S[2]}, a.N[0] == 1)
	return []analysis.Fix{{Title: title, Edits: analysis.AppendString(doc.Src, resource, arn)}}
}

// addARNTitle is the ARN to add for b (object: of its objects) and the
// fix's title, "Add ARN to Resource", both languages written in one
// string.
func addARNTitle(b bucketARNs, object bool) (string, analysis.Text) {
	const en, enEnd, ja, jaEnd = "Add ", " to Resource", "Resource に ", " を追加"
	arn := b.arn(object)
	all := en + arn + enEnd + ja + arn + jaEnd
	english := all[:len(en)+len(arn)+len(enEnd)]
	return arn, analysis.T(english, all[len(english):])
}

// lacksARN says what Action entry Args.S[0] acts on ("s3:ListBucket acts
// on the bucket", for a wildcard "s3:Get* acts on the bucket too
// (s3:GetBucketLocation)"), that Resource names only the objects of
// bucket Args.S[1] (Args.N[0] == 1: only the bucket) and which ARN, in
// partition Args.S[2], to add.
func lacksARN(ja bool, a *analysis.Args) string {
	pattern, object := a.S[0], a.N[0] == 1
	b := bucketARNs{name: a.S[1], partition: a.S[2]}
	arn := b.arn(object)
	// What Resource names: namesEN+name, namesJA+name+namesJAEnd.
	targetEN, targetJA, table := "the bucket", "バケット", s3BucketActions()
	namesEN, namesJA, namesJAEnd := "Resource names only objects of ", "Resource には ", " のオブジェクトしかありません"
	if object {
		targetEN, targetJA, table = "objects", "オブジェクト", s3ObjectActions()
		namesEN, namesJA, namesJAEnd = "Resource names only the bucket ", "Resource にはバケット ", " しかありません"
	}
	switch wildcard := strings.ContainsAny(pattern, "*?"); {
	case !wildcard && ja:
		return pattern + " は" + targetJA + "に作用しますが、" + namesJA + b.name + namesJAEnd + "。" + arn + " を追加してください"
	case !wildcard:
		return pattern + " acts on " + targetEN + ", but " + namesEN + b.name + ": add " + arn
	case ja:
		return pattern + " は" + targetJA + "にも作用します (" + wildcardExample(pattern, table) + ")が、" + namesJA + b.name + namesJAEnd + "。" + arn + " を追加してください"
	}
	return pattern + " acts on " + targetEN + " too (" + wildcardExample(pattern, table) + "), but " + namesEN + b.name + ": add " + arn
}

// checkNamedBucketsGranted reports, for an identity policy of one of the
// accounts of .s3policy.json, the named buckets of other accounts on
// which it grants nothing: one finding at Statement that names the first
// and counts the others, with a fix for each of the first few. A bucket
// whose policy the workspace holds is left to the engine's causes, which
// say precisely which granted request the policy lacks (reportCause).
func checkNamedBucketsGranted(pass *analysis.Pass) {
	cfg, facts, p := pass.Config, pass.Facts, pass.Policy
	if pass.Kind != analysis.KindIdentity || cfg == nil || facts == nil || !slices.Contains(cfg.Accounts, facts.Account) || p.Statement == nil {
		return
	}
	var missing []string
	for _, b := range bucketsToGrant(pass) {
		if !allowsS3On(p, b) {
			missing = append(missing, b)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := analysis.Tf(
		"no statement allows an S3 action on bucket %s: a bucket policy that allows account %s is not enough, the user's own policy must grant the bucket too",
		"バケット %s に対する S3 アクションを許可するステートメントがありません。バケットポリシーがアカウント %s を許可していても十分ではなく、ユーザー自身のポリシーもバケットを許可する必要があります",
		missing[0], facts.Account)
	if len(missing) > 1 {
		msg = analysis.Tf(
			"no statement allows an S3 action on buckets %s: a bucket policy that allows account %s is not enough, the user's own policy must grant the buckets too",
			"バケット %sに対する S3 アクションを許可するステートメントがありません。バケットポリシーがアカウント %s を許可していても十分ではなく、ユーザー自身のポリシーもバケットを許可する必要があります",
			bucketList(missing), facts.Account)
	}
	pass.Reportf(p.Statement.KeySpan, msg, bucketFixes(pass, missing)...)
}

// bucketsToGrant are the buckets of .s3policy.json, in order, that belong
// to another account than the file's and whose policy the file's
// workspace does not hold; once per workspace, account and config (a
// keystroke's workspace carries it over while bucketsWithPolicy is the
// same: CarryMemos).
func bucketsToGrant(pass *analysis.Pass) []string {
	cfg, account, w := pass.Config, pass.Facts.Account, pass.Workspace
	build := func() []string {
		var out []string
		for _, b := range namedBuckets(cfg) {
			if cfg.Bucket(b).Account != account && (w == nil || bucketsWithPolicy(w)[b] == 0) {
				out = append(out, b)
			}
		}
		return out
	}
	if w == nil {
		return build()
	}
	return memoized(w, fmt.Sprintf(bucketsToGrantKey+"%p\x00%s", cfg, account), build)
}

// BucketPolicyHeld reports whether the workspace holds a policy of the
// bucket (bucketsWithPolicy): whether an identity policy's "no statement
// allows an S3 action on bucket X" can name it (bucketsToGrant).
func BucketPolicyHeld(w analysis.Workspace, bucket string) bool {
	return bucketsWithPolicy(w)[bucket] > 0
}

// PolicyBuckets are the buckets whose policy f may be (policyBuckets).
func PolicyBuckets(f *analysis.File) []string {
	if f.Policy == nil {
		return nil
	}
	return policyBuckets(f)
}

// bucketCounts counts, for each bucket whose policy the workspace holds,
// the bucket policies that may be its policy: counts, not a set, so that
// a keystroke's workspace patches it by the edited document
// (CarryMemos) instead of walking every policy file again.
type bucketCounts map[string]int32

// bucketsWithPolicy are the buckets whose policy the workspace holds, as
// the engine finds a bucket's policy for a request (eval.Workspace.
// Scenario): the bucket .s3policy.json gives the file, else each bucket
// its Resource names.
func bucketsWithPolicy(w analysis.Workspace) bucketCounts {
	return memoized(w, bucketsWithPolicyKey, func() bucketCounts {
		out := bucketCounts{}
		for _, f := range w.PolicyFiles() {
			out.add(f, 1)
		}
		return out
	})
}

// add counts (by: 1) or uncounts (-1) the buckets whose policy f may be.
func (c bucketCounts) add(f *analysis.File, by int32) {
	for _, b := range policyBuckets(f) {
		if c[b] += by; c[b] == 0 {
			delete(c, b)
		}
	}
}

// policyBuckets are the buckets whose policy f may be, each once: none
// when f is no bucket policy, the one its facts give, else those its
// Resource names.
func policyBuckets(f *analysis.File) []string {
	switch {
	case f.Kind != analysis.KindBucket:
		return nil
	case f.Facts != nil && f.Facts.Bucket != "":
		return []string{f.Facts.Bucket}
	}
	var out []string
	arns := f.Policy.ResourceARNs()
	for _, st := range f.Policy.Statements {
		entries := arns.Of(st)
		for i := range entries {
			if name, _, ok := entries[i].BucketOrObject(); ok && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// isPlaceholder reports whether a bucket name is a documentation
// placeholder such as {BUCKET} or <bucket>, which may stand for more than
// a bucket name. Policy variables ${...} are not placeholders.
func isPlaceholder(name string) bool {
	return strings.ContainsAny(strings.ReplaceAll(name, "${", ""), "{<")
}
