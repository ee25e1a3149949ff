package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// WatchDeps is what the dashboard needs from steps, wired at the entry point.
type WatchDeps struct {
	Read       func(ctx context.Context) (steps.WatchReport, error)
	Doctor     func(ctx context.Context) (steps.DoctorReport, error)
	ApplyFixes func(ctx context.Context, r steps.DoctorReport) error
	// PlanSetup plans what the watch needs; ApplySetup applies that plan with the
	// journal, as `s3repl watch --setup` does.
	PlanSetup  func(ctx context.Context) (*steps.Plan, error)
	ApplySetup func(ctx context.Context, plan *steps.Plan) error
	// Retry replicates the FAILED objects with Batch Replication (r); its Plan nil
	// leaves the command to run by hand.
	Retry     WatchRetryDeps
	Interval  time.Duration // between reads
	SetupFile string
	Label     string // e.g. DEMO; "" for real accounts
}

// WatchDashboard is `s3repl watch` in a terminal: the rule's numbers with
// sparklines, failures grouped by reason as they arrive, and the way out (doctor,
// its fixes, then backfill).
type WatchDashboard struct {
	ctx  context.Context
	deps WatchDeps
	keys watchKeys

	width, height int
	report        *steps.WatchReport
	readErr       error
	reading       bool
	// timer numbers the timer of the next read: each read's answer sets a new one,
	// and a tick of an older timer is dropped, so reads asked for between ticks do
	// not add timers.
	timer int

	failures *failureTally

	doctor        *steps.DoctorReport
	doctorErr     error
	doctorRunning bool
	confirming    bool
	applying      bool
	applied       string
	applyErr      error

	// The watch's own setup, offered when metrics or events are off: its plan shown
	// as diffs, applied after y.
	setupPlan     *steps.Plan
	setupErr      error
	planning      bool
	applyingSetup bool

	retry watchRetry

	scroll int // first line shown of the doctor's findings or the setup plan
}

type watchReadMsg struct {
	report steps.WatchReport
	err    error
}

type watchTickMsg struct{ timer int }

type watchDoctorMsg struct {
	report steps.DoctorReport
	err    error
}

type watchAppliedMsg struct{ err error }

type watchPlannedMsg struct {
	plan *steps.Plan
	err  error
}

type watchSetupAppliedMsg struct{ err error }

// NewWatchDashboard starts reading at once.
func NewWatchDashboard(ctx context.Context, deps WatchDeps) WatchDashboard {
	if deps.Interval <= 0 {
		deps.Interval = 30 * time.Second
	}
	return WatchDashboard{ctx: ctx, deps: deps, keys: newWatchKeys(), width: 80, height: 24, failures: newFailureTally(), reading: true}
}

func (d WatchDashboard) Init() tea.Cmd { return d.read() }

func (d WatchDashboard) read() tea.Cmd {
	ctx, read := d.ctx, d.deps.Read
	return func() tea.Msg {
		r, err := read(ctx)
		return watchReadMsg{r, err}
	}
}

// tick sets the timer of the next read, replacing any set before.
func (d *WatchDashboard) tick() tea.Cmd {
	d.timer++
	timer := d.timer
	return tea.Tick(d.deps.Interval, func(time.Time) tea.Msg { return watchTickMsg{timer} })
}

func (d WatchDashboard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		d.width, d.height = msg.Width, msg.Height
	case watchReadMsg:
		d.reading, d.readErr = false, msg.err
		if msg.err == nil {
			d.report = &msg.report
			d.failures.add(msg.report.Events)
		}
		next := d.tick() // before d is returned: tick numbers the timer in d
		return d, next
	case watchTickMsg:
		if msg.timer != d.timer || d.reading {
			return d, nil
		}
		d.reading = true
		return d, d.read()
	case watchDoctorMsg:
		d.doctorRunning, d.doctorErr = false, msg.err
		if msg.err == nil {
			d.doctor = &msg.report
		}
	case watchPlannedMsg:
		d.planning, d.setupPlan, d.setupErr, d.scroll = false, msg.plan, msg.err, 0
	case watchSetupAppliedMsg:
		d.applyingSetup, d.setupErr = false, msg.err
		if msg.err == nil {
			d.setupPlan, d.applied = nil, "Metrics and failure events set up. CloudWatch shows the metrics within minutes of new uploads."
			if !d.reading {
				d.reading = true
				return d, d.read()
			}
		}
	case watchAppliedMsg:
		d.applying, d.applyErr = false, msg.err
		if msg.err == nil {
			d.applied = "Fixes applied. New objects replicate again; the objects that failed stay FAILED (S3 never retries them): " + d.retryHint() + "."
			d.doctor = nil
		}
	case watchRetryMsg:
		return d.retryUpdate(msg)
	case tea.KeyPressMsg:
		return d.key(msg)
	}
	return d, nil
}

func (d WatchDashboard) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if d.setupPlan != nil && !d.applyingSetup {
		return d.setupKey(msg)
	}
	if d.retryOpen() {
		return d.retryKey(msg)
	}
	if d.confirming {
		switch {
		case key.Matches(msg, d.keys.Yes):
			d.confirming, d.applying = false, true
			ctx, apply, report := d.ctx, d.deps.ApplyFixes, *d.doctor
			return d, func() tea.Msg { return watchAppliedMsg{apply(ctx, report)} }
		case key.Matches(msg, d.keys.No):
			d.confirming = false
		}
		return d, nil
	}
	switch {
	case key.Matches(msg, d.keys.Quit):
		return d, tea.Quit
	case key.Matches(msg, d.keys.Read) && !d.reading:
		d.reading = true
		return d, d.read()
	case key.Matches(msg, d.keys.Doctor) && !d.doctorRunning && !d.applying:
		d.doctorRunning, d.doctor, d.doctorErr, d.applied, d.applyErr = true, nil, nil, "", nil
		ctx, doctor := d.ctx, d.deps.Doctor
		return d, func() tea.Msg {
			r, err := doctor(ctx)
			return watchDoctorMsg{r, err}
		}
	case key.Matches(msg, d.keys.Apply) && d.doctor != nil && len(d.doctor.Fixes) > 0 && !d.applying:
		d.confirming = true
	case key.Matches(msg, d.keys.Retry) && d.canRetry():
		return d.startRetry()
	case key.Matches(msg, d.keys.Setup) && d.canSetUp():
		d.planning, d.setupErr, d.applied = true, nil, ""
		ctx, plan := d.ctx, d.deps.PlanSetup
		return d, func() tea.Msg {
			p, err := plan(ctx)
			return watchPlannedMsg{p, err}
		}
	case key.Matches(msg, d.keys.ScrollDown) && d.doctor != nil:
		d.scroll++
	case key.Matches(msg, d.keys.ScrollUp) && d.doctor != nil:
		d.scroll = max(0, d.scroll-1)
	case key.Matches(msg, d.keys.Close):
		d.doctor, d.doctorErr, d.scroll = nil, nil, 0
	}
	return d, nil
}

// retryHint says how to retry the FAILED objects: r when the entry point gave the
// means, else the command.
func (d WatchDashboard) retryHint() string {
	if d.deps.Retry.Plan != nil {
		return "r retries them with Batch Replication"
	}
	return "run `s3repl backfill -f " + d.deps.SetupFile + " --objects failed`"
}

// canSetUp reports whether the dashboard may offer the watch's setup: something is
// missing and the entry point gave the means.
func (d WatchDashboard) canSetUp() bool {
	return d.report != nil && !d.report.Status.Ready() && d.deps.PlanSetup != nil && !d.planning && !d.applyingSetup
}

// setupKey answers keys while the setup plan is shown: y applies it, n or esc
// closes it, the scroll keys move through its diffs.
func (d WatchDashboard) setupKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, d.keys.Yes) && len(d.setupPlan.Pending()) > 0:
		d.applyingSetup = true
		ctx, apply, plan := d.ctx, d.deps.ApplySetup, d.setupPlan
		return d, func() tea.Msg { return watchSetupAppliedMsg{apply(ctx, plan)} }
	case key.Matches(msg, d.keys.No):
		d.setupPlan, d.scroll = nil, 0
	case key.Matches(msg, d.keys.ScrollDown):
		d.scroll++
	case key.Matches(msg, d.keys.ScrollUp):
		d.scroll = max(0, d.scroll-1)
	case key.Matches(msg, d.keys.Quit):
		return d, tea.Quit
	}
	return d, nil
}

// failureTally groups failure events by reason as they arrive, so a frame draws the
// groups without looking at every event again.
type failureTally struct {
	groups []steps.FailureGroup
	index  map[string]int
	total  int
	late   int // objects that missed the RTC threshold
	// retried is how many of total a retry job replicated since.
	retried int
}

func newFailureTally() *failureTally { return &failureTally{index: map[string]int{}} }

func (t *failureTally) add(events []steps.FailureEvent) {
	t.late += steps.CountMissedThreshold(events)
	for _, g := range steps.GroupFailures(events) {
		i, ok := t.index[g.Reason]
		if !ok {
			t.index[g.Reason] = len(t.groups)
			t.groups = append(t.groups, g)
			i = len(t.groups) - 1
		} else {
			existing := &t.groups[i]
			existing.Count += g.Count
			if g.LastSeen.After(existing.LastSeen) {
				existing.LastSeen = g.LastSeen
			}
			existing.Examples = append(g.Examples, existing.Examples...)[:min(len(g.Examples)+len(existing.Examples), 3)]
		}
		t.total += g.Count
		t.bubble(i)
	}
}

// bubble keeps the groups most frequent first.
func (t *failureTally) bubble(i int) {
	for ; i > 0 && t.groups[i].Count > t.groups[i-1].Count; i-- {
		t.groups[i], t.groups[i-1] = t.groups[i-1], t.groups[i]
		t.index[t.groups[i].Reason], t.index[t.groups[i-1].Reason] = i, i-1
	}
}
