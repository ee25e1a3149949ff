package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// layout gives the doctor's findings the room left under the panel.
func (p *VerifyPanel) layout() {
	p.viewport.SetWidth(p.width)
	if p.findingsWidth != p.width || p.findings == "" {
		p.findings, p.findingsWidth = p.renderFindings(), p.width
	}
	p.viewport.SetContent(p.findings)
	room := p.height - lineCount(p.top()) - lineCount(p.bottom())
	if p.doctor != nil && p.viewport.TotalLineCount() > room {
		room-- // for the line that says there is more
	}
	p.viewport.SetHeight(max(3, room))
}

// renderFindings is the doctor's report, or why it could not run.
func (p VerifyPanel) renderFindings() string {
	switch {
	case p.doctorErr != nil:
		return p.theme.Error.Render("The doctor could not run:") + "\n" + renderErrorText(p.theme, p.doctorErr, p.width)
	case p.doctor != nil:
		return wrapLines(DoctorFindings(p.theme, *p.doctor), p.width)
	}
	return ""
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

func (p VerifyPanel) View() tea.View {
	p.layout() // sizes follow the phase's top and bottom, whatever order messages came in
	parts := []string{p.top()}
	if p.doctor != nil {
		parts = append(parts, p.viewport.View())
		if !p.viewport.AtBottom() {
			parts = append(parts, p.theme.Hint.Render(fmt.Sprintf("↓ more below (%d%%): pgdn or space", int(p.viewport.ScrollPercent()*100))))
		}
	}
	parts = append(parts, p.bottom())
	return tea.NewView(strings.Join(parts, "\n"))
}

// top is the panel proper: the object, its checks and the outcome. Once the doctor's
// findings need the room on a short terminal, it keeps only what went wrong.
func (p VerifyPanel) top() string {
	if p.doctor != nil && p.height < compactBelow {
		return p.compactTop()
	}
	var b strings.Builder
	b.WriteString(p.theme.Heading.Render("Replication status") + "\n")
	if p.fixNote != "" {
		b.WriteString(wrapText(p.fixNote, p.width) + "\n")
	}
	r := p.report
	switch {
	case r.Key == "" && p.phase == phaseWatching:
		b.WriteString(p.spinner.View() + " uploading a test object…\n")
	case r.Key == "":
		// nothing was uploaded: the status line says why, under no stale spinner
	default:
		b.WriteString(ansi.Truncate(fmt.Sprintf("s3://%s/%s", r.SourceBucket, r.Key), p.width, "…") + "\n")
		b.WriteString(p.theme.Muted.Render(ansi.Truncate(fmt.Sprintf("→ s3://%s (%s)", r.DestBucket, r.DestRegion), p.width, "…")) + "\n\n")
	}
	var unreached []string
	for _, c := range r.Checks {
		if c.Status == steps.CheckWaiting && p.phase != phaseWatching {
			unreached = append(unreached, c.Name)
			continue
		}
		b.WriteString(p.checkLine(c) + "\n")
	}
	if len(unreached) > 0 {
		b.WriteString(p.theme.Muted.Render(wrapText(p.unreachedLabel()+strings.Join(unreached, ", "), p.width)) + "\n")
	}
	if timeline := TimelineText(r); timeline != "" {
		b.WriteString("\n" + p.theme.Muted.Render(wrapText(timeline, p.width)) + "\n")
	}
	b.WriteString("\n" + wrapText(p.statusLine(), p.width))
	return b.String()
}

// compactBelow is the height under which the panel folds its checks to make room
// for the doctor.
const compactBelow = 32

// compactTop is top in a few lines: the object, the checks that failed, how many
// passed or were not reached, the timeline and the outcome.
func (p VerifyPanel) compactTop() string {
	r := p.report
	lines := []string{ansi.Truncate(fmt.Sprintf("%s s3://%s/%s → s3://%s", p.theme.Heading.Render("Replication status"), r.SourceBucket, r.Key, r.DestBucket), p.width, "…")}
	if p.fixNote != "" {
		lines = append(lines, wrapText(p.fixNote, p.width))
	}
	var passedCount, waitingCount int
	for _, c := range r.Checks {
		switch c.Status {
		case steps.CheckFailed:
			lines = append(lines, p.checkLine(c))
		case steps.CheckPassed:
			passedCount++
		default:
			waitingCount++
		}
	}
	var counts []string
	if passedCount > 0 {
		counts = append(counts, checkMark(p.theme, steps.CheckPassed)+fmt.Sprintf(" %d passed", passedCount))
	}
	if waitingCount > 0 {
		counts = append(counts, p.theme.Muted.Render(strings.TrimPrefix(p.unreachedLabel(), "- ")+fmt.Sprint(waitingCount)))
	}
	if len(counts) > 0 {
		lines = append(lines, strings.Join(counts, " · "))
	}
	if timeline := TimelineText(r); timeline != "" {
		lines = append(lines, p.theme.Muted.Render(wrapText(timeline, p.width)))
	}
	return strings.Join(append(lines, wrapText(p.statusLine(), p.width)), "\n")
}

func (p VerifyPanel) unreachedLabel() string {
	if r := p.report; r.Outcome == steps.OutcomeStopped || r.Outcome == steps.OutcomeTimedOut {
		return "- still waiting: "
	}
	return "- not reached: "
}

func (p VerifyPanel) checkLine(c steps.VerifyCheck) string {
	mark := checkMark(p.theme, c.Status)
	if c.Status == steps.CheckWaiting && p.phase == phaseWatching {
		mark = p.spinner.View()
	}
	text := c.Name
	if c.Detail != "" {
		text += " — " + c.Detail
	}
	if c.Status != steps.CheckFailed {
		// a passed check's detail is an id or ARN: one line each keeps the outcome
		// on an 80x24 screen
		return ansi.Truncate(mark+" "+c.Name+p.theme.Muted.Render(strings.TrimPrefix(text, c.Name)), p.width, "…")
	}
	// a failed check's detail says what went wrong: wrapped under it, never cut
	lines := strings.Split(wrapText(text, p.width-2), "\n")
	for i, l := range lines {
		switch {
		case i > 0:
			lines[i] = "  " + p.theme.Muted.Render(l)
		case strings.HasPrefix(l, c.Name):
			lines[i] = mark + " " + c.Name + p.theme.Muted.Render(strings.TrimPrefix(l, c.Name))
		default:
			lines[i] = mark + " " + p.theme.Muted.Render(l)
		}
	}
	return strings.Join(lines, "\n")
}

func (p VerifyPanel) statusLine() string {
	r := p.report
	switch {
	case p.err != nil:
		return p.theme.Error.Render("Could not verify: ") + p.err.Error()
	case p.phase == phaseWatching:
		status := "waiting for S3"
		if n := len(r.Timeline); n > 0 && r.Timeline[n-1].SourceStatus != "" {
			status = r.Timeline[n-1].SourceStatus
		}
		return fmt.Sprintf("%s %s · %s elapsed", p.spinner.View(), status, r.Elapsed.Round(time.Second))
	case p.phase == phaseDiagnosing:
		return outcomeLine(p.theme, r) + "\n" + p.spinner.View() + " running the doctor…"
	}
	return outcomeLine(p.theme, r)
}

func (p VerifyPanel) bottom() string {
	var b strings.Builder
	switch p.phase {
	case phaseDeciding:
		if p.canFix() {
			b.WriteString(wrapText(p.theme.Warning.Render(fmt.Sprintf("a applies the %s above and tests again; ", plural(len(p.doctor.Fixes), "change")))+
				"or keep the test object (k) or delete it (d)", p.width) + "\n")
		} else {
			b.WriteString(p.theme.Warning.Render("Keep the test object and its replica? ") + "k keep · d delete\n")
		}
	case phaseConfirmingFix:
		b.WriteString(wrapText(p.theme.Warning.Render(fmt.Sprintf("Apply %s in %s? ", plural(len(p.doctor.Fixes), "change"), fixAccounts(p.doctor.Fixes)))+
			"Each resource is read again first. y apply · n not yet", p.width) + "\n")
	case phaseFixing:
		b.WriteString(p.spinner.View() + fmt.Sprintf(" applying %s…\n", plural(len(p.doctor.Fixes), "change")))
	case phaseCleaning:
		b.WriteString(p.spinner.View() + " removing the test objects…\n")
	case phaseDone:
		if p.cleaned != "" {
			b.WriteString(wrapText(p.cleaned, p.width) + "\n")
		}
	}
	if !p.embedded {
		b.WriteString(p.help.View(p.bindings.forPanel(p.phase, p.canFix())))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
