package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestPageTableNamesEveryStep: the header's steps come from the table, each page
// once, every step with a title.
func TestPageTableNamesEveryStep(t *testing.T) {
	want := []string{"Source", "Destination", "Key", "Rule", "Review", "Apply", "Verify"}
	if got := stepTitles(); !slices.Equal(got, want) {
		t.Fatalf("steps %q, want %q", got, want)
	}
	seen := map[pageID]bool{}
	for _, row := range pageTable {
		if seen[row.id] {
			t.Fatalf("%s is in the table twice", row.id)
		}
		seen[row.id] = true
		if p := row.make(newShared(Deps{}, newTasks(context.Background()))); p == nil {
			t.Fatalf("%s makes no page", row.id)
		}
	}
}

// TestNewBucketNameValidatedAsYouType: a bad name and a name taken by another
// account are refused while typing; a free name passes; esc on the key list then
// goes back to the bucket list, not to the name.
func TestNewBucketNameValidatedAsYouType(t *testing.T) {
	d := drivePages(t, fakeDeps(newFakes(3)), 80, 24)
	d.choose("src")
	d.expect("Source bucket", "versioning")
	d.press("enter", "enter", "enter")
	d.on(pageDestBucket)
	d.press("enter")
	d.on(pageNewBucket)
	d.elapse()
	d.expect("✓ team-000-data-00000-replica is free")
	retype := func(name string) {
		d.press("ctrl+u")
		d.typeText(name)
		d.elapse()
	}
	retype("Bad_Name")
	d.expect("✗ the name may use only lowercase letters")
	retype("someone-elses")
	d.expect("someone-elses exists already (in ap-south-1)")
	d.press("enter")
	d.on(pageNewBucket) // refused
	d.expect("someone-elses exists already (in ap-south-1)")
	retype("fresh-name")
	d.expect("✓ fresh-name is free")
	d.press("enter")
	d.on(pageReplicaKey)
	if d.w.s.destination.bucket.Name != "fresh-name" || !d.w.s.newBucket {
		t.Fatalf("destination %+v, new %v", d.w.s.destination.bucket, d.w.s.newBucket)
	}
	d.expect("→ fresh-name")
	d.press("esc")
	d.on(pageDestBucket)
	d.expect("› + new bucket in")
}

// TestNewBucketNameTypedFasterThanTheCheck: enter before the answer goes on once
// the answer is yes; a late answer for a name since changed is dropped.
func TestNewBucketNameTypedFasterThanTheCheck(t *testing.T) {
	d := drivePages(t, fakeDeps(newFakes(3)), 80, 24)
	d.choose("src")
	d.press("enter", "enter", "enter", "enter")
	d.on(pageNewBucket)
	d.hold(isMsg[nameTakenMsg])
	d.elapse()
	d.expect("asking S3 whether the name is taken")
	d.press("ctrl+u")
	d.typeText("other-name")
	d.release() // the answer for the first name comes late
	d.expect("other-name")
	d.expectNot("is free")
	d.hold(isMsg[nameTakenMsg])
	d.elapse()
	d.press("enter")
	d.on(pageNewBucket) // waits for the answer
	d.release()
	d.on(pageReplicaKey)
}

// TestQuitAsksWhileTheApplyWrites: q while the apply writes asks first; n keeps it
// going, y quits and cancels the apply's work.
func TestQuitAsksWhileTheApplyWrites(t *testing.T) {
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.jumpTo(pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview, pageApply)
	apply := w.pages[pageApply].(*applyPage)
	apply.started = true
	ctx, _ := w.s.tasks.start(slot{kind: taskApply}, pageApply)

	press := func(k string) tea.Cmd { _, cmd := w.Update(keyPress(k)); return cmd }
	if cmd := press("q"); cmd != nil && isQuit(cmd) {
		t.Fatal("q quit while the apply writes")
	}
	if view := ansi.Strip(w.View().Content); !strings.Contains(view, "The apply is still running. Quit and stop it?") {
		t.Fatalf("no question:\n%s", view)
	}
	press("n")
	if ctx.Err() != nil || w.confirmQuit {
		t.Fatal("n stopped the apply")
	}
	press("q")
	if cmd := press("y"); cmd == nil || !isQuit(cmd) {
		t.Fatal("y did not quit")
	}
	if ctx.Err() == nil {
		t.Fatal("quitting did not cancel the apply")
	}
}

// TestHeaderStepsFollowTheStack: the apply step is done only when an apply is under
// the status panel, or fixes were applied from it; testing from the review skips it.
func TestHeaderStepsFollowTheStack(t *testing.T) {
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.windowWidth = 200
	path := []pageID{pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview}
	w.jumpTo(append(path, pageVerify)...)
	if h := ansi.Strip(w.header()); !strings.Contains(h, "✓ Review › 6 Apply › 7 Verify") {
		t.Fatalf("testing from the review: %s", h)
	}
	w.s.stepsDone[rowOf(pageApply).step] = true
	if h := ansi.Strip(w.header()); !strings.Contains(h, "✓ Review › ✓ Apply › 7 Verify") {
		t.Fatalf("fixes applied from the panel: %s", h)
	}
	w.s.stepsDone = map[int]bool{}
	w.jumpTo(append(path, pageApply, pageVerify)...)
	if h := ansi.Strip(w.header()); !strings.Contains(h, "✓ Review › ✓ Apply › 7 Verify") {
		t.Fatalf("after an apply: %s", h)
	}
	w.jumpTo(pageSourceProfile, pageSourceBucket)
	if h := ansi.Strip(w.header()); !strings.Contains(h, "1 Source › 2 Destination") {
		t.Fatalf("on the source bucket: %s", h)
	}
}
