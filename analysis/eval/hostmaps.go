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
	maps := w.Memo(hostMapsKey, func() any {
		m := make(map[hostKey]*analysis.HostMap, len(w.Files))
		for _, f := range w.Files {
			k := hostKey{filepath.ToSlash(f.Path), f.DocName}
			if _, ok := m[k]; !ok {
				m[k] = f.Host
			}
		}
		return m
	}).(map[hostKey]*analysis.HostMap)
	return maps[hostKey{path, doc}]
}
