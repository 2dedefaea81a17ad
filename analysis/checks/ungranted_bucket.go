package checks

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// "Nobody granted you": an identity policy of an account of .s3policy.json
// that uses a bucket of another account, when the workspace holds that
// bucket's policy and no statement of it names the account. Across
// accounts the bucket policy must grant the caller's account (or the
// caller) as well: the identity policy alone is not enough. Reported under
// missing-resource-arn on both sides, with the statement to add on the
// bucket policy.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html

// runUngrantedBuckets is part of missing-resource-arn's RunWorkspace.
func runUngrantedBuckets(pass *analysis.Pass) {
	switch pass.Kind {
	case analysis.KindIdentity:
		reportUngrantedOnIdentity(pass)
	case analysis.KindBucket:
		reportUngrantedOnBucket(pass)
	}
}

// crossAccountUse is one bucket an identity policy of a configured
// account uses, owned by another account.
type crossAccountUse struct {
	identity *analysis.File
	account  string
	bucket   string
	resource *analysis.Value // the identity policy's Resource entry
	actions  []string        // literal S3 actions it allows on the bucket
	policy   *analysis.File  // the bucket's policy in the workspace
	owner    string          // the bucket's account
}

// crossAccountUses lists the uses of the identity policy f that no bucket
// policy of the workspace w grants. w is given, not taken from f: the
// language server shares a document between the workspaces of successive
// edits and binds a copy to one only to analyse it.
func crossAccountUses(w analysis.Workspace, f *analysis.File) []crossAccountUse {
	return crossAccountUsesOf(w, f, "")
}

// crossAccountUsesOf is crossAccountUses, only those whose bucket's
// policy lies in the file at policyPath ("" for all): a bucket policy's
// check asks each identity policy using its buckets for its uses of
// them, not for all of its uses (their actions listed) to keep a few.
func crossAccountUsesOf(w analysis.Workspace, f *analysis.File, policyPath string) []crossAccountUse {
	cfg := f.Config
	if w == nil || cfg == nil || f.Facts == nil || !slices.Contains(cfg.Accounts, f.Facts.Account) {
		return nil
	}
	var out []crossAccountUse
	arns := f.Policy.ResourceARNs()
	for _, s := range f.Policy.Statements {
		if !s.IsAllow() {
			continue
		}
		entries := arns.Of(s)
		for i := range entries {
			r := entries[i].Value
			name, _, ok := entries[i].BucketOrObject()
			b := cfg.Bucket(name)
			if b == nil {
				b = w.Bucket(name)
			}
			if !ok || hasWildcard(name) || analysis.HasPlaceholder(name) || b == nil || b.Account == "" || b.Account == f.Facts.Account ||
				slices.ContainsFunc(out, func(u crossAccountUse) bool { return u.bucket == name }) {
				continue
			}
			bp := bucketPolicyOf(w, name)
			if policyPath != "" && (bp == nil || bp.Path != policyPath) {
				continue // the same bucket, named again, has the same policy
			}
			// A bucket policy with no Statement yet ({}, a new file) is
			// half typed: its own side reports nothing either
			// (reportUngrantedOnBucket), and there is no Statement to relate to.
			if bp == nil || bp.Policy == nil || bp.Policy.Statement == nil || GrantsAccount(bp.Policy, f.Facts.Account) {
				continue
			}
			out = append(out, crossAccountUse{f, f.Facts.Account, name, r, literalS3Actions(s), bp, b.Account})
		}
	}
	return out
}

// CrossAccountRead is what the two findings of one cross-account use
// read of the workspace: the identity policy's ("the bucket policy of X
// grants nothing to account A", related to the bucket policy's
// Statement) and the bucket policy's ("no statement grants account A,
// whose <identity policy> uses this bucket: it needs <actions>", related
// to the identity policy's Resource entry). The language server compares
// them before and after an edit to tell which closed files to publish
// again (lsp/index.go): whatever either finding says must be here.
type CrossAccountRead struct {
	Identity, Policy *analysis.File // the identity policy; the bucket's policy
	Resource         analysis.Span  // the Resource entry that names the bucket, in Identity's text
	Statement        analysis.Span  // the bucket policy's Statement key, in Policy's text
	Account, Bucket  string         // the caller's account; the bucket
	BucketAccount    string         // the bucket's owner
	Actions          []string       // the literal S3 actions the identity policy allows on it
}

// CrossAccountReads lists what the findings of the identity policy f's
// cross-account uses in w read (crossAccountUses), in their order.
func CrossAccountReads(w analysis.Workspace, f *analysis.File) []CrossAccountRead {
	if f.Kind != analysis.KindIdentity || f.Policy == nil {
		return nil
	}
	uses := crossAccountUses(w, f)
	out := make([]CrossAccountRead, len(uses))
	for i, u := range uses {
		out[i] = CrossAccountRead{Identity: f, Policy: u.policy, Resource: u.resource.Span, Statement: u.policy.Policy.Statement.KeySpan,
			Account: u.account, Bucket: u.bucket, BucketAccount: u.owner, Actions: u.actions}
	}
	return out
}

// CrossAccountUsers lists the identity policies of w that may use the
// bucket across accounts (those crossAccountUses reads for it): the
// only ones whose findings, or their bucket policy's, an edit of the
// bucket's policy or facts can change. From an index by bucket made
// once per workspace (and carried across keystrokes: CarryMemos).
func CrossAccountUsers(w analysis.Workspace, bucket string) []*analysis.File {
	at := identityPoliciesByBucket(w)[bucket]
	if len(at) == 0 {
		return nil
	}
	files := w.PolicyFiles()
	out := make([]*analysis.File, len(at))
	for i, n := range at {
		out[i] = files[n]
	}
	return out
}

// BucketsOfBucketPolicy are the buckets whose policy the bucket policy
// f may be in a workspace (eval.Workspace.BucketPolicyFile): its own and
// those its Resources name; nil for any other document.
func BucketsOfBucketPolicy(f *analysis.File) []string {
	if f.Kind != analysis.KindBucket || f.Policy == nil {
		return nil
	}
	return bucketsOf(f)
}

// bucketPolicyOf is the workspace's policy of the bucket, or nil; the
// engine's workspace finds it in a map (eval.Workspace.BucketPolicyFile).
func bucketPolicyOf(w analysis.Workspace, bucket string) *analysis.File {
	if ix, ok := w.(interface{ BucketPolicyFile(string) *analysis.File }); ok {
		return ix.BucketPolicyFile(bucket)
	}
	for _, f := range w.PolicyFiles() {
		if f.Kind == analysis.KindBucket && f.Facts != nil && f.Facts.Bucket == bucket {
			return f
		}
	}
	return nil
}

// GrantsAccount reports whether an Allow statement names the account, one
// of its principals, or everyone.
func GrantsAccount(p *analysis.Policy, account string) bool {
	g := grantedAccountsOf(p)
	return g.everyone || slices.Contains(g.accounts, account)
}

// grantedAccounts are the accounts a policy's Allow statements name, one
// of their principals each, or everyone. A bucket policy is asked once
// for each identity policy that uses its bucket from another account
// (thousands in a governed tree), and reading every principal's ARN
// again each time was most of what those questions cost.
type grantedAccounts struct {
	everyone bool
	accounts []string // each once
}

// grantedAccountsKey keys grantedAccounts in Derived.
type grantedAccountsKey struct{}

func grantedAccountsOf(p *analysis.Policy) *grantedAccounts {
	return p.Derived(grantedAccountsKey{}, func(p *analysis.Policy) any {
		g := &grantedAccounts{}
		for _, s := range p.Statements {
			if !s.IsAllow() {
				continue
			}
			for ref := range analysis.AllPrincipals(s.Principal) {
				switch {
				case ref.IsEveryone():
					g.everyone = true
				case ref.Type == "AWS":
					if account := principalAccount(ref.Value.Str); !slices.Contains(g.accounts, account) {
						g.accounts = append(g.accounts, account)
					}
				}
			}
		}
		return g
	}).(*grantedAccounts)
}

func literalS3Actions(s *analysis.Statement) []string {
	var out []string
	for _, a := range s.Actions() {
		if len(a.Str) > 3 && (a.Str[:3] == "s3:" || a.Str[:3] == "S3:") && !hasWildcard(a.Str) && !slices.Contains(out, a.Str) {
			out = append(out, a.Str)
		}
	}
	return out
}

func reportUngrantedOnIdentity(pass *analysis.Pass) {
	for _, u := range crossAccountUses(pass.Workspace, pass.File) {
		pass.Report(analysis.Finding{Span: u.resource.Span, Severity: analysis.Warning,
			Message: analysis.Say(grantsNothing, analysis.Args{S: [3]string{u.bucket, u.account, u.owner}}),
			Related: []analysis.Related{{File: relTo(pass.Path, u.policy.Path), Doc: u.policy.DocName, Span: u.policy.Policy.Statement.KeySpan,
				Message: analysis.T("no statement here names account "+u.account, "ここにはアカウント "+u.account+" を指すステートメントがありません")}},
		})
	}
}

// grantsNothing says that the policy of bucket Args.S[0], owned by
// account Args.S[2], grants nothing to account Args.S[1].
func grantsNothing(ja bool, a *analysis.Args) string {
	bucket, account, owner := a.S[0], a.S[1], a.S[2]
	if ja {
		return bucket + " のバケットポリシーはアカウント " + account + " に何も許可していません。バケットはアカウント " + owner + " のもので、クロスアカウントではバケットポリシーも許可する必要があります"
	}
	return "the bucket policy of " + bucket + " grants nothing to account " + account + ": the bucket belongs to account " + owner + ", and across accounts the bucket policy must allow too"
}

// usesOfBucketPolicy lists the cross-account uses whose bucket's policy
// lies in the file at path, in the workspace's order: the uses of the
// identity policies that name one of the buckets of the file's bucket
// policies, not of every identity policy of the workspace, which a
// keystroke in a bucket policy listed again (at 5,000 governed policies
// most of the checks' time for the open bucket policy, issue 16).
func usesOfBucketPolicy(w analysis.Workspace, f *analysis.File) []crossAccountUse {
	path := f.Path
	seen := map[string]bool{}
	var at []int
	for _, bp := range bucketPoliciesIn(w, f) {
		for _, b := range bucketsOf(bp) {
			if seen[b] {
				continue
			}
			seen[b] = true
			if p := bucketPolicyOf(w, b); p != nil && p.Path == path {
				at = append(at, usersOfBucket(w, b)...)
			}
		}
	}
	slices.Sort(at)
	files := w.PolicyFiles()
	var out []crossAccountUse
	for _, i := range slices.Compact(at) {
		out = append(out, crossAccountUsesOf(w, files[i], path)...)
	}
	return out
}

// bucketsOf are the buckets whose policy a bucket policy may be: the one
// its facts give and those its Resources name (eval.Workspace.BucketPolicyFile).
func bucketsOf(bp *analysis.File) []string {
	var out []string
	if bp.Facts != nil && bp.Facts.Bucket != "" {
		out = append(out, bp.Facts.Bucket)
	}
	arns := bp.Policy.ResourceARNs()
	for _, st := range bp.Policy.Statements {
		entries := arns.Of(st)
		for i := range entries {
			if a, ok := entries[i].ARN(); ok && a.IsS3() {
				name, _, _ := a.S3Bucket()
				out = append(out, name)
			}
		}
	}
	return out
}

// bucketPoliciesIn are the bucket policies of the file that holds the
// document f: f alone when the file is one policy, as a keystroke's
// workspace asks, else those bucketPoliciesAt lists.
func bucketPoliciesIn(w analysis.Workspace, f *analysis.File) []*analysis.File {
	if f.Host == nil && f.DocName == "" && f.Kind == analysis.KindBucket && f.Policy != nil {
		return []*analysis.File{f}
	}
	return bucketPoliciesAt(w)[f.Path]
}

// bucketPoliciesAt lists the workspace's bucket policies by path, once
// per workspace.
func bucketPoliciesAt(w analysis.Workspace) map[string][]*analysis.File {
	return memoized(w, bucketPoliciesByPathKey, func() map[string][]*analysis.File {
		out := map[string][]*analysis.File{}
		for _, f := range w.PolicyFiles() {
			if f.Kind == analysis.KindBucket && f.Policy != nil {
				out[f.Path] = append(out[f.Path], f)
			}
		}
		return out
	})
}

// usersOfBucket are the places, in the workspace's order, of the
// identity policies that may have cross-account uses of the bucket
// (crossAccountUses). A keystroke's workspace asks for the bucket or two
// of the open bucket policy: a look at each identity policy's names
// (usedBuckets, kept with its parsed text) costs less than indexing the
// buckets of every one of them again. check asks for every bucket
// policy's: past a few buckets, the index is made once per workspace.
// The server's first scan asks for every bucket policy's too, and its
// keystrokes' workspaces carry the count over, and the index while the
// identity policies use the same buckets (CarryMemos).
func usersOfBucket(w analysis.Workspace, bucket string) []int {
	const scansBeforeIndex = 8
	if asked := memoized(w, bucketsAskedKey, func() *atomic.Int32 { return new(atomic.Int32) }); asked.Add(1) > scansBeforeIndex {
		return identityPoliciesByBucket(w)[bucket]
	}
	var out []int
	for i, f := range w.PolicyFiles() {
		if mayUseAcrossAccounts(f) && slices.Contains(usedBuckets(f.Policy), bucket) {
			out = append(out, i)
		}
	}
	return out
}

// mayUseAcrossAccounts reports whether f is an identity policy of an
// account of the config, which crossAccountUses reads.
func mayUseAcrossAccounts(f *analysis.File) bool {
	return f.Kind == analysis.KindIdentity && f.Policy != nil && f.Config != nil && f.Facts != nil && slices.Contains(f.Config.Accounts, f.Facts.Account)
}

// identityPoliciesByBucket indexes the identity policies that may have
// cross-account uses (crossAccountUses) by each bucket their Allow
// statements name, as their places in the workspace's order: once per
// workspace, from each policy's names, which its parsed text keeps
// across keystrokes (usedBuckets).
func identityPoliciesByBucket(w analysis.Workspace) map[string][]int {
	return memoized(w, identityPoliciesByBucketKey, func() map[string][]int {
		out := map[string][]int{}
		for i, f := range w.PolicyFiles() {
			if !mayUseAcrossAccounts(f) {
				continue
			}
			for _, b := range usedBuckets(f.Policy) {
				out[b] = append(out[b], i)
			}
		}
		return out
	})
}

type usedBucketsKey struct{}

// usedBuckets are the buckets the Resource entries of a policy's Allow
// statements name, as crossAccountUses reads them (no wildcard, no
// placeholder), each once.
func usedBuckets(p *analysis.Policy) []string {
	arns := p.ResourceARNs() // not in build: Derived is not called within Derived
	return p.Derived(usedBucketsKey{}, func(p *analysis.Policy) any {
		var out []string
		for _, s := range p.Statements {
			if !s.IsAllow() {
				continue
			}
			entries := arns.Of(s)
			for i := range entries {
				if name, _, ok := entries[i].BucketOrObject(); ok && !hasWildcard(name) && !analysis.HasPlaceholder(name) && !slices.Contains(out, name) {
					out = append(out, name)
				}
			}
		}
		return out
	}).([]string)
}

func reportUngrantedOnBucket(pass *analysis.Pass) {
	if pass.Workspace == nil || pass.Facts == nil || pass.Policy.Statement == nil {
		return
	}
	// Every finding lies on the Statement key: merged into one, which
	// keeps one fix per title, the first reported (analysis.mergeRun).
	// A use whose fix has the title of one given before gets none, not a
	// fix that the merge would write only to drop it (an account's
	// identity policies using a bucket alike, each one's fix written).
	var titled map[[2]string]bool // the account and actions of the fixes given
	for _, u := range usesOfBucketPolicy(pass.Workspace, pass.File) {
		if len(u.actions) == 0 {
			continue
		}
		identity, actions := relTo(pass.Path, u.identity.Path), joinActions(u.actions)
		finding := analysis.Finding{Span: pass.Policy.Statement.KeySpan, Severity: analysis.Warning,
			// The message and the fix are written when read: check prints
			// no fix, and an editor asks for the few under the cursor.
			Message: analysis.Say(noStatementGrants, analysis.Args{S: [3]string{identity, u.account, u.bucket + actions}, N: [2]int32{int32(len(u.bucket))}}),
			Related: []analysis.Related{{File: identity, Doc: u.identity.DocName, Span: u.resource.Span,
				Message: analysis.T("the identity policy uses "+u.bucket+" here", "アイデンティティポリシーはここで "+u.bucket+" を使います")}},
		}
		if title := [2]string{u.account, actions}; !titled[title] {
			finding.FixLater = analysis.FixOf(grantAccount, pass.Policy.Statement.Value)
			if strings.Count(actions, actionSeparator) != len(u.actions)-1 {
				// An action that holds the separator cannot be read back
				// from the message: its fix is written now.
				finding.Fixes, finding.FixLater = []analysis.Fix{grantAccountFix(pass, pass.Policy.Statement.Value, u.account, u.bucket, u.actions)}, analysis.LaterFix{}
			}
			if titled == nil {
				titled = map[[2]string]bool{}
			}
			titled[title] = true
		}
		pass.Report(finding)
	}
}

// noStatementGrants says that no statement grants account Args.S[1],
// whose identity policy Args.S[0] uses bucket Args.S[2][:Args.N[0]]
// with the actions that follow it there, joined (joinActions).
func noStatementGrants(ja bool, a *analysis.Args) string {
	identity, account := a.S[0], a.S[1]
	bucket, actions := a.S[2][:a.N[0]], a.S[2][a.N[0]:]
	if ja {
		return "アカウント " + account + " を許可するステートメントがありません。その " + identity + " はこのバケットを使います: " + bucket + " に " + actions + " が必要です"
	}
	return "no statement grants account " + account + ", whose " + identity + " uses this bucket: it needs " + actions + " on " + bucket
}

// grantAccount is the fix of noStatementGrants' finding, written when
// asked for: the statement that grants the account its actions, appended
// to Statement (stmts).
func grantAccount(doc *analysis.FixDoc, stmts *analysis.Value, a *analysis.Args) []analysis.Fix {
	bucket, actions := a.S[2][:a.N[0]], a.S[2][a.N[0]:]
	return []analysis.Fix{grantAccountFix(passOf(doc), stmts, a.S[1], bucket, strings.Split(actions, actionSeparator))}
}

const actionSeparator = ", "

func joinActions(actions []string) string { return strings.Join(actions, actionSeparator) }

// grantAccountFix adds a statement that grants the account the actions its
// identity policy uses, each on the ARN type it acts on, to Statement
// (stmts).
func grantAccountFix(pass *analysis.Pass, stmts *analysis.Value, account, bucket string, actions []string) analysis.Fix {
	var resources []string
	for _, a := range actions {
		onBucket, onObject := s3ResourceTypes(a)
		if onBucket && !slices.Contains(resources, bucketARN(bucket)) {
			resources = append(resources, bucketARN(bucket))
		}
		if onObject && !slices.Contains(resources, objectsARN(bucket)) {
			resources = append(resources, objectsARN(bucket))
		}
	}
	stmt := newStatement(pass,
		member{"Sid", sidFor(pass.Policy, "AllowAccount"+account)},
		member{"Effect", "Allow"},
		member{"Principal", []member{{"AWS", "arn:aws:iam::" + account + ":root"}}},
		member{"Action", actions},
		member{"Resource", resources},
	)
	return analysis.Fix{
		Title: analysis.Tf("Grant account %s %s", "アカウント %s に %s を許可", account, joinActions(actions)),
		Edits: analysis.AppendRaw(pass.Src, stmts, stmt),
	}
}
