package steps_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

var errInjected = errors.New("injected fault")

// faultyAccount fails one write of the watch's apply once: before making it, or
// after (the write happened but its answer was lost).
type faultyAccount struct {
	*simcloud.Account
	op    string
	lost  bool
	fired bool
}

func (f *faultyAccount) fault(op string, write func() error) error {
	if op != f.op || f.fired {
		return write()
	}
	f.fired = true
	if f.lost {
		if err := write(); err != nil {
			return err
		}
	}
	return errInjected
}

func (f *faultyAccount) PutBucketReplication(ctx context.Context, region, bucket, config string) error {
	return f.fault("PutBucketReplication", func() error { return f.Account.PutBucketReplication(ctx, region, bucket, config) })
}

func (f *faultyAccount) CreateQueue(ctx context.Context, region, name string) (awsops.Queue, error) {
	var q awsops.Queue
	err := f.fault("CreateQueue", func() (err error) { q, err = f.Account.CreateQueue(ctx, region, name); return err })
	return q, err
}

func (f *faultyAccount) SetQueuePolicy(ctx context.Context, region, url, policy string) error {
	return f.fault("SetQueuePolicy", func() error { return f.Account.SetQueuePolicy(ctx, region, url, policy) })
}

func (f *faultyAccount) PutBucketNotification(ctx context.Context, region, bucket, config string) error {
	return f.fault("PutBucketNotification", func() error { return f.Account.PutBucketNotification(ctx, region, bucket, config) })
}

// watchedState is what a watch apply leaves: the rule, the queue's policy and the
// bucket's notification configuration.
func (s *simSetup) watchedState() string {
	s.t.Helper()
	w := s.acc.Source.(awsops.Watcher)
	rules, err := s.acc.Source.GetBucketReplication(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket)
	s.must(err)
	q, err := w.GetQueue(s.ctx, simcloud.DemoSourceRegion, steps.WatchQueueName(s.setup.Source.Bucket, s.setup.RuleID()))
	s.must(err)
	n, err := w.GetBucketNotification(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket)
	s.must(err)
	return rules + "\n" + q.Policy + "\n" + n
}

// TestWatchApplyConvergesAfterAnySingleFault fails each write of the watch's apply in
// turn, before it is made and after (answer lost), runs it again and checks the
// result is a fault-free run's, with the bucket's own notification kept.
func TestWatchApplyConvergesAfterAnySingleFault(t *testing.T) {
	clean := newSimSetup(t, nil)
	clean.theirQueueNotification()
	plan := clean.watchPlan()
	clean.facts = plan.Facts
	clean.apply(plan.Pending())
	want := clean.watchedState()

	for _, op := range []string{"PutBucketReplication", "CreateQueue", "SetQueuePolicy", "PutBucketNotification"} {
		for _, lost := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s-lost=%v", op, lost), func(t *testing.T) {
				s := newSimSetup(t, nil)
				s.theirQueueNotification()
				source := s.acc.Source
				faulty := &faultyAccount{Account: source.(*simcloud.Account), op: op, lost: lost}
				s.acc.Source = faulty
				plan := s.watchPlan()
				_, err := steps.Apply(s.ctx, s.acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
				if !errors.Is(err, errInjected) {
					t.Fatalf("apply with a fault in %s: %v", op, err)
				}
				s.acc.Source = source
				again := s.watchPlan()
				if _, err := steps.Apply(s.ctx, s.acc, again, steps.ApplyOptions{PropagationWait: time.Millisecond}); err != nil {
					t.Fatalf("apply again: %v", err)
				}
				if left := s.watchPlan().Pending(); len(left) != 0 {
					t.Errorf("after the rerun the plan still has %v", ids(left))
				}
				if got := s.watchedState(); got != want {
					t.Errorf("after a fault in %s and a rerun:\n%s\nwant, as without the fault:\n%s", op, got, want)
				}
			})
		}
	}
}
