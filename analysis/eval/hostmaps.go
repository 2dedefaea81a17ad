package eval

import (
	"path/filepath"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// hostMapsKey is the Memo of HostMapOf's table.
const hostMapsKey = "eval.HostMapOf"

// hostKey is a document of the workspace by its slash-separated path and
// its name in the file.
type hostKey struct{ path, doc string }

// HostMapOf is the host map of the document doc of the file at path (a
// slash-separated path, as a finding's related place gives it), nil when
// no policy file of the workspace is that document or it stands alone:
// what analysis walked every policy file for, for each related place of
// each finding (analysis.File.relatedMap), a tenth of a first scan's CPU
// over 10,000 governed policies. The map is made once per workspace, the
// first document of a path and name kept, as the walk found it.
func (w *Workspace) HostMapOf(path, doc string) *analysis.HostMap {
	return w.hostMaps().byDoc[hostKey{path, doc}]
}

// HoldsHosted reports whether HostMapOf gives a host map for some
// document: a folder of JSON policies has none, and its findings' related
// places need not be looked up one by one (analysis.ToHost).
func (w *Workspace) HoldsHosted() bool { return w.hostMaps().hosted }

// hostMaps is HostMapOf's table, and whether it holds a host map.
type hostMaps struct {
	byDoc  map[hostKey]*analysis.HostMap
	hosted bool
}

func (w *Workspace) hostMaps() *hostMaps {
	return w.Memo(hostMapsKey, func() any {
		m := &hostMaps{byDoc: make(map[hostKey]*analysis.HostMap, len(w.Files))}
		for _, f := range w.Files {
			k := hostKey{filepath.ToSlash(f.Path), f.DocName}
			if _, ok := m.byDoc[k]; !ok {
				m.byDoc[k] = f.Host
				m.hosted = m.hosted || f.Host != nil
			}
		}
		return m
	}).(*hostMaps)
}
