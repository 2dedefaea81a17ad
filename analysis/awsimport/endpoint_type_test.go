package awsimport

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// import writes the type describe-vpc-endpoints gives an S3 endpoint into
// .s3policy.json, so that its policy is read as a gateway endpoint's.
func TestImportWritesTheEndpointType(t *testing.T) {
	res, err := Build(bucketSide())
	if err != nil {
		t.Fatal(err)
	}
	cfg, findings := analysis.ParseConfig("/ws", res.Files[analysis.ConfigName])
	if len(findings) != 0 {
		t.Fatalf("the config has findings: %+v", findings[0].Message.Text().EN)
	}
	facts := cfg.FactsFor("/ws/111122223333/vpce/vpce-1a2b3c4d.endpoint-policy.json")
	if facts == nil || facts.Kind != analysis.KindEndpoint || facts.Endpoint != "vpce-1a2b3c4d" || facts.EndpointType != analysis.EndpointGateway {
		t.Errorf("the endpoint's entry %+v", facts)
	}
}
