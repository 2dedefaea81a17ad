// Package awsimport builds a workspace (policy files and the
// .s3policy.json that says whose each is) from the saved output of
// read-only AWS CLI commands, so that explain answers over the policies
// AWS holds rather than those of a repository. It reads bytes and
// returns bytes: the person runs the CLI, the command writes the files,
// nothing here calls AWS.
//
// The commands and the shapes of their output:
// https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html
// https://docs.aws.amazon.com/cli/latest/reference/s3api/get-bucket-policy.html (and get-bucket-encryption,
// get-bucket-ownership-controls, get-bucket-request-payment)
// https://docs.aws.amazon.com/cli/latest/reference/kms/get-key-policy.html, describe-key.html
// https://docs.aws.amazon.com/cli/latest/reference/ec2/describe-vpc-endpoints.html
// https://docs.aws.amazon.com/cli/latest/reference/organizations/describe-policy.html, list-targets-for-policy.html,
// list-parents.html
// https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html
package awsimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Input is one saved output: the path it was read from (its name and
// folder carry what the output does not, such as the bucket) and its
// text.
type Input struct {
	Path string
	Src  []byte
}

// FieldError is an input that cannot be read, with the field at fault.
type FieldError struct {
	File, Field, Msg string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Field + ": " + e.Msg
}

// Result is the workspace: file texts by slash-separated path relative
// to its folder, .s3policy.json included, and what was left out.
type Result struct {
	Files    map[string][]byte
	Warnings []string
}

// Build reads every input and lays out the workspace. The same inputs
// give the same bytes, so importing twice changes nothing.
func Build(inputs []Input) (*Result, error) {
	b := &builder{files: map[string][]byte{}, buckets: map[string]*bucket{}, keys: map[string]*keyInfo{}, accountOfDir: map[string]string{}}
	sorted := append([]Input(nil), inputs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var parsed []parsedInput
	for _, in := range sorted {
		if len(bytes.TrimSpace(in.Src)) == 0 {
			// What the CLI leaves when the command fails, as
			// get-bucket-policy does for a bucket without a policy.
			b.warn("%s: empty (the command failed or printed nothing): left out", in.Path)
			continue
		}
		kind, top, err := recognise(in)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, parsedInput{in, kind, top})
	}
	// The outputs that name accounts, keys and targets first, as the
	// others refer to them.
	naming := []string{"caller-identity", "describe-key", "list-targets", "list-parents"}
	for _, early := range []bool{true, false} {
		for _, p := range parsed {
			if contains(naming, p.kind) != early {
				continue
			}
			if err := b.read(p); err != nil {
				return nil, err
			}
		}
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return &Result{Files: b.files, Warnings: b.warnings}, nil
}

type parsedInput struct {
	Input
	kind string
	top  map[string]json.RawMessage
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// recognise tells which command wrote an output, by its top-level keys.
func recognise(in Input) (string, map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(in.Src, &top); err != nil {
		return "", nil, &FieldError{in.Path, "", "not a JSON object as the AWS CLI prints it (--output json): " + err.Error()}
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("UserDetailList") || has("RoleDetailList") || has("GroupDetailList"):
		return "authorization-details", top, nil
	case has("Account") && has("Arn") && has("UserId"):
		return "caller-identity", top, nil
	case has("KeyMetadata"):
		return "describe-key", top, nil
	case has("Targets"):
		return "list-targets", top, nil
	case has("Parents"):
		return "list-parents", top, nil
	case has("ServerSideEncryptionConfiguration"):
		return "bucket-encryption", top, nil
	case has("OwnershipControls"):
		return "bucket-ownership", top, nil
	case has("Payer"):
		return "bucket-request-payment", top, nil
	case has("VpcEndpoints"):
		return "vpc-endpoints", top, nil
	case has("Policies"):
		return "list-policies", top, nil
	case has("Policy") && len(top["Policy"]) > 0 && top["Policy"][0] == '{':
		return "describe-policy", top, nil
	case has("Policy"):
		return "resource-policy", top, nil
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "", nil, &FieldError{in.Path, "", fmt.Sprintf("not the output of a command import reads (top-level keys: %s); see the README's list", strings.Join(keys, ", "))}
}

// nameBefore is the part of a file's name before a command's name:
// shared-data.get-bucket-policy.json gives shared-data.
func nameBefore(path string, commands ...string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".json")
	for _, c := range commands {
		if prefix, ok := strings.CutSuffix(base, "."+c); ok && prefix != "" {
			return prefix
		}
	}
	return ""
}

// safe makes a name safe as a file name.
func safe(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("._@=,+-", r):
			return r
		}
		return '_'
	}, name)
}
