package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Step 7, Backfill: the job's result. The completion report is read and its failed tasks are
// grouped by S3's failure reason with what each means and the doctor's findings;
// the fixes s3repl can make are shown as diffs, made after y, and then a retry job
// replicates the FAILED objects.

const pageBackfillResult pageID = "backfill-result"

type backfillResultPage struct {
	s          *shared
	result     *steps.BackfillResult
	fixes      *steps.BackfillFixes
	err        error
	confirming bool
	fixing     bool
	pane       textPane
}

func newBackfillResultPage(s *shared) page { return &backfillResultPage{s: s, pane: newTextPane()} }

func (p *backfillResultPage) enter(bool) tea.Cmd {
	*p = backfillResultPage{s: p.s, pane: p.pane}
	s := p.s
	ctx, id := s.tasks.start(slot{kind: taskBackfillExplain}, s.current)
	return s.explainBackfill(ctx, id, s.backfill.last)
}

func (p *backfillResultPage) writing() bool { return p.fixing }

func (p *backfillResultPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case backfillExplainedMsg:
		if !p.s.tasks.finish(msg.task) {
			return stay, nil
		}
		p.result, p.fixes, p.err = &msg.result, msg.fixes, msg.err
		if msg.err == nil {
			p.s.noteBackfill(p.summary())
		}
		p.fill()
	case backfillAppliedMsg:
		if !p.s.tasks.finish(msg.task) {
			return stay, nil
		}
		p.fixing = false
		if p.err = msg.err; msg.err != nil {
			p.fill()
			return stay, nil
		}
		p.s.noteBackfill(StyleOK.Render("Backfill: ") + "applied " + plural(msg.applied, "change") + " for the failed objects" + journalNote(msg.journal))
		return p.retry()
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return stay, nil
}

// summary is the job's outcome in one line, for the farewell.
func (p *backfillResultPage) summary() string {
	r := p.result
	line := fmt.Sprintf("job %s (%s) %s: %s of %s objects replicated", r.Job.ID, p.s.backfill.job.Objects, r.Job.Status, count(r.Succeeded), count(r.Total))
	if r.AllSucceeded() {
		return StyleOK.Render("Backfill: ") + line + "."
	}
	var codes []string
	for _, g := range r.Groups {
		codes = append(codes, fmt.Sprintf("%s %s", count(g.Count), g.Code))
	}
	line += fmt.Sprintf(", %s failed", count(r.Failed))
	if len(codes) > 0 {
		line += " (" + strings.Join(codes, ", ") + ")"
	}
	return StyleError.Render("Backfill: ") + line + "."
}

// retry replicates the FAILED objects with a new job, planned again.
func (p *backfillResultPage) retry() (action, tea.Cmd) {
	p.s.backfill.objects, p.s.backfill.retry = steps.BackfillFailed, true
	return replaceWith(pageBackfillPlan), nil
}

func (p *backfillResultPage) canFix() bool { return p.fixes != nil && len(p.fixes.Changes) > 0 }

func (p *backfillResultPage) failed() bool { return p.result != nil && !p.result.AllSucceeded() }

func (p *backfillResultPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	if p.confirming {
		return answer(&p.confirming, msg, b, p.applyFixes)
	}
	switch {
	case p.fixing:
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case p.pane.scroll(msg, b):
	case key.Matches(msg, b.Apply) && p.canFix():
		p.confirming = true
	case key.Matches(msg, b.Retry) && p.failed() && p.result.Failed > 0:
		return p.retry()
	case key.Matches(msg, b.Retry) && p.err != nil && p.result == nil:
		return only(p.enter(false))
	}
	return stay, nil
}

func (p *backfillResultPage) applyFixes() tea.Cmd {
	s, fixes := p.s, p.fixes
	p.fixing = true
	ctx, id := s.tasks.start(slot{kind: taskBackfillApply}, s.current)
	acc, journal := s.accountsForSetup(), s.deps.Journal
	return func() tea.Msg {
		result, path, err := applyWithJournal(ctx, journal, func(opts steps.ApplyOptions) (steps.ApplyResult, error) {
			return fixes.Apply(ctx, acc, opts)
		})
		return backfillAppliedMsg{task: id, applied: len(result.Applied), journal: path, err: err}
	}
}

func (p *backfillResultPage) content() string {
	if p.result == nil {
		return ""
	}
	text := BackfillResultText(*p.result)
	if p.result.AllSucceeded() {
		return text + StyleOK.Render("Every object replicated.") + "\n"
	}
	if p.fixes != nil {
		text += BackfillFixesText(p.fixes)
	}
	return text
}

func (p *backfillResultPage) fill() {
	p.pane.show(strings.TrimPrefix(p.content(), "\n"), p.s.width)
}

func (p *backfillResultPage) setSize(width, height int) {
	if p.pane.resize(width, height) {
		p.fill()
	}
}

func (p *backfillResultPage) typing() bool { return false }

func (p *backfillResultPage) view() string {
	th, s := p.s.theme, p.s
	title := th.Heading.Render("Backfill result") + th.Muted.Render(" · job "+s.backfill.job.ID)
	switch {
	case p.result == nil && p.err != nil:
		return title + "\n" + renderError(th, p.err, s.width) + "\n\n" + th.Muted.Render("r reads the report again · esc back")
	case p.result == nil:
		return title + "\n" + s.spinnerLine("reading the completion report and asking the doctor about the failures…")
	}
	var footer string
	switch {
	case p.err != nil:
		footer = renderError(th, p.err, s.width)
	case p.fixing:
		footer = s.spinnerLine("applying the fixes (each resource read again first)…")
	case p.confirming:
		footer = th.Warning.Render(fmt.Sprintf("Apply %s, then retry the FAILED objects with a new job? ", plural(len(p.fixes.Changes), "change"))) + "y yes · n not yet"
	case p.result.AllSucceeded():
		footer = th.OK.Render("✓ Done.") + " esc back · q quit"
	case p.canFix():
		footer = th.Muted.Render("a applies the fixes and retries the FAILED objects · r retries without fixing")
	default:
		footer = th.Muted.Render("Fix the cause (" + s.doctorCommand() + " helps), then r retries the FAILED objects.")
	}
	return title + "\n" + p.pane.View() + "\n" + footer
}

func (p *backfillResultPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case p.confirming:
		return keyHelp{short: []key.Binding{b.Yes, b.No}}
	case p.fixing:
		return keyHelp{short: []key.Binding{b.Quit}}
	case p.result == nil:
		return keyHelp{short: []key.Binding{b.Back, b.Quit}}
	case p.canFix():
		return keyHelp{short: []key.Binding{withHelp(b.Apply, "a", "fix and retry"), withHelp(b.Retry, "r", "retry failed"), b.ScrollDown, b.Back, b.Quit}}
	case p.failed():
		return keyHelp{short: []key.Binding{withHelp(b.Retry, "r", "retry failed"), b.ScrollDown, b.Back, b.Quit}}
	}
	return keyHelp{short: []key.Binding{b.ScrollDown, b.Back, b.Quit}}
}
