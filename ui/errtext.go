package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

func profileLabel(profile string) string {
	if profile == "" {
		return "default credentials"
	}
	return "profile " + profile
}

// renderError shows an error in place: the headline, what to do, and what AWS said,
// wrapped to width.
func renderError(th Theme, err error, width int) string {
	return th.Error.Render("✗ ") + renderErrorText(th, err, width)
}

// renderErrorText is renderError without the mark, under a line that has one.
func renderErrorText(th Theme, err error, width int) string {
	e := steps.ExplainError(err)
	lines := []string{wrapText(e.Headline, width-2)}
	if e.Advice != "" {
		lines = append(lines, th.Advice.Render(indent(wrapText("→ "+e.Advice, width-2), "  ")))
	}
	if e.Detail != "" {
		lines = append(lines, th.Muted.Render(indent(lipgloss.Wrap(e.Detail, width-4, " /:"), "  ")))
	}
	return strings.Join(lines, "\n")
}

// wrapText wraps prose at spaces only, so names such as no-credentials or
// --profile stay whole; a word wider than the line is cut into pieces.
func wrapText(s string, width int) string {
	width = max(width, 8)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lineWidth := "", 0
		for _, word := range strings.Fields(para) {
			for _, piece := range strings.Split(ansi.Hardwrap(word, width, false), "\n") {
				w := ansi.StringWidth(piece)
				if lineWidth > 0 && lineWidth+1+w > width {
					out = append(out, line)
					line, lineWidth = "", 0
				}
				if lineWidth > 0 {
					line += " "
					lineWidth++
				}
				line += piece
				lineWidth += w
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// wrapLines wraps each line that is too wide at spaces, keeping its indentation on
// the lines it continues on.
func wrapLines(s string, width int) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if ansi.StringWidth(line) <= width {
			continue
		}
		body := strings.TrimLeft(line, " ")
		margin := line[:len(line)-len(body)]
		lines[i] = indent(wrapText(body, width-len(margin)), margin)
	}
	return strings.Join(lines, "\n")
}
