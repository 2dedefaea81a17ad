package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// explain rejects an unknown --lang as check does.
func TestExplainRejectsUnknownLang(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"explain", "--lang", "xx", "--principal", "arn:aws:iam::111122223333:user/jane", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", t.TempDir()}, &out, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), `unknown --lang "xx"; use en or ja`) {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// --time sets aws:CurrentTime: an identity policy that allows reads only
// after a date is decided at the time given.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime
func TestExplainTime(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".s3policy.json", `{"files": {"bob.iam-policy.json": {"kind": "identity", "account": "444455556666", "principal": "arn:aws:iam::444455556666:user/bob"}}}`)
	write("bob.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}]}`)
	args := []string{"explain", "--format", "json", "--principal", "arn:aws:iam::444455556666:user/bob", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--resource-account", "444455556666"}
	if code, a := explainJSON(t, append(args, "--time", "2025-06-01T00:00:00Z", dir)...); a.Decision != eval.ImplicitlyDenied || code != exitFindings {
		t.Errorf("before the date: exit %d, %s", code, a.Decision)
	}
	if code, a := explainJSON(t, append(args, "--time", "1798761600", dir)...); a.Decision != eval.Allowed || code != exitOK {
		t.Errorf("after the date: exit %d, %s %+v", code, a.Decision, a.Causes)
	}
	var out, errOut bytes.Buffer
	if code := run(append(args, "--time", "soon", dir), &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), `--time "soon" is not an ISO 8601 date or epoch seconds`) {
		t.Errorf("bad time: exit %d, %s", code, errOut.String())
	}
}

// R17: with --lang ja, explain --cloudtrail's summary, table header and
// "not evaluated", and the flag explain --error asks for, are Japanese;
// the table's columns line up as a terminal shows wide characters.
func TestExplainDenialJapanese(t *testing.T) {
	var out, errOut bytes.Buffer
	dir := filepath.Join(crossAccountExamples, "scp-deny")
	run([]string{"explain", "--lang", "ja", "--cloudtrail", filepath.Join("testdata", "cloudtrail-records.json"), dir}, &out, &errOut)
	table := `レコード 4 件、AccessDenied イベント 3 件

件数  一致      AWS の原因      フォルダーの原因
1     agrees    scp (explicit)  scp-denies-s3 [scp] scp.scp.json:4
1     unstated  Access Denied   scp-denies-s3 [scp] scp.scp.json:4
1     評価せず  -               イベントには呼び出し元のアカウント (111122223333) しかなく、誰が呼び出したかがありません: --principal を指定してください
`
	last := "  評価せず: イベントには呼び出し元のアカウント (111122223333) しかなく、誰が呼び出したかがありません: --principal を指定してください\n"
	if !strings.HasPrefix(out.String(), table) || !strings.HasSuffix(out.String(), last) {
		t.Errorf("got\n%s\nwant the table\n%s\nand the end\n%s", out.String(), table, last)
	}
	out.Reset()
	code := run([]string{"explain", "--lang", "ja", "--error", "An error occurred (403) when calling the HeadObject operation: Forbidden", t.TempDir()}, &out, &errOut)
	want := "s3policy-lsp explain: メッセージに呼び出し元 (--principal ARN。`aws sts get-caller-identity` が表示します)、バケット (--bucket NAME、または --resource ARN)、オブジェクトのキー (--key KEY、または --resource arn:aws:s3:::BUCKET/KEY)がありません。フラグで指定してください\n"
	if code != exitUsage || errOut.String() != want {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", code, errOut.String(), want)
	}
}
