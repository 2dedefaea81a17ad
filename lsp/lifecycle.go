package lsp

import (
	"context"
	"encoding/json"
	"path/filepath"
	"time"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
)

// initializeParams is the part of InitializeParams the server reads. It
// is declared here rather than taken from protocol so that a client whose
// capabilities do not fit protocol v0.12.0's types in some corner that the
// server never looks at can still start it.
type initializeParams struct {
	Locale                string                     `json:"locale"`
	RootPath              string                     `json:"rootPath"`
	RootURI               protocol.DocumentURI       `json:"rootUri"`
	WorkspaceFolders      []protocol.WorkspaceFolder `json:"workspaceFolders"`
	InitializationOptions any                        `json:"initializationOptions"`
	Capabilities          struct {
		Workspace struct {
			Configuration         bool `json:"configuration"`
			DidChangeWatchedFiles struct {
				DynamicRegistration bool `json:"dynamicRegistration"`
			} `json:"didChangeWatchedFiles"`
			CodeLens struct {
				RefreshSupport bool `json:"refreshSupport"`
			} `json:"codeLens"`
		} `json:"workspace"`
		Window json.RawMessage `json:"window"` // read on its own: odd values are tolerated
	} `json:"capabilities"`
}

// clientInfo is what the client said of itself at initialize: an
// immutable value, read by every goroutine without a lock.
type clientInfo struct {
	locale      string // InitializeParams.locale
	askSettings bool   // the client supports workspace/configuration
	watchFiles  bool   // the client can watch files for us
	workDone    bool   // the client shows work-done progress
	lensRefresh bool   // the client supports workspace/codeLens/refresh
}

// client returns what the client said at initialize.
func (s *Server) client() *clientInfo { return s.caps.Load() }

func (s *Server) initialize(params json.RawMessage) (any, error) {
	var p initializeParams
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	settings, problems := parseSettings(p.InitializationOptions)
	for _, msg := range problems {
		s.warnf("initializationOptions: %s", msg)
	}
	s.caps.Store(&clientInfo{
		locale:      p.Locale,
		askSettings: p.Capabilities.Workspace.Configuration,
		watchFiles:  p.Capabilities.Workspace.DidChangeWatchedFiles.DynamicRegistration,
		workDone:    workDoneProgress(p.Capabilities.Window),
		lensRefresh: p.Capabilities.Workspace.CodeLens.RefreshSupport,
	})
	// Nothing reads the store before initialize is answered: requests and
	// notifications that come earlier are refused.
	s.store.folders = workspaceFolders(&p)
	s.store.mu.Lock()
	s.store.initOpts = settings
	s.store.mu.Unlock()
	// The scan is due with initialized: a document opened before it (a
	// client may send didOpen first) waits for its set as one opened
	// during the scan does, rather than being published alone first.
	s.sched.scanStarted()
	s.mu.Lock()
	s.state = running
	s.mu.Unlock()
	s.offLoop("waiting for initialized", s.startUninitialized)

	return &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: true,
				// Full, not incremental: protocol v0.12.0's change event has
				// a non-pointer Range, so an edit at 0:0 and a whole-document
				// replacement would look the same.
				Change: protocol.TextDocumentSyncKindFull,
				Save:   &protocol.SaveOptions{},
			},
			HoverProvider:          true,
			CodeActionProvider:     &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix}},
			DocumentSymbolProvider: true,
			CompletionProvider:     &protocol.CompletionOptions{TriggerCharacters: []string{":", `"`}},
			ExecuteCommandProvider: &protocol.ExecuteCommandOptions{Commands: []string{ExplainCommand, ExplainErrorCommand}},
			CodeLensProvider:       &protocol.CodeLensOptions{},
		},
		ServerInfo: &protocol.ServerInfo{Name: Source, Version: s.opts.Version},
	}, nil
}

// workDoneProgress reads window.workDoneProgress; a window capability
// that does not fit means no.
func workDoneProgress(window json.RawMessage) bool {
	var w struct {
		WorkDoneProgress bool `json:"workDoneProgress"`
	}
	return json.Unmarshal(window, &w) == nil && w.WorkDoneProgress
}

// workspaceFolders lists the folders as paths, from workspaceFolders, else
// rootUri, else rootPath. They bound the search for .s3policy.json.
func workspaceFolders(p *initializeParams) []string {
	var out []string
	for _, f := range p.WorkspaceFolders {
		if path, ok := uriPath(protocol.DocumentURI(f.URI)); ok {
			out = append(out, path)
		}
	}
	if len(out) == 0 && p.RootURI != "" {
		if path, ok := uriPath(p.RootURI); ok {
			out = append(out, path)
		}
	}
	if len(out) == 0 && p.RootPath != "" {
		out = append(out, filepath.Clean(p.RootPath))
	}
	return out
}

// initialized asks the client to tell of changes to the workspace's
// files on disk, when it can, and scans the workspace, which begins by
// taking the client's settings (takeSettings). When the scan began
// without it (startUninitialized), the settings are asked now, and the
// answer applies as a settings change. A second one is ignored: the
// watcher would be registered again under the same id.
func (s *Server) initialized(json.RawMessage) error {
	first := false
	s.initOnce.Do(func() { first = true; close(s.initializedSent) })
	if !first {
		// Logged off the read loop, as a request's answer would be: a
		// client answering a request of ours as it reads may not read
		// while it writes.
		s.offLoop(protocol.MethodInitialized, func() { s.logf("ignoring a second %s", protocol.MethodInitialized) })
		return nil
	}
	s.watchFiles()
	if !s.startScan(true) && s.client().askSettings {
		s.offLoop(protocol.MethodWorkspaceConfiguration, s.askSettings)
	}
	return nil
}

// initializedWait bounds how long the server waits for the client's
// initialized notification before it scans without it. Clients send it
// at once after the initialize answer; 5 s leaves room for a busy
// machine, and a client that never sends it still gets its workspace
// diagnosed after that. A client slower than that gets its diagnostics
// without the scan's progress, and its settings as a later change.
const initializedWait = 5 * time.Second

// startUninitialized scans the workspace if the client has not sent
// initialized within initializedWait, asking the client nothing. The
// specification forbids the server's requests and notifications only
// until it has answered initialize ("the server is not allowed to send
// any requests or notifications to the client until it has responded
// with an InitializeResult", 3.17, Initialize Request), and initialized
// is when "the server is allowed to send requests from the server to the
// client" (protocol.ts, InitializedNotification): so before it the
// server publishes diagnostics and logs, both notifications, but does not
// ask for the settings, create a progress or register a file watcher.
// Without it, a document opened in a set would be held for its set
// (scanHold, which begins at initialize) forever.
func (s *Server) startUninitialized() {
	wait := time.NewTimer(initializedWait)
	defer wait.Stop()
	select {
	case <-s.initializedSent:
	case <-s.ctx.Done():
	case <-wait.C:
		select {
		case <-s.initializedSent: // came as the wait ran out: its scan shows progress
			return
		default:
		}
		if s.startScan(false) {
			s.logf("no initialized notification within %v: scanning the workspace with the initializationOptions", initializedWait)
		}
	}
}

// watchFiles registers a file watcher for the policies and
// .s3policy.json, so that a file edited outside the editor takes effect
// (didChangeWatchedFiles).
func (s *Server) watchFiles() {
	if !s.client().watchFiles {
		return
	}
	s.callClient(protocol.MethodClientRegisterCapability, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:     "s3policy-config-watcher",
		Method: protocol.MethodWorkspaceDidChangeWatchedFiles,
		RegisterOptions: &protocol.DidChangeWatchedFilesRegistrationOptions{
			Watchers: fileWatchers(),
		},
	}}})
}

// callClient sends a request to the client off the read loop, logging
// its failure; its answer is not read.
func (s *Server) callClient(method string, params any) {
	s.offLoop(method, func() {
		// A request left unanswered at the session's end is no failure.
		if err := s.ask(s.ctx, method, params, nil); err != nil && s.ctx.Err() == nil {
			s.logf("%s: %v", method, err)
		}
	})
}

// ask sends a request to the client and waits for its answer, decoded
// into result, until ctx is done. When ctx ends first while the session
// goes on, the server has given up on the answer, and says so with
// $/cancelRequest and the request's id, which either side may send (LSP
// 3.17, Cancellation Support,
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#cancelRequest):
// the client may drop the request rather than keep it open. An answer
// that comes all the same is dropped by jsonrpc2, as no call waits for
// its id any more. protocol.Call would send the cancel too, but also for
// an answer that came just before ctx ended, or a request never sent.
func (s *Server) ask(ctx context.Context, method string, params, result any) error {
	id, err := s.conn.Call(ctx, method, params, result)
	if err != nil && err == ctx.Err() && s.ctx.Err() == nil {
		_ = s.conn.Notify(s.ctx, protocol.MethodCancelRequest, &protocol.CancelParams{ID: &id})
	}
	return err
}

// offLoop runs f on a goroutine of its own, which the session waits for
// at its end: a request to the client made on the read loop would wait
// forever for an answer that the read loop itself has to read. f handles
// the client's answers, so it runs under the guard, as the read loop's
// handlers do: a panic in it is logged, named by what, and the server
// goes on.
func (s *Server) offLoop(what string, f func()) {
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		_ = s.guard(what, func() error { f(); return nil })
	}()
}

func (s *Server) shutdown(json.RawMessage) (any, error) {
	s.mu.Lock()
	s.state = shuttingDown
	s.mu.Unlock()
	return nil, nil
}

func (s *Server) exit(json.RawMessage) error {
	s.mu.Lock()
	code := 1
	if s.state == shuttingDown {
		code = 0
	}
	s.mu.Unlock()
	select {
	case s.exitCode <- code:
	default: // a second exit
	}
	return nil
}

// didChangeConfiguration takes the settings from the notification, and
// asks for them again when the client supports workspace/configuration
// (many clients send an empty notification as a mere signal).
func (s *Server) didChangeConfiguration(params json.RawMessage) error {
	var p protocol.DidChangeConfigurationParams
	if err := decode(params, &p); err != nil {
		return err
	}
	if s.client().askSettings {
		s.offLoop(protocol.MethodWorkspaceConfiguration, s.askSettings)
		return nil
	}
	if p.Settings != nil {
		settings, problems := parseSettings(p.Settings)
		for _, msg := range problems {
			s.warnf("didChangeConfiguration: %s", msg)
		}
		return s.modify(event{kind: settingsSent, settings: &settings})
	}
	return nil
}

// settingsWait bounds the first scan's wait for the client's answer to
// workspace/configuration. Editors answer from the configuration they
// have loaded, in milliseconds; a client that never answers must not
// keep the workspace undiagnosed, and 2 s is long enough for a busy
// editor's answer and short enough that the user sees diagnostics before
// wondering where they are. An answer that comes later is applied when
// it comes, as a settings change.
const settingsWait = 2 * time.Second

// takeSettings asks workspace/configuration for the "s3policy" section,
// when the client supports it, and waits for the answer to be applied, at
// most settingsWait. The first scan begins with it, as gopls fetches a
// folder's configuration before it loads the folder: a scan begun with
// the initializationOptions would publish the workspace under them, then
// again under the answer, and keep nothing in the diagnostics cache (the
// settings changed during the scan).
func (s *Server) takeSettings() {
	if !s.client().askSettings {
		return
	}
	answered := make(chan struct{})
	s.offLoop(protocol.MethodWorkspaceConfiguration, func() {
		defer close(answered)
		s.askSettings()
	})
	wait := time.NewTimer(settingsWait)
	defer wait.Stop()
	select {
	case <-answered:
	case <-wait.C:
		s.logf("%s: no answer within %v: scanning with the initializationOptions until it comes", protocol.MethodWorkspaceConfiguration, settingsWait)
	case <-s.ctx.Done():
	}
}

// askSettings asks workspace/configuration for the "s3policy" section
// and applies the answer. An error or null answer leaves the settings as
// they are (the initializationOptions, or the last answer). Asks run on
// goroutines of their own (the first scan's, whose answer may come late,
// and each didChangeConfiguration's), so their answers may be applied in
// any order: an answer is dropped when a newer ask's answer was applied,
// which reflects the client's settings as they were later.
func (s *Server) askSettings() {
	ask := s.settingsAsks.Add(1)
	var result []any
	params := &protocol.ConfigurationParams{Items: []protocol.ConfigurationItem{{Section: settingsSection}}}
	if _, err := s.conn.Call(s.ctx, protocol.MethodWorkspaceConfiguration, params, &result); err != nil {
		s.logf("%s: %v", protocol.MethodWorkspaceConfiguration, err)
		return
	}
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	if ask < s.settingsApplied {
		s.logf("%s: the answer to request %d came after request %d's: not applied", protocol.MethodWorkspaceConfiguration, ask, s.settingsApplied)
		return
	}
	// An answer that sets nothing is an answer too: an older one that
	// comes after it is not applied.
	s.settingsApplied = ask
	if len(result) == 0 || result[0] == nil {
		s.logf("%s: the answer to request %d sets nothing: the settings stay as they are", protocol.MethodWorkspaceConfiguration, ask)
		return
	}
	settings, problems := parseSettings(result[0])
	for _, msg := range problems {
		s.warnf("%s: %s", protocol.MethodWorkspaceConfiguration, msg)
	}
	_ = s.modify(event{kind: settingsSent, settings: &settings})
}

// locale picks the language of messages: the editor setting, else the
// client's UI language, else the locale of .s3policy.json.
func (s *Server) locale(settings editorSettings, cfg *analysis.Config) string {
	switch {
	case settings.Locale != "":
		return settings.Locale
	case s.client().locale != "":
		return s.client().locale
	case cfg != nil:
		return cfg.Locale
	}
	return ""
}

// fileWatchers asks the client to report changes of every file a host
// reader may read, and of .s3policy.json.
func fileWatchers() []protocol.FileSystemWatcher {
	out := []protocol.FileSystemWatcher{{GlobPattern: "**/" + analysis.ConfigName}}
	for _, ext := range hosts.Extensions() {
		out = append(out, protocol.FileSystemWatcher{GlobPattern: "**/*" + ext})
	}
	return out
}
