package awserror

import (
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// Facts are what a message does not say: the command's flags, or the
// fields of a CloudTrail event. A fact the message states wins.
type Facts struct {
	Principal, Action, Operation string
	Bucket, Key, Resource        string
	CopySource                   string // "bucket/key" of a copy's source
	ResourceAccount              string
	Context                      map[string][]string
	RequestPayer                 string
	ObjectOwner, ObjectACL       string
	Multipart                    bool
}

// MissingError names what is needed to build the request, as the flags
// that give it.
type MissingError struct{ Missing []analysis.Text }

func (e *MissingError) Error() string { return e.Text().EN }

// Text says what is missing in both languages.
func (e *MissingError) Text() analysis.Text {
	return analysis.Text{
		EN: "the message does not say " + analysis.Join(", nor ", e.Missing...).EN + ": give it with the flag",
		JA: "メッセージに" + analysis.Join("、", e.Missing...).JA + "がありません。フラグで指定してください",
	}
}

// Flag texts of MissingError.
var (
	needPrincipal = analysis.T("who called (--principal ARN; `aws sts get-caller-identity` prints it)",
		"呼び出し元 (--principal ARN。`aws sts get-caller-identity` が表示します)")
	needBucket = analysis.T("the bucket (--bucket NAME, or --resource ARN)", "バケット (--bucket NAME、または --resource ARN)")
	needKey    = analysis.T("the object's key (--key KEY, or --resource arn:aws:s3:::BUCKET/KEY)",
		"オブジェクトのキー (--key KEY、または --resource arn:aws:s3:::BUCKET/KEY)")
	needSource    = analysis.T("the copy's source (--copy-source BUCKET/KEY)", "コピー元 (--copy-source BUCKET/KEY)")
	needOperation = analysis.T("the operation or the action (--action s3:ACTION)", "操作またはアクション (--action s3:ACTION)")
	needS3Request = analysis.T("the S3 request behind the KMS call (--bucket NAME --key KEY)",
		"KMS 呼び出しのもとになった S3 リクエスト (--bucket NAME --key KEY)")
	needEndpoint = analysis.T("which VPC endpoint the request came through (--context aws:SourceVpce=ID)",
		"リクエストが通った VPC エンドポイント (--context aws:SourceVpce=ID)")
)

// Requests are the requests the message stands for: the one AWS names
// when it names an action and a resource, else every permission its
// operation needs (a copy needs to read the source and write the
// destination). A KMS action that S3 called for an SSE-KMS object is
// explained through the S3 request, whose KMS part the engine decides.
func Requests(m *Message, f Facts) ([]eval.Request, error) {
	b := builder{f: f}
	b.fill(m)
	principal := first(m.Principal, f.Principal)
	if principal == "" {
		b.need(needPrincipal)
	}
	var out []eval.Request
	for _, n := range b.needs(m) {
		if resource := b.resource(n.On); resource != "" {
			out = append(out, b.request(principal, n.Action, resource))
		}
	}
	if len(b.missing) > 0 {
		return nil, &MissingError{b.missing}
	}
	return out, nil
}

type builder struct {
	f       Facts
	missing []analysis.Text
}

func (b *builder) need(what analysis.Text) {
	for _, m := range b.missing {
		if m == what {
			return
		}
	}
	b.missing = append(b.missing, what)
}

// fill takes the bucket and key from the message's resource, or from
// --resource, where the flags do not give them.
func (b *builder) fill(m *Message) {
	for _, r := range []string{m.Resource, b.f.Resource} {
		a, ok := analysis.ParseARN(r)
		if !ok || !a.IsS3() {
			continue
		}
		bucket, key, _ := a.S3Bucket()
		b.f.Bucket, b.f.Key = first(b.f.Bucket, bucket), first(b.f.Key, key)
	}
}

// needs are the permissions to evaluate.
func (b *builder) needs(m *Message) []Need {
	action := first(m.Action, b.f.Action)
	op := first(m.Operation, b.f.Operation)
	switch {
	case strings.HasPrefix(strings.ToLower(action), "kms:"):
		return b.behindKMS(op, action)
	case action != "" && m.Resource != "" && isS3ARN(m.Resource):
		return []Need{{action, onARN(m.Resource)}}
	case action != "":
		// The action is known, its resource comes from the flags: the
		// operation's table says whether it is the copy's source.
		for _, n := range Needs(op) {
			if strings.EqualFold(n.Action, action) {
				return []Need{n}
			}
		}
		if b.f.Key != "" || b.f.Resource != "" && onARN(b.f.Resource) == OnObject {
			return []Need{{action, OnObject}}
		}
		return []Need{{action, OnBucket}}
	}
	if n := Needs(op); n != nil {
		return n
	}
	if s3op := S3OperationOfKMS(op); s3op != "" {
		return Needs(s3op)
	}
	b.need(needOperation)
	return nil
}

// behindKMS is the S3 request that made S3 call KMS.
func (b *builder) behindKMS(op, action string) []Need {
	if n := Needs(op); n != nil {
		return n
	}
	if s3op := first(S3OperationOfKMS(op), S3OperationOfKMS(action[len("kms:"):])); s3op != "" {
		if b.f.Bucket == "" || b.f.Key == "" {
			b.need(needS3Request)
			return nil
		}
		return Needs(s3op)
	}
	b.need(needS3Request)
	return nil
}

// resource is the ARN a permission acts on, or "" when a fact is missing.
func (b *builder) resource(on Target) string {
	switch on {
	case OnAny:
		return "*"
	case OnSource:
		if src := strings.TrimPrefix(b.f.CopySource, "/"); strings.Contains(src, "/") {
			src, _, _ = strings.Cut(src, "?versionId=")
			return "arn:aws:s3:::" + src
		}
		b.need(needSource)
		return ""
	}
	if b.f.Bucket == "" {
		b.need(needBucket)
	}
	if on == OnObject && b.f.Key == "" {
		b.need(needKey)
	}
	switch {
	case b.f.Bucket == "" || on == OnObject && b.f.Key == "":
		return ""
	case on == OnBucket:
		return "arn:aws:s3:::" + b.f.Bucket
	}
	return "arn:aws:s3:::" + b.f.Bucket + "/" + b.f.Key
}

func (b *builder) request(principal, action, resource string) eval.Request {
	return eval.Request{
		Principal: principal, Action: action, Resource: resource, ResourceAccount: b.f.ResourceAccount,
		Context: b.f.Context, RequestPayer: b.f.RequestPayer, ObjectOwner: b.f.ObjectOwner,
		ObjectACL: b.f.ObjectACL, Multipart: b.f.Multipart,
	}
}

func isS3ARN(s string) bool {
	a, ok := analysis.ParseARN(s)
	return ok && a.IsS3()
}

func onARN(s string) Target {
	a, _ := analysis.ParseARN(s)
	if _, _, isObject := a.S3Bucket(); isObject {
		return OnObject
	}
	return OnBucket
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
