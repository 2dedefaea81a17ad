package checks

import (
	"maps"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The keys of the memos the checks keep in a workspace (memoized) that a
// keystroke's workspace carries over (CarryMemos).
const (
	bucketsWithPolicyKey        = "checks: buckets with a policy"
	bucketsToGrantKey           = "checks: buckets to grant\x00" // then the config and the account
	bucketPoliciesByPathKey     = "checks: bucket policies by path"
	identityPoliciesByBucketKey = "checks: identity policies by bucket"
	bucketsAskedKey             = "checks: buckets asked for users"
	principalsKey               = "checks: principals"
	firstIdentityPoliciesKey    = "checks: first identity policies"
	principalsByDocumentKey     = "checks: principals by document"
	asksKey                     = "checks: asks\x00"        // then the principal
	causesKey                   = "checks: causes\x00"      // then the principal
	causesHereKey               = "checks: causes here\x00" // then the principal

	// Derived from the config alone (its address in the key) or from
	// the documents' kinds: a keystroke's workspace takes them as they are.
	knownAccountsKey = "checks: known accounts\x00" // then the config
	bucketKeysKey    = "checks: bucket keys\x00"    // then the config
	bucketReachKey   = "checks: bucket reach\x00"   // then the config
	boundariesKey    = "checks: boundaries"
)

// CarryMemos returns what the workspace next of a keystroke takes over of
// the memos the checks built in the workspace before it (for
// eval.Workspace.CarryMemos), when next is that workspace with documents
// swapped for new versions of themselves (eval.Swapped: the same places,
// kinds, config and facts, in the same order; swaps maps each old version
// to its new one). A memo the swaps leave as it was is taken as it is;
// one they change is patched by the swapped documents when first asked;
// the others are built again when asked. Either way each memo is what
// next would build afresh (but for the count of buckets asked, which only
// decides when an index pays: usersOfBucket): at 5,000 governed policies, the buckets with
// a policy (a walk over every policy's Resources) were the largest part
// of the open documents' checks on every keystroke, and a bucket
// policy's keystroke looked again for the elements that ask for each of
// a thousand requests of each principal it grants (issue 16).
func CarryMemos(next analysis.Workspace, swaps map[*analysis.File]*analysis.File) func(built map[string]any) map[string]func() any {
	return func(built map[string]any) map[string]func() any {
		c := &carrier{next: next, swaps: swaps, built: built, out: map[string]func() any{}}
		c.configMemos()
		c.bucketMemos()
		c.identityMemos()
		c.principalMemos()
		return c.out
	}
}

// carrier decides, memo by memo, what next takes over.
type carrier struct {
	next  analysis.Workspace
	swaps map[*analysis.File]*analysis.File
	built map[string]any // the memos the workspace before built, by key
	out   map[string]func() any
}

// keep carries the memo of key over as it is, if it was built.
func (c *carrier) keep(key string) {
	if v, ok := c.built[key]; ok {
		c.out[key] = func() any { return v }
	}
}

// configMemos carries what derives from the config alone, and the
// permissions boundaries, which a swap leaves as they were (the same
// config, the same kinds). Of the buckets each Resource entry reaches
// (bucketReach) only the config's bucket names are carried: the entries
// asked are found again, for carried they would pile up, one for each
// text typed into a Resource, for as long as the editor runs.
func (c *carrier) configMemos() {
	c.keep(boundariesKey)
	for key, v := range c.built {
		switch {
		case strings.HasPrefix(key, knownAccountsKey) || strings.HasPrefix(key, bucketKeysKey):
			c.keep(key)
		case strings.HasPrefix(key, bucketReachKey):
			names := v.(*bucketReach).names
			c.out[key] = func() any { return &bucketReach{names: names} }
		}
	}
}

// bucketMemos carries the buckets with a policy, patched by the swapped
// bucket policies whose buckets changed (a Resource edited), and what
// derives from them, the buckets to grant, when none did; the bucket
// policies by path with the swapped ones in place of their old versions.
func (c *carrier) bucketMemos() {
	var moved [][2]*analysis.File // swapped bucket policies whose buckets changed
	swappedBucketPolicy := false
	for old, now := range c.swaps {
		if old.Kind != analysis.KindBucket {
			continue
		}
		swappedBucketPolicy = true
		if !slices.Equal(policyBuckets(old), policyBuckets(now)) {
			moved = append(moved, [2]*analysis.File{old, now})
		}
	}
	if counts, ok := c.built[bucketsWithPolicyKey].(bucketCounts); ok {
		c.out[bucketsWithPolicyKey] = func() any {
			if len(moved) == 0 {
				return counts
			}
			patched := maps.Clone(counts)
			for _, m := range moved {
				patched.add(m[0], -1)
				patched.add(m[1], 1)
			}
			return patched
		}
	}
	for key := range c.built {
		if strings.HasPrefix(key, bucketsToGrantKey) && len(moved) == 0 {
			c.keep(key)
		}
	}
	if byPath, ok := c.built[bucketPoliciesByPathKey].(map[string][]*analysis.File); ok {
		if !swappedBucketPolicy {
			c.keep(bucketPoliciesByPathKey)
			return
		}
		c.out[bucketPoliciesByPathKey] = func() any {
			patched := maps.Clone(byPath)
			for old := range c.swaps {
				if list := patched[old.Path]; old.Kind == analysis.KindBucket && slices.Contains(list, old) {
					patched[old.Path] = c.swapped(list)
				}
			}
			return patched
		}
	}
}

// swapped is a copy of files with each swapped document's new version in
// place of its old one.
func (c *carrier) swapped(files []*analysis.File) []*analysis.File {
	out := slices.Clone(files)
	for i, f := range out {
		if now, ok := c.swaps[f]; ok {
			out[i] = now
		}
	}
	return out
}

// identityMemos carries what derives from the identity policies' places,
// kinds and facts alone (the principals, each one's first identity
// policy, the new version in place of a swapped one), and the identity
// policies by the buckets they use while the swapped ones use the same
// buckets, with the count of buckets asked for that decides whether the
// index is used (usersOfBucket): either way the same policies are found.
func (c *carrier) identityMemos() {
	c.keep(principalsKey)
	c.keep(bucketsAskedKey)
	if firsts, ok := c.built[firstIdentityPoliciesKey].([]*analysis.File); ok {
		c.out[firstIdentityPoliciesKey] = func() any { return c.swapped(firsts) }
	}
	for old, now := range c.swaps {
		if mayUseAcrossAccounts(old) && !slices.Equal(usedBuckets(old.Policy), usedBuckets(now.Policy)) {
			return
		}
	}
	c.keep(identityPoliciesByBucketKey)
}

// reindexAsks is indexAsks of the principal's identity policies with
// the swapped ones' new versions, made from prev, their index before:
// the lists of the buckets and of the wildcards a swapped policy's
// statements are on, before or after, are made again, the others taken
// as they are (an identity policy's keystroke indexed again each of the
// principal's thousand policies). A policy that gains or loses its
// Statement changes the policies' numbers: all are indexed again.
func (c *carrier) reindexAsks(prev *principalAsks) *principalAsks {
	files := c.swapped(prev.files)
	for _, f := range prev.files {
		if now, ok := c.swaps[f]; ok && hasStatement(f) != hasStatement(now) {
			return indexAsks(files)
		}
	}
	// own is keyed by the places, which a swap keeps.
	a := &principalAsks{files: files, policies: c.swapped(prev.policies), byBucket: prev.byBucket, wild: prev.wild, own: prev.own}
	cloned := false
	for n, old := range prev.policies {
		now, ok := c.swaps[old]
		if !ok {
			continue
		}
		before, after := statementsAsking(old.Policy), statementsAsking(now.Policy)
		if slices.ContainsFunc(before, isWild) || slices.ContainsFunc(after, isWild) {
			a.wild = replaceStatements(a.wild, n, after, isWild)
		}
		for _, bucket := range bucketsOfEither(before, after) {
			if !cloned {
				a.byBucket, cloned = maps.Clone(a.byBucket), true
			}
			onBucket := func(s *statementAsks) bool { return slices.Contains(s.buckets, bucket) }
			if list := replaceStatements(a.byBucket[bucket], n, after, onBucket); len(list) > 0 {
				a.byBucket[bucket] = list
			} else {
				delete(a.byBucket, bucket)
			}
		}
	}
	return a
}

func hasStatement(f *analysis.File) bool { return f.Policy != nil && f.Policy.Statement != nil }

func isWild(s *statementAsks) bool { return s.wild }

// bucketsOfEither are the buckets the statements of either list name, each
// once.
func bucketsOfEither(before, after []*statementAsks) []string {
	var out []string
	for _, s := range slices.Concat(before, after) {
		for _, b := range s.buckets {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
}

// replaceStatements is a copy of list, in the policies' order, with the
// statements of policy n those of statements that belong on it.
func replaceStatements(list []askingStatement, n int, statements []*statementAsks, belongs func(*statementAsks) bool) []askingStatement {
	from := slices.IndexFunc(list, func(s askingStatement) bool { return s.n >= n })
	if from < 0 {
		from = len(list)
	}
	to := from
	for to < len(list) && list[to].n == n {
		to++
	}
	out := slices.Clone(list[:from])
	for _, s := range statements {
		if belongs(s) {
			out = append(out, askingStatement{n, s})
		}
	}
	return append(out, list[to:]...)
}

// principalMemos carries, for each principal none of whose identity
// policies was swapped, the index of its identity policies (asksOf),
// though its answer changed, and indexes those of the others again from
// their list, not from a walk over every document; the index of its causes is made again from
// the one before, whose elements that ask for each request it takes
// over when the identity policies are the same (buildCauses). The
// principals by document are patched by the principals whose elements
// of documents are made again: the memos of a principal the server
// carried over (KeepPrincipalMemos) are not offered here.
func (c *carrier) principalMemos() {
	edited := map[string]bool{} // the principals an identity policy of which was swapped
	for old := range c.swaps {
		if old.Kind == analysis.KindIdentity && old.Facts != nil {
			edited[old.Facts.Principal] = true
		}
	}
	var remade []string // the principals whose causes here were built before and are not held by next
	for key, v := range c.built {
		switch {
		case strings.HasPrefix(key, asksKey):
			if prev := v.(*principalAsks); edited[strings.TrimPrefix(key, asksKey)] {
				// The same identity policies (a swap keeps kinds and
				// facts), the edited one's new version indexed.
				c.out[key] = func() any { return c.reindexAsks(prev) }
			} else {
				c.keep(key)
			}
		case strings.HasPrefix(key, causesKey):
			principal, prev := strings.TrimPrefix(key, causesKey), v.(*causeIndex)
			c.out[key] = func() any { return buildCauses(c.next, principal, prev) }
		case strings.HasPrefix(key, causesHereKey):
			remade = append(remade, strings.TrimPrefix(key, causesHereKey))
		}
	}
	byDocument, ok := c.built[principalsByDocumentKey].(map[docKey][]string)
	if !ok {
		return
	}
	if len(remade) == 0 {
		c.keep(principalsByDocumentKey)
		return
	}
	c.out[principalsByDocumentKey] = func() any {
		patched := maps.Clone(byDocument)
		for _, p := range remade {
			for d := range c.built[causesHereKey+p].(*causesHereIndex).docs {
				if list := slices.DeleteFunc(slices.Clone(patched[d]), func(q string) bool { return q == p }); len(list) > 0 {
					patched[d] = list
				} else {
					delete(patched, d)
				}
			}
		}
		order := map[string]int{}
		for i, p := range principalsOf(c.next) {
			order[p] = i
		}
		for _, p := range remade {
			for d := range hereOf(c.next, p).docs {
				list := patched[d]
				i, _ := slices.BinarySearchFunc(list, p, func(q, p string) int { return order[q] - order[p] })
				patched[d] = slices.Insert(slices.Clip(list), i, p)
			}
		}
		return patched
	}
}
