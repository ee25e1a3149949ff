package ui

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Step 4: the rule's options, with defaults that suit most setups.

const pageRule pageID = "rule"

type rulePage struct {
	s    *shared
	form ruleForm
	// sampled are the further source keys found in the objects, by where they were
	// sampled (the source bucket and the rule's prefix).
	sampled map[sampleRef]objectKeysResult
	// sampling is where the running sample looks.
	sampling sampleRef
}

// sampleRef is where objects were sampled for their keys.
type sampleRef struct {
	bucket bucketRef
	prefix string
}

type objectKeysResult struct {
	keys []steps.ObjectKey
	err  error
}

type objectKeysMsg struct {
	task taskID
	ref  sampleRef
	keys []steps.ObjectKey
	err  error
}

func newRulePage(s *shared) page {
	return &rulePage{s: s, form: newRuleForm(), sampled: map[sampleRef]objectKeysResult{}}
}

func (p *rulePage) enter(bool) tea.Cmd {
	p.proposeDefaults()
	// The role proposed depends on the source bucket's replication, which may still
	// be unread if the bucket was chosen quickly.
	return tea.Batch(p.s.readSummaryOnEntry(&p.s.source), p.sampleKeys())
}

func (p *rulePage) sourceRef() bucketRef {
	return bucketRef{p.s.source.profile, p.s.source.bucket.Name}
}

// sampleRef is where the keys are sampled now: the rule's prefix, if it has one.
func (p *rulePage) sampleRef() sampleRef {
	prefix := ""
	if scopeHas(p.form.field(fScope).value(), scopePrefix) {
		prefix = p.form.field(fPrefix).value()
	}
	return sampleRef{p.sourceRef(), prefix}
}

// sampleKeys looks, once the source bucket's default key is known, for objects in
// the rule's scope encrypted with other keys (as the doctor does), unless that is
// known or being done.
func (p *rulePage) sampleKeys() tea.Cmd {
	ref := p.sampleRef()
	if known, ok := p.sampled[ref]; ok {
		p.form.setSourceKeys(known.keys)
		return nil
	}
	sum, ok := p.s.summaries[ref.bucket]
	sl := slot{kind: taskObjectKeys}
	if !ok || p.s.tasks.isRunning(sl) && p.sampling == ref {
		return nil
	}
	p.sampling = ref
	ctx, id := p.s.tasks.start(sl, p.s.current)
	return sampleObjectKeys(ctx, id, p.s.accounts[ref.bucket.profile].acc, ref, p.s.source.bucket.Region, sum.summary.Encryption.KMSKeyID)
}

func sampleObjectKeys(ctx context.Context, id taskID, acc awsops.Account, ref sampleRef, region, defaultKey string) tea.Cmd {
	return func() tea.Msg {
		keys, err := steps.OtherObjectKeys(ctx, acc, region, ref.bucket.bucket, ref.prefix, defaultKey)
		return objectKeysMsg{task: id, ref: ref, keys: keys, err: err}
	}
}

// proposeDefaults fills the form's defaults, keeping what the user changed.
func (p *rulePage) proposeDefaults() {
	s := p.s
	base := s.baseSetup()
	role := base.RoleName()
	if sum, ok := s.summaries[p.sourceRef()]; ok && sum.summary.ReplicationRole != "" {
		role = steps.RoleNameOf(sum.summary.ReplicationRole) // S3 allows one role per bucket
	}
	cross := s.accounts[s.source.profile].id.AccountID != s.accounts[s.destination.profile].id.AccountID
	p.form.setDefaults(role, base.RuleID(), cross)
}

func (p *rulePage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case summaryMsg:
		if p.s.storeSummary(msg) && msg.ref == p.sourceRef() {
			p.proposeDefaults()
			return only(p.sampleKeys())
		}
	case objectKeysMsg:
		if p.s.tasks.finish(msg.task) {
			p.sampled[msg.ref] = objectKeysResult{keys: msg.keys, err: msg.err}
			if msg.ref == p.sampleRef() {
				p.form.setSourceKeys(msg.keys)
			}
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
	if p.form.editing {
		return p.editKey(msg)
	}
	b, f := p.s.bindings, &p.form
	switch {
	case key.Matches(msg, b.Up, b.TypingUp):
		f.move(-1)
	case key.Matches(msg, b.Down, b.TypingDown):
		f.move(1)
	case key.Matches(msg, b.Home):
		f.moveTo(-1)
	case key.Matches(msg, b.End):
		f.moveTo(1)
	case key.Matches(msg, b.Choose) && f.onText():
		return only(f.startEdit())
	case key.Matches(msg, b.Choose):
		return p.submit()
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case key.Matches(msg, b.Previous):
		f.change(-1)
		return only(p.sampleKeys()) // the scope may have changed
	case key.Matches(msg, b.Toggle):
		f.change(1)
		return only(p.sampleKeys())
	}
	return stay, nil
}

// editKey answers a key while a text row is edited: enter keeps the text and goes
// on (past the last row, to the review), esc puts the old text back.
func (p *rulePage) editKey(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b, f := p.s.bindings, &p.form
	switch {
	case key.Matches(msg, b.Choose):
		last := f.lastVisible()
		f.commitEdit()
		if last {
			return p.submit()
		}
		f.move(1)
	case key.Matches(msg, b.Back):
		f.cancelEdit()
	case key.Matches(msg, b.TypingUp):
		f.move(-1)
	case key.Matches(msg, b.TypingDown):
		f.move(1)
	default:
		return only(f.updateInput(msg))
	}
	return only(p.sampleKeys()) // the prefix may have changed
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
	if p.form.onText() {
		return keyHelp{short: []key.Binding{b.Up, b.Down, withHelp(b.Choose, "enter", "edit"), b.Back, b.Help, b.Quit},
			more: []key.Binding{withHelp(b.Home, "g/G", "first/last")}}
	}
	return keyHelp{short: []key.Binding{b.Up, b.Down, b.Toggle, withHelp(b.Choose, "enter", "review"), b.Back, b.Help, b.Quit},
		more: []key.Binding{withHelp(b.Home, "g/G", "first/last")}}
}

func (p *rulePage) typing() bool { return p.form.typing() }

func (p *rulePage) view() string {
	th, width := p.s.theme, p.s.width
	title := th.Heading.Render("Replication rule") + th.Muted.Render(" · the defaults suit most setups")
	var notes []string
	if sum, ok := p.s.summaries[p.sourceRef()]; ok && sum.summary.Encryption.Algorithm == "AES256" {
		notes = append(notes, th.Warning.Render("! ")+indent(wrapText("The source bucket's default is SSE-S3: SSE-S3 objects replicate as SSE-S3 "+
			"(a replica keeps its source's encryption type); the replica key is for SSE-KMS objects.", width-2), "  ")[2:])
	}
	if r, ok := p.sampled[p.sampleRef()]; ok && r.err != nil {
		notes = append(notes, th.Muted.Render(wrapText("Objects could not be sampled for other keys ("+r.err.Error()+"): s3repl doctor checks them later.", width)))
	}
	return title + "\n" + p.form.render(th, width, p.s.height-1, notes...)
}
