package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestWizardExtendsExistingReplicationInTheDemoCloud runs the wizard against the
// simulated cloud's demo: a source bucket that already replicates with a role of its
// own, an existing destination bucket whose key the key list preselects, and keys
// the wizard must refuse. The rule form proposes the existing role, the review keeps
// the existing rule, and after the apply a second plan has nothing to do.
func TestWizardExtendsExistingReplicationInTheDemoCloud(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			cloud := simcloud.NewDemo(simcloud.WithLatency(time.Millisecond))
			deps := Deps{Open: cloud.Open, Profiles: func() ([]string, error) { return cloud.Profiles(), nil }}
			d := startWizard(t, deps, size[0], size[1])

			chooseProfile(d, simcloud.DemoSourceProfile)
			d.waitFor(simcloud.DemoLogsBucket)
			d.press("/")
			d.typeText(simcloud.DemoSourceBucket)
			requireScreen(t, "source-with-rule", d.waitFor("/ "+simcloud.DemoSourceBucket, simcloud.DemoExistingRule, "SSE-KMS alias/prod-orders")) // the key by its alias, once the Region's keys are listed
			d.press("enter")
			d.waitFor("› " + simcloud.DemoDestProfile)
			d.press("enter")
			d.waitFor("› "+simcloud.DemoDestRegion, "the profile's Region")
			d.press("enter")
			d.waitFor(simcloud.DemoDestBucket, "› + new bucket")
			d.press("down")
			d.waitFor("› "+simcloud.DemoDestBucket, "versioning", "SSE-KMS")
			d.press("enter")
			requireScreen(t, "keys", d.waitFor("› "+simcloud.DemoReplicaKey, simcloud.DemoDisabledKey, "disabled", "asymmetric (RSA_2048)", "AWS managed"))
			d.press("enter")
			d.waitFor("Replication rule", simcloud.DemoExistingRole)
			d.press("enter")
			requireScreen(t, "review", d.waitFor("Review · 4 changes to make", "role-policy (after)"))
			d.press("a", "y")
			d.waitFor("✓ Applied")
			w := d.finish()
			if !w.Applied() {
				t.Fatal("not applied")
			}
			plan := planOf(t, cloud, w.Setup())
			if pending := plan.Pending(); len(pending) != 0 {
				t.Fatalf("a second plan has %d changes, the first %s", len(pending), pending[0].Title)
			}
			if cfg := replicationOf(t, cloud); !containsAll(cfg, []string{simcloud.DemoExistingRule, w.Setup().RuleID(), simcloud.DemoExistingRole}) {
				t.Fatalf("the existing rule or role was not kept:\n%s", cfg)
			}
		})
	}
}

func planOf(t *testing.T, cloud *simcloud.Cloud, setup steps.Setup) *steps.Plan {
	t.Helper()
	ctx := context.Background()
	acc, err := steps.OpenAccounts(ctx, cloud.Open, setup)
	must(t, err)
	state, err := steps.Inspect(ctx, acc, setup)
	must(t, err)
	plan, err := steps.BuildPlan(setup, state)
	must(t, err)
	return plan
}

func replicationOf(t *testing.T, cloud *simcloud.Cloud) string {
	t.Helper()
	acc, err := cloud.Open(context.Background(), simcloud.DemoSourceProfile)
	must(t, err)
	cfg, err := acc.GetBucketReplication(context.Background(), simcloud.DemoSourceRegion, simcloud.DemoSourceBucket)
	must(t, err)
	return cfg
}

// TestKeyListPreselectsTheBucketKeyWhenTheBucketWasChosenQuickly chooses the
// destination bucket before its summary is read: the key list still starts on the key
// the bucket encrypts with, once the summary arrives.
func TestKeyListPreselectsTheBucketKeyWhenTheBucketWasChosenQuickly(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.pickDemoUpToDestBucket()
	d.hold(isMsg[summaryMsg])
	d.press("down", "enter") // before the debounce: the summary was never read
	d.on(pageReplicaKey)
	d.expect("Replica key", "› + create a new key")
	d.release()
	d.expect("› " + simcloud.DemoReplicaKey)
}
