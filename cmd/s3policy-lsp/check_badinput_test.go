package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Bad input from the issue: each gets a clear finding or none, never a
// crash, an internal-error or an I/O error.
func TestCheckBadInput(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	big := `{"Version": "2012-10-17", "Statement": [` + strings.TrimSuffix(strings.Repeat(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},`, 80000), ",") + `]`
	for _, tc := range []struct {
		name, src string
		syntaxAt  string // "line:col" of the json-syntax finding; "" for valid JSON
	}{
		{"empty", "", "1:1"},
		{"array", "[]", ""},
		{"null", "null", ""},
		{"string", `"Statement"`, ""},
		{"truncated", `{"Version": "2012-10-17", "Statement": [{"Effect": "Al`, "1:52"}, // the string that is not closed
		{"5 MB, unterminated", big, "1:" + strconv.Itoa(len(big)+1)},
		{"binary", "\x00\x01\xff\xfePK\x03\x04", "1:1"},
		{"invalid UTF-8", "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"\xff\xfe\"}]}", ""}, // read as U+FFFD, as encoding/json does
		{"10,000 deep", `{"Statement": ` + deep + `}`, "1:271"},                                          // the parser stops at 256 levels
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "p.bucket-policy.json"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runCLI(t, dir, "check", "--format", "json", "p.bucket-policy.json")
			fs := decodeJSON(t, stdout)
			if code == exitUsage || strings.Contains(stdout, "internal-error") {
				t.Fatalf("exit code %d, findings %+v, stderr %q", code, fs, stderr)
			}
			var syntax []string
			for _, f := range fs {
				if f.Code == "json-syntax" {
					syntax = append(syntax, strconv.Itoa(f.Line)+":"+strconv.Itoa(f.Column))
				}
			}
			if want := tc.syntaxAt; (want == "" && len(syntax) != 0) || (want != "" && (len(syntax) != 1 || syntax[0] != want || len(fs) != 1)) {
				t.Errorf("json-syntax at %q (all findings %+v), want at %q alone", syntax, fs, want)
			}
		})
	}
}
