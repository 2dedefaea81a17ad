package report

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// SARIF 2.1.0, the subset GitHub code scanning reads:
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
)

// Tool names the program in the SARIF log.
type Tool struct {
	Name, Version, InformationURI string
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	Results    []sarifResult `json:"results"`
	ColumnKind string        `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	FullDescription      sarifMessage `json:"fullDescription"`
	HelpURI              string       `json:"helpUri"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex *int            `json:"ruleIndex,omitempty"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// RelatedLocations are the other places of a finding, such as the
	// key policy statement in another file.
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
}

type sarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	Message          *sarifMessage `json:"message,omitempty"`
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region sarifRegion `json:"region"`
	} `json:"physicalLocation"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// Level is the SARIF level of a severity; SARIF has no hint, so hints and
// information are both "note".
func Level(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "error"
	case analysis.Warning:
		return "warning"
	}
	return "note"
}

// WriteSARIF prints a SARIF 2.1.0 log with one run whose rules are the
// given checks, described in lang.
func WriteSARIF(w io.Writer, fs []Finding, tool Tool, rules []*analysis.Check, lang string) error {
	log := NewSARIFLog(w, tool, rules, lang)
	log.Add(log.AppendResults(nil, fs))
	return log.Close()
}

// SARIFLog writes WriteSARIF's log a part at a time, each part results as
// AppendResults renders them: check writes each file's results as soon as
// the files before it are done. What encoding/json writes of the whole log
// is written around them: the log without results, cut where its empty
// results array is, and each result encoded the same way at its depth.
type SARIFLog struct {
	elements
	index map[string]int // a rule's place in the rules, by code
}

// resultsIndent is the indentation of a result in the log: the results
// array is a member of a run, an element of runs.
const resultsIndent = "        "

// NewSARIFLog starts a log written to w (nothing is written before the
// first result, or Close).
func NewSARIFLog(w io.Writer, tool Tool, rules []*analysis.Check, lang string) *SARIFLog {
	index := map[string]int{}
	driver := sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI, Rules: []sarifRule{}}
	for i, c := range rules {
		index[c.Code] = i
		r := sarifRule{ID: c.Code, ShortDescription: sarifMessage{c.Title.In(lang)}, FullDescription: sarifMessage{c.Explain.In(lang)}, HelpURI: c.DocURL}
		r.DefaultConfiguration.Level = Level(c.Severity)
		driver.Rules = append(driver.Rules, r)
	}
	var empty strings.Builder
	writeIndented(&empty, sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs:    []sarifRun{{Tool: sarifTool{driver}, Results: []sarifResult{}, ColumnKind: "utf16CodeUnits"}},
	})
	const results = `"results": [`
	before, after, _ := strings.Cut(empty.String(), results+"]")
	before += results
	return &SARIFLog{
		elements: elements{w: w, open: before + "\n", close: "\n" + resultsIndent[2:] + "]" + after, empty: before + "]" + after},
		index:    index,
	}
}

// AppendResults appends the findings as results of the log, each
// followed by a comma and a line break.
func (l *SARIFLog) AppendResults(b []byte, fs []Finding) []byte {
	var enc bytes.Buffer
	e := json.NewEncoder(&enc)
	e.SetIndent(resultsIndent, "  ")
	e.SetEscapeHTML(false)
	for _, f := range fs {
		enc.Reset()
		e.Encode(resultOf(f, l.index)) // no value of these types fails to encode
		b = append(b, resultsIndent...)
		b = append(b, bytes.TrimSuffix(enc.Bytes(), []byte("\n"))...)
		b = append(b, ",\n"...)
	}
	return b
}

// resultOf is a finding as a SARIF result; index gives its rule's place.
func resultOf(f Finding, index map[string]int) sarifResult {
	r := sarifResult{RuleID: f.Code, Level: Level(f.Severity), Message: sarifMessage{f.Message}}
	if i, ok := index[f.Code]; ok {
		r.RuleIndex = &i
	}
	r.Locations = []sarifLocation{location(f.File, sarifRegion{f.Line, f.Column, f.EndLine, f.EndColumn})}
	for i, rel := range f.Related {
		loc := location(rel.File, sarifRegion{rel.Line, rel.Column, rel.EndLine, rel.EndColumn})
		loc.ID, loc.Message = &i, &sarifMessage{rel.Message}
		r.RelatedLocations = append(r.RelatedLocations, loc)
	}
	return r
}

func location(file string, region sarifRegion) sarifLocation {
	var loc sarifLocation
	loc.PhysicalLocation.ArtifactLocation.URI = artifactURI(file)
	loc.PhysicalLocation.Region = region
	return loc
}

// artifactURI is a relative URI reference for a relative path, which code
// scanning resolves against the repository root, and a file URI otherwise.
func artifactURI(file string) string {
	if path.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: file}).String()
	}
	return (&url.URL{Path: file}).String()
}
