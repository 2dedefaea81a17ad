package checks

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// patternService names a service only when every ARN the pattern matches
// has it between the second and third colon, where arnService reads it.
func TestPatternService(t *testing.T) {
	for pattern, want := range map[string]string{
		"arn:aws:s3:::b/*":                    "s3",
		"arn:aws:kms:*:111122223333:key/*":    "kms",
		"arn:aws:kms?":                        "",
		"arn:aws:km*":                         "",
		"arn:aws:*":                           "",
		"arn:*:s3:::b":                        "",
		"*":                                   "",
		"arn*":                                "",
		"arn:${AWS::Partition}:kms:*:1:key/*": "",
		"ARN:aws:s3:::*":                      "",
		"arn:aws-cn:dynamodb:*:*:table/t?":    "dynamodb",
		"arn:aws::*":                          "",
		"arn:aws:::*":                         "",
	} {
		if got := patternService(pattern); got != want {
			t.Errorf("patternService(%q) = %q, want %q", pattern, got, want)
		}
	}
	for arn, want := range map[string]string{
		"arn:aws:kms:us-east-1:111122223333:key/k1": "kms",
		"arn:aws-cn:kms:x:1:key/k":                  "kms",
		"arn:${AWS::Partition}:kms:x:1:key/k":       "",
		"arn:aws":                                   "",
		"key/k1":                                    "",
	} {
		if got, _ := arnService(arn); got != want {
			t.Errorf("arnService(%q) = %q, want %q", arn, got, want)
		}
	}
}

// mayNameKMS leaves out only entries that match no KMS action: every
// entry below it answers false for matches none of the KMS actions the
// check asks about, in any case, as analysis.MatchAction says.
func TestMayNameKMSLeavesOutOnlyWhatMatchesNoKMSAction(t *testing.T) {
	entries := []string{"kms:Decrypt", "KMS:decrypt", "kms:*", "kms:Generate*", "km?:Decrypt", "k*:Decrypt", "*:Decrypt", "*", "kms*", "*crypt",
		"s3:GetObject", "s3:*", "ec2:Describe*", "dynamodb:GetItem", "kmsx:Decrypt", "km:Decrypt", "kms", "", ":Decrypt", "${svc}:Decrypt", "s3:kms:Decrypt"}
	actions := append(append([]string{}, kmsDataActions...), kmsNeeded...)
	for _, entry := range entries {
		matches := false
		for _, a := range actions {
			matches = matches || analysis.MatchAction(entry, a)
		}
		if matches && !mayNameKMS(entry) {
			t.Errorf("mayNameKMS(%q) = false, but it matches a KMS action", entry)
		}
	}
	for entry, want := range map[string]bool{"s3:GetObject": false, "ec2:Describe*": false, "KMS:Decrypt": true, "*": true, "k?s:X": true} {
		if got := mayNameKMS(entry); got != want {
			t.Errorf("mayNameKMS(%q) = %v, want %v", entry, got, want)
		}
	}
}
