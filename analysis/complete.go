package analysis

// CompletionKind tells an editor which icon to show for a suggestion.
type CompletionKind int

const (
	CompleteValue    CompletionKind = iota + 1 // a value such as "Allow"
	CompleteElement                            // a policy element name such as "Effect"
	CompleteService                            // a service prefix such as "s3"
	CompleteAction                             // an action such as "s3:GetObject"
	CompleteOperator                           // a condition operator
	CompleteKey                                // a condition key
	CompleteSnippet                            // a template, such as a new statement
)

// CompletionItem is one suggestion at the cursor.
type CompletionItem struct {
	Label   string
	Kind    CompletionKind
	Detail  string // one line, e.g. the access level of an action
	Doc     Text   // Markdown
	Replace Span   // the text the suggestion replaces
	NewText string
	// Snippet marks NewText as an LSP snippet ($1, ${2:placeholder}).
	Snippet bool
}

// Completer suggests what may be typed at offset. It must work on
// half-typed text, where f.Root is nil and f.Syntax is set: completion is
// asked for exactly while the document is incomplete.
type Completer func(f *File, offset int) []CompletionItem
