package eval

import (
	"fmt"
	"reflect"
	"testing"
)

// The same Deny text in several SCPs is judged once per pass, yet each
// policy it stands in is reported, and a policy whose Version substitutes
// no policy variables gets a verdict of its own: under 2008-10-17
// ${aws:username} is plain text, so the NotResource does not name jane's
// prefix and the Deny applies.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestTheSameDenyTextIsReportedInEachPolicy(t *testing.T) {
	const fullAccess = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	const deny = `{"Sid": "OwnPrefixOnly", "Effect": "Deny", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::shared/${aws:username}/*"}`
	level := func(version string) string {
		return `[` + fullAccess + `, {"Version": "` + version + `", "Statement": [` + deny + `]}]`
	}
	src := `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:PutObject", "resource": "arn:aws:s3:::shared/jane/a.txt", "resourceAccount": "111122223333"},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],
"serviceControlPolicies": [` + level("2012-10-17") + `, ` + level("2008-10-17") + `, ` + level("2008-10-17") + `, ` + level("2012-10-17") + `]}`
	got := evaluateJSON(t, src)
	var causes []string
	for _, c := range got.Causes {
		causes = append(causes, fmt.Sprintf("%s %s %s %d", c.Code, c.Layer, c.Policy, c.Statement))
	}
	want := []string{
		"scp-denies-s3 scp serviceControlPolicies[1][1] 0",
		"scp-denies-s3 scp serviceControlPolicies[2][1] 0",
	}
	if got.Decision != ExplicitlyDenied || fmt.Sprint(causes) != fmt.Sprint(want) {
		t.Fatalf("got %s with causes %q, want %s with %q", got.Decision, causes, ExplicitlyDenied, want)
	}
}

// The same holds in a workspace, whose index of its SCPs' Deny statements
// tells the statements alike by their text and their policy's Version
// (docIndex.textClasses): the workspace's scenario reports the Deny in
// the 2008-10-17 SCPs alone, as the walk over the files does.
func TestAWorkspaceTellsTheSameDenyTextApartByVersion(t *testing.T) {
	const deny = `{"Sid": "OwnPrefixOnly", "Effect": "Deny", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::shared/${aws:username}/*"}`
	scp := func(version string) string { return `{"Version": "` + version + `", "Statement": [` + deny + `]}` }
	w, err := loadDir(writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"shared": {"account": "111122223333"}}, "files": {
  "iam/jane.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:user/jane"},
  "org/a.json": {"kind": "scp"}, "org/b.json": {"kind": "scp"}, "org/c.json": {"kind": "scp"}, "org/d.json": {"kind": "scp"}}}`,
		"iam/jane.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`,
		"org/a.json":    scp("2012-10-17"),
		"org/b.json":    scp("2008-10-17"),
		"org/c.json":    scp("2008-10-17"),
		"org/d.json":    scp("2012-10-17"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:PutObject", Resource: "arn:aws:s3:::shared/jane/a.txt"}
	s := w.Scenario(req)
	if !s.holdsOwnSCPLevels() || s.scpIndex.denies.textClasses == nil {
		t.Fatal("the workspace's scenario does not judge its SCPs through its index's text classes")
	}
	got, walked := said(Evaluate(s)), said(Evaluate(walkScenario(w, req)))
	var causes []string
	for _, c := range got.Causes {
		causes = append(causes, fmt.Sprintf("%s %s %s %d", c.Code, c.Layer, c.Policy, c.Statement))
	}
	want := []string{"scp-denies-s3 scp org/b.json 0", "scp-denies-s3 scp org/c.json 0"}
	if got.Decision != ExplicitlyDenied || fmt.Sprint(causes) != fmt.Sprint(want) {
		t.Fatalf("got %s with causes %q, want %s with %q", got.Decision, causes, ExplicitlyDenied, want)
	}
	if !reflect.DeepEqual(got, walked) {
		t.Fatalf("the workspace's scenario decides\n%+v\nthe walk\n%+v", got, walked)
	}
}
