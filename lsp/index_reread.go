package lsp

import (
	"bytes"
	"reflect"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// keepSameReadings drops from out, the files an edit read again, each
// file whose text the edit left alone and whose reading is the one the
// set holds (sameReading): the set keeps its source, documents and all,
// and the edit concerns only the files whose documents, buckets or
// reader's findings changed. A keystroke in one file of a Terraform
// module reads its other files again, since what they say may come from
// it (a variable, a local, a resource's name or account); most
// keystrokes change none of it, and each document of the other files
// taken for changed joined every request its kind may join (a bucket
// policy's "Principal": "*", every principal's): at 5,000 governed
// policies a comment typed in a module's file evaluated every principal
// again, 280 ms and 27 MB (issue 16). A file whose reading did change
// (a local another file's policy uses, a file's kind) stays.
//
// A file edited after its documents (standsAfter) stays with the set's
// documents in place of those read again: govSet.with then keeps the
// set's workspace whole (documentsStand).
func (g *govSet) keepSameReadings(out map[string]*tree.Source, changes map[string][]byte) {
	for path, now := range out {
		old := g.sources.get(path)
		if text, changed := changes[path]; changed && (old == nil || !bytes.Equal(old.Text, text)) {
			if standsAfter(old, now) {
				out[path] = &tree.Source{Path: path, Text: now.Text, Findings: now.Findings, Docs: old.Docs, Buckets: old.Buckets, Module: now.Module}
			}
			continue
		}
		if sameReading(old, now) {
			delete(out, path)
		}
	}
}

// sameReading reports whether now, a file read again, holds what old,
// the same file as the set holds it, does: the same text, and what
// readsAlike compares.
func sameReading(old, now *tree.Source) bool {
	return old != nil && now != nil && bytes.Equal(old.Text, now.Text) && readsAlike(old, now)
}

// standsAfter reports whether now, a file edited by one insertion or one
// deletion (a keystroke), reads as old does, its documents and the
// reader's findings at the same places in the host's text, every one of
// them ending before the first byte the edit changed: then each place has
// the same line and column in both texts, and the documents of old stand
// for those of now, the engine's lines (analysis.HostMap.Text) included.
// (Equal places imply it, since a place after the edit would have moved
// by the text inserted or deleted; the check keeps it so should a host
// map ever hold places relative to something else.)
func standsAfter(old, now *tree.Source) bool {
	if old == nil || now == nil {
		return false
	}
	at, ok := spliceAt(old.Text, now.Text)
	return ok && readsAlike(old, now) && endsBefore(old, at)
}

// endsBefore reports whether every document of src (its place in the
// host) and every finding of its reader ends at or before offset.
func endsBefore(src *tree.Source, offset int) bool {
	for _, d := range src.Docs {
		if d.Host == nil || d.Host.Whole.End > offset {
			return false
		}
	}
	for _, f := range src.Findings {
		if f.Span.End > offset {
			return false
		}
	}
	return true
}

// readsAlike reports whether two readings of a file hold the same
// module, buckets, reader's findings and documents (sameDoc).
func readsAlike(old, now *tree.Source) bool {
	return old.Module == now.Module && reflect.DeepEqual(old.Buckets, now.Buckets) &&
		slices.EqualFunc(old.Findings, now.Findings, sameFinding) && slices.EqualFunc(old.Docs, now.Docs, sameDoc)
}

// spliceAt reports whether b is a with one run of bytes inserted or
// deleted (their common start and end make up the shorter), and where
// they first differ.
func spliceAt(a, b []byte) (at int, ok bool) {
	if len(a) == len(b) {
		return 0, false
	}
	short, long := a, b
	if len(b) < len(a) {
		short, long = b, a
	}
	start := 0
	for start < len(short) && short[start] == long[start] {
		start++
	}
	return start, bytes.Equal(short[start:], long[len(long)-(len(short)-start):])
}

// sameDoc reports whether two readings of a document are alike in all
// that the workspace and the checks read of it: its text (which gives
// its tree), place in its host, kind, config and facts. The host's text
// is the file's (compared by the caller), and its Encode a function,
// alike when both have one: the host writes a region as the host's text
// there says.
func sameDoc(a, b *analysis.File) bool {
	if a.Path != b.Path || a.DocName != b.DocName || a.KindReason != b.KindReason || !bytes.Equal(a.Src, b.Src) ||
		a.Kind != b.Kind || a.KindSource != b.KindSource || a.Config != b.Config ||
		(a.Facts == nil) != (b.Facts == nil) || a.Facts != nil && *a.Facts != *b.Facts ||
		!reflect.DeepEqual(a.Syntax, b.Syntax) || (a.Policy == nil) != (b.Policy == nil) || (a.Host == nil) != (b.Host == nil) {
		return false
	}
	if a.Host == nil {
		return true
	}
	hostA, hostB := *a.Host, *b.Host
	if (hostA.Encode == nil) != (hostB.Encode == nil) {
		return false
	}
	hostA.Encode, hostB.Encode, hostA.Text, hostB.Text = nil, nil, nil, nil
	return reflect.DeepEqual(hostA, hostB)
}

// sameFinding reports whether two findings of a reader say the same at
// the same place, with the same related places and fixes.
func sameFinding(a, b analysis.Finding) bool {
	return a.Code == b.Code && a.Severity == b.Severity && a.Span == b.Span && a.DocURL == b.DocURL && a.NotListed == b.NotListed &&
		a.Message.Text() == b.Message.Text() && a.Explanation() == b.Explanation() && slices.Equal(a.Related, b.Related) &&
		reflect.DeepEqual(a.Fixes, b.Fixes) && a.FixLater.String() == b.FixLater.String()
}

// documentsStand reports whether every file re-read holds the documents
// and buckets the set holds for it (keepSameReadings kept them, or it
// has none): the edit changes nothing the set's workspace holds.
func documentsStand(g *govSet, reread map[string]*tree.Source) bool {
	for path, now := range reread {
		old := g.sources.get(path)
		if old == nil || now == nil || !slices.Equal(old.Docs, now.Docs) || !reflect.DeepEqual(old.Buckets, now.Buckets) {
			return false
		}
	}
	return true
}
