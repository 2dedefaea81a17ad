package lsp

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// BenchmarkIndexEdit is one keystroke's index update in a governed folder
// (bench/governed) of S3POLICY_BENCH_POLICIES policies (default 1,000):
// a character typed into the first Sid of the first identity policy, or
// of the first bucket policy, or the last character of the identity
// policy's first action taken back and typed again ("identity-action"),
// or the bucket policy's ("bucket-action"),
// after every principal was answered as the first scan leaves the set; "+analysis" also runs every check on the
// edited file, as the front does before it publishes. go test -run '^$' -bench IndexEdit ./lsp/
// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkIndexEdit(b *testing.B) {
	n := 1000
	if s := os.Getenv("S3POLICY_BENCH_POLICIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir, layout, texts, ix := governedIndex(b, n)
	g := ix.setOf(filepath.Join(dir, "x"))
	for _, p := range principalsOf(g.ws) {
		g.ws.Blocked(p)
	}
	for _, file := range []struct{ name, rel, key string }{
		{"identity", layout.Identity, `"Sid": "`}, {"bucket", layout.Bucket, `"Sid": "`},
		{"identity-action", layout.Identity, `"Action": ["`}, // the first action's last character taken back and typed again
		// "s3:GetOb" and "s3:GetO" in turn, as bench/keystrokes types after
		// its first edits: no evaluation is stale, the answer's places move.
		{"identity-action-typing", layout.Identity, `"Action": ["`},
		{"bucket-action", layout.Bucket, `"Action": ["`}, {"bucket-action-typing", layout.Bucket, `"Action": ["`},
	} {
		path := filepath.Join(dir, filepath.FromSlash(file.rel))
		text := texts[path]
		at := bytes.Index(text, []byte(file.key)) + len(file.key)
		edit := func(i int) []byte { return slices.Concat(text[:at], []byte(strconv.Itoa(i%10)), text[at:]) }
		if strings.HasSuffix(file.name, "-action-typing") {
			end := at + bytes.IndexByte(text[at:], '"')
			shorter, shortest := slices.Concat(text[:end-3], text[end:]), slices.Concat(text[:end-4], text[end:])
			edit = func(i int) []byte {
				if i%2 == 0 {
					return shorter
				}
				return shortest
			}
		} else if file.key == `"Action": ["` {
			end := at + bytes.IndexByte(text[at:], '"')
			shorter := slices.Concat(text[:end-1], text[end:])
			edit = func(i int) []byte {
				if i%2 == 0 {
					return shorter
				}
				return text
			}
		}
		for _, analyse := range []bool{false, true} {
			name := fmt.Sprintf("%s/%d", file.name, n)
			if analyse {
				name = fmt.Sprintf("%s+analysis/%d", file.name, n)
			}
			b.Run(name, func(b *testing.B) {
				cpu := cpuTime()
				n := 0
				for i := 0; b.Loop(); i++ {
					edited := edit(i)
					ix.update(map[string][]byte{path: edited})
					if analyse {
						_, src, docs := ix.lookup(path, edited)
						analysis.AnalyzeFile(path, docs, src.Findings, analysis.Options{Checks: checks.All})
					}
					n++
				}
				// CPU time is the fairer figure on a shared machine.
				b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(n), "cpu-ms/op")
				ix.update(map[string][]byte{path: text})
			})
		}
	}
}
