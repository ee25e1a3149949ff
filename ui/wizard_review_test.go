package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/viewport"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
)

// TestCutLinesShowsWhatSoftWrapShowed: the review pane cuts long lines once, when
// its content or width changes, and must show what the viewport's SoftWrap showed,
// styles and scrolling included.
func TestCutLinesShowsWhatSoftWrapShowed(t *testing.T) {
	long := strings.Repeat(`"arn:aws:s3:::bucket-üé/*", `, 9)
	content := ColorDiff(UnifiedDiff("policy", "{\n  "+long+"\n}", "{\n  "+long+"x\n  \"short\"\n}")) + "\n" +
		StyleMuted.Render("No change; the document stays:\n"+long)
	for _, width := range []int{20, 37, 80} {
		soft := viewport.New(viewport.WithWidth(width), viewport.WithHeight(6))
		soft.SoftWrap = true
		soft.SetContent(content)
		cut := viewport.New(viewport.WithWidth(width), viewport.WithHeight(6))
		cut.SetContentLines(cutLines(content, width))
		for page := 0; ; page++ {
			if got, want := cut.View(), soft.View(); got != want {
				t.Fatalf("width %d, page %d:\n%s\nwant\n%s", width, page, got, want)
			}
			if got, want := cut.ScrollPercent(), soft.ScrollPercent(); got != want {
				t.Fatalf("width %d, page %d: scrolled %v, want %v", width, page, got, want)
			}
			if soft.AtBottom() {
				break
			}
			soft.PageDown()
			cut.PageDown()
		}
	}
}

// TestCutLinesKeepsWideCharactersWhole: no piece is wider than the pane and no
// character is lost where a wide one meets a cut.
func TestCutLinesKeepsWideCharactersWhole(t *testing.T) {
	line := StyleAdded.Render(strings.Repeat("a界", 20))
	pieces := cutLines(line, 8)
	var text strings.Builder
	for _, p := range pieces {
		if w := ansi.StringWidth(p); w > 8 {
			t.Fatalf("piece %q is %d wide", ansi.Strip(p), w)
		}
		if !strings.HasPrefix(p, "\x1b[") {
			t.Fatalf("piece %q lost its colour", p)
		}
		text.WriteString(ansi.Strip(p))
	}
	if text.String() != ansi.Strip(line) {
		t.Fatalf("pieces %q lose text", text.String())
	}
}

// TestApplyQuestionNamesEachAccountOnce: two profiles of one account make one account
// to name, not "X and X".
func TestApplyQuestionNamesEachAccountOnce(t *testing.T) {
	w := reviewWizard(t, 80, 24)
	src, other := newFakes(1)
	other.account = src.account
	w.s.source.profile, w.s.destination.profile = "src", "other"
	w.s.accounts["src"] = accountResult{acc: src, id: awsops.Identity{AccountID: src.account}}
	w.s.accounts["other"] = accountResult{acc: other, id: awsops.Identity{AccountID: other.account}}
	review := w.pages[pageReview].(*reviewPage)
	review.confirming = true
	if got := ansi.Strip(review.footer()); !strings.Contains(got, "in account 111111111111? ") {
		t.Fatalf("the question is %q", got)
	}
}
