package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// explainFlags are the flags of the explain command.
type explainFlags struct {
	scenario, format, lang               string
	principal, action, resource, account string
	objectOwner, objectACL, requestPayer string
	at                                   string // --time
	multipart                            bool
	context                              contextFlag
	denial                               denialFlags // --error, --cloudtrail (explain_error.go)
}

// contextFlag collects repeated --context key=value; a key given twice
// is multivalued.
type contextFlag map[string][]string

func (c contextFlag) String() string { return "" }

func (c contextFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return errors.New("want key=value")
	}
	c[key] = append(c[key], value)
	return nil
}

// runExplain answers why a request is allowed or denied: from a
// self-contained scenario file, or from the policies of a workspace.
// Exit 0 when every request is allowed, 1 when one is denied, 2 on a
// usage error.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fl := explainFlags{context: contextFlag{}}
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: s3policy-lsp explain --scenario FILE.json [--format text|json] [--lang en|ja]")
		fmt.Fprintln(stderr, "       s3policy-lsp explain --principal ARN --action ACTION --resource ARN [--resource-account ID] [--context key=value]... [--format text|json] [DIR]")
		fmt.Fprintln(stderr, usageDenial)
		fs.PrintDefaults()
	}
	fs.StringVar(&fl.scenario, "scenario", "", "a scenario file: one scenario or an array of them")
	fs.StringVar(&fl.format, "format", "text", "output format: text or json")
	fs.StringVar(&fl.lang, "lang", "en", "language of the messages: en or ja")
	fs.StringVar(&fl.principal, "principal", "", "the caller's ARN (user, role, role session)")
	fs.StringVar(&fl.action, "action", "", "the action, e.g. s3:GetObject")
	fs.StringVar(&fl.resource, "resource", "", "the resource ARN, e.g. arn:aws:s3:::bucket/key")
	fs.StringVar(&fl.account, "resource-account", "", "the account that owns the resource (default: the bucket's account in .s3policy.json)")
	fs.Var(fl.context, "context", "a condition key of the request, key=value (repeat for more keys or values)")
	fs.StringVar(&fl.requestPayer, "request-payer", "", "\"requester\" when the request carries x-amz-request-payer")
	fs.StringVar(&fl.objectOwner, "object-owner", "", "the account that wrote the object, when not the bucket owner")
	fs.StringVar(&fl.objectACL, "object-acl", "", "the canned ACL the object was written with")
	fs.BoolVar(&fl.multipart, "multipart", false, "the request is part of a multipart upload")
	fs.StringVar(&fl.at, "time", "", "when the request is made, ISO 8601 or epoch seconds (default now): aws:CurrentTime and aws:EpochTime")
	fl.denial.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fl.lang != "en" && fl.lang != "ja" {
		fmt.Fprintf(stderr, "s3policy-lsp explain: unknown --lang %q; use en or ja\n", fl.lang)
		return exitUsage
	}
	if fl.format != "text" && fl.format != "json" {
		fmt.Fprintf(stderr, "s3policy-lsp explain: --format must be text or json, not %q\n", fl.format)
		return exitUsage
	}
	if fl.denial.used() {
		return runExplainDenial(&fl, fs.Args(), stdout, stderr)
	}
	scenarios, many, err := fl.load(fs.Args(), stderr)
	if err == nil {
		err = fl.emit(scenarios)
	}
	if err != nil {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %v\n", err)
		return exitUsage
	}
	results := make([]eval.Result, len(scenarios))
	code := exitOK
	for i, s := range scenarios {
		results[i] = eval.Evaluate(s)
		if results[i].Decision != eval.Allowed {
			code = exitFindings
		}
	}
	if fl.format == "json" {
		writeJSON(stdout, results, many, fl.lang)
	} else {
		writeText(stdout, scenarios, results, fl.lang)
	}
	return code
}

// load builds the scenarios: from --scenario, or from the request flags
// over the workspace in DIR. many is set when the scenario file holds an
// array, whose answer is an array too.
func (fl *explainFlags) load(args []string, stderr io.Writer) (scenarios []*eval.Scenario, many bool, err error) {
	if fl.scenario != "" {
		if fl.principal != "" || fl.action != "" || fl.resource != "" || len(args) > 0 {
			return nil, false, errors.New("--scenario takes no request flags and no folder")
		}
		src, err := os.ReadFile(fl.scenario)
		if err != nil {
			return nil, false, err
		}
		scenarios, err = eval.ParseScenarios(src)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %v", fl.scenario, err)
		}
		return scenarios, bytes.HasPrefix(bytes.TrimSpace(src), []byte("[")), nil
	}
	if fl.principal == "" || fl.action == "" || fl.resource == "" {
		return nil, false, errors.New("give --scenario FILE, or --principal, --action and --resource")
	}
	var at time.Time
	if fl.at != "" {
		var ok bool
		if at, ok = eval.ParseTime(fl.at); !ok {
			return nil, false, fmt.Errorf("--time %q is not an ISO 8601 date or epoch seconds", fl.at)
		}
	}
	w, err := loadFolder(args, stderr)
	if err != nil {
		return nil, false, err
	}
	req := eval.Request{Time: at,
		Principal: fl.principal, Action: fl.action, Resource: fl.resource, ResourceAccount: fl.account,
		Context: fl.context, RequestPayer: fl.requestPayer, ObjectOwner: fl.objectOwner, ObjectACL: fl.objectACL,
		Multipart: fl.multipart,
	}
	return []*eval.Scenario{w.Scenario(req)}, false, nil
}

func writeJSON(w io.Writer, results []eval.Result, many bool, lang string) {
	answers := make([]eval.Answer, len(results))
	for i, r := range results {
		answers[i] = r.Answer(lang)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if many {
		enc.Encode(answers)
		return
	}
	enc.Encode(answers[0])
}

func writeText(w io.Writer, scenarios []*eval.Scenario, results []eval.Result, lang string) {
	for i, r := range results {
		req := scenarios[i].Request
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s on %s: %s", req.Principal, req.Action, req.Resource, r.Decision)
		if len(r.BlockedBy) > 0 {
			layers := make([]string, len(r.BlockedBy))
			for j, l := range r.BlockedBy {
				layers[j] = string(l)
			}
			fmt.Fprintf(w, " (blocked by %s)", strings.Join(layers, ", "))
		}
		fmt.Fprintln(w)
		for _, c := range r.Causes {
			fmt.Fprintf(w, "  %s [%s]", c.Code, c.Layer)
			if c.Policy != "" {
				fmt.Fprintf(w, " %s", c.Policy)
				if c.Line > 0 {
					fmt.Fprintf(w, ":%d", c.Line)
				}
			}
			fmt.Fprintf(w, "\n    %s\n", c.Message.In(lang))
		}
	}
}
