package ui

import (
	"context"
	"errors"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
)

// laterPages holds the pages of a bucket listing after the first.
func laterPages(msg tea.Msg) bool {
	b, ok := msg.(bucketsMsg)
	return ok && b.batch.Listed > len(b.batch.Buckets)
}

// TestBucketListShowsTheFirstPageWhileTheRestLoads: 2,500 buckets come in pages of
// 1,000; the first is on screen at once with a running count, the filter works on
// what is listed, enter chooses from it, and the count goes once the last page is in.
// (The list was one ListBuckets call: nothing showed until every bucket was in.)
func TestBucketListShowsTheFirstPageWhileTheRestLoads(t *testing.T) {
	src, dst := newFakes(2_500)
	d := drivePages(t, fakeDeps(src, dst), 80, 24)
	d.hold(laterPages)
	d.choose("src")
	d.on(pageSourceBucket)
	d.expect("1/1,000", "1,000 buckets… loading", "team-000-data-00000")
	d.press("/")
	d.typeText("data-00097")
	d.expect("› team-000-data-00097", "1/1 of 1,000 matching")
	d.release()
	d.expect("› team-000-data-00097", "1/1 of 2,500 matching")
	d.expectNot("loading")
	d.press("esc")
	d.expect("1/2,500")
}

// TestBucketListGoesOnAfterLeavingIt: esc while the pages load stops the listing;
// coming back lists the rest from where it stopped, not from the start again.
func TestBucketListGoesOnAfterLeavingIt(t *testing.T) {
	src, dst := newFakes(2_500)
	d := drivePages(t, fakeDeps(src, dst), 80, 24)
	d.hold(laterPages)
	d.choose("src")
	d.expect("1,000 buckets… loading")
	d.press("esc")
	d.on(pageSourceProfile)
	d.release() // the page left dropped what was under way
	d.press("enter")
	d.on(pageSourceBucket)
	d.expect("1/2,500")
	if n := len(d.w.s.buckets["src"].buckets); n != 2_500 {
		t.Fatalf("%d buckets listed, want 2,500 once each", n)
	}
}

// TestBucketListChoosesWhileLoading: enter on a bucket of the first page goes on at
// once, with the bucket's Region.
func TestBucketListChoosesWhileLoading(t *testing.T) {
	src, dst := newFakes(2_500)
	d := drivePages(t, fakeDeps(src, dst), 80, 24)
	d.hold(laterPages)
	d.choose("src")
	d.expect("1,000 buckets… loading")
	d.press("enter")
	d.on(pageDestProfile)
	if b := d.w.s.source.bucket; b.Name != "team-000-data-00000" || b.Region != "us-east-1" {
		t.Fatalf("chose %+v", b)
	}
}

// TestRegionListNamesEachRegion: the Regions show their names beside their codes,
// as the console does, and the filter finds a Region by its name.
func TestRegionListNamesEachRegion(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.pickDemoSource()
	d.press("enter")
	d.on(pageDestRegion)
	d.expect("› eu-west-1    Europe (Ireland) · the profile's Region", "us-east-1    US East (N. Virginia) · same Region as the source bucket")
	d.press("/")
	d.typeText("frankfurt")
	d.expect("› eu-central-1  Europe (Frankfurt)", "1/1 of")
}

// profilesDeps gives the profiles named, in that order; those in broken fail to open
// with why.
func profilesDeps(names []string, broken map[string]error) Deps {
	src, _ := newFakes(3)
	return Deps{
		Profiles: func() ([]string, error) { return names, nil },
		Open: func(_ context.Context, profile string) (awsops.Account, error) {
			if err := broken[profile]; err != nil {
				return nil, err
			}
			acc := *src
			acc.profile, acc.account = profile, fmt.Sprintf("%012d", len(profile))
			return &acc, nil
		},
	}
}

// TestDestinationProfilesStartOnAWorkingOne: the destination list started on the
// first profile other than the source's, alphabetically, which may be broken; it
// goes on to the first that works, and stays where the user moves it.
func TestDestinationProfilesStartOnAWorkingOne(t *testing.T) {
	broken := map[string]error{
		"a-expired": errors.New("the SSO session of a-expired has expired"),
		"b-nokeys":  errors.New("no credentials for b-nokeys"),
	}
	d := drivePages(t, profilesDeps([]string{"a-expired", "b-nokeys", "backup", "prod"}, broken), 80, 24)
	d.choose("prod")
	d.on(pageSourceBucket)
	d.press("enter")
	d.on(pageDestProfile)
	d.expect("› backup", "✓ account 000000000006")
	d.press("up") // the user's choice of a broken one stands
	d.expect("› b-nokeys")
	d.press("esc", "enter")
	d.expect("› backup")
}

// TestSourceProfilesSayAWSProfileNamesNoProfile: AWS_PROFILE=nosuch was said only
// after the wizard closed; the first page says it.
func TestSourceProfilesSayAWSProfileNamesNoProfile(t *testing.T) {
	deps := profilesDeps([]string{"default", "prod"}, nil)
	deps.SourceProfile = "default"
	deps.ProfileWarning = "AWS_PROFILE=nosuch names no profile of ~/.aws/config or ~/.aws/credentials (the profiles there: default, prod): fix the name or unset AWS_PROFILE"
	d := drivePages(t, deps, 80, 24)
	d.expect("warning: AWS_PROFILE=nosuch names no profile", "fix the name or unset AWS_PROFILE", "› default")
}

// TestProfileErrorsAreShownWhole: with a long profile list, a profile's error and
// its fix were cut at the bottom of an 80x24 screen; the list gives up rows instead.
func TestProfileErrorsAreShownWhole(t *testing.T) {
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprintf("team-%02d", i))
	}
	long := errors.New("expired SSO session: sts:GetCallerIdentity on caller identity (profile team-00)\n  → run `aws sso login --profile team-00` and try again\n" +
		"  get identity: get credentials: failed to refresh cached credentials, refresh cached SSO token failed, cached SSO token is expired, or not present, and cannot be refreshed, as AWS says at the end")
	d := drivePages(t, profilesDeps(names, map[string]error{"team-00": long}), 80, 24)
	d.expect("› team-00", "aws sso login --profile team-00", "as AWS says at the end")
}

// TestListPagesWrapAt80Columns: the key list's note ended "for the reaso…" and a
// refused bucket name "and must b…" at 80 columns; both wrap, and the lists keep
// their count line.
func TestListPagesWrapAt80Columns(t *testing.T) {
	d, _ := demoPages(t, 80, 24)
	d.pickDemoUpToDestBucket()
	d.press("enter")
	d.on(pageNewBucket)
	d.typeText("Bad_Name")
	d.expect("✗ the name may use only lowercase letters", "and must begin and end with a letter or digit")
	d.press("esc")
	d.on(pageDestBucket)
	d.press("down", "enter")
	d.on(pageReplicaKey)
	d.expect("Keys marked ✗ cannot be used, for the reason shown.", "2/5")
}

// kmsBuckets is a fake account whose buckets default to SSE-KMS under a key S3 names
// by ARN, and whose keys have aliases.
type kmsBuckets struct{ *fakeAccount }

const sourceKeyARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func (a kmsBuckets) GetBucketEncryption(context.Context, string, string) (awsops.Encryption, error) {
	return awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: sourceKeyARN, BucketKey: true}, nil
}

func (a kmsBuckets) ListKeys(context.Context, string) ([]awsops.KeyInfo, error) {
	return []awsops.KeyInfo{{KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", ARN: sourceKeyARN, AccountID: "111111111111",
		State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER", Aliases: []string{"alias/orders-data"}}}, nil
}

// TestBucketPanelNamesTheKeyByItsAlias: S3 names a bucket's default key by ARN, and
// the panel showed "key 1234abcd…"; it lists the Region's keys once and shows the
// alias people know the key by.
func TestBucketPanelNamesTheKeyByItsAlias(t *testing.T) {
	src, dst := newFakes(3)
	deps := fakeDeps(src, dst)
	open := deps.Open
	deps.Open = func(ctx context.Context, profile string) (awsops.Account, error) {
		if profile == "src" {
			return kmsBuckets{src}, nil
		}
		return open(ctx, profile)
	}
	d := drivePages(t, deps, 80, 24)
	d.choose("src")
	d.on(pageSourceBucket)
	d.expect("SSE-KMS alias/orders-data, Bucket Key")
	d.expectNot("1234abcd")
}
