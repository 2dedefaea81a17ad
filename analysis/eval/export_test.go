package eval

// Forget drops what the workspace keeps of its answers, for a benchmark
// that asks them again.
func (w *Workspace) Forget() { w.forget() }
