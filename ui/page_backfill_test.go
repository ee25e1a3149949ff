package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/demo"
	"github.com/s3repl/s3repl/steps"
)

// backfillDeps are the demo's backfill scenario on a simulated clock: each reading
// of a job moves it a second, and the progress panel reads again without waiting.
func backfillDeps(t *testing.T) (Deps, *simcloud.ManualClock) {
	t.Helper()
	sc, err := steps.DemoScenarioNamed(steps.DemoBackfillScenario)
	must(t, err)
	clock := simcloud.NewManualClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	accounts, err := demo.Start(context.Background(), sc, simcloud.WithClock(clock), simcloud.WithLatency(time.Second))
	must(t, err)
	clock.Advance(time.Minute)
	journalDir := t.TempDir()
	deps := Deps{Open: accounts.Open, Profiles: accounts.Profiles, Label: accounts.Label, SourceProfile: accounts.SourceProfile}
	deps.Verify = steps.VerifyOptions{Now: clock.Now, Sleep: func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil }}
	deps.Backfill = BackfillOptions{
		Journal: func(f steps.BackfillFacts) (*steps.BackfillJournal, error) {
			return steps.OpenBackfillJournal(journalDir, f, clock.Now)
		},
		RoleSettle: -1,
		NextPoll:   func(time.Duration) time.Duration { return time.Millisecond },
		BeforeRead: func() { clock.Advance(time.Second) },
		Now:        clock.Now,
	}
	return deps, clock
}

// driveBackfill is the wizard with the demo's setup chosen, on the page given over
// the review, entered.
func driveBackfill(t *testing.T, width, height int, stack ...pageID) *pageDriver {
	t.Helper()
	deps, _ := backfillDeps(t)
	d := drivePages(t, deps, width, height)
	s := d.w.s
	setup := steps.DemoSetup()
	for _, profile := range []string{simcloud.DemoSourceProfile, simcloud.DemoDestProfile} {
		acc, err := deps.Open(context.Background(), profile)
		must(t, err)
		id, err := acc.Identity(context.Background())
		must(t, err)
		s.accounts[profile] = accountResult{acc: acc, id: id}
	}
	s.source.profile, s.destination.profile = simcloud.DemoSourceProfile, simcloud.DemoDestProfile
	s.source.bucket = awsops.BucketSummary{Name: setup.Source.Bucket, Region: setup.Source.Region}
	s.destination.bucket = awsops.BucketSummary{Name: setup.Destination.Bucket, Region: setup.Destination.Region}
	s.region, s.setup = setup.Destination.Region, setup
	d.w.jumpTo(append([]pageID{pageSourceProfile, pageReview}, stack...)...)
	d.run(d.w.top().enter(false))
	d.settle()
	return d
}

// toPreview goes from the backfill's first page through its plan to the preview.
func (d *pageDriver) toPreview() {
	d.t.Helper()
	d.press("enter", "a", "y")
	d.on(pageBackfillPreview)
	d.untilShown("Replicate these 303 objects?")
}

// untilShown lets time pass (the preview's readings) until the screen shows want.
func (d *pageDriver) untilShown(want ...string) {
	d.t.Helper()
	for range 50 {
		if containsAll(d.screen(), want) {
			return
		}
		d.elapse()
	}
	d.expect(want...)
}

// TestBackfillStepFromSampleToEveryObjectReplicated is the demo's backfill through the
// wizard's pages: the sample's count, the batch role's plan, the preview's count and
// estimate, the bar to the end, 60 failures explained with their fix, the fix applied
// and the FAILED objects retried to 100 %, and the farewell saying so.
func TestBackfillStepFromSampleToEveryObjectReplicated(t *testing.T) {
	d := driveBackfill(t, 120, 40, pageBackfill)
	d.expect("Backfill · replicate", "≥ 200 without replication status", "in a sample of 200 object versions", "› both")
	d.press("enter")
	d.on(pageBackfillPlan)
	d.expect("7 Backfill", "Backfill plan · objects: both", "create", "batch operations", "a makes these changes")
	d.press("a")
	d.expect("Make 2 changes in account 111111111111? y yes")
	d.hold(func(msg tea.Msg) bool { _, ok := msg.(backfillReadMsg); return ok })
	d.press("y")
	d.on(pageBackfillPreview)
	d.expect("New: S3 is listing the objects for the manifest · objects: counting…", "esc cancel the job")
	d.release()
	d.untilShown("Replicate these 303 objects?")
	d.expect("estimated Batch Operations fees", "https://aws.amazon.com/s3/pricing/")
	d.press("y")
	d.on(pageBackfillResult)
	d.expect("Backfill result", "SrcGetObjectNotPermitted", "60 objects", "s3repl can fix this", "a applies the fixes and retries")
	d.press("a")
	d.expect("Apply 1 change, then retry the FAILED objects with a new job?")
	d.press("y")
	d.on(pageBackfillPreview) // the retry's role is in place: no plan to confirm
	d.untilShown("Replicate these 60 objects?")
	d.press("y")
	d.on(pageBackfillResult)
	d.expect("Every object replicated.", "✓ Done.")
	d.press("esc")
	d.on(pageBackfill)
	farewell := d.w.Farewell()
	for _, want := range []string{"made the batch operations role", "243 of 303 objects replicated, 60 failed (60 SrcGetObjectNotPermitted)",
		"applied 1 change for the failed objects", "(failed) Complete: 60 of 60 objects replicated."} {
		if !strings.Contains(farewell, want) {
			t.Errorf("the farewell lacks %q:\n%s", want, farewell)
		}
	}
}

// TestBackfillPreviewCancelsTheJob: n on the preview cancels the job and goes back to
// the choice, saying nothing was replicated; a reading of the job arriving after that
// changes nothing.
func TestBackfillPreviewCancelsTheJob(t *testing.T) {
	d := driveBackfill(t, 80, 24, pageBackfill)
	d.toPreview()
	job := d.w.s.backfill.job.ID
	if farewell := d.w.Farewell(); !strings.Contains(farewell, "job "+job+" waits in S3 for your confirmation") {
		t.Errorf("quitting on the preview would not say the job waits:\n%s", farewell)
	}
	d.press("n")
	d.on(pageBackfill)
	d.expect("Job " + job + " cancelled: nothing was replicated.")
	d.send(backfillReadMsg{task: taskID{slot: slot{kind: taskBackfillJob}, n: 1}, job: awsops.Job{ID: job, Status: awsops.JobSuspended, TotalTasks: 303}})
	d.on(pageBackfill)
	jobs := d.w.s.backfill.jobs
	got, err := jobs.Describe(context.Background(), job)
	must(t, err)
	if got.Status != awsops.JobCancelled {
		t.Fatalf("the job is %s", got.Status)
	}
}

// TestBackfillRunDetaches: esc while the job runs leaves it running, says how to
// watch it again, and drops the readings still on their way; esc then goes back.
func TestBackfillRunDetaches(t *testing.T) {
	d := driveBackfill(t, 80, 24, pageBackfill)
	d.toPreview()
	d.hold(func(msg tea.Msg) bool { _, ok := msg.(backfillJobMsg); return ok })
	d.press("y")
	d.on(pageBackfillRun)
	d.press("esc")
	d.expect("Detached: the job keeps running in S3", "s3repl backfill --job "+d.w.s.backfill.job.ID+" -f setup.yaml", "s saves the setup file")
	d.release()
	d.on(pageBackfillRun) // the reading after detaching does not move on to the result
	if !strings.Contains(d.w.Farewell(), "keeps running in S3") {
		t.Errorf("the farewell does not say the job keeps running:\n%s", d.w.Farewell())
	}
	d.press("esc")
	d.on(pageBackfill)
}

// TestBackfillPlanDropsALateResult: a plan of an earlier visit arriving after the
// page was entered again is dropped; the refusal of a broken setup is shown with the
// doctor's command, and nothing is offered to apply.
func TestBackfillPlanDropsALateResult(t *testing.T) {
	d := driveBackfill(t, 80, 24, pageBackfill)
	d.hold(func(msg tea.Msg) bool { _, ok := msg.(backfillPlannedMsg); return ok })
	d.press("enter")
	d.on(pageBackfillPlan)
	d.expect("running the doctor and planning")
	d.press("esc")
	d.on(pageBackfill)
	d.press("enter")
	first := d.held[0]
	d.held = d.held[1:]
	d.send(first)
	d.expect("running the doctor and planning") // the first visit's plan is dropped
	d.release()
	d.expect("Backfill plan", "a makes these changes")

	refused := &steps.BackfillRefusedError{Reasons: []string{"Replica key policy: the role may not encrypt"}, Advice: "Run `s3repl doctor -f setup.yaml` to see why."}
	_, id := d.w.s.tasks.start(slot{kind: taskBackfillPlan}, pageBackfillPlan)
	d.send(backfillPlannedMsg{task: id, err: refused})
	d.expect("cannot work", "s3repl doctor -f setup.yaml", "Nothing was changed")
	d.press("a")
	d.expectNot("Make ")
}

// TestBackfillOfferedAfterTheApply: once an apply ends well, a sample of the rule's
// objects is read and b opens the backfill with its count; a sample that finds
// nothing offers nothing.
func TestBackfillOfferedAfterTheApply(t *testing.T) {
	d := driveBackfill(t, 80, 24)
	ap := d.w.pages[pageApply].(*applyPage)
	d.w.jumpTo(pageSourceProfile, pageReview, pageApply)
	_, id := d.w.s.tasks.start(slot{kind: taskApply}, pageApply)
	ap.started = true
	d.send(applyDoneMsg{task: id})
	d.expect("≥ 200 objects without replication status (a sample of 200): b backfills them", "b backfill existing objects")
	d.press("b")
	d.on(pageBackfill)
	d.expect("≥ 200 without replication status")
	d.press("esc")
	d.on(pageApply)

	_, id = d.w.s.tasks.start(slot{kind: taskBackfillSample}, pageApply)
	d.send(backfillSampleMsg{task: id, candidates: steps.BackfillCandidates{Sampled: 12, Complete: true}})
	d.expectNot("b backfills them")
	d.press("b")
	d.on(pageApply)
}

// TestBackfillResultKeys: the report's explanation arriving after the user left the
// result is dropped; back on the result, r retries the FAILED objects without a fix
// (the same cause fails them again), and the job's plan goes straight to its preview.
func TestBackfillResultKeys(t *testing.T) {
	d := driveBackfill(t, 80, 24, pageBackfill)
	d.toPreview()
	d.hold(func(msg tea.Msg) bool { _, ok := msg.(backfillExplainedMsg); return ok })
	d.press("y")
	d.on(pageBackfillResult)
	d.expect("reading the completion report")
	d.press("esc")
	d.on(pageBackfill)
	d.release()
	d.on(pageBackfill)
	if strings.Contains(d.w.Farewell(), "objects replicated") {
		t.Fatalf("a result no longer shown was noted:\n%s", d.w.Farewell())
	}

	d.w.jumpTo(pageSourceProfile, pageReview, pageBackfill, pageBackfillResult)
	d.run(d.w.top().enter(false))
	d.settle()
	d.expect("SrcGetObjectNotPermitted", "r retries without fixing")
	d.press("r")
	d.on(pageBackfillPreview)
	d.untilShown("Replicate these 60 objects?")
	if d.w.s.backfill.objects != steps.BackfillFailed {
		t.Fatalf("the retry replicates %s", d.w.s.backfill.objects)
	}
}

// TestBackfillRunPageScreens: the progress bar two thirds of the way (two readings, a
// second apart on the simulated clock), then detached, at both sizes.
func TestBackfillRunPageScreens(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := driveBackfill(t, size[0], size[1], pageBackfill)
			d.toPreview()
			readings := 0
			d.hold(func(msg tea.Msg) bool {
				_, ok := msg.(backfillJobMsg)
				if ok {
					readings++
				}
				return ok && readings > 2
			})
			d.press("y")
			d.on(pageBackfillRun)
			d.expect("succeeded 200", "total 303", "rate 100/s", "ETA 1s", "ctrl+c detach")
			requireScreen(t, "running", d.w.View().Content)
			d.press("ctrl+c")
			d.on(pageBackfillRun)
			requireScreen(t, "detached", d.w.View().Content)
		})
	}
}
