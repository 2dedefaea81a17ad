package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The first scan, as gopls loads a workspace: on initialized the server
// reads each workspace folder (tree.Scan: no .git, no node_modules,
// nothing over 1 MB, no symbolic link out of the folder). Every policy
// file of the folders gets diagnostics, open or not, because a fault in
// one file shows in another (cross-file findings), and the user must see
// it without opening every file. Files no config governs are analysed
// and published as the scan reads them, on every core, and not kept; the
// governed ones are kept, and their sets built once the scan is done.
// Open documents do not wait for the scan: the scheduler analyses them
// meanwhile. The server never writes a file, and reads nothing outside
// its folders.

// progressToken names the scan's work-done progress.
const progressToken = "s3policy-lsp/scan"

// progressEvery is how many files the scan reads between two reports.
const progressEvery = 1000

// startScan scans the folders once, on a goroutine of its own: the scan
// calls the client.
func (s *Server) startScan() {
	if !s.scanStarted.CompareAndSwap(false, true) {
		return
	}
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		_ = s.guard("scanning the workspace", func() error { s.scan(); return nil })
		s.sched.scanDone()
		close(s.scanned)
	}()
}

// awaitScan waits for the first scan of the folders, if one was started.
func (s *Server) awaitScan() {
	if !s.scanStarted.Load() {
		return
	}
	select {
	case <-s.scanned:
	case <-s.ctx.Done():
	}
}

// scan reads every folder, reporting $/progress when the client can show
// it. Files it leaves out are logged; those over 1 MB as a notice the
// user sees.
func (s *Server) scan() {
	progress := s.client().workDone
	if progress {
		_, err := s.conn.Call(s.ctx, protocol.MethodWorkDoneProgressCreate, &protocol.WorkDoneProgressCreateParams{Token: *protocol.NewProgressToken(progressToken)}, nil)
		progress = err == nil
	}
	s.progress(progress, &protocol.WorkDoneProgressBegin{Kind: protocol.WorkDoneProgressKindBegin, Title: "s3policy-lsp", Message: "scanning the workspace for policies", Percentage: 0})
	folders := s.store.folders
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
		s.readFolder(paths, func(done int) {
			s.progress(progress, &protocol.WorkDoneProgressReport{Kind: protocol.WorkDoneProgressKindReport,
				Message:    fmt.Sprintf("%s: %d of %d files", filepath.Base(folder), done, len(paths)),
				Percentage: uint32((100*i + 100*done/max(len(paths), 1)) / len(folders))})
		})
	}
	s.progress(progress, &protocol.WorkDoneProgressEnd{Kind: protocol.WorkDoneProgressKindEnd, Message: "workspace scanned"})
}

// readFolder reads the scanned files of a folder on every core: the
// configs first, so that each file is known to be governed or not as it
// is read; the governed are kept in the store, the others analysed and
// published at once. report gets the count of files read every
// progressEvery files and at the end.
//
// The files of Terraform modules are read first: the files they read a
// policy from (file(), templatefile()) are then known to be grouped with
// them, not loose.
func (s *Server) readFolder(paths []string, report func(done int)) {
	grouping := tree.NewGrouping(paths) // configs' files and Terraform modules
	var modules, rest []string
	for _, path := range paths {
		if grouping.Grouped(path) && hosts.ModuleReader(path) != nil {
			modules = append(modules, path)
		} else {
			rest = append(rest, path)
		}
	}
	done := 0
	read := func(paths []string) {
		next := make(chan string)
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for path := range next {
					s.readScanned(path, grouping.Grouped(path))
				}
			})
		}
		for _, path := range paths {
			if done > 0 && done%progressEvery == 0 {
				report(done)
			}
			next <- path
			done++
		}
		close(next)
		wg.Wait()
	}
	read(modules)
	if len(modules) > 0 {
		grouping.AddIncludes(s.store.textsOf(modules))
	}
	read(rest)
	report(len(paths))
}

// readScanned reads one file the scan found.
func (s *Server) readScanned(path string, governed bool) {
	text, err := os.ReadFile(path)
	if err != nil {
		return
	}
	s.store.scanned(path, text, governed)
	if governed {
		return
	}
	src := tree.Read(path, text, nil)
	a := s.analyseSource(path, text, src.Findings, src.Docs, s.store.settings())
	if a.holdsPolicy() {
		s.sched.publishClosed(path, a.diagnostics())
	}
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

// refreshLenses asks the client to fetch code lenses again, when it can.
func (s *Server) refreshLenses() {
	if s.client().lensRefresh {
		s.callClient(protocol.MethodCodeLensRefresh, nil, nil, nil)
	}
}
