package eval

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// accountScenario is a bucket policy that grants jane (of 111122223333)
// s3:GetObject, and jane's identity policy (identity, may be ""); the
// request gives the bucket's account only when account is not "".
func accountScenario(identity, account string) string {
	src := `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::other-bucket/x"`
	if account != "" {
		src += `, "resourceAccount": "` + account + `"`
	}
	src += `},
 "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}`
	if identity != "" {
		src += `,
 "identityPolicies": [` + identity + `]`
	}
	return src + "}"
}

func parseOne(t *testing.T, src string) *Scenario {
	t.Helper()
	scenarios, err := ParseScenarios([]byte(src))
	if err != nil || len(scenarios) != 1 {
		t.Fatalf("scenario: %v", err)
	}
	return scenarios[0]
}

// R19: a bucket whose account nobody gives was taken to be the caller's,
// and a request that only a same-account bucket allows was Allowed.
func TestExplainBucketAccountUnknown(t *testing.T) {
	s := parseOne(t, accountScenario("", ""))
	if r := Evaluate(s); r.Decision != Allowed {
		t.Fatalf("Evaluate (the caller's account taken): %s", r.Decision)
	}
	r := Explain(s)
	if r.Decision != AllowedIf || !slices.Equal(r.BlockedBy, []Layer{LayerIdentity}) || len(r.Causes) != 2 {
		t.Fatalf("got %s blocked by %v, causes %+v", r.Decision, r.BlockedBy, r.Causes)
	}
	note, deny := r.Causes[0], r.Causes[1]
	if note.Code != CodeBucketAccountUnknown || note.Layer != LayerResource || note.Policy != "resourcePolicy" || note.Statement != -1 {
		t.Errorf("first cause %+v", note)
	}
	wantEN := `nobody says which account owns bucket other-bucket: in 111122223333, the caller's account, the request is Allowed; in another account, ImplicitlyDenied (blocked by identity). Give the bucket's account to decide (--resource-account, "resourceAccount" in the request, or "account" under the bucket in .s3policy.json)`
	wantJA := `バケット other-bucket を所有するアカウントが指定されていません。呼び出し元と同じ 111122223333 ならリクエストは Allowed、別のアカウントなら ImplicitlyDenied (blocked by identity) です。判定するにはバケットのアカウントを指定してください (--resource-account、リクエストの "resourceAccount"、または .s3policy.json のバケットの "account")`
	if got := r.Say(&note); got.EN != wantEN || got.JA != wantJA {
		t.Errorf("note\n%s\n%s\nwant\n%s\n%s", got.EN, got.JA, wantEN, wantJA)
	}
	if deny.Code != CodeImplicitDeny || deny.Layer != LayerIdentity {
		t.Errorf("second cause %+v", deny)
	}
	// Evaluate's answer is left as it was: the scenario is not changed.
	if again := Evaluate(s); again.Decision != Allowed || s.elsewhere {
		t.Errorf("Evaluate after Explain: %s", again.Decision)
	}
	// Given, the account decides, as before.
	for account, decision := range map[string]Decision{"111122223333": Allowed, "444455556666": ImplicitlyDenied} {
		s := parseOne(t, accountScenario("", account))
		if r := Explain(s); r.Decision != decision || !slices.Equal(said(r).Causes, said(Evaluate(s)).Causes) {
			t.Errorf("resourceAccount %s: %s %+v, want %s as Evaluate", account, r.Decision, r.Causes, decision)
		}
	}
}

// When both accounts give the same decision, Explain answers as Evaluate.
func TestExplainBucketAccountUnknownSameEitherWay(t *testing.T) {
	allow := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	s := parseOne(t, accountScenario(allow, ""))
	if r := Explain(s); r.Decision != Allowed || len(r.Causes) != 0 {
		t.Errorf("got %s %+v, want Allowed", r.Decision, r.Causes)
	}
	deny := `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}`
	s = parseOne(t, accountScenario(deny, ""))
	if r, e := Explain(s), Evaluate(s); r.Decision != ExplicitlyDenied || !slices.Equal(said(r).Causes, said(e).Causes) {
		t.Errorf("got %s %+v, want ExplicitlyDenied as Evaluate", r.Decision, r.Causes)
	}
}

// In another account, aws:ResourceAccount is a value the tool cannot
// know: a condition on it decides nothing by itself.
func TestExplainBucketAccountUnknownResourceAccountKey(t *testing.T) {
	identity := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {"StringEquals": {"aws:ResourceAccount": "444455556666"}}}]}`
	r := Explain(parseOne(t, accountScenario(identity, "")))
	if r.Decision != AllowedIf || len(r.Causes) != 2 {
		t.Fatalf("got %s %+v", r.Decision, r.Causes)
	}
	if msg := r.Say(&r.Causes[1]).EN; !strings.Contains(msg, "AWS sets aws:ResourceAccount from the request, and the tool cannot know its value") {
		t.Errorf("second cause: %s", msg)
	}
	if msg := r.Say(&r.Causes[0]).EN; !strings.Contains(msg, "in another account, AllowedIf (blocked by identity)") {
		t.Errorf("first cause: %s", msg)
	}
}

// In a folder, the account the bucket policy's file belongs to
// (.s3policy.json "files") gives the bucket's; without it, the answer
// says that nobody gives it.
func TestWorkspaceExplainBucketAccount(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"}]}`
	req := Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:GetObject", Resource: "arn:aws:s3:::other-bucket/x"}
	for _, c := range []struct {
		config  string
		want    Decision
		account string // of the scenario's request
		causes  []string
	}{
		{"", AllowedIf, "", []string{CodeBucketAccountUnknown, CodeImplicitDeny}},
		{`{"files": {"b.bucket-policy.json": {"kind": "bucket", "account": "444455556666"}}}`, ImplicitlyDenied, "444455556666", []string{CodeImplicitDeny}},
		{`{"files": {"b.bucket-policy.json": {"kind": "bucket", "account": "111122223333"}}}`, Allowed, "111122223333", nil},
		{`{"buckets": {"other-bucket": {"account": "111122223333"}}}`, Allowed, "", nil},
	} {
		files := map[string]string{"b.bucket-policy.json": policy}
		if c.config != "" {
			files[".s3policy.json"] = c.config
		}
		w, err := loadDir(writeFiles(t, files))
		if err != nil {
			t.Fatal(err)
		}
		s, r := w.Explain(req)
		var codes []string
		for _, cause := range r.Causes {
			codes = append(codes, cause.Code)
		}
		if r.Decision != c.want || s.Request.ResourceAccount != c.account || !slices.Equal(codes, c.causes) {
			t.Errorf("config %s: got %s, resourceAccount %q, causes %v; want %s, %q, %v", c.config, r.Decision, s.Request.ResourceAccount, codes, c.want, c.account, c.causes)
		}
		if c.config == "" && r.Causes[0].Policy != filepath.ToSlash("b.bucket-policy.json") {
			t.Errorf("note's policy %q", r.Causes[0].Policy)
		}
	}
}
