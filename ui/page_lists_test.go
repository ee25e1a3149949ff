package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
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
