package main

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/internal/report"
)

// check sorts each file's findings where they are placed and then orders
// the files: the same order as report.Sort of every finding at once,
// whichever order the files finished in; the JSON each file's findings
// were rendered to where they were placed, written in that order, is what
// report.WriteJSON writes of them all.
func TestSortedEqualsReportSort(t *testing.T) {
	file := func(name string, at ...int) []report.Finding {
		var out []report.Finding
		for i, line := range at {
			out = append(out, report.Finding{File: name, Line: line, Column: 1, Code: "c", Message: string(rune('a' + i))})
		}
		return out
	}
	batches := [][]report.Finding{
		file("b/p.json", 9, 2, 2, 5),
		file("a.json", 3, 1),
		file(".s3policy.json", 4),
		file("b/a.json", 7, 7, 1),
	}
	var all []report.Finding
	for _, b := range batches {
		all = append(all, b...)
	}
	report.Sort(all)
	c, rendering := &checker{}, &checker{render: report.AppendJSONElements}
	for _, b := range batches {
		c.add(noSlot, 1, slices.Clone(b))
		rendering.add(noSlot, 1, slices.Clone(b))
	}
	got, _ := c.sorted()
	if !reflect.DeepEqual(got, all) {
		t.Fatalf("sorted:\n%v\nreport.Sort:\n%v", got, all)
	}
	slim, rendered := rendering.sorted()
	for i, f := range slim { // once rendered, a finding keeps its file and severity
		if !reflect.DeepEqual(f, report.Finding{File: all[i].File, Severity: all[i].Severity}) {
			t.Errorf("rendered finding %d: %+v", i, f)
		}
	}
	var want, written bytes.Buffer
	if err := report.WriteJSON(&want, all); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSONElements(&written, rendered); err != nil {
		t.Fatal(err)
	}
	if written.String() != want.String() {
		t.Fatalf("the files' JSON in order:\n%s\nreport.WriteJSON:\n%s", written.String(), want.String())
	}
	if c.files != len(batches) {
		t.Fatalf("files = %d, want %d", c.files, len(batches))
	}
}
