package ui

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// Keys pressed faster than the wizard reads AWS, and lists read again with r: each
// test failed on the wizard before these were fixed (a review found them). They
// drive the pages directly: a list "still being read" is a result the test holds.

func demoPages(t *testing.T, width, height int) (*pageDriver, *simcloud.Cloud) {
	t.Helper()
	deps, cloud := demoDeps(t, steps.DefaultDemoScenario)
	return drivePages(t, deps, width, height), cloud
}

// choose filters the list to text and chooses the match.
func (d *pageDriver) choose(text string) {
	d.press("/")
	d.typeText(text)
	d.press("enter")
}

// pickDemoSource chooses the demo's source profile and bucket.
func (d *pageDriver) pickDemoSource() {
	d.t.Helper()
	d.choose(simcloud.DemoSourceProfile)
	d.on(pageSourceBucket)
	d.expect(simcloud.DemoLogsBucket)
	d.choose(simcloud.DemoSourceBucket)
	d.on(pageDestProfile)
	d.expect("› " + simcloud.DemoDestProfile)
}

// pickDemoUpToDestBucket goes on to the destination's bucket list, with the demo's
// destination profile and Region.
func (d *pageDriver) pickDemoUpToDestBucket() {
	d.t.Helper()
	d.pickDemoSource()
	d.press("enter")
	d.on(pageDestRegion)
	d.expect("› "+simcloud.DemoDestRegion, "the profile's Region")
	d.press("enter")
	d.on(pageDestBucket)
	d.expect(simcloud.DemoDestBucket, "› + new bucket")
}

func isMsg[M tea.Msg](msg tea.Msg) bool {
	_, ok := msg.(M)
	return ok
}

// TestRefreshOnDestProfilesKeepsTheSourceAccount: r on the destination profiles
// forgot the source account too, and a later step dereferenced it (a panic).
func TestRefreshOnDestProfilesKeepsTheSourceAccount(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.pickDemoSource()
	d.press("r")
	d.expect("› "+simcloud.DemoDestProfile, "account "+simcloud.DemoDestAccount)
	d.press("enter", "enter")
	d.press("down")
	d.elapse()
	d.expect("› "+simcloud.DemoDestBucket, "versioning")
	d.press("enter")
	d.expect("› " + simcloud.DemoReplicaKey)
	d.press("enter")
	d.expect("Replication rule", simcloud.DemoExistingRole)
	d.press("enter")
	d.on(pageReview)
	d.expect("Review · 4 changes to make")
}

// TestProfileCursorStaysWhereTheUserMovedIt: back on the source profiles, the cursor
// jumped back to the profile chosen before once the next one was resolved.
func TestProfileCursorStaysWhereTheUserMovedIt(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.expect("› "+simcloud.DemoSourceProfile, "account "+simcloud.DemoSourceAccount)
	d.press("enter")
	d.expect(simcloud.DemoLogsBucket)
	d.press("esc")
	d.expect("Source: which AWS profile", "› "+simcloud.DemoSourceProfile)
	d.press("up")
	d.elapse() // the highlighted profile is resolved once the cursor rests
	d.expect("account "+simcloud.DemoDestAccount, "› "+simcloud.DemoDestProfile)
	d.press("enter")
	d.on(pageSourceBucket)
	d.expect("Source bucket · profile " + simcloud.DemoDestProfile)
}

// TestRefreshKeepsTheSourceProfileCursor: r on the first screen put the cursor back on
// the suggested profile.
func TestRefreshKeepsTheSourceProfileCursor(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.expect("› "+simcloud.DemoSourceProfile, "account "+simcloud.DemoSourceAccount)
	d.press("up")
	d.elapse()
	d.expect("› "+simcloud.DemoDestProfile, "account "+simcloud.DemoDestAccount)
	d.press("r")
	d.expect("› " + simcloud.DemoDestProfile)
}

// TestSourceBucketIsNotChosenFromThePreviousProfilesList: enter on a bucket list still
// loading chose a bucket of the previous profile's list, unseen.
func TestSourceBucketIsNotChosenFromThePreviousProfilesList(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.press("enter")
	d.elapse()
	d.expect(simcloud.DemoLogsBucket, "versioning")
	d.press("esc", "up")
	d.elapse()
	d.expect("› " + simcloud.DemoDestProfile + "  account " + simcloud.DemoDestAccount)
	d.hold(isMsg[bucketsMsg])
	d.press("enter", "enter")
	d.on(pageSourceBucket) // enter on the loading list chose nothing
	d.release()
	d.on(pageSourceBucket)
	d.expect("Source bucket · profile " + simcloud.DemoDestProfile)
}

// TestKeyIsNotChosenFromThePreviousRegionsList: after a key list in one Region, enter
// on the next Region's list while it loaded chose a key of the first Region.
func TestKeyIsNotChosenFromThePreviousRegionsList(t *testing.T) {
	d, _ := demoPages(t, 120, 40)
	d.pickDemoUpToDestBucket()
	d.press("down", "enter")
	d.expect("Replica key in "+simcloud.DemoDestRegion, "› "+simcloud.DemoReplicaKey)
	d.press("esc", "esc")
	d.on(pageDestRegion)
	d.choose(simcloud.DemoOtherRegion)
	d.expect("Destination bucket in "+simcloud.DemoOtherRegion, simcloud.DemoOtherRegionBucket)
	d.press("down")
	d.elapse()
	d.expect("› "+simcloud.DemoOtherRegionBucket, "versioning")
	d.hold(isMsg[kmsKeysMsg])
	d.press("enter", "enter")
	d.on(pageReplicaKey) // enter on the loading key list chose nothing
	d.release()
	d.expect("Replica key in " + simcloud.DemoOtherRegion)
}

// TestNewBucketNameIsCheckedAfterLeavingQuickly: leaving the new-bucket screen before
// the name's check ran left it unchecked ("…") for good.
func TestNewBucketNameIsCheckedAfterLeavingQuickly(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.pickDemoUpToDestBucket()
	d.press("enter")
	d.on(pageNewBucket)
	d.press("esc")
	d.expect("Destination bucket in", "› + new bucket")
	d.elapse() // the first check was due meanwhile
	d.press("enter")
	d.elapse()
	d.expect(simcloud.DemoSourceBucket + "-replica is free")
}

// TestKeyListFollowsANewDestinationBucket: after choosing another destination bucket,
// the key list starts on that bucket's key, as after choosing another Region.
func TestKeyListFollowsANewDestinationBucket(t *testing.T) {
	d, cloud := demoPages(t, 80, 24)
	key, err := cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoDestAccount, Region: simcloud.DemoDestRegion, Alias: "alias/other-replica", Description: "other"})
	must(t, err)
	backup, err := cloud.Open(context.Background(), simcloud.DemoDestProfile)
	must(t, err)
	ctx, other := context.Background(), "acme-backup-other"
	must(t, backup.CreateBucket(ctx, simcloud.DemoDestRegion, other))
	must(t, backup.PutBucketVersioning(ctx, simcloud.DemoDestRegion, other))
	must(t, backup.PutBucketEncryption(ctx, simcloud.DemoDestRegion, other, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN}))

	d.pickDemoUpToDestBucket()
	d.choose(simcloud.DemoDestBucket)
	d.expect("› " + simcloud.DemoReplicaKey)
	d.press("enter")
	d.on(pageRule)
	d.press("esc", "esc")
	d.on(pageDestBucket)
	d.press("/", "ctrl+u")
	d.typeText(other)
	d.elapse()
	d.expect("› "+other, "versioning")
	d.press("enter")
	d.on(pageReplicaKey)
	d.expect("› alias/other-replica")
}

// TestRefreshKeepsTheKeyCursor: r on the key list put the cursor back on the bucket's
// key.
func TestRefreshKeepsTheKeyCursor(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.pickDemoUpToDestBucket()
	d.press("down", "enter")
	d.expect("› " + simcloud.DemoReplicaKey)
	d.press("up")
	d.expect("› + create a new key")
	d.press("r")
	d.expect("› + create a new key")
}
