package checks

import (
	"slices"
	"strconv"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// DuplicateSid reports a Sid used by more than one statement. IAM requires
// Sids to be unique within a policy, and S3 rejects a bucket policy with
// repeated Sids ("Statement IDs (SID) must be unique"); other services
// (KMS, Organizations, SNS, SQS, VPC) set their own rules, so there a
// repeat is a warning.
var DuplicateSid = &analysis.Check{
	Code:     analysis.CodeDuplicateSid,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
	Title:    analysis.T("Two statements share a Sid", "複数のステートメントが同じ Sid を持つ"),
	Explain: analysis.T(
		"A Sid names one statement and must be unique within the policy. IAM and S3 reject a policy in which two statements share a Sid, so the policy cannot be saved; other services may accept it, but the duplicate makes statements impossible to tell apart. Rename one of them.",
		"Sid は 1 つのステートメントを指す名前で、ポリシー内で一意でなければなりません。IAM と S3 は Sid が重複したポリシーを拒否するため保存できません。他のサービスは受け付けることがありますが、ステートメントを区別できなくなります。どちらかの名前を変えてください。"),
	Run: runDuplicateSid,
}

// uniqueSidKinds are the kinds whose service rejects duplicate Sids: IAM
// (identity, boundary, session and trust policies) and S3.
var uniqueSidKinds = []analysis.Kind{analysis.KindIdentity, analysis.KindBoundary, analysis.KindSession, analysis.KindTrust, analysis.KindBucket}

func runDuplicateSid(pass *analysis.Pass) {
	severity := analysis.Warning
	if pass.Kind.In(uniqueSidKinds...) {
		severity = analysis.Error
	}
	if !sidsMayRepeat(pass.Policy.Statements) {
		return
	}
	// used holds every Sid in the policy, and each name a fix proposes,
	// so that a proposed name clashes with none; gathered at the first
	// duplicate, since most policies have none.
	var used map[string]bool
	first := make(map[string]*analysis.Statement, len(pass.Policy.Statements))
	for _, s := range pass.Policy.Statements {
		sid := s.SidText()
		if sid == "" || analysis.HasPlaceholder(sid) {
			continue // a template fills placeholders, maybe differently per statement
		}
		orig, seen := first[sid]
		if !seen {
			first[sid] = s
			continue
		}
		if used == nil {
			used = make(map[string]bool, len(pass.Policy.Statements))
			for _, s := range pass.Policy.Statements {
				used[s.SidText()] = true
			}
		}
		name := freeSid(sid, used)
		used[name] = true
		pass.Report(analysis.Finding{
			Severity: severity,
			Span:     s.Sid.Value.Span,
			Message: analysis.SayText(analysis.Tf("Sid %q is already used by statement %d; each Sid must be unique",
				"Sid %q はステートメント %d で既に使われています。Sid は一意でなければなりません", sid, orig.Index+1)),
			Related: []analysis.Related{{Span: orig.Sid.Value.Span, Message: analysis.T("first use of this Sid", "この Sid の最初の使用箇所")}},
			Fixes:   []analysis.Fix{renameSid(s, name)},
		})
	}
}

// sidsMayRepeat reports whether two statements may share a Sid that
// runDuplicateSid would report, sorting the Sids in an array of the
// stack: most policies repeat none, and the map of every Sid the check
// fills was made for each policy (5 % of the bytes check allocated over
// 10,000 ungoverned policies). A policy of more statements than the
// array holds is left to the map.
func sidsMayRepeat(sts []*analysis.Statement) bool {
	var room [64]string
	if len(sts) > len(room) {
		return true
	}
	sids := room[:0]
	for _, s := range sts {
		if sid := s.SidText(); sid != "" && !analysis.HasPlaceholder(sid) {
			sids = append(sids, sid)
		}
	}
	slices.Sort(sids)
	for i := 1; i < len(sids); i++ {
		if sids[i] == sids[i-1] {
			return true
		}
	}
	return false
}

// freeSid appends the lowest number that makes sid unused. Sids may hold
// only letters and digits, so a number keeps it valid.
func freeSid(sid string, used map[string]bool) string {
	for n := 2; ; n++ {
		name := sid + strconv.Itoa(n)
		if !used[name] {
			return name
		}
	}
}

func renameSid(s *analysis.Statement, name string) analysis.Fix {
	return analysis.Fix{
		Title: analysis.Tf("Rename to %q", "%q に名前を変更", name),
		Edits: []analysis.Edit{{Span: s.Sid.Value.Span, NewText: analysis.Quote(name)}},
	}
}
