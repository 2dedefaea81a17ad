package main

import (
	"io"
	"os"
	"testing"
)

// BenchmarkExplainScenarioFile runs explain --scenario on the file named
// by S3POLICY_EXPLAIN_BENCH (bench/explaingen writes one), in process.
func BenchmarkExplainScenarioFile(b *testing.B) { benchmarkExplainScenarioFile(b, "--format", "json") }

// BenchmarkExplainScenarioFileText is BenchmarkExplainScenarioFile with
// the answers in text.
func BenchmarkExplainScenarioFileText(b *testing.B) { benchmarkExplainScenarioFile(b) }

func benchmarkExplainScenarioFile(b *testing.B, flags ...string) {
	path := os.Getenv("S3POLICY_EXPLAIN_BENCH")
	if path == "" {
		b.Skip("S3POLICY_EXPLAIN_BENCH names no scenario file (go run ./bench/explaingen -scenarios FILE ...)")
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := run(append([]string{"explain", "--scenario", path}, flags...), io.Discard, io.Discard); code == exitUsage {
			b.Fatal("usage error")
		}
	}
}
