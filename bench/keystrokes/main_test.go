package main

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestKeystrokesShort runs the measurement briefly against the built
// binary: every version is covered by a publish and none is published out
// of order (Run fails otherwise); the timing budget is the benchmark's.
func TestKeystrokesShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "s3policy-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/s3policy-lsp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r, err := Run(bin, 60, 200, 20<<10)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Latencies) != 60 || r.Publishes == 0 || r.P50 <= 0 || r.Max < r.P99 || r.P99 < r.P50 {
		t.Fatalf("result %+v", r)
	}
	if r.Max > 10*time.Second {
		t.Fatalf("an edit took %v to be published", r.Max)
	}

	// The same in a governed folder: after the first scan, an identity
	// policy and a bucket policy in turn.
	g, err := RunGoverned(bin, t.TempDir(), 20, 30, 200, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Result{g.Identity, g.Bucket} {
		if len(r.Latencies) != 30 || r.Publishes == 0 || r.Max < r.P99 || r.P99 < r.P50 {
			t.Fatalf("governed result %+v", r)
		}
	}
}
