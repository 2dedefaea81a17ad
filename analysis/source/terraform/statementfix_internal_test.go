package terraform

import "testing"

// The statements a fix appends, written as statement blocks: conditions
// one block per operator and key (values as strings, as the provider
// writes them), Principal "*" as type "*", $${ for IAM variables; what a
// block cannot say is refused.
func TestStatementInsertEncode(t *testing.T) {
	hcl := &statementInsert{before: "\n\n", indent: "\t", step: "\t", nl: "\n"}
	tfjson := &statementInsert{json: true, before: ", "}
	stmt := `,
    {"Sid": "DenyOthers", "Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
     "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}, "Bool": {"aws:SecureTransport": false}}}`
	for _, tc := range []struct {
		ins  *statementInsert
		text string
		want string
		ok   bool
	}{
		{hcl, stmt, "\n\n\tstatement {\n\t\tsid         = \"DenyOthers\"\n\t\teffect      = \"Deny\"\n\t\tnot_actions = [\"s3:GetObject\"]\n\t\tresources   = [\"arn:aws:s3:::b/$${aws:username}/*\"]\n" +
			"\t\tprincipals {\n\t\t\ttype        = \"*\"\n\t\t\tidentifiers = [\"*\"]\n\t\t}\n" +
			"\t\tcondition {\n\t\t\ttest     = \"StringNotEquals\"\n\t\t\tvariable = \"aws:PrincipalAccount\"\n\t\t\tvalues   = [\"111122223333\", \"444455556666\"]\n\t\t}\n" +
			"\t\tcondition {\n\t\t\ttest     = \"Bool\"\n\t\t\tvariable = \"aws:SecureTransport\"\n\t\t\tvalues   = [\"false\"]\n\t\t}\n\t}", true},
		{tfjson, `, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:ListBucket", "Resource": "*"}`,
			`, {"effect": "Allow", "actions": ["s3:GetObject"], "resources": ["*"]}, {"sid": "B", "effect": "Allow", "actions": ["s3:ListBucket"], "resources": ["*"], "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]}`, true},
		{hcl, `, {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Id": "x"}`, "", false},
		{hcl, `, {"Effect": "Allow", "Action": ["s3:*", 3], "Resource": "*"}`, "", false},
		{hcl, `, {"Effect": "Allow", "Action": "s3:*"`, "", false},
	} {
		got, ok := tc.ins.encode(tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("encode(%q) = %q, %v\nwant %q, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}
