package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops/simcloud"
)

// TestApplyStoppedMidwayShowsWhatItDidAndForgetsWhatItChanged: the new bucket's
// name is taken between the review and the apply, so the apply stops after the
// changes before the bucket. The apply page counts what was applied, the review
// planned again does not say "Nothing was changed", the key list read again shows
// the key the apply made, the name check asks again (and finds the name taken), and
// the wizard reports the failure for its exit status.
func TestApplyStoppedMidwayShowsWhatItDidAndForgetsWhatItChanged(t *testing.T) {
	d, cloud := demoPages(t, 80, 24)
	d.pickDemoUpToDestBucket()
	d.press("enter")
	d.on(pageNewBucket)
	d.elapse()
	d.expect("is free")
	name := d.w.pages[pageNewBucket].(*newBucketPage).input.Value()
	d.press("enter")
	d.on(pageReplicaKey)
	d.moveTo("+ create a new key")
	d.press("enter")
	d.on(pageKeyAlias)
	d.elapse()
	d.press("enter")
	d.on(pageRule)
	d.press("enter")
	d.on(pageReview)
	d.expect("changes to make")

	// Someone takes the name meanwhile.
	other, err := cloud.Open(context.Background(), simcloud.DemoSourceProfile)
	must(t, err)
	must(t, other.CreateBucket(context.Background(), simcloud.DemoDestRegion, name))

	d.press("a", "y")
	d.on(pageApply)
	apply := d.w.pages[pageApply].(*applyPage)
	if !apply.done || apply.err == nil || apply.appliedCount() == 0 {
		t.Fatalf("the apply did not stop midway (done %v, err %v, applied %d):\n%s", apply.done, apply.err, apply.appliedCount(), d.screen())
	}
	d.expect("Stopped: ", "applied (✓ above)")
	if !d.w.ApplyFailed() {
		t.Fatal("the wizard would exit 0 after a failed apply")
	}

	d.press("r")
	d.on(pageReview)
	d.expectNot("Nothing was changed")
	d.expect("The apply before made " + plural(apply.appliedCount(), "change"))

	d.press("esc") // the rule
	d.on(pageRule)
	d.press("esc") // the key list (the alias's page is not on the stack), read again
	d.on(pageReplicaKey)
	alias := strings.Fields(d.w.s.replicaKey.label)[0]
	d.expect(alias + "  key ") // listed with its key: made by the apply
	if _, listed := d.w.s.kmsKeyLists[kmsKeyListRef{simcloud.DemoDestProfile, simcloud.DemoDestRegion}]; !listed {
		t.Fatal("the key list was not read again")
	}
	d.press("esc")
	d.on(pageDestBucket)
	d.press("enter")
	d.on(pageNewBucket)
	d.elapse()
	d.expectNot(name + " is free")
	d.expect("exists already")
}

// TestReviewAfterAPartialApplyNamesWhatItMade: a plan that fails after an apply
// that wrote some changes does not say nothing was changed.
func TestReviewAfterAPartialApplyNamesWhatItMade(t *testing.T) {
	w := reviewWizard(t, 80, 24)
	w.s.applied = []string{"Create the replica KMS key", "Create alias alias/x for the replica key"}
	review := w.pages[pageReview].(*reviewPage)
	review.plan, review.err = nil, errors.New("the bucket dst is owned by another account")
	view := ansi.Strip(w.View().Content)
	if strings.Contains(view, "Nothing was changed") || !strings.Contains(view, "The apply before made 2 changes (Create the replica KMS key,") {
		t.Fatalf("the review after a partial apply:\n%s", view)
	}
}
