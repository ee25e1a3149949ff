package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Step 7, Backfill: the backfill's plan, the batch operations role and its permissions as
// diffs, made after y with apply's re-read and journal. The doctor runs first: a
// backfill onto a broken setup is refused before anything changes.

const pageBackfillPlan pageID = "backfill-plan"

type backfillPlanPage struct {
	s          *shared
	plan       *steps.BackfillPlan
	err        error
	confirming bool
	applying   bool
	pane       textPane
}

func newBackfillPlanPage(s *shared) page { return &backfillPlanPage{s: s, pane: newTextPane()} }

func (p *backfillPlanPage) enter(bool) tea.Cmd {
	*p = backfillPlanPage{s: p.s, pane: p.pane}
	s := p.s
	s.backfill.plan = nil
	ctx, id := s.tasks.start(slot{kind: taskBackfillPlan}, s.current)
	return planBackfill(ctx, id, s.accountsForSetup(), s.setup, s.backfill.objects, s.doctorCommand())
}

func (p *backfillPlanPage) writing() bool { return p.applying }

func (p *backfillPlanPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case backfillPlannedMsg:
		if !p.s.tasks.finish(msg.task) {
			return stay, nil
		}
		p.plan, p.err = msg.plan, msg.err
		p.s.backfill.plan = msg.plan
		p.fill()
		if p.plan != nil && p.s.backfill.retry && len(p.plan.Pending()) == 0 {
			return replaceWith(pageBackfillPreview), nil // the retry's role is in place: on to its job
		}
	case backfillAppliedMsg:
		if !p.s.tasks.finish(msg.task) {
			return stay, nil
		}
		p.applying, p.err = false, msg.err
		if msg.err != nil {
			p.fill()
			return stay, nil
		}
		if msg.applied > 0 {
			p.s.noteBackfill(StyleOK.Render("Backfill: ") + "made the batch operations role (" + plural(msg.applied, "change") + ")" + journalNote(msg.journal))
		}
		return replaceWith(pageBackfillPreview), nil
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return stay, nil
}

func journalNote(path string) string {
	if path == "" {
		return "."
	}
	return ". Journal: " + path
}

func (p *backfillPlanPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	if p.confirming {
		return answer(&p.confirming, msg, b, p.apply)
	}
	switch {
	case p.applying:
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case key.Matches(msg, b.Refresh) && p.plan == nil:
		return only(p.enter(false))
	case p.plan == nil:
	case p.pane.scroll(msg, b):
	case key.Matches(msg, b.Apply, b.Choose):
		if len(p.plan.Pending()) == 0 {
			return replaceWith(pageBackfillPreview), nil
		}
		p.confirming = true
	}
	return stay, nil
}

func (p *backfillPlanPage) apply() tea.Cmd {
	s := p.s
	p.applying = true
	ctx, id := s.tasks.start(slot{kind: taskBackfillApply}, s.current)
	return applyBackfillPlan(ctx, id, s.accountsForSetup(), p.plan, s.deps.Journal, s.deps.Backfill.roleSettle())
}

// content is the plan as `s3repl backfill` prints it, with the job's filter.
func (p *backfillPlanPage) content() string {
	if p.plan == nil {
		return ""
	}
	f := p.plan.Facts
	var b strings.Builder
	b.WriteString(PlanText(p.plan.AsPlan()))
	fmt.Fprintf(&b, "\n%s objects %s (replication statuses %s)", StyleTitle.Render("The job:"), f.Objects, strings.Join(p.plan.Filter.ReplicationStatuses, ", "))
	if len(p.plan.Filter.KeyPrefixes) > 0 {
		fmt.Fprintf(&b, " under %s", strings.Join(p.plan.Filter.KeyPrefixes, ", "))
	}
	fmt.Fprintf(&b, "; manifest and completion report in s3://%s/%s and s3://%s/%s\n", f.ReportBucket, f.ManifestPrefix, f.ReportBucket, f.ReportPrefix)
	return b.String()
}

func (p *backfillPlanPage) fill() {
	p.pane.show(p.content(), p.s.width)
}

func (p *backfillPlanPage) setSize(width, height int) {
	if p.pane.resize(width, height) {
		p.fill()
	}
}

func (p *backfillPlanPage) typing() bool { return false }

func (p *backfillPlanPage) view() string {
	th, s := p.s.theme, p.s
	title := th.Heading.Render("Backfill plan · objects: " + string(s.backfill.objects))
	switch {
	case p.err != nil && p.plan == nil:
		return title + "\n" + renderError(th, p.err, s.width) + "\n\n" + th.Muted.Render("Nothing was changed. esc back · r plan again")
	case p.plan == nil:
		return title + "\n" + s.spinnerLine("running the doctor and planning the batch operations role…")
	}
	var footer string
	switch {
	case p.err != nil:
		footer = renderError(th, p.err, s.width)
	case p.applying && p.plan.CreatesRole() && s.deps.Backfill.roleSettle() > 0:
		footer = s.spinnerLine(fmt.Sprintf("making the changes, then waiting %s for IAM to make the new role usable by S3 Batch Operations…", s.deps.Backfill.roleSettle()))
	case p.applying:
		footer = s.spinnerLine("making the changes (each resource read again first, every write journaled)…")
	case p.confirming:
		footer = th.Warning.Render(fmt.Sprintf("Make %s in account %s? ", plural(len(p.plan.Pending()), "change"), p.plan.Facts.SourceAccount)) + "y yes · n not yet"
	case len(p.plan.Pending()) == 0:
		footer = th.Muted.Render("Nothing to change. enter creates the job; it waits for your go after its preview.")
	default:
		footer = th.Muted.Render("a makes these changes, then creates the job; it waits for your go after its preview.")
	}
	return title + "\n" + p.pane.View() + "\n" + footer
}

func (p *backfillPlanPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case p.confirming:
		return keyHelp{short: []key.Binding{b.Yes, b.No}}
	case p.applying:
		return keyHelp{short: []key.Binding{b.Quit}}
	case p.plan == nil:
		return keyHelp{short: []key.Binding{withHelp(b.Refresh, "r", "plan again"), b.Back, b.Quit}}
	case len(p.plan.Pending()) == 0:
		return keyHelp{short: []key.Binding{withHelp(b.Choose, "enter", "create the job"), b.ScrollDown, b.Back, b.Quit}}
	}
	return keyHelp{short: []key.Binding{withHelp(b.Apply, "a", "make the changes"), b.ScrollDown, b.Back, b.Quit}}
}
