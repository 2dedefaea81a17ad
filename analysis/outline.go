package analysis

import "strconv"

// Symbol is an entry of the document outline.
type Symbol struct {
	Name      string
	Detail    string
	Span      Span // the whole element
	NameSpan  Span // what to select when jumping to it
	IsElement bool // a policy element rather than a statement
	Children  []Symbol
}

// Outline lists the statements of a policy, each by its Sid (or number)
// with its effect, so a long policy is navigable.
func Outline(f *File) []Symbol {
	if f.Policy == nil {
		return nil
	}
	var out []Symbol
	if v := f.Policy.Version; v != nil {
		out = append(out, Symbol{Name: "Version", Detail: v.Value.Str, Span: v.Span(), NameSpan: v.KeySpan, IsElement: true})
	}
	for _, s := range f.Policy.Statements {
		sym := Symbol{Name: s.Label(), Detail: s.EffectText(), Span: s.Obj.Span, NameSpan: s.Obj.Span}
		if s.Sid != nil {
			sym.NameSpan = s.Sid.Value.Span
		}
		for _, el := range s.Obj.Fields {
			sym.Children = append(sym.Children, Symbol{Name: el.Key, Detail: summary(el.Value), Span: el.Span(), NameSpan: el.KeySpan, IsElement: true})
		}
		out = append(out, sym)
	}
	return out
}

func summary(v *Value) string {
	switch v.Kind {
	case String, Number, Bool:
		return v.Str
	case Array:
		if len(v.Items) == 1 {
			return summary(v.Items[0])
		}
		return "[" + strconv.Itoa(len(v.Items)) + " values]"
	case Object:
		return "{" + strconv.Itoa(len(v.Fields)) + " keys}"
	}
	return ""
}
