package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Step 4: the rule's options, with defaults that suit most setups.

const pageRule pageID = "rule"

type rulePage struct {
	s    *shared
	form ruleForm
}

func newRulePage(s *shared) page { return &rulePage{s: s, form: newRuleForm()} }

func (p *rulePage) enter(bool) tea.Cmd {
	p.proposeDefaults()
	// The role proposed depends on the source bucket's replication, which may still
	// be unread if the bucket was chosen quickly.
	return tea.Batch(p.form.focus(), p.s.readSummaryOnEntry(&p.s.source))
}

// proposeDefaults fills the form's defaults, keeping what the user changed.
func (p *rulePage) proposeDefaults() {
	s := p.s
	base := s.baseSetup()
	role := base.RoleName()
	if sum, ok := s.summaries[bucketRef{s.source.profile, s.source.bucket.Name}]; ok && sum.summary.ReplicationRole != "" {
		role = steps.RoleNameOf(sum.summary.ReplicationRole) // S3 allows one role per bucket
	}
	cross := s.accounts[s.source.profile].id.AccountID != s.accounts[s.destination.profile].id.AccountID
	p.form.setDefaults(role, base.RuleID(), cross)
}

func (p *rulePage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case summaryMsg:
		if p.s.storeSummary(msg) && msg.ref == (bucketRef{p.s.source.profile, p.s.source.bucket.Name}) {
			p.proposeDefaults()
		}
	case tea.KeyPressMsg:
		return p.key(msg)
	case tea.PasteMsg:
		if p.form.typing() {
			return only(p.form.updateInput(msg))
		}
	}
	return stay, nil
}

func (p *rulePage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	switch {
	case key.Matches(msg, b.TypingUp) || !p.form.typing() && key.Matches(msg, b.Up):
		return only(p.form.move(-1))
	case key.Matches(msg, b.TypingDown) || !p.form.typing() && key.Matches(msg, b.Down):
		return only(p.form.move(1))
	case key.Matches(msg, b.Choose):
		return p.submit()
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case p.form.typing():
		return only(p.form.updateInput(msg))
	case key.Matches(msg, b.Previous):
		p.form.change(-1)
	case key.Matches(msg, b.Toggle):
		p.form.change(1)
	}
	return stay, nil
}

// submit checks the options and goes on to the review.
func (p *rulePage) submit() (action, tea.Cmd) {
	setup := p.s.baseSetup()
	problems := p.form.fill(&setup)
	if len(problems) == 0 {
		if err := setup.Validate(); err != nil {
			problems = []string{err.Error()}
		}
	}
	p.form.problems = problems
	if len(problems) > 0 {
		return stay, nil
	}
	p.s.setup = setup
	return goTo(pageReview), nil
}

func (p *rulePage) leave() { p.form.blur() }

func (p *rulePage) setSize(int, int) {}

func (p *rulePage) setTheme(th Theme) {
	for i := range p.form.fields {
		p.form.fields[i].input.SetStyles(th.Input)
	}
}

func (p *rulePage) keyHelp() help.KeyMap {
	b := p.s.bindings
	if p.form.typing() {
		return p.s.typingHelp()
	}
	return keyHelp{short: []key.Binding{b.Up, b.Down, b.Toggle, withHelp(b.Choose, "enter", "review"), b.Back, b.Help, b.Quit}}
}

func (p *rulePage) typing() bool { return p.form.typing() }

func (p *rulePage) view() string {
	th := p.s.theme
	title := th.Heading.Render("Replication rule") + th.Muted.Render(" · the defaults suit most setups; enter to review the changes")
	return title + "\n" + p.form.render(th, p.s.width)
}
