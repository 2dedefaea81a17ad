package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/internal/report"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The policies the tests check. noVersion gets one missing-version warning
// at 1:1; broken has a syntax error after Japanese text and an emoji, so
// its column counts UTF-16 code units.
const (
	clean = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:role/DataReader"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"
  }]
}
`
	noVersion = `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	broken    = "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Sid\": \"読み取り😀\" \"Effect\": \"Allow\"}]}"
)

// runCLI runs the command line in dir, with the environment's locale
// cleared so that messages are English unless a test says otherwise.
func runCLI(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if _, set := os.LookupEnv(v); !set {
			t.Setenv(v, "")
		}
	}
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// writeTree creates files (slash paths) with their contents under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckText(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"b/old.iam-policy.json":       noVersion,
		"a/broken.bucket-policy.json": broken,
		"a/ok.bucket-policy.json":     clean,
		"package.json":                `{"name": "not a policy"}`,
	})
	stdout, stderr, code := runCLI(t, dir, "check", ".")
	want := "a/broken.bucket-policy.json:2:33: error json-syntax: unexpected '\"': expected ',' or '}' after a member (is a comma missing?) [bucket]\n" +
		"b/old.iam-policy.json:1:1: warning missing-version: the policy has no Version; add \"Version\": \"2012-10-17\" so that policy variables work [identity]\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	if wantErr := "files checked: 3, errors: 1, warnings: 1, information: 0, hints: 0\n"; stderr != wantErr {
		t.Errorf("stderr = %q, want %q", stderr, wantErr)
	}
	if code != exitFindings {
		t.Errorf("exit code %d, want %d", code, exitFindings)
	}
}

// jsonFinding mirrors the JSON output, to decode it strictly.
type jsonFinding struct {
	File, Severity, Code, Message, Kind string
	Line, Column, EndLine, EndColumn    int
	Related                             []jsonRelated
}

type jsonRelated struct {
	File, Message                    string
	Line, Column, EndLine, EndColumn int
}

func decodeJSON(t *testing.T, out string) []jsonFinding {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var fs []jsonFinding
	if err := dec.Decode(&fs); err != nil {
		t.Fatalf("output is not the JSON array of findings: %v\n%s", err, out)
	}
	return fs
}

func TestCheckJSON(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"broken.bucket-policy.json": broken, "old.json": noVersion})
	stdout, _, code := runCLI(t, dir, "check", "--format", "json", ".")
	got := decodeJSON(t, stdout)
	want := []jsonFinding{
		{File: "broken.bucket-policy.json", Line: 2, Column: 33, EndLine: 2, EndColumn: 34, Severity: "error", Code: "json-syntax",
			Message: "unexpected '\"': expected ',' or '}' after a member (is a comma missing?)", Kind: "bucket"},
		{File: "old.json", Line: 1, Column: 1, EndLine: 1, EndColumn: 2, Severity: "warning", Code: "missing-version",
			Message: "the policy has no Version; add \"Version\": \"2012-10-17\" so that policy variables work", Kind: "identity"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%+v\nwant:\n%+v", got, want)
	}
	if code != exitFindings {
		t.Errorf("exit code %d, want %d", code, exitFindings)
	}
}

func TestCheckJSONEmptyIsArray(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ok.bucket-policy.json": clean})
	stdout, stderr, code := runCLI(t, dir, "check", "--format=json", "ok.bucket-policy.json")
	if stdout != "[]\n" || stderr != "" || code != exitOK {
		t.Errorf("got stdout %q, stderr %q, code %d; want \"[]\\n\", nothing, 0", stdout, stderr, code)
	}
}

func TestCheckSARIF(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"sub dir/old.iam-policy.json": noVersion})
	stdout, _, code := runCLI(t, dir, "check", "--format", "sarif", "--fail-on", "warning", ".")
	if code != exitFindings {
		t.Errorf("exit code %d, want %d", code, exitFindings)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string
		Runs    []struct {
			ColumnKind string
			Tool       struct {
				Driver struct {
					Name, Version, InformationURI string
					Rules                         []struct {
						ID                                string
						ShortDescription, FullDescription struct{ Text string }
						HelpURI                           string
						DefaultConfiguration              struct{ Level string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn, EndLine, EndColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if log.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("$schema %q, version %q, %d runs", log.Schema, log.Version, len(log.Runs))
	}
	r := log.Runs[0]
	d := r.Tool.Driver
	if d.Name != "s3policy-lsp" || d.Version == "" || d.InformationURI != informationURI || r.ColumnKind != "utf16CodeUnits" {
		t.Errorf("driver %q %q %q, columnKind %q", d.Name, d.Version, d.InformationURI, r.ColumnKind)
	}
	rules := allRules()
	if len(d.Rules) != len(rules) {
		t.Fatalf("%d rules, want %d", len(d.Rules), len(rules))
	}
	for i, c := range rules {
		got := d.Rules[i]
		if got.ID != c.Code || got.ShortDescription.Text != c.Title.EN || got.FullDescription.Text != c.Explain.EN ||
			got.HelpURI != c.DocURL || got.DefaultConfiguration.Level != report.Level(c.Severity) {
			t.Errorf("rule %d = %+v, want the check %s", i, got, c.Code)
		}
	}
	for _, code := range []string{"missing-version", "json-syntax", "invalid-config", "internal-error"} {
		if !slices.ContainsFunc(d.Rules, func(r struct {
			ID                                string
			ShortDescription, FullDescription struct{ Text string }
			HelpURI                           string
			DefaultConfiguration              struct{ Level string }
		}) bool {
			return r.ID == code
		}) {
			t.Errorf("no rule %s", code)
		}
	}
	if len(r.Results) != 1 {
		t.Fatalf("%d results, want 1", len(r.Results))
	}
	res := r.Results[0]
	if res.RuleID != "missing-version" || d.Rules[res.RuleIndex].ID != "missing-version" || res.Level != "warning" ||
		res.Message.Text != "the policy has no Version; add \"Version\": \"2012-10-17\" so that policy variables work" {
		t.Errorf("result %+v", res)
	}
	loc := res.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "sub%20dir/old.iam-policy.json" {
		t.Errorf("uri %q", loc.ArtifactLocation.URI)
	}
	if reg := loc.Region; reg.StartLine != 1 || reg.StartColumn != 1 || reg.EndLine != 1 || reg.EndColumn != 2 {
		t.Errorf("region %+v, want 1:1-1:2", reg)
	}
}

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"ok.bucket-policy.json":  clean,
		"old.iam-policy.json":    noVersion,
		"README.md":              "# not JSON\n",
		"package.json":           `{"name": "x"}`,
		"bad.bucket-policy.json": broken,
	})
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"check", "ok.bucket-policy.json"}, exitOK},
		{[]string{"check", "old.iam-policy.json"}, exitOK}, // a warning does not reach the default --fail-on error
		{[]string{"check", "--fail-on", "warning", "old.iam-policy.json"}, exitFindings},
		{[]string{"check", "--fail-on", "hint", "old.iam-policy.json"}, exitFindings},
		{[]string{"check", "old.iam-policy.json", "--fail-on", "info"}, exitFindings}, // flags after paths
		{[]string{"check", "bad.bucket-policy.json"}, exitFindings},
		{[]string{"check", "README.md", "package.json"}, exitOK}, // named, but no policies: nothing to say
		{[]string{"check", "--format", "xml", "."}, exitUsage},
		{[]string{"check", "--fail-on", "fatal", "."}, exitUsage},
		{[]string{"check", "--lang", "fr", "."}, exitUsage},
		{[]string{"check", "--no-such-flag", "."}, exitUsage},
		{[]string{"check"}, exitUsage},
		{[]string{"check", "missing.json"}, exitUsage},
		{[]string{"check", "ok.bucket-policy.json", "missing.json"}, exitUsage},
		{[]string{"check", "-h"}, exitOK},
	} {
		_, stderr, code := runCLI(t, dir, tc.args...)
		if code != tc.want {
			t.Errorf("%v: exit code %d, want %d; stderr:\n%s", tc.args, code, tc.want, stderr)
		}
	}
}

func TestCheckUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ok.bucket-policy.json": clean})
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "dangling.bucket-policy.json")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, dir, "check", ".")
	if code != exitUsage || stderr != "s3policy-lsp check: dangling.bucket-policy.json: no such file or directory\nfiles checked: 1, errors: 0, warnings: 0, information: 0, hints: 0\n" {
		t.Errorf("dangling link: exit code %d, stderr %q; want %d and the file named", code, stderr, exitUsage)
	}
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode; the permission-denied case cannot be tested as root")
	}
	if err := os.Remove(filepath.Join(dir, "dangling.bucket-policy.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "ok.bucket-policy.json"), 0); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, dir, "check", ".")
	if code != exitUsage || !strings.HasPrefix(stderr, "s3policy-lsp check: ok.bucket-policy.json: permission denied\n") {
		t.Errorf("unreadable: exit code %d, stderr %q; want %d and the file named", code, stderr, exitUsage)
	}
}

func TestCheckWalkSkips(t *testing.T) {
	dir := t.TempDir()
	big := noVersion + strings.Repeat(" ", tree.MaxFileSize)
	writeTree(t, dir, map[string]string{
		"p/.git/x.iam-policy.json":         noVersion,
		"p/node_modules/x.iam-policy.json": noVersion,
		"p/big.iam-policy.json":            big,
		"p/notes.txt":                      noVersion,
		"elsewhere/x.iam-policy.json":      noVersion,
	})
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, "p", "linked")); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, dir, "check", "p")
	wantErr := "s3policy-lsp check: skipping p/big.iam-policy.json: larger than 1 MB\nfiles checked: 0, errors: 0, warnings: 0, information: 0, hints: 0\n"
	if stdout != "" || stderr != wantErr || code != exitOK {
		t.Errorf("stdout %q, stderr %q, code %d; want nothing, %q, 0", stdout, stderr, code, wantErr)
	}
	// A link to a folder named on the command line is followed.
	stdout, _, _ = runCLI(t, dir, "check", "--format", "json", "p/linked")
	if fs := decodeJSON(t, stdout); len(fs) != 1 || fs[0].File != "p/linked/x.iam-policy.json" {
		t.Errorf("linked folder named explicitly: %+v, want one finding in p/linked/x.iam-policy.json", fs)
	}
	// Named on the command line, a large file is read.
	stdout, _, _ = runCLI(t, dir, "check", "--format", "json", "p/big.iam-policy.json")
	if fs := decodeJSON(t, stdout); len(fs) != 1 || fs[0].Code != "missing-version" {
		t.Errorf("big file named explicitly: %+v, want one missing-version", fs)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		// Above the folder given: not used.
		".s3policy.json": `{"files": {"ws/**": {"kind": "bucket"}}}`,
		"ws/.s3policy.json": `{
  "files": {"policies/partner.json": {"kind": "scp", "account": "4444"}},
  "locale": "en"
}`,
		"ws/policies/partner.json": noVersion,
		"ws/other.json":            noVersion,
	})
	stdout, _, _ := runCLI(t, dir, "check", "--format", "json", "ws")
	var got []string
	for _, f := range decodeJSON(t, stdout) {
		got = append(got, f.File+" "+f.Code+" "+f.Kind+" "+f.Severity)
	}
	want := []string{
		"ws/.s3policy.json invalid-config config error", // "4444" is no account ID
		"ws/other.json missing-version identity warning",
		"ws/policies/partner.json missing-version scp warning",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// A file named on its own finds the config above it, up to the
	// current folder; the config's findings are still reported.
	stdout, _, _ = runCLI(t, filepath.Join(dir, "ws"), "check", "--format", "json", "policies/partner.json")
	if fs := decodeJSON(t, stdout); len(fs) != 2 || fs[0].File != ".s3policy.json" || fs[1].Kind != "scp" {
		t.Errorf("named file: %+v, want the config finding and an scp finding", fs)
	}
}

func TestCheckLanguage(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"en/old.iam-policy.json": noVersion,
		"ja/.s3policy.json":      `{"locale": "ja"}`,
		"ja/old.iam-policy.json": noVersion,
	})
	const en = "the policy has no Version"
	const ja = "ポリシーに Version がありません"
	for _, tc := range []struct {
		env         string // LANG
		args        []string
		want        string
		summaryInJA bool // the summary follows --lang, else the environment
	}{
		{"", []string{"check", "en"}, en, false},
		{"ja_JP.UTF-8", []string{"check", "en"}, ja, true},
		{"ja_JP.UTF-8", []string{"check", "--lang", "en", "en"}, en, false},
		{"", []string{"check", "--lang", "ja", "en"}, ja, true},
		{"C.UTF-8", []string{"check", "ja"}, ja, false},          // the config's locale wins over the environment
		{"", []string{"check", "--lang", "en", "ja"}, en, false}, // --lang wins over the config
	} {
		t.Setenv("LANG", tc.env)
		stdout, stderr, _ := runCLI(t, dir, tc.args...)
		if !strings.Contains(stdout, tc.want) {
			t.Errorf("LANG=%q %v: got %q, want %q in it", tc.env, tc.args, stdout, tc.want)
		}
		if got := strings.Contains(stderr, "検査したファイル"); got != tc.summaryInJA {
			t.Errorf("LANG=%q %v: summary %q, want Japanese: %v", tc.env, tc.args, stderr, tc.summaryInJA)
		}
	}
}

// The codes the check command knows are the registered checks plus those
// the analysis makes itself, each once.
func TestAllRulesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range allRules() {
		if seen[r.Code] {
			t.Errorf("code %s listed twice", r.Code)
		}
		seen[r.Code] = true
	}
	if len(seen) != len(checks.All)+len(analysis.BuiltinRules) {
		t.Errorf("%d codes, want %d", len(seen), len(checks.All)+len(analysis.BuiltinRules))
	}
}

// A file reached through several PATHs is reported once; one outside the
// current folder is shown by its absolute path.
func TestCheckPathsShown(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"in/old.iam-policy.json": noVersion, "out/old.iam-policy.json": noVersion})
	stdout, _, _ := runCLI(t, filepath.Join(dir, "in"), "check", "--format", "json", ".", "old.iam-policy.json", "../out", filepath.Join(dir, "in"))
	var got []string
	for _, f := range decodeJSON(t, stdout) {
		got = append(got, f.File)
	}
	out := filepath.ToSlash(filepath.Join(dir, "out", "old.iam-policy.json"))
	if want := []string{out, "old.iam-policy.json"}; !slices.Equal(got, want) { // sorted: "/" before "o"
		t.Errorf("files %q, want %q", got, want)
	}
}

// A usage error is said once, then the usage.
func TestCheckUsageMessage(t *testing.T) {
	_, stderr, _ := runCLI(t, t.TempDir(), "check", "--no-such-flag", ".")
	if !strings.HasPrefix(stderr, "flag provided but not defined: -no-such-flag\nusage: s3policy-lsp check ") || strings.Count(stderr, "not defined") != 1 {
		t.Errorf("stderr:\n%s", stderr)
	}
	_, stderr, _ = runCLI(t, t.TempDir(), "check", "--format", "xml", ".")
	if stderr != "s3policy-lsp check: unknown --format \"xml\"; use text, json or sarif\n" {
		t.Errorf("stderr %q", stderr)
	}
}

// Cross-file findings carry their other places into SARIF as
// relatedLocations, with regions in the other files.
func TestCheckSARIFRelatedLocations(t *testing.T) {
	dir := filepath.Join(examplesDir, "cross-account", "kms-key-policy")
	var out, errOut bytes.Buffer
	run([]string{"check", "--format", "sarif", dir}, &out, &errOut)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID           string
				RelatedLocations []struct {
					ID               int
					Message          struct{ Text string }
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	results := log.Runs[0].Results
	if len(results) == 0 || len(results[0].RelatedLocations) != 2 {
		t.Fatalf("results %+v, want related locations on the first", results)
	}
	key := results[0].RelatedLocations[0]
	if results[0].RuleID != "kms-missing-actions" || key.ID != 0 ||
		!strings.HasSuffix(key.PhysicalLocation.ArtifactLocation.URI, "kms-key-policy/key.key-policy.json") ||
		key.PhysicalLocation.Region.StartLine != 11 || !strings.Contains(key.Message.Text, "EnableIAMPolicies") {
		t.Errorf("first related location %+v, want the key policy's statement at line 11", key)
	}
}

// A .s3policy.json the walk skips (over 1 MB) governs nothing, as in the
// server: check said it skipped it, and yet reported its findings and
// wrote the messages of the files below it in its locale.
func TestCheckSkippedConfigGovernsNothing(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"sub/.s3policy.json": `{"locale": "ja", "accounts": ["12"], "pad": "` + strings.Repeat("x", tree.MaxFileSize) + `"}`,
		"sub/p.json":         noVersion,
	})
	stdout, stderr, code := runCLI(t, dir, "check", ".")
	wantOut := `sub/p.json:1:1: warning missing-version: the policy has no Version; add "Version": "2012-10-17" so that policy variables work [identity]` + "\n"
	wantErr := "s3policy-lsp check: skipping sub/.s3policy.json: larger than 1 MB\nfiles checked: 1, errors: 0, warnings: 1, information: 0, hints: 0\n"
	if stdout != wantOut || stderr != wantErr || code != exitOK {
		t.Errorf("stdout %q, stderr %q, code %d; want %q, %q, 0", stdout, stderr, code, wantOut, wantErr)
	}
}
