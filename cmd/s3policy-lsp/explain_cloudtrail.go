package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

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
		writeTrail(stdout, read, groups, events, fl.lang)
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
		te.Error = awserror.ErrorText(err).In(fl.lang)
		if e.IdentityType == "AWSAccount" && facts.Principal == "" {
			te.Error = analysis.Tf("the event names only the caller's account (%s), not who called: give --principal",
				"イベントには呼び出し元のアカウント (%s) しかなく、誰が呼び出したかがありません: --principal を指定してください", e.AccountID).In(fl.lang)
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

// notEvaluated is the agreement of an event that could not be evaluated,
// as the text says it (JSON keeps "not evaluated").
var notEvaluated = analysis.T("not evaluated", "評価せず")

func writeTrail(w io.Writer, read int, groups []trailGroup, events []trailEvent, lang string) {
	fmt.Fprintln(w, analysis.Tf("%d records, %d AccessDenied events", "レコード %d 件、AccessDenied イベント %d 件", read, len(events)).In(lang))
	fmt.Fprintln(w)
	if len(events) == 0 {
		return
	}
	rows := [][]string{{"EVENTS", "AGREEMENT", "AWS SAYS", "THE FOLDER SAYS"}}
	if analysis.IsJapanese(lang) {
		rows[0] = []string{"件数", "一致", "AWS の原因", "フォルダーの原因"}
	}
	for _, g := range groups {
		agreement := g.Agreement
		if agreement == notEvaluated.EN {
			agreement = notEvaluated.In(lang)
		}
		rows = append(rows, []string{strconv.Itoa(g.Count), agreement, g.AWS, g.Folder})
	}
	writeColumns(w, rows)
	fmt.Fprintln(w)
	for _, e := range events {
		fmt.Fprintf(w, "%s %s %s\n", e.Time, e.Name, e.Principal)
		if e.Answer == nil {
			fmt.Fprintf(w, "  %s: %s\n", notEvaluated.In(lang), e.Error)
			continue
		}
		for _, r := range e.Answer.Requests {
			fmt.Fprintf(w, "  %s on %s: %s\n", r.Action, r.Resource, r.Decision)
		}
		fmt.Fprintf(w, "  %s: %s\n", e.Answer.Agreement, e.Answer.Verdict)
	}
}

// writeColumns writes rows in columns two spaces apart, as text/tabwriter
// does, but measuring Japanese (wide) characters as two columns, as a
// terminal shows them: tabwriter counts runes, and the columns of a table
// in Japanese went askew.
func writeColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row[:len(row)-1] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

// displayWidth is how many columns a terminal gives s: two for each East
// Asian wide or fullwidth character (Hangul, CJK, kana, fullwidth forms),
// one for any other.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf && r != 0x303f || r >= 0xac00 && r <= 0xd7a3 ||
			r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 ||
			r >= 0x20000 && r <= 0x3fffd) {
			n++
		}
	}
	return n
}
