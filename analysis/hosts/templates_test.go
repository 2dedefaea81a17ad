package hosts_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
)

// Every policy of the template examples, with its kind and the line it
// starts on, as list prints them.
func TestTemplateExamplesPolicies(t *testing.T) {
	want := map[string]string{
		"cloudformation/stack.yaml":               "24 bucket Resources.DataBucketPolicy|35 trust Resources.ReaderRole.AssumeRolePolicyDocument|43 identity Resources.ReaderRole.Policies[0]|52 boundary Resources.Boundary",
		"cloudformation/stack.json":               "11 bucket Resources.ReportsPolicy|25 trust Resources.Uploader.AssumeRolePolicyDocument|28 identity Resources.Uploader.Policies[0]",
		"serverless/serverless.yml":               "33 resource resources.Resources.JobsPolicy|9 identity provider.iam.role.statements|19 identity functions.resize.iamRoleStatements",
		"template/reports.bucket-policy.json.tpl": "1 bucket ", // its kind from its name; uploader.json.j2 gets one from its content
		"cli-output/describe-vpc-endpoints.json":  "6 endpoint VpcEndpoints[0].PolicyDocument",
	}
	for name, w := range want {
		path := "../../examples/" + name
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range hosts.Read(path, src).Docs {
			start := 0
			if d.Host != nil {
				start = d.Host.Whole.Start
			}
			got = append(got, fmt.Sprintf("%d %s %s", bytes.Count(src[:start], []byte("\n"))+1, d.Kind, d.Name))
		}
		if strings.Join(got, "|") != w {
			t.Errorf("%s:\n got %s\nwant %s", name, strings.Join(got, "|"), w)
		}
	}
}
