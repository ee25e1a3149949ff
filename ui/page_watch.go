package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Keep watching this rule: `s3repl watch`'s dashboard as a page, opened with w from
// the status panel. esc comes back (closing the doctor's findings or the setup plan
// first, as in the dashboard); leaving stops its reads.

const pageWatch pageID = "watch"

// watchInterval is how often the wizard's dashboard reads again, unless Deps says.
const watchInterval = 30 * time.Second

type watchPage struct {
	s    *shared
	dash *WatchDashboard
	err  error
	// ctx and task are the dashboard's: leaving the page cancels its reads.
	ctx  context.Context
	task taskID
}

type watchOpenedMsg struct {
	task    taskID
	watcher *steps.Watcher
	err     error
}

func newWatchPage(s *shared) page { return &watchPage{s: s} }

// StepsWatchDeps wire the dashboard to steps for a setup: reading, the doctor and
// its fixes, and the watch's own setup, applied with the journal when one is given.
// `s3repl watch` and the wizard both use them.
func StepsWatchDeps(acc steps.Accounts, setup steps.Setup, w *steps.Watcher, setupFile string, limits steps.WatchThresholds,
	interval time.Duration, label string, journal func() (*steps.Journal, error)) WatchDeps {
	apply := func(ctx context.Context, run func(steps.ApplyOptions) (steps.ApplyResult, error)) error {
		_, _, err := applyWithJournal(ctx, journal, run)
		return err
	}
	return WatchDeps{
		Read:   func(ctx context.Context) (steps.WatchReport, error) { return w.Read(ctx, setupFile, limits) },
		Doctor: func(ctx context.Context) (steps.DoctorReport, error) { return w.WatchDoctor(ctx, setup) },
		ApplyFixes: func(ctx context.Context, r steps.DoctorReport) error {
			return apply(ctx, func(opts steps.ApplyOptions) (steps.ApplyResult, error) { return steps.ApplyFixes(ctx, acc, r, opts) })
		},
		PlanSetup: func(ctx context.Context) (*steps.Plan, error) {
			plan, _, err := steps.PlanWatch(ctx, acc, setup)
			return plan, err
		},
		ApplySetup: func(ctx context.Context, plan *steps.Plan) error {
			return apply(ctx, func(opts steps.ApplyOptions) (steps.ApplyResult, error) { return steps.Apply(ctx, acc, plan, opts) })
		},
		Interval: interval, SetupFile: setupFile, Label: label,
	}
}

// enter finds what the watch reads (in a command: it reads the setup), then opens
// the dashboard.
func (p *watchPage) enter(bool) tea.Cmd {
	s := p.s
	p.dash, p.err = nil, nil
	ctx, id := s.tasks.start(slot{kind: taskWatchOpen}, s.current)
	p.ctx, p.task = ctx, id
	acc, setup := s.accountsForSetup(), s.setup
	return func() tea.Msg {
		w, err := steps.NewWatcher(ctx, acc, setup, steps.WatchOptions{})
		return watchOpenedMsg{task: id, watcher: w, err: err}
	}
}

func (p *watchPage) leave() { p.s.tasks.cancelKind(taskWatchOpen) }

func (p *watchPage) opened(msg watchOpenedMsg) tea.Cmd {
	s := p.s
	if msg.task != p.task || !s.tasks.isRunning(msg.task.slot) {
		return nil
	}
	if p.err = msg.err; msg.err != nil {
		s.tasks.finish(msg.task)
		return nil
	}
	// The task stays running while the page is shown: its context is the dashboard's.
	ctx := p.ctx
	interval := s.deps.WatchInterval
	if interval <= 0 {
		interval = watchInterval
	}
	deps := StepsWatchDeps(s.accountsForSetup(), s.setup, msg.watcher, s.setupFileName(), steps.WatchThresholds{}, interval, "", s.deps.Journal)
	deps.Retry = StepsWatchRetry(s.accountsForSetup(), s.setup, msg.watcher, s.setupFileName(), s.deps.Journal, s.openBackfillJournal, s.deps.Backfill)
	dash := NewWatchDashboard(ctx, deps)
	p.dash = &dash
	p.setSize(s.width, s.height)
	return dash.Init()
}

// ownsKeys: the dashboard answers esc (closing what it shows) and q itself.
func (p *watchPage) ownsKeys() bool { return true }

func (p *watchPage) writing() bool {
	return p.dash != nil && (p.dash.applying || p.dash.applyingSetup || p.dash.retryWriting())
}

func (p *watchPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case watchOpenedMsg:
		return only(p.opened(msg))
	case tea.KeyPressMsg:
		return p.key(msg)
	case watchReadMsg, watchTickMsg, watchDoctorMsg, watchAppliedMsg, watchPlannedMsg, watchSetupAppliedMsg, watchRetryMsg:
		if p.dash != nil {
			return only(p.updateDash(msg))
		}
	}
	return stay, nil
}

func (p *watchPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	d := p.dash
	switch {
	case key.Matches(msg, b.Interrupt):
		return quitWizard(), nil
	case d == nil:
		if key.Matches(msg, b.Back) {
			return goBack(), nil
		}
		if key.Matches(msg, b.Quit) {
			return quitWizard(), nil
		}
		return stay, nil
	case d.confirming || d.setupPlan != nil || d.doctor != nil || d.doctorErr != nil || d.retryOpen():
		return only(p.updateDash(msg)) // esc closes what it shows first
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case key.Matches(msg, b.Quit):
		return quitWizard(), nil // the dashboard's own q would end the program
	}
	return only(p.updateDash(msg))
}

func (p *watchPage) updateDash(msg tea.Msg) tea.Cmd {
	model, cmd := p.dash.Update(msg)
	dash := model.(WatchDashboard)
	p.dash = &dash
	return cmd
}

func (p *watchPage) setSize(width, height int) {
	if p.dash != nil {
		p.updateDash(tea.WindowSizeMsg{Width: width, Height: height})
	}
}

func (p *watchPage) typing() bool { return false }

func (p *watchPage) view() string {
	th, s := p.s.theme, p.s
	switch {
	case p.err != nil:
		return th.Heading.Render("Keep watching") + "\n" + renderError(th, p.err, s.width)
	case p.dash == nil:
		return th.Heading.Render("Keep watching") + "\n" + s.spinnerLine("finding the rule's metrics and failure events…")
	}
	return p.dash.View().Content
}

func (p *watchPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	return keyHelp{short: []key.Binding{withHelp(b.Back, "esc", "back to the status panel"), b.Quit}}
}
