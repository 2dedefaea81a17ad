package main

import (
	"io"
	"path/filepath"
	"strings"
	"sync"
)

// noSlot is the place in orderedOutput of a file whose findings are kept
// and sorted with the others once all are done.
const noSlot = -1

// renderedParts writes the rendered findings of each file in turn: the
// elements of a JSON array (report.JSONArray), or text lines.
type renderedParts interface {
	Add(part []byte) error
}

// textLines writes each part as it is; after an error it writes nothing
// more and returns it.
type textLines struct {
	w   io.Writer
	err error
}

func (t *textLines) Add(part []byte) error {
	if t.err == nil {
		_, t.err = t.w.Write(part)
	}
	return t.err
}

// orderedOutput writes the rendered findings of the files of a walk in the
// order the walk lists them, each as soon as every file listed before it
// is done, on the goroutine that completes it: check over 10,000 files
// no longer holds their 18 MB of JSON to write it all on one core at the
// end. The walk lists the files in the order they are shown and sorted
// (tree.Walker.PathOrder, shownAsListed), so this is report.Sort's order.
// A nil orderedOutput takes nothing: list gives noSlot.
type orderedOutput struct {
	parts renderedParts
	mu    sync.Mutex
	files []outputFile // by the walk's order
	next  int          // the first file not written
	// writing is set while a goroutine writes the files from next on;
	// the others leave what they complete to it.
	writing bool
	// below is the walked folder's path, each listed file's starting with
	// it, and shownBelow how the files below it are shown, followed by the
	// rest of their path (shownAsListed). stopped is set once a file is
	// shown otherwise: in the current folder, a name starting with ".." is
	// shown absolute (displayPath). Every file listed before it is shown
	// relative, starting with a byte below '/', and sorts before it and
	// every file listed after it: those are kept and sorted.
	below, shownBelow string
	stopped           bool
	last              string // the last file listed, as shown
	err               error
}

// outputFile is a listed file's rendered findings once it is done.
type outputFile struct {
	done     bool
	rendered []byte
}

// newOrderedOutput writes to array the findings of the files a walk of
// root lists, shown as display shows them.
func newOrderedOutput(parts renderedParts, root string, display func(string) string) *orderedOutput {
	o := &orderedOutput{parts: parts, below: filepath.Clean(root) + string(filepath.Separator)}
	if shown := display(root); shown != "." { // else the current folder: its files are shown by their path in it
		o.shownBelow = strings.TrimSuffix(shown, "/") + "/"
	}
	return o
}

// list gives the next file the walk lists, at path and shown as shown,
// its place; noSlot when its findings are to be kept and sorted.
func (o *orderedOutput) list(path, shown string) int {
	if o == nil || o.stopped {
		return noSlot
	}
	rest, below := strings.CutPrefix(path, o.below)
	if !below || shown != o.shownBelow+filepath.ToSlash(rest) || len(o.files) > 0 && shown <= o.last {
		o.stopped = true
		return noSlot
	}
	o.last = shown
	o.mu.Lock()
	defer o.mu.Unlock()
	o.files = append(o.files, outputFile{})
	return len(o.files) - 1
}

// put completes the file at slot with its rendered findings (nil for none),
// and writes it and the files after it that are done if the files before
// it are written.
func (o *orderedOutput) put(slot int, rendered []byte) {
	if slot == noSlot {
		return
	}
	o.mu.Lock()
	o.files[slot] = outputFile{done: true, rendered: rendered}
	if o.writing || slot != o.next {
		o.mu.Unlock()
		return
	}
	o.writing = true
	for {
		from := o.next
		for o.next < len(o.files) && o.files[o.next].done {
			o.next++
		}
		ready := o.files[from:o.next]
		if len(ready) == 0 {
			o.writing = false
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()
		o.write(ready) // done files do not change: no lock while writing
		o.mu.Lock()
		clear(o.files[from:o.next]) // written: their text goes
	}
}

// write writes done files; only the goroutine writing calls it. Their
// rendered findings, written, are given to the next files' rendering.
func (o *orderedOutput) write(files []outputFile) {
	for _, f := range files {
		if err := o.parts.Add(f.rendered); err != nil && o.err == nil {
			o.err = err
		}
		releaseRendered(f.rendered)
	}
}

// renderBuffers are buffers of rendered findings that are written
// already (orderedOutput.write), for the files rendered next: a file's
// findings were rendered into a buffer grown from nothing, three times
// their size in garbage, a tenth of the memory check allocated over a
// tree (issue 16).
var renderBuffers sync.Pool // of *[]byte

// renderBuffer is an empty buffer to render a file's findings into.
func renderBuffer() []byte {
	if b, _ := renderBuffers.Get().(*[]byte); b != nil {
		return (*b)[:0]
	}
	return nil
}

// releaseRendered gives a file's rendered findings, written and no longer
// used, to the next file's rendering.
func releaseRendered(b []byte) {
	if cap(b) > 0 {
		renderBuffers.Put(&b)
	}
}

// close writes the files not written yet, once every file is done, and
// returns the first error writing.
func (o *orderedOutput) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.write(o.files[o.next:])
	o.files, o.next = nil, 0
	return o.err
}

// shownAsListed reports whether the files below root are shown
// (displayPath) as root is followed by the rest of their path, so that
// they sort as a walk in path order lists them: root in the current
// folder or below it (shown relative), or outside it (shown absolute),
// but not above it, where the files below the current folder are shown
// relative and the others absolute. (When root is the current folder,
// orderedOutput.list finds the names shown absolute.)
func shownAsListed(cwd, root string) bool {
	rel, err := filepath.Rel(root, cwd)
	return err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
