package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// settingsSection is the section asked for with workspace/configuration
// and looked for in initializationOptions and didChangeConfiguration.
const settingsSection = "s3policy"

// editorSettings are the editor's settings for the server:
//
//	{"locale": "ja", "severity": {"code": "warning"}, "disable": ["code"]}
//
// They layer over the .s3policy.json of each document: editor settings win.
// They are applied to the findings rather than merged into the config, so
// that a document without .s3policy.json still has a nil Config.
type editorSettings struct {
	Locale   string
	Severity map[string]analysis.Severity
	Disable  []string
}

type rawSettings struct {
	Locale   string        `json:"locale"`
	Severity severityNames `json:"severity"`
	Disable  []string      `json:"disable"`
}

// severityNames maps codes to severity names; [] reads as empty (see
// parseSettings).
type severityNames map[string]string

func (n *severityNames) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "[]" {
		*n = nil
		return nil
	}
	return json.Unmarshal(data, (*map[string]string)(n))
}

// parseSettings reads settings from a decoded JSON value: either the
// settings object itself or an object holding it under "s3policy". A nil
// value gives zero settings. Unknown severity names are reported and
// skipped, so one typo does not drop the rest.
//
// An empty array stands for an empty object wherever an object is
// expected: Lua cannot tell {} from [], and Neovim encodes an empty table
// as [], so setup{} sends initializationOptions: [] or {"severity": []}.
func parseSettings(v any) (editorSettings, []string) {
	v = emptyArrayAsNil(v)
	if m, ok := v.(map[string]any); ok {
		if inner, ok := m[settingsSection]; ok {
			v = emptyArrayAsNil(inner)
		}
	}
	if v == nil {
		return editorSettings{}, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return editorSettings{}, []string{err.Error()}
	}
	var raw rawSettings
	if err := json.Unmarshal(data, &raw); err != nil {
		return editorSettings{}, []string{fmt.Sprintf("settings ignored: %v", err)}
	}
	s := editorSettings{Locale: raw.Locale, Disable: raw.Disable, Severity: map[string]analysis.Severity{}}
	var problems []string
	for code, name := range raw.Severity {
		sev, ok := analysis.ParseSeverity(name)
		if !ok {
			problems = append(problems, fmt.Sprintf("settings: severity %q of %s is not error, warning, information or hint", name, code))
			continue
		}
		s.Severity[code] = sev
	}
	return s, problems
}

// emptyArrayAsNil gives nil for an empty JSON array, v otherwise.
func emptyArrayAsNil(v any) any {
	if a, ok := v.([]any); ok && len(a) == 0 {
		return nil
	}
	return v
}

// apply lays the settings over findings that analysis has made under the
// document's own .s3policy.json: a code they disable is dropped, and their
// severity wins over the config's.
func (s editorSettings) apply(fs []analysis.Finding) []analysis.Finding {
	if len(s.Disable) == 0 && len(s.Severity) == 0 {
		return fs // nothing to lay over: not a copy of every file's findings
	}
	out := fs[:0:0]
	for _, f := range fs {
		if slices.Contains(s.Disable, f.Code) {
			continue
		}
		if sev, ok := s.Severity[f.Code]; ok {
			f.Severity = sev
		}
		out = append(out, f)
	}
	return out
}
