package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"syscall"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// runServe speaks LSP on stdin/stdout. The log goes to stderr (and to the
// client as window/logMessage): stdout carries the protocol only.
func runServe(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Bool("stdio", true, "talk over stdin/stdout (the only transport; accepted for clients that pass it)")
	cpuProfile := flags.String("cpuprofile", "", "write a CPU profile to this file until the server exits, for a performance report")
	traceFile := flags.String("trace", "", "write an execution trace to this file until the server exits (go tool trace): what each core did, and the scheduler's rounds, index updates and analyses as regions, while the user typed")
	cache := flags.String("cache", "", "keep the first scan's diagnostics in this folder for the next start, or \"off\" (default: $"+cacheEnv+", else s3policy-lsp in the user's cache folder)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	stopRecordings, ok := startRecordings("serve", stderr, recording{"--cpuprofile", *cpuProfile, startCPUProfile}, recording{"--trace", *traceFile, startTrace})
	if !ok {
		return exitUsage
	}
	defer stopRecordings()
	budget := serveMemoryBudget(stderr)
	// The first scan's ballast is taken as it starts, not here: its
	// allocation starts a collection, which would delay initialize.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	server := lsp.New(lsp.Options{Log: stderr, Version: versionString(), CacheDir: serveCacheDir(*cache), BinaryID: binaryID, ScanStarted: scanBallast(budget)})
	return server.Serve(ctx, stdio{os.Stdin, stdout})
}

// recording is a profile or trace a command writes into the file its
// flag names, if any.
type recording struct {
	flag, path string
	start      func(path string) (stop func(), err error)
}

// startRecordings starts the recordings whose flag names a file; stop
// ends them. When one cannot start, the log says which, those started
// are stopped, and ok is false.
func startRecordings(command string, stderr io.Writer, recs ...recording) (stop func(), ok bool) {
	var stops []func()
	stop = func() {
		for _, s := range slices.Backward(stops) {
			s()
		}
	}
	for _, rec := range recs {
		if rec.path == "" {
			continue
		}
		s, err := rec.start(rec.path)
		if err != nil {
			fmt.Fprintf(stderr, "s3policy-lsp %s: %s: %v\n", command, rec.flag, err)
			stop()
			return func() {}, false
		}
		stops = append(stops, s)
	}
	return stop, true
}

// startCPUProfile writes a CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	return startRecording(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startRecording starts writing a profile or trace into a new file;
// stop ends it and closes the file.
func startRecording(path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	f, err := os.Create(path)
	if err == nil {
		err = start(f)
	}
	if err != nil {
		return nil, err
	}
	return func() { end(); f.Close() }, nil
}

// stdio joins stdin and stdout into the one stream the server reads and
// writes.
type stdio struct {
	io.Reader
	io.Writer
}

// Close closes stdin, which ends the read loop; stdout stays open for
// whatever the process still prints on exit (nothing, normally).
func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
