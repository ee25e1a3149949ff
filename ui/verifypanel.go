package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// VerifyFuncs are the steps the panel runs, injected so the panel works against AWS,
// the simulated cloud or a test script alike.
type VerifyFuncs struct {
	Verify  func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error)
	Doctor  func(ctx context.Context) (steps.DoctorReport, error)
	Cleanup func(ctx context.Context, r steps.VerifyReport) error
	// Fix applies the doctor's fixes (its plan, as shown) and returns the path of the
	// apply journal it wrote, if any; nil offers none.
	Fix func(ctx context.Context, d steps.DoctorReport) (journal string, err error)
}

// StepsVerifyFuncs are the panel's steps for a setup in the accounts: steps.Verify
// with opts, the doctor, the clean-up, and applying the doctor's fixes with a journal
// when journal is given. `s3repl verify` and the wizard both use them.
func StepsVerifyFuncs(acc steps.Accounts, setup steps.Setup, opts steps.VerifyOptions, journal func() (*steps.Journal, error)) VerifyFuncs {
	return VerifyFuncs{
		Verify: func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error) {
			run := opts
			run.OnUpdate = onUpdate
			return steps.Verify(ctx, acc, setup, run)
		},
		Doctor:  func(ctx context.Context) (steps.DoctorReport, error) { return steps.Doctor(ctx, acc, setup) },
		Cleanup: func(ctx context.Context, r steps.VerifyReport) error { return steps.RemoveTestObjects(ctx, acc, r) },
		Fix:     fixesApplier(acc, journal),
	}
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
	fixDoneMsg     struct {
		journal         string
		err, cleanupErr error
	}
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
	// fixesApplied counts the doctor's changes applied from the panel; fixJournal is
	// the journal of the last of those applies.
	fixesApplied int
	fixJournal   string
	// quitAfterFix is set when the user quit while the fixes were being written: the
	// panel ends once they are, instead of testing again.
	quitAfterFix bool

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
	bindings keyBindings
	theme    Theme
	width    int
	height   int
	// embedded panels live inside the wizard: they never quit the program and leave
	// the help line to their host.
	embedded bool
}

// NewVerifyPanel makes the panel, in the colours of s3repl's printed output, which
// follow the terminal's palette; cancelling ctx, or ctrl+c, stops watching.
func NewVerifyPanel(ctx context.Context, funcs VerifyFuncs) VerifyPanel {
	watch, stop := context.WithCancel(ctx)
	p := VerifyPanel{
		funcs: funcs, parent: ctx, ctx: watch, stop: stop, updates: make(chan steps.VerifyReport, 16), runs: 1,
		spinner:  spinner.New(spinner.WithSpinner(spinner.Dot)),
		viewport: viewport.New(), help: help.New(), bindings: newKeyBindings(), width: 80, height: 24,
	}
	return p.WithTheme(printTheme)
}

// Embedded returns the panel for use inside another model (the wizard), styled with
// its host's theme.
func (p VerifyPanel) Embedded(th Theme) VerifyPanel {
	p.embedded = true
	return p.WithTheme(th)
}

// WithTheme styles the panel.
func (p VerifyPanel) WithTheme(th Theme) VerifyPanel {
	p.theme = th
	p.spinner.Style = th.Hint
	p.help.Styles = th.Help
	p.findings = "" // drawn again in the new colours
	return p
}

// Watching reports whether the test object is still being watched.
func (p VerifyPanel) Watching() bool { return p.phase == phaseWatching }

// Busy reports whether the panel runs something the user should not leave behind:
// the watch, the doctor or the clean-up.
func (p VerifyPanel) Busy() bool {
	return p.phase == phaseWatching || p.phase == phaseDiagnosing || p.phase == phaseCleaning || p.phase == phaseFixing
}

// Cleaning reports whether the test objects are being deleted.
func (p VerifyPanel) Cleaning() bool { return p.phase == phaseCleaning }

// Fixing reports whether the doctor's fixes are being applied.
func (p VerifyPanel) Fixing() bool { return p.phase == phaseFixing }

// Confirming reports whether the panel asks the user to confirm the fixes.
func (p VerifyPanel) Confirming() bool { return p.phase == phaseConfirmingFix }

// FixesApplied counts the doctor's changes the user applied from the panel, and names
// the journal of the last apply.
func (p VerifyPanel) FixesApplied() (int, string) { return p.fixesApplied, p.fixJournal }

// Finished reports whether the test objects were kept or deleted.
func (p VerifyPanel) Finished() bool { return p.phase == phaseDone }

// KeyHelp is the panel's keys in its current phase.
func (p VerifyPanel) KeyHelp() help.KeyMap { return p.bindings.forPanel(p.phase, p.canFix()) }

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
		p.phase, p.cleaned = phaseDone, p.report.RemovedNote()
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
	case key.Matches(msg, p.bindings.Quit):
		switch p.phase {
		case phaseWatching:
			p.stop() // stop watching; the verification ends as STOPPED
			return p, nil
		case phaseCleaning:
			return p, nil // it ends once the test objects are gone; quitting now would cut the deletes
		case phaseFixing:
			p.quitAfterFix = true // the same, for the fixes being written
			p.fixNote = p.theme.Warning.Render("Quitting once the fixes are written.")
			return p, nil
		}
		return p, p.end()
	case key.Matches(msg, p.bindings.Help):
		p.help.ShowAll = !p.help.ShowAll
		p.layout()
		return p, nil
	case key.Matches(msg, p.bindings.Keep) && p.phase == phaseDeciding:
		p.phase, p.cleaned = phaseDone, fmt.Sprintf("The test object s3://%s/%s stays (version %s).", p.report.SourceBucket, p.report.Key, p.report.VersionID)
		return p, p.end()
	case key.Matches(msg, p.bindings.Delete) && p.phase == phaseDeciding && p.funcs.Cleanup != nil:
		p.phase = phaseCleaning
		return p, tea.Batch(p.runCleanup(), p.spinner.Tick)
	case key.Matches(msg, p.bindings.Apply) && p.phase == phaseDeciding && p.canFix():
		p.phase = phaseConfirmingFix
		return p, nil
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
