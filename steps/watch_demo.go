package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
)

// WatchDemoScenario is the demo of `s3repl watch`: replication and the watch work,
// then a colleague edits the replica key's policy and new objects fail.
const WatchDemoScenario = "key-policy-edited"

// setUpWatch applies the demo's setup and then the watch's plan: the scenario starts
// healthy, watched.
func setUpWatch(ctx context.Context, acc Accounts, _ Facts) error {
	plan, _, err := PlanWatch(ctx, acc, DemoSetup())
	if err != nil {
		return err
	}
	_, err = Apply(ctx, acc, plan, ApplyOptions{PropagationWait: time.Millisecond})
	return err
}

// WatchDemo is the traffic of the watch demo: one upload per Step into the rule's
// scope, and at step BreakAt the replica key policy loses the role's statement, as a
// colleague replacing it by hand would.
type WatchDemo struct {
	Acc     Accounts
	BreakAt int
	step    int
}

// Step uploads the next object, and breaks the key policy when it is time.
func (d *WatchDemo) Step(ctx context.Context) error {
	d.step++
	if d.step == d.BreakAt {
		plan, err := d.plan(ctx)
		if err != nil {
			return err
		}
		if err := removeReplicaKeyGrant(ctx, d.Acc, plan.Facts); err != nil {
			return err
		}
	}
	key := fmt.Sprintf("orders/2026/11/27/%04d.csv", d.step)
	_, err := d.Acc.Source.PutObject(ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, key, []byte("order "+key+"\n"), awsops.PutOptions{})
	return err
}

func (d *WatchDemo) plan(ctx context.Context) (*Plan, error) {
	st, err := Inspect(ctx, d.Acc, WatchSetup(DemoSetup()))
	if err != nil {
		return nil, err
	}
	return BuildPlan(WatchSetup(DemoSetup()), st)
}

// Run steps every interval until ctx ends.
func (d *WatchDemo) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := d.Step(ctx); err != nil {
				return err
			}
		}
	}
}
