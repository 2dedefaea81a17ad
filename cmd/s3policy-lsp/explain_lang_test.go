package main

import (
	"bytes"
	"strings"
	"testing"
)

// explain rejects an unknown --lang as check does.
func TestExplainRejectsUnknownLang(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--lang", "xx", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", t.TempDir()}, &out, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), `unknown --lang "xx"; use en or ja`) {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
