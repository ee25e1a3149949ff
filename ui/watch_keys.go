package ui

import "charm.land/bubbles/v2/key"

// watchKeys is every key the watch dashboard answers to.
type watchKeys struct {
	Read, Doctor, Apply, Setup, Retry, Yes, No, Close key.Binding
	ScrollUp, ScrollDown, Quit                        key.Binding
}

func newWatchKeys() watchKeys {
	return watchKeys{
		Read:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "read now")),
		Retry:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry the failed")),
		Doctor:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "doctor")),
		Apply:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "apply fixes")),
		Setup:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "set up")),
		Yes:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:         key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
		Close:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		ScrollUp:   key.NewBinding(key.WithKeys("pgup", "k", "up"), key.WithHelp("pgup", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("pgdown", "space", "j", "down"), key.WithHelp("pgup/pgdn", "scroll")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}
