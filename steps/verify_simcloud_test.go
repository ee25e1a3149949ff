package steps_test

import (
	"context"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestVerifyPublishesTheOutcomeWithTheLastObservation: the status panel shows
// updates as they arrive, so the last one must be the final report, a timeout too.
func TestVerifyPublishesTheOutcomeWithTheLastObservation(t *testing.T) {
	t.Parallel()
	for name, latency := range map[string]time.Duration{"completed": 2 * time.Second, "timed out": 10 * time.Minute} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSimSetup(t, nil, simcloud.WithLatency(latency))
			var last steps.VerifyReport
			report, err := steps.Verify(s.ctx, s.acc, s.setup, steps.VerifyOptions{
				Timeout: time.Minute, Now: s.clock.Now,
				Sleep:    func(_ context.Context, d time.Duration) error { s.clock.Advance(d); return nil },
				OnUpdate: func(r steps.VerifyReport) { last = r },
			})
			s.must(err)
			if last.Outcome != report.Outcome || last.Explanation != report.Explanation || last.Elapsed != report.Elapsed {
				t.Fatalf("last update %s %q after %s, but Verify returned %s %q after %s",
					last.Outcome, last.Explanation, last.Elapsed, report.Outcome, report.Explanation, report.Elapsed)
			}
		})
	}
}
