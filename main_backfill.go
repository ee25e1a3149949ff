package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
	"github.com/s3repl/s3repl/ui"
)

func backfillCommand() *cobra.Command {
	var (
		b       backfillRun
		objects string
		demo    bool
		latency time.Duration
	)
	cmd := &cobra.Command{
		Use:   "backfill -f setup.yaml [--objects not-replicated|failed|both] [--yes] [--json] [--job ID]",
		Short: "Replicate the objects from before the rule, and FAILED ones, with S3 Batch Replication (exit 0: every task succeeded)",
		Long: "s3repl backfill plans the batch operations role (a diff, journaled like apply), creates a Batch Replication job " +
			"that waits for confirmation, shows how many objects it found and what it costs (an estimate), runs it with a live " +
			"progress panel, reads the completion report and explains each failure; when s3repl can fix the cause it offers " +
			"the fix and a retry job for the FAILED objects. --job ID watches a job made earlier.\n\n" +
			"--demo runs it against the simulated accounts of the demo's 'backfill' scenario (no AWS account needed).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if b.objects, err = steps.ParseBackfillObjects(objects); err != nil {
				return err
			}
			if b.asJSON && !b.yes {
				return errors.New("backfill --json needs --yes: the plan, the preview and the questions would be mixed into the JSON")
			}
			if !demo && b.setupFile == "" {
				return errors.New("give the setup file with -f setup.yaml (or try --demo)")
			}
			b.ctx, b.cmd = cmd.Context(), cmd
			if err := b.open(demo, latency); err != nil {
				return err
			}
			return b.run()
		},
	}
	cmd.Flags().StringVarP(&b.setupFile, "file", "f", "", "setup file (YAML or JSON)")
	cmd.Flags().BoolVar(&b.asJSON, "json", false, "print JSON for scripts (needs --yes)")
	cmd.Flags().BoolVarP(&b.yes, "yes", "y", false, "make the batch role, run the job and apply fixes without asking")
	cmd.Flags().StringVar(&objects, "objects", "both", "which objects: not-replicated (never replicated), failed (FAILED) or both")
	cmd.Flags().StringVar(&b.reportBucket, "report-bucket", "", "bucket for the job's manifest and completion report, in the source bucket's Region (default: the source bucket, under s3repl-batch/)")
	cmd.Flags().StringVar(&b.jobID, "job", "", "watch (and explain) a job made earlier instead of making one")
	cmd.Flags().StringVar(&b.journalDir, "journal", "", "directory for the journals (default $XDG_STATE_HOME/s3repl/journal)")
	cmd.Flags().BoolVar(&demo, "demo", false, "run against the simulated accounts of the demo's backfill scenario")
	cmd.Flags().DurationVar(&latency, "latency", 2*time.Second, "with --demo: how long the simulated S3 takes to prepare a job")
	return cmd
}

// backfillRun is one `s3repl backfill`: the plan, a job, and a retry of the FAILED
// objects when s3repl fixed their cause.
type backfillRun struct {
	ctx        context.Context
	cmd        *cobra.Command
	setupFile  string
	asJSON     bool
	yes        bool
	jobID      string
	journalDir string
	objects    steps.BackfillObjects
	// reportBucket receives the manifest and the report; "" is the source bucket.
	reportBucket string

	setup steps.Setup
	acc   steps.Accounts
	demo  bool
	out   backfillReport
	// calls is the accounts' API call count before the backfill (the demo's seeding
	// counts too).
	calls int64
}

// backfillReport is what --json prints.
type backfillReport struct {
	Jobs     []backfillJobReport `json:"jobs"`
	APICalls int64               `json:"apiCalls"`
}

type backfillJobReport struct {
	Objects steps.BackfillObjects `json:"objects"`
	// APICalls is what this job's plan, preview, run and explanation cost.
	APICalls int64                 `json:"apiCalls"`
	Plan     *steps.BackfillPlan   `json:"plan,omitempty"`
	Job      steps.StartedJob      `json:"job"`
	Cost     *steps.CostEstimate   `json:"costEstimate,omitempty"`
	Result   *steps.BackfillResult `json:"result,omitempty"`
	Fixes    *steps.BackfillFixes  `json:"fixes,omitempty"`
}

func (b *backfillRun) open(demo bool, latency time.Duration) error {
	if !demo {
		var err error
		b.setup, b.acc, err = openSetup(b.ctx, b.setupFile)
		return err
	}
	sc, err := steps.DemoScenarioNamed(steps.DemoBackfillScenario)
	if err != nil {
		return err
	}
	cloud, err := sc.NewDemoCloud(b.ctx, simcloud.WithLatency(latency))
	if err != nil {
		return err
	}
	b.demo, b.setupFile, b.setup = true, "demo.yaml", steps.DemoSetup()
	if b.journalDir == "" {
		// the demo's jobs live in memory: its journal must not outlive it
		if b.journalDir, err = os.MkdirTemp("", "s3repl-demo-journal"); err != nil {
			return err
		}
	}
	b.acc, err = steps.OpenAccounts(b.ctx, cloud.Open, b.setup)
	if err == nil {
		b.say(ui.StyleWarning.Render("DEMO") + " simulated accounts; nothing is sent to AWS.\n")
	}
	return err
}

// say prints text for the person: to stdout, or nowhere with --json.
func (b *backfillRun) say(text string) {
	if !b.asJSON {
		lipgloss.Fprint(b.cmd.OutOrStdout(), text)
	}
}

func (b *backfillRun) run() error {
	b.calls = b.acc.APICalls()
	var ok bool
	var err error
	if b.jobID != "" {
		ok, err = b.watchExisting()
	} else {
		ok, err = b.backfill(b.objects, true)
	}
	if err != nil {
		return err
	}
	if b.asJSON {
		b.out.APICalls = b.acc.APICalls() - b.calls
		if err := writeJSON(b.cmd.OutOrStdout(), b.out); err != nil {
			return err
		}
	}
	if !ok {
		return exitError{code: 1}
	}
	return nil
}

// backfill plans, starts, previews, runs and explains one job; retry allows one more
// job for the FAILED objects after fixing their cause.
func (b *backfillRun) backfill(objects steps.BackfillObjects, retry bool) (bool, error) {
	report := backfillJobReport{Objects: objects}
	before := b.acc.APICalls()
	plan, err := steps.PlanBackfill(b.ctx, b.acc, b.setup, steps.BackfillOptions{Objects: objects, ReportBucket: b.reportBucket, DoctorCommand: "s3repl doctor -f " + b.setupFile})
	if err != nil {
		return false, err
	}
	report.Plan = plan
	if err := b.applyPlan(plan); err != nil {
		return false, err
	}
	if plan.CreatesRole() && !b.demo {
		b.say(fmt.Sprintf("Waiting %s for IAM to make the new role usable by S3 Batch Operations…\n", steps.NewRoleSettle))
		select {
		case <-b.ctx.Done():
			return false, b.ctx.Err()
		case <-time.After(steps.NewRoleSettle):
		}
	}
	jobs, err := steps.NewBackfillJobs(b.acc, plan)
	if err != nil {
		return false, err
	}
	journal, err := b.backfillJournal(plan.Facts)
	if err != nil {
		return false, err
	}
	started, err := jobs.Start(b.ctx, journal)
	if err != nil {
		return false, err
	}
	report.Job, report.Objects = started, started.Objects
	verb := "Created"
	if started.Resumed {
		verb = "Found the job an earlier run created:"
	}
	b.say(fmt.Sprintf("%s Batch Replication job %s (objects: %s). Journal: %s\n", verb, started.ID, started.Objects, journal.Path()))
	ok, err := b.follow(jobs, started.ID, &report)
	report.APICalls = b.acc.APICalls() - before
	b.out.Jobs = append(b.out.Jobs, report)
	if err != nil || ok || !retry || report.Fixes == nil || len(report.Fixes.Changes) == 0 {
		return ok, err
	}
	if !b.ask("Apply these fixes and retry the FAILED objects with a new job?") {
		b.say(fmt.Sprintf("Nothing applied. Once the cause is fixed: s3repl backfill --objects failed -f %s\n", b.setupFile))
		return false, nil
	}
	if err := b.applyFixes(report.Fixes); err != nil {
		return false, err
	}
	return b.backfill(steps.BackfillFailed, false)
}

// watchExisting follows a job made earlier (--job ID).
func (b *backfillRun) watchExisting() (bool, error) {
	jobs, err := steps.BackfillJobsOf(b.ctx, b.acc, b.setup)
	if err != nil {
		return false, err
	}
	report := backfillJobReport{Job: steps.StartedJob{ID: b.jobID, Resumed: true}}
	ok, err := b.follow(jobs, b.jobID, &report)
	b.out.Jobs = append(b.out.Jobs, report)
	if err != nil || ok || report.Fixes == nil || len(report.Fixes.Changes) == 0 {
		return ok, err
	}
	if !b.ask("Apply these fixes and retry the FAILED objects with a new job?") {
		return false, nil
	}
	if err := b.applyFixes(report.Fixes); err != nil {
		return false, err
	}
	return b.backfill(steps.BackfillFailed, false)
}

// follow previews, confirms, runs and explains a job.
func (b *backfillRun) follow(jobs *steps.BackfillJobs, id string, report *backfillJobReport) (bool, error) {
	lastStatus := ""
	preview, err := jobs.WaitForPreview(b.ctx, id, func(j awsops.Job) {
		if j.Status != lastStatus {
			lastStatus = j.Status
			b.say(ui.BackfillProgressLine(j))
		}
	})
	if err != nil {
		return false, b.interrupted(id, err)
	}
	if preview.Status == awsops.JobFailed {
		b.say(ui.BackfillPreviewText(preview, steps.CostEstimate{}))
		report.Result = &steps.BackfillResult{Job: preview, Groups: []steps.BackfillFailureGroup{}}
		return false, nil
	}
	if preview.Status == awsops.JobSuspended {
		cost := steps.EstimateBackfillCost(preview.TotalTasks)
		report.Cost = &cost
		if preview.TotalTasks == 0 {
			b.say(ui.StyleOK.Render("Nothing to replicate:") + " no object matches. The empty job is cancelled.\n")
			return true, jobs.Cancel(b.ctx, id)
		}
		b.say(ui.BackfillPreviewText(preview, cost))
		if !b.ask(fmt.Sprintf("Replicate these %d objects?", preview.TotalTasks)) {
			b.say("Cancelling the job; nothing was replicated.\n")
			return false, jobs.Cancel(b.ctx, id)
		}
		if err := jobs.Confirm(b.ctx, id); err != nil {
			return false, err
		}
	}
	job, detached, err := b.watch(jobs, id, report.Objects)
	if err != nil || detached {
		return false, err
	}
	return b.explain(jobs, job, report)
}

// watch shows the live panel in a terminal, progress lines otherwise.
func (b *backfillRun) watch(jobs *steps.BackfillJobs, id string, objects steps.BackfillObjects) (awsops.Job, bool, error) {
	if b.asJSON || !isTerminal(os.Stdout) {
		lastDone := int64(-1)
		job, err := jobs.Watch(b.ctx, id, func(j awsops.Job) {
			if done := j.Succeeded + j.Failed; done != lastDone {
				lastDone = done
				b.say(ui.BackfillProgressLine(j))
			}
		})
		if err != nil && b.ctx.Err() != nil {
			return job, true, b.interrupted(id, err)
		}
		return job, false, err
	}
	watchAgain := b.watchAgain(id)
	panel := ui.NewBackfillPanel(b.ctx, ui.BackfillPanelFuncs{Poll: func(ctx context.Context) (awsops.Job, error) { return jobs.Describe(ctx, id) }},
		ui.BackfillPanelInfo{JobID: id, Bucket: b.setup.Source.Bucket, Region: b.setup.Source.Region, Objects: string(objects), WatchCommand: watchAgain})
	final, err := tea.NewProgram(panel, tea.WithContext(b.ctx)).Run()
	if err != nil {
		return awsops.Job{}, false, err
	}
	done := final.(ui.BackfillPanel) // its last frame stays on the screen
	return done.Job(), done.Detached(), done.Err()
}

func (b *backfillRun) watchAgain(id string) string {
	if b.demo {
		return "(the demo's accounts end with this run)"
	}
	return fmt.Sprintf("s3repl backfill --job %s -f %s", id, b.setupFile)
}

// interrupted tells, when the user stopped s3repl (ctrl+c) while it waited for the
// job, that the job goes on in S3 and how to come back to it.
func (b *backfillRun) interrupted(id string, err error) error {
	if b.ctx.Err() == nil {
		return err
	}
	lipgloss.Fprint(b.cmd.ErrOrStderr(), "\nStopped watching: job "+id+" goes on in S3. Watch it again: "+b.watchAgain(id)+"\n")
	return exitError{code: 1}
}

// explain reads the report, groups and explains the failures, and plans their fixes.
func (b *backfillRun) explain(jobs *steps.BackfillJobs, job awsops.Job, report *backfillJobReport) (bool, error) {
	result, err := jobs.Result(b.ctx, job)
	if err != nil {
		return false, err
	}
	report.Result = &result
	if result.AllSucceeded() {
		b.say(ui.BackfillResultText(result) + ui.StyleOK.Render("Every object replicated.") + "\n")
		return true, nil
	}
	doctor, err := steps.ExplainWithDoctor(b.ctx, b.acc, b.setup, &result)
	if err != nil {
		return false, err
	}
	report.Result = &result
	fixes, err := steps.PlanBackfillFixes(b.ctx, b.acc, b.setup, doctor, result)
	if err != nil {
		return false, err
	}
	report.Fixes = fixes
	b.say(ui.BackfillResultText(result) + ui.BackfillFixesText(fixes))
	return false, nil
}

// applyPlan makes the batch role's changes after showing them.
func (b *backfillRun) applyPlan(plan *steps.BackfillPlan) error {
	b.say(ui.PlanText(plan.AsPlan()))
	if len(plan.Pending()) == 0 {
		return nil
	}
	if !b.ask("Make these changes?") {
		return errors.New("nothing changed")
	}
	_, err := b.applyWithJournal(func(opts steps.ApplyOptions) (steps.ApplyResult, error) {
		return steps.ApplyBackfillPlan(b.ctx, b.acc, plan, opts)
	})
	return err
}

func (b *backfillRun) applyFixes(fixes *steps.BackfillFixes) error {
	_, err := b.applyWithJournal(func(opts steps.ApplyOptions) (steps.ApplyResult, error) {
		return fixes.Apply(b.ctx, b.acc, opts)
	})
	return err
}

func (b *backfillRun) applyWithJournal(apply func(steps.ApplyOptions) (steps.ApplyResult, error)) (steps.ApplyResult, error) {
	journal, err := openJournal(b.journalDir)
	if err != nil {
		return steps.ApplyResult{}, err
	}
	defer journal.Close()
	opts := steps.ApplyOptions{Journal: journal}
	if !b.asJSON {
		opts.OnProgress = func(c steps.Change, phase steps.ApplyPhase, err error) { b.say(ui.ProgressLine(c, phase, err)) }
	}
	return apply(opts)
}

func (b *backfillRun) backfillJournal(f steps.BackfillFacts) (*steps.BackfillJournal, error) {
	dir := b.journalDir
	if dir == "" {
		var err error
		if dir, err = steps.DefaultJournalDir(); err != nil {
			return nil, err
		}
	}
	return steps.OpenBackfillJournal(dir, f, time.Now)
}

// ask asks a yes/no question in the terminal; --yes answers yes. Without a terminal
// and without --yes the answer is no, and it says so.
func (b *backfillRun) ask(question string) bool {
	if b.yes {
		return true
	}
	in, ok := b.cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(in) {
		b.say(question + " (no terminal to answer in: pass --yes to answer yes)\n")
		return false
	}
	var shown io.Writer = b.cmd.OutOrStdout()
	fmt.Fprint(shown, question+" Type yes to continue: ")
	var answer string
	_, _ = fmt.Fscanln(in, &answer)
	return strings.TrimSpace(strings.ToLower(answer)) == "yes"
}
