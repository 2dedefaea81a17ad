package lsp

import (
	"bytes"
	"maps"
	"path/filepath"
	"slices"
	"sync"

	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// A .s3policy.json gets the findings of its own parse (invalid-config)
// open or closed, as check reports them for every config of the tree:
// the first scan publishes each config as its loader reads it, with the
// loader's parse (a config is parsed once for the files it governs and
// for itself); the back publishes it again when it changes on disk, is
// created or deleted (an empty publication when it was published), is
// closed in the editor (its disk text again), and when the settings
// change the language or the severities. An open buffer's findings are
// the front's (analyse), never the disk's.

// configParse is a config's text as last read from disk, with its parse.
type configParse struct {
	text     []byte
	cfg      *analysis.Config
	findings []analysis.Finding
}

// configParses keeps the last parse of each config of the folders, by
// path, so that the back publishes a config again (other settings, a
// close) without parsing it again; its zero value is ready.
type configParses struct {
	mu     sync.Mutex
	byPath map[string]configParse
}

func (c *configParses) put(path string, p configParse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byPath == nil {
		c.byPath = map[string]configParse{}
	}
	c.byPath[path] = p
}

// get returns the parse of path when it is of text.
func (c *configParses) get(path string, text []byte) (configParse, bool) {
	c.mu.Lock()
	p, ok := c.byPath[path]
	c.mu.Unlock()
	return p, ok && bytes.Equal(p.text, text)
}

func (c *configParses) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byPath, path)
}

// paths lists the configs parsed.
func (c *configParses) paths() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Collect(maps.Keys(c.byPath))
}

// publishScannedConfig publishes a config the first scan's loader read,
// with the loader's parse of it.
func (s *Server) publishScannedConfig(loader *tree.Loader, path string) {
	text, cfg, findings, ok := loader.Config(path)
	if !ok {
		return
	}
	p := configParse{text: text, cfg: cfg, findings: findings}
	s.sched.configs.put(path, p)
	s.sched.publishConfigParse(path, p)
}

// publishClosedConfig publishes a closed config from its disk text, or
// clears its diagnostics when it is gone.
func (sc *scheduler) publishClosedConfig(path string) {
	text, ok := sc.s.store.text(path)
	if !ok {
		sc.configs.forget(path)
		sc.publishClosed(path, nil)
		return
	}
	p, ok := sc.configs.get(path, text)
	if !ok {
		p.text = text
		p.cfg, p.findings = analysis.ParseConfig(filepath.Dir(path), text)
		sc.configs.put(path, p)
	}
	sc.publishConfigParse(path, p)
}

// publishConfigParse publishes a closed config's findings under the
// editor settings; none clears its diagnostics, if the client has any.
func (sc *scheduler) publishConfigParse(path string, p configParse) {
	settings := sc.s.store.settings()
	findings := settings.apply(p.findings)
	if len(findings) == 0 {
		sc.publishClosed(path, nil)
		return
	}
	a := sc.s.newAnalysed(uri.File(path), path, p.text)
	a.findings = findings
	a.locale = sc.s.locale(settings, p.cfg)
	sc.publishClosed(path, a)
}
