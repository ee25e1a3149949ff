package steps_test

import (
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestWatchDemoFailedObjectsReplicateAfterTheRetry plays the watch demo to its end:
// the key policy is edited, new objects fail, the doctor's fix is applied, and a
// Batch Replication job of the FAILED objects (the dashboard's r) replicates every
// one of them: COMPLETED at the source, a REPLICA under the replica key at the
// destination.
func TestWatchDemoFailedObjectsReplicateAfterTheRetry(t *testing.T) {
	s := newScenarioSetup(t, steps.WatchDemoScenario)
	w := s.watcher()
	demo := &steps.WatchDemo{Acc: s.acc, BreakAt: 3}
	var failed []steps.FailureEvent
	for range 5 {
		s.must(demo.Step(s.ctx))
		s.clock.Advance(5 * time.Second)
		failed = append(failed, s.read(w).Events...)
	}
	if len(failed) != 3 {
		t.Fatalf("%d failure events after the edit, want 3 (steps 3 to 5): %+v", len(failed), failed)
	}
	doctor, err := w.WatchDoctor(s.ctx, s.setup)
	s.must(err)
	_, err = steps.ApplyFixes(s.ctx, s.acc, doctor, steps.ApplyOptions{PropagationWait: time.Millisecond})
	s.must(err)
	for _, e := range failed {
		if head := s.sourceHead(e.Key, e.VersionID); head.ReplicationStatus != "FAILED" {
			t.Fatalf("%s after the fix: %q, want FAILED (S3 never retries it)", e.Key, head.ReplicationStatus)
		}
	}

	plan, err := w.PlanWatchRetry(s.ctx, s.setup, "s3repl doctor -f setup.yaml")
	s.must(err)
	result := s.runBackfill(t, plan, len(failed))
	if !result.AllSucceeded() || result.Succeeded != int64(len(failed)) {
		t.Fatalf("the retry: %s, %d succeeded, %d failed, groups %+v", result.Job.Status, result.Succeeded, result.Failed, result.Groups)
	}
	replicaKey, err := s.acc.Destination.DescribeKey(s.ctx, simcloud.DemoDestRegion, s.setup.Destination.KMSKey)
	s.must(err)
	for _, e := range failed {
		if head := s.sourceHead(e.Key, e.VersionID); head.ReplicationStatus != "COMPLETED" {
			t.Errorf("%s after the retry: %q, want COMPLETED", e.Key, head.ReplicationStatus)
		}
		replica, err := s.acc.Destination.HeadObject(s.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket, e.Key, e.VersionID)
		s.must(err)
		if replica.ReplicationStatus != "REPLICA" || replica.SSEKMSKeyID != replicaKey.ARN {
			t.Errorf("%s at the destination: %q under %q, want a REPLICA under %s", e.Key, replica.ReplicationStatus, replica.SSEKMSKeyID, replicaKey.ARN)
		}
	}
}

func (s *simSetup) sourceHead(key, version string) awsops.ObjectHead {
	s.t.Helper()
	head, err := s.acc.Source.HeadObject(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, key, version)
	s.must(err)
	return head
}
