package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// explainFlags are the flags of the explain command.
type explainFlags struct {
	scenario, format, lang               string
	principal, action, resource, account string
	objectOwner, objectACL, requestPayer string
	at                                   string // --time
	cpuProfile                           string // --cpuprofile: a file for a CPU profile of the run (BENCHMARKS.md)
	multipart                            bool
	context                              contextFlag
	denial                               denialFlags // --error, --cloudtrail (explain_error.go)
}

// contextFlag collects repeated --context key=value; a key given twice
// is multivalued.
type contextFlag map[string][]string

func (c contextFlag) String() string { return "" }

func (c contextFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return errors.New("want key=value")
	}
	c[key] = append(c[key], value)
	return nil
}

// runExplain answers why a request is allowed or denied: from a
// self-contained scenario file, or from the policies of a workspace.
// Exit 0 when every request is allowed, 1 when one is denied, 2 on a
// usage error.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fl := explainFlags{context: contextFlag{}}
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: s3policy-lsp explain --scenario FILE.json|- [--format text|json] [--lang en|ja]")
		fmt.Fprintln(stderr, "       s3policy-lsp explain --principal ARN --action ACTION --resource ARN [--resource-account ID] [--context key=value]... [--format text|json] [DIR]")
		fmt.Fprintln(stderr, usageDenial)
		fs.PrintDefaults()
	}
	fs.StringVar(&fl.scenario, "scenario", "", "a scenario file: one scenario or an array of them (- reads it from stdin)")
	fs.StringVar(&fl.format, "format", "text", "output format: text or json")
	fs.StringVar(&fl.lang, "lang", "en", "language of the messages: en or ja")
	fs.StringVar(&fl.principal, "principal", "", "the caller's ARN (user, role, role session)")
	fs.StringVar(&fl.action, "action", "", "the action, e.g. s3:GetObject")
	fs.StringVar(&fl.resource, "resource", "", "the resource ARN, e.g. arn:aws:s3:::bucket/key")
	fs.StringVar(&fl.account, "resource-account", "", "the account that owns the resource (default: the bucket's account in .s3policy.json)")
	fs.Var(fl.context, "context", "a condition key of the request, key=value (repeat for more keys or values)")
	fs.StringVar(&fl.requestPayer, "request-payer", "", "\"requester\" when the request carries x-amz-request-payer")
	fs.StringVar(&fl.objectOwner, "object-owner", "", "the account that wrote the object, when not the bucket owner")
	fs.StringVar(&fl.objectACL, "object-acl", "", "the canned ACL the object was written with")
	fs.BoolVar(&fl.multipart, "multipart", false, "the request is part of a multipart upload")
	fs.StringVar(&fl.at, "time", "", "when the request is made, ISO 8601 or epoch seconds (default now): aws:CurrentTime and aws:EpochTime")
	fs.StringVar(&fl.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file, for a performance report")
	fl.denial.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fl.lang != "en" && fl.lang != "ja" {
		fmt.Fprintf(stderr, "s3policy-lsp explain: unknown --lang %q; use en or ja\n", fl.lang)
		return exitUsage
	}
	if fl.format != "text" && fl.format != "json" {
		fmt.Fprintf(stderr, "s3policy-lsp explain: --format must be text or json, not %q\n", fl.format)
		return exitUsage
	}
	if fl.cpuProfile != "" {
		stop, err := startCPUProfile(fl.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "s3policy-lsp explain: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer stop()
	}
	if fl.denial.used() {
		return runExplainDenial(&fl, fs.Args(), stdout, stderr)
	}
	if fl.scenario != "" {
		return fl.explainScenarioFile(fs.Args(), stdout, stderr)
	}
	scenarios, results, err := fl.load(fs.Args(), stderr)
	if err == nil {
		err = fl.emit(scenarios)
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %v\n", err)
		return exitUsage
	}
	code := exitOK
	for i := range results {
		if results[i].Decision != eval.Allowed {
			code = exitFindings
		}
	}
	if fl.format == "json" {
		writeJSON(stdout, results, false, fl.lang)
	} else {
		writeText(stdout, scenarios, results, fl.lang)
	}
	return code
}

// explainScenarioFile answers --scenario as it reads the file: each
// scenario is evaluated and its answer written before the next is read,
// and a policy text the scenarios repeat is parsed once. A scenario that
// is not valid stops the run (exit 2) after the answers before it.
func (fl *explainFlags) explainScenarioFile(args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %v\n", err)
		return exitUsage
	}
	if fl.principal != "" || fl.action != "" || fl.resource != "" || len(args) > 0 {
		return fail(errors.New("--scenario takes no request flags and no folder"))
	}
	var src io.Reader = os.Stdin // --scenario -: a stream from another program
	name := "standard input"
	if fl.scenario != "-" {
		name = fl.scenario
		f, err := os.Open(fl.scenario)
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		src = f
	}
	// The collector runs at the default GOGC: a scenario allocates about
	// 3 KB and almost none of it stays live, so a higher GOGC only let the
	// heap grow into fresh pages, each a page fault (10,000 scenarios at
	// GOGC=400: 4,900 faults, against 2,200). For the same reason the
	// answers go out 16 KB at a time: each 4 KB page of a buffer is a page
	// fault when first written (14-63 us, measured on a virtual machine),
	// and a batch's few hundred KB of answers take a few more writes.
	out := bufio.NewWriterSize(stdout, 16<<10)
	defer out.Flush()
	in := eval.NewScenarioReader(src)
	var evaluated []*eval.Scenario // for --emit-scenario only
	code := exitOK
	keep := fl.denial.emitScenario != "" // the scenarios outlive their answers
	n := 0                               // answers written
	err := evaluateInOrder(in, keep, func(b []byte, i int, s *eval.Scenario, r *eval.Result) []byte {
		if fl.format == "json" {
			// Many is known once the first scenario is read, and
			// never changes after.
			return appendAnswer(b, i, in.Many(), r, fl.lang)
		}
		return appendTextAnswer(b, i, &s.Request, r, fl.lang)
	}, func(answers []byte, scenarios []*eval.Scenario, denied bool) {
		if denied {
			code = exitFindings
		}
		out.Write(answers)
		n += len(scenarios)
		if keep {
			evaluated = append(evaluated, scenarios...)
		}
	})
	if err != nil {
		out.Flush()
		return fail(fmt.Errorf("%s: %v", name, err))
	}
	if fl.format == "json" && in.Many() && n > 0 {
		io.WriteString(out, "\n]\n")
	}
	if err := fl.emit(evaluated); err != nil {
		return fail(err)
	}
	return code
}

// load builds the scenario of the request flags over the workspace in
// DIR, and decides it (eval.Workspace.ExplainThroughEndpoints: with what
// the folder's VPC endpoints would decide when the flags give none).
func (fl *explainFlags) load(args []string, stderr io.Writer) (scenarios []*eval.Scenario, results []eval.Result, err error) {
	if fl.principal == "" || fl.action == "" || fl.resource == "" {
		return nil, nil, errors.New("give --scenario FILE, or --principal, --action and --resource")
	}
	var at time.Time
	if fl.at != "" {
		var ok bool
		if at, ok = eval.ParseTime(fl.at); !ok {
			return nil, nil, fmt.Errorf("--time %q is not an ISO 8601 date or epoch seconds", fl.at)
		}
	}
	w, err := loadFolder(args, stderr)
	if err != nil {
		return nil, nil, err
	}
	req := eval.Request{Time: at,
		Principal: fl.principal, Action: fl.action, Resource: fl.resource, ResourceAccount: fl.account,
		Context: fl.context, RequestPayer: fl.requestPayer, ObjectOwner: fl.objectOwner, ObjectACL: fl.objectACL,
		Multipart: fl.multipart,
	}
	s, r := w.ExplainThroughEndpoints(req)
	return []*eval.Scenario{s}, []eval.Result{r}, nil
}

func writeJSON(w io.Writer, results []eval.Result, many bool, lang string) {
	answers := answerWriter{w: w, many: many}
	for i := range results {
		answers.write(&results[i], lang)
	}
	answers.close()
}

// inlineScenarios is how many scenarios of a stream evaluateInOrder
// answers in turn on its own goroutine before it evaluates the rest on
// the other cores. The pipeline has a cost of its own, paid once: a
// thread, goroutine stacks that grow, heap spans of each core and the
// rooms of the scenarios in flight, and, for each batch, the goroutines'
// wake-ups. For 1,000 scenarios (/tmp/scen.json) batches of 16 on two
// cores were no faster by the whole process on an otherwise idle
// machine: 25.6 ms against 25.1 (30 runs), 1.7 ms more CPU and 20 more
// page faults (14-63 us each, measured on a virtual machine); in six
// moments both cores were idle, 29-31 ms against 23-26. A longer stream
// still gets the other cores for the rest.
const inlineScenarios = 2000

// batchScenarios is how many scenarios the pipeline reads, evaluates and
// answers together: a batch goes from the goroutine that reads to one
// that evaluates, and back, in a few channel operations, and each
// operation that wakes a goroutine costs a few microseconds, against
// ~7 us to read a scenario and ~10 to evaluate and answer it.
const batchScenarios = 16

// answerSize is about as long as an answer is, most often: a batch's
// answers start with room for this much each, not to grow by doubling
// into new pages (/tmp/scen.json's 1,000 answers are 357 KB in JSON).
const answerSize = 512

// scenarioBatch is a run of scenarios of the stream, read into its rooms
// (unless they are kept), then evaluated and answered together.
type scenarioBatch struct {
	first     int // the index in the stream of its first scenario
	scenarios []*eval.Scenario
	rooms     []eval.ScenarioRoom // nil when the scenarios are kept
	answers   []byte              // their answers, one after another
	denied    bool                // some scenario was not allowed
	result    eval.Result         // the answer being written (not one allocated each)
	done      chan struct{}       // sent to once answered
}

// newScenarioBatch is an empty batch of n scenarios.
func newScenarioBatch(n int, keep bool) *scenarioBatch {
	b := &scenarioBatch{
		scenarios: make([]*eval.Scenario, 0, n),
		answers:   make([]byte, 0, n*answerSize),
		done:      make(chan struct{}, 1),
	}
	if !keep {
		// One goroutine evaluates a batch: its rooms can share the
		// words their scenarios' causes say.
		b.rooms = eval.NewScenarioRooms(n)
	}
	return b
}

// read reads the next scenarios of the stream into the batch, as many as
// it holds, and returns the fault (io.EOF at the end) that stopped it
// before, with the scenarios before it in the batch.
func (b *scenarioBatch) read(in *eval.ScenarioReader) error {
	b.scenarios = b.scenarios[:0]
	for len(b.scenarios) < cap(b.scenarios) {
		var room *eval.ScenarioRoom
		if b.rooms != nil {
			room = &b.rooms[len(b.scenarios)]
		}
		s, err := in.NextIn(room)
		if err != nil {
			return err
		}
		b.scenarios = append(b.scenarios, s)
	}
	return nil
}

// answer evaluates the batch's scenarios and appends each answer, as
// render writes it, to the batch's answers.
func (b *scenarioBatch) answer(render renderAnswer) {
	b.answers, b.denied = b.answers[:0], false
	for i, s := range b.scenarios {
		b.result = eval.Explain(s)
		b.denied = b.denied || b.result.Decision != eval.Allowed
		b.answers = render(b.answers, b.first+i, s, &b.result)
	}
	b.result = eval.Result{}
}

// renderAnswer appends the answer to the i-th scenario of the stream, with
// what goes before it there. It is called in the order of the stream, but
// possibly on another goroutine than the one before.
type renderAnswer func(b []byte, i int, s *eval.Scenario, r *eval.Result) []byte

// evaluateInOrder gives the answers to the stream's scenarios to write in
// the order of the stream. It answers the first inlineScenarios in turn;
// past them, one goroutine reads the stream in batches (scenarioBatch)
// while the others (GOMAXPROCS-1, at least one) evaluate and answer the
// batches read, and the calling goroutine writes them. A batch being
// read and one for each worker are in flight, so a stream of any length
// holds a few dozen scenarios at a time. A fault in the stream is
// returned after the answers before it. Unless keep, a scenario is read
// into a room of one written already: write keeps nothing of the
// scenarios it is given (with keep, they are new and it may).
func evaluateInOrder(in *eval.ScenarioReader, keep bool, render renderAnswer, write func(answers []byte, scenarios []*eval.Scenario, denied bool)) error {
	one := newScenarioBatch(1, keep)
	for i := range inlineScenarios {
		one.first = i
		err := one.read(in)
		one.answer(render)
		write(one.answers, one.scenarios, one.denied)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	// Batches vary (a scenario of many policies takes longer to read and
	// to evaluate), so the reader may run a few batches ahead of the
	// workers: with one batch for each worker and one being read, they
	// took turns waiting for each other, and /tmp/scen10k.json took 75-92
	// ms on an idle machine against 70-82 for scenarios handed over one
	// at a time; with 8 batches in flight on 2 cores, 68-74 ms.
	inFlight := 4 * (workers + 1)
	order, work := make(chan *scenarioBatch, inFlight), make(chan *scenarioBatch, inFlight)
	free := make(chan *scenarioBatch, inFlight)
	var fault error // written before order is closed
	go func() {
		defer close(work)
		defer close(order)
		for made, read := 0, inlineScenarios; ; {
			var b *scenarioBatch
			select {
			case b = <-free:
			default:
				if made < inFlight {
					b, made = newScenarioBatch(batchScenarios, keep), made+1
				} else {
					b = <-free
				}
			}
			err := b.read(in)
			b.first = read
			read += len(b.scenarios)
			if len(b.scenarios) > 0 {
				order <- b
				work <- b
			}
			if err != nil {
				if err != io.EOF {
					fault = err
				}
				return
			}
		}
	}()
	for range workers {
		go func() {
			for b := range work {
				b.answer(render)
				b.done <- struct{}{}
			}
		}()
	}
	for b := range order {
		<-b.done
		write(b.answers, b.scenarios, b.denied)
		free <- b
	}
	return fault
}

// answerWriter writes answers one at a time, in text (writeText) or JSON:
// as an indented array when many (the text encoding/json would give for
// the whole array).
type answerWriter struct {
	w    io.Writer
	many bool
	n    int
	buf  []byte
}

func (a *answerWriter) write(r *eval.Result, lang string) {
	a.buf = appendAnswer(a.buf[:0], a.n, a.many, r, lang)
	a.w.Write(a.buf)
	a.n++
}

// appendAnswer appends the JSON of the i-th answer, after what goes
// before it: in an indented array when many, else on its own line.
func appendAnswer(b []byte, i int, many bool, r *eval.Result, lang string) []byte {
	switch {
	case !many:
		return append(appendResult(b, r, lang, ""), '\n')
	case i == 0:
		b = append(b, "[\n  "...)
	default:
		b = append(b, ",\n  "...)
	}
	return appendResult(b, r, lang, "  ")
}

func (a *answerWriter) close() {
	if a.many && a.n > 0 {
		io.WriteString(a.w, "\n]\n")
	}
}

func writeText(w io.Writer, scenarios []*eval.Scenario, results []eval.Result, lang string) {
	answers := answerWriter{w: w}
	for i := range results {
		answers.writeText(&scenarios[i].Request, &results[i], lang)
	}
}

// writeText writes an answer as text, after a blank line unless it is
// the first.
func (a *answerWriter) writeText(req *eval.Request, r *eval.Result, lang string) {
	a.buf = appendTextAnswer(a.buf[:0], a.n, req, r, lang)
	a.w.Write(a.buf)
	a.n++
}

// appendTextAnswer appends the i-th answer as text, after a blank line
// unless it is the first.
func appendTextAnswer(b []byte, i int, req *eval.Request, r *eval.Result, lang string) []byte {
	if i > 0 {
		b = append(b, '\n')
	}
	return appendTextResult(b, req, r, lang)
}

// appendTextResult appends the answer to a request as text: the request
// and its decision, then each cause, its place and its message.
func appendTextResult(b []byte, req *eval.Request, r *eval.Result, lang string) []byte {
	b = append(b, req.Principal...)
	b = append(b, ' ')
	b = append(b, req.Action...)
	b = append(b, " on "...)
	b = append(b, req.Resource...)
	b = append(b, ": "...)
	b = append(b, r.Decision...)
	for j, l := range r.BlockedBy {
		if j == 0 {
			b = append(b, " (blocked by "...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, l...)
		if j == len(r.BlockedBy)-1 {
			b = append(b, ')')
		}
	}
	b = append(b, '\n')
	for i := range r.Causes {
		c := &r.Causes[i]
		b = append(b, "  "...)
		b = append(b, c.Code...)
		b = append(b, " ["...)
		b = append(b, c.Layer...)
		b = append(b, ']')
		if c.Policy != "" {
			b = append(b, ' ')
			b = append(b, c.Policy...)
			if c.Line > 0 {
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(c.Line), 10)
			}
		}
		b = append(b, "\n    "...)
		b = r.AppendSaid(b, c, lang)
		b = append(b, '\n')
	}
	return b
}
