package ui

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff is the unified diff of two documents; "" before means the document is
// created, and every line shows as added.
func UnifiedDiff(label, before, after string) string {
	before, after = withNewline(before), withNewline(after)
	return udiff.Unified(label+" (now)", label+" (after)", before, after)
}

func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// ColorDiff colours a unified diff line by line.
func ColorDiff(diff string) string {
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"):
			lines[i] = StyleTitle.Render(line)
		case strings.HasPrefix(line, "+"):
			lines[i] = StyleAdded.Render(line)
		case strings.HasPrefix(line, "-"):
			lines[i] = StyleRemoved.Render(line)
		case strings.HasPrefix(line, "@@"):
			lines[i] = StyleHunk.Render(line)
		}
	}
	return strings.Join(lines, "\n")
}
