package ui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestWatchDemoRetriesTheFailedObjectsToEveryOneReplicated plays `s3repl demo
// --scenario key-policy-edited` through the dashboard, wired to steps as the demo
// is, on a simulated clock: the key policy is edited, failures arrive, d names the
// key policy, a applies its fix, and r retries the FAILED objects to every one
// replicated (COMPLETED at the source).
func TestWatchDemoRetriesTheFailedObjectsToEveryOneReplicated(t *testing.T) {
	ctx := context.Background()
	clock := simcloud.NewManualClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	sc, err := steps.DemoScenarioNamed(steps.WatchDemoScenario)
	must(t, err)
	cloud, err := sc.NewDemoCloud(ctx, simcloud.WithClock(clock), simcloud.WithLatency(2*time.Second))
	must(t, err)
	setup := steps.DemoSetup()
	acc, err := steps.OpenAccounts(ctx, cloud.Open, setup)
	must(t, err)
	watcher, err := steps.NewWatcher(ctx, acc, setup, steps.WatchOptions{Window: time.Hour, Now: clock.Now})
	must(t, err)
	deps := StepsWatchDeps(acc, setup, watcher, "setup.yaml", steps.WatchThresholds{}, time.Hour, "DEMO", nil)
	deps.ApplyFixes = func(ctx context.Context, r steps.DoctorReport) error {
		_, err := steps.ApplyFixes(ctx, acc, r, steps.ApplyOptions{PropagationWait: time.Millisecond})
		return err
	}
	dir := t.TempDir()
	deps.Retry = StepsWatchRetry(acc, setup, watcher, "setup.yaml", nil,
		func(f steps.BackfillFacts) (*steps.BackfillJournal, error) {
			return steps.OpenBackfillJournal(dir, f, clock.Now)
		},
		BackfillOptions{RoleSettle: -1, BeforeRead: func() { clock.Advance(time.Second) }, Now: clock.Now,
			NextPoll: func(time.Duration) time.Duration { return time.Millisecond }})
	d := send(NewWatchDashboard(ctx, deps), tea.WindowSizeMsg{Width: 120, Height: 40})
	d.reading = false

	traffic := &steps.WatchDemo{Acc: acc, BreakAt: 3}
	for range 5 {
		must(t, traffic.Step(ctx))
		clock.Advance(5 * time.Second)
		d = press(d, 'u')
	}
	if d.failures.total != 3 {
		t.Fatalf("%d failures seen, want 3 (the uploads after the edit)", d.failures.total)
	}
	keys := failedKeys(d)
	d = press(d, 'd')
	expectView(t, d, "Replica key policy")
	d = press(press(d, 'a'), 'y')
	expectView(t, d, "Fixes applied", "r retries them")

	d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
	expectView(t, d, "Create batch operations role s3repl-batch-acme-prod-orders", "Make 2 changes in account 111111111111, then create the job?")
	d = pressUntil(t, d, 'y', func(d WatchDashboard) bool { return d.retry.phase == retryPreview || d.retry.phase == retryDone })
	expectView(t, d, "objects to replicate: 3", "estimated Batch Operations fees")
	d = pressUntil(t, d, 'y', phaseIs(retryDone))
	if r := d.retry.result; r == nil || !r.AllSucceeded() || r.Succeeded != 3 {
		t.Fatalf("the retry: %+v, err %v", d.retry.result, d.retry.err)
	}
	expectView(t, d, "3 succeeded, 0 failed of 3", "Every FAILED object replicated")
	for key, version := range keys {
		head, err := acc.Source.HeadObject(ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, key, version)
		must(t, err)
		if head.ReplicationStatus != "COMPLETED" {
			t.Errorf("%s after the retry: %q, want COMPLETED", key, head.ReplicationStatus)
		}
	}
}

// failedKeys are the objects whose failures the dashboard read, key to version.
func failedKeys(d WatchDashboard) map[string]string {
	keys := map[string]string{}
	for _, g := range d.failures.groups {
		for _, e := range g.Examples {
			keys[e.Key] = e.VersionID
		}
	}
	return keys
}
