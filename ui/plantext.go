package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/s3repl/s3repl/steps"
)

// PlanText renders a plan for the terminal: each change with its account, Region and
// resource, and a coloured unified diff of its document; then the warnings.
func PlanText(plan *steps.Plan) string {
	var b strings.Builder
	pending := plan.Pending()
	switch {
	case len(pending) == 0 && len(plan.Blockers) > 0:
		b.WriteString(StyleError.Render("Replication will fail:") + " nothing s3repl changes can fix what is named under \"Will fail\".\n")
	case len(pending) == 0:
		b.WriteString(StyleOK.Render("Nothing to change:") + " the setup is already in place.\n")
	default:
		fmt.Fprintf(&b, "%s\n\n", StyleTitle.Render(plural(len(pending), "change")+" to make, in this order:"))
	}
	n := 0
	for _, c := range plan.Changes {
		if !c.Pending() {
			fmt.Fprintf(&b, "%s %s\n", StyleUnchange.Render("  = "), StyleMuted.Render(c.Title+" (no change)"))
			continue
		}
		n++
		fmt.Fprintf(&b, "%s %s\n", actionBadge(c.Action, n), StyleTitle.Render(c.Title))
		fmt.Fprintf(&b, "     %s\n", StyleMuted.Render(fmt.Sprintf("%s account %s · %s · %s", c.Side, c.Account, c.Region, c.Resource)))
		if c.After != "" {
			b.WriteString(indent(ColorDiff(UnifiedDiff(c.ID, c.Before, c.After)), "     "))
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if len(plan.Blockers) > 0 {
		b.WriteString("\n" + StyleError.Render("Will fail even after the apply:") + "\n")
		for _, blocker := range plan.Blockers {
			b.WriteString(StyleError.Render("  ✗ ") + strings.ReplaceAll(blocker, "\n", "\n    ") + "\n")
		}
	}
	if len(plan.Warnings) > 0 {
		b.WriteString("\n" + StyleWarning.Render("Good to know:") + "\n")
		for _, w := range plan.Warnings {
			b.WriteString(StyleWarning.Render("  ! ") + strings.ReplaceAll(w, "\n", "\n    ") + "\n")
		}
	}
	return b.String()
}

func actionBadge(a steps.Action, n int) string {
	return actionStyle(a).Render(fmt.Sprintf("%2d. %-6s", n, a))
}

// actionStyle colours a change's action: create or update.
func actionStyle(a steps.Action) lipgloss.Style {
	if a == steps.ActionCreate {
		return StyleCreate
	}
	return StyleUpdate
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// ProgressLine is the line printed as a change starts or ends during apply.
func ProgressLine(c steps.Change, phase steps.ApplyPhase, err error) string {
	switch phase {
	case steps.PhaseBegin:
		return "" // one line per change: its outcome
	case steps.PhaseDone:
		return StyleOK.Render("  ✓ ") + c.Title + "\n"
	}
	// Each line is styled on its own: a block of lines would be padded to the widest.
	var b strings.Builder
	b.WriteString(StyleError.Render("  ✗ ") + c.Title + "\n")
	for _, line := range strings.Split(fmt.Sprint(err), "\n") {
		b.WriteString(StyleError.Render("    "+strings.TrimRight(line, " ")) + "\n")
	}
	return b.String()
}

// ApplySummary is the line printed after a successful apply.
func ApplySummary(applied int, journal string) string {
	if applied == 0 {
		return StyleOK.Render("Nothing to change:") + " the setup is already in place.\n"
	}
	msg := StyleOK.Render("Applied " + plural(applied, "change") + ".")
	if journal != "" {
		msg += StyleMuted.Render(" Journal: " + journal)
	}
	return msg + "\n"
}
