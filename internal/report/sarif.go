package report

import (
	"io"
	"net/url"
	"path"

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
	index := map[string]int{}
	driver := sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI, Rules: []sarifRule{}}
	for i, c := range rules {
		index[c.Code] = i
		r := sarifRule{ID: c.Code, ShortDescription: sarifMessage{c.Title.In(lang)}, FullDescription: sarifMessage{c.Explain.In(lang)}, HelpURI: c.DocURL}
		r.DefaultConfiguration.Level = Level(c.Severity)
		driver.Rules = append(driver.Rules, r)
	}
	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
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
		results = append(results, r)
	}
	return writeIndented(w, sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs:    []sarifRun{{Tool: sarifTool{driver}, Results: results, ColumnKind: "utf16CodeUnits"}},
	})
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
