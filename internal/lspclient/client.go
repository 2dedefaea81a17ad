// Package lspclient speaks the Language Server Protocol to a server
// process over its stdin and stdout, for the tests and benchmarks that
// drive the real binary. It records every publishDiagnostics with its
// arrival time, answers the server's own requests with null, and can
// write raw bytes for tests of malformed frames.
package lspclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// Client is one server process and the client end of its protocol.
type Client struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	Stderr Buffer // the server's log

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan Message
	answers map[string]Message // answers to requests sent raw, by id
	pubs    []Published
	notes   []Message     // the server's other notifications ($/progress, window/logMessage, ...)
	arrived chan struct{} // closed and replaced on every publish, other notification and raw answer
	exited  chan struct{}
	exitErr error
	readErr error // what the client could not read, when it stopped the server
}

// Message is one JSON-RPC message as read from the server.
type Message struct {
	ID     json.RawMessage // absent in a notification
	Method string
	Params json.RawMessage // nil in a publishDiagnostics: see Published
	Result json.RawMessage
	Error  *Error
	// Published is a publishDiagnostics's params, as far as they are
	// picked out on arrival.
	Published *Published
}

// Error is a JSON-RPC error answer.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("JSON-RPC error %d: %s", e.Code, e.Message) }

// Published is one textDocument/publishDiagnostics, with when it arrived.
// What a timing needs is picked out on arrival; the diagnostics themselves
// are kept as the server wrote them and decoded only when a caller asks
// (a test that compares them, coldscan -published), so that the harness
// does not spend the measured cores on a decode nobody reads.
type Published struct {
	URI     string
	Version *int
	// HasDiagnostics is whether the list is not empty: what a timing waits
	// for.
	HasDiagnostics bool
	At             time.Time
	list           string // the diagnostics array as written; "" when absent or null
}

// Diagnostics decodes the published diagnostics (on every call): nil when
// the server sent none or null, as encoding/json gives.
func (p Published) Diagnostics() ([]Diagnostic, error) {
	if p.list == "" {
		return nil, nil
	}
	var ds []Diagnostic
	if err := json.Unmarshal([]byte(p.list), &ds); err != nil {
		return nil, fmt.Errorf("the diagnostics published for %s: %w", p.URI, err)
	}
	return ds, nil
}

// Raw is the diagnostics array as the server wrote it, related
// information and every other field included ("" when absent or null):
// two servers' publications compare byte for byte.
func (p Published) Raw() string { return p.list }

// Diagnostic is the part of an LSP diagnostic the tests compare.
type Diagnostic struct {
	Range    Range  `json:"range"`
	Severity int    `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// Range and Position are LSP's, zero-based in UTF-16 code units.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Start runs bin with args in dir (the current folder when empty).
func Start(bin, dir string, args ...string) (*Client, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if os.Getenv("S3POLICY_LSP_CACHE") == "" {
		// A harness's server keeps no diagnostics in the user's cache
		// folder, unless the caller says where (serve --cache wins).
		cmd.Env = append(os.Environ(), "S3POLICY_LSP_CACHE=off")
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &Client{cmd: cmd, in: in, pending: map[int64]chan Message{}, answers: map[string]Message{}, arrived: make(chan struct{}), exited: make(chan struct{})}
	cmd.Stderr = &c.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	readDone := make(chan struct{})
	go func() {
		// Up to a pipe's whole buffer a read: a scan's thousands of
		// small frames in a fourteenth of the reads a 4 KB buffer makes.
		c.read(bufio.NewReaderSize(out, 64<<10))
		close(readDone)
	}()
	go func() {
		<-readDone // Wait closes stdout: read it all first
		err := cmd.Wait()
		c.mu.Lock()
		c.exitErr = err
		c.mu.Unlock()
		close(c.exited)
	}()
	return c, nil
}

// Frame wraps a body in its Content-Length header.
func Frame(body []byte) []byte {
	return append([]byte("Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"), body...)
}

// WriteRaw sends bytes as they are.
func (c *Client) WriteRaw(b []byte) error {
	c.writeMu.Lock()
	_, err := c.in.Write(b)
	c.writeMu.Unlock()
	if err != nil {
		return c.writeFailed(err)
	}
	return nil
}

// writeFailed says why a write failed. A server that is gone (stopped for
// writing garbage, or exited) closes the pipe under a writer, and then the
// cause is why it went, not the closed pipe: wait for the exit that
// follows, a short while, to say so.
func (c *Client) writeFailed(err error) error {
	select {
	case <-c.exited:
		return c.gone()
	case <-time.After(5 * time.Second):
		return err
	}
}

func (c *Client) send(msg map[string]any) error {
	msg["jsonrpc"] = "2.0"
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	return c.WriteRaw(Frame(body))
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) error {
	return c.send(map[string]any{"method": method, "params": params})
}

// Go sends a request and returns its id and the channel its answer comes
// on, without waiting.
func (c *Client) Go(method string, params any) (int64, <-chan Message, error) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan Message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	return id, ch, c.send(map[string]any{"id": id, "method": method, "params": params})
}

// Call sends a request and waits for its answer; an error answer is
// returned as *Error.
func (c *Client) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	_, ch, err := c.Go(method, params)
	if err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, m.Error
		}
		return m.Result, nil
	case <-c.exited:
		return nil, fmt.Errorf("%s: %w", method, c.gone())
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no answer: %w", method, ctx.Err())
	}
}

// Initialize runs initialize and initialized with empty capabilities.
func (c *Client) Initialize(ctx context.Context, rootURI string) error {
	params := map[string]any{"processId": nil, "capabilities": map[string]any{}}
	if rootURI != "" {
		params["rootUri"] = rootURI
	}
	if _, err := c.Call(ctx, "initialize", params); err != nil {
		return err
	}
	return c.Notify("initialized", map[string]any{})
}

// InitializeWithProgress runs initialize and initialized as an editor
// that shows work-done progress, so that the server reports when its
// first scan ends (ProgressEnded).
func (c *Client) InitializeWithProgress(ctx context.Context, rootURI string) error {
	params := map[string]any{"processId": nil, "rootUri": rootURI,
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}}
	if _, err := c.Call(ctx, "initialize", params); err != nil {
		return err
	}
	return c.Notify("initialized", map[string]any{})
}

// ProgressEnded reports whether a $/progress "end" has arrived.
func (c *Client) ProgressEnded() bool {
	for _, m := range c.Notifications() {
		var p struct {
			Value struct {
				Kind string `json:"kind"`
			} `json:"value"`
		}
		if m.Method == "$/progress" && json.Unmarshal(m.Params, &p) == nil && p.Value.Kind == "end" {
			return true
		}
	}
	return false
}

// Open sends didOpen.
func (c *Client) Open(uri string, version int, text string) error {
	return c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "json", "version": version, "text": text}})
}

// Change sends a didChange that replaces the whole text.
func (c *Client) Change(uri string, version int, text string) error {
	return c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []map[string]any{{"text": text}}})
}

// Published returns every publishDiagnostics received so far, in order.
func (c *Client) Published() []Published {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Published(nil), c.pubs...)
}

// Notifications returns the server's notifications other than
// publishDiagnostics received so far, in order.
func (c *Client) Notifications() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.notes...)
}

// Log is what the server logged: its stderr (errors, warnings, and what
// it logged with no client to tell), then the window/logMessage lines it
// sent, where its ordinary events go while a client listens.
func (c *Client) Log() string {
	var b strings.Builder
	b.WriteString(c.Stderr.String())
	for _, n := range c.Notifications() {
		var p struct{ Message string }
		if n.Method == "window/logMessage" && json.Unmarshal(n.Params, &p) == nil {
			b.WriteString("window/logMessage: " + p.Message + "\n")
		}
	}
	return b.String()
}

// WaitPublished waits until ok holds of the publishes received so far;
// ok is asked again whenever a message arrives, a notification included.
func (c *Client) WaitPublished(ctx context.Context, ok func([]Published) bool) ([]Published, error) {
	for {
		c.mu.Lock()
		pubs, arrived := c.pubs, c.arrived
		c.mu.Unlock()
		if ok(pubs) {
			return append([]Published(nil), pubs...), nil
		}
		select {
		case <-arrived:
		case <-c.exited:
			return nil, c.gone()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// WaitAnswer waits for the answer to a request that was sent raw, by its
// id as JSON text (`"abc"` or `7`).
func (c *Client) WaitAnswer(ctx context.Context, id string) (Message, error) {
	for {
		c.mu.Lock()
		m, ok := c.answers[id]
		delete(c.answers, id)
		arrived := c.arrived
		c.mu.Unlock()
		if ok {
			return m, nil
		}
		select {
		case <-arrived:
		case <-c.exited:
			return Message{}, c.gone()
		case <-ctx.Done():
			return Message{}, fmt.Errorf("no answer to %s: %w", id, ctx.Err())
		}
	}
}

// WaitVersion waits for the publish of uri at version (or a later one)
// and returns it.
func (c *Client) WaitVersion(ctx context.Context, uri string, version int) (Published, error) {
	var got Published
	_, err := c.WaitPublished(ctx, func(pubs []Published) bool {
		for i := len(pubs) - 1; i >= 0; i-- {
			if p := pubs[i]; p.URI == uri && p.Version != nil && *p.Version >= version {
				got = p
				return true
			}
		}
		return false
	})
	return got, err
}

// Shutdown runs shutdown and exit and waits for the process to end.
func (c *Client) Shutdown(ctx context.Context) error {
	if _, err := c.Call(ctx, "shutdown", nil); err != nil {
		return err
	}
	if err := c.Notify("exit", nil); err != nil {
		return err
	}
	select {
	case <-c.exited:
		return c.ExitErr()
	case <-ctx.Done():
		return fmt.Errorf("the server did not exit: %w", ctx.Err())
	}
}

// Kill ends the process if it still runs, and waits for it.
func (c *Client) Kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	_ = c.in.Close()
	<-c.exited
}

// Exited is closed when the process has ended.
func (c *Client) Exited() <-chan struct{} { return c.exited }

// ExitErr is the process's exit error, once Exited is closed.
func (c *Client) ExitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exitErr
}

// Pid is the server's process id.
func (c *Client) Pid() int { return c.cmd.Process.Pid }

func (c *Client) read(r *bufio.Reader) {
	for {
		body, err := ReadFrame(r)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return // the server has closed its output, or was ended
		}
		if err != nil {
			c.stop(err)
			return
		}
		m, err := Decode(body, time.Now())
		if err != nil {
			c.stop(err)
			return
		}
		c.receive(m)
	}
}

// receive files one message from the server and wakes whoever waits on it.
func (c *Client) receive(m Message) {
	switch {
	case m.Published != nil:
		c.mu.Lock()
		c.pubs = append(c.pubs, *m.Published)
		close(c.arrived)
		c.arrived = make(chan struct{})
		c.mu.Unlock()
	case m.Method != "" && len(m.ID) > 0: // a request of the server's
		_ = c.send(map[string]any{"id": m.ID, "result": nil})
	case m.Method != "":
		c.mu.Lock()
		c.notes = append(c.notes, m)
		close(c.arrived)
		c.arrived = make(chan struct{})
		c.mu.Unlock()
	default:
		id, err := strconv.ParseInt(string(m.ID), 10, 64)
		c.mu.Lock()
		ch := c.pending[id]
		delete(c.pending, id)
		if ch == nil || err != nil {
			c.answers[string(m.ID)] = m
			close(c.arrived)
			c.arrived = make(chan struct{})
		}
		c.mu.Unlock()
		if ch != nil && err == nil {
			ch <- m
		}
	}
}

// stop ends a server that wrote what this client cannot read: a run must
// fail rather than go on blind to part of what the server says.
func (c *Client) stop(err error) {
	c.mu.Lock()
	c.readErr = err
	c.mu.Unlock()
	_ = c.cmd.Process.Kill()
}

// gone says why the server is no longer there, for a caller that waited.
func (c *Client) gone() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readErr != nil {
		return fmt.Errorf("the server wrote what the client cannot read (%v) and was stopped; log:\n%s", c.readErr, c.Stderr.String())
	}
	return fmt.Errorf("the server exited (%v); log:\n%s", c.exitErr, c.Stderr.String())
}

const publishDiagnostics = "textDocument/publishDiagnostics"

// Decode reads one frame's body as the client does, at a JSON parser's
// speed rather than encoding/json's: the body must be one whole, valid
// JSON object, or it is an error. A publishDiagnostics comes back as its
// Published (its diagnostics kept as written, for Published.Diagnostics);
// any other message with its parts as written.
func Decode(body []byte, at time.Time) (Message, error) {
	if !gjson.ValidBytes(body) {
		return Message{}, fmt.Errorf("a message that is not JSON: %.80q", body)
	}
	root := gjson.Parse(string(body))
	if !root.IsObject() {
		return Message{}, fmt.Errorf("a message that is not a JSON object: %.80q", body)
	}
	var m Message
	var params gjson.Result
	var err error
	root.ForEach(func(key, value gjson.Result) bool {
		switch key.Str {
		case "id":
			m.ID = json.RawMessage(value.Raw)
		case "method":
			if value.Type != gjson.String {
				err = fmt.Errorf("a method that is not a string: %.80q", body)
			}
			m.Method = value.Str
		case "params":
			params = value
		case "result":
			m.Result = json.RawMessage(value.Raw)
		case "error":
			m.Error = new(Error)
			err = json.Unmarshal([]byte(value.Raw), m.Error)
		}
		return err == nil
	})
	switch {
	case err != nil:
		return Message{}, err
	case m.Method == publishDiagnostics:
		m.Published, err = decodePublished(params, at)
	case params.Exists():
		m.Params = json.RawMessage(params.Raw)
	}
	return m, err
}

// decodePublished picks the URI, the version and the number of diagnostics
// out of a publishDiagnostics's params.
func decodePublished(params gjson.Result, at time.Time) (*Published, error) {
	if !params.IsObject() {
		return nil, fmt.Errorf("a publishDiagnostics whose params are not an object: %.80q", params.Raw)
	}
	p := &Published{At: at}
	var err error
	params.ForEach(func(key, value gjson.Result) bool {
		switch key.Str {
		case "uri":
			if value.Type != gjson.String {
				err = fmt.Errorf("a publishDiagnostics whose uri is not a string: %.80q", value.Raw)
			}
			p.URI = value.Str
		case "version":
			p.Version, err = decodeVersion(value)
		case "diagnostics":
			p.list, err = diagnosticsList(value)
			p.HasDiagnostics = p.list != "" && p.list != "[]"
		}
		return err == nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.URI, err)
	}
	return p, nil
}

// decodeVersion reads a publish's version: an integer, or null.
func decodeVersion(value gjson.Result) (*int, error) {
	if value.Type == gjson.Null {
		return nil, nil
	}
	v, err := strconv.Atoi(value.Raw)
	if value.Type != gjson.Number || err != nil {
		return nil, fmt.Errorf("a version that is not an integer: %.80q", value.Raw)
	}
	return &v, nil
}

// diagnosticsList returns a publish's diagnostics array as written, its
// brackets' inner spaces trimmed ("" for null). Its elements are not looked
// at: Published.Diagnostics decodes them.
func diagnosticsList(value gjson.Result) (string, error) {
	if value.Type == gjson.Null {
		return "", nil
	}
	if !value.IsArray() {
		return "", fmt.Errorf("diagnostics that are not an array: %.80q", value.Raw)
	}
	if inner := strings.TrimSpace(value.Raw[1 : len(value.Raw)-1]); inner == "" {
		return "[]", nil
	}
	return value.Raw, nil
}

// ReadFrame reads one Content-Length frame and returns its body.
func ReadFrame(r *bufio.Reader) ([]byte, error) {
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil {
				return nil, err
			}
		}
	}
	if length < 0 {
		return nil, fmt.Errorf("no Content-Length")
	}
	body := make([]byte, length)
	_, err := io.ReadFull(r, body)
	return body, err
}

// Buffer is a bytes.Buffer safe for the writer goroutine of exec.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StatusKB reads a memory field of /proc/PID/status in KB, such as "VmRSS"
// (resident now) or "VmHWM" (the peak).
func StatusKB(pid int, field string) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s for process %d", field, pid)
}
