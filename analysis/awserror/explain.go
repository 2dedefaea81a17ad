package awserror

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// Agreement is how the folder's answer compares with AWS's.
type Agreement string

const (
	// Agrees: the folder denies the request in the layer AWS names, as
	// explicitly or implicitly as AWS says.
	Agrees Agreement = "agrees"
	// Differs: the folder allows the request, or denies it elsewhere or
	// otherwise than AWS says: what is deployed is not these files.
	Differs Agreement = "differs"
	// Unstated: AWS did not say which policy denied (a plain Access
	// Denied, as across accounts); the folder's answer stands alone.
	Unstated Agreement = "unstated"
	// Unmodelled: AWS names a control the engine does not model.
	Unmodelled Agreement = "unmodelled"
)

// Explanation is a message explained over a folder.
type Explanation struct {
	Message   *Message
	Scenarios []*eval.Scenario // one per request, in the order of Requests
	Results   []eval.Result
	Agreement Agreement
	Verdict   analysis.Text
}

// Explain builds the message's requests with the facts, decides each
// over the workspace, and compares the answer with AWS's.
func Explain(w *eval.Workspace, m *Message, f Facts) (*Explanation, error) {
	endpoint, need := throughEndpoint(w, m, &f)
	reqs, err := Requests(m, f)
	if need.EN != "" {
		var missing *MissingError
		if !errors.As(err, &missing) {
			missing = &MissingError{}
		}
		missing.Missing = append(missing.Missing, need)
		return nil, missing
	}
	if err != nil {
		return nil, err
	}
	x := &Explanation{Message: m}
	for _, req := range reqs {
		w.ResolveSourceVpce(&req) // an endpoint named by its address (aws_vpc_endpoint.s3)
		s, r := w.Explain(req)
		x.Scenarios = append(x.Scenarios, s)
		x.Results = append(x.Results, r)
	}
	x.Agreement, x.Verdict = compare(m, x.Results, x.keyPolicies())
	if endpoint != "" {
		x.Verdict = analysis.Join("", x.Verdict, analysis.Tf(
			"; the message does not say which VPC endpoint the request came through: the folder's only one, %s, was taken (--context aws:SourceVpce=ID)",
			"。リクエストが通った VPC エンドポイントはメッセージにありません: フォルダーの唯一のエンドポイント %s として評価しました (--context aws:SourceVpce=ID)", endpoint))
	}
	if bucket := x.accountUnknown(); bucket != "" && x.Agreement != Unmodelled {
		x.Verdict = analysis.Join("", x.Verdict, analysis.Tf(
			"; nobody says which account owns bucket %s, and the folder's answer depends on it (--resource-account)",
			"。バケット %s を所有するアカウントが指定されておらず、フォルダーの答えはそれによって変わります (--resource-account)", bucket))
	}
	return x, nil
}

// accountUnknown is the bucket of the first request whose decision
// depends on the bucket's account, which nobody gives
// (eval.CodeBucketAccountUnknown), or "".
func (x *Explanation) accountUnknown() string {
	for i, r := range x.Results {
		for _, c := range r.Causes {
			if c.Code == eval.CodeBucketAccountUnknown {
				return analysis.BucketOfARN(x.Scenarios[i].Request.Resource)
			}
		}
	}
	return ""
}

// keyPolicies names the key policies the requests' KMS passes read (the
// key's own, or the one the engine assumes): a KMS cause in one of them
// is on the side AWS calls resource-based, any other (an identity
// policy's, a boundary's) on the identity-based side.
func (x *Explanation) keyPolicies() map[string]bool {
	names := map[string]bool{eval.DefaultKeyPolicyName: true}
	for _, s := range x.Scenarios {
		switch {
		case s.KeyPolicy != nil:
			names[s.KeyPolicy.Name] = true
		case s.Bucket != nil && (s.Bucket.KMSKeyARN == "" || strings.HasSuffix(s.Bucket.KMSKeyARN, "alias/aws/s3")):
			// The AWS managed key's policy, which the bucket's facts stand for.
			names[s.BucketSource] = true
			names["bucket"] = true
		}
	}
	return names
}

// layerWords say a layer as AWS's messages do and as the folder holds it.
type layerWords struct {
	implicit, explicit analysis.Text // what AWS said
	files              analysis.Text // the folder's policies of the layer
}

// words say each layer as AWS does and as the folder's files are; built
// on first use, as the tables of operations.go.
var words = sync.OnceValue(func() map[eval.Layer]layerWords {
	return map[eval.Layer]layerWords{
		eval.LayerIdentity: {analysis.T("no identity-based policy allows it", "どのアイデンティティベースのポリシーにも許可がないこと"),
			analysis.T("an explicit Deny in an identity-based policy", "アイデンティティベースのポリシーの明示的な Deny"),
			analysis.T("identity policies", "アイデンティティベースのポリシー")},
		eval.LayerResource: {analysis.T("no resource-based policy allows it", "どのリソースベースのポリシーにも許可がないこと"),
			analysis.T("an explicit Deny in a resource-based policy", "リソースベースのポリシーの明示的な Deny"),
			analysis.T("bucket policies", "バケットポリシー")},
		eval.LayerBoundary: {analysis.T("no permissions boundary allows it", "アクセス許可の境界に許可がないこと"),
			analysis.T("an explicit Deny in a permissions boundary", "アクセス許可の境界の明示的な Deny"),
			analysis.T("permissions boundaries", "アクセス許可の境界")},
		eval.LayerSession: {analysis.T("no session policy allows it", "セッションポリシーに許可がないこと"),
			analysis.T("an explicit Deny in a session policy", "セッションポリシーの明示的な Deny"),
			analysis.T("session policies", "セッションポリシー")},
		eval.LayerSCP: {analysis.T("no service control policy allows it", "どの SCP にも許可がないこと"),
			analysis.T("an explicit Deny in a service control policy", "SCP の明示的な Deny"),
			analysis.T("SCPs", "SCP")},
		eval.LayerRCP: {analysis.T("no resource control policy allows it", "どの RCP にも許可がないこと"),
			analysis.T("an explicit Deny in a resource control policy", "RCP の明示的な Deny"),
			analysis.T("RCPs", "RCP")},
		eval.LayerEndpoint: {analysis.T("no VPC endpoint policy allows it", "VPC エンドポイントポリシーに許可がないこと"),
			analysis.T("an explicit Deny in a VPC endpoint policy", "VPC エンドポイントポリシーの明示的な Deny"),
			analysis.T("VPC endpoint policies", "VPC エンドポイントポリシー")},
		eval.LayerKMS: {analysis.T("no policy allows the KMS request", "KMS リクエストを許可するポリシーがないこと"),
			analysis.T("an explicit Deny of the KMS request", "KMS リクエストの明示的な Deny"),
			analysis.T("key policies and KMS permissions", "キーポリシーと KMS の権限")},
	}
})

// expectedLayer is the engine's layer for what AWS blamed: for a KMS
// action S3 called, both sides are the engine's kms layer.
func expectedLayer(m *Message) eval.Layer {
	if strings.HasPrefix(strings.ToLower(m.Action), "kms:") && (m.Layer == eval.LayerIdentity || m.Layer == eval.LayerResource) {
		return eval.LayerKMS
	}
	return m.Layer
}

// compare says whether the folder agrees with AWS's verdict, and how.
func compare(m *Message, results []eval.Result, keyPolicies map[string]bool) (Agreement, analysis.Text) {
	denied := firstCause(results, func(eval.Cause) bool { return true })
	switch {
	case m.Layer == LayerBlockPublicAccess:
		return Unmodelled, analysis.T("AWS says S3 Block Public Access blocks it; this tool does not read Block Public Access settings: check `aws s3api get-public-access-block`",
			"AWS は S3 ブロックパブリックアクセスが拒否したと言っています。このツールはブロックパブリックアクセスの設定を読みません: `aws s3api get-public-access-block` を確認してください")
	case !m.Stated() && denied == nil:
		return Unstated, analysis.T("AWS denied it without saying which policy (as it does across accounts); the folder allows it: the deployed policies differ from these files, or a setting the folder does not describe (S3 Block Public Access, ACLs) denies it",
			"AWS はどのポリシーかを言わずに拒否しました (アカウントをまたぐ場合はそうなります)。フォルダーのポリシーでは許可されます: デプロイされたポリシーがこれらのファイルと異なるか、フォルダーが記述しない設定 (S3 ブロックパブリックアクセス、ACL) が拒否しています")
	case !m.Stated():
		return Unstated, analysis.Join("", analysis.T("AWS denied it without saying which policy (as it does across accounts); the folder denies it: ",
			"AWS はどのポリシーかを言わずに拒否しました (アカウントをまたぐ場合はそうなります)。フォルダーでも拒否されます: "), where(*denied))
	}
	layer := expectedLayer(m)
	w, known := words()[layer]
	if !known {
		return Unstated, analysis.T("AWS names a policy type this tool does not know", "AWS がこのツールの知らないポリシーの種類を挙げています")
	}
	if layer == eval.LayerKMS && m.Layer == eval.LayerResource {
		w.files = analysis.T("key policies", "キーポリシー")
	} else if layer == eval.LayerKMS {
		w.files = analysis.T("identity policies' KMS permissions", "アイデンティティベースのポリシーの KMS の権限")
	}
	// AWS's own words (for a KMS action: "no identity-based policy"),
	// the engine's layer for the folder's files.
	said := words()[m.Layer].implicit
	if m.Explicit {
		said = words()[m.Layer].explicit
	}
	said = analysis.Join("", analysis.T("AWS says ", "AWS によると原因は"), said, analysis.T("; ", "です。"))
	// For a KMS action AWS says which side: the key policy is the
	// resource-based one; the caller's policies are identity-based.
	inLayer := func(c eval.Cause) bool {
		return c.Layer == layer && (layer != eval.LayerKMS || keyPolicies[c.Policy] == (m.Layer == eval.LayerResource))
	}
	if c := firstCause(results, func(c eval.Cause) bool { return inLayer(c) && c.Explicit == m.Explicit }); c != nil {
		return Agrees, analysis.Join("", said, where(*c))
	}
	var found analysis.Text
	if c := firstCause(results, inLayer); c != nil {
		found = analysis.Join("", analysis.T("the folder denies it in that layer, but ", "フォルダーでも同じ層で拒否されますが、"), otherwise(c.Explicit), where(*c), analysis.T(": ", ": "))
	} else {
		found = analysis.Text{
			EN: fmt.Sprintf("nothing among the %s of this folder %s it: ", w.files.EN, verb(m.Explicit).EN),
			JA: fmt.Sprintf("このフォルダーの%sには、これを%sものはありません: ", w.files.JA, verb(m.Explicit).JA)}
	}
	out := analysis.Join("", said, found, analysis.Text{
		EN: fmt.Sprintf("the deployed %s differ from these files", w.files.EN),
		JA: fmt.Sprintf("デプロイされた%sはこれらのファイルと異なります", w.files.JA)})
	if denied != nil && !inLayer(denied.Cause) {
		out = analysis.Join("", out, analysis.T("; the folder denies it elsewhere: ", "。フォルダーでは別の層で拒否されます: "), where(*denied))
	}
	return Differs, out
}

func verb(explicit bool) analysis.Text {
	if explicit {
		return analysis.T("denies", "拒否する")
	}
	return analysis.T("blocks", "妨げる")
}

func otherwise(explicit bool) analysis.Text {
	if explicit {
		return analysis.T("by an explicit Deny, not for lack of an Allow: ", "Allow がないからではなく明示的な Deny によってです: ")
	}
	return analysis.T("for lack of an Allow, not by an explicit Deny: ", "明示的な Deny ではなく Allow がないためです: ")
}

// where names a cause's policy and line, then its message.
func where(c saidCause) analysis.Text {
	loc := c.Policy
	if loc != "" && c.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, c.Line)
	}
	if loc == "" {
		return c.said
	}
	return analysis.Join(": ", analysis.T(loc, loc), c.said)
}

// saidCause is a cause with its words about its request.
type saidCause struct {
	eval.Cause
	said analysis.Text
}

// firstCause is the first cause of the results that keep keeps; the
// cause that says the bucket's account decides (accountUnknown) blocks
// nothing and is left out.
func firstCause(results []eval.Result, keep func(eval.Cause) bool) *saidCause {
	for i := range results {
		for j := range results[i].Causes {
			if c := &results[i].Causes[j]; c.Code != eval.CodeBucketAccountUnknown && keep(*c) {
				return &saidCause{*c, results[i].Say(c)}
			}
		}
	}
	return nil
}

// Answer is the JSON form of an Explanation, in one language: what
// `explain --error --format json` prints and the server's
// s3policy.explainError returns.
type Answer struct {
	AWS       *Message        `json:"aws"`
	Requests  []RequestAnswer `json:"requests"`
	Agreement Agreement       `json:"agreement"`
	Verdict   string          `json:"verdict"`
}

// RequestAnswer is one evaluated request.
type RequestAnswer struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	eval.Answer
}

// Answer renders the explanation in locale ("en", "ja").
func (x *Explanation) Answer(locale string) Answer {
	a := Answer{AWS: x.Message, Requests: []RequestAnswer{}, Agreement: x.Agreement, Verdict: x.Verdict.In(locale)}
	for i, r := range x.Results {
		req := x.Scenarios[i].Request
		a.Requests = append(a.Requests, RequestAnswer{req.Principal, req.Action, req.Resource, r.Answer(locale)})
	}
	return a
}

// throughEndpoint gives the request the VPC endpoint it came through when
// AWS says a VPC endpoint policy denied it but not which endpoint, and
// the request does not say either (aws:SourceVpce): the folder's only
// endpoint of the caller's account, which it returns. With several, or
// endpoint policies of no named endpoint, it returns what to ask for
// (need). A request evaluated through no endpoint was decided without
// the endpoint policies, and the answer blamed the deployed ones.
func throughEndpoint(w *eval.Workspace, m *Message, f *Facts) (endpoint string, need analysis.Text) {
	if m.Layer != eval.LayerEndpoint {
		return "", need
	}
	for k := range f.Context {
		if strings.EqualFold(k, "aws:SourceVpce") {
			return "", need
		}
	}
	account := ""
	if a, ok := analysis.ParseARN(first(m.Principal, f.Principal)); ok {
		account = a.Account
	}
	var ids []string
	unnamed := false
	for _, e := range w.Endpoints(account) {
		switch {
		case e.ID == "":
			unnamed = true
		case !slices.Contains(ids, e.ID):
			ids = append(ids, e.ID)
		}
	}
	switch {
	case len(ids) == 1:
		context := make(map[string][]string, len(f.Context)+1)
		for k, v := range f.Context {
			context[k] = v
		}
		context["aws:SourceVpce"] = ids
		f.Context = context
		return ids[0], need
	case len(ids) > 1:
		list := strings.Join(ids, ", ")
		return "", analysis.Join(": ", needEndpoint, analysis.T(list, list))
	case unnamed:
		return "", needEndpoint
	}
	return "", need
}

// ErrorText is what explain says of an error of this package, in both
// languages: what the message lacks (MissingError), or that it is no
// AccessDenied message; any other error as it is.
func ErrorText(err error) analysis.Text {
	var missing *MissingError
	switch {
	case errors.As(err, &missing):
		return missing.Text()
	case errors.Is(err, ErrNotAccessDenied):
		return notAccessDenied
	}
	return analysis.T(err.Error(), err.Error())
}
