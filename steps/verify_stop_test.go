package steps_test

import (
	"context"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// cancelOnHead cancels the watch while a HeadObject is in flight, as ctrl+c at that
// moment does.
type cancelOnHead struct {
	awsops.Account
	cancel       context.CancelFunc
	after, heads int
}

func (c *cancelOnHead) HeadObject(ctx context.Context, region, bucket, key, version string) (awsops.ObjectHead, error) {
	c.heads++
	if c.heads > c.after {
		c.cancel()
	}
	return c.Account.HeadObject(ctx, region, bucket, key, version)
}

func verifyWith(s *simSetup, ctx context.Context, acc steps.Accounts) (steps.VerifyReport, error) {
	return steps.Verify(ctx, acc, s.setup, steps.VerifyOptions{
		Timeout: time.Minute, Now: s.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			s.clock.Advance(d)
			return nil
		},
	})
}

// TestCtrlCDuringAReadStopsWatching: a read cut short by ctrl+c says nothing about
// replication. It ended FAILED ("the replica cannot be read") or WATCHING before.
func TestCtrlCDuringAReadStopsWatching(t *testing.T) {
	for name, onReplica := range map[string]bool{"source read": false, "replica read": true} {
		t.Run(name, func(t *testing.T) {
			s := newSimSetup(t, nil)
			ctx, cancel := context.WithCancel(s.ctx)
			defer cancel()
			acc := s.acc
			if onReplica {
				acc.Destination = &cancelOnHead{Account: acc.Destination, cancel: cancel}
			} else {
				acc.Source = &cancelOnHead{Account: acc.Source, cancel: cancel, after: 1}
			}
			report, err := verifyWith(s, ctx, acc)
			s.must(err)
			if report.Outcome != steps.OutcomeStopped {
				t.Fatalf("outcome %s (%q), want STOPPED", report.Outcome, report.Explanation)
			}
		})
	}
}

type deniedHead struct{ awsops.Account }

func (deniedHead) HeadObject(context.Context, string, string, string, string) (awsops.ObjectHead, error) {
	return awsops.ObjectHead{}, &awsops.OpError{Op: "s3:GetObjectVersion", Kind: awsops.KindAccessDenied, Code: "AccessDenied"}
}

// TestUnreadableTestObjectEndsTheWatch: AccessDenied on the test object will not pass
// by waiting; it was polled for the whole timeout and reported "without status".
func TestUnreadableTestObjectEndsTheWatch(t *testing.T) {
	s := newSimSetup(t, nil)
	acc := s.acc
	acc.Source = deniedHead{acc.Source}
	report, err := verifyWith(s, s.ctx, acc)
	if err == nil || !awsops.IsAccessDenied(err) {
		t.Fatalf("err = %v, want the AccessDenied", err)
	}
	if report.Outcome == steps.OutcomeTimedOut || report.Elapsed > 0 {
		t.Fatalf("%s after %s: the watch waited", report.Outcome, report.Elapsed)
	}
}
