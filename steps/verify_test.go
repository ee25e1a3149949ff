package steps_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

// scriptedObjects plays a replication story on top of a real (moto) account: the
// source status goes through statuses, one per observation, and the replica shows up
// as given. moto never replicates, so this is how the watching logic is tested here;
// the simulated cloud tests real replication.
type scriptedObjects struct {
	*recorder
	statuses []string
	replica  *awsops.ObjectHead
	heads    int
	sse      string
}

func (s *scriptedObjects) PutObject(context.Context, string, string, string, []byte, awsops.PutOptions) (string, error) {
	return "v1", nil
}

func (s *scriptedObjects) HeadObject(_ context.Context, region, bucket, key, version string) (awsops.ObjectHead, error) {
	if region == mototest.DestRegion {
		if s.replica == nil {
			return awsops.ObjectHead{}, &awsops.OpError{Op: "s3:GetObject", Kind: awsops.KindNotFound}
		}
		return *s.replica, nil
	}
	status := s.statuses[min(s.heads, len(s.statuses)-1)]
	s.heads++
	return awsops.ObjectHead{VersionID: version, ReplicationStatus: status, SSEAlgorithm: s.sse}, nil
}

func (s *scriptedObjects) DeleteObjectVersion(context.Context, string, string, string, string) error {
	return nil
}

// fakeClock advances only when the watcher sleeps.
type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func verifyWorld(t *testing.T) (*world, steps.Setup, string) {
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, false)
	s := w.setup(src, dst)
	s.Rule.Prefix = "checks/"
	w.planAndApply(s)
	key, err := w.dst.Account.DescribeKey(w.ctx, mototest.DestRegion, "alias/"+dst)
	w.must(err)
	return w, s, key.ARN
}

func runVerify(t *testing.T, w *world, s steps.Setup, src, dst *scriptedObjects, timeout time.Duration) (steps.VerifyReport, *fakeClock, int) {
	clock := &fakeClock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	updates := 0
	report, err := steps.Verify(w.ctx, steps.Accounts{Source: src, Destination: dst}, s, steps.VerifyOptions{
		Timeout: timeout, Now: clock.Now, Sleep: clock.Sleep, OnUpdate: func(steps.VerifyReport) { updates++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	return report, clock, updates
}

func TestVerifyCompletedChecksTheReplica(t *testing.T) {
	t.Parallel()
	w, s, keyARN := verifyWorld(t)
	src := &scriptedObjects{recorder: w.src, statuses: []string{"PENDING", "PENDING", "COMPLETED"}}
	dst := &scriptedObjects{recorder: w.dst, replica: &awsops.ObjectHead{VersionID: "v1", ReplicationStatus: "REPLICA", SSEKMSKeyID: keyARN, BucketKey: true}}
	report, clock, updates := runVerify(t, w, s, src, dst, time.Minute)
	if report.Outcome != steps.OutcomeCompleted || updates != 3 {
		t.Fatalf("outcome %s after %d updates: %s", report.Outcome, updates, report.Explanation)
	}
	if !strings.HasPrefix(report.Key, "checks/s3repl-test-20261126T120000Z") {
		t.Fatalf("the test key must stand in the rule's prefix and name itself: %s", report.Key)
	}
	for _, c := range report.Checks {
		if c.Status != steps.CheckPassed {
			t.Errorf("%s: %s %s", c.Name, c.Status, c.Detail)
		}
	}
	if got := clock.sleeps; len(got) != 2 || got[0] != time.Second || got[1] != 1500*time.Millisecond {
		t.Fatalf("back-off: %v", got)
	}
}

func TestVerifyReplicaWithTheWrongKeyFails(t *testing.T) {
	t.Parallel()
	w, s, _ := verifyWorld(t)
	src := &scriptedObjects{recorder: w.src, statuses: []string{"COMPLETED"}}
	dst := &scriptedObjects{recorder: w.dst, replica: &awsops.ObjectHead{VersionID: "v1", ReplicationStatus: "REPLICA", SSEKMSKeyID: "arn:aws:kms:eu-west-1:222222222222:key/other", BucketKey: true}}
	report, _, _ := runVerify(t, w, s, src, dst, time.Minute)
	if report.Outcome != steps.OutcomeFailed || report.Check(steps.CheckReplicaKey).Status != steps.CheckFailed {
		t.Fatalf("outcome %s, key check %+v", report.Outcome, report.Check(steps.CheckReplicaKey))
	}
}

func TestVerifyOutcomes(t *testing.T) {
	t.Parallel()
	w, s, _ := verifyWorld(t)
	cases := map[string]struct {
		statuses []string
		want     steps.Outcome
		explain  string
	}{
		"failed":      {[]string{"PENDING", "FAILED"}, steps.OutcomeFailed, "the doctor checks each"},
		"not matched": {[]string{""}, steps.OutcomeNotMatched, "matched no enabled rule"},
		"timed out":   {[]string{"PENDING"}, steps.OutcomeTimedOut, "the object is still PENDING"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := &scriptedObjects{recorder: w.src, statuses: tc.statuses}
			report, clock, _ := runVerify(t, w, s, src, &scriptedObjects{recorder: w.dst}, time.Minute)
			if report.Outcome != tc.want || !strings.Contains(report.Explanation, tc.explain) {
				t.Fatalf("%s: %s", report.Outcome, report.Explanation)
			}
			for _, d := range clock.sleeps {
				if d > 10*time.Second {
					t.Fatalf("back-off above 10s: %v", clock.sleeps)
				}
			}
		})
	}
}

func TestVerifyStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	w, s, _ := verifyWorld(t)
	ctx, cancel := context.WithCancel(w.ctx)
	src := &scriptedObjects{recorder: w.src, statuses: []string{"PENDING"}}
	report, err := steps.Verify(ctx, steps.Accounts{Source: src, Destination: &scriptedObjects{recorder: w.dst}}, s, steps.VerifyOptions{
		OnUpdate: func(steps.VerifyReport) { cancel() },
	})
	if err != nil || report.Outcome != steps.OutcomeStopped {
		t.Fatalf("%v %s", err, report.Outcome)
	}
}

func TestVerifyWithoutTheRuleSaysApplyFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src := mototest.UniqueName("src")
	w.sourceBucket(src, true)
	s := w.setup(src, mototest.UniqueName("dst"))
	_, err := steps.Verify(w.ctx, steps.Accounts{Source: &scriptedObjects{recorder: w.src}, Destination: &scriptedObjects{recorder: w.dst}}, s, steps.VerifyOptions{})
	if err == nil || !strings.Contains(err.Error(), "does not exist") && !strings.Contains(err.Error(), "s3repl apply") {
		t.Fatalf("want advice to apply first: %v", err)
	}
}

func TestVerifyNotMatchedSaysWhy(t *testing.T) {
	t.Parallel()
	w, s, _ := verifyWorld(t)
	w.editRule(s.Source.Bucket, func(rule map[string]any) { delete(rule, "SourceSelectionCriteria") })
	src := &scriptedObjects{recorder: w.src, statuses: []string{""}, sse: "aws:kms"}
	report, _, _ := runVerify(t, w, s, src, &scriptedObjects{recorder: w.dst}, time.Minute)
	if report.Outcome != steps.OutcomeNotMatched || !strings.Contains(report.Explanation, "does not opt in SSE-KMS objects") {
		t.Fatalf("%s: %s", report.Outcome, report.Explanation)
	}
}
