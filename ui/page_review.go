package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// Step 5: every change as a diff, before anything is written.

const pageReview pageID = "review"

type reviewPage struct {
	s          *shared
	plan       *steps.Plan
	err        error
	cursor     int
	diff       viewport.Model
	confirming bool
}

func newReviewPage(s *shared) page { return &reviewPage{s: s, diff: viewport.New()} }

// enter plans again each time the page is shown: coming back from the status panel,
// the test may have shown what to fix.
func (p *reviewPage) enter(bool) tea.Cmd {
	p.plan, p.err, p.cursor, p.confirming = nil, nil, 0, false
	p.s.plan = nil
	p.s.save = saver{input: p.s.save.input}
	ctx, id := p.s.tasks.start(slot{kind: taskPlan}, p.s.current)
	return makePlan(ctx, id, p.s.accountsForSetup(), p.s.setup)
}

func (p *reviewPage) onPlan(msg planMsg) {
	if !p.s.tasks.finish(msg.task) {
		return
	}
	p.plan, p.err = msg.plan, msg.err
	p.s.plan = msg.plan
	if msg.plan != nil {
		if len(msg.plan.Pending()) == 0 && len(msg.plan.Blockers) > 0 {
			p.cursor = len(msg.plan.Changes) // nothing to show but what will fail
		}
		for i, c := range msg.plan.Changes {
			if c.Pending() {
				p.cursor = i
				break
			}
		}
	}
	p.setSize(p.s.width, p.s.height)
	p.showDiff()
}

// entries counts the rows of the change list: the changes, then the notes.
func (p *reviewPage) entries() int {
	if p.plan == nil {
		return 0
	}
	return len(p.plan.Changes) + len(planNotes(p.plan))
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

func (p *reviewPage) listRows(height int) int {
	return min(p.entries(), max(3, height/3))
}

func (p *reviewPage) setSize(width, height int) {
	p.s.save.input.SetWidth(max(10, width-len(saveLabel)-4))
	p.diff.SetHeight(p.paneHeight(width, height))
	if width != p.diff.Width() {
		p.diff.SetWidth(width)
		p.fillPane()
	}
}

// paneHeight is what the title, the list, the pane's heading and the footer leave
// to the pane: each is measured, as a wrapped message or an error takes more lines.
func (p *reviewPage) paneHeight(width, height int) int {
	if p.plan == nil {
		return 3
	}
	used := lineCount(p.title(width)) + p.listRows(height) + lineCount(p.paneHead(width)) + lineCount(p.footer())
	if p.listRows(height) < p.entries() {
		used++ // the scroll indicator
	}
	return max(3, height-used)
}

// relayout sizes the pane again after what changes the lines around it.
func (p *reviewPage) relayout() { p.diff.SetHeight(p.paneHeight(p.s.width, p.s.height)) }

// showDiff puts the selected change's diff, or the warnings, into the pane. It runs
// when the selection changes, not per frame: a diff of large policies is costly.
func (p *reviewPage) showDiff() {
	p.fillPane()
	p.diff.GotoTop()
}

// fillPane sets the pane's content with its long lines already cut to the pane's
// width: the viewport's own SoftWrap measures every line of the content on every
// frame, and a 20 KB diff made that most of a frame's cost.
func (p *reviewPage) fillPane() {
	if p.plan == nil {
		p.diff.SetContent("")
		return
	}
	content := entryContent(p.s.theme, p.plan, p.cursor, p.diff.Width())
	p.diff.SetContentLines(cutLines(content, p.diff.Width()))
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

func (p *reviewPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case planMsg:
		p.onPlan(msg)
		return stay, nil
	case savedMsg:
		defer p.relayout()
		return only(p.s.saveUpdate(msg))
	case tea.PasteMsg:
		if p.s.save.editing {
			return only(p.s.saveUpdate(msg))
		}
	case tea.KeyPressMsg:
		defer p.relayout()
		if p.s.save.editing {
			return only(p.s.saveUpdate(msg))
		}
		return p.key(msg)
	}
	return stay, nil
}

func (p *reviewPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	if p.confirming {
		p.confirming = false
		if key.Matches(msg, b.Yes) {
			return goTo(pageApply), nil
		}
		return stay, nil
	}
	switch {
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case key.Matches(msg, b.Refresh):
		return only(p.enter(false))
	case p.plan == nil:
		return stay, nil
	case key.Matches(msg, b.Up):
		p.selectEntry(p.cursor - 1)
	case key.Matches(msg, b.Down):
		p.selectEntry(p.cursor + 1)
	case key.Matches(msg, b.ScrollDown):
		p.diff.PageDown()
	case key.Matches(msg, b.ScrollUp):
		p.diff.PageUp()
	case key.Matches(msg, b.Save):
		return only(p.s.startSave())
	case key.Matches(msg, b.Verify):
		return goTo(pageVerify), nil
	case key.Matches(msg, b.Apply):
		if len(p.plan.Pending()) == 0 {
			return notice("nothing to apply: the setup is already in place"), nil
		}
		p.confirming = true
	}
	return stay, nil
}

func (p *reviewPage) selectEntry(i int) {
	if i < 0 || i >= p.entries() || i == p.cursor {
		return
	}
	p.cursor = i
	p.relayout()
	p.showDiff()
}

func (p *reviewPage) leave() { p.s.save.input.Blur() }

func (p *reviewPage) typing() bool { return p.s.save.editing }

func (p *reviewPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case p.confirming:
		return keyHelp{short: []key.Binding{b.Yes, b.No}}
	}
	// Short enough for 80 columns, so that ?, esc and q stay on the line.
	short := []key.Binding{withHelp(b.Down, "↑/↓", "select"), withHelp(b.ScrollDown, "pgdn", "scroll"), withHelp(b.Save, "s", "save"), b.Back, b.Help, b.Quit}
	more := []key.Binding{b.Up, b.Down, b.ScrollDown, b.ScrollUp, b.Save, withHelp(b.Refresh, "r", "plan again")}
	if p.plan != nil && len(p.plan.Pending()) == 0 {
		return keyHelp{short: append([]key.Binding{b.Verify}, short...), more: more}
	}
	return keyHelp{short: append([]key.Binding{b.Apply}, short...), more: append(more, withHelp(b.Verify, "v", "test what is in place now"))}
}

func (p *reviewPage) view() string {
	th := p.s.theme
	plan, width, height := p.plan, p.s.width, p.s.height
	switch {
	case p.err != nil:
		return th.Heading.Render("Review") + "\n" + renderError(th, p.err, width) + "\n\n" +
			th.Muted.Render(wrapText(p.nothingChanged()+"esc to change your choices · r plan again", width))
	case plan == nil:
		return th.Heading.Render("Review") + "\n" + p.s.spinnerLine("reading both accounts and planning the changes…")
	}
	rows := p.listRows(height)
	offset := max(0, min(p.cursor-rows+1, p.entries()-rows))
	lines := []string{p.title(width)}
	for i := offset; i < offset+rows && i < p.entries(); i++ {
		lines = append(lines, p.entryLine(i, width))
	}
	if rows < p.entries() {
		lines = append(lines, p.scrollIndicator(offset, rows, width))
	}
	lines = append(lines, p.paneHead(width), p.diff.View(), p.footer())
	return strings.Join(lines, "\n")
}

// nothingChanged says what the plan's failure changed: nothing, unless an apply
// wrote some of its changes before it stopped.
func (p *reviewPage) nothingChanged() string {
	if n := len(p.s.applied); n > 0 {
		return "The apply before made " + plural(n, "change") + " (" + strings.Join(p.s.applied, ", ") + "); planning changed nothing. "
	}
	return "Nothing was changed. "
}

func (p *reviewPage) title(width int) string {
	th, plan := p.s.theme, p.plan
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
	if n := len(p.s.applied); n > 0 && pending > 0 { // after an apply that stopped midway
		title += "\n" + th.Muted.Render("The apply before made "+plural(n, "change")+"; these are what is still missing.")
	}
	return wrapText(title, width)
}

// scrollIndicator says which rows the list shows, and what it hides: the notes
// (what will fail, good to know) are named, as they are easy to miss.
func (p *reviewPage) scrollIndicator(offset, rows, width int) string {
	total := p.entries()
	text := fmt.Sprintf("rows %d–%d of %d", offset+1, min(offset+rows, total), total)
	if offset > 0 {
		text += fmt.Sprintf(" · ↑ %d above", offset)
	}
	if below := total - offset - rows; below > 0 {
		text += fmt.Sprintf(" · ↓ %d below", below)
		var hidden []string
		for i, n := range planNotes(p.plan) {
			if len(p.plan.Changes)+i >= offset+rows {
				hidden = append(hidden, n.row)
			}
		}
		if len(hidden) > 0 {
			text += ", among them " + strings.Join(hidden, " and ")
		}
	}
	return p.s.theme.Muted.Render(wrapText("  "+text, width))
}

// entryLine is a row of the list; what does not fit (where the change is made, or
// the end of a long title) is in the pane's heading when the row is selected.
func (p *reviewPage) entryLine(i, width int) string {
	th, plan := p.s.theme, p.plan
	marker := "  "
	if i == p.cursor {
		marker = th.Cursor.Render("› ")
	}
	if i >= len(plan.Changes) {
		note := planNotes(plan)[i-len(plan.Changes)]
		return marker + note.title(th)
	}
	c := plan.Changes[i]
	var line string
	if c.Pending() {
		line = marker + actionStyle(c.Action).Render(fmt.Sprintf("%-6s", c.Action)) + " " + c.Title
		if where := "  " + changeWhere(c); ansi.StringWidth(line+where) <= width {
			line += th.Muted.Render(where)
		}
	} else {
		line = marker + th.Muted.Render("  =    "+c.Title+" (no change)")
	}
	return ansi.Truncate(line, width, "…")
}

func changeWhere(c steps.Change) string {
	return fmt.Sprintf("%s %s · %s", c.Side, c.Account, c.Region)
}

// paneHead heads the diff pane with what it shows (for a change: its whole title
// if its row cut it, where it is made, the resource) and how far it is scrolled;
// wrapped over more lines rather than cut.
func (p *reviewPage) paneHead(width int) string {
	plan := p.plan
	var label string
	if i := p.cursor; i < len(plan.Changes) {
		c := plan.Changes[i]
		label = changeWhere(c) + " · " + c.Resource
		if ansi.StringWidth(ansi.Strip(p.entryLine(i, width))) >= width {
			label = c.Title + " · " + label
		}
	} else if notes := planNotes(plan); i-len(plan.Changes) < len(notes) {
		label = notes[i-len(plan.Changes)].pane
	}
	muted := p.s.theme.Muted
	pos := fmt.Sprintf(" %3.0f%% ", p.diff.ScrollPercent()*100)
	text := "── " + label + " "
	if fill := width - ansi.StringWidth(text) - len(pos); fill >= 2 {
		return muted.Render(text + strings.Repeat("─", fill) + pos)
	}
	return muted.Render(wrapText(label, width) + "\n" + strings.Repeat("─", max(0, width-len(pos))) + pos)
}

func (p *reviewPage) footer() string {
	th, s := p.s.theme, p.s
	if p.confirming {
		who := steps.AccountsPhrase(s.accounts[s.source.profile].id.AccountID, s.accounts[s.destination.profile].id.AccountID)
		return wrapText(th.Warning.Render(fmt.Sprintf("Apply %s in %s? ", plural(len(p.plan.Pending()), "change"), who))+"y apply · n not yet", s.width)
	}
	return s.saveLine()
}
