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

// TestBackfillOfFailedObjectsAfterWatchSetup: `watch --setup` turned the rule's
// metrics on while the setup file still says metrics: false. The backfill of the
// FAILED objects that `watch --once` prints as the way out is planned (with a
// warning) and replicates them; a change apply really has left still refuses it.
func TestBackfillOfFailedObjectsAfterWatchSetup(t *testing.T) {
	s := newSimSetup(t, nil)
	if s.setup.Rule.Metrics || s.setup.Rule.ReplicationTime {
		t.Fatal("the demo setup should turn metrics off for this test")
	}
	s.applyPlanned(s.watchPlan())
	s.removeKeyGrant()
	keys := []string{"orders/a.csv", "orders/b.csv"}
	versions := map[string]string{}
	for _, key := range keys {
		versions[key] = s.upload(key, "")
	}
	s.clock.Advance(time.Minute)
	for _, key := range keys {
		if head := s.sourceHead(key, versions[key]); head.ReplicationStatus != "FAILED" {
			t.Fatalf("%s: %q, want FAILED", key, head.ReplicationStatus)
		}
	}
	calls := s.apiCalls()
	_, err := steps.Doctor(s.ctx, s.acc, s.setup)
	s.must(err)
	doctorCalls := s.apiCalls() - calls
	explained := steps.BackfillResult{Groups: []steps.BackfillFailureGroup{{}}}
	calls = s.apiCalls()
	doctor, err := steps.ExplainWithDoctor(s.ctx, s.acc, s.setup, &explained)
	s.must(err)
	if got := s.apiCalls() - calls; got > doctorCalls {
		t.Errorf("the doctor of a backfill made %d AWS calls, the doctor alone %d: the rule's metrics differing should plan the fixes again, not read AWS again", got, doctorCalls)
	}
	if got := ids(doctor.Fixes); !slices.Equal(got, []string{"dst-key-policy"}) {
		t.Errorf("the fixes offered after a job %v, want the key policy only (the rule keeps its metrics)", got)
	}
	// Put the key grant back only, as the doctor's fix does: the rule keeps its metrics.
	apply := s.plan()
	if !slices.ContainsFunc(apply.Warnings, func(w string) bool { return strings.Contains(w, "turns off what `s3repl watch` needs") }) {
		t.Errorf("apply's warnings %q: want that turning metrics off blinds the watch", apply.Warnings)
	}
	pending := apply.Pending()
	if got := ids(pending); !slices.Equal(got, []string{"dst-key-policy", "src-replication"}) {
		t.Fatalf("plan %v, want the key policy and the rule's metrics off", got)
	}
	s.apply(pending[:1])

	plan, err := steps.PlanBackfill(s.ctx, s.acc, s.setup, steps.BackfillOptions{Objects: steps.BackfillFailed})
	if err != nil {
		t.Fatalf("the backfill of the FAILED objects is refused: %v", err)
	}
	if !slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.Contains(w, "rule.metrics: true") && strings.Contains(w, "s3repl watch")
	}) {
		t.Errorf("warnings %q: want that apply would turn off what the watch needs", plan.Warnings)
	}
	result := s.runBackfill(t, plan, len(keys))
	if !result.AllSucceeded() || result.Succeeded != int64(len(keys)) {
		t.Fatalf("the backfill: %s, %d succeeded, %d failed", result.Job.Status, result.Succeeded, result.Failed)
	}
	for _, key := range keys {
		if head := s.sourceHead(key, versions[key]); head.ReplicationStatus != "COMPLETED" {
			t.Errorf("%s after the backfill: %q, want COMPLETED", key, head.ReplicationStatus)
		}
	}
	if !s.ruleMetricsOn() {
		t.Error("the backfill turned the rule's metrics off")
	}

	s.removeFromRolePolicy("S3replReplicateToDestination")
	_, err = steps.PlanBackfill(s.ctx, s.acc, s.setup, steps.BackfillOptions{Objects: steps.BackfillFailed})
	var refused *steps.BackfillRefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("with the role policy missing a statement: err = %v, want a refusal", err)
	}
}

// apiCalls is how many AWS calls both accounts have answered.
func (s *simSetup) apiCalls() int64 {
	type counted interface{ APICalls() int64 }
	return s.acc.Source.(counted).APICalls() + s.acc.Destination.(counted).APICalls()
}

func (s *simSetup) ruleMetricsOn() bool {
	s.t.Helper()
	doc, err := s.acc.Source.GetBucketReplication(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket)
	s.must(err)
	return strings.Contains(strings.Join(strings.Fields(doc), ""), `"Metrics":{"Status":"Enabled"}`)
}

// runBackfill makes the backfill plan's role, then runs its job to the end: the
// preview must hold the failed objects, tasks of them, before the job is confirmed.
func (s *simSetup) runBackfill(t *testing.T, plan *steps.BackfillPlan, tasks int) steps.BackfillResult {
	t.Helper()
	_, err := steps.ApplyBackfillPlan(s.ctx, s.acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	s.must(err)
	jobs, err := steps.NewBackfillJobs(s.acc, plan)
	s.must(err)
	jobs.Sleep = func(_ context.Context, d time.Duration) error { s.clock.Advance(d); return nil }
	journal, err := steps.OpenBackfillJournal(t.TempDir(), plan.Facts, nil)
	s.must(err)
	started, err := jobs.Start(s.ctx, journal)
	s.must(err)
	preview, err := jobs.WaitForPreview(s.ctx, started.ID, nil)
	s.must(err)
	if preview.Status != awsops.JobSuspended || preview.TotalTasks != int64(tasks) {
		t.Fatalf("preview: %s with %d tasks, want Suspended with the %d FAILED objects", preview.Status, preview.TotalTasks, tasks)
	}
	s.must(jobs.Confirm(s.ctx, started.ID))
	job, err := jobs.Watch(s.ctx, started.ID, nil)
	s.must(err)
	result, err := jobs.Result(s.ctx, job)
	s.must(err)
	return result
}
