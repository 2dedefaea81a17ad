package cloudformation_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/cloudformation"
)

// An AWS::EC2::VPCEndpoint's policy carries the endpoint's type:
// VpcEndpointType, Gateway when absent; unknown when not a literal.
func TestVPCEndpointType(t *testing.T) {
	for typ, want := range map[string]string{
		"":                                     analysis.EndpointGateway,
		"      VpcEndpointType: Gateway\n":     analysis.EndpointGateway,
		"      VpcEndpointType: Interface\n":   analysis.EndpointInterface,
		"      VpcEndpointType: !Ref EpType\n": "",
		"      VpcEndpointType: GatewayLoadBalancer\n": "",
	} {
		src := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: vpc-0a1b2c3d
      ServiceName: com.amazonaws.us-east-1.s3
` + typ + `      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::shared-data/*
`
		res := cloudformation.Reader.Read("t.yaml", []byte(src))
		if len(res.Docs) != 1 || res.Docs[0].Kind != analysis.KindEndpoint {
			t.Fatalf("%q: documents %+v", typ, res.Docs)
		}
		got := ""
		if res.Docs[0].Facts != nil {
			got = res.Docs[0].Facts.EndpointType
		}
		if got != want {
			t.Errorf("%q: endpoint type %q, want %q", typ, got, want)
		}
	}
}
