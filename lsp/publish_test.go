package lsp

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// TestDiagnosticsEncodedOnceAreWhatJSONRPCSent: the frame the server
// writes for a file's diagnostics, encoded once, is byte for byte the one
// it wrote when jsonrpc2 encoded the params and the stream the message
// (conn.Notify), for texts JSON escapes (HTML, U+2028, bytes that are not
// UTF-8, control characters), related locations, a version or none, no
// diagnostic, and in a buffer given back by a longer message; and its
// hash tells apart what differs.
func TestDiagnosticsEncodedOnceAreWhatJSONRPCSent(t *testing.T) {
	u := protocol.DocumentURI("file:///w/a%20b/p<&>.json")
	full := protocol.Diagnostic{
		Range:           protocol.Range{Start: protocol.Position{Line: 3, Character: 4}, End: protocol.Position{Line: 3, Character: 19}},
		Severity:        protocol.DiagnosticSeverityWarning,
		Code:            "deny-blocks-access",
		CodeDescription: &protocol.CodeDescription{Href: "https://example.com/doc?a=1&b=<2>"},
		Source:          Source,
		Message:         "a <b> & c \u2028 \u2029 \"q\" \\ \t\x01 \xff\xfe 読み取り 😀",
		RelatedInformation: []protocol.DiagnosticRelatedInformation{
			{Location: protocol.Location{URI: "file:///w/other.json", Range: protocol.Range{End: protocol.Position{Line: 1}}}, Message: "grant & <deny>"},
			{Location: protocol.Location{URI: u}, Message: ""},
		},
	}
	plain := protocol.Diagnostic{Severity: protocol.DiagnosticSeverityError, Code: "x", Source: Source, Message: "plain"}
	for _, tc := range []struct {
		name    string
		version int32
		diags   []protocol.Diagnostic
	}{
		{"none", 0, []protocol.Diagnostic{}},
		{"nil", 0, nil},
		{"closed file", 0, []protocol.Diagnostic{full, plain}},
		{"open document", 7, []protocol.Diagnostic{plain, full}},
		{"one, in a buffer a longer message used", 0, []protocol.Diagnostic{plain}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := encodeDiagnostics(u, tc.version, tc.diags)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := m.frame, jsonrpc2Frame(t, u, tc.version, tc.diags); !bytes.Equal(got, want) {
				t.Errorf("encoded once:\n%s\njsonrpc2:\n%s", got, want)
			}
			m.release()
		})
	}
	hashOf := func(version int32, diags ...protocol.Diagnostic) uint64 {
		m, err := encodeDiagnostics(u, version, diags)
		if err != nil {
			t.Fatal(err)
		}
		return m.hash
	}
	moved := full
	moved.Range.End.Character++
	if hashOf(0, full) != hashOf(0, full) {
		t.Error("the same diagnostics hash apart")
	}
	for _, other := range []uint64{hashOf(0, moved), hashOf(0, full, plain), hashOf(0), hashOf(2, full)} {
		if other == hashOf(0, full) {
			t.Error("different diagnostics (a range, one more, none, a version) hash alike")
		}
	}
}

// jsonrpc2Frame is the frame a publishDiagnostics notification was
// written as before: the params encoded by jsonrpc2.NewNotification, the
// message by the stream's Write.
func jsonrpc2Frame(t *testing.T, u protocol.DocumentURI, version int32, diags []protocol.Diagnostic) []byte {
	t.Helper()
	if diags == nil {
		diags = []protocol.Diagnostic{} // as publish sent nil
	}
	params := &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: diags}
	if version > 0 {
		params.Version = uint32(version)
	}
	n, err := jsonrpc2.NewNotification(protocol.MethodTextDocumentPublishDiagnostics, params)
	if err != nil {
		t.Fatal(err)
	}
	return frameOf(t, func(s *stream) {
		if _, err := s.Write(context.Background(), n); err != nil {
			t.Error(err)
		}
	})
}

// frameOf returns what write writes on a stream.
func frameOf(t *testing.T, write func(*stream)) []byte {
	t.Helper()
	server, client := net.Pipe()
	defer client.Close()
	s := newStream(server, t.Logf)
	go func() {
		write(s)
		server.Close()
	}()
	out, err := io.ReadAll(client)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
