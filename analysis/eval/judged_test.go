package eval

import (
	"fmt"
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
