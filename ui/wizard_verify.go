package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"fmt"
)

// verifyState is step 7: the status panel watching a test object, inside the wizard.
type verifyState struct {
	panel VerifyPanel
	from  screen // where esc returns to
}

// startVerify opens the status panel: it uploads a test object and watches it.
// Quitting the wizard cancels its context, and so the panel's work.
func (w *Wizard) startVerify() tea.Cmd {
	funcs := StepsVerifyFuncs(w.accountsForSetup(), w.review.setup, w.deps.Verify, w.deps.Journal)
	w.verify.panel = NewVerifyPanel(w.tasks.root, funcs).Embedded()
	if w.screen != scrVerify {
		w.verify.from = w.screen
	}
	w.tasks.cancelOthers(scrVerify)
	w.screen = scrVerify
	w.help.ShowAll = false
	w.layout()
	return w.verify.panel.Init()
}

// verifyKey: q while watching stops watching (the panel's own rule), v runs the test
// again once it is over, esc goes back to the screen the test started from.
func (w *Wizard) verifyKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.keys
	switch {
	case w.verify.panel.Confirming():
		return w.updatePanel(msg) // y applies the fixes; anything else, esc too, says no
	case w.verify.panel.Busy():
		// q while watching stops watching; while the test objects are deleted it
		// waits, so that no delete is cut short; while fixes are written w.quit asks
		if key.Matches(msg, k.Quit) && !w.verify.panel.Watching() && !w.verify.panel.Cleaning() {
			return w.quit()
		}
	case key.Matches(msg, k.Quit):
		return w.quit()
	case key.Matches(msg, k.Verify) && w.verify.panel.Finished():
		return w.startVerify()
	case key.Matches(msg, k.Back):
		if w.verify.from == scrReview {
			return w.goTo(scrReview) // plan again: the test may have shown what to fix
		}
		w.screen = w.verify.from
		w.layout()
		return nil
	}
	return w.updatePanel(msg)
}

// updatePanel hands a message to the status panel.
func (w *Wizard) updatePanel(msg tea.Msg) tea.Cmd {
	model, cmd := w.verify.panel.Update(msg)
	w.verify.panel = model.(VerifyPanel)
	return cmd
}

// layoutPanel gives the status panel the wizard's body.
func (w *Wizard) layoutPanel(width, height int) {
	if w.screen == scrVerify {
		w.updatePanel(tea.WindowSizeMsg{Width: width, Height: height})
	}
}

func (w *Wizard) verifyBody() string {
	return w.verify.panel.View().Content
}

func (w *Wizard) verifyKeys() help.KeyMap {
	k := w.keys
	panel := w.verify.panel.KeyHelp().ShortHelp()
	if w.verify.panel.Busy() || w.verify.panel.Confirming() {
		return keyHelp{short: panel}
	}
	again := withHelp(k.Verify, "v", "test again")
	again.SetEnabled(w.verify.panel.Finished())
	return keyHelp{short: append(panel, again, withHelp(k.Back, "esc", "back"))}
}

// verifyOutcome is what stays printed about the test once the wizard closes.
func (w *Wizard) verifyOutcome() string {
	var fixed string
	if n, journal := w.verify.panel.FixesApplied(); n > 0 {
		fixed = StyleOK.Render(fmt.Sprintf("Applied %s the doctor proposed.", plural(n, "change")))
		if journal != "" {
			fixed += StyleMuted.Render(" Journal: " + journal)
		}
		fixed += "\n"
	}
	r := w.verify.panel.Report()
	if err := w.verify.panel.Err(); err != nil {
		return fixed + StyleError.Render("Could not verify: ") + err.Error() + "\n"
	}
	if r.Key == "" {
		return fixed
	}
	return fixed + outcomeLine(r) + "\n"
}

// fixedFromPanel reports whether the doctor's fixes were applied from the panel.
func (w *Wizard) fixedFromPanel() bool {
	n, _ := w.verify.panel.FixesApplied()
	return n > 0
}
