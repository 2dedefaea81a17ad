package lsp

// NewWithScanHook returns a server whose first scan calls beforeLoad with
// the root of the sets it is about to hand to the scheduler, on the scan's
// goroutine: a test holds the scan there.
func NewWithScanHook(opts Options, beforeLoad func(root string)) *Server {
	s := New(opts)
	s.beforeLoad = beforeLoad
	return s
}
