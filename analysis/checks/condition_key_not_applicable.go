package checks

import (
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// ConditionKeyNotApplicable reports a service condition key that no action
// of the statement supports: the key is absent from every request the
// statement governs.
var ConditionKeyNotApplicable = &analysis.Check{
	Code:     analysis.CodeConditionKeyNotApplicable,
	Category: "service-data",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
	Title:    analysis.T("Condition key is not supported by any action of the statement", "条件キーをステートメントのどのアクションもサポートしていない"),
	Explain: analysis.T(
		"A service sets a condition key only in the requests of the actions that the Service Authorization Reference lists it for. For every other action the key is absent: StringEquals and the other positive operators are false, so an Allow never applies and a Deny never denies, while negated operators (StringNotEquals, ...) are always true. Global aws: keys apply to every action. Move the key to a statement whose actions support it, or use the key those actions do support.",
		"サービスが条件キーを設定するのは、サービス認可リファレンスがそのキーを挙げるアクションのリクエストだけです。それ以外のアクションではキーが存在せず、StringEquals などの肯定の演算子は偽になるため、Allow は適用されず Deny も拒否しません。否定の演算子 (StringNotEquals など) は常に真になります。グローバルキー aws: はすべてのアクションに適用されます。キーをサポートするアクションのステートメントに移すか、それらのアクションがサポートするキーを使ってください。"),
	Run: runConditionKeyNotApplicable,
}

// sessionKeys are service keys that describe the caller's credentials
// rather than the request, and so are present for every action: AWS lists
// them with the global keys ("Other cross-service condition keys").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
var sessionKeys = []string{
	"ec2:rolecredentialdelivery", "ec2:roledelivery", "ec2:sourceinstancearn",
	"glue:roleassumedby", "glue:credentialissuingservice",
	"lambda:sourcefunctionarn", "ssm:sourceinstancearn", "identitystore:userid",
}

func runConditionKeyNotApplicable(pass *analysis.Pass) {
	resolved := iamref.Resolve(pass.Policy)
	supported := supportAnswers{}
	keys := conditionKeysOf(pass.Policy)
	for _, s := range pass.Policy.Statements {
		conds := s.Conditions()
		if len(conds) == 0 {
			continue
		}
		actions, complete := resolved.Actions(s)
		if !complete {
			continue // "*", NotAction or an unknown action: cannot tell
		}
		for _, c := range conds {
			_, _, kind := keys.resolve(c.Key.Key)
			if kind != iamdata.KeyService || slices.Contains(sessionKeys, strings.ToLower(c.Key.Key)) {
				continue
			}
			if supported.ask(actions, c.Key.Key) {
				continue
			}
			pass.Reportf(c.Key.KeySpan, notApplicableMessage(c.Key.Key, actions))
		}
	}
}

func notApplicableMessage(key string, actions []iamref.ServiceAction) analysis.Text {
	names := make([]string, 0, 3)
	for _, a := range actions[:min(3, len(actions))] {
		names = append(names, a.Name())
	}
	list := strings.Join(names, ", ")
	if len(actions) > 3 {
		list += ", …"
	}
	return analysis.Tf("%s is not supported by any action of this statement (%s): it is absent from their requests",
		"%s はこのステートメントのどのアクション (%s) もサポートしていないため、そのリクエストには含まれません", key, list)
}

// supportAnswers remembers, within one policy, whether some action of an
// expanded action list supports a condition key. Statements that repeat
// an Action list with a wildcard share one expansion (iamref keeps it),
// and ec2:Describe* is hundreds of actions to ask each time.
type supportAnswers map[supportQuestion]bool

type supportQuestion struct {
	actions *iamref.ServiceAction // the expansion's first element: which list
	n       int
	key     string
}

func (m supportAnswers) ask(actions []iamref.ServiceAction, key string) bool {
	q := supportQuestion{&actions[0], len(actions), key}
	answer, ok := m[q]
	if !ok {
		answer = slices.ContainsFunc(actions, func(a iamref.ServiceAction) bool { return a.Supports(key) })
		m[q] = answer
	}
	return answer
}
