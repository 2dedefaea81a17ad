package eval

import (
	"fmt"
	"testing"
)

// condCase runs one condition in the identity policy of a same-account
// user: allowed when it holds, else an implicit deny at that statement.
type condCase struct {
	name      string
	condition string // the Condition element
	context   string // the request's context object
	holds     bool
}

func runConditionCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := fmt.Sprintf(`{
"request": {"principal": "arn:aws:iam::444455556666:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666", "context": %s},
"identityPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "Cond", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": %s}]}]
}`, c.context, c.condition)
			w := want{decision: Allowed}
			if !c.holds {
				w = want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "identityPolicies[0]", 0, `"Sid": "Cond"`}
			}
			checkResult(t, []byte(src), evaluateJSON(t, src), w)
		})
	}
}

// Every operator, with a value that matches and one that does not.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestConditionOperators(t *testing.T) {
	runConditionCases(t, []condCase{
		{"StringEquals", `{"StringEquals": {"aws:SourceVpce": "vpce-1"}}`, `{"aws:SourceVpce": "vpce-1"}`, true},
		{"StringEquals is case-sensitive", `{"StringEquals": {"aws:SourceVpce": "VPCE-1"}}`, `{"aws:SourceVpce": "vpce-1"}`, false},
		{"StringEquals: one of several values", `{"StringEquals": {"aws:SourceVpce": ["vpce-2", "vpce-1"]}}`, `{"aws:SourceVpce": "vpce-1"}`, true},
		{"StringNotEquals", `{"StringNotEquals": {"aws:SourceVpce": ["vpce-2", "vpce-3"]}}`, `{"aws:SourceVpce": "vpce-1"}`, true},
		{"StringNotEquals: value listed", `{"StringNotEquals": {"aws:SourceVpce": ["vpce-2", "vpce-1"]}}`, `{"aws:SourceVpce": "vpce-1"}`, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase": {"aws:SourceVpce": "VPCE-1"}}`, `{"aws:SourceVpce": "vpce-1"}`, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase": {"aws:SourceVpce": "VPCE-1"}}`, `{"aws:SourceVpce": "vpce-1"}`, false},
		{"StringLike with *", `{"StringLike": {"s3:prefix": "home/*"}}`, `{"s3:prefix": "home/jane/"}`, true},
		{"StringLike with ?", `{"StringLike": {"s3:prefix": "home/?"}}`, `{"s3:prefix": "home/ab"}`, false},
		{"StringNotLike", `{"StringNotLike": {"s3:prefix": "private/*"}}`, `{"s3:prefix": "home/"}`, true},
		{"NumericEquals", `{"NumericEquals": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "10"}`, true},
		{"NumericNotEquals", `{"NumericNotEquals": {"s3:max-keys": 10}}`, `{"s3:max-keys": "10"}`, false},
		{"NumericLessThan", `{"NumericLessThan": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "9"}`, true},
		{"NumericLessThan at the bound", `{"NumericLessThan": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "10"}`, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "10"}`, true},
		{"NumericGreaterThan", `{"NumericGreaterThan": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "10.5"}`, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "9"}`, false},
		{"DateEquals with epoch seconds in the policy", `{"DateEquals": {"aws:CurrentTime": "1767225600"}}`, `{"aws:CurrentTime": "2026-01-01T00:00:00Z"}`, true},
		{"DateNotEquals", `{"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}`, `{"aws:CurrentTime": "2026-01-01T00:00:00Z"}`, false},
		{"DateLessThan", `{"DateLessThan": {"aws:CurrentTime": "2026-06-30"}}`, `{"aws:CurrentTime": "2026-06-29T23:59:59Z"}`, true},
		{"DateLessThanEquals", `{"DateLessThanEquals": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}`, `{"aws:CurrentTime": "2026-06-30T00:00:01Z"}`, false},
		{"DateGreaterThan with epoch seconds", `{"DateGreaterThan": {"aws:EpochTime": "1767225600"}}`, `{"aws:EpochTime": "1767225601"}`, true},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals": {"aws:CurrentTime": "2026-01-01T00:00:00+09:00"}}`, `{"aws:CurrentTime": "2025-12-31T15:00:00Z"}`, true},
		{"Bool", `{"Bool": {"aws:SecureTransport": "true"}}`, `{"aws:SecureTransport": "true"}`, true},
		{"Bool false", `{"Bool": {"aws:SecureTransport": false}}`, `{"aws:SecureTransport": true}`, false},
		{"BinaryEquals", `{"BinaryEquals": {"key": "QmluYXJ5VmFsdWU="}}`, `{"key": "QmluYXJ5VmFsdWU="}`, true},
		{"IpAddress IPv4", `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, `{"aws:SourceIp": "203.0.113.7"}`, true},
		{"IpAddress IPv4 outside", `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`, `{"aws:SourceIp": "198.51.100.7"}`, false},
		{"IpAddress IPv6", `{"IpAddress": {"aws:SourceIp": "2001:db8:1234::/48"}}`, `{"aws:SourceIp": "2001:db8:1234:ffff::1"}`, true},
		{"NotIpAddress", `{"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}`, `{"aws:SourceIp": "2001:db8::5"}`, false},
		{"ArnEquals", `{"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:444455556666:topic"}}`, `{"aws:SourceArn": "arn:aws:sns:us-east-1:444455556666:topic"}`, true},
		{"ArnLike per part", `{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/b?b"}}`, `{}`, true},
		{"ArnLike does not cross parts", `{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}`, `{"aws:SourceArn": "arn:aws:sns:us-east-1:444455556666:topic"}`, false},
		{"ArnNotEquals", `{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:user/bob"}}`, `{}`, false},
		{"ArnNotLike", `{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}}`, `{}`, true},
		{"unknown operator", `{"StringEqualz": {"aws:SourceVpce": "vpce-1"}}`, `{"aws:SourceVpce": "vpce-1"}`, false},
		{"condition key names are case-insensitive", `{"StringEquals": {"AWS:SOURCEVPCE": "vpce-1"}}`, `{"aws:SourceVpce": "vpce-1"}`, true},
		{"several keys: all must hold", `{"StringEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceVpc": "vpc-9"}}`, `{"aws:SourceVpce": "vpce-1", "aws:SourceVpc": "vpc-8"}`, false},
		{"several operators: all must hold", `{"StringEquals": {"aws:SourceVpce": "vpce-1"}, "Bool": {"aws:SecureTransport": "true"}}`, `{"aws:SourceVpce": "vpce-1", "aws:SecureTransport": "true"}`, true},
	})
}

// A missing key: positive operators fail, negated ones hold, IfExists
// holds, Null tests presence, ForAllValues holds, ForAnyValue fails.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func TestMissingKeys(t *testing.T) {
	var cases []condCase
	for _, op := range []string{"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress"} {
		cases = append(cases, condCase{op + " holds on a missing key", fmt.Sprintf(`{%q: {"aws:MissingKey": "1"}}`, op), `{}`, true})
	}
	for _, op := range []string{"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "NumericEquals", "NumericLessThan", "DateEquals", "DateGreaterThan", "Bool", "BinaryEquals", "IpAddress"} {
		cases = append(cases, condCase{op + " fails on a missing key", fmt.Sprintf(`{%q: {"aws:MissingKey": "1"}}`, op), `{}`, false})
	}
	cases = append(cases,
		condCase{"IfExists holds on a missing key", `{"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}`, `{}`, true},
		condCase{"IfExists tests a present key", `{"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}`, `{"aws:SourceVpce": "vpce-2"}`, false},
		condCase{"NumericLessThanIfExists present", `{"NumericLessThanIfExists": {"s3:max-keys": "10"}}`, `{"s3:max-keys": "5"}`, true},
		condCase{"Null true on a missing key", `{"Null": {"aws:TokenIssueTime": "true"}}`, `{}`, true},
		condCase{"Null true on a present key", `{"Null": {"aws:TokenIssueTime": "true"}}`, `{"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}`, false},
		condCase{"Null false on a present key", `{"Null": {"aws:TokenIssueTime": "false"}}`, `{"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}`, true},
		condCase{"Null false on a missing key", `{"Null": {"aws:TokenIssueTime": false}}`, `{}`, false},
		condCase{"ForAllValues holds on a missing key", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}`, `{}`, true},
		condCase{"ForAllValues holds on an empty key", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}`, `{"aws:TagKeys": []}`, true},
		condCase{"ForAllValues: every value listed", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}`, `{"aws:TagKeys": ["team", "env"]}`, true},
		condCase{"ForAllValues: a value not listed", `{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}`, `{"aws:TagKeys": ["team", "cost"]}`, false},
		condCase{"ForAllValues:StringNotLike", `{"ForAllValues:StringNotLike": {"aws:TagKeys": "aws:*"}}`, `{"aws:TagKeys": ["team", "aws:x"]}`, false},
		condCase{"ForAnyValue fails on a missing key", `{"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}`, `{}`, false},
		condCase{"ForAnyValue: one value listed", `{"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}`, `{"aws:TagKeys": ["team", "env"]}`, true},
		condCase{"ForAnyValue:StringNotEquals", `{"ForAnyValue:StringNotEquals": {"aws:TagKeys": "env"}}`, `{"aws:TagKeys": ["env"]}`, false},
		condCase{"multivalued key without a set operator: any value", `{"StringEquals": {"aws:TagKeys": "env"}}`, `{"aws:TagKeys": ["team", "env"]}`, true},
	)
	runConditionCases(t, cases)
}

// Policy variables in Resource and in condition values.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestPolicyVariables(t *testing.T) {
	scenario := func(principal, version, resourcePattern, resource, context string) string {
		return fmt.Sprintf(`{
"request": {"principal": %q, "action": "s3:GetObject", "resource": %q, "resourceAccount": "444455556666", "context": %s},
"identityPolicies": [{"Version": %q, "Statement": [
  {"Sid": "Home", "Effect": "Allow", "Action": "s3:GetObject", "Resource": %q}]}]
}`, principal, resource, context, version, resourcePattern)
	}
	const bob, session = "arn:aws:iam::444455556666:user/bob", "arn:aws:sts::444455556666:assumed-role/app/s1"
	missing := want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeMissingResourceARN, LayerIdentity, "identityPolicies[0]", 0, `"Sid": "Home"`}
	cases := []scenarioCase{
		{"aws:username", scenario(bob, "2012-10-17", "arn:aws:s3:::shared/home/${aws:username}/*", "arn:aws:s3:::shared/home/bob/a.txt", `{}`), want{decision: Allowed}},
		{"aws:username of another user", scenario(bob, "2012-10-17", "arn:aws:s3:::shared/home/${aws:username}/*", "arn:aws:s3:::shared/home/jane/a.txt", `{}`), missing},
		{"no value: the element does not match", scenario(session, "2012-10-17", "arn:aws:s3:::shared/home/${aws:username}/*", "arn:aws:s3:::shared/home/app/a.txt", `{}`), missing},
		{"default value", scenario(session, "2012-10-17", "arn:aws:s3:::shared/home/${aws:username, 'anonymous'}/*", "arn:aws:s3:::shared/home/anonymous/a.txt", `{}`), want{decision: Allowed}},
		{"not substituted under 2008-10-17", scenario(bob, "2008-10-17", "arn:aws:s3:::shared/home/${aws:username}/*", "arn:aws:s3:::shared/home/bob/a.txt", `{}`), missing},
		{"literal text under 2008-10-17", scenario(bob, "2008-10-17", "arn:aws:s3:::shared/home/${aws:username}/*", "arn:aws:s3:::shared/home/${aws:username}/a.txt", `{}`), want{decision: Allowed}},
		{"${*} is a literal star", scenario(bob, "2012-10-17", "arn:aws:s3:::shared/${*}", "arn:aws:s3:::shared/a.txt", `{}`), missing},
		{"${*} matches a star", scenario(bob, "2012-10-17", "arn:aws:s3:::shared/${*}${?}${$}", "arn:aws:s3:::shared/*?$", `{}`), want{decision: Allowed}},
		{"aws:PrincipalAccount", scenario(bob, "2012-10-17", "arn:aws:s3:::data-${aws:PrincipalAccount}/*", "arn:aws:s3:::data-444455556666/a.txt", `{}`), want{decision: Allowed}},
		{"aws:PrincipalTag", scenario(bob, "2012-10-17", "arn:aws:s3:::shared/${aws:PrincipalTag/team}/*", "arn:aws:s3:::shared/blue/a.txt", `{"aws:PrincipalTag/team": "blue"}`), want{decision: Allowed}},
		{"a value holding a star matches only a star", scenario(bob, "2012-10-17", "arn:aws:s3:::shared/${aws:PrincipalTag/team}/a.txt", "arn:aws:s3:::shared/blue/a.txt", `{"aws:PrincipalTag/team": "*"}`), missing},
	}
	runCases(t, cases)
	runConditionCases(t, []condCase{
		{"variable in a condition value", `{"StringLike": {"s3:prefix": "home/${aws:username}/*"}}`, `{"s3:prefix": "home/bob/docs"}`, true},
		{"variable without value in a condition", `{"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}`, `{"s3:prefix": "blue"}`, false},
		{"variable without value under a negated operator", `{"StringNotEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}`, `{"s3:prefix": "blue"}`, false},
		{"variable with a default in a condition", `{"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}"}}`, `{"s3:prefix": "none"}`, true},
	})
}

// NotAction, NotResource, NotPrincipal, and wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func TestNotElementsAndWildcards(t *testing.T) {
	const request = `"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},`
	const identity = `"identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}],`
	bucket := func(statements string) string {
		return `"resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:Get?bject", "Resource": "arn:aws:s3:::shared/*"},
  ` + statements + `]}`
	}
	runCases(t, []scenarioCase{
		{"NotAction allows everything else", `{` + request + identity + bucket(`{"Effect": "Deny", "Principal": "*", "NotAction": "s3:Get*", "Resource": "*"}`) + `}`, want{decision: Allowed}},
		{"NotAction: the excluded action", `{` + request + `"identityPolicies": [{"Version": "2012-10-17", "Statement": [
  {"Sid": "AllButS3", "Effect": "Allow", "NotAction": "S3:*", "Resource": "*"}]}],` + bucket(`{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "*"}`) + `}`,
			want{ImplicitlyDenied, []Layer{LayerIdentity}, CodeImplicitDeny, LayerIdentity, "identityPolicies[0]", -1, `"identityPolicies": [`}},
		{"Deny with NotResource", `{` + request + identity + bucket(`{"Sid": "OnlyPublic", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::shared/public/*"}`) + `}`,
			want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 1, `"Sid": "OnlyPublic"`}},
		{"Deny with NotResource spares what it lists", `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/public/a.txt", "resourceAccount": "444455556666"},` +
			identity + bucket(`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::shared/public/*"}`) + `}`, want{decision: Allowed}},
		{"NotPrincipal exempts a user listed with the account", `{` + request + identity + bucket(`{"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/jane", "arn:aws:iam::111122223333:root"]}, "Action": "s3:*", "Resource": "*"}`) + `}`,
			want{decision: Allowed}},
		{"NotPrincipal without the account denies the user", `{` + request + identity + bucket(`{"Sid": "OnlyJane", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/jane"}, "Action": "s3:*", "Resource": "*"}`) + `}`,
			want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 1, `"Sid": "OnlyJane"`}},
		{"NotPrincipal with a role ARN does not exempt its sessions", `{"request": {"principal": "arn:aws:sts::111122223333:assumed-role/app/s1", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},` +
			identity + bucket(`{"Sid": "OnlyApp", "Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:role/app", "111122223333"]}, "Action": "s3:*", "Resource": "*"}`) + `}`,
			want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 1, `"Sid": "OnlyApp"`}},
		{"NotPrincipal with the session ARN and the account", `{"request": {"principal": "arn:aws:sts::111122223333:assumed-role/app/s1", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},` +
			identity + bucket(`{"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:sts::111122223333:assumed-role/app/s1", "111122223333"]}, "Action": "s3:*", "Resource": "*"}`) + `}`,
			want{decision: Allowed}},
		// A Deny with NotPrincipal always denies a caller that has a permissions
		// boundary, listed or not: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
		{"NotPrincipal Deny denies a listed user who has a boundary", `{` + request + identity + `"permissionBoundaries": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],` +
			bucket(`{"Sid": "OnlyJane", "Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/jane", "arn:aws:iam::111122223333:root"]}, "Action": "s3:*", "Resource": "*"}`) + `}`,
			want{ExplicitlyDenied, []Layer{LayerResource}, CodeDeny, LayerResource, "resourcePolicy", 1, `"Sid": "OnlyJane"`}},
		{"a boundary does not touch an account's root user under NotPrincipal", `{"request": {"principal": "arn:aws:iam::111122223333:root", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/a.txt", "resourceAccount": "444455556666"},` +
			identity + `"permissionBoundaries": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}],` +
			bucket(`{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}`) + `}`,
			want{decision: Allowed}},
		{"resource wildcards are case-sensitive", `{"request": {"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::Shared/a.txt", "resourceAccount": "444455556666"},` +
			identity + `"resourcePolicy": {"Version": "2012-10-17", "Statement": [
  {"Sid": "Lower", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}}`,
			want{ImplicitlyDenied, []Layer{LayerResource}, CodeMissingResourceARN, LayerResource, "resourcePolicy", 0, `"Sid": "Lower"`}},
	})
}
