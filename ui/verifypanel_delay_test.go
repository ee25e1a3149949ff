package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestVerifyPanelWaitsForTheConfiguration: the simulated S3 takes 30 s to apply a
// new configuration, as S3 takes a little while. The panel says it is waiting for
// the configuration, then shows the fresh test object replicate; deleting the test
// objects removes all three and says so.
func TestVerifyPanelWaitsForTheConfiguration(t *testing.T) {
	clock := simcloud.NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	c := &panelCloud{t: t, ctx: context.Background(), clock: clock, setup: steps.DemoSetup(),
		cloud: simcloud.NewDemo(simcloud.WithClock(clock), simcloud.WithLatency(panelLatency), simcloud.WithConfigDelay(30*time.Second))}
	acc, err := steps.OpenAccounts(c.ctx, c.cloud.Open, c.setup)
	must(t, err)
	c.acc = acc
	state, err := steps.Inspect(c.ctx, acc, c.setup)
	must(t, err)
	plan, err := steps.BuildPlan(c.setup, state)
	must(t, err)
	_, err = steps.Apply(c.ctx, acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	must(t, err)

	release := make(chan struct{})
	var once sync.Once
	funcs := c.funcs(nil, false)
	funcs.Verify = func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error) {
		return steps.Verify(ctx, c.acc, c.setup, steps.VerifyOptions{
			Timeout: 2 * time.Minute, Now: c.clock.Now, OnUpdate: onUpdate,
			Sleep: func(ctx context.Context, d time.Duration) error {
				once.Do(func() { <-release }) // hold the first wait until the test has seen it
				c.clock.Advance(d)
				return nil
			},
		})
	}
	d := startPanel(t, funcs, 120, 40)
	d.waitFor("waiting for the replication configuration to take effect")
	close(release)
	d.waitFor("k keep", "COMPLETED after", "test object 3")
	panel := d.finish("d")
	if report := panel.Report(); report.Outcome != steps.OutcomeCompleted || len(report.Earlier) != 2 {
		t.Fatalf("outcome %s, %d earlier test objects", report.Outcome, len(report.Earlier))
	}
	if screen := ansi.Strip(panel.View().Content); !strings.Contains(screen, "The 3 test objects and the replica of the last were removed.") {
		t.Errorf("the panel does not say all three test objects were removed:\n%s", screen)
	}
}
