// Package cloudtrail reads the AccessDenied events of CloudTrail logs
// (S3 data events, and the KMS events S3 makes for SSE-KMS objects) as
// the facts of the requests AWS denied, for analysis/awserror to explain.
//
// It reads a single event, a log file of {"Records": [...]}, the output
// of `aws cloudtrail lookup-events` ({"Events": [{"CloudTrailEvent":
// "..."}]}), CloudTrail Lake query results ({"QueryResultRows": [[{col:
// value}, ...]]}), and Athena's JSON export (one record per line, with
// lower-case column names and JSON text in requestparameters). Records
// are streamed: one is held in memory at a time.
//
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
package cloudtrail

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tidwall/gjson"
)

// wrappers are the keys under which a file lists its records.
var wrappers = map[string]bool{"Records": true, "Events": true, "QueryResultRows": true, "Results": true}

// Read calls fn for each record of r, denied or not: a record is one
// event as JSON. It stops at the first error of fn or of the JSON.
func Read(r io.Reader, fn func(record []byte) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	dec.UseNumber()
	for n := 0; ; n++ {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("value %d: %w", n+1, err)
		}
		switch tok {
		case json.Delim('['):
			err = each(dec, fn)
		case json.Delim('{'):
			err = object(dec, fn)
		default:
			err = fmt.Errorf("value %d: want a JSON object or array, not %v", n+1, tok)
		}
		if err != nil {
			return err
		}
	}
}

// each streams the items of an array whose '[' was read.
func each(dec *json.Decoder, fn func([]byte) error) error {
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("record %d: %w", i+1, err)
		}
		if err := record(raw, fn); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ']'
	return err
}

// object reads an object whose '{' was read: a wrapper of records, whose
// records are streamed, or one event, rebuilt from its members.
func object(dec *json.Decoder, fn func([]byte) error) error {
	var members []string
	wrapped := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if wrappers[key] {
			if t, err := dec.Token(); err != nil {
				return err
			} else if t == json.Delim('[') {
				wrapped = true
				if err := each(dec, fn); err != nil {
					return err
				}
				continue
			} else {
				return fmt.Errorf("%s must be an array", key)
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		k, _ := json.Marshal(key)
		members = append(members, string(k)+":"+string(raw))
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	if wrapped {
		return nil
	}
	return record([]byte("{"+strings.Join(members, ",")+"}"), fn)
}

// record unwraps the shapes that hold an event: lookup-events'
// CloudTrailEvent text, a Lake row of one-member objects, and Lake's
// eventJson column.
func record(raw []byte, fn func([]byte) error) error {
	v := gjson.ParseBytes(raw)
	if v.IsArray() { // a CloudTrail Lake row: [{"eventName": "..."}, ...]
		var members []string
		v.ForEach(func(_, cell gjson.Result) bool {
			cell.ForEach(func(k, val gjson.Result) bool {
				members = append(members, k.Raw+":"+val.Raw)
				return true
			})
			return true
		})
		raw = []byte("{" + strings.Join(members, ",") + "}")
		v = gjson.ParseBytes(raw)
	}
	for _, inner := range []string{"CloudTrailEvent", "eventJson", "eventjson"} {
		if s := v.Get(inner); s.Type == gjson.String && gjson.Valid(s.Str) {
			return fn([]byte(s.Str))
		}
	}
	return fn(raw)
}
