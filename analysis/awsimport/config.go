package awsimport

import (
	"bytes"
	"encoding/json"
)

// config writes .s3policy.json: accounts, buckets by name, and the files
// entries in the order written (the first match wins, so a role's
// boundary and trust policy come before the entry for the rest of its
// folder). See analysis/config.go for the format.
func (b *builder) config(bucketNames []string) []byte {
	var w bytes.Buffer
	w.WriteString("{\n  \"accounts\": [")
	for i, a := range b.accounts {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(quote(a))
	}
	w.WriteString("]")
	w.WriteString(",\n  \"buckets\": {")
	for i, name := range bucketNames {
		bk := b.buckets[name]
		comma(&w, i)
		w.WriteString("\n    " + quote(name) + ": ")
		fields := []string{}
		add := func(k, v string) {
			if v != "" {
				fields = append(fields, quote(k)+": "+quote(v))
			}
		}
		add("account", bk.account)
		add("encryption", bk.encryption)
		add("kmsKeyArn", bk.kmsKey)
		add("objectOwnership", bk.ownership)
		if bk.requesterPays {
			fields = append(fields, `"requesterPays": true`)
		}
		writeObject(&w, fields)
	}
	w.WriteString("\n  },\n  \"files\": {")
	for i, e := range b.entries {
		comma(&w, i)
		w.WriteString("\n    " + quote(e.Pattern) + ": ")
		fields := []string{`"kind": ` + quote(e.Kind)}
		for _, kv := range [][2]string{{"account", e.Account}, {"bucket", e.Bucket}, {"principal", e.Principal}, {"key", e.Key}, {"endpoint", e.Endpoint}, {"target", e.Target}, {"endpointType", e.EndpointType}} {
			if kv[1] != "" {
				fields = append(fields, quote(kv[0])+": "+quote(kv[1]))
			}
		}
		writeObject(&w, fields)
	}
	w.WriteString("\n  }\n}\n")
	return w.Bytes()
}

func comma(w *bytes.Buffer, i int) {
	if i > 0 {
		w.WriteByte(',')
	}
}

func writeObject(w *bytes.Buffer, fields []string) {
	w.WriteString("{")
	for i, f := range fields {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(f)
	}
	w.WriteString("}")
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
