package template_test

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/sourcetest"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/template"
)

func analyze(path, src string) *analysis.Analysis {
	res := template.Reader.Read(path, []byte(src))
	return analysis.AnalyzeFile(path, res.Files(path, nil), res.Findings, analysis.Options{Checks: checks.All})
}

// Placeholders in and out of strings: the text around them is checked at
// the template's own offsets, and a fix is written into the template.
func TestPlaceholders(t *testing.T) {
	src := `{"Version": "2012-10-17", "Statement": [{"Sid": "読み🚀", "Effect": "allow", "Principal": {"AWS": ${principals}}, "Action": {{ actions | tojson }}, "Resource": "arn:aws:s3:::${bucket}/$${aws:username}/*"}]}`
	a := analyze("p.json.tpl", src)
	if len(a.Docs) != 1 || a.Docs[0].Kind != analysis.KindBucket || a.Docs[0].Syntax != nil {
		t.Fatalf("docs %+v", a.Docs)
	}
	if got := string(a.Docs[0].Src); !strings.Contains(got, `"AWS": "${principals}"`) || !strings.Contains(got, `"Action": "{{ actions | tojson }}"`) || !strings.Contains(got, `/${aws:username}/*"`) {
		t.Errorf("masked text: %s", got)
	}
	var codes []string
	for _, f := range a.Findings {
		codes = append(codes, f.Code)
		if f.Code == "invalid-effect" {
			at := strings.Index(src, `"allow"`)
			if f.Span != (analysis.Span{Start: at, End: at + 7}) {
				t.Errorf("invalid-effect at %v", f.Span)
			}
			fixed := string(analysis.ApplyEdits([]byte(src), f.AllFixes()[0].Edits))
			if fixed != strings.Replace(src, `"allow"`, `"Allow"`, 1) {
				t.Errorf("fixed: %s", fixed)
			}
		}
	}
	if strings.Join(codes, " ") != "invalid-effect" {
		t.Errorf("codes %q, want only invalid-effect: placeholders cause none", codes)
	}
}

// Directives that leave no JSON: one information finding on the first.
func TestDirectives(t *testing.T) {
	src := "{\"Statement\": [\n%{ for a in accounts ~}\n{\"Effect\": \"Allow\"},\n%{ endfor ~}\n]}"
	a := analyze("p.json.tpl", src)
	if len(a.Findings) != 1 || a.Findings[0].Code != analysis.UnreadableCode || a.Findings[0].Severity != analysis.Information ||
		src[a.Findings[0].Span.Start:a.Findings[0].Span.End] != "%{ for a in accounts ~}" {
		t.Errorf("findings %+v", a.Findings)
	}
	other := "[\n%{ for c in containers ~}\n{\"name\": \"${c}\"},\n%{ endfor ~}\n]"
	if a := analyze("containers.json.tpl", other); len(a.Findings) != 0 {
		t.Errorf("a template of no policy: %+v", a.Findings)
	}
	ok := "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"{% if x %}{% endif %}}]}"
	if a := analyze("p.json.j2", ok); len(a.Findings) != 0 || len(a.Docs) != 1 {
		t.Errorf("directives that leave JSON: %+v", a.Findings)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"Statement": [{"Effect": "allow", "Principal": ${p}, "Resource": "{{ x }}"}]}`)
	f.Add("{\"Statement\": [%{ for a in b }{}%{ endfor }]}")
	f.Fuzz(func(t *testing.T, src string) {
		a := analyze("p.json.tpl", src)
		sourcetest.InFile(t, src, a)
	})
}
