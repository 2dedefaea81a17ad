package lsp

import (
	"hash/fnv"

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
// encoded.
type diagnosticsMessage struct {
	body []byte // the JSON-RPC message, byte for byte what jsonrpc2 sent
	hash uint64 // of its params: the URI, the version and the diagnostics
}

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
	body := append(make([]byte, 0, 512), publishPrefix...)
	// The flags of json.Marshal, with which jsonrpc2 encoded the params.
	body, err := json.Append(body, params, json.EscapeHTML|json.SortMapKeys)
	if err != nil {
		return diagnosticsMessage{}, err
	}
	h := fnv.New64a()
	_, _ = h.Write(body[len(publishPrefix):])
	return diagnosticsMessage{body: append(body, '}'), hash: h.Sum64()}, nil
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

// send writes an encoded notification to the client.
func (s *Server) send(m diagnosticsMessage) {
	if _, err := s.out.writeBody(s.ctx, m.body); err != nil && s.ctx.Err() == nil {
		s.logf("publishing diagnostics: %v", err)
	}
}

// publish sends a file's diagnostics.
func (s *Server) publish(u protocol.DocumentURI, version int32, diags []protocol.Diagnostic) {
	if m, ok := s.encode(u, version, diags); ok {
		s.send(m)
	}
}
