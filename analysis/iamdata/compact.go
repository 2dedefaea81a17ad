package iamdata

import (
	"strings"
	"unicode/utf8"
)

// compact makes the decoded service out of what the bundle holds, with
// little in it for the garbage collector to mark: every string a piece of
// one text holding each distinct string once, the actions records of
// offsets, their lists of names pieces of one array holding each
// distinct list once (EC2's 826 actions have 115 distinct lists of
// condition keys), and their resource types pieces of another. JSON
// decoding made an object of each string and list (EC2 alone: 11,000
// strings).
func compact(e *entry, data *BundledService) *Service {
	s := &Service{Prefix: e.prefix, Name: e.name}
	var at map[string]int
	s.text, at = internAll(data)
	place := func(str string) piece { return piece{uint32(at[str]), uint32(len(str))} }
	s.Resources, s.Keys = data.Resources, data.Keys
	total := 0
	for _, a := range data.Actions {
		total += len(a.Resources)
	}
	s.actionResources = make([]ActionResource, 0, total)
	names := listPool{seen: make(map[string]piece)}
	s.Actions = make([]Action, len(data.Actions))
	for i, a := range data.Actions {
		s.Actions[i] = Action{
			service:     e.id,
			name:        place(a.Name),
			description: place(a.Description),
			access:      place(a.Access),
			resources:   piece{uint32(len(s.actionResources)), uint32(len(a.Resources))},
			keys:        names.share(a.Keys, place),
			dependent:   names.share(a.Dependent, place),
		}
		s.actionResources = append(s.actionResources, a.Resources...)
	}
	s.names = names.all
	return s
}

// eachString calls f with every string of the service.
func eachString(data *BundledService, f func(*string)) {
	for i := range data.Actions {
		a := &data.Actions[i]
		f(&a.Name)
		f(&a.Description)
		f(&a.Access)
		for j := range a.Resources {
			f(&a.Resources[j].Name)
		}
		eachOf(a.Keys, f)
		eachOf(a.Dependent, f)
	}
	for i := range data.Resources {
		r := &data.Resources[i]
		f(&r.Name)
		f(&r.ARN)
		eachOf(r.Keys, f)
	}
	for i := range data.Keys {
		k := &data.Keys[i]
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
// it returns with the offset of each string in it.
func internAll(data *BundledService) (text string, at map[string]int) {
	at = make(map[string]int)
	var b strings.Builder
	eachString(data, func(p *string) {
		if _, ok := at[*p]; !ok && *p != "" {
			at[*p] = b.Len()
			b.WriteString(*p)
		}
	})
	text = b.String()
	eachString(data, func(p *string) {
		if *p != "" {
			off := at[*p]
			*p = text[off : off+len(*p)]
		}
	})
	return text, at
}

// listPool keeps each distinct list of names once, in one array.
type listPool struct {
	all  []piece
	seen map[string]piece // the list's names joined by NUL → its place in all
}

// share returns the place of list in the pool, adding it the first time.
func (p *listPool) share(list []string, pieceOf func(string) piece) piece {
	if len(list) == 0 {
		return piece{}
	}
	key := strings.Join(list, "\x00")
	if at, ok := p.seen[key]; ok {
		return at
	}
	at := piece{uint32(len(p.all)), uint32(len(list))}
	for _, name := range list {
		p.all = append(p.all, pieceOf(name))
	}
	p.seen[key] = at
	return at
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

// compareFold compares ASCII names as their lower-case forms compare.
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
