package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// gatewayConfig says the endpoint policy is a gateway endpoint's (or of
// the type given).
func gatewayConfig(t *testing.T, typ string) *analysis.Config {
	return checktest.Config(t, `{"files": {"e.endpoint-policy.json": {"kind": "endpoint", "endpoint": "vpce-1a2b3c4d", "endpointType": "`+typ+`"}}}`)
}

// An account in a gateway endpoint policy's Principal is its root user
// alone: reported at the principal, with the fix that writes "*" and
// aws:PrincipalAccount.
func TestGatewayEndpointPrincipalAccount(t *testing.T) {
	cfg := gatewayConfig(t, "Gateway")
	src, got := checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PartnerOnly",
      "Effect": "Allow",
      "Principal": {"AWS": [«"arn:aws:iam::111122223333:root"», «"444455556666"»]},
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"]
    }
  ]
}`, cfg)
	wantSeverity(t, got[0], analysis.Warning)
	wantMessage(t, got[0], `on a gateway endpoint, "arn:aws:iam::111122223333:root" in the Principal is account 111122223333's root user alone, not its roles and users: write "Principal": "*" with a condition on aws:PrincipalAccount`,
		`ゲートウェイエンドポイントでは、Principal の "arn:aws:iam::111122223333:root" はアカウント 111122223333 のルートユーザーだけを指し`)
	wantMessage(t, got[1], `"444455556666" in the Principal is account 444455556666's root user alone`, `アカウント 444455556666 のルートユーザーだけ`)
	wantHover(t, "e.endpoint-policy.json", src, got[0], cfg)
	if fixes := got[0].AllFixes(); len(fixes) != 1 || fixes[0].Title.EN != `Write "Principal": "*" with aws:PrincipalAccount ["111122223333", "444455556666"]` {
		t.Fatalf("fixes %+v", fixes)
	}
	fixed := fixRemoves(t, "e.endpoint-policy.json", src, got[0], 0, cfg)
	wantFixed(t, fixed, `"Principal": "*",`)
	wantFixed(t, fixed, `"Resource": ["arn:aws:s3:::shared-data", "arn:aws:s3:::shared-data/*"],
      "Condition": {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}}
    }`)
}

// A role or user named in a gateway endpoint policy's Principal is
// reported too; the fix names them with aws:PrincipalArn.
func TestGatewayEndpointPrincipalRole(t *testing.T) {
	cfg := gatewayConfig(t, "Gateway")
	src, got := checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json",
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": «"arn:aws:iam::111122223333:role/jane"»}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`, cfg)
	wantMessage(t, got[0], `on a gateway endpoint, a role or user is not named in the Principal ("arn:aws:iam::111122223333:role/jane"): write "Principal": "*" with a condition on aws:PrincipalArn`,
		`ゲートウェイエンドポイントでは、ロールやユーザーを Principal で指定できません`)
	fixed := fixRemoves(t, "e.endpoint-policy.json", src, got[0], 0, cfg)
	wantFixed(t, fixed, `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*", "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/jane"}}}`)
}

// No fix where writing "*" and one condition would not keep exactly the
// principals the statement names: a Condition of its own, accounts and
// roles together, a role session, another principal type, a Deny.
func TestGatewayEndpointPrincipalWithoutFix(t *testing.T) {
	cfg := gatewayConfig(t, "Gateway")
	for _, doc := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": «"111122223333"»}, "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [«"111122223333"», «"arn:aws:iam::444455556666:role/r"»]}, "Action": "s3:*", "Resource": "*"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": «"arn:aws:sts::111122223333:assumed-role/r/s"»}, "Action": "s3:*", "Resource": "*"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": «"111122223333"», "Service": "ec2.amazonaws.com"}, "Action": "s3:*", "Resource": "*"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": «"111122223333"»}, "Action": "s3:DeleteBucket", "Resource": "*"}]}`,
	} {
		_, got := checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json", doc, cfg)
		for _, f := range got {
			if fixes := f.AllFixes(); len(fixes) != 0 {
				t.Errorf("%s: fixes %+v, want none", doc, fixes)
			}
		}
	}
}

// "*" is what a gateway endpoint takes; an interface endpoint, or one
// whose type nothing says, keeps its principals.
func TestGatewayEndpointPrincipalNearMisses(t *testing.T) {
	account := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}]}`
	checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json", account, gatewayConfig(t, "Interface"))
	checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json", account, checktest.Config(t, `{"files": {"e.endpoint-policy.json": {"kind": "endpoint"}}}`))
	checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json", account, nil)
	for _, doc := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}]}`,
	} {
		checktest.Expect(t, "gateway-endpoint-principal", "e.endpoint-policy.json", doc, gatewayConfig(t, "Gateway"))
	}
}

// .s3policy.json's endpointType takes Gateway or Interface alone.
func TestConfigEndpointType(t *testing.T) {
	cfg, findings := analysis.ParseConfig("", []byte(`{"files": {"a.json": {"kind": "endpoint", "endpointType": "gateway"}, "b.json": {"kind": "endpoint", "endpointType": "Gateway"}}}`))
	if len(findings) != 1 || findings[0].Message.Text().EN != "endpointType must be one of Gateway, Interface" {
		t.Errorf("findings %+v", findings)
	}
	if len(cfg.Files) != 2 || cfg.Files[0].EndpointType != "" || cfg.Files[1].EndpointType != analysis.EndpointGateway {
		t.Errorf("files %+v %+v", cfg.Files[0], cfg.Files[1])
	}
}
