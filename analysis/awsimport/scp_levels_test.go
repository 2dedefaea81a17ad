package awsimport

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// orgInputs is an organization where jane (account 111122223333) may
// read and write shared-data by her identity policy and the bucket's,
// FullAWSAccess is attached where Organizations attaches it by default
// (the root, an OU and the account, or fullOn), and ReadOnlyS3 (an SCP
// that allows only s3:Get* and s3:List*) is attached to readOnlyOn;
// parents are the saved list-parents outputs (child → parent).
func orgInputs(fullOn, readOnlyOn []string, parents map[string]string) []Input {
	targets := func(ids []string) []byte {
		var out []any
		for _, id := range ids {
			typ := "ACCOUNT"
			switch {
			case strings.HasPrefix(id, "r-"):
				typ = "ROOT"
			case strings.HasPrefix(id, "ou-"):
				typ = "ORGANIZATIONAL_UNIT"
			}
			out = append(out, map[string]string{"TargetId": id, "Arn": "x", "Name": id, "Type": typ})
		}
		return jsonText(map[string]any{"Targets": out})
	}
	describe := func(id, name string, doc map[string]any) []byte {
		content, _ := json.Marshal(doc)
		return jsonText(map[string]any{"Policy": map[string]any{
			"PolicySummary": map[string]any{"Id": id, "Name": name, "Type": "SERVICE_CONTROL_POLICY"},
			"Content":       string(content)}})
	}
	readWrite := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::shared-data/*"}}}
	bucketPolicy, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "Partner", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + callerAccount + ":root"},
		"Action": []string{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::shared-data/*"}}})
	readOnly := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": []string{"s3:Get*", "s3:List*"}, "Resource": "*"}}}
	var tree []Input
	for child, parent := range parents {
		typ := "ORGANIZATIONAL_UNIT"
		if strings.HasPrefix(parent, "r-") {
			typ = "ROOT"
		}
		tree = append(tree, Input{"org/" + child + ".list-parents.json", jsonText(map[string]any{"Parents": []any{map[string]string{"Id": parent, "Type": typ}}})})
	}
	return append(tree, []Input{
		{"a/get-account-authorization-details.json", jsonText(map[string]any{
			"UserDetailList": []any{map[string]any{"UserName": "jane", "Arn": "arn:aws:iam::" + callerAccount + ":user/jane",
				"UserPolicyList": []any{map[string]any{"PolicyName": "ReadWrite", "PolicyDocument": readWrite}}}}})},
		{"b/get-caller-identity.json", jsonText(map[string]string{"UserId": "AIDAEXAMPLE", "Account": bucketAccount, "Arn": "arn:aws:iam::" + bucketAccount + ":user/admin"})},
		{"b/shared-data.get-bucket-policy.json", jsonText(map[string]string{"Policy": string(bucketPolicy)})},
		{"org/p-FullAWSAccess.describe-policy.json", describe("p-FullAWSAccess", "FullAWSAccess", allow("*", "*"))},
		{"org/p-FullAWSAccess.list-targets-for-policy.json", targets(fullOn)},
		{"org/p-ro.describe-policy.json", describe("p-ro", "ReadOnlyS3", readOnly)},
		{"org/p-ro.list-targets-for-policy.json", targets(readOnlyOn)},
	}...)
}

// An SCP is written once per target, with the target in its entry; the
// SCPs of one target are one level, where one of them must allow; every
// level (the root, the OU, the account) must allow. FullAWSAccess beside
// ReadOnlyS3 on the account lets jane upload; ReadOnlyS3 alone on the
// account (FullAWSAccess detached there) keeps her from it, and check
// says so on her policy. Before, the account's FullAWSAccess was dropped
// (it is also on the root) and ReadOnlyS3 was a level of its own: the
// upload was "blocked by scp" in both. An SCP on an OU applies to the
// accounts that saved list-parents outputs put under it, or without them
// to every account: ReadOnlyS3 alone on another OU (dev) then blocks
// jane's upload, and no longer does once her account is known to be in
// the first OU.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func TestImportSCPLevels(t *testing.T) {
	const (
		root, ou = "r-ab12", "ou-ab12-11111111"
		dev      = "ou-ab12-22222222"
		jane     = "arn:aws:iam::" + callerAccount + ":user/jane"
		upload   = "s3:PutObject"
		object   = "arn:aws:s3:::shared-data/report.csv"
		janes    = callerAccount + "/iam/users/jane/inline/ReadWrite.iam-policy.json"
	)
	for _, tc := range []struct {
		name          string
		fullOn, roOn  []string
		parents       map[string]string // list-parents: child → parent
		files         []string          // the SCP files and their entries
		upload        eval.Decision
		blockedBy     string // the SCP file the upload is blocked by, if it is
		checkOnJane   string // check's scp-denies-s3 on jane's policy
		readIsAllowed bool
		warnings      string
	}{
		{"FullAWSAccess beside ReadOnlyS3 on the account", []string{root, ou, callerAccount}, []string{callerAccount}, nil,
			[]string{
				`"organizations/scp/FullAWSAccess.scp.json": {"kind": "scp", "target": "r-ab12"}`,
				`"organizations/scp/FullAWSAccess.ou-ab12-11111111.scp.json": {"kind": "scp", "target": "ou-ab12-11111111"}`,
				`"organizations/scp/FullAWSAccess.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
				`"organizations/scp/ReadOnlyS3.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
			}, eval.Allowed, "", "", true, ""},
		{"FullAWSAccess beside ReadOnlyS3 on the OU", []string{root, ou, callerAccount}, []string{ou}, nil,
			[]string{
				`"organizations/scp/FullAWSAccess.scp.json": {"kind": "scp", "target": "r-ab12"}`,
				`"organizations/scp/FullAWSAccess.ou-ab12-11111111.scp.json": {"kind": "scp", "target": "ou-ab12-11111111"}`,
				`"organizations/scp/FullAWSAccess.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
				`"organizations/scp/ReadOnlyS3.ou-ab12-11111111.scp.json": {"kind": "scp", "target": "ou-ab12-11111111"}`,
			}, eval.Allowed, "", "", true, ""},
		{"ReadOnlyS3 alone on the account", []string{root, ou}, []string{callerAccount}, nil,
			[]string{
				`"organizations/scp/FullAWSAccess.scp.json": {"kind": "scp", "target": "r-ab12"}`,
				`"organizations/scp/FullAWSAccess.ou-ab12-11111111.scp.json": {"kind": "scp", "target": "ou-ab12-11111111"}`,
				`"organizations/scp/ReadOnlyS3.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
			}, eval.ImplicitlyDenied, "organizations/scp/ReadOnlyS3.111122223333.scp.json",
			"ReadOnlyS3.111122223333.scp.json blocks s3:PutObject on shared-data/*, granted by the bucket policy", true, ""},
		{"ReadOnlyS3 alone on another OU, the tree unknown", []string{root, ou, callerAccount}, []string{dev}, nil,
			[]string{
				`"organizations/scp/FullAWSAccess.scp.json": {"kind": "scp", "target": "r-ab12"}`,
				`"organizations/scp/FullAWSAccess.ou-ab12-11111111.scp.json": {"kind": "scp", "target": "ou-ab12-11111111"}`,
				`"organizations/scp/FullAWSAccess.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
				`"organizations/scp/ReadOnlyS3.ou-ab12-22222222.scp.json": {"kind": "scp", "target": "ou-ab12-22222222"}`,
			}, eval.ImplicitlyDenied, "organizations/scp/ReadOnlyS3.ou-ab12-22222222.scp.json",
			"ReadOnlyS3.ou-ab12-22222222.scp.json blocks s3:PutObject on shared-data/*, granted by the bucket policy", true, ""},
		{"ReadOnlyS3 alone on another OU, the account in the first", []string{root, ou, callerAccount}, []string{dev},
			map[string]string{callerAccount: ou, ou: root, dev: root, bucketAccount: root},
			[]string{
				`"organizations/scp/FullAWSAccess.scp.json": {"kind": "scp", "target": "r-ab12"}`,
				`"organizations/scp/FullAWSAccess.ou-ab12-11111111.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "ou-ab12-11111111"}`,
				`"organizations/scp/FullAWSAccess.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
			}, eval.Allowed, "", "", true, ""},
		{"ReadOnlyS3 alone on the account's OU", []string{root, ou, callerAccount}, []string{dev},
			map[string]string{callerAccount: dev, dev: root},
			[]string{
				`"organizations/scp/FullAWSAccess.scp.json": {"kind": "scp", "target": "r-ab12"}`,
				`"organizations/scp/FullAWSAccess.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"}`,
				`"organizations/scp/ReadOnlyS3.ou-ab12-22222222.111122223333.scp.json": {"kind": "scp", "account": "111122223333", "target": "ou-ab12-22222222"}`,
			}, eval.ImplicitlyDenied, "organizations/scp/ReadOnlyS3.ou-ab12-22222222.111122223333.scp.json",
			"ReadOnlyS3.ou-ab12-22222222.111122223333.scp.json blocks s3:PutObject on shared-data/*, granted by the bucket policy", true,
			"account 444455556666: no 444455556666.list-parents.json: the SCPs attached to OUs are left out of its requests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Build(orgInputs(tc.fullOn, tc.roOn, tc.parents))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.Warnings, "\n"); got != tc.warnings {
				t.Errorf("warnings %q, want %q", got, tc.warnings)
			}
			config := string(res.Files[analysis.ConfigName])
			var got []string
			for _, line := range strings.Split(config, "\n") {
				if strings.Contains(line, `"kind": "scp"`) {
					got = append(got, strings.TrimSuffix(strings.TrimSpace(line), ","))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.files, "\n") {
				t.Errorf("SCP entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.files, "\n"))
			}
			w := workspace(t, res)
			r := eval.Evaluate(w.Scenario(eval.Request{Principal: jane, Action: upload, Resource: object}))
			if r.Decision != tc.upload {
				t.Errorf("upload: %s %+v, want %s", r.Decision, r.Causes, tc.upload)
			}
			var blockedBy []string
			for _, c := range r.Causes {
				blockedBy = append(blockedBy, string(c.Layer)+" "+c.Policy)
			}
			if want := "scp " + tc.blockedBy; tc.blockedBy != "" && strings.Join(blockedBy, ",") != want {
				t.Errorf("upload blocked by %q, want %q", blockedBy, want)
			}
			if r := eval.Evaluate(w.Scenario(eval.Request{Principal: jane, Action: "s3:GetObject", Resource: object})); (r.Decision == eval.Allowed) != tc.readIsAllowed {
				t.Errorf("read: %s %+v", r.Decision, r.Causes)
			}
			var messages []string
			for _, fd := range analysis.Analyze(w.File(filepath.Join(w.Dir, janes)), checks.All) {
				if fd.Code == "scp-denies-s3" {
					messages = append(messages, fd.Message.Text().EN)
				}
			}
			if strings.Join(messages, "\n") != tc.checkOnJane {
				t.Errorf("scp-denies-s3 on jane's policy: %q, want %q", messages, tc.checkOnJane)
			}
		})
	}
}
