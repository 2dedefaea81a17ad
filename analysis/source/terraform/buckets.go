package terraform

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The facts of a bucket the module creates: its owner (the provider's
// account), encryption and key, object ownership and who pays, from the
// aws_s3_bucket_* configuration resources or the older inline blocks of
// aws_s3_bucket. Only a bucket whose name the module decides has facts.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket

type bucketFacts struct {
	file  *tfFile
	facts *analysis.BucketFacts
}

func (m *module) bucketFacts() []bucketFacts {
	byName := map[string]*analysis.BucketFacts{}
	var out []bucketFacts
	for _, f := range m.files {
		for _, b := range f.body.Blocks {
			if b.Type != "resource" || len(b.Labels) != 2 || b.Labels[0] != "aws_s3_bucket" {
				continue
			}
			r := block{f, b}
			name, ok := m.resolve(attr(b.Body, "bucket"), 0)
			if !ok || name == "" || byName[name] != nil {
				continue
			}
			facts := &analysis.BucketFacts{Name: name}
			facts.Account, _ = m.accountOf(r, 0)
			facts.Region, _ = m.regionOf(r, 0)
			if payer, _ := m.resolve(attr(b.Body, "request_payer"), 0); payer == "Requester" {
				facts.RequesterPays = true
			}
			for _, sse := range blocksOf(b.Body, "server_side_encryption_configuration") {
				m.encryption(facts, sse.Body)
			}
			byName[name] = facts
			out = append(out, bucketFacts{f, facts})
		}
	}
	for _, f := range m.files {
		for _, b := range f.body.Blocks {
			if b.Type != "resource" || len(b.Labels) != 2 {
				continue
			}
			name, _ := m.resolve(attr(b.Body, "bucket"), 0)
			facts := byName[name]
			if facts == nil {
				continue
			}
			switch b.Labels[0] {
			case "aws_s3_bucket_server_side_encryption_configuration":
				m.encryption(facts, b.Body)
			case "aws_s3_bucket_ownership_controls":
				for _, rule := range blocksOf(b.Body, "rule") {
					facts.ObjectOwnership, _ = m.resolve(attr(rule.Body, "object_ownership"), 0)
				}
			case "aws_s3_bucket_request_payment_configuration":
				payer, _ := m.resolve(attr(b.Body, "payer"), 0)
				facts.RequesterPays = payer == "Requester"
			}
		}
	}
	return out
}

// encryption reads the rule of a server-side encryption configuration:
// its algorithm and the key it names (a key of the module, or an ARN).
func (m *module) encryption(facts *analysis.BucketFacts, body *hclsyntax.Body) {
	for _, rule := range blocksOf(body, "rule") {
		for _, def := range blocksOf(rule.Body, "apply_server_side_encryption_by_default") {
			facts.Encryption, _ = m.resolve(attr(def.Body, "sse_algorithm"), 0)
			keyExpr := attr(def.Body, "kms_master_key_id")
			if key, ok := m.referenced(keyExpr, "aws_kms_key"); ok {
				facts.KMSKeyARN, _ = m.keyARN(key, 0)
			} else if arn, ok := m.resolve(keyExpr, 0); ok {
				facts.KMSKeyARN = arn
			}
		}
	}
}
