package main

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	rev := "497d5d89377a1e484958f8d455f1fd4d15646be0"
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"go install @version", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}, "v0.3.0"},
		// Go 1.24 on makes a pseudo-version of the revision itself.
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129194317-497d5d89377a+dirty"}}, "v0.0.0-20261129194317-497d5d89377a+dirty"},
		{"revision, older Go", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"},
		}}, "devel 497d5d89377a"},
		{"revision with changes", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"},
		}}, "devel 497d5d89377a+dirty"},
		{"no VCS information", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			"devel (built without VCS information: go build -buildvcs=true in a git checkout records the revision)"},
		{"no build information", nil, "devel"},
	} {
		if got := buildVersion(tc.info); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
