package lsp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// maxFrame bounds the Content-Length a client may announce, so that a
// corrupt header cannot make the server allocate gigabytes.
const maxFrame = 256 << 20

// stream frames JSON-RPC messages with Content-Length headers, like
// jsonrpc2.NewStream, but survives a malformed frame: jsonrpc2's conn
// closes the connection on any Read error, so a bad header or a body that
// is not a JSON-RPC message is logged and skipped here instead.
type stream struct {
	rwc io.ReadWriteCloser
	src io.Reader // what in reads: rwc, after bytes given back by resync
	in  *bufio.Reader
	log func(format string, args ...any)

	writeMu sync.Mutex
}

func newStream(rwc io.ReadWriteCloser, log func(string, ...any)) *stream {
	return &stream{rwc: rwc, src: rwc, in: bufio.NewReader(rwc), log: log}
}

// Read returns the next well-formed message; only an I/O error ends it.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		body, n, err := s.readFrame()
		if err != nil {
			if _, bad := err.(frameError); bad {
				s.log("skipping a malformed frame: %v", err)
				continue
			}
			return nil, n, err
		}
		body = s.resyncBody(body)
		msg, err := jsonrpc2.DecodeMessage(body)
		if err != nil {
			s.log("skipping a frame that is not a JSON-RPC message: %v", err)
			continue
		}
		return msg, n, nil
	}
}

// contentLength starts the header every frame has.
const contentLength = "Content-Length:"

// resyncBody handles a body that runs into the next frame because its
// Content-Length was too large: it gives back to the reader what follows
// the message, from the next Content-Length header on, and returns the
// message alone. A body that ends as a JSON object does is left as is
// (the cheap test that spares every normal message the search).
func (s *stream) resyncBody(body []byte) []byte {
	trimmed := bytes.TrimRight(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[len(trimmed)-1] == '}' {
		return body
	}
	cut := -1
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(contentLength))
		if j < 0 {
			break
		}
		i += j
		if cut < 0 || json.Valid(body[:i]) {
			cut = i // the first header after a whole message, else the first one
		}
		if json.Valid(body[:i]) {
			break
		}
		i++
	}
	if cut < 0 {
		return body
	}
	s.log("a frame ran into the next one (Content-Length too large?): reading again from its header")
	buffered, _ := s.in.Peek(s.in.Buffered())
	again := slices.Concat(body[cut:], buffered)
	s.src = io.MultiReader(bytes.NewReader(again), s.src)
	s.in.Reset(s.src)
	return body[:cut]
}

// frameError is a framing problem after which reading can go on.
type frameError string

func (e frameError) Error() string { return string(e) }

// readFrame reads the header block up to its empty line, then the body.
// After a bad header line it reads on to the empty line and the body, so
// that the next frame starts in step.
func (s *stream) readFrame() ([]byte, int64, error) {
	var total int64
	length := -1
	var bad frameError
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			return nil, total, err
		}
		line = strings.TrimSpace(line)
		if i := strings.Index(line, contentLength); i > 0 {
			// What a Content-Length too small left of a body runs into the
			// next header: skip it and read the frame from its header.
			s.log("skipping %d bytes before a header (Content-Length too small?)", i)
			line, length, bad = line[i:], -1, ""
		}
		if line == "" {
			if total <= 2 { // a stray blank line between frames
				total = 0
				continue
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = frameError(fmt.Sprintf("invalid header line %q", line))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n <= 0 || n > maxFrame {
				bad = frameError(fmt.Sprintf("invalid Content-Length %q", value))
				continue
			}
			length = n
		}
	}
	if length < 0 {
		return nil, total, frameError("missing Content-Length header")
	}
	body := make([]byte, length)
	n, err := io.ReadFull(s.in, body)
	total += int64(n)
	if err != nil {
		return nil, total, err
	}
	if bad != "" { // the body is read all the same, to stay in step
		return nil, total, bad
	}
	return body, total, nil
}

// Write sends one message with its Content-Length header, in one write
// so that concurrent writers cannot interleave.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeFrame(ctx, append([]byte(contentLength+" "+strconv.Itoa(len(data))+"\r\n\r\n"), data...))
}

// writeFrame sends a message already framed, as Write does.
func (s *stream) writeFrame(ctx context.Context, frame []byte) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	n, err := s.rwc.Write(frame)
	return int64(n), err
}

func (s *stream) Close() error { return s.rwc.Close() }
