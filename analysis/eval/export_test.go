package eval

// Forget drops what the workspace keeps of its answers, for a benchmark
// that asks them again.
func (w *Workspace) Forget() { w.forget() }

// KeptCauses is the list of causes the workspace keeps for its evaluation
// of a request, nil when it keeps none.
func (w *Workspace) KeptCauses(req Request) []*Cause {
	if e := w.kept(req); e != nil {
		return e.causes
	}
	return nil
}
