package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Step 7's Backfill: the wizard's way to `s3repl backfill`. Its pages (page_backfill*.go)
// share this state; the apply and the status panel offer the step when a sample of
// the rule's objects finds some that live replication will never copy.

// BackfillOptions tune the wizard's backfill; zero values are AWS's defaults.
type BackfillOptions struct {
	// Journal opens the backfill journal of a source bucket (the job's token and id,
	// so a rerun finds the job); nil keeps it in a temporary directory, as the demo's
	// jobs live in memory.
	Journal func(steps.BackfillFacts) (*steps.BackfillJournal, error)
	// RoleSettle is the wait after creating the batch role, before S3 Batch
	// Operations assumes it: steps.NewRoleSettle when zero, none when negative.
	RoleSettle time.Duration
	// NextPoll is the wait after a reading of the job; steps.NextPoll when nil.
	NextPoll func(last time.Duration) time.Duration
	// BeforeRead runs before each reading of the job (tests move a simulated clock).
	BeforeRead func()
	// Now tells the time of a reading, for the rate and the ETA; time.Now when nil.
	Now func() time.Time
	// SetupFile is the setup file the printed commands name when none was saved.
	SetupFile string
}

// The step's task kinds, numbered apart from wizard_tasks.go's own.
const (
	taskBackfillSample taskKind = 100 + iota
	taskBackfillPlan
	taskBackfillApply
	taskBackfillJob
	taskBackfillExplain
	taskWatchOpen
)

// backfillSampleSize is how many of the rule's object versions the offer looks at
// (a listing and a HeadObject each).
const backfillSampleSize = 200

// backfillState is what the backfill pages share.
type backfillState struct {
	sample    *steps.BackfillCandidates
	sampleErr error

	objects steps.BackfillObjects
	// retry is set when the job is the retry of the FAILED objects after a fix.
	retry bool
	plan  *steps.BackfillPlan
	jobs  *steps.BackfillJobs
	job   steps.StartedJob
	// last is the job's latest reading: the preview's, then the run's.
	last awsops.Job

	// done says what each job did, for the farewell.
	done []string
	// journal is the backfill journal's path: each job's token and id, so that a
	// rerun finds the job instead of making another.
	journal string
	// journalDir makes, once, the temporary directory of the backfill journal when Deps
	// gives none. It is called from commands (the backfill's start and the watch's
	// retry run at the same time), so it must not write the state Update reads.
	journalDir func() (string, error)
}

type (
	backfillSampleMsg struct {
		task       taskID
		candidates steps.BackfillCandidates
		err        error
	}
	backfillPlannedMsg struct {
		task taskID
		plan *steps.BackfillPlan
		err  error
	}
	backfillAppliedMsg struct {
		task    taskID
		applied int
		journal string
		err     error
	}
	backfillStartedMsg struct {
		task    taskID
		jobs    *steps.BackfillJobs
		started steps.StartedJob
		journal string
		err     error
	}
	backfillReadMsg struct {
		task taskID
		job  awsops.Job
		err  error
	}
	// backfillDueMsg asks for the next reading of the job being prepared.
	backfillDueMsg    struct{ jobID string }
	backfillStatusMsg struct {
		task   taskID
		status string // what the job was asked to become
		err    error
	}
	backfillExplainedMsg struct {
		task   taskID
		result steps.BackfillResult
		fixes  *steps.BackfillFixes
		err    error
	}
)

// sampleBackfill looks at a sample of the rule's objects for the page on top.
func (s *shared) sampleBackfill() tea.Cmd {
	ctx, id := s.tasks.start(slot{kind: taskBackfillSample}, s.current)
	acc, setup := s.accountsForSetup(), s.setup
	return func() tea.Msg {
		c, err := steps.SampleBackfillCandidates(ctx, acc, setup, backfillSampleSize)
		return backfillSampleMsg{task: id, candidates: c, err: err}
	}
}

// takeBackfillSample keeps a sample's result read by a task still current.
func (s *shared) takeBackfillSample(msg backfillSampleMsg) bool {
	if !s.tasks.finish(msg.task) {
		return false
	}
	s.backfill.sample, s.backfill.sampleErr = nil, msg.err
	if msg.err == nil {
		s.backfill.sample = &msg.candidates
	}
	return true
}

// backfillOffered reports whether the sample found objects to backfill.
func (s *shared) backfillOffered() bool {
	return s.backfill.sample != nil && s.backfill.sample.Any()
}

// sampleCount is a count from the sample: exact when it saw every version, else a
// lower bound.
func sampleCount(c steps.BackfillCandidates, n int) string {
	if c.Complete || n == 0 {
		return fmt.Sprint(n)
	}
	return "≥ " + fmt.Sprint(n)
}

// sampleText says what the sample found.
func sampleText(c steps.BackfillCandidates) string {
	var parts []string
	if c.NoStatus > 0 {
		parts = append(parts, sampleCount(c, c.NoStatus)+" without replication status (written before the rule)")
	}
	if c.Failed > 0 {
		parts = append(parts, sampleCount(c, c.Failed)+" FAILED")
	}
	if len(parts) == 0 {
		parts = append(parts, "every object has a replication status")
	}
	where := fmt.Sprintf("of all %d object versions", c.Sampled)
	if !c.Complete {
		where = fmt.Sprintf("in a sample of %d object versions", c.Sampled)
	}
	return strings.Join(parts, ", ") + " " + where
}

// backfillOfferLine is what the apply and the status panel show when the sample
// found objects live replication never copies; "" when it found none.
func (s *shared) backfillOfferLine() string {
	if !s.backfillOffered() {
		return ""
	}
	th, c := s.theme, *s.backfill.sample
	var found []string
	if c.NoStatus > 0 {
		found = append(found, plural(c.NoStatus, "object")+" without replication status")
	}
	if c.Failed > 0 {
		found = append(found, fmt.Sprintf("%d FAILED", c.Failed))
	}
	text := strings.Join(found, " and ")
	if c.Complete {
		text += fmt.Sprintf(" (all %d looked at)", c.Sampled)
	} else {
		text = "≥ " + text + fmt.Sprintf(" (a sample of %d)", c.Sampled)
	}
	return th.Warning.Render("! ") + text + ": " + th.Hint.Render("b") + " backfills them"
}

// setupFileName is the setup file the printed commands name.
func (s *shared) setupFileName() string {
	switch {
	case s.save.saved != "":
		return s.save.saved
	case s.deps.Backfill.SetupFile != "":
		return s.deps.Backfill.SetupFile
	}
	return "setup.yaml"
}

func (s *shared) doctorCommand() string { return "s3repl doctor -f " + s.setupFileName() }

func planBackfill(ctx context.Context, id taskID, acc steps.Accounts, setup steps.Setup, objects steps.BackfillObjects, doctor string) tea.Cmd {
	return func() tea.Msg {
		plan, err := steps.PlanBackfill(ctx, acc, setup, steps.BackfillOptions{Objects: objects, DoctorCommand: doctor})
		return backfillPlannedMsg{task: id, plan: plan, err: err}
	}
}

// applyWithJournal runs an apply with the wizard's journal, when it has one.
func applyWithJournal(ctx context.Context, journal func() (*steps.Journal, error), apply func(steps.ApplyOptions) (steps.ApplyResult, error)) (steps.ApplyResult, string, error) {
	opts := steps.ApplyOptions{}
	var path string
	if journal != nil {
		j, err := journal()
		if err != nil {
			return steps.ApplyResult{}, "", err
		}
		defer j.Close()
		opts.Journal, path = j, tildePath(j.Path())
	}
	result, err := apply(opts)
	return result, path, err
}

// applyBackfillPlan makes the batch role's changes, then waits for IAM to make a new
// role usable before a job is to assume it.
func applyBackfillPlan(ctx context.Context, id taskID, acc steps.Accounts, plan *steps.BackfillPlan, journal func() (*steps.Journal, error), settle time.Duration) tea.Cmd {
	return func() tea.Msg {
		result, path, err := applyWithJournal(ctx, journal, func(opts steps.ApplyOptions) (steps.ApplyResult, error) {
			return steps.ApplyBackfillPlan(ctx, acc, plan, opts)
		})
		if err == nil && plan.CreatesRole() && settle > 0 {
			select {
			case <-ctx.Done():
				err = ctx.Err()
			case <-time.After(settle):
			}
		}
		return backfillAppliedMsg{task: id, applied: len(result.Applied), journal: path, err: err}
	}
}

// roleSettle is the wait after creating the batch role.
func (o BackfillOptions) roleSettle() time.Duration {
	switch {
	case o.RoleSettle < 0:
		return 0
	case o.RoleSettle == 0:
		return steps.NewRoleSettle
	}
	return o.RoleSettle
}

func (o BackfillOptions) nextPoll(last time.Duration) time.Duration {
	if o.NextPoll != nil {
		return o.NextPoll(last)
	}
	return steps.NextPoll(last)
}

// openBackfillJournal opens the journal of the plan's source bucket.
func (s *shared) openBackfillJournal(f steps.BackfillFacts) (*steps.BackfillJournal, error) {
	if open := s.deps.Backfill.Journal; open != nil {
		return open(f)
	}
	dir, err := s.backfill.journalDir()
	if err != nil {
		return nil, err
	}
	return steps.OpenBackfillJournal(dir, f, time.Now)
}

// startBackfillJob creates the job with confirmation required, or finds the one a
// previous run created (the journal keeps its token and id).
func (s *shared) startBackfillJob(ctx context.Context, id taskID) tea.Cmd {
	acc, plan := s.accountsForSetup(), s.backfill.plan
	open := s.openBackfillJournal
	return func() tea.Msg {
		jobs, err := steps.NewBackfillJobs(acc, plan)
		if err != nil {
			return backfillStartedMsg{task: id, err: err}
		}
		journal, err := open(plan.Facts)
		if err != nil {
			return backfillStartedMsg{task: id, err: err}
		}
		started, err := jobs.Start(ctx, journal)
		return backfillStartedMsg{task: id, jobs: jobs, started: started, journal: tildePath(journal.Path()), err: err}
	}
}

// readBackfillJob reads the job once.
func (s *shared) readBackfillJob(ctx context.Context, id taskID) tea.Cmd {
	jobs, jobID, before := s.backfill.jobs, s.backfill.job.ID, s.deps.Backfill.BeforeRead
	return func() tea.Msg {
		if before != nil {
			before()
		}
		job, err := jobs.Describe(ctx, jobID)
		return backfillReadMsg{task: id, job: job, err: err}
	}
}

// setBackfillJobStatus confirms (Ready) or cancels (Cancelled) the job.
func (s *shared) setBackfillJobStatus(ctx context.Context, id taskID, status string) tea.Cmd {
	jobs, jobID := s.backfill.jobs, s.backfill.job.ID
	return func() tea.Msg {
		var err error
		if status == awsops.JobReady {
			err = jobs.Confirm(ctx, jobID)
		} else {
			err = jobs.Cancel(ctx, jobID)
		}
		return backfillStatusMsg{task: id, status: status, err: err}
	}
}

// explainBackfill reads the completion report, groups the failed tasks and explains
// them with the doctor, and plans the fixes s3repl can make.
func (s *shared) explainBackfill(ctx context.Context, id taskID, job awsops.Job) tea.Cmd {
	acc, setup, jobs := s.accountsForSetup(), s.setup, s.backfill.jobs
	return func() tea.Msg {
		result, err := jobs.Result(ctx, job)
		if err != nil || result.AllSucceeded() {
			return backfillExplainedMsg{task: id, result: result, err: err}
		}
		doctor, err := steps.ExplainWithDoctor(ctx, acc, setup, &result)
		if err != nil {
			return backfillExplainedMsg{task: id, result: result, err: err}
		}
		fixes, err := steps.PlanBackfillFixes(ctx, acc, setup, doctor, result)
		return backfillExplainedMsg{task: id, result: result, fixes: fixes, err: err}
	}
}

// watchAgainCommand is how to watch the job again after leaving it.
func (s *shared) watchAgainCommand() string {
	return fmt.Sprintf("s3repl backfill --job %s -f %s", s.backfill.job.ID, s.setupFileName())
}

// noteBackfill records what a job did, for the farewell.
func (s *shared) noteBackfill(line string) { s.backfill.done = append(s.backfill.done, line) }

// backfillSummary is what the wizard's backfill did, for the farewell.
func (w *Wizard) backfillSummary() string {
	var b strings.Builder
	for _, line := range w.s.backfill.done {
		b.WriteString(line + "\n")
	}
	if last := w.s.backfill.last; w.s.current == pageBackfillPreview && last.Status == awsops.JobSuspended && last.ID != "" {
		b.WriteString(StyleWarning.Render("Backfill: ") + "job " + last.ID + " waits in S3 for your confirmation (Suspended). " +
			w.s.watchAgainCommand() + " shows its preview again and asks.\n")
	}
	if j := w.s.backfill.journal; j != "" {
		b.WriteString(StyleMuted.Render("Backfill journal (each job's token and id): "+j) + "\n")
	}
	return b.String()
}
