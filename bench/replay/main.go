// Command replay measures the floor of bench/coldscan: the time for any
// server to deliver a scan's diagnostics to coldscan's client over stdio
// on this machine. It records the bytes the real server writes to stdout
// during a coldscan run, then plays them back as a server that does no
// work: it answers initialize and shutdown as the recording did and, on
// initialized, writes every recorded notification in one write, as fast as
// the pipe takes them. coldscan against it measures the client's decode
// and the pipe; `replay -floor` measures the pipe alone (frames read, not
// decoded).
//
// coldscan starts its server as `SERVER serve [ARGS]`, so replay takes
// that form and is told what to do by its environment:
//
//	# record: replay runs the real server, passes stdin through and copies its stdout to the file
//	REPLAY_RECORD=/tmp/scan.lsp REPLAY_SERVER=/tmp/s3policy-lsp \
//	    coldscan -server /tmp/replay -tree /tmp/gov-10000 -check-json /tmp/gov10k.json
//	# replay the recording to coldscan's client: client decode + pipe
//	REPLAY_FROM=/tmp/scan.lsp coldscan -server /tmp/replay -tree /tmp/gov-10000 -check-json /tmp/gov10k.json
//	# the pipe alone: frames read up to the last publish with diagnostics, nothing decoded
//	replay -floor /tmp/scan.lsp
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/internal/lspclient"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		serve()
		return
	}
	floor := flag.String("floor", "", "a recording: start replay as its server, initialize, and time reading its frames up to the last publish with diagnostics, without decoding them")
	flag.Usage = func() {
		fmt.Fprint(os.Stderr, `usage: replay -floor RECORDING
       REPLAY_RECORD=FILE REPLAY_SERVER=BIN replay serve [ARGS]   (run BIN serve ARGS, copy its stdout to FILE)
       REPLAY_FROM=FILE replay serve [ARGS]                       (play FILE back as a server; ARGS ignored)

replay measures the floor of bench/coldscan: the time for any server to
deliver a recorded scan's diagnostics over stdio. Give it to coldscan as
its -server with REPLAY_RECORD (once, with the real server) and then with
REPLAY_FROM; -floor times the pipe alone. The recording is the server's
stdout as it was: Content-Length frames.
`)
		flag.PrintDefaults()
	}
	flag.Parse()
	if *floor == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	took, frames, err := pipeFloor(*floor)
	if err != nil {
		fail(err)
	}
	// One line, as coldscan's: seconds, frames read.
	fmt.Printf("%.3f %d\n", took.Seconds(), frames)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "replay:", err)
	os.Exit(1)
}

// serve is replay as coldscan's server: recording the real one, or
// playing a recording back.
func serve() {
	var err error
	switch server := os.Getenv("REPLAY_SERVER"); {
	case os.Getenv("REPLAY_RECORD") != "" && server != "":
		err = record1(server, os.Getenv("REPLAY_RECORD"), os.Args[1:])
	case os.Getenv("REPLAY_FROM") != "":
		err = playBack(os.Getenv("REPLAY_FROM"), os.Stdin, os.Stdout)
	default:
		err = errors.New("replay serve: set REPLAY_FROM, or REPLAY_RECORD and REPLAY_SERVER (replay -h)")
	}
	if err != nil {
		fail(err)
	}
}

// record1 runs the server with args, its stdin and stderr ours, and copies
// what it writes to stdout both to ours and to the file. The server runs
// without REPLAY_RECORD and REPLAY_SERVER: it may be replay playing back.
func record1(server, path string, args []string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(server, args...)
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	cmd.Env = append(os.Environ(), "REPLAY_RECORD=", "REPLAY_SERVER=")
	cmd.Stdout = io.MultiWriter(os.Stdout, out)
	if err := cmd.Run(); err != nil {
		return err
	}
	return out.Close()
}

// A recording is the server's frames split into the answers to the
// client's requests, in order, and everything else it wrote: its
// notifications and its own requests, already framed, in one buffer.
type recording struct {
	answers [][]byte // bodies
	stream  []byte   // frames, as recorded
	// findingFrames is how many frames of stream end with the last
	// publishDiagnostics with diagnostics: what coldscan waits for.
	findingFrames int
}

// load reads and splits a recording.
func load(path string) (*recording, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return split(data)
}

// split splits the server's stdout into frames and sorts them.
func split(data []byte) (*recording, error) {
	rec := &recording{stream: make([]byte, 0, len(data))}
	for frames := 0; len(data) > 0; {
		frame, body, rest, err := cutFrame(data)
		if err != nil {
			return nil, err
		}
		data = rest
		answer, err := isAnswer(body)
		if err != nil {
			return nil, err
		}
		if answer {
			rec.answers = append(rec.answers, body)
			continue
		}
		rec.stream = append(rec.stream, frame...)
		frames++
		if bytes.Contains(body[:min(len(body), 64)], []byte(`"textDocument/publishDiagnostics"`)) &&
			!bytes.HasSuffix(body, []byte(`"diagnostics":[]}}`)) {
			rec.findingFrames = frames
		}
	}
	return rec, nil
}

// cutFrame cuts the first Content-Length frame off data.
func cutFrame(data []byte) (frame, body, rest []byte, err error) {
	header, _, ok := bytes.Cut(data, []byte("\r\n\r\n"))
	if !ok {
		return nil, nil, nil, fmt.Errorf("a frame without the end of its header: %.40q", data)
	}
	length := -1
	for _, line := range strings.Split(string(header), "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	start := len(header) + 4
	if length < 0 || start+length > len(data) {
		return nil, nil, nil, fmt.Errorf("a frame of %d bytes with %d left: %.40q", length, len(data)-start, data)
	}
	return data[:start+length], data[start : start+length], data[start+length:], nil
}

// isAnswer reports whether a body is an answer (no method). The server
// writes "jsonrpc" first and then "method" or "result"; a body that does
// not begin so is decoded.
func isAnswer(body []byte) (bool, error) {
	switch {
	case bytes.HasPrefix(body, []byte(`{"jsonrpc":"2.0","method"`)):
		return false, nil
	case bytes.HasPrefix(body, []byte(`{"jsonrpc":"2.0","result"`)), bytes.HasPrefix(body, []byte(`{"jsonrpc":"2.0","error"`)):
		return true, nil
	}
	var m struct {
		Method string `json:"method"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return false, fmt.Errorf("a frame that is not JSON-RPC: %v", err)
	}
	return m.Method == "", nil
}

// playBack loads the recording and serves it: the client's requests get
// the recorded answers in order, with their own ids (null once those run
// out), initialized gets the whole stream in one write, exit ends it.
func playBack(path string, in io.Reader, out io.Writer) error {
	rec, err := load(path)
	if err != nil {
		return err
	}
	var writeMu sync.Mutex
	write := func(b []byte) error {
		writeMu.Lock()
		defer writeMu.Unlock()
		_, err := out.Write(b)
		return err
	}
	streamed := make(chan error, 1)
	r := bufio.NewReader(in)
	for {
		body, err := lspclient.ReadFrame(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return err
		}
		switch {
		case m.Method == "initialized":
			go func() { streamed <- write(rec.stream) }()
		case m.Method == "exit":
			return nil
		case m.Method != "" && len(m.ID) > 0: // a request: its recorded answer
			if m.Method == "shutdown" {
				// The real server wrote everything before its answer.
				if err := <-streamed; err != nil {
					return err
				}
			}
			answer := []byte(`{"jsonrpc":"2.0","result":null}`)
			if len(rec.answers) > 0 {
				answer, rec.answers = rec.answers[0], rec.answers[1:]
			}
			if answer, err = withID(answer, m.ID); err != nil {
				return err
			}
			if err := write(lspclient.Frame(answer)); err != nil {
				return err
			}
		}
	}
}

// withID gives a recorded answer the id of the request it now answers.
func withID(answer []byte, id json.RawMessage) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(answer, &fields); err != nil {
		return nil, err
	}
	fields["id"] = id
	return json.Marshal(fields)
}

// pipeFloor starts replay as the recording's server and times, from its
// start, reading its frames up to the last publish with diagnostics, as
// coldscan does but without decoding them: the pipe's share of the floor.
func pipeFloor(path string) (time.Duration, int, error) {
	rec, err := load(path) // before the clock: only to know how far to read
	if err != nil {
		return 0, 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	cmd := exec.Command(self, "serve")
	cmd.Env = append(os.Environ(), "REPLAY_FROM="+path, "REPLAY_RECORD=", "REPLAY_SERVER=")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer cmd.Wait()
	defer in.Close() // EOF ends the server
	r := bufio.NewReaderSize(out, 64<<10)
	send := func(body string) error { _, err := in.Write(lspclient.Frame([]byte(body))); return err }
	if err := send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}`); err != nil {
		return 0, 0, err
	}
	if _, err := lspclient.ReadFrame(r); err != nil { // its answer
		return 0, 0, err
	}
	if err := send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`); err != nil {
		return 0, 0, err
	}
	for frames := 0; frames < rec.findingFrames; frames++ {
		if _, err := lspclient.ReadFrame(r); err != nil {
			return 0, 0, err
		}
	}
	return time.Since(t0), rec.findingFrames, nil
}
