package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Step 6: the apply, each change turning ✓ or ✗.

const pageApply pageID = "apply"

// changeState is where one change of the apply is, as the page shows it.
type changeState int

const (
	changeWaiting changeState = iota
	changeRunning
	changeDone
	changeFailed
	changeNotApplied // after a failed one: the apply stopped before it
)

type changeStatus struct {
	state changeState
	err   error
}

type applyPage struct {
	s        *shared
	changes  []steps.Change
	status   map[string]changeStatus
	progress chan tea.Msg
	started  bool
	done     bool
	journal  string
	err      error
}

func newApplyPage(s *shared) page { return &applyPage{s: s} }

// enter starts the apply of the reviewed plan; uncovered again (back from the status
// panel) it shows how the apply went.
func (p *applyPage) enter(returning bool) tea.Cmd {
	if returning {
		return nil
	}
	plan := p.s.plan
	*p = applyPage{s: p.s, changes: plan.Pending(), status: map[string]changeStatus{}, progress: make(chan tea.Msg, 16), started: true}
	ctx, id := p.s.tasks.start(slot{kind: taskApply}, p.s.current)
	return tea.Batch(runApply(ctx, id, p.s.accountsForSetup(), plan, p.s.deps.Journal, p.progress), nextProgress(p.progress))
}

// applied reports whether the apply ran to the end without error.
func (p *applyPage) applied() bool { return p.done && p.err == nil }

// failed reports whether an apply began and did not end well: it failed, or the
// wizard was left while it wrote.
func (p *applyPage) failed() bool { return p.started && !p.applied() }

func (p *applyPage) writing() bool { return p.started && !p.done }

func (p *applyPage) update(msg tea.Msg) (action, tea.Cmd) {
	if cmd, took := p.s.saveTakes(msg); took {
		return only(cmd)
	}
	switch msg := msg.(type) {
	case journalOpenedMsg:
		p.journal = msg.path
		return only(nextProgress(p.progress))
	case applyProgressMsg:
		if !p.done {
			p.status[msg.change.ID] = changeStatus{state: stateOf(msg.phase), err: msg.err}
		}
		return only(nextProgress(p.progress))
	case applyDoneMsg:
		p.onDone(msg)
		if p.applied() {
			return only(p.s.sampleBackfill()) // objects from before the rule: offer step 7's backfill
		}
	case backfillSampleMsg:
		p.s.takeBackfillSample(msg)
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return stay, nil
}

func stateOf(phase steps.ApplyPhase) changeState {
	switch phase {
	case steps.PhaseDone:
		return changeDone
	case steps.PhaseFailed:
		return changeFailed
	}
	return changeRunning
}

// onDone settles every change from the result, whatever progress reports are still
// on their way.
func (p *applyPage) onDone(msg applyDoneMsg) {
	if !p.s.tasks.finish(msg.task) {
		return
	}
	p.done, p.journal, p.err = true, msg.journal, msg.err
	p.s.forgetAfterApply(msg.result)
	for _, c := range msg.result.Applied {
		p.status[c.ID] = changeStatus{state: changeDone}
	}
	if f := msg.result.Failed; f != nil {
		var applyErr *steps.ApplyError
		cause := msg.err
		if errors.As(msg.err, &applyErr) {
			cause = applyErr.Err
		}
		p.status[f.ID] = changeStatus{state: changeFailed, err: cause}
	}
	for _, c := range msg.result.NotApplied {
		p.status[c.ID] = changeStatus{state: changeNotApplied}
	}
}

func (p *applyPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	if !p.done {
		return stay, nil
	}
	switch {
	case key.Matches(msg, b.Save):
		return only(p.s.startSave())
	case p.applied() && key.Matches(msg, b.Verify):
		return goTo(pageVerify), nil
	case p.applied() && key.Matches(msg, b.Backfill) && p.s.backfillOffered():
		return goTo(pageBackfill), nil
	case p.err != nil && key.Matches(msg, b.Retry):
		return goBack(), nil // the review plans again what is still missing
	}
	return stay, nil
}

func (p *applyPage) leave() { p.s.save.input.Blur() }

func (p *applyPage) setSize(width, _ int) { p.s.save.input.SetWidth(max(10, width-len(saveLabel)-4)) }

func (p *applyPage) typing() bool { return p.s.save.editing }

func (p *applyPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case !p.done:
		return keyHelp{short: []key.Binding{b.Quit}}
	case p.err != nil:
		return keyHelp{short: []key.Binding{b.Retry, b.Save, b.Quit}}
	}
	if p.s.backfillOffered() {
		return keyHelp{short: []key.Binding{b.Verify, b.Backfill, b.Save, b.Quit}}
	}
	return keyHelp{short: []key.Binding{b.Verify, b.Save, b.Quit}}
}

func (p *applyPage) view() string {
	th := p.s.theme
	title := th.Heading.Render("Applying " + plural(len(p.changes), "change"))
	if p.done {
		title = th.Heading.Render("Apply")
	}
	if p.journal != "" {
		title += th.Muted.Render(" · journal " + p.journal)
	}
	lines := []string{wrapText(title, p.s.width)}
	for _, c := range p.changes {
		lines = append(lines, p.changeLine(c, p.status[c.ID]))
	}
	lines = append(lines, "", wrapText(p.outcome(), p.s.width))
	if offer := p.s.backfillOfferLine(); offer != "" && p.applied() {
		lines = append(lines, wrapText(offer, p.s.width))
	}
	lines = append(lines, p.s.saveLine())
	return strings.Join(lines, "\n")
}

func (p *applyPage) changeLine(c steps.Change, st changeStatus) string {
	th := p.s.theme
	switch st.state {
	case changeRunning:
		return p.s.spinnerLine(c.Title)
	case changeDone:
		return th.OK.Render("✓ ") + indent(wrapText(c.Title, p.s.width-2), "  ")[2:]
	case changeFailed:
		return th.Error.Render("✗ ") + indent(wrapText(c.Title, p.s.width-2), "  ")[2:] + "\n" + indent(renderErrorText(th, st.err, p.s.width-2), "  ")
	case changeNotApplied:
		return th.Muted.Render(indent(wrapText("- "+c.Title+" (not applied)", p.s.width), "  ")[2:])
	}
	return th.Muted.Render(indent(wrapText("· "+c.Title, p.s.width), "  ")[2:])
}

func (p *applyPage) outcome() string {
	th := p.s.theme
	switch {
	case !p.done:
		return th.Muted.Render("Each resource is read again before it is written; the journal records every write.")
	case p.err != nil && !p.hasFailedChange():
		return renderError(th, p.err, p.s.width)
	case p.err != nil:
		return th.Error.Render("Stopped: ") + fmt.Sprintf("%d of %s applied (✓ above); the changes after the failed one were not. ", p.appliedCount(), plural(len(p.changes), "change")) +
			"Fix the cause, then r to plan again: it plans only what is still missing."
	}
	return th.OK.Render("✓ Applied "+plural(len(p.changes), "change")+".") + " v uploads a test object and watches it replicate; " +
		"s saves the setup for `s3repl verify|doctor -f FILE`."
}

func (p *applyPage) hasFailedChange() bool {
	for _, st := range p.status {
		if st.state == changeFailed {
			return true
		}
	}
	return false
}

// appliedCount counts the changes done.
func (p *applyPage) appliedCount() int {
	n := 0
	for _, st := range p.status {
		if st.state == changeDone {
			n++
		}
	}
	return n
}
