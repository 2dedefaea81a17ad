package terraform

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// An aws_vpc_endpoint's policy (in place, or by aws_vpc_endpoint_policy)
// carries the endpoint's type: vpc_endpoint_type, Gateway when absent;
// unknown when the module does not decide it.
func TestVPCEndpointType(t *testing.T) {
	for typ, want := range map[string]string{
		``:                                analysis.EndpointGateway,
		`vpc_endpoint_type = "Gateway"`:   analysis.EndpointGateway,
		`vpc_endpoint_type = "Interface"`: analysis.EndpointInterface,
		`vpc_endpoint_type = var.type`:    "",
		`vpc_endpoint_type = "GatewayLoadBalancer"`: "",
	} {
		files := map[string][]byte{"m/main.tf": []byte(`
resource "aws_vpc_endpoint" "s3" {
  vpc_id       = "vpc-0a1b2c3d"
  service_name = "com.amazonaws.us-east-1.s3"
  ` + typ + `
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_vpc_endpoint" "other" {
  vpc_id       = "vpc-0a1b2c3d"
  service_name = "com.amazonaws.us-east-1.s3"
  ` + typ + `
}
resource "aws_vpc_endpoint_policy" "p" {
  vpc_endpoint_id = aws_vpc_endpoint.other.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*" }] })
}
`)}
		res := readModule(files, source.ModuleContext{})["m/main.tf"]
		if len(res.Docs) != 2 {
			t.Fatalf("%q: documents %+v", typ, res.Docs)
		}
		for _, d := range res.Docs {
			if d.Kind != analysis.KindEndpoint || d.Facts == nil || d.Facts.EndpointType != want {
				t.Errorf("%q: %s kind %s facts %+v, want type %q", typ, d.Name, d.Kind, d.Facts, want)
			}
		}
	}
}
