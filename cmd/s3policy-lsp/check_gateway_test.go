package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// endpointExample is the example's folder, found before a test changes
// the working folder (runCLI).
var endpointExample, _ = filepath.Abs(filepath.Join(examplesDir, "terraform", "endpoint-policy-blocks"))

// gatewayModule is examples/terraform/endpoint-policy-blocks with its
// gateway endpoint's one statement letting the partner's account use
// shared-data (review R8, /tmp/review/keep/epb-engine): typ is written
// into the aws_vpc_endpoint, principal is the statement's Principal and
// condition follows its Resource.
func gatewayModule(t *testing.T, typ, principal, condition string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"bucket.tf", "partner.tf", "providers.tf"} {
		text, err := os.ReadFile(filepath.Join(endpointExample, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(text)
	}
	partner := out["partner.tf"]
	for _, r := range [][2]string{
		{`service_name = "com.amazonaws.us-east-1.s3"`, `service_name = "com.amazonaws.us-east-1.s3"` + typ},
		{`"Sid": "ArtifactsOnly",`, `"Sid": "PartnerOnly",`},
		{`"Principal": "*",`, `"Principal": ` + principal + `,`},
		{`"Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::amzn-s3-demo-artifacts/*"`, `"Action": "s3:*",
          "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"]` + condition},
	} {
		if !strings.Contains(partner, r[0]) {
			t.Fatalf("examples/terraform/endpoint-policy-blocks/partner.tf lacks %s", r[0])
		}
		partner = strings.Replace(partner, r[0], r[1], 1)
	}
	out["partner.tf"] = partner
	return out
}

// On a gateway endpoint (aws_vpc_endpoint with no vpc_endpoint_type), an
// account in the endpoint policy's Principal is its root user alone:
// check reports the Principal (gateway-endpoint-principal) and the
// requests of jane's role it stops (endpoint-policy-blocks), and explain
// says her role is denied and the root user allowed. On an interface
// endpoint the account stands for its roles and users. With the quick
// fix's text ("*" and aws:PrincipalAccount) jane's role and the root user
// are let through and another account's role is not.
func TestGatewayEndpointPrincipal(t *testing.T) {
	explain := func(t *testing.T, dir, principal string) string {
		t.Helper()
		out, _, _ := runCLI(t, dir, "explain", "--principal", principal, "--action", "s3:PutObject",
			"--resource", "arn:aws:s3:::shared-data/x", "--context", "aws:SourceVpce=${aws_vpc_endpoint.s3.id}", ".")
		return out
	}
	codes := func(t *testing.T, dir string) string {
		t.Helper()
		out, _, _ := runCLI(t, dir, "check", ".")
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[1] != "note:" {
				got = append(got, f[0]+" "+f[2])
			}
		}
		return strings.Join(got, "\n")
	}
	const account = `{"AWS": "arn:aws:iam::111122223333:root"}`

	gateway := t.TempDir()
	writeTree(t, gateway, gatewayModule(t, "", account, ""))
	if got, want := codes(t, gateway), `partner.tf:21:18: endpoint-policy-blocks:
partner.tf:26:18: endpoint-policy-blocks:
partner.tf:26:34: endpoint-policy-blocks:
partner.tf:49:32: gateway-endpoint-principal:
partner.tf:51:23: endpoint-policy-blocks:`; got != want {
		t.Errorf("gateway: check\n%s\nwant\n%s", got, want)
	}
	if got, want := explain(t, gateway, "arn:aws:iam::111122223333:role/jane"), `arn:aws:iam::111122223333:role/jane s3:PutObject on arn:aws:s3:::shared-data/x: ImplicitlyDenied (blocked by endpoint)
  endpoint-policy-blocks [endpoint] partner.tf#aws_vpc_endpoint.s3:46
    VPC endpoint policy: statement "PartnerOnly" of partner.tf#aws_vpc_endpoint.s3 allows s3:PutObject on arn:aws:s3:::shared-data/x to account 111122223333, which on a gateway endpoint means the account's root user alone, not arn:aws:iam::111122223333:role/jane: write "Principal": "*" with a condition on aws:PrincipalAccount
`; got != want {
		t.Errorf("gateway: jane\n%s\nwant\n%s", got, want)
	}
	if got := explain(t, gateway, "arn:aws:iam::111122223333:root"); got != "arn:aws:iam::111122223333:root s3:PutObject on arn:aws:s3:::shared-data/x: Allowed\n" {
		t.Errorf("gateway: root\n%s", got)
	}

	role := t.TempDir()
	writeTree(t, role, gatewayModule(t, "", `{"AWS": "arn:aws:iam::111122223333:role/jane"}`, ""))
	if got := explain(t, role, "arn:aws:iam::111122223333:role/jane"); !strings.Contains(got, "ImplicitlyDenied (blocked by endpoint)") ||
		!strings.Contains(got, `allows s3:PutObject on arn:aws:s3:::shared-data/x to arn:aws:iam::111122223333:role/jane by its Principal, which a gateway endpoint does not take: write "Principal": "*" with a condition on aws:PrincipalArn`) {
		t.Errorf("gateway, the role named: jane\n%s", got)
	}

	// A Deny that names the account stops its root user alone; one that
	// names the role still applies to it (the engine cannot tell that AWS
	// skips it, and takes the side of the Deny).
	for principal, want := range map[string]string{
		account: "Allowed",
		`{"AWS": "arn:aws:iam::111122223333:role/jane"}`: "ExplicitlyDenied (blocked by endpoint)",
	} {
		deny := t.TempDir()
		module := gatewayModule(t, "", `"*"`, "")
		module["partner.tf"] = strings.Replace(module["partner.tf"], `"Action": "s3:*",`, `"Action": "s3:*",
          "Resource": "*"
        },
        {
          "Effect": "Deny",
          "Principal": `+principal+`,
          "Action": "s3:PutObject",`, 1)
		writeTree(t, deny, module)
		if got := explain(t, deny, "arn:aws:iam::111122223333:role/jane"); !strings.HasPrefix(got, "arn:aws:iam::111122223333:role/jane s3:PutObject on arn:aws:s3:::shared-data/x: "+want+"\n") {
			t.Errorf("a Deny naming %s: jane\n%s", principal, got)
		}
	}

	iface := t.TempDir()
	writeTree(t, iface, gatewayModule(t, "\n  vpc_endpoint_type = \"Interface\"", account, ""))
	if got := codes(t, iface); got != "" {
		t.Errorf("interface: check\n%s", got)
	}
	if got := explain(t, iface, "arn:aws:iam::111122223333:role/jane"); got != "arn:aws:iam::111122223333:role/jane s3:PutObject on arn:aws:s3:::shared-data/x: Allowed\n" {
		t.Errorf("interface: jane\n%s", got)
	}

	fixed := t.TempDir()
	writeTree(t, fixed, gatewayModule(t, "", `"*"`, `,
          "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}`))
	if got := codes(t, fixed); got != "" {
		t.Errorf("fixed: check\n%s", got)
	}
	for principal, want := range map[string]string{
		"arn:aws:iam::111122223333:role/jane": "Allowed",
		"arn:aws:iam::111122223333:root":      "Allowed",
		"arn:aws:iam::999999999999:role/x":    "ImplicitlyDenied (blocked by endpoint, resource, identity)",
	} {
		if got := explain(t, fixed, principal); !strings.HasPrefix(got, principal+" s3:PutObject on arn:aws:s3:::shared-data/x: "+want+"\n") {
			t.Errorf("fixed: %s\n%s", principal, got)
		}
	}
}

// A Deny of the same text in a bucket policy and a gateway endpoint's
// policy is judged for each: the endpoint's applies to the account's root
// user alone, the bucket policy's to every principal of the account. The
// engine keeps the verdict of a Deny text for the rest of a pass; taken
// from the endpoint's, it let jane's upload through.
func TestGatewayEndpointDenyJudgedApartFromTheSameBucketDeny(t *testing.T) {
	deny := `{"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared-data/*"}`
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}},
 "files": {"bucket.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-data"},
           "endpoint.json": {"kind": "endpoint", "account": "111122223333", "endpoint": "vpce-1a2b3c4d", "endpointType": "Gateway"},
           "jane.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/jane"}}}`,
		"endpoint.json": `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}},
  ` + deny + `]}`,
		"bucket.json": `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/jane"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared-data/*"},
  ` + deny + `]}`,
		"jane.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
	})
	out, _, _ := runCLI(t, dir, "explain", "--principal", "arn:aws:iam::111122223333:role/jane", "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::shared-data/x", "--context", "aws:SourceVpce=vpce-1a2b3c4d", ".")
	if want := `arn:aws:iam::111122223333:role/jane s3:PutObject on arn:aws:s3:::shared-data/x: ExplicitlyDenied (blocked by resource)
  deny-blocks-access [resource] bucket.json:3
    Bucket policy: statement 2 of bucket.json explicitly denies s3:PutObject on arn:aws:s3:::shared-data/x; an explicit Deny overrides every Allow
`; out != want {
		t.Errorf("explain\n%s\nwant\n%s", out, want)
	}
}

// --emit-scenario keeps a gateway endpoint's policy apart
// (gatewayEndpointPolicies), so that --scenario answers as the folder did:
// blocked by the endpoint, whose account principal is its root user alone
// (review s24, N12: the replay said Allowed).
func TestEmittedScenarioKeepsTheGatewayEndpoint(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, gatewayModule(t, "", `{"AWS": "arn:aws:iam::111122223333:root"}`, ""))
	file := filepath.Join(t.TempDir(), "scenario.json")
	folder, _, _ := runCLI(t, dir, "explain", "--principal", "arn:aws:iam::111122223333:role/jane", "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::shared-data/x", "--context", "aws:SourceVpce=${aws_vpc_endpoint.s3.id}", "--emit-scenario", file, ".")
	replayed, _, _ := runCLI(t, dir, "explain", "--scenario", file)
	const want = "arn:aws:iam::111122223333:role/jane s3:PutObject on arn:aws:s3:::shared-data/x: ImplicitlyDenied (blocked by endpoint)\n"
	if !strings.HasPrefix(folder, want) || !strings.HasPrefix(replayed, want) {
		t.Errorf("the folder says:\n%s\nits scenario says:\n%s\nwant both to begin with:\n%s", folder, replayed, want)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), `"gatewayEndpointPolicies": [`) || strings.Contains(string(text), `"endpointPolicies"`) {
		t.Errorf("the scenario does not hold the endpoint's policy as a gateway's:\n%s", text)
	}
}
