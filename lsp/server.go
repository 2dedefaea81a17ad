// Package lsp is the language server: a thin layer of handlers over a
// document cache, in the manner of gopls. It speaks JSON-RPC through
// go.lsp.dev/jsonrpc2 and uses go.lsp.dev/protocol only for the types of
// parameters and results; the analysis itself lives in package analysis.
package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// Source names the server in every diagnostic.
const Source = "s3policy-lsp"

// Options say what the server runs; the zero value runs everything in
// package checks and logs to nowhere.
type Options struct {
	Checks     []*analysis.Check
	Hovers     []analysis.HoverProvider
	Completers []analysis.Completer
	Log        io.Writer // stderr in the binary
	Version    string    // reported in serverInfo
	// CacheDir is where the first scan's diagnostics are kept for the
	// next start on the same workspace (scancache.go); "" keeps none.
	CacheDir string
	// BinaryID identifies the build (a hash of the executable): part of
	// every cache key with Version; nil keeps none.
	BinaryID func() string
	// ScanStarted, when set, is called as the first scan starts, and the
	// function it returns (nil: none) once the scan is over: every file
	// it read analysed and published (where its work-done progress ends,
	// whether the client shows it or not, and after a panic in the scan),
	// at the first pause in the typing after that. The binary holds a GC
	// ballast in between.
	ScanStarted func() (scanDone func())
}

// Server is one language-server session: thin handlers over a store of
// the files (store.go), a scheduler that analyses and publishes
// (scheduler.go) and the dependency index of the governed sets
// (index.go).
type Server struct {
	opts Options
	conn jsonrpc2.Conn
	out  *stream         // conn's: diagnostics go out on it already encoded
	ctx  context.Context // cancelled when the session ends

	logMu sync.Mutex

	mu    sync.Mutex // guards state only
	state state

	caps  atomic.Pointer[clientInfo] // set once, at initialize
	store *store
	sched *scheduler

	scanStarted     atomic.Bool
	initializedSent chan struct{} // closed by the client's initialized notification
	initOnce        sync.Once
	scanned         chan struct{}             // closed when the first scan is done
	cache           atomic.Pointer[scanCache] // the first scan's use of the diagnostics cache; nil when off
	// settingsAsks numbers the workspace/configuration requests, and
	// settingsApplied is the number of the last one whose answer was
	// applied (under settingsMu): askSettings drops an answer that comes
	// after a newer request's.
	settingsAsks    atomic.Uint64
	settingsMu      sync.Mutex
	settingsApplied uint64
	// beforeLoad, a test's hook, is called by the scan with the root of
	// the sets it is about to hand to the scheduler.
	beforeLoad func(root string)

	exitCode chan int
	workers  sync.WaitGroup
}

type state int

const (
	uninitialized state = iota
	running
	shuttingDown
)

// New returns a server with the given options.
func New(opts Options) *Server {
	if opts.Checks == nil {
		opts.Checks = checks.All
	}
	if opts.Hovers == nil {
		opts.Hovers = assist.Hovers
	}
	if opts.Completers == nil {
		opts.Completers = assist.Completers
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s := &Server{opts: opts, store: newStore(), scanned: make(chan struct{}), initializedSent: make(chan struct{}), exitCode: make(chan int, 1)}
	s.caps.Store(&clientInfo{})
	s.sched = newScheduler(s)
	return s
}

// Serve speaks LSP on rwc until the client sends exit or closes the
// stream, and returns the process exit code: 0 for exit after shutdown,
// 1 otherwise.
func (s *Server) Serve(ctx context.Context, rwc io.ReadWriteCloser) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	s.connect(rwc)
	s.sched.start()
	s.conn.Go(ctx, s.handle)

	code, exited := 1, false
	select {
	case code = <-s.exitCode:
		exited = true
	case <-s.conn.Done():
		s.logLocal("the client closed the connection without exit") // nobody to tell
	case <-ctx.Done():
	}
	cancel()
	s.conn.Close() // unblocks a worker stuck writing to a client that left
	s.awaitWorkers(!exited)
	return code
}

// connect makes the session's connection over rwc.
func (s *Server) connect(rwc io.ReadWriteCloser) {
	s.out = newStream(rwc, s.logf)
	s.conn = jsonrpc2.NewConn(s.out)
}

// shutdownGrace bounds the wait for the read loop and the workers at the
// end: closing stdin does not interrupt a read on every kind of file, and
// the process must exit all the same.
const shutdownGrace = 2 * time.Second

// awaitWorkers waits for the session's workers, and for the read loop
// when readLoop is set, at most shutdownGrace. After exit the read loop
// is not waited for: the client has nothing more to say, and one that
// keeps stdin open until the process is gone (Neovim's :LspStop and
// :LspRestart) would hold it in a read that closing stdin does not
// interrupt, for the whole grace at every exit.
func (s *Server) awaitWorkers(readLoop bool) {
	finished := make(chan struct{})
	go func() {
		if readLoop {
			<-s.conn.Done()
		}
		s.workers.Wait()
		close(finished)
	}()
	// Leaving after the grace is the usual end with a client that keeps
	// stdin open and sends no exit, so it is not logged: Neovim logs
	// every line of the server's stderr as an ERROR.
	select {
	case <-finished:
	case <-time.After(shutdownGrace):
	}
}

// analysisOptions runs the server's checks under the editor settings and
// logs a check that panics.
func (s *Server) analysisOptions(settings editorSettings) analysis.Options {
	return analysis.Options{
		Checks:  s.opts.Checks,
		Adjust:  settings.apply,
		OnPanic: func(msg string) { s.log(protocol.MessageTypeError, msg) },
	}
}

// A requestFunc decodes its params and returns the result.
type requestFunc func(s *Server, params json.RawMessage) (any, error)

// A prepareFunc runs on the read loop: it decodes its params and captures
// the state it depends on, so that it sees every notification that came
// before it, and returns the work to do off the loop, where analysis runs.
type prepareFunc func(s *Server, params json.RawMessage) (func() (any, error), error)

var requests = map[string]prepareFunc{
	protocol.MethodInitialize:                 onRead((*Server).initialize),
	protocol.MethodShutdown:                   onRead((*Server).shutdown),
	protocol.MethodTextDocumentHover:          (*Server).hover,
	protocol.MethodTextDocumentCodeAction:     (*Server).codeAction,
	protocol.MethodTextDocumentDocumentSymbol: (*Server).documentSymbol,
	protocol.MethodTextDocumentCompletion:     (*Server).completion,
	protocol.MethodWorkspaceExecuteCommand:    (*Server).executeCommand,
	protocol.MethodTextDocumentCodeLens:       (*Server).codeLens,
}

// onRead adapts a handler that is cheap and must run in order on the read
// loop (initialize, shutdown).
func onRead(f requestFunc) prepareFunc {
	return func(s *Server, params json.RawMessage) (func() (any, error), error) {
		result, err := f(s, params)
		return func() (any, error) { return result, err }, nil
	}
}

var notifications = map[string]func(s *Server, params json.RawMessage) error{
	protocol.MethodInitialized:                     (*Server).initialized,
	protocol.MethodExit:                            (*Server).exit,
	protocol.MethodTextDocumentDidOpen:             (*Server).didOpen,
	protocol.MethodTextDocumentDidChange:           (*Server).didChange,
	protocol.MethodTextDocumentDidSave:             (*Server).didSave,
	protocol.MethodTextDocumentDidClose:            (*Server).didClose,
	protocol.MethodWorkspaceDidChangeConfiguration: (*Server).didChangeConfiguration,
	protocol.MethodWorkspaceDidChangeWatchedFiles:  (*Server).didChangeWatchedFiles,
}

// handle runs on jsonrpc2's read loop. It never returns an error, which
// would close the connection.
func (s *Server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if call, ok := req.(*jsonrpc2.Call); ok {
		s.call(ctx, reply, call)
		return nil
	}
	s.notify(req)
	return nil
}

func (s *Server) call(ctx context.Context, reply jsonrpc2.Replier, call *jsonrpc2.Call) {
	method := call.Method()
	prepare, known := requests[method]
	if !known {
		_ = reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
		return
	}
	if err := s.checkState(method); err != nil {
		_ = reply(ctx, nil, err)
		return
	}
	var work func() (any, error)
	err := s.guard(method, func() (err error) {
		work, err = prepare(s, call.Params())
		return err
	})
	if err != nil {
		_ = reply(ctx, nil, err)
		return
	}
	go func() {
		var result any
		err := s.guard(method, func() (err error) {
			result, err = work()
			return err
		})
		_ = reply(ctx, result, err)
	}()
}

func (s *Server) checkState(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.state == uninitialized && method != protocol.MethodInitialize:
		return jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "the server is not initialized")
	case s.state != uninitialized && method == protocol.MethodInitialize:
		return jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize was already sent")
	case s.state == shuttingDown:
		return jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down")
	}
	return nil
}

func (s *Server) notify(req jsonrpc2.Request) {
	method := req.Method()
	handler, known := notifications[method]
	if !known {
		return // $/cancelRequest, $/setTrace and anything new: nothing to do
	}
	s.mu.Lock()
	ready := s.state != uninitialized || method == protocol.MethodExit
	s.mu.Unlock()
	if !ready {
		s.logf("ignoring %s before initialize", method)
		return
	}
	if err := s.guard(method, func() error { return handler(s, req.Params()) }); err != nil {
		s.logf("%s: %v", method, err)
	}
}

// guard runs f, turning a panic into a logged InternalError so that no
// handler can take the server down.
func (s *Server) guard(method string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log(protocol.MessageTypeError, fmt.Sprintf("panic in %s: %v\n%s", method, r, debug.Stack()))
			err = jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", method, r)
		}
	}()
	return f()
}

// decode unmarshals params, answering InvalidParams when they do not fit.
func decode(params json.RawMessage, v any) error {
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	return nil
}

// logf logs an ordinary event.
func (s *Server) logf(format string, args ...any) {
	s.log(protocol.MessageTypeLog, fmt.Sprintf(format, args...))
}

// warnf logs what the user should see and mend (a setting that is not
// one).
func (s *Server) warnf(format string, args ...any) {
	s.log(protocol.MessageTypeWarning, fmt.Sprintf(format, args...))
}

// log tells the client in its window/logMessage, and writes errors,
// warnings and what the client can no longer be told to the log (stderr;
// never stdout, which carries the protocol). Ordinary events stay off
// stderr while a client listens: Neovim logs every line of a server's
// stderr as an ERROR (editors/nvim/test/e2e.lua failed on one under load:
// the client's answer to window/workDoneProgress/create came late).
func (s *Server) log(typ protocol.MessageType, msg string) {
	told := s.conn != nil && s.ctx.Err() == nil &&
		s.conn.Notify(s.ctx, protocol.MethodWindowLogMessage, &protocol.LogMessageParams{Type: typ, Message: msg}) == nil
	if !told || typ == protocol.MessageTypeError || typ == protocol.MessageTypeWarning {
		s.logLocal(msg)
	}
}

// logLocal writes to the log only.
func (s *Server) logLocal(msg string) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, "s3policy-lsp: %s\n", msg)
}
