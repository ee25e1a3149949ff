package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
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

// verifyWizard is the wizard on the status panel over stack, with a scripted panel.
func verifyWizard(t *testing.T, stack ...pageID) (*Wizard, *verifyPage) {
	t.Helper()
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.jumpTo(stack...)
	vp := w.pages[pageVerify].(*verifyPage)
	vp.panel = NewVerifyPanel(context.Background(), scripted(complete)).Embedded(w.s.theme)
	vp.setSize(w.s.width, w.s.height)
	return w, vp
}

var toReview = []pageID{pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview}

// TestVerifyPageWatchesThenGoesBack: q while watching stops the watch, not the
// wizard; a late observation does not replace the outcome; v tests again once it is
// over; esc goes back to the review, which plans again.
func TestVerifyPageWatchesThenGoesBack(t *testing.T) {
	w, vp := verifyWizard(t, append(toReview, pageVerify)...)
	w.Update(verifyUpdateMsg{report: pending})
	if _, cmd := w.Update(keyPress("q")); cmd != nil && isQuit(cmd) {
		t.Fatal("q while watching quit the wizard")
	}
	if vp.panel.ctx.Err() == nil || w.s.current != pageVerify {
		t.Fatal("q did not stop the watch, or left the panel")
	}
	w.Update(verifyDoneMsg{report: complete})
	w.Update(verifyUpdateMsg{report: pending}) // late
	if view := ansi.Strip(w.View().Content); !strings.Contains(view, "COMPLETED after 9s") || strings.Contains(view, "PENDING ·") {
		t.Fatalf("the outcome is not shown:\n%s", view)
	}
	w.Update(keyPress("k"))
	if !vp.panel.Finished() {
		t.Fatal("k did not keep the test object")
	}
	before := vp.panel
	w.Update(keyPress("v"))
	if vp.panel.Finished() || vp.panel.ctx == before.ctx {
		t.Fatal("v did not start a new test")
	}
	w.Update(keyPress("esc"))
	if w.s.current != pageVerify {
		t.Fatal("esc left the panel while it watches")
	}
	w.Update(verifyDoneMsg{report: complete})
	w.Update(keyPress("k"))
	w.Update(keyPress("esc"))
	if w.s.current != pageReview {
		t.Fatalf("esc went to %s", w.s.current)
	}
	if view := ansi.Strip(w.View().Content); !strings.Contains(view, "planning the changes") {
		t.Fatalf("the review does not plan again:\n%s", view)
	}
}

// TestVerifyPageBackToTheApply: esc from a test started after the apply shows the
// apply as it ended, without applying again.
func TestVerifyPageBackToTheApply(t *testing.T) {
	w, _ := verifyWizard(t, append(toReview, pageApply, pageVerify)...)
	apply := w.pages[pageApply].(*applyPage)
	apply.started, apply.done, apply.status = true, true, map[string]changeStatus{}
	w.Update(verifyDoneMsg{report: complete})
	w.Update(keyPress("k"))
	if _, cmd := w.Update(keyPress("esc")); cmd != nil {
		t.Fatal("going back to the apply started work")
	}
	if w.s.current != pageApply || !apply.done {
		t.Fatalf("on %s, apply done %v", w.s.current, apply.done)
	}
	if view := ansi.Strip(w.View().Content); !strings.Contains(view, "✓ Applied 0 changes.") {
		t.Fatalf("the apply's outcome is not shown:\n%s", view)
	}
}

// TestApplyPageFollowsTheTypedPhases: the journal's path, each change's phases, and
// the result settling every change; a result of another run is dropped.
func TestApplyPageFollowsTheTypedPhases(t *testing.T) {
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.jumpTo(append(toReview, pageApply)...)
	apply := w.pages[pageApply].(*applyPage)
	changes := []steps.Change{{ID: "a", Title: "First change"}, {ID: "b", Title: "Second change"}, {ID: "c", Title: "Third change"}}
	apply.started, apply.changes, apply.status = true, changes, map[string]changeStatus{}
	_, id := w.s.tasks.start(slot{kind: taskApply}, pageApply)
	view := func() string { return ansi.Strip(w.View().Content) }

	w.Update(journalOpenedMsg{path: "~/journal/apply.jsonl"})
	w.Update(applyProgressMsg{change: changes[0], phase: steps.PhaseBegin})
	if v := view(); !strings.Contains(v, "Applying 3 changes · journal ~/journal/apply.jsonl") || !strings.Contains(v, "· Second change") {
		t.Fatalf("while applying:\n%s", v)
	}
	w.Update(applyProgressMsg{change: changes[0], phase: steps.PhaseDone})
	w.Update(applyDoneMsg{task: taskID{slot: id.slot, n: id.n + 1}}) // another run's
	if apply.done {
		t.Fatal("a result of another run was taken")
	}
	failed := changes[1]
	result := steps.ApplyResult{Applied: changes[:1], Failed: &failed, NotApplied: changes[2:]}
	w.Update(applyDoneMsg{task: id, result: result, journal: "~/journal/apply.jsonl", err: &steps.ApplyError{Result: result, Err: errors.New("refused by AWS")}})
	v := view()
	for _, want := range []string{"✓ First change", "✗ Second change", "refused by AWS", "- Third change (not applied)", "Stopped:", "r plan again"} {
		if !strings.Contains(v, want) {
			t.Fatalf("%q is missing:\n%s", want, v)
		}
	}
	if w.Applied() || apply.writing() {
		t.Fatal("a failed apply counts as applied, or as still writing")
	}
}

// TestProfilePageActions: a page alone, without the wizard: enter on a profile still
// being resolved waits (no action) and goes on when the identity comes; a failed
// one stays with its error.
func TestProfilePageActions(t *testing.T) {
	s := newShared(fakeDeps(newFakes(1)), newTasks(context.Background()))
	s.current = pageSourceProfile
	p := newSourceProfilePage(s).(*profilePage)
	p.setSize(80, 19)
	p.update(profilesMsg{profiles: []string{"dst", "src"}}) // not this run's: dropped
	if s.profiles != nil {
		t.Fatal("a result of no task was taken")
	}
	_, id := s.tasks.start(slot{kind: taskProfiles}, pageSourceProfile)
	if a, cmd := p.update(profilesMsg{task: id, profiles: []string{"dst", "src"}}); a != stay || cmd == nil {
		t.Fatalf("the list arrived: %+v, resolve %v", a, cmd != nil)
	}
	p.list.selectValue("src")
	a, cmd := p.update(keyPress("enter"))
	if a != stay || cmd == nil || p.pending == nil {
		t.Fatalf("enter before the identity: %+v, pending %v", a, p.pending)
	}
	identity := cmd().(identityMsg)
	if a, _ := p.update(identity); a != goTo(pageSourceBucket) || !s.source.chosen || s.source.profile != "src" {
		t.Fatalf("the identity came: %+v, source %+v", a, s.source)
	}
	if !strings.Contains(ansi.Strip(p.view()), "account 111111111111") {
		t.Fatalf("the view:\n%s", ansi.Strip(p.view()))
	}
	if a, _ := p.update(keyPress("enter")); a != goTo(pageSourceBucket) {
		t.Fatalf("enter on a resolved profile: %+v", a)
	}
}

// TestLeavingAPageCancelsItsReads: the reads a page started end when esc leaves it.
func TestLeavingAPageCancelsItsReads(t *testing.T) {
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.jumpTo(pageSourceProfile, pageSourceBucket)
	ctx, _ := w.s.tasks.start(slot{taskBuckets, "src"}, pageSourceBucket)
	w.Update(keyPress("esc"))
	if w.s.current != pageSourceProfile || ctx.Err() == nil {
		t.Fatalf("on %s, the listing's context %v", w.s.current, ctx.Err())
	}
}
