// Package assist is what the editor offers beside the checks: hover
// explanations of actions, condition keys, ARNs and principals, and
// completion of elements, actions, operators and keys, working on
// half-typed documents with a tolerant scanner of its own.
package assist

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// Hovers explain policy elements under the cursor, first match wins.
var Hovers = []analysis.HoverProvider{
	analysis.KindHover,
	IAMHover,
}

// Completers suggest what may be typed at the cursor; the server merges
// what they all return.
var Completers = []analysis.Completer{
	IAMCompleter,
}
