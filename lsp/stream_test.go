package lsp

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// TestStreamResyncsAfterWrongContentLength: after a frame whose
// Content-Length is too small or too large, the frames that follow are
// read whole; a message whose text holds "Content-Length:" is not cut.
func TestStreamResyncsAfterWrongContentLength(t *testing.T) {
	msg := func(method string) string { return fmt.Sprintf(`{"jsonrpc":"2.0","method":%q,"params":{}}`, method) }
	withHeader := `{"jsonrpc":"2.0","method":"text","params":{"text":"x}\r\nContent-Length: 12\r\n\r\n"}}`
	for _, tc := range []struct {
		name, input string
		want        []string
	}{
		{"too small", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(msg("a"))-5, msg("a")) + frame(msg("b")) + frame(msg("c")), []string{"b", "c"}},
		{"too large", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(msg("a"))+30, msg("a")) + frame(msg("b")) + frame(msg("c")), []string{"a", "b", "c"}},
		{"far too large", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(msg("a"))+80, msg("a")) + frame(msg("b")) + frame(msg("c")) + frame(msg("d")), []string{"a", "b", "c", "d"}},
		{"header inside a message", frame(withHeader) + frame(msg("b")), []string{"text", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server, client := net.Pipe()
			defer client.Close()
			s := newStream(server, func(string, ...any) {})
			go fmt.Fprint(client, tc.input)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for _, want := range tc.want {
				m, _, err := s.Read(ctx)
				if err != nil {
					t.Fatalf("reading %q: %v", want, err)
				}
				if got := m.(*jsonrpc2.Notification).Method(); got != want {
					t.Fatalf("read %q, want %q", got, want)
				}
			}
		})
	}
}

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }
