package checks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// KMSMissingActions reports KMS permissions that let a principal use a key
// for only one direction of SSE-KMS: kms:Decrypt to download,
// kms:GenerateDataKey to upload.
var KMSMissingActions = &analysis.Check{
	Code:     analysis.CodeKMSMissingActions,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html",
	Title:    analysis.T("KMS permissions lack kms:Decrypt or kms:GenerateDataKey", "KMS の権限に kms:Decrypt または kms:GenerateDataKey がない"),
	Explain: analysis.T(
		"Objects encrypted with SSE-KMS need the key: downloading needs `kms:Decrypt`, uploading needs `kms:GenerateDataKey` (a multipart upload needs both). For a key in another account both sides must allow: the key policy in the key's account must allow the user or its account, and the user's own IAM policy must allow the actions on the key ARN; neither alone is enough. A key in the user's own account needs no key-policy change for that user beyond the default statement that lets IAM policies grant it. Add the missing action.",
		"SSE-KMS で暗号化されたオブジェクトにはキーが必要です。ダウンロードには `kms:Decrypt`、アップロードには `kms:GenerateDataKey` が必要です (マルチパートアップロードには両方)。別アカウントのキーでは両側の許可が必要です。キーのアカウントのキーポリシーがユーザーまたはそのアカウントを許可し、かつユーザー自身の IAM ポリシーがキー ARN に対するアクションを許可しなければなりません。どちらか一方だけでは足りません。ユーザーと同じアカウントのキーなら、IAM ポリシーでの許可を有効にする既定のステートメント以外にキーポリシーの変更は要りません。足りないアクションを追加してください。"),
	Kinds:        []analysis.Kind{analysis.KindKey, analysis.KindIdentity},
	Run:          runKMSMissingActions,
	RunWorkspace: reportWorkspaceCauses,
}

// kmsDataActions are the actions SSE-KMS uses; a statement that allows
// some of them is meant for encryption and needs both directions.
var kmsDataActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"}

var kmsNeeded = []string{"kms:Decrypt", "kms:GenerateDataKey"}

func runKMSMissingActions(pass *analysis.Pass) {
	if pass.Kind == analysis.KindKey && !keyServesS3(pass) {
		return // a key for EBS, CloudWatch Logs, ...: its users need no S3 directions
	}
	var needed []string // neededKeyActions, asked once: it reads every statement
	for _, s := range pass.Policy.Statements {
		if s.IsAllow() && s.Action != nil && appliesToKey(pass.Kind, pass.Policy, s) && usesKey(s) {
			if needed == nil {
				needed = neededKeyActions(pass)
			}
			checkKMSStatement(pass, s, needed)
		}
	}
	if pass.Kind == analysis.KindIdentity {
		checkBucketKeys(pass)
	}
}

// appliesToKey reports whether the statement concerns a KMS key: every
// statement of a key policy, and identity statements on a key ARN.
func appliesToKey(kind analysis.Kind, p *analysis.Policy, s *analysis.Statement) bool {
	if !throughS3(s) {
		return false
	}
	if kind == analysis.KindKey {
		return !servicesOnly(s)
	}
	entries := p.ResourceARNs().Of(s)
	for i := range entries {
		if isKeyARN(&entries[i]) {
			return true
		}
	}
	return false
}

// keyServesS3 reports whether a key policy is for a key that encrypts S3
// objects: .s3policy.json names it as a bucket's kmsKeyArn, or a
// statement limits it to S3 with kms:ViaService. A key policy the
// workspace says nothing about is taken to serve S3 only when it says so
// itself.
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
func keyServesS3(pass *analysis.Pass) bool {
	if pass.Facts != nil && pass.Facts.Key != "" && pass.Config != nil && bucketKeysOf(pass).has(pass.Facts.Key) {
		return true
	}
	for _, s := range pass.Policy.Statements {
		for _, c := range s.Conditions() {
			if !strings.EqualFold(c.Key.Key, "kms:ViaService") {
				continue
			}
			for _, v := range c.Values {
				if strings.HasPrefix(v.Str, "s3.") {
					return true
				}
			}
		}
	}
	return false
}

// bucketKeys are the kmsKeyArn of the buckets of .s3policy.json, as
// written and by key ID, so that a key policy is matched against them in
// one look-up, not against each of the thousands of buckets a team's
// config names (keyServesS3 was quadratic in the folder, issue 16).
type bucketKeys struct {
	arns, ids map[string]bool
}

// bucketKeysOf indexes the config's bucket keys, once per workspace and
// config when the workspace keeps values.
func bucketKeysOf(pass *analysis.Pass) bucketKeys {
	cfg := pass.Config
	build := func() bucketKeys {
		k := bucketKeys{arns: map[string]bool{}, ids: map[string]bool{}}
		for _, b := range cfg.Buckets {
			if b.KMSKeyARN == "" {
				continue
			}
			k.arns[b.KMSKeyARN] = true
			if strings.Contains(b.KMSKeyARN, "key/") {
				k.ids[keyID(b.KMSKeyARN)] = true
			}
		}
		return k
	}
	if pass.Workspace == nil {
		return build()
	}
	return memoized(pass.Workspace, fmt.Sprintf(bucketKeysKey+"%p", cfg), build)
}

// has reports whether a bucket's key is the key: the same ARN, or the
// same key ID, so that an alias-free ARN in two spellings (a region or
// partition written differently) still agrees.
func (k bucketKeys) has(key string) bool {
	return k.arns[key] || strings.Contains(key, "key/") && k.ids[keyID(key)]
}

// keyID is what follows the last slash of a key ARN.
func keyID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// throughS3 reports whether the statement may serve S3: it has no
// kms:ViaService condition, or one that names S3.
func throughS3(s *analysis.Statement) bool {
	for _, c := range s.Conditions() {
		if !strings.EqualFold(c.Key.Key, "kms:ViaService") {
			continue
		}
		for _, v := range c.Values {
			if strings.HasPrefix(v.Str, "s3.") || strings.HasPrefix(v.Str, "*") {
				return true
			}
		}
		return false
	}
	return true
}

// servicesOnly reports whether a key-policy statement names only AWS
// services (CloudTrail, CloudWatch Logs, ...), which use the key for their
// own purpose, not for a user's S3 objects.
func servicesOnly(s *analysis.Statement) bool {
	refs := analysis.Principals(s.Principal)
	for _, r := range refs {
		if r.Type != "Service" {
			return false
		}
	}
	return len(refs) > 0
}

// checkKMSStatement reports a statement that uses a key (usesKey) when
// the policy does not allow it the needed actions.
func checkKMSStatement(pass *analysis.Pass, s *analysis.Statement, needed []string) {
	// The policy as a whole must allow both: another statement on the
	// same key (identity policy) or for the same principal (key policy)
	// may hold the other action.
	var missing []string
	if pass.Kind == analysis.KindIdentity {
		missing = grantedOnKeys(pass.Policy, s).missing(needed)
	} else {
		missing = missingActions(grantedToPrincipals(pass.Policy, s), needed)
	}
	if len(missing) == 0 {
		return
	}
	// Written when read: a finding for each such statement, and a 20 KB
	// identity policy can hold forty.
	pass.Report(analysis.Finding{
		Span:     s.Action.Value.Span,
		Message:  analysis.Say(keyWithoutActions, analysis.Args{S: [3]string{s.SidText()}, N: [2]int32{int32(bitsOf(missing)), int32(s.Index)}}),
		FixLater: analysis.FixOf(addMissingKeyActions, s.Action.Value),
	})
}

// keyWithoutActions says that statement Args.S[0] (its Sid, else the
// statement at Args.N[1]) allows the key without the actions of bits
// Args.N[0].
func keyWithoutActions(ja bool, a *analysis.Args) string {
	label := strconv.Itoa(int(a.N[1]) + 1) // named as every message names a statement
	if a.S[0] != "" {
		label = strconv.Quote(a.S[0])
	}
	list, consequence := kmsLists[a.N[0]], kmsConsequences[a.N[0]]
	if ja {
		return "ステートメント " + label + " は " + list.JA + " なしでキーを許可しています。" + consequence.JA
	}
	return "statement " + label + " allows the key without " + list.EN + ": " + consequence.EN
}

// usesKey reports whether the statement allows one of the actions SSE-KMS
// uses, and so is meant for encryption.
func usesKey(s *analysis.Statement) bool {
	for _, entry := range s.Actions() {
		if mayNameKMS(entry.Str) && slices.ContainsFunc(kmsDataActions, func(a string) bool { return analysis.MatchAction(entry.Str, a) }) {
			return true
		}
	}
	return false
}

// mayNameKMS reports whether an Action entry may match a KMS action: its
// service prefix is kms, in any case, or holds a wildcard, or it has no
// colon. Any other prefix matches no kms:... action (the action's only
// colon follows "kms"), so the entries of other services, most of an
// identity policy's, are not matched against each KMS action.
func mayNameKMS(entry string) bool {
	colon := strings.IndexByte(entry, ':')
	if colon < 0 {
		return true
	}
	prefix := entry[:colon]
	for i := 0; i < len(prefix); i++ { // short: a loop, not two searches
		if prefix[i] == '*' || prefix[i] == '?' {
			return true
		}
	}
	// kms in any case: only 'K' and 'k' give 'k' with the case bit set.
	return len(prefix) == 3 && prefix[0]|0x20 == 'k' && prefix[1]|0x20 == 'm' && prefix[2]|0x20 == 's'
}

// isKeyARN reports whether a Resource entry is a KMS key ARN (or pattern).
func isKeyARN(r *analysis.ResourceARN) bool {
	return r.IsARN() && r.Part(2) == "kms" && strings.HasPrefix(r.Part(5), "key/")
}

// keyActions says which of kmsNeeded a set of Allow statements grants:
// bit i for kmsNeeded[i].
type keyActions uint8

// keyActionsOf is what one statement's Action entries grant of kmsNeeded.
func keyActionsOf(s *analysis.Statement) keyActions {
	var k keyActions
	for _, entry := range s.Actions() {
		if !mayNameKMS(entry.Str) {
			continue
		}
		for i, n := range kmsNeeded {
			if analysis.MatchAction(entry.Str, n) {
				k |= 1 << i
			}
		}
	}
	return k
}

// missing lists the needed actions (of kmsNeeded) not granted, in
// kmsNeeded's order, as one of kmsSubsets.
func (k keyActions) missing(needed []string) []string {
	return kmsSubsets[bitsOf(needed)&^k]
}

// bitsOf is the set of actions of kmsNeeded.
func bitsOf(actions []string) keyActions {
	var k keyActions
	for _, a := range actions {
		k |= 1 << slices.Index(kmsNeeded, a)
	}
	return k
}

// kmsSubsets are the lists of kmsNeeded's actions by their bits,
// kmsLists and kmsAddTitles their words: a finding's missing actions are
// one of these, shared by every finding, not a list and words of its own.
var (
	kmsSubsets      = [4][]string{nil, kmsNeeded[:1], kmsNeeded[1:], kmsNeeded}
	kmsLists        [4]analysis.Text
	kmsAddTitles    [4]analysis.Text
	kmsConsequences [4]analysis.Text
)

func init() {
	for bits, actions := range kmsSubsets {
		kmsLists[bits] = analysis.AndList(actions)
		list := strings.Join(actions, ", ")
		kmsAddTitles[bits] = analysis.T("Add "+list, list+" を追加")
		if len(actions) > 0 {
			kmsConsequences[bits] = kmsConsequence(actions)
		}
	}
}

// grantedOnKeys is what the Allow statements of the policy that reach one
// of the keys s names grant of kmsNeeded.
func grantedOnKeys(p *analysis.Policy, s *analysis.Statement) keyActions {
	idx := allowsByResourceOf(p)
	var granted keyActions
	entries := p.ResourceARNs().Of(s)
	for i := range entries {
		if !isKeyARN(&entries[i]) {
			continue
		}
		key := entries[i].Value.Str
		// A Resource without * or ? matches the key only when equal to it.
		i, _ := slices.BinarySearchFunc(idx.literals, key, func(l literalResource, key string) int { return strings.Compare(l.resource, key) })
		for ; i < len(idx.literals) && idx.literals[i].resource == key; i++ {
			granted |= idx.grants[idx.literals[i].st]
		}
		service, _ := arnService(key)
		granted = idx.patternsGrant(idx.patterns, key, service, granted)
		if service != "kms" {
			granted = idx.patternsGrant(idx.otherPatterns, key, service, granted)
		}
	}
	return granted
}

// patternsGrant adds to granted what the statements of patterns that
// match the key grant; service is the key's (arnService).
func (idx *allowsByResource) patternsGrant(patterns []resourcePattern, key, service string, granted keyActions) keyActions {
	for _, r := range patterns {
		if granted|idx.grants[r.st] == granted {
			continue // nothing more to learn from its statement
		}
		if r.service != "" && r.service != service {
			continue // arn:aws:s3:::bucket/* reaches no key
		}
		if analysis.MatchWildcard(r.pattern, key, false) {
			granted |= idx.grants[r.st]
		}
	}
	return granted
}

// allowsByResource are the Allow statements of a policy that grant some
// of kmsNeeded, by the Resource entries they name, built once per policy:
// each KMS statement of an identity policy asks which statements reach
// its keys, and comparing every key with every Resource of every
// statement was a third of the checks' time on a 20 KB policy of such
// statements.
type allowsByResource struct {
	grants []keyActions // keyActionsOf each statement indexed
	// literals are the Resources without * or ? that may be a key ARN
	// (they hold ":kms:", as every ARN of service kms does), sorted: one
	// array searched, where a map of lists was an allocation for each.
	literals []literalResource
	// patterns are the Resources with * or ? whose service may be kms
	// (patternService "kms" or ""); otherPatterns those of another
	// service, which reach a key only when the key's service field, read
	// as arnService reads it, is not kms (a ${...} with a colon before it).
	patterns, otherPatterns []resourcePattern
}

// literalResource is a Resource entry without * or ? of the statement at
// st in allowsByResource.grants.
type literalResource struct {
	resource string
	st       int32
}

// resourcePattern is a Resource entry with * or ? of the statement at st
// in allowsByResource.grants.
type resourcePattern struct {
	st      int32
	service string // patternService
	pattern string
}

type allowsByResourceKey struct{}

func allowsByResourceOf(p *analysis.Policy) *allowsByResource {
	return p.Derived(allowsByResourceKey{}, func(p *analysis.Policy) any {
		// Sized at most once: appending to each list as it grew was an
		// allocation per doubling, twenty for a 20 KB policy.
		resources := 0
		for _, st := range p.Statements {
			if st.IsAllow() {
				resources += len(st.Resources())
			}
		}
		idx := &allowsByResource{grants: make([]keyActions, 0, len(p.Statements))}
		for _, st := range p.Statements {
			if !st.IsAllow() {
				continue
			}
			grants := keyActionsOf(st)
			if grants == 0 {
				continue // adds nothing to what any statement is granted
			}
			at := int32(len(idx.grants))
			idx.grants = append(idx.grants, grants)
			for _, r := range st.Resources() {
				if !iamref.HasGlob(r.Str) {
					if strings.Contains(r.Str, ":kms:") {
						if idx.literals == nil {
							idx.literals = make([]literalResource, 0, resources)
						}
						idx.literals = append(idx.literals, literalResource{r.Str, at})
					}
					continue
				}
				switch service := patternService(r.Str); service {
				case "", "kms":
					idx.patterns = append(idx.patterns, resourcePattern{at, service, r.Str})
				default:
					idx.otherPatterns = append(idx.otherPatterns, resourcePattern{at, service, r.Str})
				}
			}
		}
		slices.SortStableFunc(idx.literals, func(a, b literalResource) int { return strings.Compare(a.resource, b.resource) })
		return idx
	}).(*allowsByResource)
}

// patternService is the service field of a Resource pattern when the
// text before its first wildcard holds it whole ("arn:aws:s3:::b/*"
// gives "s3"): every ARN the pattern matches names that service. It is ""
// when a wildcard comes sooner ("arn:aws:*:..." or "*").
func patternService(pattern string) string {
	if service, whole := arnService(pattern[:firstWildcard(pattern)]); whole {
		return service
	}
	return ""
}

// firstWildcard is the place of the first * or ? of a pattern that has
// one (two vectorised searches, where strings.IndexAny tests each byte).
func firstWildcard(pattern string) int {
	star, question := strings.IndexByte(pattern, '*'), strings.IndexByte(pattern, '?')
	if star < 0 || question >= 0 && question < star {
		return question
	}
	return star
}

// arnService is the text between an ARN's second and third colon (""
// when it is no ARN), and whether the third colon ends it. Every colon
// counts, those of a ${...} too: patternService reads patterns the same
// way, so the two agree.
func arnService(arn string) (service string, whole bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	if _, rest, ok = strings.Cut(rest, ":"); !ok {
		return "", false
	}
	service, _, whole = strings.Cut(rest, ":")
	return service, whole
}

// grantedToPrincipals collects the actions of every Allow statement of a
// key policy that names one of the statement's principals.
func grantedToPrincipals(p *analysis.Policy, s *analysis.Statement) []*analysis.Value {
	names := map[string]bool{}
	for _, r := range analysis.Principals(s.Principal) {
		names[r.Type+" "+r.Value.Str] = true
	}
	out := s.Actions()
	for _, other := range p.Statements {
		if other == s || !other.IsAllow() {
			continue
		}
		for _, r := range analysis.Principals(other.Principal) {
			if names[r.Type+" "+r.Value.Str] {
				out = append(out, other.Actions()...)
				break
			}
		}
	}
	return out
}

// neededKeyActions are the KMS actions a statement must allow: both in a
// key policy; in an identity policy that grants S3 object reads or writes,
// those that its reads (kms:Decrypt) and writes (kms:GenerateDataKey)
// need, and both when it grants neither.
func neededKeyActions(pass *analysis.Pass) []string {
	if pass.Kind == analysis.KindKey {
		return kmsNeeded
	}
	var reads, writes bool
	for _, s := range pass.Policy.Statements {
		if s.IsAllow() {
			reads = reads || anyMatch(s.Actions(), "s3:GetObject")
			writes = writes || anyMatch(s.Actions(), "s3:PutObject")
		}
	}
	switch {
	case reads && !writes:
		return kmsNeeded[:1]
	case writes && !reads:
		return kmsNeeded[1:]
	}
	return kmsNeeded
}

// missingActions lists the needed actions (of kmsNeeded) that none of the
// Action entries covers, as one of kmsSubsets.
func missingActions(actions []*analysis.Value, needed []string) []string {
	var granted keyActions
	for _, n := range needed {
		if anyMatch(actions, n) {
			granted |= 1 << slices.Index(kmsNeeded, n)
		}
	}
	return granted.missing(needed)
}

func kmsConsequence(missing []string) analysis.Text {
	switch {
	case len(missing) == 2:
		return analysis.T("SSE-KMS objects can be neither downloaded nor uploaded", "SSE-KMS オブジェクトのダウンロードもアップロードもできません")
	case missing[0] == "kms:Decrypt":
		return analysis.T("downloads of SSE-KMS objects are denied", "SSE-KMS オブジェクトのダウンロードが拒否されます")
	}
	return analysis.T("uploads of SSE-KMS objects are denied", "SSE-KMS オブジェクトのアップロードが拒否されます")
}

// addMissingKeyActions is the fix of keyWithoutActions' finding: add the
// actions of bits Args.N[0] to Action (action), written when asked for
// (check prints no fix). The actions (kms:Decrypt, kms:GenerateDataKey)
// need no escaping.
func addMissingKeyActions(doc *analysis.FixDoc, action *analysis.Value, a *analysis.Args) []analysis.Fix {
	return []analysis.Fix{{
		Title: kmsAddTitles[a.N[0]],
		Edits: analysis.AppendRaw(doc.Src, action, `"`+strings.Join(kmsSubsets[a.N[0]], `", "`)+`"`),
	}}
}

// checkBucketKeys reports, for a bucket that .s3policy.json says is
// SSE-KMS with a known key, an identity policy that grants object actions
// on it but does not allow the key actions those need.
func checkBucketKeys(pass *analysis.Pass) {
	for _, name := range namedBucketsReached(pass.Config, pass.Policy) {
		b := pass.Config.Bucket(name)
		if !strings.HasPrefix(b.Encryption, "aws:kms") || b.KMSKeyARN == "" || hasKeyStatement(pass, b.KMSKeyARN) {
			// A statement that already uses the key gets the finding, and
			// the fix that extends it, from checkKMSStatement.
			continue
		}
		for _, s := range pass.Policy.Statements {
			if !s.IsAllow() {
				continue
			}
			for _, r := range s.Resources() {
				if !coversObjectsOf(r.Str, name) {
					continue
				}
				if missing := keyActionsMissing(pass.Policy, s, b.KMSKeyARN); len(missing) > 0 {
					reportBucketKey(pass, r, name, b.KMSKeyARN, missing)
				}
				break
			}
		}
	}
}

// keyActionsMissing lists the KMS actions the statement's object actions
// need (reads need kms:Decrypt, writes kms:GenerateDataKey) that no Allow
// statement of the policy grants on the key.
func keyActionsMissing(p *analysis.Policy, s *analysis.Statement, key string) []string {
	var needed []string
	if anyMatch(s.Actions(), "s3:GetObject") {
		needed = append(needed, "kms:Decrypt")
	}
	if anyMatch(s.Actions(), "s3:PutObject") {
		needed = append(needed, "kms:GenerateDataKey")
	}
	var granted []*analysis.Value
	for _, other := range p.Statements {
		if other.IsAllow() && resourceMatches(other.Resources(), key) {
			granted = append(granted, other.Actions()...)
		}
	}
	return missingActions(granted, needed)
}

// hasKeyStatement reports whether an Allow statement that checkKMSStatement
// looks at uses the key.
func hasKeyStatement(pass *analysis.Pass, key string) bool {
	for _, s := range pass.Policy.Statements {
		if s.IsAllow() && s.Action != nil && appliesToKey(pass.Kind, pass.Policy, s) && usesKey(s) && resourceMatches(s.Resources(), key) {
			return true
		}
	}
	return false
}

func resourceMatches(resources []*analysis.Value, arn string) bool {
	for _, r := range resources {
		if analysis.MatchWildcard(r.Str, arn, false) {
			return true
		}
	}
	return false
}

func reportBucketKey(pass *analysis.Pass, r *analysis.Value, bucket, key string, missing []string) {
	list := analysis.AndList(missing)
	stmt := newStatement(pass,
		member{"Sid", sidFor(pass.Policy, "UseBucketKey"+sidWord(bucket))},
		member{"Effect", "Allow"},
		member{"Action", missing},
		member{"Resource", key},
	)
	pass.Report(analysis.Finding{
		Span:     r.Span,
		Severity: analysis.Error,
		Message: analysis.SayText(analysis.Join("", analysis.Tf("objects of %s are encrypted with KMS key %s, but no statement allows %s on it: ",
			"%s のオブジェクトは KMS キー %s で暗号化されていますが、そのキーに %s を許可するステートメントがありません。",
			bucket, key, list), kmsConsequence(missing))),
		Fixes: []analysis.Fix{{
			Title: analysis.Tf("Allow %s on the bucket's key", "バケットのキーに %s を許可", list),
			Edits: analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, stmt),
		}},
	})
}
