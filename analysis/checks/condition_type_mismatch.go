package checks

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// ConditionTypeMismatch reports an operator used on a key of another type
// (Bool on a string key, a Numeric operator on a date, StringEquals on an
// IP address) and a value the operator cannot read (a Bool value other
// than true or false, a date that is not ISO 8601, ...).
var ConditionTypeMismatch = &analysis.Check{
	Code:     analysis.CodeConditionTypeMismatch,
	Category: "service-data",
	Severity: analysis.Warning,
	DocURL:   iamdata.OperatorsURL,
	Title:    analysis.T("Condition operator does not fit the key's type or the value", "条件演算子がキーの型や値に合わない"),
	Explain: analysis.T(
		"Each operator compares one type: String, Numeric, Date, Bool, IpAddress, Arn or Binary. AWS converts the key and the values to that type; a value it cannot read, or a key of another type, never matches, so a positive operator is false and a negated one is always true. Use the operator family of the key's type (the hover of the key shows it; ARN keys also take String operators, and aws:EpochTime also Numeric ones) and write values in its format.",
		"演算子はそれぞれ一つの型 (String、Numeric、Date、Bool、IpAddress、Arn、Binary) を比較します。AWS はキーと値をその型に変換するため、読めない値や別の型のキーは一致せず、肯定の演算子は偽、否定の演算子は常に真になります。キーの型に合う演算子を使い (キーのホバーに型が表示されます。ARN キーには String 演算子も、aws:EpochTime には Numeric 演算子も使えます)、値はその形式で書いてください。"),
	Run: runConditionTypeMismatch,
}

// keyTakes reports whether a key may be tested with operators of type
// opType, besides Null, which tests any key, and the String operators,
// which compare any key's text: AWS's own examples compare
// aws:Ec2InstanceSourcePrivateIPv4 with StringNotEquals. The Arn
// operators compare the text of String keys that hold ARNs, as the
// CloudWatch Logs guide does with ArnEquals on
// kms:EncryptionContext:aws:logs:arn. (A comparison, not a list of the
// types: asked of every condition of every policy.)
func keyTakes(key *iamdata.ConditionKey, opType string) bool {
	switch t := iamref.BaseType(key.Type); {
	case strings.EqualFold(key.Name, "aws:EpochTime"):
		return opType == "Date" || opType == "Numeric"
	case t == "String":
		return opType == "String" || opType == "ARN"
	default:
		return opType == t
	}
}

func runConditionTypeMismatch(pass *analysis.Pass) {
	keys := conditionKeysOf(pass.Policy)
	for _, s := range pass.Policy.Statements {
		for _, c := range s.Conditions() {
			op, ok := iamdata.ParseOperator(c.Operator.Key)
			if !ok {
				continue
			}
			if key, _, kind := keys.resolve(c.Key.Key); kind == iamdata.KeyGlobal || kind == iamdata.KeyService {
				if op.Base.Type == "String" && iamref.BaseType(key.Type) == "IPAddress" {
					reportRanges(pass, op.Base, c.Values)
					continue
				}
				if op.Base.Type != "Null" && op.Base.Type != "String" && !keyTakes(key, op.Base.Type) {
					pass.Reportf(c.Key.KeySpan, analysis.Tf("%s is of type %s, but %s compares %s values: the condition never matches",
						"%s の型は %s ですが、%s は %s の値を比較します。条件は一致しません", c.Key.Key, iamref.BaseType(key.Type), op.Base.Name, op.Base.Type))
					continue
				}
			}
			for _, v := range c.Values {
				if msg, bad := badValue(op.Base, v); bad {
					pass.Reportf(v.Span, msg)
				}
			}
		}
	}
}

// reportRanges reports CIDR ranges compared as text: an address never
// equals one.
func reportRanges(pass *analysis.Pass, op *iamdata.Operator, values []*analysis.Value) {
	for _, v := range values {
		if _, err := netip.ParsePrefix(v.Str); err == nil {
			pass.Reportf(v.Span, analysis.Tf("%s compares text: the address never equals the range %s; use IpAddress or NotIpAddress",
				"%s は文字列として比較するため、アドレスが範囲 %s と等しくなることはありません。IpAddress か NotIpAddress を使ってください", op.Name, v.Str))
		}
	}
}

// badValue reports a value that the operator cannot read. Values holding
// a policy variable are substituted at request time and left alone.
func badValue(op *iamdata.Operator, v *analysis.Value) (analysis.Text, bool) {
	s := v.Str
	if strings.Contains(s, "${") || analysis.HasPlaceholder(s) { // a policy variable or a template's unknown value
		return analysis.Text{}, false
	}
	var ok bool
	var want analysis.Text
	switch op.Type {
	case "Bool", "Null":
		ok, want = s == "true" || s == "false", analysis.T("true or false", "true または false")
	case "Numeric":
		_, err := strconv.ParseFloat(s, 64)
		ok, want = err == nil, analysis.T("a number", "数値")
	case "Date":
		ok, want = isDate(s), analysis.T("an ISO 8601 date such as 2026-01-31T00:00:00Z, or seconds since 1970", "2026-01-31T00:00:00Z のような ISO 8601 の日時、または 1970 年からの秒数")
	case "IPAddress":
		ok, want = isIPOrCIDR(s), analysis.T("an IP address or CIDR range such as 203.0.113.0/24", "203.0.113.0/24 のような IP アドレスか CIDR 範囲")
	default:
		return analysis.Text{}, false
	}
	if ok {
		return analysis.Text{}, false
	}
	return analysis.Text{
		EN: fmt.Sprintf("%s needs %s here, not %q: the condition never matches", op.Name, want.EN, s),
		JA: fmt.Sprintf("%s の値は %s でなければなりません (%q ではなく)。条件は一致しません", op.Name, want.JA, s),
	}, true
}

func isDate(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

func isIPOrCIDR(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
