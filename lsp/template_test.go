package lsp_test

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A YAML CloudFormation template in the editor: the diagnostic sits on
// the scalar (in UTF-16 after Japanese and an emoji on the same line),
// the quick fix is written in the scalar's YAML style, the diagnostic is
// gone after it, and the outline names each policy by its resource.
func TestYAMLTemplateQuickFix(t *testing.T) {
	const templateURI = "file:///work/p/stack.yaml"
	text := "AWSTemplateFormatVersion: '2010-09-09'\n" +
		"Resources:\n" +
		"  Reader:\n" +
		"    Type: AWS::IAM::ManagedPolicy\n" +
		"    Properties:\n" +
		"      PolicyDocument:\n" +
		"        Version: \"2012-10-17\"\n" +
		"        Statement:\n" +
		"          - {Sid: 読み取り🚀, Effect: allow, Action: s3:GetObject, Resource: !Sub \"arn:${AWS::Partition}:s3:::${Bucket}/*\"}\n"
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(templateURI, text, 1)
	diags := c.waitDiagnostics(templateURI, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 1 }).Diagnostics
	if len(diags) != 1 || diags[0].Code != "invalid-effect" {
		t.Fatalf("diagnostics %+v, want one invalid-effect (placeholders cause none)", diags)
	}
	// "          - {Sid: 読み取り🚀, Effect: " is 14 + 4 + 1 (🚀: 2 units) + ... code units.
	line := strings.Split(text, "\n")[8]
	before := line[:strings.Index(line, "allow")]
	start := uint32(len([]rune(before)) + 1) // the emoji is two UTF-16 units
	want := protocol.Range{Start: protocol.Position{Line: 8, Character: start}, End: protocol.Position{Line: 8, Character: start + 5}}
	if diags[0].Range != want {
		t.Errorf("range %+v, want %+v", diags[0].Range, want)
	}
	if hover := hoverText(c, templateURI, diags[0].Range.Start); !strings.Contains(hover, checkExplain("invalid-effect").EN) {
		t.Errorf("hover on the Effect: %q", hover)
	}
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": templateURI},
		"range":        diags[0].Range,
		"context":      map[string]any{"diagnostics": diags},
	}, &actions)
	if len(actions) != 1 {
		t.Fatalf("actions %+v", actions)
	}
	fixed := applyUTF16(t, text, actions[0].Edit.Changes[templateURI])
	if fixed != strings.Replace(text, "Effect: allow", "Effect: Allow", 1) {
		t.Errorf("fixed template:\n%s", fixed)
	}
	version := 1
	if after := c.edit(templateURI, fixed, &version); len(after) != 0 {
		t.Errorf("after the fix: %+v", after)
	}
	var syms []protocol.DocumentSymbol
	c.call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": templateURI}}, &syms)
	if len(syms) != 1 || syms[0].Name != "Resources.Reader" || syms[0].Range.Start.Line != 6 || len(syms[0].Children) != 2 {
		t.Errorf("symbols %+v", syms)
	}
}
