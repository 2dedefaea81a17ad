package eval

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// kmsPass evaluates the KMS request S3 makes for an SSE-KMS object: the
// key policy must allow (in the same account too, through the statement
// that enables IAM policies), and across accounts the caller's identity
// side must allow as well.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
func (s *Scenario) kmsPass(p principal, action string, r *Result) {
	key := s.Bucket.KMSKeyARN
	a, ok := analysis.ParseARN(key)
	account := a.Account
	if !ok || account == "" {
		account = s.resourceAccount(p)
	}
	if key == "" || strings.HasSuffix(key, "alias/aws/s3") {
		// The AWS managed key's policy cannot be edited and allows only its
		// own account.
		if p.account != account {
			r.add(Cause{Code: CodeKMSMissingActions, Layer: LayerKMS, Policy: s.bucketSource(), Statement: -1, Message: managedKeyMessage(action)})
		}
		return
	}
	e := newPass(s, p, target{action, key}, account, a.Region, r)
	e.kms = true
	// S3 calls KMS on the caller's behalf: a forward access session.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-viaawsservice
	e.ctx.override(slotViaAWSService, "true")
	e.setResourceDoc(s.KeyPolicy)
	if s.KeyPolicy == nil {
		e.setResourceDoc(defaultKeyPolicy(a.Partition, account))
	}
	e.ctx.derive(slotKMSCallerAccount, p.account)
	if a.Region != "" {
		e.ctx.derive(slotKMSViaService, "s3."+a.Region+".amazonaws.com")
	}
	e.ctx.derive(slotKMSEncryptionContextARN, s.Request.Resource)
	e.run()
	e.release()
}

// DefaultKeyPolicyName names the key policy assumed when the scenario
// gives none.
const DefaultKeyPolicyName = "default key policy"

// defaultKeyPolicy is the policy KMS gives a key created without one: it
// lets the key's account use IAM policies, and nobody else.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
func defaultKeyPolicy(partition, account string) *Doc {
	if partition == "" {
		partition = "aws"
	}
	src := fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:%s:iam::%s:root"}, "Action": "kms:*", "Resource": "*"}]}`, partition, account)
	d, _ := NewDoc(DefaultKeyPolicyName, []byte(src))
	d.Assumed = true
	return d
}
