package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// A policy may leave out many of the buckets .s3policy.json names (1,500
// in a large governed folder): its finding names the first few and
// counts the others, and offers a fix for each of the first few only, as
// writing a statement for every bucket is what made the finding cost
// time and room (issue 16).

// bucketsNamed is how many buckets a finding names and offers fixes for.
const bucketsNamed = 3

// bucketList names the first buckets and counts the others: "a, b and
// c", "a, b, c and 1,497 other buckets". A Japanese message writes its
// particle right after the list: the list ends with the space that a
// Latin word takes before it ("a と b を"), none after a count ("ほか 2
// 件のバケットを").
func bucketList(buckets []string) analysis.Text {
	return countedBucketList(buckets[:min(len(buckets), bucketsNamed)], len(buckets))
}

// countedBucketList is bucketList of total buckets, of which first are
// the first (all of them, or bucketsNamed).
func countedBucketList(first []string, total int) analysis.Text {
	if total <= bucketsNamed {
		l := analysis.AndList(first)
		l.JA += " "
		return l
	}
	rest := total - bucketsNamed
	if rest == 1 {
		return analysis.Tf("%s and 1 other bucket", "%s ほか 1 件のバケット", listHead(first[:bucketsNamed]))
	}
	return analysis.Tf("%s and %d other buckets", "%s ほか %d 件のバケット", listHead(first[:bucketsNamed]), rest)
}

// listHead lists items with commas only, as the head of a longer list.
func listHead(items []string) analysis.Text {
	en, ja := "", ""
	for i, s := range items {
		if i > 0 {
			en, ja = en+", ", ja+"、"
		}
		en, ja = en+s, ja+s
	}
	return analysis.T(en, ja)
}

// bucketFixes are the fixes that add a statement for each of the first
// buckets, with members as addBucketStatementFix takes them.
func bucketFixes(pass *analysis.Pass, buckets []string, members ...member) []analysis.Fix {
	fixes := make([]analysis.Fix, 0, min(len(buckets), bucketsNamed))
	for _, b := range buckets[:min(len(buckets), bucketsNamed)] {
		if fix, ok := addBucketStatementFix(pass, b, members...); ok {
			fixes = append(fixes, fix)
		}
	}
	return fixes
}
