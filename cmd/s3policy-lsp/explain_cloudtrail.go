package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/cloudtrail"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// trailEvent is one denied event explained, or why it could not be.
type trailEvent struct {
	ID        string           `json:"eventId,omitempty"`
	Time      string           `json:"eventTime,omitempty"`
	Name      string           `json:"eventName"`
	Principal string           `json:"principal,omitempty"`
	Answer    *awserror.Answer `json:"explanation,omitempty"`
	Error     string           `json:"error,omitempty"`
	group     string
}

// trailGroup is the events that share a cause.
type trailGroup struct {
	Count     int    `json:"count"`
	Agreement string `json:"agreement"`
	AWS       string `json:"aws"`
	Folder    string `json:"folder"`
	Events    []int  `json:"events"` // indexes into events
}

// runExplainCloudTrail explains every AccessDenied event of the file.
func runExplainCloudTrail(fl *explainFlags, w *eval.Workspace, stdout, stderr io.Writer) int {
	f, err := os.Open(fl.denial.cloudtrail)
	if err != nil {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	var events []trailEvent
	var scenarios []*eval.Scenario
	code := exitOK
	read := 0
	err = cloudtrail.Read(f, func(record []byte) error {
		read++
		e := cloudtrail.Parse(record)
		if !e.Denied() {
			return nil
		}
		te, x := explainEvent(fl, w, &e)
		if x != nil {
			scenarios = append(scenarios, x.Scenarios...)
			if denialExit(x.Results) != exitOK {
				code = exitFindings
			}
		}
		events = append(events, te)
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %s: %v\n", fl.denial.cloudtrail, err)
		return exitUsage
	}
	if err := fl.emit(scenarios); err != nil {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %v\n", err)
		return exitUsage
	}
	groups := groupEvents(events)
	if fl.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Records int          `json:"records"`
			Groups  []trailGroup `json:"groups"`
			Events  []trailEvent `json:"events"`
		}{read, groups, events})
	} else {
		writeTrail(stdout, read, groups, events)
	}
	return code
}

// explainEvent explains one event; the request flags fill what the
// event lacks (the caller, when the trail names only its account).
func explainEvent(fl *explainFlags, w *eval.Workspace, e *cloudtrail.Event) (trailEvent, *awserror.Explanation) {
	te := trailEvent{ID: e.ID, Time: e.Time, Name: e.Name, Principal: e.Principal()}
	facts := e.Facts()
	if facts.Principal == "" {
		facts.Principal = fl.principal
	}
	x, err := awserror.Explain(w, e.Message(), facts)
	if err != nil {
		te.Error = err.Error()
		if e.IdentityType == "AWSAccount" && facts.Principal == "" {
			te.Error = fmt.Sprintf("the event names only the caller's account (%s), not who called: give --principal", e.AccountID)
		}
		te.group = "\x00not evaluated\x00-\x00" + te.Error
		return te, nil
	}
	if e.BucketKey() {
		x.Verdict = analysis.Join("", x.Verdict, analysis.Tf(
			"; the bucket uses S3 Bucket Keys, so the event names the bucket, not the object: the KMS decision does not depend on the object, evaluated as %s",
			"。バケットは S3 バケットキーを使うため、イベントはオブジェクトではなくバケットを示します。KMS の判定はオブジェクトによらないため、%s として評価しました", facts.Resource))
	}
	a := x.Answer(fl.lang)
	te.Answer = &a
	te.group = string(x.Agreement) + "\x00" + awsSays(x.Message) + "\x00" + folderSays(x.Results)
	return te, x
}

// awsSays is the layer AWS named, in a word.
func awsSays(m *awserror.Message) string {
	switch {
	case !m.Stated():
		return "Access Denied"
	case m.Explicit:
		return string(m.Layer) + " (explicit)"
	}
	return string(m.Layer) + " (implicit)"
}

// folderSays is the folder's first cause, in a word.
func folderSays(results []eval.Result) string {
	for _, r := range results {
		for _, c := range r.Causes {
			if c.Code == eval.CodeBucketAccountUnknown {
				continue // blocks nothing: the causes after it do
			}
			s := fmt.Sprintf("%s [%s]", c.Code, c.Layer)
			if c.Policy != "" {
				s += " " + c.Policy
				if c.Line > 0 {
					s += fmt.Sprintf(":%d", c.Line)
				}
			}
			return s
		}
	}
	return "allowed"
}

// groupEvents groups the events by cause, the largest group first.
func groupEvents(events []trailEvent) []trailGroup {
	index := map[string]int{}
	var groups []trailGroup
	for i, e := range events {
		g, ok := index[e.group]
		if !ok {
			var parts [4]string
			copy(parts[:], strings.Split(e.group, "\x00"))
			g = len(groups)
			index[e.group] = g
			groups = append(groups, trailGroup{Agreement: parts[0], AWS: parts[1], Folder: parts[2]})
			if parts[0] == "" {
				groups[g].Agreement, groups[g].AWS, groups[g].Folder = "not evaluated", "-", parts[3]
			}
		}
		groups[g].Count++
		groups[g].Events = append(groups[g].Events, i)
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	return groups
}

func writeTrail(w io.Writer, read int, groups []trailGroup, events []trailEvent) {
	fmt.Fprintf(w, "%d records, %d AccessDenied events\n\n", read, len(events))
	if len(events) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENTS\tAGREEMENT\tAWS SAYS\tTHE FOLDER SAYS")
	for _, g := range groups {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", g.Count, g.Agreement, g.AWS, g.Folder)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, e := range events {
		fmt.Fprintf(w, "%s %s %s\n", e.Time, e.Name, e.Principal)
		if e.Answer == nil {
			fmt.Fprintf(w, "  not evaluated: %s\n", e.Error)
			continue
		}
		for _, r := range e.Answer.Requests {
			fmt.Fprintf(w, "  %s on %s: %s\n", r.Action, r.Resource, r.Decision)
		}
		fmt.Fprintf(w, "  %s: %s\n", e.Answer.Agreement, e.Answer.Verdict)
	}
}
