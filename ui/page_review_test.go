package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// reviewDriver drives the review of reviewWizard's plan.
func reviewDriver(t *testing.T, width, height int) *pageDriver {
	t.Helper()
	w := reviewWizard(t, width, height)
	w.spinning = true // no spinner ticks, nor cursor blinks: they wait for real time
	th := NewTheme(true)
	th.Input.Cursor.Blink = false
	w.applyTheme(th)
	return &pageDriver{t: t, w: w}
}

// TestReviewFooterKeepsEveryKeyAt80Columns: ?, esc and q stay on the help line.
func TestReviewFooterKeepsEveryKeyAt80Columns(t *testing.T) {
	d := reviewDriver(t, 80, 24)
	lines := strings.Split(d.screen(), "\n")
	help := lines[len(lines)-1]
	for _, want := range []string{"a apply", "esc back", "? keys", "q quit"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help line lacks %q: %q", want, help)
		}
	}
	if strings.Contains(help, "…") {
		t.Errorf("the help line is cut: %q", help)
	}
}

// TestReviewSaysWhatTheListHides: with more rows than fit, a line counts them and
// names the notes below; a row too narrow for where its change is made shows it in
// the pane's heading, whole.
func TestReviewSaysWhatTheListHides(t *testing.T) {
	d := reviewDriver(t, 80, 24)
	review := d.w.pages[pageReview].(*reviewPage)
	var changes []steps.Change
	for i := range 9 {
		changes = append(changes, steps.Change{ID: fmt.Sprint("c", i), Title: fmt.Sprintf("Change number %d with a title long enough to crowd the row out", i),
			Side: steps.DestinationSide, Account: "222222222222", Region: "eu-west-1", Resource: "arn:aws:s3:::dst", Action: steps.ActionUpdate, Before: "{}", After: "{\"a\":1}"})
	}
	_, task := review.s.tasks.start(slot{kind: taskPlan}, pageReview)
	review.onPlan(planMsg{task: task, plan: &steps.Plan{Changes: changes, Warnings: []string{"the rule changes"}}})
	d.expect("rows 1–6 of 10 · ↓ 4 below, among them Good to know (1)")
	d.expect("destination 222222222222 · eu-west-1 · arn:aws:s3:::dst")
	d.press("G")
	d.press("down", "down", "down", "down", "down", "down", "down", "down", "down")
	d.expect("↑ 4 above", "› ! Good to know (1)")
	d.expectNot("below")
}

// TestSaveErrorsAreShownWhole: a file that exists, or a directory that does not,
// is said whole, wrapped, on the review and on the apply page.
func TestSaveErrorsAreShownWhole(t *testing.T) {
	dir := t.TempDir()
	exists := filepath.Join(dir, "a-setup-file-with-a-long-name-that-exists-already-here.yaml")
	must(t, os.WriteFile(exists, []byte("x"), 0o644))
	missing := filepath.Join(dir, "no-such-directory", "setup.yaml")
	for _, id := range []pageID{pageReview, pageApply} {
		t.Run(string(id), func(t *testing.T) {
			d := reviewDriver(t, 80, 24)
			if id == pageApply {
				d.w.jumpTo(append(toReview, pageApply)...)
				apply := d.w.pages[pageApply].(*applyPage)
				apply.started, apply.done = true, true
			}
			d.press("s", "ctrl+u")
			d.typeText(exists)
			d.press("enter")
			screen := strings.Join(strings.Fields(d.screen()), " ")
			if !strings.Contains(screen, "exists already: choose another name") {
				t.Fatalf("the error is not shown whole:\n%s", d.screen())
			}
			d.press("ctrl+u")
			d.typeText(missing)
			d.press("enter")
			screen = strings.Join(strings.Fields(d.screen()), " ")
			if !strings.Contains(screen, "does not exist: create it, or choose another name") {
				t.Fatalf("the error is not shown whole:\n%s", d.screen())
			}
		})
	}
}

// TestApplyQuestionNamesTwoAccountsInPlural: "accounts X and Y", not "account X and Y".
func TestApplyQuestionNamesTwoAccountsInPlural(t *testing.T) {
	d := reviewDriver(t, 80, 24)
	src, dst := newFakes(1)
	d.w.s.source.profile, d.w.s.destination.profile = "src", "dst"
	d.w.s.accounts["src"] = accountResult{acc: src, id: awsops.Identity{AccountID: src.account}}
	d.w.s.accounts["dst"] = accountResult{acc: dst, id: awsops.Identity{AccountID: dst.account}}
	d.press("a")
	d.expect("Apply 2 changes in accounts " + src.account + " and " + dst.account + "?")
}

// TestFixQuestionNamesTwoAccountsInPlural: the status panel's fixes too.
func TestFixQuestionNamesTwoAccountsInPlural(t *testing.T) {
	got := fixAccounts([]steps.Change{{Account: "111111111111"}, {Account: "222222222222"}, {Account: "111111111111"}})
	if got != "accounts 111111111111 and 222222222222" {
		t.Fatalf("%q", got)
	}
}
