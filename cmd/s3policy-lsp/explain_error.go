package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/awserror"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// denialFlags are the flags of explain that start from what AWS said:
// an AccessDenied message or CloudTrail events, and the facts the
// message leaves out.
type denialFlags struct {
	errorText, cloudtrail, emitScenario string
	bucket, key, copySource, operation  string
}

func (d *denialFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.errorText, "error", "", "an AccessDenied message as the AWS CLI or an SDK printed it (- reads it from stdin)")
	fs.StringVar(&d.cloudtrail, "cloudtrail", "", "a CloudTrail event, a file of Records, or a CloudTrail Lake or Athena JSON export")
	fs.StringVar(&d.emitScenario, "emit-scenario", "", "write the --scenario file of what was evaluated to this file")
	fs.StringVar(&d.bucket, "bucket", "", "with --error: the bucket, when the message does not name it")
	fs.StringVar(&d.key, "key", "", "with --error: the object's key, when the message does not name it")
	fs.StringVar(&d.copySource, "copy-source", "", "with --error on a copy: the source, BUCKET/KEY")
	fs.StringVar(&d.operation, "operation", "", "with --error: the API operation, when the message does not name it (e.g. GetObject)")
}

// used reports whether explain starts from what AWS said.
func (d *denialFlags) used() bool { return d.errorText != "" || d.cloudtrail != "" }

// facts are the request flags of explain, as what the message leaves out.
func (fl *explainFlags) facts() awserror.Facts {
	return awserror.Facts{
		Principal: fl.principal, Action: fl.action, Operation: fl.denial.operation,
		Bucket: fl.denial.bucket, Key: fl.denial.key, Resource: fl.resource, CopySource: fl.denial.copySource,
		ResourceAccount: fl.account, Context: fl.context, RequestPayer: fl.requestPayer,
		ObjectOwner: fl.objectOwner, ObjectACL: fl.objectACL, Multipart: fl.multipart,
	}
}

// runExplainDenial answers explain --error and explain --cloudtrail.
func runExplainDenial(fl *explainFlags, args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %s\n", awserror.ErrorText(err).In(fl.lang))
		return exitUsage
	}
	if fl.scenario != "" || fl.denial.errorText != "" && fl.denial.cloudtrail != "" {
		return fail(errors.New("give one of --scenario, --error and --cloudtrail"))
	}
	w, err := loadFolder(args, stderr)
	if err != nil {
		return fail(err)
	}
	if fl.denial.cloudtrail != "" {
		return runExplainCloudTrail(fl, w, stdout, stderr)
	}
	text := fl.denial.errorText
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
		if err != nil {
			return fail(err)
		}
		text = string(b)
	}
	m, err := awserror.Parse(text)
	if err != nil {
		return fail(err)
	}
	x, err := awserror.Explain(w, m, fl.facts())
	if err != nil {
		return fail(err)
	}
	if err := fl.emit(x.Scenarios); err != nil {
		return fail(err)
	}
	if fl.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(x.Answer(fl.lang))
	} else {
		writeExplanation(stdout, x, fl.lang)
	}
	return denialExit(x.Results)
}

// loadFolder reads the workspace of the one folder in args (default .).
func loadFolder(args []string, stderr io.Writer) (*eval.Workspace, error) {
	if len(args) > 1 {
		return nil, errors.New("give one folder")
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	set, err := tree.Load(dir)
	if err != nil {
		return nil, err
	}
	w := set.Workspace
	for _, f := range w.Broken {
		fmt.Fprintf(stderr, "s3policy-lsp explain: %s is not valid JSON (%s); left out\n", f.Path, f.Syntax.Msg.EN)
	}
	return w, nil
}

// emit writes --emit-scenario.
func (fl *explainFlags) emit(scenarios []*eval.Scenario) error {
	if fl.denial.emitScenario == "" || len(scenarios) == 0 {
		return nil
	}
	return os.WriteFile(fl.denial.emitScenario, awserror.ScenarioFile(scenarios), 0o644)
}

// denialExit is explain's exit status: 1 when the folder denies a request.
func denialExit(results []eval.Result) int {
	for _, r := range results {
		if r.Decision != eval.Allowed {
			return exitFindings
		}
	}
	return exitOK
}

func writeExplanation(w io.Writer, x *awserror.Explanation, lang string) {
	m := x.Message
	fmt.Fprintf(w, "AWS: %s", m.Code)
	if m.Operation != "" {
		fmt.Fprintf(w, " on %s", m.Operation)
	}
	if m.Action != "" {
		fmt.Fprintf(w, ": %s %s", m.Principal, m.Action)
		if m.Resource != "" {
			fmt.Fprintf(w, " on %s", m.Resource)
		}
	}
	fmt.Fprintln(w)
	writeText(w, x.Scenarios, x.Results, lang)
	fmt.Fprintf(w, "%s: %s\n", x.Agreement, x.Verdict.In(lang))
}

// usageDenial is the usage line of explain --error and --cloudtrail.
var usageDenial = strings.Join([]string{
	"       s3policy-lsp explain --error TEXT|- [--principal ARN] [--bucket NAME] [--key KEY] [--copy-source BUCKET/KEY] [--emit-scenario FILE] [--format text|json] [DIR]",
	"       s3policy-lsp explain --cloudtrail FILE [--format text|json] [DIR]",
}, "\n")
