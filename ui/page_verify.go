package ui

import (
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Step 7: the status panel watching a test object, inside the wizard.

const pageVerify pageID = "verify"

type verifyPage struct {
	s     *shared
	panel VerifyPanel
}

func newVerifyPage(s *shared) page { return &verifyPage{s: s} }

// enter opens the status panel: it uploads a test object and watches it. Quitting
// the wizard cancels its context, and so the panel's work.
func (p *verifyPage) enter(returning bool) tea.Cmd {
	s := p.s
	if returning { // from the watch or the backfill: the panel as it was, the sample read again
		return s.sampleBackfill()
	}
	funcs := StepsVerifyFuncs(s.accountsForSetup(), s.setup, s.deps.Verify, s.deps.Journal)
	p.panel = NewVerifyPanel(s.tasks.root, funcs).Embedded(s.theme)
	p.afterPanel()
	p.setSize(s.width, s.height)
	return tea.Batch(p.panel.Init(), s.sampleBackfill())
}

func (p *verifyPage) ownsKeys() bool { return true }

func (p *verifyPage) writing() bool { return p.panel.Fixing() }

func (p *verifyPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return p.key(msg)
	case verifyUpdateMsg, verifyDoneMsg, doctorDoneMsg, cleanupDoneMsg, fixDoneMsg, spinner.TickMsg:
		return only(p.updatePanel(msg))
	case backfillSampleMsg:
		p.s.takeBackfillSample(msg)
		p.setSize(p.s.width, p.s.height)
	}
	return stay, nil
}

// key: q while watching stops watching (the panel's own rule), v runs the test again
// once it is over, esc goes back to the page the test started from.
func (p *verifyPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b, panel := p.s.bindings, p.panel
	switch {
	case panel.Confirming():
		return only(p.updatePanel(msg)) // y applies the fixes; anything else, esc too, says no
	case panel.Busy():
		// q while watching stops watching; while the test objects are deleted it
		// waits, so that no delete is cut short; while fixes are written the wizard asks
		if key.Matches(msg, b.Quit) && !panel.Watching() && !panel.Cleaning() {
			return quitWizard(), nil
		}
	case key.Matches(msg, b.Quit):
		return quitWizard(), nil
	case key.Matches(msg, b.Watch):
		return goTo(pageWatch), nil
	case key.Matches(msg, b.Backfill) && p.s.backfillOffered():
		return goTo(pageBackfill), nil
	case key.Matches(msg, b.Verify) && panel.Finished():
		p.s.tasks.cancelOthers(pageVerify)
		return only(p.enter(false))
	case key.Matches(msg, b.Back):
		return goBack(), nil // the review plans again: the test may have shown what to fix
	}
	return only(p.updatePanel(msg))
}

// updatePanel hands a message to the status panel.
func (p *verifyPage) updatePanel(msg tea.Msg) tea.Cmd {
	model, cmd := p.panel.Update(msg)
	p.panel = model.(VerifyPanel)
	p.afterPanel()
	return cmd
}

// afterPanel notes that fixes applied from the panel complete the apply step; a new
// test (v), in a new panel, does not undo them.
func (p *verifyPage) afterPanel() {
	if n, _ := p.panel.FixesApplied(); n > 0 {
		p.s.stepsDone[rowOf(pageApply).step] = true
	}
}

func (p *verifyPage) setSize(width, height int) {
	if offer := p.s.backfillOfferLine(); offer != "" {
		height -= lineCount(wrapText(offer, width))
	}
	p.updatePanel(tea.WindowSizeMsg{Width: width, Height: height})
}

func (p *verifyPage) setTheme(th Theme) { p.panel = p.panel.WithTheme(th) }

func (p *verifyPage) typing() bool { return false }

func (p *verifyPage) view() string {
	if offer := p.s.backfillOfferLine(); offer != "" {
		return p.panel.View().Content + "\n" + wrapText(offer, p.s.width)
	}
	return p.panel.View().Content
}

func (p *verifyPage) keyHelp() help.KeyMap {
	b, panel := p.s.bindings, p.panel
	short := panel.KeyHelp().ShortHelp()
	if panel.Busy() || panel.Confirming() {
		return keyHelp{short: short}
	}
	again := withHelp(b.Verify, "v", "test again")
	again.SetEnabled(panel.Finished())
	more := []key.Binding{again, withHelp(b.Watch, "w", "keep watching")}
	if p.s.backfillOffered() {
		more = append(more, withHelp(b.Backfill, "b", "backfill"))
	}
	return keyHelp{short: append(append(short, more...), withHelp(b.Back, "esc", "back"))}
}

// outcome is what stays printed about the test once the wizard closes.
func (p *verifyPage) outcome() string {
	var fixed string
	if n, journal := p.panel.FixesApplied(); n > 0 {
		fixed = StyleOK.Render(fmt.Sprintf("Applied %s the doctor proposed.", plural(n, "change")))
		if journal != "" {
			fixed += StyleMuted.Render(" Journal: " + journal)
		}
		fixed += "\n"
	}
	r := p.panel.Report()
	if err := p.panel.Err(); err != nil {
		return fixed + StyleError.Render("Could not verify: ") + err.Error() + "\n"
	}
	if r.Key == "" {
		return fixed
	}
	return fixed + outcomeLine(printTheme, r) + "\n"
}
