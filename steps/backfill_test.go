package steps_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// backfillWorld is a demo scenario's cloud on a clock that moves only when a poll
// waits.
type backfillWorld struct {
	t     *testing.T
	clock *simcloud.ManualClock
	cloud *simcloud.Cloud
	acc   steps.Accounts
	dir   string
}

func newBackfillWorld(t *testing.T, scenario string) *backfillWorld {
	t.Helper()
	sc, err := steps.DemoScenarioNamed(scenario)
	if err != nil {
		t.Fatal(err)
	}
	clock := simcloud.NewManualClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	cloud, err := sc.NewDemoCloud(t.Context(), simcloud.WithClock(clock), simcloud.WithLatency(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute) // let the seed's own replication settle
	acc, err := steps.OpenAccounts(t.Context(), cloud.Open, steps.DemoSetup())
	if err != nil {
		t.Fatal(err)
	}
	return &backfillWorld{t: t, clock: clock, cloud: cloud, acc: acc, dir: t.TempDir()}
}

func (w *backfillWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *backfillWorld) plan(objects steps.BackfillObjects) *steps.BackfillPlan {
	w.t.Helper()
	p, err := steps.PlanBackfill(w.t.Context(), w.acc, steps.DemoSetup(), steps.BackfillOptions{Objects: objects})
	w.must(err)
	return p
}

func (w *backfillWorld) jobs(p *steps.BackfillPlan) (*steps.BackfillJobs, *steps.BackfillJournal) {
	w.t.Helper()
	jobs, err := steps.NewBackfillJobs(w.acc, p)
	w.must(err)
	jobs.Sleep = func(_ context.Context, d time.Duration) error { w.clock.Advance(d); return nil }
	journal, err := steps.OpenBackfillJournal(w.dir, p.Facts, nil)
	w.must(err)
	return jobs, journal
}

// run plans, applies, previews, confirms and watches one job, and reads its result.
func (w *backfillWorld) run(objects steps.BackfillObjects) (steps.BackfillResult, awsops.Job) {
	w.t.Helper()
	p := w.plan(objects)
	_, err := steps.ApplyBackfillPlan(w.t.Context(), w.acc, p, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	jobs, journal := w.jobs(p)
	started, err := jobs.Start(w.t.Context(), journal)
	w.must(err)
	preview, err := jobs.WaitForPreview(w.t.Context(), started.ID, nil)
	w.must(err)
	w.must(jobs.Confirm(w.t.Context(), started.ID))
	job, err := jobs.Watch(w.t.Context(), started.ID, nil)
	w.must(err)
	result, err := jobs.Result(w.t.Context(), job)
	w.must(err)
	return result, preview
}

func TestBackfillDemoFromPlanToRetryAt100Percent(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	p := w.plan(steps.BackfillBoth)
	var ids []string
	for _, c := range p.Pending() {
		ids = append(ids, c.ID+":"+string(c.Action))
	}
	if want := []string{"batch-role-create:create", "batch-role-policy:create"}; !slices.Equal(ids, want) {
		t.Fatalf("the plan makes %v, want %v", ids, want)
	}
	if !slices.ContainsFunc(p.Warnings, func(s string) bool { return strings.Contains(s, "invoices-to-archive") }) {
		t.Errorf("the plan does not warn that the job replicates for the other rule too: %v", p.Warnings)
	}

	result, preview := w.run(steps.BackfillBoth)
	objects := int64(steps.DemoBackfillOrders + steps.DemoBackfillReports + 3) // and the seed's three
	if preview.Status != awsops.JobSuspended || preview.TotalTasks != objects {
		t.Fatalf("preview: %s with %d tasks, want Suspended with %d", preview.Status, preview.TotalTasks, objects)
	}
	if result.Job.Status != awsops.JobComplete || result.Failed != steps.DemoBackfillReports || result.Succeeded != objects-steps.DemoBackfillReports {
		t.Fatalf("first job: %s, %d succeeded, %d failed", result.Job.Status, result.Succeeded, result.Failed)
	}
	if len(result.Groups) != 1 || result.Groups[0].Code != "SrcGetObjectNotPermitted" || len(result.Groups[0].Examples) != 3 {
		t.Fatalf("groups %+v, want the finance reports under SrcGetObjectNotPermitted", result.Groups)
	}
	if result.AllSucceeded() {
		t.Error("a job with failed tasks counts as all succeeded")
	}

	doctor, err := steps.ExplainWithDoctor(t.Context(), w.acc, steps.DemoSetup(), &result)
	w.must(err)
	fixes, err := steps.PlanBackfillFixes(t.Context(), w.acc, steps.DemoSetup(), doctor, result)
	w.must(err)
	if len(fixes.Changes) != 1 || !strings.Contains(fixes.Changes[0].After, "kms:Decrypt") {
		t.Fatalf("fixes %+v, want the role's grant on the finance key", fixes.Changes)
	}
	_, err = fixes.Apply(t.Context(), w.acc, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)

	retry, preview := w.run(steps.BackfillFailed)
	if preview.TotalTasks != steps.DemoBackfillReports || !retry.AllSucceeded() || retry.Succeeded != steps.DemoBackfillReports {
		t.Fatalf("retry of the FAILED ones: %d tasks, %s, %d succeeded, %d failed", preview.TotalTasks, retry.Job.Status, retry.Succeeded, retry.Failed)
	}
	if again := w.plan(steps.BackfillBoth).Pending(); len(again) != 0 {
		t.Errorf("a second backfill plans %d changes, want none", len(again))
	}
}

func TestBackfillRerunFindsTheJobInsteadOfMakingASecond(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	p := w.plan(steps.BackfillBoth)
	_, err := steps.ApplyBackfillPlan(t.Context(), w.acc, p, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	jobs, journal := w.jobs(p)
	first, err := jobs.Start(t.Context(), journal)
	w.must(err)
	again, err := jobs.Start(t.Context(), journal)
	w.must(err)
	if again.ID != first.ID || !again.Resumed {
		t.Errorf("a rerun made job %s (resumed %v); the first run made %s", again.ID, again.Resumed, first.ID)
	}
	// A CreateJob whose answer was lost: the journal has the token only. The rerun
	// sends the same token, and S3 answers with the same job.
	lost := t.TempDir()
	lostJournal, err := steps.OpenBackfillJournal(lost, p.Facts, nil)
	w.must(err)
	w.must(lostJournal.Record("begin", steps.BackfillJobEntry{Token: first.Token}))
	found, err := jobs.Start(t.Context(), lostJournal)
	w.must(err)
	if found.ID != first.ID {
		t.Errorf("after a lost answer the rerun made job %s, want %s", found.ID, first.ID)
	}
	// The same, rerun with other objects chosen: S3 refuses the token with another
	// request, so the rerun finds the job by the token in its description.
	other := w.plan(steps.BackfillFailed)
	otherJobs, err := steps.NewBackfillJobs(w.acc, other)
	w.must(err)
	otherJournal, err := steps.OpenBackfillJournal(t.TempDir(), other.Facts, nil)
	w.must(err)
	w.must(otherJournal.Record("begin", steps.BackfillJobEntry{Token: first.Token, Objects: steps.BackfillBoth}))
	found, err = otherJobs.Start(t.Context(), otherJournal)
	if err != nil || found.ID != first.ID || !found.Resumed || found.Objects != steps.BackfillBoth {
		t.Errorf("after a lost answer, a rerun for other objects: %+v, %v; want job %s resumed with its objects", found, err, first.ID)
	}
	listed, err := w.acc.Source.(awsops.BatchJobs).ListJobs(t.Context(), simcloud.DemoSourceRegion, simcloud.DemoSourceAccount, nil)
	w.must(err)
	if len(listed) != 1 {
		t.Errorf("%d jobs exist, want 1", len(listed))
	}
}

func TestBackfillRefusesABrokenSetupBeforeChangingAnything(t *testing.T) {
	for _, scenario := range []string{"kms-not-opted-in", "key-policy-lacks-role", steps.DefaultDemoScenario} {
		t.Run(scenario, func(t *testing.T) {
			w := newBackfillWorld(t, scenario)
			_, err := steps.PlanBackfill(t.Context(), w.acc, steps.DemoSetup(), steps.BackfillOptions{DoctorCommand: "s3repl doctor -f demo.yaml"})
			var refused *steps.BackfillRefusedError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), "s3repl doctor -f demo.yaml") {
				t.Fatalf("err = %v, want a refusal that says to run the doctor", err)
			}
			if _, err := w.acc.Source.GetRole(t.Context(), "s3repl-batch-"+simcloud.DemoSourceBucket); !awsops.IsNotFound(err) {
				t.Errorf("the batch role exists after a refusal: %v", err)
			}
		})
	}
}

func TestBackfillObjectsChoice(t *testing.T) {
	for in, want := range map[string][]string{"": {"NONE", "FAILED"}, "both": {"NONE", "FAILED"}, "not-replicated": {"NONE"}, "failed": {"FAILED"}} {
		o, err := steps.ParseBackfillObjects(in)
		if err != nil || !slices.Equal(o.Statuses(), want) {
			t.Errorf("%q: %v %v", in, o.Statuses(), err)
		}
	}
	if _, err := steps.ParseBackfillObjects("all"); err == nil || !strings.Contains(err.Error(), "not-replicated") {
		t.Errorf("--objects all: %v", err)
	}
}

func TestBackfillCostIsAnEstimateWithItsSource(t *testing.T) {
	c := steps.EstimateBackfillCost(2_000_000)
	if c.Total != 2.25 || !strings.Contains(c.Source, "aws.amazon.com/s3/pricing") {
		t.Errorf("%+v", c)
	}
}

func TestBackfillReportBucketMustBeInTheSourceRegion(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	p, err := steps.PlanBackfill(t.Context(), w.acc, steps.DemoSetup(), steps.BackfillOptions{ReportBucket: simcloud.DemoLogsBucket})
	w.must(err)
	policy := p.Changes[1].After
	if !strings.Contains(policy, "arn:aws:s3:::"+simcloud.DemoLogsBucket+"/s3repl-batch/reports/*") || strings.Contains(policy, simcloud.DemoSourceBucket+"/s3repl-batch") {
		t.Errorf("the batch role may write reports elsewhere than the bucket named:\n%s", policy)
	}
	if slices.ContainsFunc(p.Warnings, func(s string) bool { return strings.Contains(s, "replicate too") }) {
		t.Errorf("a report bucket of its own is said to replicate: %v", p.Warnings)
	}
	_, err = steps.PlanBackfill(t.Context(), w.acc, steps.DemoSetup(), steps.BackfillOptions{ReportBucket: simcloud.DemoArchiveBucket})
	if err == nil || !strings.Contains(err.Error(), "source bucket's Region (us-east-1)") {
		t.Errorf("a report bucket in us-west-2: %v", err)
	}
	_, err = steps.PlanBackfill(t.Context(), w.acc, steps.DemoSetup(), steps.BackfillOptions{ReportBucket: simcloud.DemoDestBucket})
	if err == nil || !strings.Contains(err.Error(), "not a bucket of the source account") {
		t.Errorf("a report bucket of the destination account: %v", err)
	}
}

// TestBackfillAPICalls counts the calls of each phase of one backfill of the demo's
// 303 objects, so a change that multiplies them shows.
func TestBackfillAPICalls(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	ctx, calls := t.Context(), w.acc.APICalls()
	phase := func(name string) int64 {
		now := w.acc.APICalls()
		n := now - calls
		calls = now
		t.Logf("%-8s %3d calls", name, n)
		return n
	}
	p, err := steps.PlanBackfill(ctx, w.acc, steps.DemoSetup(), steps.BackfillOptions{})
	w.must(err)
	plan := phase("plan")
	_, err = steps.ApplyBackfillPlan(ctx, w.acc, p, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	apply := phase("apply")
	jobs, journal := w.jobs(p)
	started, err := jobs.Start(ctx, journal)
	w.must(err)
	_, err = jobs.WaitForPreview(ctx, started.ID, nil)
	w.must(err)
	w.must(jobs.Confirm(ctx, started.ID))
	job, err := jobs.Watch(ctx, started.ID, nil)
	w.must(err)
	run := phase("job")
	result, err := jobs.Result(ctx, job)
	w.must(err)
	report := phase("report")
	doctor, err := steps.ExplainWithDoctor(ctx, w.acc, steps.DemoSetup(), &result)
	w.must(err)
	_, err = steps.PlanBackfillFixes(ctx, w.acc, steps.DemoSetup(), doctor, result)
	w.must(err)
	explain := phase("explain")
	if plan > 60 || apply > 10 || run > 12 || report != 3 || explain > 75 {
		t.Errorf("calls: plan %d, apply %d, job %d, report %d, explain %d", plan, apply, run, report, explain)
	}
}

func TestBackfillResumedJobKeepsItsObjects(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	p := w.plan(steps.BackfillNotReplicated)
	_, err := steps.ApplyBackfillPlan(t.Context(), w.acc, p, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	jobs, journal := w.jobs(p)
	first, err := jobs.Start(t.Context(), journal)
	w.must(err)
	jobs2, _ := w.jobs(w.plan(steps.BackfillFailed))
	again, err := jobs2.Start(t.Context(), journal)
	w.must(err)
	if again.ID != first.ID || again.Objects != steps.BackfillNotReplicated {
		t.Errorf("resumed %+v, want job %s with the objects it was made for", again, first.ID)
	}
}

func TestBackfillWatchesAJobMadeEarlier(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	p := w.plan(steps.BackfillBoth)
	_, err := steps.ApplyBackfillPlan(t.Context(), w.acc, p, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	jobs, journal := w.jobs(p)
	started, err := jobs.Start(t.Context(), journal)
	w.must(err)
	// `backfill --job ID`: no plan, only the setup.
	watcher, err := steps.BackfillJobsOf(t.Context(), w.acc, steps.DemoSetup())
	w.must(err)
	watcher.Sleep = jobs.Sleep
	job, err := watcher.WaitForPreview(t.Context(), started.ID, nil)
	w.must(err)
	if job.Status != awsops.JobSuspended || job.TotalTasks == 0 {
		t.Errorf("the job made earlier reads %s with %d tasks", job.Status, job.TotalTasks)
	}
}

func TestSampleBackfillCandidatesCountsWhatLiveReplicationLeftOut(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	c, err := steps.SampleBackfillCandidates(t.Context(), w.acc, steps.DemoSetup(), 1000)
	w.must(err)
	if want := (steps.BackfillCandidates{Sampled: 303, NoStatus: 303, Complete: true}); c != want {
		t.Errorf("before the backfill: %+v, want %+v", c, want)
	}
	w.run(steps.BackfillBoth)
	c, err = steps.SampleBackfillCandidates(t.Context(), w.acc, steps.DemoSetup(), 50)
	w.must(err)
	if c.Sampled != 50 || c.Complete || c.NoStatus != 0 {
		t.Errorf("after the backfill, a sample of 50: %+v", c)
	}
	c, err = steps.SampleBackfillCandidates(t.Context(), w.acc, steps.DemoSetup(), 1000)
	w.must(err)
	if !c.Any() || c.Failed != steps.DemoBackfillReports {
		t.Errorf("after the backfill: %+v, want the %d FAILED reports", c, steps.DemoBackfillReports)
	}
}
