package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// Steps 5 and 6: review the plan, apply it, save the setup.

func (w *Wizard) accountsForSetup() steps.Accounts {
	return steps.Accounts{Source: w.accounts[w.src.profile].acc, Destination: w.accounts[w.dst.profile].acc}
}

func (w *Wizard) enterReview() tea.Cmd {
	w.review.plan, w.review.err, w.review.cursor, w.review.confirming = nil, nil, 0, false
	w.save = saveState{input: w.save.input}
	ctx, id := w.tasks.start("plan", scrReview)
	return makePlan(ctx, id, w.accountsForSetup(), w.review.setup)
}

func (w *Wizard) onPlan(msg planMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.review.plan, w.review.err = msg.plan, msg.err
	if msg.plan != nil {
		if len(msg.plan.Pending()) == 0 && len(msg.plan.Blockers) > 0 {
			w.review.cursor = len(msg.plan.Changes) // nothing to show but what will fail
		}
		for i, c := range msg.plan.Changes {
			if c.Pending() {
				w.review.cursor = i
				break
			}
		}
	}
	w.layout()
	w.showDiff()
	return nil
}

// reviewEntries counts the rows of the change list: the changes, then the notes.
func (w *Wizard) reviewEntries() int {
	plan := w.review.plan
	if plan == nil {
		return 0
	}
	return len(plan.Changes) + len(planNotes(plan))
}

// planNote is a row after the changes: what will still fail, or what is good to know.
type planNote struct {
	row      string // the row in the list
	pane     string // the pane's title
	lines    []string
	blocking bool // drawn as an error with ✗, else as a warning with !
}

func planNotes(plan *steps.Plan) []planNote {
	var notes []planNote
	if n := len(plan.Blockers); n > 0 {
		notes = append(notes, planNote{row: fmt.Sprintf("Will fail even after the apply (%d)", n), pane: "will fail", lines: plan.Blockers, blocking: true})
	}
	if n := len(plan.Warnings); n > 0 {
		notes = append(notes, planNote{row: fmt.Sprintf("Good to know (%d)", n), pane: "warnings", lines: plan.Warnings})
	}
	return notes
}

// style is the note's colour: red for what will fail, else yellow; symbol begins
// its row and each of its lines.
func (n planNote) style(th Theme) (lipgloss.Style, string) {
	if n.blocking {
		return th.Error, "✗ "
	}
	return th.Warning, "! "
}

func (n planNote) mark(th Theme) string {
	style, symbol := n.style(th)
	return style.Render(symbol)
}

// title is the note's row in the list.
func (n planNote) title(th Theme) string {
	style, symbol := n.style(th)
	return style.Render(symbol + n.row)
}

func (w *Wizard) reviewListRows(height int) int {
	return min(w.reviewEntries(), max(3, height/3))
}

func (w *Wizard) layoutReview(width, height int) {
	w.review.diff.SetHeight(max(3, height-1-w.reviewListRows(height)-1-1))
	if width != w.review.diff.Width() {
		w.review.diff.SetWidth(width)
		w.fillPane()
	}
}

// showDiff puts the selected change's diff, or the warnings, into the pane. It runs
// when the selection changes, not per frame: a diff of large policies is costly.
func (w *Wizard) showDiff() {
	w.fillPane()
	w.review.diff.GotoTop()
}

// fillPane sets the pane's content with its long lines already cut to the pane's
// width: the viewport's own SoftWrap measures every line of the content on every
// frame, and a 20 KB diff made that most of a frame's cost.
func (w *Wizard) fillPane() {
	plan := w.review.plan
	if plan == nil {
		w.review.diff.SetContent("")
		return
	}
	content := entryContent(w.theme, plan, w.review.cursor, w.review.diff.Width())
	w.review.diff.SetContentLines(cutLines(content, w.review.diff.Width()))
}

// cutLines splits text into lines no wider than width, cutting the wider ones into
// pieces as the viewport's SoftWrap does; a wide character that would straddle a cut
// starts the next piece (SoftWrap let it overflow the pane).
func cutLines(s string, width int) []string {
	lines := strings.Split(s, "\n")
	if width <= 0 {
		return lines
	}
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		for ansi.StringWidth(line) > width {
			piece := ansi.Truncate(line, width, "")
			cut := ansi.StringWidth(piece)
			if cut == 0 {
				break // a character wider than the pane: it stays whole
			}
			out = append(out, piece)
			line = ansi.TruncateLeft(line, cut, "")
		}
		out = append(out, line)
	}
	return out
}

// entryContent is what the pane shows for row i: a change's diff, or a note's lines
// wrapped at words to width.
func entryContent(th Theme, plan *steps.Plan, i, width int) string {
	if i >= len(plan.Changes) {
		note := planNotes(plan)[i-len(plan.Changes)]
		mark := note.mark(th)
		var b strings.Builder
		for _, line := range note.lines {
			wrapped := ansi.Wrap(line, max(10, width-2), "")
			b.WriteString(mark + strings.ReplaceAll(wrapped, "\n", "\n  ") + "\n")
		}
		return b.String()
	}
	c := plan.Changes[i]
	switch {
	case c.After == "":
		return th.Muted.Render("no document")
	case !c.Pending():
		return th.Muted.Render("No change; the document stays:\n" + c.After)
	}
	return ColorDiff(UnifiedDiff(c.ID, c.Before, c.After))
}

func (w *Wizard) reviewKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.keys
	if w.review.confirming {
		w.review.confirming = false
		if key.Matches(msg, k.Yes) {
			return w.goTo(scrApply)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return w.goTo(scrRule)
	case key.Matches(msg, k.Refresh):
		return w.enterReview()
	case w.review.plan == nil:
		return nil
	case key.Matches(msg, k.Up):
		w.selectEntry(w.review.cursor - 1)
	case key.Matches(msg, k.Down):
		w.selectEntry(w.review.cursor + 1)
	case key.Matches(msg, k.ScrollDown):
		w.review.diff.PageDown()
	case key.Matches(msg, k.ScrollUp):
		w.review.diff.PageUp()
	case key.Matches(msg, k.Save):
		return w.startSave()
	case key.Matches(msg, k.Verify):
		return w.startVerify()
	case key.Matches(msg, k.Apply):
		if len(w.review.plan.Pending()) == 0 {
			w.notice = "nothing to apply: the setup is already in place"
			return nil
		}
		w.review.confirming = true
	}
	return nil
}

func (w *Wizard) selectEntry(i int) {
	if i < 0 || i >= w.reviewEntries() || i == w.review.cursor {
		return
	}
	w.review.cursor = i
	w.showDiff()
}

func (w *Wizard) reviewBody() string {
	th := w.theme
	plan, width, height := w.review.plan, w.width, w.bodyHeight()
	switch {
	case w.review.err != nil:
		return th.Heading.Render("Review") + "\n" + renderError(th, w.review.err, width) + "\n\n" +
			th.Muted.Render("Nothing was changed. esc to change your choices · r plan again")
	case plan == nil:
		return th.Heading.Render("Review") + "\n" + w.spinnerLine("reading both accounts and planning the changes…")
	}
	pending := len(plan.Pending())
	title := th.Heading.Render(fmt.Sprintf("Review · %s to make, in this order", plural(pending, "change"))) +
		th.Muted.Render(" · nothing is written until you apply")
	switch {
	case pending == 0 && len(plan.Blockers) > 0:
		title = th.Error.Render("Replication will fail,") + " for a reason s3repl cannot change (below). v tests it."
	case pending == 0:
		title = th.OK.Render("Nothing to change:") + " the setup is already in place. v tests it with an object."
	case len(plan.Blockers) > 0: // this matters more than that nothing is written yet
		title = th.Heading.Render(fmt.Sprintf("Review · %s to make", plural(pending, "change"))) +
			th.Error.Render(" · replication will still fail: see ✗ below")
	}
	rows := w.reviewListRows(height)
	offset := max(0, min(w.review.cursor-rows+1, w.reviewEntries()-rows))
	var lines []string
	for i := offset; i < offset+rows && i < w.reviewEntries(); i++ {
		lines = append(lines, w.entryLine(plan, i, width))
	}
	return title + "\n" + strings.Join(lines, "\n") + "\n" + w.paneRule(plan, width) + "\n" +
		w.review.diff.View() + "\n" + w.reviewFooter()
}

func (w *Wizard) entryLine(plan *steps.Plan, i, width int) string {
	th := w.theme
	marker := "  "
	if i == w.review.cursor {
		marker = th.Cursor.Render("› ")
	}
	if i >= len(plan.Changes) {
		note := planNotes(plan)[i-len(plan.Changes)]
		return marker + note.title(th)
	}
	c := plan.Changes[i]
	where := fmt.Sprintf("%s %s · %s", c.Side, c.Account, c.Region)
	var line string
	if c.Pending() {
		line = marker + actionStyle(c.Action).Render(fmt.Sprintf("%-6s", c.Action)) + " " + c.Title + "  " + th.Muted.Render(where)
	} else {
		line = marker + th.Muted.Render("  =    "+c.Title+" (no change)")
	}
	return ansi.Truncate(line, width, "…")
}

// paneRule heads the diff pane with what it shows and how far it is scrolled.
func (w *Wizard) paneRule(plan *steps.Plan, width int) string {
	var label string
	if i := w.review.cursor; i < len(plan.Changes) {
		label = plan.Changes[i].Resource
	} else if notes := planNotes(plan); i-len(plan.Changes) < len(notes) {
		label = notes[i-len(plan.Changes)].pane
	}
	pos := fmt.Sprintf(" %3.0f%% ", w.review.diff.ScrollPercent()*100)
	text := "── " + label + " "
	fill := max(0, width-ansi.StringWidth(text)-len(pos))
	return w.theme.Muted.Render(ansi.Truncate(text, width-len(pos), "…") + strings.Repeat("─", fill) + pos)
}

func (w *Wizard) reviewFooter() string {
	th := w.theme
	if w.review.confirming {
		who := w.accounts[w.src.profile].id.AccountID
		if dst := w.accounts[w.dst.profile].id.AccountID; dst != who {
			who += " and " + dst
		}
		return th.Warning.Render(fmt.Sprintf("Apply %s in account %s? ", plural(len(w.review.plan.Pending()), "change"), who)) + "y apply · n not yet"
	}
	return w.saveLine()
}

func (w *Wizard) enterApply() tea.Cmd {
	plan := w.review.plan
	w.apply = applyState{changes: plan.Pending(), status: map[string]changeStatus{}, progress: make(chan applyProgressMsg, 16)}
	ctx, id := w.tasks.start("apply", scrApply)
	return tea.Batch(runApply(ctx, id, w.accountsForSetup(), plan, w.deps.Journal, w.apply.progress), nextProgress(w.apply.progress))
}

func (w *Wizard) onApplyProgress(msg applyProgressMsg) tea.Cmd {
	switch {
	case msg.phase == "journal":
		w.apply.journal = msg.journal
	case !w.apply.done:
		w.apply.status[msg.change.ID] = changeStatus{phase: msg.phase, err: msg.err}
	}
	return nextProgress(w.apply.progress)
}

// onApplyDone settles every change from the result, whatever progress reports are
// still on their way.
func (w *Wizard) onApplyDone(msg applyDoneMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.apply.done, w.apply.journal, w.apply.err = true, msg.journal, msg.err
	for _, c := range msg.result.Applied {
		w.apply.status[c.ID] = changeStatus{phase: "done"}
	}
	if f := msg.result.Failed; f != nil {
		var applyErr *steps.ApplyError
		cause := msg.err
		if errors.As(msg.err, &applyErr) {
			cause = applyErr.Err
		}
		w.apply.status[f.ID] = changeStatus{phase: "failed", err: cause}
	}
	for _, c := range msg.result.NotApplied {
		w.apply.status[c.ID] = changeStatus{phase: "skipped"}
	}
	return nil
}

func (w *Wizard) applyKey(msg tea.KeyPressMsg) tea.Cmd {
	if !w.apply.done {
		return nil
	}
	switch {
	case key.Matches(msg, w.keys.Save):
		return w.startSave()
	case w.Applied() && key.Matches(msg, w.keys.Verify):
		return w.startVerify()
	case w.apply.err != nil && key.Matches(msg, w.keys.Retry):
		return w.goTo(scrReview)
	}
	return nil
}

func (w *Wizard) applyBody() string {
	th := w.theme
	a := w.apply
	title := th.Heading.Render("Applying " + plural(len(a.changes), "change"))
	if a.done {
		title = th.Heading.Render("Apply")
	}
	if a.journal != "" {
		title += th.Muted.Render(" · journal " + a.journal)
	}
	lines := []string{title}
	for _, c := range a.changes {
		lines = append(lines, w.applyLine(c, a.status[c.ID]))
	}
	lines = append(lines, "", wrapText(w.applyOutcome(), w.width), w.saveLine())
	return strings.Join(lines, "\n")
}

func (w *Wizard) applyLine(c steps.Change, st changeStatus) string {
	th := w.theme
	switch st.phase {
	case "begin":
		return w.spinnerLine(c.Title)
	case "done":
		return th.OK.Render("✓ ") + c.Title
	case "failed":
		return th.Error.Render("✗ ") + c.Title + "\n" + indent(renderErrorText(th, st.err, w.width-2), "  ")
	case "skipped":
		return th.Muted.Render("- " + c.Title + " (not applied)")
	}
	return th.Muted.Render("· " + c.Title)
}

func (w *Wizard) applyOutcome() string {
	th := w.theme
	a := w.apply
	switch {
	case !a.done:
		return th.Muted.Render("Each resource is read again before it is written; the journal records every write.")
	case a.err != nil && a.status[failedID(a)].phase != "failed":
		return renderError(th, a.err, w.width)
	case a.err != nil:
		return th.Error.Render("Stopped: ") + "the changes after the failed one were not applied. Fix the cause, then r to plan again: it plans only what is still missing."
	}
	return th.OK.Render("✓ Applied "+plural(len(a.changes), "change")+".") + " v uploads a test object and watches it replicate; " +
		"s saves the setup for `s3repl verify|doctor -f FILE`."
}

func failedID(a applyState) string {
	for id, st := range a.status {
		if st.phase == "failed" {
			return id
		}
	}
	return ""
}

func (w *Wizard) startSave() tea.Cmd {
	if w.save.input.Value() == "" {
		w.save.input.SetValue(fmt.Sprintf("s3repl-%s-to-%s.yaml", w.src.bucket.Name, w.dst.bucket.Name))
		w.save.input.CursorEnd()
	}
	w.save.editing, w.save.err = true, nil
	return w.save.input.Focus()
}

func (w *Wizard) saveKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, w.keys.Back):
		w.save.editing = false
		w.save.input.Blur()
		return nil
	case key.Matches(msg, w.keys.Choose):
		_, id := w.tasks.start("save", w.screen)
		return saveSetup(id, w.save.input.Value(), w.review.setup)
	}
	return w.typeText(msg)
}

func (w *Wizard) onSaved(msg savedMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.save.err = msg.err
	if msg.err == nil {
		w.save.saved, w.save.editing = msg.path, false
		w.save.input.Blur()
	}
	return nil
}

const saveLabel = "Save the setup as "

func (w *Wizard) saveLine() string {
	th := w.theme
	switch {
	case w.save.editing && w.save.err != nil:
		return saveLabel + w.save.input.View() + "\n" + th.Error.Render("✗ ") + w.save.err.Error()
	case w.save.editing:
		return saveLabel + w.save.input.View()
	case w.save.saved != "":
		return th.OK.Render("✓ ") + "saved " + w.save.saved + th.Muted.Render(" · s3repl apply|verify|doctor -f "+w.save.saved)
	}
	return ""
}

// tildePath shows a path under the home directory with ~.
func tildePath(path string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join("~", rel)
	}
	return path
}

// Farewell is what stays printed after the wizard's full-screen view closes: what
// was applied and saved, and what to run next.
func (w *Wizard) Farewell() string {
	var b strings.Builder
	applied := 0
	for _, st := range w.apply.status {
		if st.phase == "done" {
			applied++
		}
	}
	switch {
	case w.apply.status == nil: // no apply began
	case !w.apply.done:
		b.WriteString(StyleWarning.Render("Apply stopped: ") + fmt.Sprintf("%d of %s applied before you quit. ", applied, plural(len(w.apply.changes), "change")) +
			"Run the wizard again, or s3repl apply with the saved setup, to finish: it plans only what is missing.\n")
		if w.apply.journal != "" {
			b.WriteString(StyleMuted.Render("Journal: "+w.apply.journal) + "\n")
		}
	default:
		b.WriteString(ApplySummary(applied, w.apply.journal))
		if w.apply.err != nil {
			b.WriteString(StyleError.Render("error: ") + w.apply.err.Error() + "\n")
		}
	}
	b.WriteString(w.verifyOutcome())
	if w.save.saved != "" {
		b.WriteString("Setup saved to " + w.save.saved + ": run `s3repl verify -f " + w.save.saved + "` to watch a test object replicate.\n")
	}
	return b.String()
}
