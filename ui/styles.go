// Package ui is s3repl's terminal interface: the Bubble Tea wizard and the text the
// CLI prints. It talks to AWS only through steps/.
package ui

import "charm.land/lipgloss/v2"

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
