package iamdata

import (
	"strings"
	"unicode/utf8"
)

// compact rewrites a decoded service so that the garbage collector has
// little to mark in it: every string becomes a piece of one text holding
// each distinct string once, every list of names a piece of one array
// holding each distinct list once (a tenth of EC2's actions list the same
// condition keys), and the actions' resource types pieces of one array.
// JSON decoding made an object of each (EC2 alone: 11,000 strings).
func compact(sd *ServiceData) {
	internAll(sd)
	names := newListPool()
	for i := range sd.Resources {
		r := &sd.Resources[i]
		r.Keys = names.share(r.Keys)
	}
	total := 0
	for _, a := range sd.Actions {
		total += len(a.Resources)
	}
	resources := make([]ActionResource, 0, total)
	for i := range sd.Actions {
		a := &sd.Actions[i]
		a.Keys = names.share(a.Keys)
		a.Dependent = names.share(a.Dependent)
		if len(a.Resources) > 0 {
			start := len(resources)
			resources = append(resources, a.Resources...)
			// The capacity ends with the action's own: an append
			// (mergeSharedPrefix) must not write over the next action's.
			a.Resources = resources[start:len(resources):len(resources)]
		}
	}
}

// eachString calls f with every string of the service.
func eachString(sd *ServiceData, f func(*string)) {
	for i := range sd.Actions {
		a := &sd.Actions[i]
		f(&a.Name)
		f(&a.Description)
		f(&a.Access)
		for j := range a.Resources {
			f(&a.Resources[j].Name)
		}
		eachOf(a.Keys, f)
		eachOf(a.Dependent, f)
	}
	for i := range sd.Resources {
		r := &sd.Resources[i]
		f(&r.Name)
		f(&r.ARN)
		eachOf(r.Keys, f)
	}
	for i := range sd.Keys {
		k := &sd.Keys[i]
		f(&k.Name)
		f(&k.Type)
		f(&k.Description)
	}
}

func eachOf(list []string, f func(*string)) {
	for i := range list {
		f(&list[i])
	}
}

// internAll makes every string of the service a piece of one text, which
// it returns.
func internAll(sd *ServiceData) string {
	at := make(map[string]int)
	var b strings.Builder
	eachString(sd, func(p *string) {
		if _, ok := at[*p]; !ok && *p != "" {
			at[*p] = b.Len()
			b.WriteString(*p)
		}
	})
	text := b.String()
	eachString(sd, func(p *string) {
		if *p != "" {
			off := at[*p]
			*p = text[off : off+len(*p)]
		}
	})
	return text
}

// listPool keeps each distinct list of names once, in one array.
type listPool struct {
	all  []string
	seen map[string][]string // the list's names joined by NUL
}

func newListPool() *listPool {
	return &listPool{seen: make(map[string][]string)}
}

// share returns the pool's copy of list, adding it the first time; nil
// for an empty list, as decoding gave.
func (p *listPool) share(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	key := strings.Join(list, "\x00")
	if shared, ok := p.seen[key]; ok {
		return shared
	}
	if cap(p.all)-len(p.all) < len(list) {
		p.all = make([]string, 0, max(len(list), 1024))
	}
	start := len(p.all)
	p.all = append(p.all, list...)
	shared := p.all[start:len(p.all):len(p.all)]
	p.seen[key] = shared
	return shared
}

// searchFold finds, in n names sorted by compareFold, the one that is
// name when both are lower-cased, as strings.ToLower does, without
// allocating for the short ASCII names that policies hold.
func searchFold(n int, nameAt func(int) string, name string) (int, bool) {
	var buf [128]byte
	lower := appendLower(buf[:0], name)
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if compareLower(nameAt(mid), lower) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < n && compareLower(nameAt(lo), lower) == 0
}

// appendLower appends name lower-cased to b.
func appendLower(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return append(b[:0], strings.ToLower(name)...)
		}
		b = append(b, lowerByte(c))
	}
	return b
}

// compareLower compares name, lower-cased (the data's names are ASCII),
// with lower.
func compareLower(name string, lower []byte) int {
	for i := 0; i < len(name) && i < len(lower); i++ {
		if c, d := lowerByte(name[i]), lower[i]; c != d {
			return int(c) - int(d)
		}
	}
	return len(name) - len(lower)
}

// compareFold orders ASCII names as their lower-case forms order.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c, d := lowerByte(a[i]), lowerByte(b[i]); c != d {
			return int(c) - int(d)
		}
	}
	return len(a) - len(b)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
