package ui

import (
	"context"
	"fmt"
	"slices"
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
	// Fix applies the doctor's fixes (its plan, as shown); nil offers none.
	Fix func(ctx context.Context, d steps.DoctorReport) error
}

type panelPhase int

const (
	phaseWatching panelPhase = iota
	phaseDiagnosing
	phaseDeciding // the user chooses to keep or delete the test objects
	phaseConfirmingFix
	phaseFixing
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
	fixDoneMsg     struct{ err, cleanupErr error }
)

// VerifyPanel is the live replication-status panel: the test object's checks turning
// green or red, then the doctor's findings when replication fails.
type VerifyPanel struct {
	funcs   VerifyFuncs
	parent  context.Context
	ctx     context.Context
	stop    context.CancelFunc
	updates chan steps.VerifyReport
	// runs counts the test objects uploaded; a fix starts another.
	runs int
	// fixNote says what the last fix did, shown over the next test.
	fixNote string

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
	watch, stop := context.WithCancel(ctx)
	return VerifyPanel{
		funcs: funcs, parent: ctx, ctx: watch, stop: stop, updates: make(chan steps.VerifyReport, 16), runs: 1,
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
	return p.phase == phaseWatching || p.phase == phaseDiagnosing || p.phase == phaseCleaning || p.phase == phaseFixing
}

// Fixing reports whether the doctor's fixes are being applied.
func (p VerifyPanel) Fixing() bool { return p.phase == phaseFixing }

// Confirming reports whether the panel asks the user to confirm the fixes.
func (p VerifyPanel) Confirming() bool { return p.phase == phaseConfirmingFix }

// Runs is how many test objects the panel has uploaded.
func (p VerifyPanel) Runs() int { return p.runs }

// canFix reports whether the doctor's fixes can be applied from the panel.
func (p VerifyPanel) canFix() bool {
	return p.funcs.Fix != nil && p.doctor != nil && p.doctor.Plan != nil && len(p.doctor.Fixes) > 0
}

// Finished reports whether the test objects were kept or deleted.
func (p VerifyPanel) Finished() bool { return p.phase == phaseDone }

// KeyHelp is the panel's keys in its current phase.
func (p VerifyPanel) KeyHelp() help.KeyMap { return p.keys.forPanel(p.phase, p.canFix()) }

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
	case fixDoneMsg:
		return p.afterFix(msg)
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
	if p.phase == phaseConfirmingFix {
		return p.confirmFix(msg)
	}
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
	case key.Matches(msg, p.keys.Apply) && p.phase == phaseDeciding && p.canFix():
		p.phase = phaseConfirmingFix
		return p, nil
	}
	var cmd tea.Cmd
	p.viewport, cmd = p.viewport.Update(msg)
	return p, cmd
}

// fixAccounts names the accounts the fixes change.
func fixAccounts(changes []steps.Change) string {
	var accounts []string
	for _, c := range changes {
		if c.Account != "" && !slices.Contains(accounts, c.Account) {
			accounts = append(accounts, c.Account)
		}
	}
	if len(accounts) == 0 {
		return "your accounts"
	}
	return "account " + strings.Join(accounts, " and ")
}

// confirmFix takes the answer to "apply the fixes?".
func (p VerifyPanel) confirmFix(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if !key.Matches(msg, p.keys.Yes) {
		p.phase = phaseDeciding
		return p, nil
	}
	p.phase = phaseFixing
	fix, cleanup, ctx, doctor, failed := p.funcs.Fix, p.funcs.Cleanup, context.WithoutCancel(p.parent), *p.doctor, p.report
	return p, tea.Batch(p.spinner.Tick, func() tea.Msg {
		if err := fix(ctx, doctor); err != nil {
			return fixDoneMsg{err: err}
		}
		var cleanupErr error
		if cleanup != nil && failed.VersionID != "" {
			cleanupErr = cleanup(ctx, failed) // the failed test object is of no more use
		}
		return fixDoneMsg{cleanupErr: cleanupErr}
	})
}

// afterFix starts a new test once the fixes are in place; a failed fix leaves the
// panel as it was, with the error.
func (p VerifyPanel) afterFix(msg fixDoneMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		p.phase, p.fixNote = phaseDeciding, StyleError.Render("The fixes were not all applied: ")+msg.err.Error()
		return p, nil
	}
	p.fixNote = StyleOK.Render("✓ ") + fmt.Sprintf("Applied %s; testing again with a new object.", plural(len(p.doctor.Fixes), "change"))
	if msg.cleanupErr != nil {
		p.fixNote += fmt.Sprintf(" The failed test object s3://%s/%s stays: %v", p.report.SourceBucket, p.report.Key, msg.cleanupErr)
	}
	p.ctx, p.stop = context.WithCancel(p.parent)
	p.updates = make(chan steps.VerifyReport, 16)
	p.runs++
	p.phase, p.report, p.err, p.doctor, p.doctorErr, p.findings = phaseWatching, steps.VerifyReport{}, nil, nil, nil, ""
	p.layout()
	return p, tea.Batch(p.spinner.Tick, p.runVerify(), p.listen())
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
	if p.fixNote != "" {
		b.WriteString(wrapText(p.fixNote, p.width) + "\n")
	}
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
		if p.canFix() {
			b.WriteString(wrapText(StyleWarning.Render(fmt.Sprintf("a applies the %s above and tests again; ", plural(len(p.doctor.Fixes), "change")))+
				"or keep the test object (k) or delete it (d)", p.width) + "\n")
		} else {
			b.WriteString(StyleWarning.Render("Keep the test object and its replica? ") + "k keep · d delete\n")
		}
	case phaseConfirmingFix:
		b.WriteString(wrapText(StyleWarning.Render(fmt.Sprintf("Apply %s in %s? ", plural(len(p.doctor.Fixes), "change"), fixAccounts(p.doctor.Fixes)))+
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
		b.WriteString(p.help.View(p.keys.forPanel(p.phase, p.canFix())))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func truncate(s string, width int) string {
	if width <= 1 || len([]rune(s)) <= width {
		return s
	}
	return string([]rune(s)[:width-1]) + "…"
}

// FixesApplier is VerifyFuncs.Fix for the accounts: it applies the doctor's plan,
// with a journal when journal is given.
func FixesApplier(acc steps.Accounts, journal func() (*steps.Journal, error)) func(context.Context, steps.DoctorReport) error {
	return func(ctx context.Context, d steps.DoctorReport) error {
		var opts steps.ApplyOptions
		if journal != nil {
			j, err := journal()
			if err != nil {
				return err
			}
			defer j.Close()
			opts.Journal = j
		}
		_, err := steps.ApplyFixes(ctx, acc, d, opts)
		return err
	}
}
