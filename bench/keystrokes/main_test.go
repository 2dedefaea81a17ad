package main

import (
	"bytes"
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
	// policy and a bucket policy in turn, typed into a Sid, then into an
	// Action string.
	for _, into := range []Target{IntoSid, IntoAction} {
		g, err := RunGoverned(bin, t.TempDir(), 20, 30, 200, time.Minute, into)
		if err != nil {
			t.Fatal(into, err)
		}
		for _, r := range []Result{g.Identity, g.Bucket} {
			if len(r.Latencies) != 30 || r.Publishes == 0 || r.Max < r.P99 || r.P99 < r.P50 {
				t.Fatalf("governed result typed into %s: %+v", into, r)
			}
		}
	}
}

// Typing into a Sid adds x's after it and takes them back; typing into an
// Action takes its last characters back and types them again, so that
// each version names another action and the text comes back.
func TestStepTypesIntoTheElement(t *testing.T) {
	const text = `{"Sid": "Read", "Action": ["s3:GetObject"]}`
	for _, c := range []struct {
		into Target
		key  string
		want []string // the element after each of five steps forward
	}{
		{IntoSid, `"Sid": "`, []string{"Readx", "Readxx", "Readxxx", "Readxxxx", "Readxxxxx"}},
		{IntoAction, `"Action": ["`, []string{"s3:GetObjec", "s3:GetObje", "s3:GetObj", "s3:GetOb", "s3:GetO"}},
	} {
		start := bytes.Index([]byte(text), []byte(c.key)) + len(c.key)
		end := start + bytes.IndexByte([]byte(text[start:]), '"')
		word := []byte(text[start:end])
		now := []byte(text)
		element := func() string {
			return string(now[start : start+bytes.IndexByte(now[start:], '"')])
		}
		for away := range 5 {
			now, _ = c.into.step(now, end, word, away, true)
			if got := element(); got != c.want[away] {
				t.Fatalf("%s, step %d forward: %q, want %q", c.into, away+1, got, c.want[away])
			}
		}
		for away := 5; away > 0; away-- {
			now, _ = c.into.step(now, end, word, away, false)
		}
		if string(now) != text {
			t.Errorf("%s: five steps forward and back give %s", c.into, now)
		}
	}
}
