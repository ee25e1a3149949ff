package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

// KeyMap is every key s3repl's screens answer to, in one place.
type KeyMap struct {
	Quit   key.Binding
	Help   key.Binding
	Keep   key.Binding
	Delete key.Binding
	Scroll key.Binding
}

// Keys are s3repl's key bindings.
var Keys = KeyMap{
	Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit / stop watching")),
	Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
	Keep:   key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "keep test objects")),
	Delete: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete test objects")),
	Scroll: key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll")),
}

// panelHelp is the help of the status panel in one phase.
type panelHelp []key.Binding

func (h panelHelp) ShortHelp() []key.Binding  { return h }
func (h panelHelp) FullHelp() [][]key.Binding { return [][]key.Binding{h} }

func (k KeyMap) forPanel(phase panelPhase) help.KeyMap {
	switch phase {
	case phaseDeciding:
		return panelHelp{k.Keep, k.Delete, k.Scroll, k.Help}
	case phaseWatching:
		return panelHelp{k.Quit, k.Help}
	}
	return panelHelp{k.Quit, k.Scroll, k.Help}
}
