package ui

// jumpTo puts the wizard on the last of the pages given, with the others under it,
// without entering it: a test sets the state the page would have found.
func (w *Wizard) jumpTo(stack ...pageID) {
	w.stack = stack
	w.s.current, w.s.canGoBack = stack[len(stack)-1], len(stack) > 1
	w.layout()
}
