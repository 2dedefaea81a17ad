package main

import (
	"bufio"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/internal/report"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

const informationURI = "https://github.com/s3policy-lsp/s3policy-lsp"

// checkFlags are the options of the check command.
type checkFlags struct {
	format     string
	failOn     analysis.Severity
	lang       string // "" means: the config's locale, else the environment's
	cpuProfile string // a file for a CPU profile of the run (BENCHMARKS.md), or ""
	trace      string // a file for an execution trace of the run (go tool trace), or ""
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	opts, paths, err := parseCheckFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, errFlagsReported) {
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3policy-lsp check: %v\n", err)
		return exitUsage
	}
	stopRecordings, ok := startRecordings("check", stderr, recording{"--cpuprofile", opts.cpuProfile, startCPUProfile}, recording{"--trace", opts.trace, startTrace})
	if !ok {
		return exitUsage
	}
	defer stopRecordings()
	defer batchGC()()
	// One write for many findings: bufio.NewWriter inside the writers
	// reuses this buffer, larger than its own (18 MB of JSON on 10,000
	// files is then about 70 writes, not 4,500).
	out := bufio.NewWriterSize(stdout, 256<<10)
	c := newChecker(opts.lang, stderr)
	lang := c.langFor(nil)
	var rendered renderedParts // where the files' rendered findings go, in order
	var end func() error       // what ends the output once all are written
	switch opts.format {
	case "json":
		array := report.NewJSONArray(out)
		c.render, rendered, end = report.AppendJSONElements, array, array.Close
	case "sarif":
		tool := report.Tool{Name: "s3policy-lsp", Version: versionString(), InformationURI: informationURI}
		log := report.NewSARIFLog(out, tool, allRules(), lang)
		c.render, rendered, end = log.AppendResults, log, log.Close
	default:
		c.render, rendered = report.AppendText, &textLines{w: out}
	}
	if len(paths) == 1 {
		c.stream = rendered // the findings of one PATH sort as its files do
	}
	for _, p := range paths {
		c.checkPath(p)
	}
	findings, parts := c.sorted()
	err = c.streamErr
	for _, part := range parts { // after those written as the walk went, which sort first
		err = cmp.Or(err, rendered.Add(part))
	}
	if end != nil {
		err = cmp.Or(err, end())
	}
	if flushErr := out.Flush(); err == nil {
		err = flushErr
	}
	count := c.written
	count.add(findings)
	if opts.format == "text" {
		fmt.Fprintln(stderr, summary(c.files, count).In(lang)) // after the findings it counts
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "s3policy-lsp check: %v\n", err)
		return exitUsage
	case c.ioErrors > 0:
		return exitUsage
	case count.reaches(opts.failOn):
		return exitFindings
	}
	return exitOK
}

// startTrace starts an execution trace of the process into a new file
// (go tool trace: which goroutine ran on which core, and when); stop
// ends it.
func startTrace(path string) (stop func(), err error) {
	return startRecording(path, trace.Start, trace.Stop)
}

// batchGC sets the garbage collector for a batch job whose live heap is
// small (a file per core and the findings so far): a ballast
// (holdBallast) under the server's memory budget. At GOGC=200 alone the
// collector ran every 8 to 40 MB allocated, some thirty times over 10,000
// files, and its marking (with the write barriers it turns on) was a
// tenth of check's CPU.
//
// A governed tree's live heap is not small: its sets' parsed documents,
// the engine's answers and the checks' indexes of causes are kept until
// its last file is analysed, about 100 MB over 10,000 governed policies
// at the last collections, and the heap grew to twice that plus the
// ballast, a peak of 215-235 MB of RSS. So the server's memory budget
// holds check's heap too (serveMemoryLimit, raised by the ballast): the
// collector runs more often only once the heap nears it, and the limit
// is lifted, as the server's is, once the live heap is too near it for
// that to cost little (holdMemoryBudget); a tree that large gets GOGC=100
// and the memory it needs. Small live heaps, an ungoverned tree's, never
// reach it. GOGC, when set, wins, with no ballast and no limit;
// GOMEMLIMIT, when set, is the limit.
//
// done, once the output is written, drops the ballast and lifts the
// limit.
func batchGC() (done func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	if !budgeted() {
		drop := holdBallast(nil)
		return func() { drop() }
	}
	budget := holdMemoryBudget(serveMemoryLimit, io.Discard)
	drop := holdBallast(budget)
	return func() {
		budget.release()
		drop()
	}
}

// allRules is every code check can report: the registered checks and the
// findings the analysis makes itself.
func allRules() []*analysis.Check {
	return append(append([]*analysis.Check{}, checks.All...), analysis.BuiltinRules...)
}

// errFlagsReported is a flag error already printed with the usage.
var errFlagsReported = errors.New("bad flags")

func parseCheckFlags(args []string, stderr io.Writer) (checkFlags, []string, error) {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	format := fset.String("format", "text", "output format: text, json or sarif")
	failOn := fset.String("fail-on", "error", "exit 1 when a finding is at least this severe: error, warning, information or hint")
	lang := fset.String("lang", "", "language of messages: en or ja (default: the locale of .s3policy.json, else LC_ALL, LC_MESSAGES or LANG)")
	cpuProfile := fset.String("cpuprofile", "", "write a CPU profile of the run to this file, for a performance report")
	traceFile := fset.String("trace", "", "write an execution trace of the run to this file (go tool trace), to see when each core works")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: s3policy-lsp check [--format text|json|sarif] [--fail-on error|warning|information|hint] [--lang en|ja] PATH...")
		fset.PrintDefaults()
	}
	// Flags may come after paths too: `check examples/ --format json`.
	var paths []string
	for {
		if err := fset.Parse(args); errors.Is(err, flag.ErrHelp) {
			return checkFlags{}, nil, err
		} else if err != nil {
			return checkFlags{}, nil, errFlagsReported // the flag package has said what is wrong
		}
		rest := fset.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			paths = append(paths, rest...)
			break
		}
		paths, args = append(paths, rest[0]), rest[1:]
	}
	opts := checkFlags{format: *format, lang: *lang, cpuProfile: *cpuProfile, trace: *traceFile}
	var ok bool
	switch {
	case *format != "text" && *format != "json" && *format != "sarif":
		return opts, nil, fmt.Errorf("unknown --format %q; use text, json or sarif", *format)
	case *lang != "" && *lang != "en" && *lang != "ja":
		return opts, nil, fmt.Errorf("unknown --lang %q; use en or ja", *lang)
	case len(paths) == 0:
		fset.Usage()
		return opts, nil, errors.New("no PATH given")
	}
	if opts.failOn, ok = analysis.ParseSeverity(*failOn); !ok {
		return opts, nil, fmt.Errorf("unknown --fail-on %q; use error, warning, information or hint", *failOn)
	}
	return opts, paths, nil
}

// severityCount counts findings by severity.
type severityCount map[analysis.Severity]int

func (count severityCount) add(fs []report.Finding) {
	for _, f := range fs {
		count[f.Severity]++
	}
}

// reaches reports whether a finding is at least as severe as failOn
// (severities count down from error = 1).
func (count severityCount) reaches(failOn analysis.Severity) bool {
	for s, n := range count {
		if n > 0 && s <= failOn {
			return true
		}
	}
	return false
}

func summary(files int, count severityCount) analysis.Text {
	return analysis.Tf("files checked: %d, errors: %d, warnings: %d, information: %d, hints: %d",
		"検査したファイル: %d、エラー: %d、警告: %d、情報: %d、ヒント: %d",
		files, count[analysis.Error], count[analysis.Warning], count[analysis.Information], count[analysis.Hint])
}

// checker walks the paths, finds each file's .s3policy.json and gathers
// the findings.
type checker struct {
	lang    string // --lang, or ""
	envLang string
	stderr  io.Writer
	cwd     string
	lookups map[string]string // folder and stop → config path ("" for none)
	// readable says whether a config path can be read (readableConfig),
	// found once a path.
	readable map[string]bool
	configs  map[string]*analysis.Config // config path → parsed config
	seen     map[string]bool             // files already checked
	// aloneErrors are the files handed to the workers as the walk listed
	// them that could not be read: reported once the workers are done, in
	// path order (reportAloneErrors), as when they were read after the
	// walk.
	aloneErrors []pathError
	sets        []*tree.Set  // the sets of the folder being walked
	loader      *tree.Loader // what read them, and their configs
	// stream, with --format json and one PATH, is where the findings are
	// written: out, when the walk of that PATH lists its files in the
	// order they are shown, writes each file's as soon as the files
	// listed before it are done (orderedOutput), instead of keeping them
	// all (18 MB over 10,000 files) to be sorted and written at the end.
	// configSlots are the listed configs' places in out.
	stream      renderedParts
	out         *orderedOutput
	configSlots map[string]int
	streamErr   error         // the first error writing to stream
	written     severityCount // the findings written to out, by severity
	// Files are analysed on every core: the walk and the configs stay on
	// one goroutine, the reading and the checks run on GOMAXPROCS workers
	// that take the files from jobs, and mu guards what they add to. The
	// workers live as long as a path's walk, not one goroutine per file: a
	// new goroutine's stack grew again for every file (copystack, 3 % of
	// check's CPU over a tree).
	jobs    chan job
	workers sync.WaitGroup
	mu      sync.Mutex
	// batches are the findings of each file (or config) not written to
	// out, sorted on the goroutine that placed them; sorted merges them
	// once all are done.
	batches []batch
	// render renders each batch on the goroutine that placed it too
	// (report.AppendJSONElements, AppendText, SARIFLog.AppendResults).
	render   func([]byte, []report.Finding) []byte
	files    int // documents analysed
	ioErrors int
	// observe, when set (by tests), is given each document's findings as
	// the analysis made them, fixes included, before they are placed; it
	// runs on the workers.
	observe func(abs, kind string, fs []analysis.Finding)
}

func newChecker(lang string, stderr io.Writer) *checker {
	cwd, _ := os.Getwd()
	return &checker{
		lang: lang, envLang: envLocale(), stderr: stderr, cwd: cwd,
		lookups: map[string]string{}, readable: map[string]bool{}, configs: map[string]*analysis.Config{}, seen: map[string]bool{},
		configSlots: map[string]int{}, written: severityCount{},
	}
}

// job is a file for a worker to analyse.
type job struct {
	abs  string
	cfg  *analysis.Config
	sets []*tree.Set
	size int64 // the file's size as the walk saw it, 0 for unknown
	// alone is a file handed over while the walk goes on: an I/O error
	// reading it waits for the walk's end (aloneErrors).
	alone bool
	slot  int // the file's place in out, or noSlot
	// load, when set, asks the worker only to read the file into its set
	// (listed is the file as the walk listed it), not to analyse it.
	load   *setLoading
	listed tree.Listed
}

// pathError is a file that could not be read.
type pathError struct {
	path string
	err  error
}

// batch is one file's findings, sorted, and as they are written
// (checker.render).
type batch struct {
	findings []report.Finding
	rendered []byte
}

// startWorkers starts the goroutines that analyse the files checkFile
// hands them, until stopWorkers.
func (c *checker) startWorkers() {
	n := runtime.GOMAXPROCS(0)
	// The walk lists up to a thousand files ahead of the workers: with
	// room for one a worker, a worker waited for the walk's goroutine
	// (which a worker's receive readies on that worker's core, to run
	// once the worker blocks or is preempted) about 2,400 times over
	// 10,000 files, 0.16-0.75 s of the two cores in execution traces at
	// load 15; with room for 256, ten times.
	c.jobs = make(chan job, walkAhead)
	c.workers.Add(n)
	for range n {
		go func() {
			defer c.workers.Done()
			var buf []byte // the worker's files are read into one buffer, in turn
			for j := range c.jobs {
				if j.load != nil {
					j.load.read(j.listed)
					continue
				}
				buf = c.analyse(j, buf)
			}
		}()
	}
}

// walkAhead is how many files the walk lists that no worker took yet.
const walkAhead = 1024

// stopWorkers returns when every file handed to the workers is done.
func (c *checker) stopWorkers() {
	close(c.jobs)
	c.workers.Wait()
}

// envLocale is the POSIX message locale: LC_ALL, then LC_MESSAGES, then LANG.
func envLocale() string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	return ""
}

// langFor chooses the language of a document's messages: --lang, then the
// locale of its .s3policy.json (written for the project on purpose), then
// the environment.
func (c *checker) langFor(cfg *analysis.Config) string {
	switch {
	case c.lang != "":
		return c.lang
	case cfg != nil && cfg.Locale != "":
		return cfg.Locale
	}
	return c.envLang
}

// ioError reports a file that cannot be read, by the name the user knows.
func (c *checker) ioError(abs string, err error) {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.stderr, "s3policy-lsp check: %s: %v\n", c.display(abs), err)
	c.ioErrors++
}

// display is how a path is shown to the user.
func (c *checker) display(abs string) string { return displayPath(c.cwd, abs) }

// displayPath is how commands show a path: relative to the current folder
// when it lies inside it, with forward slashes.
func displayPath(cwd, abs string) string {
	if rel, err := filepath.Rel(cwd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

// checkPath checks a file, or every .json file in a folder, and returns
// when all are done.
func (c *checker) checkPath(arg string) {
	c.startWorkers()
	defer c.reportAloneErrors() // once every file is analysed (deferred calls run last first)
	defer c.closeOutput()
	defer c.stopWorkers()
	abs, err := filepath.Abs(arg)
	if err != nil {
		c.ioError(arg, err)
		return
	}
	info, err := os.Stat(abs)
	if err != nil {
		c.ioError(abs, err)
		return
	}
	if info.IsDir() {
		// A trailing separator makes the walk follow a PATH that is itself
		// a link to a folder; links met inside are still not followed.
		c.walk(abs + string(filepath.Separator))
		return
	}
	// A file named on its own takes its config from its folder or above,
	// up to the current folder when it lies inside it.
	stop := filepath.Dir(abs)
	if rel, err := filepath.Rel(c.cwd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		stop = c.cwd
	}
	c.checkFile(abs, stop)
}

// walk checks every file below root that may hold policies (tree.Walk:
// the same files the server reads, each with the .s3policy.json the walk
// finds governs it, looked up no higher than root). What a .s3policy.json
// governs is loaded as sets first, as the server loads its folders, so
// that the cross-file findings of check and of the editor agree. A file
// the walk lists as analysed alone (no config, no Terraform module above
// it) goes to the workers as soon as it is listed, so that the other
// cores work while the walk lists the tree (a tenth of the time of check
// over 10,000 files, on one core, BENCHMARKS.md). Such a file is in none
// of the sets (a module reads no file outside its folder: tree's
// TestWalkAloneIsInNoSet), so it is not analysed again below. The walk
// lists the files in path order, so that with --format json the findings
// of each can be written as soon as those listed before it are done
// (orderedOutput). A tree changed while the walk lists it may be read as
// it was when each file was listed, as any walk of a changing tree.
func (c *checker) walk(root string) {
	var later []listedFile // the files of sets, and configs, checked after the walk
	var skipped []tree.Skipped
	if c.stream != nil && shownAsListed(c.cwd, root) {
		c.out = newOrderedOutput(c.stream, root, c.display) // closed by checkPath once the workers are done
	}
	loading := newSetLoading(root)
	err := tree.Walk(root, tree.Walker{
		File: func(f tree.Listed) {
			slot := c.out.list(f.Path, c.display(f.Path))
			if tree.IsConfig(f.Path) && slot != noSlot {
				c.configSlots[f.Path] = slot
			}
			if f.Root == "" {
				c.checkAlone(f, slot)
				return
			}
			later = append(later, listedFile{f.Path, f.Config, slot})
			loading.expect(f)
			c.jobs <- job{load: loading, listed: f}
		},
		Skip:      func(sk tree.Skipped) { skipped = append(skipped, sk) },
		Done:      loading.listed,
		PathOrder: true,
	})
	if err != nil {
		c.ioError(root, err)
	}
	c.sets, c.loader = loading.wait(), loading.loader
	defer func() { c.sets, c.loader = nil, nil }()
	for _, sk := range skipped {
		c.skip(sk)
	}
	for _, f := range later {
		c.checkListed(f)
	}
}

// listedFile is a file of a set, or a config, as the walk listed it.
type listedFile struct {
	path   string
	config string // the .s3policy.json the walk found governs it, "" for none
	slot   int
}

// checkAlone hands a file the walk lists as analysed alone (no config,
// no module: tree.Listed.Root) to the workers before the walk ends.
func (c *checker) checkAlone(f tree.Listed, slot int) {
	if c.seen[f.Path] {
		c.out.put(slot, nil)
		return // reached again through another PATH
	}
	c.seen[f.Path] = true
	c.jobs <- job{abs: f.Path, size: f.Size, alone: true, slot: slot}
}

// reportAloneErrors reports the files checked alone during the walk that
// could not be read, in path order, once the workers are done with them.
func (c *checker) reportAloneErrors() {
	slices.SortFunc(c.aloneErrors, func(a, b pathError) int { return cmp.Compare(a.path, b.path) })
	for _, e := range c.aloneErrors {
		c.ioError(e.path, e.err)
	}
	c.aloneErrors = nil
}

// closeOutput writes what is left of out once every file is done.
func (c *checker) closeOutput() {
	if c.out != nil {
		c.streamErr = c.out.close()
		c.out = nil
	}
}

// skip says why a file of a folder is not read; one that cannot be read
// is an I/O error.
func (c *checker) skip(sk tree.Skipped) {
	if sk.Err != nil {
		c.ioError(sk.Path, sk.Err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.stderr, "s3policy-lsp check: skipping %s: %s\n", c.display(sk.Path), sk.Reason.In(c.langFor(nil)))
}

// checkFile checks a file named on its own.
func (c *checker) checkFile(abs, stop string) {
	if c.seen[abs] {
		return // reached again through another PATH
	}
	c.seen[abs] = true
	if tree.IsConfig(abs) {
		c.loadConfig(abs)
		return
	}
	c.jobs <- job{abs: abs, cfg: c.configFor(abs, stop), slot: noSlot}
}

// checkListed checks a file of a set, or a config, the walk listed, with
// the config the walk found governs it (the one its set was read with; a
// .s3policy.json the walk skips, over 1 MB or a link out of the folder,
// governs nothing, as in the server).
func (c *checker) checkListed(f listedFile) {
	if c.seen[f.path] {
		c.out.put(f.slot, nil)
		return // reached again through another PATH
	}
	c.seen[f.path] = true
	if tree.IsConfig(f.path) {
		c.loadConfig(f.path) // its findings go to its slot, whether for itself or a file it governs (after the walk)
		return
	}
	var cfg *analysis.Config
	if f.config != "" {
		cfg = c.loadConfig(f.config)
	}
	c.jobs <- job{abs: f.path, cfg: cfg, sets: c.sets, slot: f.slot} // walk clears c.sets when it returns, before the files are done
}

// analyse reads and checks one file; it runs on a worker. A file not
// read already is read into buf, which analyse returns (grown) for the
// worker's next file: nothing keeps the text once its findings are
// placed (report.Place copies what it quotes), and a new buffer for each
// file was a sixth of the memory check allocates over a tree
// (BENCHMARKS.md).
func (c *checker) analyse(j job, buf []byte) []byte {
	abs, cfg, sets := j.abs, j.cfg, j.sets
	set, src := tree.SetOf(sets, abs) // read already, with the set it belongs to
	if set != nil {
		// Reported, the file's parts of the set's memos are not asked for
		// again: what its checks built for it alone is dropped, as the
		// server drops a published closed file's.
		defer checks.ForgetDocuments(set.Workspace, src.Docs)
	}
	if src == nil {
		text, err := tree.ReadFileInto(abs, buf, j.size)
		buf = text
		if err != nil {
			c.unreadable(j, err)
			return buf
		}
		// The analysis gets absolute paths, as from an editor, so that they
		// match the config's folder whichever way each was reached.
		src = c.read(filepath.ToSlash(abs), text, cfg)
		// Read here, the file's trees are its own (a set's are shared):
		// their memory goes to the next file's parse once its findings
		// are placed.
		defer func() {
			for _, d := range src.Docs {
				d.Recycle()
			}
		}()
	}
	a := analysis.AnalyzeFile(src.Path, src.Docs, src.Findings, analysis.Options{Checks: checks.All})
	if len(src.Docs) == 0 && len(a.Findings) == 0 {
		c.out.put(j.slot, nil)
		return buf // a file that holds no policy
	}
	if !slices.ContainsFunc(src.Docs, (*analysis.File).IsPolicyFile) && len(a.Findings) == 0 {
		c.out.put(j.slot, nil)
		return buf // other JSON, or a file named by hand that is no policy
	}
	var placed []report.Finding
	var placer *report.Placer // one for the file's documents, made for the first finding
	a.ByDocument(func(doc *analysis.File, fs []analysis.Finding) {
		kind := ""
		if doc != nil {
			kind = string(doc.Kind)
		}
		if c.observe != nil {
			c.observe(abs, kind, fs)
		}
		if placer == nil {
			placer = report.NewPlacer(c.display(abs), src.Text, c.langFor(cfg), c.relatedSource(abs, sets))
		}
		placed = append(placed, placer.Place(kind, fs)...)
	})
	c.add(j.slot, len(src.Docs), placed)
	return buf
}

// read reads the documents of a file read into a worker's buffer. When
// each file's findings are rendered as soon as they are placed (render),
// nothing of its documents is used once they are recycled, before the
// next file is read into the buffer: their trees share the buffer
// (tree.ReadBorrowed) instead of copying it, a quarter of the memory
// check allocated over a tree (issue 16). Findings kept whole (a test's
// checker, which renders none) keep their strings in copies.
func (c *checker) read(path string, text []byte, cfg *analysis.Config) *tree.Source {
	if c.render == nil {
		return tree.Read(path, text, cfg)
	}
	return tree.ReadBorrowed(path, text, cfg)
}

// unreadable reports a file a worker could not read; one handed over
// during the walk waits for its end (reportAloneErrors).
func (c *checker) unreadable(j job, err error) {
	c.out.put(j.slot, nil)
	if !j.alone {
		c.ioError(j.abs, err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.aloneErrors = append(c.aloneErrors, pathError{j.abs, err})
}

// add records the findings of one file: sorted (and rendered) here, on
// every core, so that what is left after the walk is to order the files.
func (c *checker) add(slot, docs int, placed []report.Finding) {
	c.record(slot, docs, c.batchOf(placed))
}

// batchOf sorts one file's findings, and renders them with --format json:
// then they keep only what check reads of them after the analysis, their
// file (the order of the files) and severity (the exit code), so that
// their text is not held twice (40 MB of peak RSS over 10,000 files).
func (c *checker) batchOf(placed []report.Finding) batch {
	report.Sort(placed)
	b := batch{findings: placed}
	if c.render != nil && len(placed) > 0 {
		b.rendered = c.render(renderBuffer(), placed)
		for i, f := range placed {
			placed[i] = report.Finding{File: f.File, Severity: f.Severity}
		}
	}
	return b
}

// record keeps the findings of one file, or writes them when the file
// has a place in out.
func (c *checker) record(slot, docs int, b batch) {
	c.mu.Lock()
	c.files += docs
	if slot == noSlot {
		if len(b.findings) > 0 {
			c.batches = append(c.batches, b)
		}
		c.mu.Unlock()
		return
	}
	c.written.add(b.findings) // all the summary and the exit code need of them
	c.mu.Unlock()
	c.out.put(slot, b.rendered)
}

// sorted is every finding in report.Sort's order. Each batch holds one
// file's findings (Place gives them all its name) and no two batches the
// same file, so ordering the batches by file gives what report.Sort of
// them all together would, in a sort of files rather than of findings.
// rendered are the batches' JSON elements in that order.
func (c *checker) sorted() (findings []report.Finding, rendered [][]byte) {
	slices.SortFunc(c.batches, func(a, b batch) int { return cmp.Compare(a.findings[0].File, b.findings[0].File) })
	n := 0
	for _, b := range c.batches {
		n += len(b.findings)
	}
	findings = make([]report.Finding, 0, n)
	rendered = make([][]byte, 0, len(c.batches))
	for _, b := range c.batches {
		findings = append(findings, b.findings...)
		rendered = append(rendered, b.rendered)
	}
	return findings, rendered
}

// relatedSource gives the files that the findings of abs point at, named
// relative to its folder: the text of a file of sets as read already
// (the same text the findings were made from), else from disk.
func (c *checker) relatedSource(abs string, sets []*tree.Set) report.RelatedSource {
	return func(name string) (string, []byte, bool) {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(abs), name)
		}
		if _, src := tree.SetOf(sets, path); src != nil {
			return c.display(path), src.Text, true
		}
		text, err := os.ReadFile(path)
		return c.display(path), text, err == nil
	}
}

// configFor returns the .s3policy.json that governs a file: the nearest in
// its folder or above, up to stop.
func (c *checker) configFor(abs, stop string) *analysis.Config {
	key := filepath.Dir(abs) + "\x00" + stop
	p, ok := c.lookups[key]
	if !ok {
		p = tree.FindConfigBy(c.readableConfig, abs, stop)
		c.lookups[key] = p
	}
	if p == "" {
		return nil
	}
	return c.loadConfig(p)
}

// readableConfig is tree.Disk's CanRead, once a path: configFor asks it
// of the candidate configs of every folder the walk lists.
func (c *checker) readableConfig(path string) bool {
	ok, known := c.readable[path]
	if !known {
		ok = tree.Disk{}.CanRead(path)
		c.readable[path] = ok
	}
	return ok
}

// loadConfig parses a .s3policy.json once and reports its findings once.
func (c *checker) loadConfig(abs string) *analysis.Config {
	if cfg, ok := c.configs[abs]; ok {
		return cfg
	}
	slot, listed := c.configSlots[abs]
	if !listed {
		slot = noSlot
	}
	src, cfg, fs, read := c.loader.Config(abs) // as a walk's sets read it
	if !read {
		var err error
		if src, err = os.ReadFile(abs); err != nil {
			c.configs[abs] = nil
			c.out.put(slot, nil)
			c.ioError(abs, err)
			return nil
		}
		cfg, fs = analysis.ParseConfig(filepath.ToSlash(filepath.Dir(abs)), src)
	}
	c.configs[abs] = cfg
	if c.observe != nil {
		c.observe(abs, report.KindConfig, fs)
	}
	c.add(slot, 1, report.Place(c.display(abs), src, report.KindConfig, fs, c.langFor(cfg), c.relatedSource(abs, nil)))
	return cfg
}
