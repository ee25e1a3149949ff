package ui

import (
	"context"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// Keys pressed faster than the wizard reads AWS, and lists read again with r: each
// test failed on the wizard before these were fixed (a review found them).

// slowLists lists buckets and keys slowly, so that keys pressed at once surely arrive
// while a list is being read.
type slowLists struct{ passThrough }

const listDelay = 300 * time.Millisecond

func (a slowLists) ListBuckets(ctx context.Context) ([]awsops.BucketSummary, error) {
	time.Sleep(listDelay)
	return a.passThrough.ListBuckets(ctx)
}

func (a slowLists) ListKeys(ctx context.Context, region string) ([]awsops.KeyInfo, error) {
	time.Sleep(listDelay)
	return a.passThrough.ListKeys(ctx, region)
}

// withSlowLists makes every account the deps open list slowly.
func withSlowLists(deps Deps) Deps {
	open := deps.Open
	deps.Open = func(ctx context.Context, profile string) (awsops.Account, error) {
		acc, err := open(ctx, profile)
		if err != nil {
			return nil, err
		}
		return slowLists{passThrough{acc}}, nil
	}
	return deps
}

// TestRefreshOnDestProfilesKeepsTheSourceAccount: r on the destination profiles
// forgot the source account too, and a later step dereferenced it (a panic).
func TestRefreshOnDestProfilesKeepsTheSourceAccount(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, deps, 80, 24)
	pickDemoSource(t, d)
	d.press("r")
	d.waitFor("› "+simcloud.DemoDestProfile, "account "+simcloud.DemoDestAccount)
	pickDemoDestination(t, d)
	pickDemoBucketKeyAndRule(t, d)
	d.waitFor("Review · 4 changes to make")
	d.finish()
}

// TestProfileCursorStaysWhereTheUserMovedIt: back on the source profiles, the cursor
// jumped back to the profile chosen before once the next one was resolved.
func TestProfileCursorStaysWhereTheUserMovedIt(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, deps, 80, 24)
	d.waitFor("› "+simcloud.DemoSourceProfile, "account "+simcloud.DemoSourceAccount)
	d.press("enter")
	d.waitFor(simcloud.DemoLogsBucket)
	d.press("esc")
	d.waitFor("Source: which AWS profile", "› "+simcloud.DemoSourceProfile)
	d.press("up")
	d.waitFor("account " + simcloud.DemoDestAccount)
	if screen, ok := d.waitBriefly(time.Second, "› "+simcloud.DemoDestProfile); !ok {
		t.Errorf("the cursor left %s:\n%s", simcloud.DemoDestProfile, screen)
	}
	d.press("enter")
	if screen, ok := d.waitBriefly(2*time.Second, "Source bucket · profile "+simcloud.DemoDestProfile); !ok {
		t.Errorf("enter did not choose %s:\n%s", simcloud.DemoDestProfile, screen)
	}
	d.finish("ctrl+c")
}

// TestRefreshKeepsTheSourceProfileCursor: r on the first screen put the cursor back on
// the suggested profile.
func TestRefreshKeepsTheSourceProfileCursor(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, deps, 80, 24)
	d.waitFor("› "+simcloud.DemoSourceProfile, "account "+simcloud.DemoSourceAccount)
	d.press("up")
	d.waitFor("› "+simcloud.DemoDestProfile, "account "+simcloud.DemoDestAccount)
	d.press("r")
	time.Sleep(300 * time.Millisecond)
	if screen, ok := d.waitBriefly(time.Second, "› "+simcloud.DemoDestProfile); !ok {
		t.Errorf("the cursor moved:\n%s", screen)
	}
	d.finish("ctrl+c")
}

// TestSourceBucketIsNotChosenFromThePreviousProfilesList: enter on a bucket list still
// loading chose a bucket of the previous profile's list, unseen.
func TestSourceBucketIsNotChosenFromThePreviousProfilesList(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, withSlowLists(deps), 80, 24)
	d.waitFor("› "+simcloud.DemoSourceProfile, "account "+simcloud.DemoSourceAccount)
	d.press("enter")
	d.waitFor(simcloud.DemoLogsBucket, "versioning")
	d.press("esc")
	d.waitFor("› " + simcloud.DemoSourceProfile)
	d.press("up")
	d.waitFor("› " + simcloud.DemoDestProfile + "  account " + simcloud.DemoDestAccount)
	d.press("enter", "enter")
	if screen, ok := d.waitBriefly(2*time.Second, "Destination: which AWS profile"); ok {
		t.Errorf("enter on the loading bucket list chose a bucket of %s:\n%s", simcloud.DemoSourceProfile, screen)
	}
	d.finish("ctrl+c")
}

// TestKeyIsNotChosenFromThePreviousRegionsList: after a key list in one Region, enter
// on the next Region's list while it loaded chose a key of the first Region.
func TestKeyIsNotChosenFromThePreviousRegionsList(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, withSlowLists(deps), 120, 40)
	pickDemoUpToDestBucket(t, d)
	d.press("down", "enter")
	d.waitFor("Replica key in "+simcloud.DemoDestRegion, "› "+simcloud.DemoReplicaKey)
	d.press("esc", "esc")
	d.waitFor("Destination Region")
	d.press("/")
	d.typeText(simcloud.DemoOtherRegion)
	d.press("enter")
	d.waitFor("Destination bucket in "+simcloud.DemoOtherRegion, simcloud.DemoOtherRegionBucket)
	d.press("down")
	d.waitFor("› "+simcloud.DemoOtherRegionBucket, "versioning")
	d.press("enter", "enter")
	if screen, ok := d.waitBriefly(2*time.Second, "Replication rule"); ok {
		t.Errorf("enter on the loading key list chose a key of %s:\n%s", simcloud.DemoDestRegion, screen)
	}
	d.finish("ctrl+c")
}

// TestNewBucketNameIsCheckedAfterLeavingQuickly: leaving the new-bucket screen before
// the name's check ran left it unchecked ("…") for good.
func TestNewBucketNameIsCheckedAfterLeavingQuickly(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, deps, 80, 24)
	pickDemoUpToDestBucket(t, d)
	d.press("enter", "esc")
	d.waitFor("Destination bucket in", "› + new bucket")
	time.Sleep(300 * time.Millisecond) // the first check was due meanwhile
	d.press("enter")
	if screen, ok := d.waitBriefly(3*time.Second, simcloud.DemoSourceBucket+"-replica is free"); !ok {
		t.Errorf("the name was not checked; the screen is:\n%s", screen)
	}
	d.finish("ctrl+c")
}

// TestKeyListFollowsANewDestinationBucket: after choosing another destination bucket,
// the key list starts on that bucket's key, as after choosing another Region.
func TestKeyListFollowsANewDestinationBucket(t *testing.T) {
	deps, cloud := demoDeps(t, steps.DefaultDemoScenario)
	key, err := cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoDestAccount, Region: simcloud.DemoDestRegion, Alias: "alias/other-replica", Description: "other"})
	must(t, err)
	backup, err := cloud.Open(context.Background(), simcloud.DemoDestProfile)
	must(t, err)
	ctx, other := context.Background(), "acme-backup-other"
	must(t, backup.CreateBucket(ctx, simcloud.DemoDestRegion, other))
	must(t, backup.PutBucketVersioning(ctx, simcloud.DemoDestRegion, other))
	must(t, backup.PutBucketEncryption(ctx, simcloud.DemoDestRegion, other, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN}))

	d := startWizard(t, deps, 80, 24)
	pickDemoUpToDestBucket(t, d)
	d.press("/")
	d.typeText(simcloud.DemoDestBucket)
	d.waitFor("› " + simcloud.DemoDestBucket)
	d.press("enter")
	d.waitFor("› " + simcloud.DemoReplicaKey)
	d.press("enter")
	d.waitFor("Replication rule")
	d.press("esc", "esc")
	d.waitFor("Destination bucket in")
	d.press("/", "ctrl+u")
	d.typeText(other)
	d.waitFor("› "+other, "versioning")
	d.press("enter")
	if screen, ok := d.waitBriefly(2*time.Second, "› alias/other-replica"); !ok {
		t.Errorf("the key list does not start on %s's key:\n%s", other, screen)
	}
	d.finish("ctrl+c")
}

// TestRefreshKeepsTheKeyCursor: r on the key list put the cursor back on the bucket's
// key.
func TestRefreshKeepsTheKeyCursor(t *testing.T) {
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, deps, 80, 24)
	pickDemoUpToDestBucket(t, d)
	d.press("down", "enter")
	d.waitFor("› " + simcloud.DemoReplicaKey)
	d.press("up")
	d.waitFor("› + create a new key")
	d.press("r")
	time.Sleep(300 * time.Millisecond)
	if screen, ok := d.waitBriefly(time.Second, "› + create a new key"); !ok {
		t.Errorf("the cursor moved:\n%s", screen)
	}
	d.finish("ctrl+c")
}
