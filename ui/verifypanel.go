package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// VerifyFuncs are the steps the panel runs, injected so the panel works against AWS,
// the simulated cloud or a test script alike.
type VerifyFuncs struct {
	Verify  func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error)
	Doctor  func(ctx context.Context) (steps.DoctorReport, error)
	Cleanup func(ctx context.Context, r steps.VerifyReport) error
}

type panelPhase int

const (
	phaseWatching panelPhase = iota
	phaseDiagnosing
	phaseDeciding // the user chooses to keep or delete the test objects
	phaseCleaning
	phaseDone
)

type (
	verifyUpdateMsg struct{ report steps.VerifyReport }
	verifyDoneMsg   struct {
		report steps.VerifyReport
		err    error
	}
	doctorDoneMsg struct {
		report steps.DoctorReport
		err    error
	}
	cleanupDoneMsg struct{ err error }
)

// VerifyPanel is the live replication-status panel: the test object's checks turning
// green or red, then the doctor's findings when replication fails.
type VerifyPanel struct {
	funcs   VerifyFuncs
	ctx     context.Context
	stop    context.CancelFunc
	updates chan steps.VerifyReport

	phase  panelPhase
	report steps.VerifyReport
	err    error
	doctor *steps.DoctorReport
	// doctorErr is why the doctor could not run, if it could not.
	doctorErr error
	// findings is the doctor's report rendered for findingsWidth: rendering it (a
	// diff included) costs more than the rest of a frame.
	findings      string
	findingsWidth int
	cleaned       string

	spinner  spinner.Model
	viewport viewport.Model
	help     help.Model
	keys     wizardKeys
	width    int
	height   int
	// embedded panels live inside the wizard: they never quit the program and leave
	// the help line to their host.
	embedded bool
}

// NewVerifyPanel makes the panel; cancelling ctx, or ctrl+c, stops watching.
func NewVerifyPanel(ctx context.Context, funcs VerifyFuncs) VerifyPanel {
	ctx, stop := context.WithCancel(ctx)
	return VerifyPanel{
		funcs: funcs, ctx: ctx, stop: stop, updates: make(chan steps.VerifyReport, 16),
		spinner:  spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(StyleHunk)),
		viewport: viewport.New(), help: help.New(), keys: newWizardKeys(), width: 80, height: 24,
	}
}

// Embedded returns the panel for use inside another model (the wizard).
func (p VerifyPanel) Embedded() VerifyPanel {
	p.embedded = true
	return p
}

// Watching reports whether the test object is still being watched.
func (p VerifyPanel) Watching() bool { return p.phase == phaseWatching }

// Busy reports whether the panel runs something the user should not leave behind:
// the watch, the doctor or the clean-up.
func (p VerifyPanel) Busy() bool {
	return p.phase == phaseWatching || p.phase == phaseDiagnosing || p.phase == phaseCleaning
}

// Finished reports whether the test objects were kept or deleted.
func (p VerifyPanel) Finished() bool { return p.phase == phaseDone }

// KeyHelp is the panel's keys in its current phase.
func (p VerifyPanel) KeyHelp() help.KeyMap { return p.keys.forPanel(p.phase) }

// Report is the verification's outcome so far.
func (p VerifyPanel) Report() steps.VerifyReport { return p.report }

// Err is why the verification could not run, if it could not.
func (p VerifyPanel) Err() error { return p.err }

func (p VerifyPanel) Init() tea.Cmd {
	return tea.Batch(p.spinner.Tick, p.runVerify(), p.listen())
}

// runVerify runs the verification; its observations arrive through the channel.
func (p VerifyPanel) runVerify() tea.Cmd {
	run, ctx, updates := p.funcs.Verify, p.ctx, p.updates
	return func() tea.Msg {
		report, err := run(ctx, func(r steps.VerifyReport) {
			select {
			case updates <- r:
			default: // the panel shows the next one
			}
		})
		close(updates)
		return verifyDoneMsg{report: report, err: err}
	}
}

func (p VerifyPanel) listen() tea.Cmd {
	updates := p.updates
	return func() tea.Msg {
		r, ok := <-updates
		if !ok {
			return nil
		}
		return verifyUpdateMsg{report: r}
	}
}

func (p VerifyPanel) runDoctor() tea.Cmd {
	doctor, ctx := p.funcs.Doctor, context.WithoutCancel(p.ctx)
	return func() tea.Msg {
		report, err := doctor(ctx)
		return doctorDoneMsg{report: report, err: err}
	}
}

func (p VerifyPanel) runCleanup() tea.Cmd {
	cleanup, ctx, report := p.funcs.Cleanup, context.WithoutCancel(p.ctx), p.report
	return func() tea.Msg { return cleanupDoneMsg{err: cleanup(ctx, report)} }
}

func (p VerifyPanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.width, p.height = msg.Width, msg.Height
		p.layout()
		return p, nil
	case tea.KeyPressMsg:
		return p.handleKey(msg)
	case spinner.TickMsg:
		if !p.Busy() {
			return p, nil // nothing moves: stop redrawing
		}
		var cmd tea.Cmd
		p.spinner, cmd = p.spinner.Update(msg)
		return p, cmd
	case verifyUpdateMsg:
		if p.phase != phaseWatching {
			return p, nil // a late observation must not replace the outcome
		}
		p.report = msg.report
		return p, p.listen()
	case verifyDoneMsg:
		return p.finishWatching(msg)
	case doctorDoneMsg:
		p.phase = phaseDeciding
		p.doctor = &msg.report
		if msg.err != nil {
			p.doctor, p.doctorErr = &steps.DoctorReport{}, msg.err
		}
		p.findings = ""
		p.layout()
		return p, nil
	case cleanupDoneMsg:
		p.phase, p.cleaned = phaseDone, "The test object and its replica were removed."
		if msg.err != nil {
			p.cleaned = "Could not remove the test objects: " + msg.err.Error()
		}
		return p, p.end()
	}
	return p, nil
}

func (p VerifyPanel) finishWatching(msg verifyDoneMsg) (tea.Model, tea.Cmd) {
	p.report, p.err = msg.report, msg.err
	switch {
	case msg.err != nil || p.report.VersionID == "":
		p.phase = phaseDone
		return p, nil
	case p.report.Outcome == steps.OutcomeFailed || p.report.Outcome == steps.OutcomeTimedOut ||
		p.report.Outcome == steps.OutcomeNotMatched:
		if p.funcs.Doctor != nil {
			p.phase = phaseDiagnosing
			return p, p.runDoctor()
		}
	}
	p.phase = phaseDeciding
	return p, nil
}

func (p VerifyPanel) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, p.keys.Quit):
		if p.phase == phaseWatching {
			p.stop() // stop watching; the verification ends as STOPPED
			return p, nil
		}
		return p, p.end()
	case key.Matches(msg, p.keys.Help):
		p.help.ShowAll = !p.help.ShowAll
		p.layout()
		return p, nil
	case key.Matches(msg, p.keys.Keep) && p.phase == phaseDeciding:
		p.phase, p.cleaned = phaseDone, fmt.Sprintf("The test object s3://%s/%s stays (version %s).", p.report.SourceBucket, p.report.Key, p.report.VersionID)
		return p, p.end()
	case key.Matches(msg, p.keys.Delete) && p.phase == phaseDeciding && p.funcs.Cleanup != nil:
		p.phase = phaseCleaning
		return p, tea.Batch(p.runCleanup(), p.spinner.Tick)
	}
	var cmd tea.Cmd
	p.viewport, cmd = p.viewport.Update(msg)
	return p, cmd
}

// end quits a panel of its own; an embedded one leaves that to its host.
func (p VerifyPanel) end() tea.Cmd {
	if p.embedded {
		return nil
	}
	return tea.Quit
}

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
		return StyleError.Render("The doctor could not run:") + "\n" + renderErrorText(NewTheme(true), p.doctorErr, p.width)
	case p.doctor != nil:
		return wrapLines(DoctorFindings(*p.doctor, p.width), p.width)
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
			parts = append(parts, StyleHunk.Render(fmt.Sprintf("↓ more below (%d%%): pgdn or space", int(p.viewport.ScrollPercent()*100))))
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
	b.WriteString(StyleTitle.Render("Replication status") + "\n")
	r := p.report
	if r.Key == "" {
		b.WriteString(p.spinner.View() + " uploading a test object…\n")
	} else {
		b.WriteString(truncate(fmt.Sprintf("s3://%s/%s", r.SourceBucket, r.Key), p.width) + "\n")
		b.WriteString(StyleMuted.Render(truncate(fmt.Sprintf("→ s3://%s (%s)", r.DestBucket, r.DestRegion), p.width)) + "\n\n")
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
		b.WriteString(StyleMuted.Render(wrapText(p.unreachedLabel()+strings.Join(unreached, ", "), p.width)) + "\n")
	}
	if timeline := TimelineText(r); len(r.Timeline) > 0 {
		b.WriteString("\n" + StyleMuted.Render(wrapText(timeline, p.width)) + "\n")
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
	lines := []string{ansi.Truncate(fmt.Sprintf("%s s3://%s/%s → s3://%s", StyleTitle.Render("Replication status"), r.SourceBucket, r.Key, r.DestBucket), p.width, "…")}
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
		counts = append(counts, checkMark(steps.CheckPassed)+fmt.Sprintf(" %d passed", passedCount))
	}
	if waitingCount > 0 {
		counts = append(counts, StyleMuted.Render(strings.TrimPrefix(p.unreachedLabel(), "- ")+fmt.Sprint(waitingCount)))
	}
	if len(counts) > 0 {
		lines = append(lines, strings.Join(counts, " · "))
	}
	if timeline := TimelineText(r); len(r.Timeline) > 0 {
		lines = append(lines, StyleMuted.Render(wrapText(timeline, p.width)))
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
	mark := checkMark(c.Status)
	if c.Status == steps.CheckWaiting && p.phase == phaseWatching {
		mark = p.spinner.View()
	}
	line := mark + " " + c.Name
	if c.Detail != "" {
		line += StyleMuted.Render(" — " + truncate(c.Detail, max(10, p.width-len(c.Name)-6)))
	}
	return line
}

func (p VerifyPanel) statusLine() string {
	r := p.report
	switch {
	case p.err != nil:
		return StyleError.Render("Could not verify: ") + p.err.Error()
	case p.phase == phaseWatching:
		status := "waiting for S3"
		if n := len(r.Timeline); n > 0 && r.Timeline[n-1].SourceStatus != "" {
			status = r.Timeline[n-1].SourceStatus
		}
		return fmt.Sprintf("%s %s · %s elapsed", p.spinner.View(), status, r.Elapsed.Round(time.Second))
	case p.phase == phaseDiagnosing:
		return outcomeLine(r) + "\n" + p.spinner.View() + " running the doctor…"
	}
	return outcomeLine(r)
}

func (p VerifyPanel) bottom() string {
	var b strings.Builder
	switch p.phase {
	case phaseDeciding:
		b.WriteString(StyleWarning.Render("Keep the test object and its replica? ") + "k keep · d delete\n")
	case phaseCleaning:
		b.WriteString(p.spinner.View() + " removing the test objects…\n")
	case phaseDone:
		if p.cleaned != "" {
			b.WriteString(wrapText(p.cleaned, p.width) + "\n")
		}
	}
	if !p.embedded {
		b.WriteString(p.help.View(p.keys.forPanel(p.phase)))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func truncate(s string, width int) string {
	if width <= 1 || len([]rune(s)) <= width {
		return s
	}
	return string([]rune(s)[:width-1]) + "…"
}
