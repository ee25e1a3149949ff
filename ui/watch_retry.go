package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// The dashboard's way out ends with r: the FAILED objects, which S3 never retries
// by itself [replication-status], replicated by a Batch Replication job: the batch
// role's plan (y makes it), the job created with confirmation required, its preview
// (count and estimated cost; y runs it), its progress in the backfill panel, and its
// result grouped by failure reason.

// WatchRetryDeps are the Batch Replication calls of the dashboard's retry, wired at
// the entry point; Plan nil means the dashboard only names the command.
type WatchRetryDeps struct {
	Plan func(ctx context.Context) (*steps.BackfillPlan, error)
	// Apply makes the plan's changes (journaled) and waits for IAM after creating the role.
	Apply   func(ctx context.Context, plan *steps.BackfillPlan) error
	Start   func(ctx context.Context, plan *steps.BackfillPlan) (steps.StartedJob, error)
	Read    func(ctx context.Context, jobID string) (awsops.Job, error)
	Confirm func(ctx context.Context, jobID string) error
	Cancel  func(ctx context.Context, jobID string) error
	// Result reads the completion report and explains the failed tasks with the doctor.
	Result   func(ctx context.Context, job awsops.Job) (steps.BackfillResult, error)
	NextPoll func(last time.Duration) time.Duration
	Now      func() time.Time
	// Settle is the wait after creating the batch role, for the text.
	Settle time.Duration
}

// StepsWatchRetry wires the retry to steps for the watcher's rule: the plan on the
// setup as the watch has it, the job journaled with the backfill journal.
func StepsWatchRetry(acc steps.Accounts, setup steps.Setup, w *steps.Watcher, setupFile string,
	journal func() (*steps.Journal, error), openJobs func(steps.BackfillFacts) (*steps.BackfillJournal, error), opts BackfillOptions) WatchRetryDeps {
	var mu sync.Mutex
	var jobs *steps.BackfillJobs
	current := func() *steps.BackfillJobs { mu.Lock(); defer mu.Unlock(); return jobs }
	settle := opts.roleSettle()
	return WatchRetryDeps{
		Plan: func(ctx context.Context) (*steps.BackfillPlan, error) {
			return w.PlanWatchRetry(ctx, setup, "s3repl doctor -f "+setupFile)
		},
		Apply: func(ctx context.Context, plan *steps.BackfillPlan) error {
			msg := applyBackfillPlan(ctx, taskID{}, acc, plan, journal, settle)().(backfillAppliedMsg)
			return msg.err
		},
		Start: func(ctx context.Context, plan *steps.BackfillPlan) (steps.StartedJob, error) {
			j, err := steps.NewBackfillJobs(acc, plan)
			if err != nil {
				return steps.StartedJob{}, err
			}
			bj, err := openJobs(plan.Facts)
			if err != nil {
				return steps.StartedJob{}, err
			}
			mu.Lock()
			jobs = j
			mu.Unlock()
			return j.Start(ctx, bj)
		},
		Read: func(ctx context.Context, id string) (awsops.Job, error) {
			if opts.BeforeRead != nil {
				opts.BeforeRead()
			}
			return current().Describe(ctx, id)
		},
		Confirm: func(ctx context.Context, id string) error { return current().Confirm(ctx, id) },
		Cancel:  func(ctx context.Context, id string) error { return current().Cancel(ctx, id) },
		Result: func(ctx context.Context, job awsops.Job) (steps.BackfillResult, error) {
			r, err := current().Result(ctx, job)
			if err != nil || r.AllSucceeded() {
				return r, err
			}
			_, err = steps.ExplainWithDoctor(ctx, acc, steps.WatchSetup(setup), &r)
			return r, err
		},
		NextPoll: opts.NextPoll, Now: opts.Now, Settle: settle,
	}
}

// retryPhase is where the dashboard's retry is.
type retryPhase int

const (
	retryOff        retryPhase = iota
	retryPlanning              // the doctor runs, the batch role is planned
	retryPlanned               // the plan shown: y makes it (or creates the job)
	retryApplying              // the batch role's changes
	retryStarting              // CreateJob, confirmation required
	retryPreparing             // S3 lists the FAILED objects for the manifest
	retryPreview               // Suspended: count and estimated cost; y runs it
	retryAsking                // Ready or Cancelled on its way
	retryRunning               // the progress panel
	retryExplaining            // the completion report read and explained
	retryDone                  // the result, or why it stopped
)

// watchRetry is the dashboard's retry; gen tells its messages from those of a retry
// closed before they arrived.
type watchRetry struct {
	gen    int
	phase  retryPhase
	ctx    context.Context
	cancel context.CancelFunc
	plan   *steps.BackfillPlan
	job    steps.StartedJob
	last   awsops.Job
	wait   time.Duration
	asked  string
	panel  BackfillPanel
	result *steps.BackfillResult
	err    error
	// outcome is what the retry did, in one line, kept after it is closed;
	// replicatedAll says it replicated every FAILED object.
	outcome       string
	replicatedAll bool
}

// watchRetryMsg carries a result of the retry numbered gen.
type watchRetryMsg struct {
	gen int
	msg tea.Msg
}

type (
	retryPlannedMsg struct {
		plan *steps.BackfillPlan
		err  error
	}
	retryAppliedMsg struct{ err error }
	retryStartedMsg struct {
		job steps.StartedJob
		err error
	}
	retryReadMsg struct {
		job awsops.Job
		err error
	}
	retryDueMsg    struct{}
	retryStatusMsg struct {
		status string
		err    error
	}
	retryResultMsg struct {
		result steps.BackfillResult
		err    error
	}
)

// canRetry reports whether r may start a retry: failures were seen, the entry point
// gave the means, and no retry is under way.
func (d WatchDashboard) canRetry() bool {
	return d.deps.Retry.Plan != nil && d.failures.total > d.failures.retried && (d.retry.phase == retryOff || d.retry.phase == retryDone) &&
		!d.applying && !d.confirming && d.setupPlan == nil
}

// retryOpen reports whether the retry's panel is shown.
func (d WatchDashboard) retryOpen() bool { return d.retry.phase != retryOff }

// retryWriting reports whether the retry is making changes that must not be cut.
func (d WatchDashboard) retryWriting() bool {
	return d.retry.phase == retryApplying || d.retry.phase == retryStarting || d.retry.phase == retryAsking
}

// cmd runs f for the current retry, wrapping its message with the retry's number.
func (d WatchDashboard) retryCmd(f func(ctx context.Context) tea.Msg) tea.Cmd {
	gen, ctx := d.retry.gen, d.retry.ctx
	return func() tea.Msg { return watchRetryMsg{gen: gen, msg: f(ctx)} }
}

// wrapRetry numbers the messages of the panel's commands.
func wrapRetry(gen int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		if msg := cmd(); msg != nil {
			return watchRetryMsg{gen: gen, msg: msg}
		}
		return nil
	}
}

// startRetry plans a new retry, dropping whatever an earlier one would still say.
func (d WatchDashboard) startRetry() (WatchDashboard, tea.Cmd) {
	d.stopRetry()
	ctx, cancel := context.WithCancel(d.ctx)
	d.retry = watchRetry{gen: d.retry.gen + 1, phase: retryPlanning, ctx: ctx, cancel: cancel, outcome: d.retry.outcome, replicatedAll: d.retry.replicatedAll}
	d.scroll, d.doctor, d.doctorErr = 0, nil, nil
	plan := d.deps.Retry.Plan
	return d, d.retryCmd(func(ctx context.Context) tea.Msg {
		p, err := plan(ctx)
		return retryPlannedMsg{p, err}
	})
}

// stopRetry cancels the retry's readings (never the job) and closes its panel.
func (d *WatchDashboard) stopRetry() {
	if d.retry.cancel != nil {
		d.retry.cancel()
	}
	d.retry = watchRetry{gen: d.retry.gen + 1, outcome: d.retry.outcome, replicatedAll: d.retry.replicatedAll}
	d.scroll = 0
}

// retryUpdate takes in a result of the current retry.
func (d WatchDashboard) retryUpdate(msg watchRetryMsg) (WatchDashboard, tea.Cmd) {
	if msg.gen != d.retry.gen || d.retry.phase == retryOff {
		return d, nil // a retry closed since
	}
	r := &d.retry
	deps := d.deps.Retry
	switch m := msg.msg.(type) {
	case retryPlannedMsg:
		r.plan, r.err, d.scroll = m.plan, m.err, 0
		if m.err != nil {
			r.phase = retryDone
			return d, nil
		}
		r.phase = retryPlanned
	case retryAppliedMsg:
		if r.err = m.err; m.err != nil {
			r.phase = retryDone
			return d, nil
		}
		return d.createRetryJob()
	case retryStartedMsg:
		if r.err = m.err; m.err != nil {
			r.phase = retryDone
			return d, nil
		}
		r.job, r.phase = m.job, retryPreparing
		return d, d.readRetryJob()
	case retryDueMsg:
		if r.phase == retryPreparing {
			return d, d.readRetryJob()
		}
	case retryReadMsg:
		return d.retryRead(m)
	case retryStatusMsg:
		r.asked = ""
		if r.err = m.err; m.err != nil {
			r.phase = retryDone
			return d, nil
		}
		if m.status == awsops.JobReady {
			return d.runRetryPanel()
		}
		r.phase = retryDone
		r.outcome, r.replicatedAll = fmt.Sprintf("Retry job %s cancelled before it ran: nothing was replicated.", r.job.ID), false
	case backfillJobMsg, backfillPollMsg:
		if r.phase != retryRunning {
			return d, nil
		}
		model, cmd := r.panel.Update(m)
		r.panel = model.(BackfillPanel)
		job := r.panel.Job()
		r.last = job
		switch {
		case r.panel.Err() != nil:
			r.err, r.phase = r.panel.Err(), retryDone
			return d, nil // the panel's quit is not the dashboard's
		case awsops.JobTerminal(job.Status):
			r.phase = retryExplaining
			result := deps.Result
			return d, d.retryCmd(func(ctx context.Context) tea.Msg {
				res, err := result(ctx, job)
				return retryResultMsg{res, err}
			})
		}
		return d, wrapRetry(r.gen, cmd)
	case retryResultMsg:
		r.phase, r.err, d.scroll = retryDone, m.err, 0
		if m.err == nil {
			r.result = &m.result
			r.outcome, r.replicatedAll = retryOutcome(m.result), m.result.AllSucceeded()
			if r.replicatedAll {
				d.failures.retried, d.applied = d.failures.total, ""
			}
		}
	}
	return d, nil
}

// retryOutcome is a finished retry in one line.
func retryOutcome(r steps.BackfillResult) string {
	line := fmt.Sprintf("Retry job %s: %s of %s FAILED objects replicated", r.Job.ID, count(r.Succeeded), count(r.Total))
	if r.AllSucceeded() {
		return line + "."
	}
	return line + fmt.Sprintf(", %s failed again.", count(r.Failed))
}

func (d WatchDashboard) createRetryJob() (WatchDashboard, tea.Cmd) {
	d.retry.phase = retryStarting
	start, plan := d.deps.Retry.Start, d.retry.plan
	return d, d.retryCmd(func(ctx context.Context) tea.Msg {
		job, err := start(ctx, plan)
		return retryStartedMsg{job, err}
	})
}

func (d WatchDashboard) readRetryJob() tea.Cmd {
	read, id := d.deps.Retry.Read, d.retry.job.ID
	return d.retryCmd(func(ctx context.Context) tea.Msg {
		job, err := read(ctx, id)
		return retryReadMsg{job, err}
	})
}

// retryRead takes in a reading of the job being prepared: it reads again with
// back-off until S3 has counted the objects; an empty job is cancelled.
func (d WatchDashboard) retryRead(m retryReadMsg) (WatchDashboard, tea.Cmd) {
	r := &d.retry
	if r.phase != retryPreparing {
		return d, nil
	}
	if r.err = m.err; m.err != nil {
		r.phase = retryDone
		return d, nil
	}
	r.last = m.job
	switch m.job.Status {
	case awsops.JobNew, awsops.JobPreparing:
		next := steps.NextPoll
		if d.deps.Retry.NextPoll != nil {
			next = d.deps.Retry.NextPoll
		}
		r.wait = next(r.wait)
		gen := r.gen
		return d, tea.Tick(r.wait, func(time.Time) tea.Msg { return watchRetryMsg{gen: gen, msg: retryDueMsg{}} })
	case awsops.JobSuspended:
		r.phase = retryPreview
		if m.job.TotalTasks == 0 {
			r.outcome, r.replicatedAll = "No object is FAILED any more: the empty retry job was cancelled.", false
			return d.askRetry(awsops.JobCancelled)
		}
		return d, nil
	case awsops.JobFailed:
		r.phase = retryDone
		return d, nil
	}
	return d.runRetryPanel() // a job an earlier run confirmed
}

// askRetry sends the job Ready (run it) or Cancelled.
func (d WatchDashboard) askRetry(status string) (WatchDashboard, tea.Cmd) {
	d.retry.asked, d.retry.phase = status, retryAsking
	deps, id := d.deps.Retry, d.retry.job.ID
	return d, d.retryCmd(func(ctx context.Context) tea.Msg {
		var err error
		if status == awsops.JobReady {
			err = deps.Confirm(ctx, id)
		} else {
			err = deps.Cancel(ctx, id)
		}
		return retryStatusMsg{status, err}
	})
}

// runRetryPanel shows the job's progress in the backfill panel.
func (d WatchDashboard) runRetryPanel() (WatchDashboard, tea.Cmd) {
	r := &d.retry
	read, id := d.deps.Retry.Read, r.job.ID
	funcs := BackfillPanelFuncs{
		Poll:     func(ctx context.Context) (awsops.Job, error) { return read(ctx, id) },
		NextPoll: d.deps.Retry.NextPoll, Now: d.deps.Retry.Now,
	}
	info := BackfillPanelInfo{JobID: id, Bucket: d.bucket(), Region: d.region(), Objects: string(steps.BackfillFailed),
		WatchCommand: d.watchJobCommand()}
	r.phase, r.panel = retryRunning, NewBackfillPanel(r.ctx, funcs, info)
	model, _ := r.panel.Update(tea.WindowSizeMsg{Width: d.width, Height: d.height})
	r.panel = model.(BackfillPanel)
	return d, wrapRetry(r.gen, r.panel.Init())
}

func (d WatchDashboard) bucket() string {
	if d.report != nil {
		return d.report.Rule.SourceBucket
	}
	return ""
}

func (d WatchDashboard) region() string {
	if d.report != nil {
		return d.report.Rule.SourceRegion
	}
	return ""
}

func (d WatchDashboard) watchJobCommand() string {
	return fmt.Sprintf("s3repl backfill --job %s -f %s", d.retry.job.ID, d.deps.SetupFile)
}

// retryKey answers keys while the retry's panel is shown.
func (d WatchDashboard) retryKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	r, k := &d.retry, d.keys
	switch {
	case key.Matches(msg, k.Quit):
		return d, tea.Quit // the job, if any, keeps running in S3
	case d.retryWriting():
		return d, nil
	case r.phase == retryPlanned && key.Matches(msg, k.Yes):
		if len(r.plan.Pending()) == 0 {
			return d.createRetryJob()
		}
		r.phase = retryApplying
		apply, plan := d.deps.Retry.Apply, r.plan
		return d, d.retryCmd(func(ctx context.Context) tea.Msg { return retryAppliedMsg{apply(ctx, plan)} })
	case (r.phase == retryPreview || r.phase == retryPreparing) && r.err == nil && key.Matches(msg, k.No):
		return d.askRetry(awsops.JobCancelled) // a job left waiting would only be in the way
	case r.phase == retryPreview && key.Matches(msg, k.Yes):
		return d.askRetry(awsops.JobReady)
	case r.phase == retryRunning && key.Matches(msg, k.No):
		r.outcome, r.replicatedAll = fmt.Sprintf("Retry job %s keeps running in S3 (%s when you left it). Watch it again: %s",
			r.job.ID, progressText(r.panel.Job()), d.watchJobCommand()), false
		d.stopRetry()
	case r.phase == retryDone && key.Matches(msg, k.Retry) && d.canRetry():
		return d.startRetry()
	case key.Matches(msg, k.No):
		d.stopRetry()
	case key.Matches(msg, k.ScrollDown):
		d.scroll++
	case key.Matches(msg, k.ScrollUp):
		d.scroll = max(0, d.scroll-1)
	}
	return d, nil
}

// retryPanel is the retry's text, shown in place of the failures.
func (d WatchDashboard) retryPanel() []string {
	r := d.retry
	title := StyleTitle.Render("Retry the FAILED objects") + StyleMuted.Render(" · S3 Batch Replication")
	if r.job.ID != "" && r.phase != retryRunning && r.phase != retryExplaining {
		title += StyleMuted.Render(" · job " + r.job.ID)
	}
	var body string
	switch {
	case r.err != nil && r.plan == nil:
		body = StyleError.Render("Nothing was changed: ") + r.err.Error()
	case r.err != nil:
		body = StyleError.Render("The retry stopped: ") + r.err.Error()
		if r.job.ID != "" {
			body += "\n" + StyleMuted.Render("The job stays in S3: "+d.watchJobCommand())
		}
	case r.phase == retryPlanning:
		body = StyleMuted.Render("The doctor checks the setup and the batch operations role is planned…")
	case r.phase == retryPlanned || r.phase == retryApplying:
		body = strings.TrimRight(PlanText(r.plan.AsPlan()), "\n")
		if len(r.plan.Pending()) == 0 {
			body = StyleOK.Render("✓ ") + "The batch operations role is in place: nothing to change."
		}
		body += "\n" + StyleMuted.Render(fmt.Sprintf("The job: the FAILED objects of s3://%s (replication status FAILED); manifest and completion report in s3://%s/%s",
			r.plan.Facts.SourceBucket, r.plan.Facts.ReportBucket, r.plan.Facts.ReportPrefix))
	case r.phase == retryStarting:
		body = StyleMuted.Render("Creating the Batch Replication job (it waits for your confirmation)…")
	case r.phase == retryPreparing:
		body = StyleMuted.Render(fmt.Sprintf("%s: S3 is listing the FAILED objects for the manifest · objects: counting…", orNew(r.last.Status)))
	case r.phase == retryRunning:
		body = d.retryProgress()
	case r.phase == retryExplaining:
		body = d.retryProgress() + "\n" + StyleMuted.Render("Reading the completion report…")
	case r.result != nil:
		body = strings.TrimPrefix(strings.TrimRight(BackfillResultText(*r.result), "\n"), "\n")
		if r.result.AllSucceeded() {
			body += "\n" + StyleOK.Render("✓ Every FAILED object replicated.")
		} else {
			body += "\n" + StyleWarning.Render("! ") + "Fix the cause first (esc, then d runs the doctor and a applies its fixes), then r retries the objects that are FAILED again."
		}
	case r.phase == retryPreview || r.phase == retryAsking || r.phase == retryDone:
		body = strings.TrimRight(BackfillPreviewText(r.last, steps.EstimateBackfillCost(r.last.TotalTasks)), "\n")
		if r.phase == retryDone && r.outcome != "" {
			body += "\n" + r.outcome
		}
	}
	return strings.Split(wrapLines(title+"\n"+body, d.width), "\n")
}

// retryProgress is the backfill panel's frame without its own keys: the
// dashboard's footer says them.
func (d WatchDashboard) retryProgress() string {
	p := d.retry.panel
	return strings.TrimRight(strings.TrimSuffix(strings.TrimRight(p.Frame(), "\n"), p.footer(max(p.width, 20))), "\n")
}

func orNew(status string) string {
	if status == "" {
		return awsops.JobNew
	}
	return status
}

// retryFooter is the retry's question or its keys.
func (d WatchDashboard) retryFooter() []string {
	r, k := d.retry, d.keys
	switch {
	case r.phase == retryPlanned && len(r.plan.Pending()) > 0:
		return []string{StyleWarning.Render(fmt.Sprintf("Make %s in account %s, then create the job? ", plural(len(r.plan.Pending()), "change"), r.plan.Facts.SourceAccount)) + "y yes · n no",
			StyleMuted.Render(watchKeyHelp(k.ScrollDown, k.Quit))}
	case r.phase == retryPlanned:
		return []string{StyleWarning.Render("Create the job? ") + "It waits for your go after its preview. y yes · n no", StyleMuted.Render(watchKeyHelp(k.Quit))}
	case r.phase == retryApplying && r.plan.CreatesRole() && d.deps.Retry.Settle > 0:
		return []string{StyleMuted.Render(fmt.Sprintf("Making the changes, then waiting %s for IAM to make the new role usable…", d.deps.Retry.Settle)), ""}
	case r.phase == retryApplying:
		return []string{StyleMuted.Render("Making the changes (each resource read again first, every write journaled)…"), ""}
	case r.phase == retryPreview:
		return []string{StyleWarning.Render(fmt.Sprintf("Replicate these %s? ", plural(int(r.last.TotalTasks), "object"))) + "y run the job · n cancel it", StyleMuted.Render(watchKeyHelp(k.Quit))}
	case r.phase == retryAsking && r.asked == awsops.JobReady:
		return []string{StyleMuted.Render("Starting the job…"), ""}
	case r.phase == retryAsking:
		return []string{StyleMuted.Render("Cancelling the job…"), ""}
	case r.phase == retryPreparing:
		return []string{"", StyleMuted.Render("esc cancel the job · q quit")}
	case r.phase == retryRunning:
		return []string{"", StyleMuted.Render("esc detach (the job keeps running in S3) · q quit")}
	case r.phase == retryDone && r.err != nil:
		return []string{"", StyleMuted.Render("r try again · esc close · q quit")}
	case r.phase == retryDone:
		return []string{"", StyleMuted.Render(watchKeyHelp(k.ScrollDown, k.Close, k.Quit))}
	}
	return []string{"", StyleMuted.Render(watchKeyHelp(k.Close, k.Quit))}
}
