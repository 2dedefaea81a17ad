package checks

import "testing"

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
