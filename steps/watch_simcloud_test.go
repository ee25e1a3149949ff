package steps_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// theirQueueNotification is a notification of the source bucket s3repl did not
// write: the watch must keep it.
func (s *simSetup) theirQueueNotification() string {
	s.t.Helper()
	w := s.acc.Source.(awsops.Watcher)
	q, err := w.CreateQueue(s.ctx, simcloud.DemoSourceRegion, "uploads")
	s.must(err)
	s.must(w.SetQueuePolicy(s.ctx, simcloud.DemoSourceRegion, q.URL, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"`+q.ARN+`"}]}`))
	config := `{"QueueConfigurations":[{"Id":"uploads","QueueArn":"` + q.ARN + `","Events":["s3:ObjectCreated:*"]}]}`
	s.must(w.PutBucketNotification(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket, config))
	return q.ARN
}

func (s *simSetup) watchPlan() *steps.Plan {
	s.t.Helper()
	plan, _, err := steps.PlanWatch(s.ctx, s.acc, s.setup)
	s.must(err)
	return plan
}

func (s *simSetup) watcher() *steps.Watcher {
	s.t.Helper()
	w, err := steps.NewWatcher(s.ctx, s.acc, s.setup, steps.WatchOptions{Window: time.Hour, Now: s.clock.Now})
	s.must(err)
	return w
}

func (s *simSetup) read(w *steps.Watcher) steps.WatchReport {
	s.t.Helper()
	r, err := w.Read(s.ctx, "setup.yaml", steps.WatchThresholds{MaxPending: 100})
	s.must(err)
	return r
}

// removeKeyGrant takes s3repl's statement out of the replica key policy, as a
// colleague editing it by hand would.
func (s *simSetup) removeKeyGrant() {
	s.t.Helper()
	doc, err := s.acc.Destination.GetKeyPolicy(s.ctx, simcloud.DemoDestRegion, s.facts.DestKeyARN)
	s.must(err)
	parsed, err := policy.Parse(doc)
	s.must(err)
	if !parsed.Remove(s.facts.KeyPolicySid()) {
		s.t.Fatal("the key policy has no s3repl statement")
	}
	s.must(s.acc.Destination.PutKeyPolicy(s.ctx, simcloud.DemoDestRegion, s.facts.DestKeyARN, parsed.String()))
}

func ids(changes []steps.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.ID)
	}
	return out
}

// TestWatchFromSetupToFailuresAndBack: the watch plan turns the rule's metrics on
// and adds the queue and the notification, keeping the bucket's own; then a key
// policy edited behind the user's back makes new objects fail, the watch reads the
// failures with their reason, the doctor's fixes keep the metrics on and mend it.
func TestWatchFromSetupToFailuresAndBack(t *testing.T) {
	s := newSimSetup(t, nil)
	theirs := s.theirQueueNotification()
	early := s.watcher()
	if early.Status.Ready() || len(early.Status.Missing()) != 2 {
		t.Fatalf("before the watch plan: status %+v, missing %q", early.Status, early.Status.Missing())
	}
	if r := s.read(early); r.OK || len(r.Next) == 0 || !strings.Contains(r.Next[0], "--setup") {
		t.Errorf("unwatched: ok %v, next %q; want how to set it up", r.OK, r.Next)
	}

	plan := s.watchPlan()
	want := []string{"src-replication", "watch-queue", "watch-queue-policy", "watch-notification"}
	if got := ids(plan.Pending()); !slices.Equal(got, want) {
		t.Fatalf("watch plan changes %v, want %v", got, want)
	}
	rule := plan.Pending()[0]
	if compact := strings.Join(strings.Fields(rule.After), ""); !strings.Contains(compact, `"Metrics":{"Status":"Enabled"}`) || strings.Contains(compact, "EventThreshold") {
		t.Errorf("the rule change should turn metrics on without an EventThreshold (S3 refuses one without RTC):\n%s", rule.After)
	}
	if len(plan.Warnings) == 0 || !strings.Contains(strings.Join(plan.Warnings, " "), "rule.metrics: false") {
		t.Errorf("warnings %q: the setup file turns metrics off again", plan.Warnings)
	}
	s.facts = plan.Facts
	s.apply(plan.Pending())
	if again := s.watchPlan().Pending(); len(again) != 0 {
		t.Fatalf("a second watch plan has changes %v", ids(again))
	}
	notification, err := s.acc.Source.(awsops.Watcher).GetBucketNotification(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket)
	s.must(err)
	if !strings.Contains(notification, theirs) || !strings.Contains(notification, steps.EventFailedReplication) {
		t.Errorf("notification after the watch plan %s: want theirs and ours", notification)
	}

	if r := s.read(early); !r.Status.Ready() || !r.OK {
		t.Errorf("a watcher started before the watch plan still says %q, problems %q", r.Missing, r.Problems)
	}
	w := s.watcher()
	if !w.Status.Ready() {
		t.Fatalf("after the watch plan: missing %q", w.Status.Missing())
	}
	s.upload("orders/ok.csv", "")
	if r := s.read(w); r.Latest.OperationsPending != 1 || !r.OK {
		t.Errorf("one object pending: latest %+v, problems %q", r.Latest, r.Problems)
	}
	s.clock.Advance(time.Minute)
	s.read(w) // S3 replicates what is due; pending is a period's Maximum, so look a period later
	s.clock.Advance(time.Minute)
	if r := s.read(w); r.Latest.OperationsPending != 0 || r.Latest.LatencySeconds <= 0 || !r.OK {
		t.Errorf("after replication: latest %+v, problems %q", r.Latest, r.Problems)
	}

	s.removeKeyGrant()
	for _, key := range []string{"orders/a.csv", "orders/b.csv", "orders/c.csv"} {
		s.upload(key, "")
	}
	s.clock.Advance(time.Minute)
	r := s.read(w)
	if r.OK || len(r.Failures) != 1 || r.Failures[0].Reason != "DstPutObjectNotPermitted" || r.Failures[0].Count != 3 || r.Latest.OperationsFailed != 3 {
		t.Fatalf("after the key policy edit: ok %v, failures %+v, latest %+v", r.OK, r.Failures, r.Latest)
	}
	if !slices.ContainsFunc(r.Next, func(n string) bool { return strings.Contains(n, "backfill") && strings.Contains(n, "--objects failed") }) {
		t.Errorf("next steps %q: the way out ends with retrying the failed objects", r.Next)
	}
	if !strings.Contains(r.Next[0], "rule.metrics: true") {
		t.Errorf("next steps %q: the demo's setup file turns metrics off, which apply would do", r.Next)
	}
	if again := s.read(w); len(again.Events) != 0 {
		t.Errorf("events are reported once; read again: %d", len(again.Events))
	}

	doctor, err := w.WatchDoctor(s.ctx, s.setup)
	s.must(err)
	if !slices.Contains(failedIDs(doctor), "destination-key-policy") {
		t.Errorf("the doctor's failed checks %v do not name the replica key policy", failedIDs(doctor))
	}
	if got := ids(doctor.Fixes); !slices.Equal(got, []string{"dst-key-policy"}) {
		t.Errorf("doctor fixes %v, want only the key policy (the rule keeps its metrics)", got)
	}
	_, err = steps.ApplyFixes(s.ctx, s.acc, doctor, steps.ApplyOptions{PropagationWait: time.Millisecond})
	s.must(err)
	s.upload("orders/after-fix.csv", "")
	s.clock.Advance(time.Minute)
	s.read(w)
	s.clock.Advance(time.Minute)
	if r := s.read(w); len(r.Events) != 0 || r.Latest.OperationsPending != 0 {
		t.Errorf("after the fix: events %+v, latest %+v", r.Events, r.Latest)
	}
}

func failedIDs(r steps.DoctorReport) []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == steps.DoctorFailed {
			out = append(out, c.ID)
		}
	}
	return out
}

// TestWatchWithRTCReportsLateObjects: with RTC the watch also asks for the threshold
// events; an object that replicates after 15 minutes is late, not failed.
func TestWatchWithRTCReportsLateObjects(t *testing.T) {
	s := newSimSetup(t, func(setup *steps.Setup) { setup.Rule.ReplicationTime = true }, simcloud.WithLatency(20*time.Minute))
	plan := s.watchPlan()
	if n := plan.Pending(); len(n) != 3 || !strings.Contains(n[2].After, steps.EventMissedThreshold) {
		t.Fatalf("watch plan with RTC: %v\n%s", ids(n), n[len(n)-1].After)
	}
	if len(plan.Warnings) != 0 && strings.Contains(strings.Join(plan.Warnings, " "), "rule.metrics") {
		t.Errorf("RTC turns metrics on: no warning about rule.metrics expected, got %q", plan.Warnings)
	}
	s.facts = plan.Facts
	s.apply(plan.Pending())
	w := s.watcher()
	s.upload("orders/slow.csv", "")
	s.clock.Advance(21 * time.Minute)
	r := s.read(w)
	if r.MissedThreshold != 1 || len(r.Failures) != 0 || !r.OK {
		t.Errorf("a late object: missed %d, failures %+v, ok %v (%q)", r.MissedThreshold, r.Failures, r.OK, r.Problems)
	}
}

// TestUnwatchRemovesOnlyWhatTheWatchAdded: the removal plan takes s3repl's
// notification out, keeping the bucket's own, and deletes the queue; once applied,
// nothing is left to remove.
func TestUnwatchRemovesOnlyWhatTheWatchAdded(t *testing.T) {
	s := newSimSetup(t, nil)
	theirs := s.theirQueueNotification()
	plan := s.watchPlan()
	s.facts = plan.Facts
	s.apply(plan.Pending())

	remove, _, err := steps.PlanUnwatch(s.ctx, s.acc, s.setup)
	s.must(err)
	if got := ids(remove.Pending()); !slices.Equal(got, []string{"unwatch-notification", "unwatch-queue"}) {
		t.Fatalf("removal plan %v", got)
	}
	_, err = steps.Apply(s.ctx, s.acc, remove, steps.ApplyOptions{PropagationWait: time.Millisecond})
	s.must(err)
	w := s.acc.Source.(awsops.Watcher)
	notification, err := w.GetBucketNotification(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket)
	s.must(err)
	if !strings.Contains(notification, theirs) || strings.Contains(notification, "s3repl-watch") {
		t.Errorf("notification after the removal: %s", notification)
	}
	if _, err := w.GetQueue(s.ctx, simcloud.DemoSourceRegion, steps.WatchQueueName(s.setup.Source.Bucket, s.setup.RuleID())); !awsops.IsNotFound(err) {
		t.Errorf("the queue is still there: %v", err)
	}
	again, _, err := steps.PlanUnwatch(s.ctx, s.acc, s.setup)
	s.must(err)
	if left := again.Pending(); len(left) != 0 {
		t.Errorf("a second removal plan has %v", ids(left))
	}
}
