package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// The workspace, as gopls keeps one: on initialized the server scans each
// workspace folder for .json files (eval.Scan: no .git, no node_modules,
// nothing over 1 MB, no symbolic link out of the folder) and keeps their
// text. Every policy file of the folders gets diagnostics, open or not:
// the open ones from their buffer (their worker publishes), the closed
// ones from the disk (the workspace worker publishes), because a fault
// in one file shows in another (cross-file findings), and the user must
// see it without opening every file. The server never writes a file,
// and reads nothing outside its folders.

// workspaceState is the server's view of its folders.
type workspaceState struct {
	// disk holds the text of the files a .s3policy.json governs (they take
	// part in cross-file findings), and of the others until they are
	// analysed: those are then dropped and listed in loose, so that a large
	// repository is not held in memory.
	disk      map[string][]byte
	loose     map[string]bool                  // analysed files no config governs; read again when they change
	published map[string][]protocol.Diagnostic // what the workspace worker last sent for a closed file
	kick      chan struct{}                    // one slot: the workspace must be published again
	scanned   chan struct{}                    // closed when the first scan is done
	lenses    bool                             // the client supports workspace/codeLens/refresh
	started   bool                             // the scan has started: a second initialized does nothing
}

func newWorkspaceState() workspaceState {
	return workspaceState{
		disk: map[string][]byte{}, loose: map[string]bool{}, published: map[string][]protocol.Diagnostic{},
		kick: make(chan struct{}, 1), scanned: make(chan struct{}),
	}
}

// awaitScan waits for the first scan of the folders, if one was started.
func (s *Server) awaitScan() {
	s.mu.Lock()
	started := s.ws.started
	s.mu.Unlock()
	if !started {
		return
	}
	select {
	case <-s.ws.scanned:
	case <-s.ctx.Done():
	}
}

// progressToken names the scan's work-done progress.
const progressToken = "s3policy-lsp/scan"

// startWorkspace scans the folders, then publishes the workspace and
// watches it, on goroutines of their own: the scan calls the client.
func (s *Server) startWorkspace(progress bool) {
	s.mu.Lock()
	started := s.ws.started
	s.ws.started = true
	s.mu.Unlock()
	if started {
		return
	}
	s.workers.Add(2)
	go func() {
		defer s.workers.Done()
		s.scan(progress)
		close(s.ws.scanned)
		s.workspaceChanged()
	}()
	go func() {
		defer s.workers.Done()
		select {
		case <-s.ws.scanned:
		case <-s.ctx.Done():
			return
		}
		for {
			select {
			case <-s.ws.kick:
			case <-s.ctx.Done():
				return
			}
			_ = s.guard("publishing the workspace", func() error { s.publishWorkspace(); return nil })
		}
	}()
}

// scan reads every folder, reporting $/progress when the client can show
// it. Files it leaves out are logged; those over 1 MB as a notice the
// user sees.
func (s *Server) scan(progress bool) {
	s.mu.Lock()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	if progress {
		_, err := s.conn.Call(s.ctx, protocol.MethodWorkDoneProgressCreate, &protocol.WorkDoneProgressCreateParams{Token: *protocol.NewProgressToken(progressToken)}, nil)
		progress = err == nil
	}
	s.progress(progress, &protocol.WorkDoneProgressBegin{Kind: protocol.WorkDoneProgressKindBegin, Title: "s3policy-lsp", Message: "scanning the workspace for policies", Percentage: 0})
	for i, folder := range folders {
		paths, skipped, err := tree.Scan(folder)
		if err != nil {
			s.logf("scanning %s: %v", folder, err)
		}
		for _, sk := range skipped {
			typ := protocol.MessageTypeLog
			if strings.Contains(sk.Reason.EN, "1 MB") {
				typ = protocol.MessageTypeInfo
			}
			s.log(typ, fmt.Sprintf("skipping %s: %s", sk.Path, sk.Reason.EN))
		}
		s.readFolder(paths)
		s.progress(progress, &protocol.WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport,
			Message: fmt.Sprintf("%s: %d files", filepath.Base(folder), len(paths)), Percentage: uint32(100 * (i + 1) / len(folders))})
	}
	s.progress(progress, &protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: "workspace scanned"})
}

// readFolder reads the scanned files of a folder: the configs first, then
// what they govern into the workspace, while the files no config governs
// are analysed and published at once, on every core, and not kept.
func (s *Server) readFolder(paths []string) {
	grouping := tree.NewGrouping(paths) // a Terraform module is read whole, like a config's files
	for _, path := range paths {
		if filepath.Base(path) == analysis.ConfigName {
			s.readDisk(path)
		}
	}
	settings := s.settings()
	next := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for path := range next {
				s.readLoose(path, settings)
			}
		})
	}
	for _, path := range paths {
		switch {
		case filepath.Base(path) == analysis.ConfigName:
		case grouping.Grouped(path):
			s.readDisk(path)
		default:
			next <- path
		}
	}
	close(next)
	wg.Wait()
}

// readLoose analyses and publishes a file that no config governs, and
// remembers only that it is there.
func (s *Server) readLoose(path string, settings editorSettings) {
	text, err := os.ReadFile(path)
	if err != nil {
		return
	}
	s.publishFile(tree.Read(path, text, nil), settings)
	s.mu.Lock()
	s.ws.loose[path] = true
	s.mu.Unlock()
}

func (s *Server) progress(enabled bool, value any) {
	if !enabled {
		return
	}
	params := &protocol.ProgressParams{Token: *protocol.NewProgressToken(progressToken), Value: value}
	if err := s.conn.Notify(s.ctx, protocol.MethodProgress, params); err != nil && s.ctx.Err() == nil {
		s.logf("$/progress: %v", err)
	}
}

// readDisk (re)reads a file of the folders into the workspace, or drops
// it when it is gone or no longer one Scan would read.
func (s *Server) readDisk(path string) {
	folder := s.folderOf(path)
	var text []byte
	if folder != "" && tree.Readable(path, folder) {
		text, _ = os.ReadFile(path)
	}
	s.mu.Lock()
	delete(s.ws.loose, path)
	if text == nil {
		delete(s.ws.disk, path)
		s.mu.Unlock()
		return
	}
	s.ws.disk[path] = text
	var regoverned []string
	if filepath.Base(path) == analysis.ConfigName {
		// A new config governs files that were analysed alone and dropped:
		// they take part in its workspace now.
		for p := range s.ws.loose {
			if within(p, filepath.Dir(path)) {
				regoverned = append(regoverned, p)
			}
		}
	}
	s.mu.Unlock()
	for _, p := range regoverned {
		s.readDisk(p)
	}
}

// workspaceChanged asks the workspace worker to publish again, and every
// open document to be analysed again, since its cross-file findings may
// have changed.
func (s *Server) workspaceChanged() {
	select {
	case s.ws.kick <- struct{}{}:
	default:
	}
}

// workspaceTexts is the text of every file of the folders: the open
// buffer where there is one, else the disk; override, when set, wins.
func (s *Server) workspaceTexts(override map[string][]byte) map[string][]byte {
	s.mu.Lock()
	texts := make(map[string][]byte, len(s.ws.disk))
	for path, text := range s.ws.disk {
		texts[path] = text
	}
	docs := make([]*document, 0, len(s.docs))
	for _, d := range s.docs {
		docs = append(docs, d)
	}
	s.mu.Unlock()
	for _, d := range docs {
		if path, ok := uriPath(d.uri); ok && tree.Wanted(path) && s.folderOf(path) != "" {
			texts[path] = d.snapshot().text
		}
	}
	for path, text := range override {
		texts[path] = text
	}
	return texts
}

// allTexts is workspaceTexts with the files no config governs read again
// from disk, for explain, which may need any policy of the folders.
func (s *Server) allTexts(override map[string][]byte) map[string][]byte {
	texts := s.workspaceTexts(override)
	s.mu.Lock()
	var loose []string
	for path := range s.ws.loose {
		if _, ok := texts[path]; !ok {
			loose = append(loose, path)
		}
	}
	s.mu.Unlock()
	for _, path := range loose {
		if text, err := os.ReadFile(path); err == nil {
			texts[path] = text
		}
	}
	return texts
}

// governedSets is setsOf for the files a .s3policy.json governs: only
// they take part in cross-file findings and code lenses (which need the
// config's facts), so the others are not parsed for every edit.
func (s *Server) governedSets(texts map[string][]byte) []*tree.Set {
	governed, _ := splitGoverned(texts)
	return s.setsOf(governed)
}

// splitGoverned separates the texts of the files a .s3policy.json among
// them governs (with the configs) from the others.
func splitGoverned(texts map[string][]byte) (governed, loose map[string][]byte) {
	paths := make([]string, 0, len(texts))
	for path := range texts {
		paths = append(paths, path)
	}
	grouping := tree.NewGrouping(paths) // configs' files and Terraform modules
	governed, loose = map[string][]byte{}, map[string][]byte{}
	for path, text := range texts {
		if grouping.Grouped(path) {
			governed[path] = text
		} else {
			loose[path] = text
		}
	}
	return governed, loose
}

// setsOf splits the folders into sets, from the given texts.
func (s *Server) setsOf(texts map[string][]byte) []*tree.Set {
	s.mu.Lock()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	var out []*tree.Set
	for _, folder := range folders {
		mine := map[string][]byte{}
		for path, text := range texts {
			if s.folderOf(path) == folder {
				mine[path] = text
			}
		}
		out = append(out, tree.Sets(folder, mine)...)
	}
	return out
}

// publishWorkspace publishes the diagnostics of every closed policy file
// of the folders, when they changed, clears those of files that are gone,
// and has the open documents analysed again.
func (s *Server) publishWorkspace() {
	settings := s.settings()
	seen := map[string]bool{}
	governed, loose := splitGoverned(s.workspaceTexts(nil))
	for _, set := range s.setsOf(governed) {
		for _, src := range set.Sources() {
			seen[src.Path] = true
			s.publishFile(src, settings)
		}
	}
	for path, text := range loose {
		seen[path] = true
		s.publishFile(tree.Read(path, text, nil), settings)
		s.dropLoose(path, text)
	}
	s.mu.Lock()
	var gone []string
	for path := range s.ws.published {
		if !seen[path] && !s.ws.loose[path] {
			gone = append(gone, path)
		}
	}
	s.mu.Unlock()
	for _, path := range gone {
		if s.docByPath(path) == nil {
			s.publishClosed(path, []protocol.Diagnostic{})
		}
		s.mu.Lock()
		delete(s.ws.published, path)
		s.mu.Unlock()
	}
	s.reanalyse(func(*document) bool { return true })
	s.refreshLenses()
}

// publishFile analyses a file of the folders and publishes its
// diagnostics, unless it is open (then its worker publishes it) or holds
// no policy.
func (s *Server) publishFile(src *tree.Source, settings editorSettings) {
	if !slices.ContainsFunc(src.Docs, (*analysis.File).IsPolicyFile) && len(src.Findings) == 0 {
		return
	}
	if s.docByPath(src.Path) != nil {
		return
	}
	s.awaitRetired(src.Path)
	a := &analysed{s: s, snap: snapshot{uri: uri.File(src.Path), path: src.Path, text: src.Text}, m: mapper.New(src.Text)}
	var cfg *analysis.Config
	if len(src.Docs) > 0 {
		cfg = src.Docs[0].Config
	}
	a.locale = s.locale(settings, cfg)
	a.result = analysis.AnalyzeFile(src.Path, src.Docs, src.Findings, s.analysisOptions(settings))
	a.findings = a.result.Findings
	s.publishClosed(src.Path, a.diagnostics())
}

// dropLoose forgets the text of a file no config governs once it is
// analysed, unless it was read again meanwhile.
func (s *Server) dropLoose(path string, text []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if disk, ok := s.ws.disk[path]; ok && len(disk) == len(text) && (len(text) == 0 || &disk[0] == &text[0]) {
		delete(s.ws.disk, path)
		s.ws.loose[path] = true
	}
}

// publishClosed sends a closed file's diagnostics unless they are what
// the client already has.
func (s *Server) publishClosed(path string, diags []protocol.Diagnostic) {
	s.mu.Lock()
	last, ok := s.ws.published[path]
	if ok && reflect.DeepEqual(last, diags) {
		s.mu.Unlock()
		return
	}
	s.ws.published[path] = diags
	s.mu.Unlock()
	s.publish(uri.File(path), 0, diags)
}

// awaitRetired waits until a just-closed document's worker has cleared
// its diagnostics, so that the file's disk diagnostics come after it.
func (s *Server) awaitRetired(path string) {
	s.mu.Lock()
	var d *document
	for _, r := range s.retired {
		if r.path == path {
			d = r
		}
	}
	s.mu.Unlock()
	if d == nil {
		return
	}
	select {
	case <-d.done:
	case <-s.ctx.Done():
	}
}

// refreshLenses asks the client to fetch code lenses again, when it can.
func (s *Server) refreshLenses() {
	s.mu.Lock()
	refresh := s.ws.lenses
	s.mu.Unlock()
	if refresh {
		s.callClient(protocol.MethodCodeLensRefresh, nil, nil, nil)
	}
}

// watchedFilesChanged re-reads the files that changed on disk and
// publishes the workspace again.
func (s *Server) watchedFilesChanged(p *protocol.DidChangeWatchedFilesParams) {
	changed := false
	for _, change := range p.Changes {
		if change == nil {
			continue
		}
		path, ok := uriPath(change.URI)
		if !ok || s.folderOf(path) == "" {
			continue
		}
		s.readDisk(path)
		changed = true
	}
	if changed {
		s.workspaceChanged()
	}
}
