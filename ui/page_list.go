package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// listPage is what a page that is one picker does on its own keys.
type listPage interface {
	choose() (action, tea.Cmd)
	refresh() tea.Cmd
	// afterMove schedules reading what the highlighted row needs once the cursor rests.
	afterMove() tea.Cmd
}

// listUpdate answers a key or a paste on a page that is a picker: moving, filtering,
// reading the list again, choosing, going back.
func (s *shared) listUpdate(p *picker, host listPage, msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if p.editing {
			return only(typeFilter(p, host, msg))
		}
	case tea.KeyPressMsg:
		if p.editing {
			return s.filterKey(p, host, msg)
		}
		return s.listKey(p, host, msg)
	}
	return stay, nil
}

func (s *shared) listKey(p *picker, host listPage, msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := s.bindings
	switch {
	case key.Matches(msg, b.Back):
		if s.canGoBack {
			return goBack(), nil
		}
		return stay, nil
	case key.Matches(msg, b.Up):
		p.move(-1)
	case key.Matches(msg, b.Down):
		p.move(1)
	case key.Matches(msg, b.PageUp):
		p.page(-1)
	case key.Matches(msg, b.PageDown):
		p.page(1)
	case key.Matches(msg, b.Home):
		p.move(-len(p.shown))
	case key.Matches(msg, b.End):
		p.move(len(p.shown))
	case key.Matches(msg, b.Filter):
		p.startFilter()
		return stay, nil
	case key.Matches(msg, b.Refresh):
		return only(host.refresh())
	case key.Matches(msg, b.Choose):
		return host.choose()
	default:
		return stay, nil
	}
	return only(host.afterMove())
}

func (s *shared) filterKey(p *picker, host listPage, msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := s.bindings
	switch {
	case key.Matches(msg, b.Back):
		p.stopFilter(true)
		return only(host.afterMove())
	case key.Matches(msg, b.Choose):
		p.stopFilter(false)
		return host.choose()
	case key.Matches(msg, b.TypingUp):
		p.move(-1)
		return only(host.afterMove())
	case key.Matches(msg, b.TypingDown):
		p.move(1)
		return only(host.afterMove())
	}
	return only(typeFilter(p, host, msg))
}

func typeFilter(p *picker, host listPage, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	p.refilter()
	return tea.Batch(cmd, host.afterMove())
}

// listWithin renders the picker in at most height lines: fewer rows when what is
// above it wrapped onto more lines than its size allowed for.
func listWithin(p picker, th Theme, width, height int) string {
	if height < p.height {
		p.resize(width, max(3, height))
	}
	return p.render(th)
}

// listHelp is the help of a page that is a picker.
func (s *shared) listHelp() help.KeyMap {
	b := s.bindings
	back := b.Back
	back.SetEnabled(s.canGoBack)
	return keyHelp{
		short: []key.Binding{b.Up, b.Down, b.Choose, b.Filter, back, b.Help, b.Quit},
		more:  []key.Binding{b.PageUp, b.PageDown, b.Home, b.End, b.Refresh},
	}
}
