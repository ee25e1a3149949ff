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
	p.diff.SetHeight(max(3, height-1-p.listRows(height)-1-1))
	if width != p.diff.Width() {
		p.diff.SetWidth(width)
		p.fillPane()
	}
}

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
		return only(p.s.saveUpdate(msg))
	case tea.PasteMsg:
		if p.s.save.editing {
			return only(p.s.saveUpdate(msg))
		}
	case tea.KeyPressMsg:
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
	p.showDiff()
}

func (p *reviewPage) leave() { p.s.save.input.Blur() }

func (p *reviewPage) typing() bool { return p.s.save.editing }

func (p *reviewPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case p.confirming:
		return keyHelp{short: []key.Binding{b.Yes, b.No}}
	case p.plan != nil && len(p.plan.Pending()) == 0:
		return keyHelp{
			short: []key.Binding{b.Verify, b.Up, b.Down, b.ScrollDown, b.Save, b.Back, b.Help, b.Quit},
			more:  []key.Binding{b.ScrollUp, withHelp(b.Refresh, "r", "plan again")},
		}
	}
	return keyHelp{
		short: []key.Binding{b.Apply, b.Up, b.Down, b.ScrollDown, b.Save, b.Back, b.Help, b.Quit},
		more:  []key.Binding{b.ScrollUp, withHelp(b.Refresh, "r", "plan again"), withHelp(b.Verify, "v", "test what is in place now")},
	}
}

func (p *reviewPage) view() string {
	th := p.s.theme
	plan, width, height := p.plan, p.s.width, p.s.height
	switch {
	case p.err != nil:
		return th.Heading.Render("Review") + "\n" + renderError(th, p.err, width) + "\n\n" +
			th.Muted.Render("Nothing was changed. esc to change your choices · r plan again")
	case plan == nil:
		return th.Heading.Render("Review") + "\n" + p.s.spinnerLine("reading both accounts and planning the changes…")
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
	rows := p.listRows(height)
	offset := max(0, min(p.cursor-rows+1, p.entries()-rows))
	var lines []string
	for i := offset; i < offset+rows && i < p.entries(); i++ {
		lines = append(lines, p.entryLine(i, width))
	}
	return title + "\n" + strings.Join(lines, "\n") + "\n" + p.paneRule(width) + "\n" +
		p.diff.View() + "\n" + p.footer()
}

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
func (p *reviewPage) paneRule(width int) string {
	plan := p.plan
	var label string
	if i := p.cursor; i < len(plan.Changes) {
		label = plan.Changes[i].Resource
	} else if notes := planNotes(plan); i-len(plan.Changes) < len(notes) {
		label = notes[i-len(plan.Changes)].pane
	}
	pos := fmt.Sprintf(" %3.0f%% ", p.diff.ScrollPercent()*100)
	text := "── " + label + " "
	fill := max(0, width-ansi.StringWidth(text)-len(pos))
	return p.s.theme.Muted.Render(ansi.Truncate(text, width-len(pos), "…") + strings.Repeat("─", fill) + pos)
}

func (p *reviewPage) footer() string {
	th, s := p.s.theme, p.s
	if p.confirming {
		who := s.accounts[s.source.profile].id.AccountID
		if dest := s.accounts[s.destination.profile].id.AccountID; dest != who {
			who += " and " + dest
		}
		return th.Warning.Render(fmt.Sprintf("Apply %s in account %s? ", plural(len(p.plan.Pending()), "change"), who)) + "y apply · n not yet"
	}
	return s.saveLine()
}
