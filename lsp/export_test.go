package lsp

// NewWithScanHook returns a server whose first scan calls beforeLoad with
// the root of the sets it is about to hand to the scheduler, on the scan's
// goroutine: a test holds the scan there.
func NewWithScanHook(opts Options, beforeLoad func(root string)) *Server {
	s := New(opts)
	s.beforeLoad = beforeLoad
	return s
}

// AwaitWorkers waits for every goroutine of the session's work, the
// first scan's among them, which may outlive Serve by its grace.
func (s *Server) AwaitWorkers() { s.workers.Wait() }
