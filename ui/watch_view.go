package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// metricLabelWidth and metricValueWidth make the metric rows' columns.
const (
	metricLabelWidth = 18
	metricValueWidth = 10
)

func (d WatchDashboard) View() tea.View {
	top := d.header()
	bottom := d.footer()
	room := d.height - len(top) - len(bottom)
	var middle []string
	if panel := d.panel(); panel != nil {
		middle = scrolled(panel, d.scroll, room)
	} else {
		middle = fitLines(d.middle(room+1), room)
	}
	lines := append(top, middle...)
	for len(lines) < d.height-len(bottom) {
		lines = append(lines, "")
	}
	lines = append(lines, bottom...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, d.width, "…")
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	return v
}

// fitLines keeps the first lines that fit in room, saying when there are more.
func fitLines(lines []string, room int) []string {
	if room <= 0 {
		return nil
	}
	if len(lines) <= room {
		return lines
	}
	kept := append([]string(nil), lines[:room-1]...)
	return append(kept, StyleMuted.Render("… more below: a taller terminal shows it"))
}

func (d WatchDashboard) header() []string {
	title := StyleTitle.Render("s3repl watch")
	if d.deps.Label != "" {
		title += "  " + NewTheme(true).Badge.Render(d.deps.Label)
	}
	lines := []string{title}
	r := d.report
	if r == nil {
		if d.readErr != nil {
			return append(lines, StyleError.Render("Could not read: ")+d.readErr.Error())
		}
		return append(lines, StyleMuted.Render("reading the metrics and the queue…"))
	}
	lines = append(lines, fmt.Sprintf("%s → %s · rule %s", r.Rule.SourceBucket, r.Rule.DestinationBucket, r.Rule.RuleID))
	state := fmt.Sprintf("read %s · last %s · every %s", r.At.UTC().Format("15:04:05 UTC"), r.Window, d.deps.Interval)
	if d.reading {
		state += " · reading…"
	}
	lines = append(lines, StyleMuted.Render(state))
	if d.readErr != nil {
		lines = append(lines, StyleError.Render("The last read failed: ")+d.readErr.Error())
	}
	lines = append(lines, "")
	spark := max(8, d.width-metricLabelWidth-metricValueWidth-6)
	m := r.Metrics
	lines = append(lines,
		metricRow("operations pending", m.OperationsPending, fmt.Sprintf("%.0f", r.Latest.OperationsPending), spark),
		metricRow("bytes pending", m.BytesPending, humanBytes(r.Latest.BytesPending), spark),
		metricRow("latency", m.LatencySeconds, humanSeconds(r.Latest.LatencySeconds), spark),
		metricRow("failed in window", m.OperationsFailed, fmt.Sprintf("%.0f", r.Latest.OperationsFailed), spark),
	)
	if len(r.Missing) > 0 {
		lines = append(lines, "")
		for _, missing := range r.Missing {
			lines = append(lines, strings.Split(wrapLines(StyleWarning.Render("! ")+missing, d.width), "\n")...)
		}
		if d.deps.PlanSetup != nil {
			lines = append(lines, "  s shows the changes that set it up, as diffs, and applies them after you say y")
		} else {
			lines = append(lines, "  Set it up: "+steps.SetupWatchCommand(d.deps.SetupFile))
		}
	}
	return append(lines, "")
}

// metricRow is a metric's label, newest value and sparkline; "no data" without
// points, which CloudWatch gives when metrics are off or nothing happened yet.
func metricRow(label string, s steps.Series, value string, width int) string {
	if len(s.Points) == 0 {
		return fmt.Sprintf("  %-*s %s", metricLabelWidth, label, StyleMuted.Render(fmt.Sprintf("%*s", metricValueWidth, "no data")))
	}
	return fmt.Sprintf("  %-*s %*s  %s", metricLabelWidth, label, metricValueWidth, value, StyleHunk.Render(Sparkline(s.Values(), width)))
}

// panel is what replaces the failures while it is open: the setup plan's diffs or
// the doctor's findings, which scroll; nil when neither is.
func (d WatchDashboard) panel() []string {
	switch {
	case d.retryOpen():
		return d.retryPanel()
	case d.setupPlan != nil:
		return strings.Split(wrapLines(strings.TrimRight(PlanText(d.setupPlan), "\n"), d.width), "\n")
	case d.doctor != nil:
		return strings.Split(wrapLines(strings.TrimRight(DoctorFindings(printTheme, *d.doctor), "\n"), d.width), "\n")
	}
	return nil
}

// scrolled shows room lines from first on, saying what is above and below.
func scrolled(lines []string, first, room int) []string {
	if room <= 0 {
		return nil
	}
	if len(lines) <= room {
		return lines
	}
	first = min(max(first, 0), len(lines)-room+1)
	var out []string
	if first > 0 {
		out = append(out, StyleMuted.Render(fmt.Sprintf("↑ %d more above: pgup", first)))
		first++
	}
	last := min(len(lines), first+room-len(out)-1)
	out = append(out, lines[first:last]...)
	if last < len(lines) {
		out = append(out, StyleMuted.Render(fmt.Sprintf("↓ %d more below: pgdn or space", len(lines)-last)))
	}
	return out
}

// middle is the failures by reason, or what the doctor or the setup is doing; it
// stops once it has enough lines to fill room.
func (d WatchDashboard) middle(room int) []string {
	switch {
	case d.planning:
		return []string{StyleMuted.Render("Planning the watch's setup…")}
	case d.applyingSetup:
		return []string{StyleMuted.Render("Applying the watch's setup…")}
	case d.setupErr != nil:
		return strings.Split(wrapLines(StyleError.Render("Setting the watch up failed: ")+d.setupErr.Error(), d.width), "\n")
	case d.doctorRunning:
		return []string{StyleMuted.Render("The doctor is checking both accounts…")}
	case d.doctorErr != nil:
		return strings.Split(StyleError.Render("The doctor could not run: ")+wrapLines(d.doctorErr.Error(), d.width), "\n")
	}
	var lines []string
	if d.applied != "" {
		lines = append(lines, strings.Split(wrapLines(StyleOK.Render("✓ ")+d.applied, d.width), "\n")...)
	}
	if d.retry.outcome != "" {
		mark := StyleWarning.Render("! ")
		if d.retry.replicatedAll {
			mark = StyleOK.Render("✓ ")
		}
		lines = append(lines, strings.Split(wrapLines(mark+d.retry.outcome, d.width), "\n")...)
	}
	if d.applyErr != nil {
		lines = append(lines, strings.Split(wrapLines(StyleError.Render("Applying the fixes failed: ")+d.applyErr.Error(), d.width), "\n")...)
	}
	t := d.failures
	if t.late > 0 {
		lines = append(lines, StyleWarning.Render("! ")+fmt.Sprintf("%d object(s) missed the 15-minute Replication Time Control threshold since the watch started", t.late))
	}
	if t.total == 0 {
		if d.report != nil && d.report.Status.EventsOn {
			lines = append(lines, StyleOK.Render("✓ no failure events since the watch started"))
		}
		return lines
	}
	heading := fmt.Sprintf("Failures by reason · %d since the watch started", t.total)
	if t.retried > 0 {
		heading += fmt.Sprintf(", %d retried and replicated", t.retried)
	}
	lines = append(lines, StyleTitle.Render(heading))
	for _, g := range t.groups {
		if len(lines) >= room {
			break
		}
		lines = append(lines, fmt.Sprintf("%s %s ×%d · last %s", StyleError.Render("✗"), g.Reason, g.Count, g.LastSeen.UTC().Format("15:04:05")))
		lines = append(lines, strings.Split(wrapLines("  "+g.Meaning, d.width), "\n")...)
		lines = append(lines, strings.Split(wrapLines("  fix: "+g.Fix, d.width), "\n")...)
		for _, e := range g.Examples {
			lines = append(lines, "  "+e.Key+StyleMuted.Render("  "+shortVersion(e.VersionID)))
		}
	}
	return lines
}

func shortVersion(v string) string {
	if len(v) > 12 {
		return v[:12] + "…"
	}
	return v
}

// footer is the way out and the keys.
func (d WatchDashboard) footer() []string {
	var lines []string
	switch {
	case d.retryOpen():
		return d.retryFooter()
	case d.setupPlan != nil && d.applyingSetup:
		return []string{StyleMuted.Render("Applying the watch's setup…"), ""}
	case d.setupPlan != nil && len(d.setupPlan.Pending()) > 0:
		return []string{StyleWarning.Render(fmt.Sprintf("Apply these %d change(s)? ", len(d.setupPlan.Pending()))) + watchKeyHelp(d.keys.Yes, d.keys.No),
			StyleMuted.Render(watchKeyHelp(d.keys.ScrollDown, d.keys.Quit))}
	case d.setupPlan != nil:
		return []string{"", StyleMuted.Render(watchKeyHelp(d.keys.Close, d.keys.Quit))}
	case d.confirming:
		titles := make([]string, len(d.doctor.Fixes))
		for i, c := range d.doctor.Fixes {
			titles[i] = c.Title
		}
		return []string{StyleWarning.Render(fmt.Sprintf("Apply %d change(s): %s?", len(titles), strings.Join(titles, "; "))), watchKeyHelp(d.keys.Yes, d.keys.No)}
	case d.applying:
		return []string{StyleMuted.Render("Applying the doctor's fixes…"), ""}
	case d.doctor != nil && len(d.doctor.Fixes) > 0:
		then := fmt.Sprintf("`s3repl backfill -f %s --objects failed` retries the failed objects", d.deps.SetupFile)
		if d.deps.Retry.Plan != nil {
			then = "r retries the failed objects (Batch Replication)"
		}
		lines = append(lines, strings.Split(wrapLines(fmt.Sprintf("a applies the doctor's %d fix(es); then %s", len(d.doctor.Fixes), then), d.width), "\n")...)
	case d.failures.total > d.failures.retried:
		lines = append(lines, strings.Split(wrapLines("Way out: d doctor → a apply its fixes → "+d.retryWayOut(), d.width), "\n")...)
	default:
		lines = append(lines, "")
	}
	keys := []key.Binding{d.keys.Read, d.keys.Doctor}
	if d.canRetry() {
		keys = append(keys, d.keys.Retry)
	}
	if d.canSetUp() {
		keys = append(keys, d.keys.Setup)
	}
	if d.doctor != nil {
		keys = append(keys, d.keys.ScrollDown, d.keys.Close)
	}
	return append(lines, StyleMuted.Render(watchKeyHelp(append(keys, d.keys.Quit)...)))
}

// retryWayOut is the way out's last step: r, or the command.
func (d WatchDashboard) retryWayOut() string {
	if d.deps.Retry.Plan != nil {
		return "r retry the failed objects (Batch Replication)"
	}
	return "s3repl backfill -f " + d.deps.SetupFile + " --objects failed"
}

// watchKeyHelp is the keys' help, "key what" each, joined.
func watchKeyHelp(bindings ...key.Binding) string {
	parts := make([]string, len(bindings))
	for i, b := range bindings {
		parts[i] = b.Help().Key + " " + b.Help().Desc
	}
	return strings.Join(parts, " · ")
}
