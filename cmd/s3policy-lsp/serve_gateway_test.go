package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An edit of the endpoint's type in the open partner.tf (the policy's
// text unchanged) is read by the server: Interface drops the gateway
// findings, Gateway brings them back.
func TestServerRereadsTheEndpointType(t *testing.T) {
	module := gatewayModule(t, "", `{"AWS": "arn:aws:iam::111122223333:root"}`, "")
	c, ctx, dir := serveTree(t, module)
	partnerURI := "file://" + filepath.ToSlash(filepath.Join(dir, "partner.tf"))
	codes := func(what string, version int) string {
		t.Helper()
		p, err := c.WaitVersion(ctx, partnerURI, version)
		if err != nil {
			t.Fatalf("%s: no publication of partner.tf version %d: %v\n%s", what, version, err, c.Log())
		}
		diags, err := p.Diagnostics()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range diags {
			out = append(out, d.Code)
		}
		return strings.Join(out, " ")
	}
	const gateway = "endpoint-policy-blocks endpoint-policy-blocks endpoint-policy-blocks gateway-endpoint-principal endpoint-policy-blocks"
	if err := c.Open(partnerURI, 1, module["partner.tf"]); err != nil {
		t.Fatal(err)
	}
	if got := codes("opened", 1); got != gateway {
		t.Errorf("opened: %s, want %s", got, gateway)
	}
	iface := strings.Replace(module["partner.tf"], `service_name = "com.amazonaws.us-east-1.s3"`, `service_name = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Interface"`, 1)
	if err := c.Change(partnerURI, 2, iface); err != nil {
		t.Fatal(err)
	}
	if got := codes("made an interface endpoint", 2); got != "" {
		t.Errorf("made an interface endpoint: %s, want none", got)
	}
	if err := c.Change(partnerURI, 3, module["partner.tf"]); err != nil {
		t.Fatal(err)
	}
	if got := codes("a gateway endpoint again", 3); got != gateway {
		t.Errorf("a gateway endpoint again: %s, want %s", got, gateway)
	}
}
