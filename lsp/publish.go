package lsp

import (
	"hash/fnv"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/protocol"
)

// A file's diagnostics are encoded once, into the message that goes to
// the client, and the server keeps the hash of those bytes (the hash per
// published file with which it skips a publish the client has). Before,
// they were encoded for the hash, then again by jsonrpc2 for its params
// and twice more on the way out (each Marshal of a raw message compacts
// it): 8 % of the first scan's CPU at 10,000 governed policies, under the
// lock the back's workers publish with.

// diagnosticsMessage is a textDocument/publishDiagnostics notification,
// encoded in a buffer of frameBuffers, which release gives back once it
// is sent, or not to be sent.
type diagnosticsMessage struct {
	frame  []byte  // its Content-Length header and the JSON-RPC message, byte for byte what jsonrpc2 sent
	hash   uint64  // of its params: the URI, the version and the diagnostics
	params []byte  // the params' JSON, within frame
	buf    *[]byte // the buffer of frameBuffers frame is in
}

// frameBuffers are the buffers the diagnostics are encoded in, one a
// file being published: 34 of 446 MB allocated by the first scan of
// 10,000 governed policies went to encoding them and framing the
// message.
var frameBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooled is the largest buffer given back to frameBuffers: one that
// grew larger (a file of thousands of findings) is left to the collector.
const maxPooled = 64 << 10

// headerRoom is the room left before the message for its Content-Length
// header, written once the message's length is known.
const headerRoom = len(contentLength+" \r\n\r\n") + 20

// publishPrefix starts the message, as jsonrpc2 writes a notification:
// its version, method, then its params.
const publishPrefix = `{"jsonrpc":"2.0","method":"` + protocol.MethodTextDocumentPublishDiagnostics + `","params":`

// encodeDiagnostics encodes the notification of a file's diagnostics; a
// version of 0 is none (a closed file). nil diagnostics go out as [],
// never null.
func encodeDiagnostics(u protocol.DocumentURI, version int32, diags []protocol.Diagnostic) (diagnosticsMessage, error) {
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	params := &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}
	if version > 0 {
		params.Version = uint32(version)
	}
	m, b := newMessage()
	b, err := json.Append(b, params, jsonFlags)
	*m.buf = b
	if err != nil {
		m.release()
		return diagnosticsMessage{}, err
	}
	m.hash = paramsHash(b[headerRoom+len(publishPrefix):])
	return m.framed(b), nil
}

// jsonFlags are the flags of json.Marshal, with which jsonrpc2 encoded
// the params.
const jsonFlags = json.EscapeHTML | json.SortMapKeys

// newMessage takes a buffer of frameBuffers and starts a message in it:
// room for its header, then publishPrefix.
func newMessage() (diagnosticsMessage, []byte) {
	m := diagnosticsMessage{buf: frameBuffers.Get().(*[]byte)}
	b := append((*m.buf)[:0], make([]byte, headerRoom)...)
	return m, append(b, publishPrefix...)
}

// message encodes the notification of the file's diagnostics as
// encodeDiagnostics(u, version, a.diagnostics()) does, byte for byte,
// without making them (appendDiagnostics).
func (a *analysed) message(u protocol.DocumentURI, version int32) diagnosticsMessage {
	m, b := newMessage()
	b = append(b, `{"uri":`...)
	b = appendJSONString(b, string(u))
	if version > 0 {
		b = append(b, `,"version":`...)
		b = strconv.AppendUint(b, uint64(uint32(version)), 10)
	}
	b = append(b, `,"diagnostics":`...)
	b = a.appendDiagnostics(b)
	b = append(b, '}')
	*m.buf = b
	m.hash = paramsHash(b[headerRoom+len(publishPrefix):])
	return m.framed(b)
}

// appendJSONString appends s as a JSON string, as json.Append escapes it
// with jsonFlags; a string of printable ASCII with nothing to escape (a
// code, a path, an English message) is copied as it is, any other is
// left to json.Append.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ = json.Append(b, s, jsonFlags) // a string never fails
			return b
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// paramsHash is the hash of a notification's params by which the server
// knows what the client has.
func paramsHash(params []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(params)
	return h.Sum64()
}

// framedParams makes the notification of params encoded before (a
// cache's, with their paramsHash, kept with them), in a buffer of
// frameBuffers.
func framedParams(params []byte, hash uint64) diagnosticsMessage {
	m, b := newMessage()
	m.hash = hash
	b = append(b, params...)
	return m.framed(b)
}

// framed ends the message b holds (its params after publishPrefix, room
// for the header before) and writes its header.
func (m diagnosticsMessage) framed(b []byte) diagnosticsMessage {
	b = append(b, '}')
	*m.buf = b
	m.params = b[headerRoom+len(publishPrefix) : len(b)-1]
	header := contentLength + " " + strconv.Itoa(len(b)-headerRoom) + "\r\n\r\n"
	start := headerRoom - len(header)
	copy(b[start:], header)
	m.frame = b[start:]
	return m
}

// release gives the message's buffer back: its frame is not read after.
func (m diagnosticsMessage) release() {
	if m.buf != nil && cap(*m.buf) <= maxPooled {
		frameBuffers.Put(m.buf)
	}
}

// encode encodes a file's diagnostics, logging the failure it never
// expects (ok is false then).
func (s *Server) encode(u protocol.DocumentURI, version int32, diags []protocol.Diagnostic) (m diagnosticsMessage, ok bool) {
	m, err := encodeDiagnostics(u, version, diags)
	if err != nil {
		s.logf("encoding the diagnostics of %s: %v", u, err)
		return m, false
	}
	return m, true
}

// send writes an encoded notification to the client; the caller
// releases it.
func (s *Server) send(m diagnosticsMessage) {
	if _, err := s.out.writeFrame(s.ctx, m.frame); err != nil && s.ctx.Err() == nil {
		s.logf("publishing diagnostics: %v", err)
	}
}

// publish sends a file's diagnostics.
func (s *Server) publish(u protocol.DocumentURI, version int32, diags []protocol.Diagnostic) {
	if m, ok := s.encode(u, version, diags); ok {
		s.send(m)
		m.release()
	}
}
