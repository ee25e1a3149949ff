package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// textPane is a page's scrolled text, wrapped and cut to the body's width, with room
// below for the page's title and footer.
type textPane struct{ viewport.Model }

func newTextPane() textPane { return textPane{viewport.New()} }

// show puts text in the pane, from its top.
func (t *textPane) show(text string, width int) {
	t.SetContentLines(cutLines(wrapLines(text, width), width))
	t.GotoTop()
}

// resize fits the pane to the body and reports whether the width changed, when the page
// must show its text again to wrap it anew.
func (t *textPane) resize(width, height int) bool {
	t.SetHeight(max(3, height-3))
	if width == t.Width() {
		return false
	}
	t.SetWidth(width)
	return true
}

// scroll pages the pane on the scroll keys and reports whether msg was one of them.
func (t *textPane) scroll(msg tea.KeyPressMsg, b keyBindings) bool {
	switch {
	case key.Matches(msg, b.ScrollDown):
		t.PageDown()
	case key.Matches(msg, b.ScrollUp):
		t.PageUp()
	default:
		return false
	}
	return true
}

// answer ends a y/n question: the page's yes runs on y, anything else lets it go.
func answer(confirming *bool, msg tea.KeyPressMsg, b keyBindings, yes func() tea.Cmd) (action, tea.Cmd) {
	*confirming = false
	if key.Matches(msg, b.Yes) {
		return only(yes())
	}
	return stay, nil
}
