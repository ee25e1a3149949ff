// Package ui is s3repl's terminal interface: the Bubble Tea wizard and the text the
// CLI prints. It talks to AWS only through steps/.
package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Styles used everywhere in s3repl's output; colours are downsampled (or dropped,
// with NO_COLOR) by lipgloss when printed.
var (
	StyleTitle    = lipgloss.NewStyle().Bold(true)
	StyleMuted    = lipgloss.NewStyle().Foreground(lipgloss.BrightBlack)
	StyleAdded    = lipgloss.NewStyle().Foreground(lipgloss.Green)
	StyleRemoved  = lipgloss.NewStyle().Foreground(lipgloss.Red)
	StyleHunk     = lipgloss.NewStyle().Foreground(lipgloss.Cyan)
	StyleWarning  = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	StyleError    = lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true)
	StyleOK       = lipgloss.NewStyle().Foreground(lipgloss.Green).Bold(true)
	StyleCreate   = lipgloss.NewStyle().Foreground(lipgloss.Green).Bold(true)
	StyleUpdate   = lipgloss.NewStyle().Foreground(lipgloss.Yellow).Bold(true)
	StyleUnchange = lipgloss.NewStyle().Foreground(lipgloss.BrightBlack)
)

// printTheme is text printed to the terminal (plan, verify and doctor output), in
// the Style colours above.
// The status panel of `s3repl verify` uses it too: these colours follow the
// terminal's own palette, light or dark.
var printTheme = Theme{
	Heading: StyleTitle, Muted: StyleMuted, OK: StyleOK, Error: StyleError, Warning: StyleWarning, Hint: StyleHunk,
	Advice: lipgloss.NewStyle().Foreground(lipgloss.Yellow), Help: help.New().Styles,
}

// Theme is the wizard's styles for the terminal's background. Meaning never rests
// on colour alone (markers, words and +/- carry it too), so NO_COLOR loses nothing.
type Theme struct {
	Brand       lipgloss.Style
	Badge       lipgloss.Style // a label on every screen, e.g. DEMO
	StepDone    lipgloss.Style
	StepCurrent lipgloss.Style
	StepTodo    lipgloss.Style
	Crumbs      lipgloss.Style
	Heading     lipgloss.Style
	Cursor      lipgloss.Style // the › marker of the selected row
	Selected    lipgloss.Style
	Item        lipgloss.Style
	Detail      lipgloss.Style
	Disabled    lipgloss.Style
	Reason      lipgloss.Style
	Panel       lipgloss.Style
	PanelTitle  lipgloss.Style
	Label       lipgloss.Style
	Error       lipgloss.Style
	Advice      lipgloss.Style
	Warning     lipgloss.Style
	OK          lipgloss.Style
	Muted       lipgloss.Style
	Spinner     lipgloss.Style
	Hint        lipgloss.Style // what to press to see more
	Help        help.Styles
	Input       textinput.Styles
}

// NewTheme picks the wizard's colours for a dark or light background.
func NewTheme(isDark bool) Theme {
	pick := lipgloss.LightDark(isDark)
	accent := pick(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B8A4FF"))
	subtle := pick(lipgloss.Color("#8A8A8A"), lipgloss.Color("#6C6C6C"))
	border := pick(lipgloss.Color("#C8C8D8"), lipgloss.Color("#44445A"))
	return Theme{
		Brand:       lipgloss.NewStyle().Bold(true).Foreground(accent),
		Badge:       lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(lipgloss.Yellow).Padding(0, 1),
		StepDone:    lipgloss.NewStyle().Foreground(lipgloss.Green),
		StepCurrent: lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent),
		StepTodo:    lipgloss.NewStyle().Foreground(subtle),
		Crumbs:      lipgloss.NewStyle().Foreground(subtle),
		Heading:     lipgloss.NewStyle().Bold(true),
		Cursor:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		Selected:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		Item:        lipgloss.NewStyle(),
		Detail:      lipgloss.NewStyle().Foreground(subtle),
		Disabled:    lipgloss.NewStyle().Foreground(subtle),
		Reason:      lipgloss.NewStyle().Foreground(subtle).Italic(true),
		Panel:       lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1),
		PanelTitle:  lipgloss.NewStyle().Bold(true),
		Label:       lipgloss.NewStyle().Foreground(subtle),
		Error:       StyleError,
		Advice:      lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		Warning:     StyleWarning,
		OK:          StyleOK,
		Muted:       lipgloss.NewStyle().Foreground(subtle),
		Spinner:     lipgloss.NewStyle().Foreground(accent),
		Hint:        StyleHunk,
		Help:        help.DefaultStyles(isDark),
		Input:       textinput.DefaultStyles(isDark),
	}
}
