package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestBackfillPanelWatchesASimulatedJobToItsEnd runs the panel over a real job of the
// demo's backfill scenario; the simulated clock moves a second at each reading and the
// panel polls without waiting, so the bar fills the same way every run.
func TestBackfillPanelWatchesASimulatedJobToItsEnd(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctx := context.Background()
			clock := simcloud.NewManualClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			sc, err := steps.DemoScenarioNamed(steps.DemoBackfillScenario)
			must(t, err)
			cloud, err := sc.NewDemoCloud(ctx, simcloud.WithClock(clock), simcloud.WithLatency(time.Second))
			must(t, err)
			clock.Advance(time.Minute)
			acc, err := steps.OpenAccounts(ctx, cloud.Open, steps.DemoSetup())
			must(t, err)
			plan, err := steps.PlanBackfill(ctx, acc, steps.DemoSetup(), steps.BackfillOptions{})
			must(t, err)
			_, err = steps.ApplyBackfillPlan(ctx, acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
			must(t, err)
			jobs, err := steps.NewBackfillJobs(acc, plan)
			must(t, err)
			jobs.Sleep = func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil }
			journal, err := steps.OpenBackfillJournal(t.TempDir(), plan.Facts, nil)
			must(t, err)
			started, err := jobs.Start(ctx, journal)
			must(t, err)
			_, err = jobs.WaitForPreview(ctx, started.ID, nil)
			must(t, err)
			must(t, jobs.Confirm(ctx, started.ID))

			funcs := BackfillPanelFuncs{
				Poll: func(ctx context.Context) (awsops.Job, error) {
					clock.Advance(time.Second)
					return jobs.Describe(ctx, started.ID)
				},
				Now:      clock.Now,
				NextPoll: func(time.Duration) time.Duration { return time.Millisecond },
			}
			panel := NewBackfillPanel(ctx, funcs, BackfillPanelInfo{JobID: started.ID, Bucket: simcloud.DemoSourceBucket,
				Region: simcloud.DemoSourceRegion, Objects: "both", WatchCommand: "s3repl backfill --job " + started.ID + " -f setup.yaml"})
			tm := teatest.NewTestModel(t, panel, teatest.WithInitialTermSize(size[0], size[1]),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
			final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(BackfillPanel)
			job := final.Job()
			if job.Status != awsops.JobComplete || job.Succeeded != 243 || job.Failed != 60 || final.Detached() {
				t.Fatalf("the panel ended on %+v", job)
			}
			golden.RequireEqual(t, final.View().Content)
		})
	}
}
