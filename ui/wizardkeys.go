package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

// keyBindings is every key the wizard answers to; screens pick from it for their help.
type keyBindings struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Choose, Back, Filter, Refresh         key.Binding
	Toggle, Apply, Yes, No, Save, Retry   key.Binding
	ScrollUp, ScrollDown                  key.Binding
	Verify                                key.Binding
	// TypingUp and TypingDown move while a text input has the keyboard (letters
	// type); Previous steps an option back; Interrupt quits even while typing.
	TypingUp, TypingDown, Previous, Interrupt key.Binding
	Keep, Delete                              key.Binding // the status panel's test objects
	Backfill, Watch                           key.Binding // step 8 and the watch, from the apply and the status panel
	Help, Quit                                key.Binding
}

func newKeyBindings() keyBindings {
	return keyBindings{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		End:        key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
		Choose:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Refresh:    key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("r", "refresh")),
		Toggle:     key.NewBinding(key.WithKeys("space", "left", "right", "h", "l"), key.WithHelp("space/←/→", "change")),
		Apply:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "apply")),
		Yes:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:         key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
		Save:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save setup file")),
		Retry:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "plan again")),
		ScrollUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll diff")),
		ScrollDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn/space", "scroll diff")),
		TypingUp:   key.NewBinding(key.WithKeys("up", "shift+tab")),
		TypingDown: key.NewBinding(key.WithKeys("down", "tab")),
		Previous:   key.NewBinding(key.WithKeys("left", "h")),
		Interrupt:  key.NewBinding(key.WithKeys("ctrl+c")),
		Verify:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify")),
		Keep:       key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "keep test objects")),
		Delete:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete test objects")),
		Backfill:   key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "backfill existing objects")),
		Watch:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "keep watching this rule")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// forPanel is the status panel's help in one phase; q there first stops watching.
func (k keyBindings) forPanel(phase panelPhase, canFix bool) help.KeyMap {
	scroll := withHelp(k.ScrollDown, "pgdn/space", "scroll")
	switch phase {
	case phaseConfirmingFix:
		return keyHelp{short: []key.Binding{k.Yes, k.No}}
	case phaseDeciding:
		if canFix {
			return keyHelp{short: []key.Binding{withHelp(k.Apply, "a", "apply the fixes, test again"), k.Keep, k.Delete, scroll, k.Help}}
		}
		return keyHelp{short: []key.Binding{k.Keep, k.Delete, scroll, k.Help}}
	case phaseWatching:
		return keyHelp{short: []key.Binding{withHelp(k.Quit, "q", "stop watching"), k.Help}}
	}
	return keyHelp{short: []key.Binding{k.Quit, scroll, k.Help}}
}

// keyHelp is the help of one screen: a short line, and everything for "?".
type keyHelp struct{ short, more []key.Binding }

func (h keyHelp) ShortHelp() []key.Binding { return h.short }

// FullHelp lays the short and the further keys out in columns of four.
func (h keyHelp) FullHelp() [][]key.Binding {
	all := append(append([]key.Binding{}, h.short...), h.more...)
	var columns [][]key.Binding
	for start := 0; start < len(all); start += 4 {
		columns = append(columns, all[start:min(start+4, len(all))])
	}
	return columns
}
