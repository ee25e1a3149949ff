package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Step 2: the name of a destination bucket s3repl creates, checked as it is typed.

const pageNewBucket pageID = "new-bucket"

// nameCheck is the answer to "is this bucket name free?".
type nameCheck struct {
	name    string
	problem string
	err     error
	done    bool
	applies int // the wizard's applies before it: one since may have taken the name
}

type newBucketPage struct {
	s     *shared
	input textinput.Model
	check nameCheck
	// submitted is set when enter was pressed while the name was being checked: the
	// wizard goes on once the answer is yes.
	submitted bool
}

func newNewBucketPage(s *shared) page {
	return &newBucketPage{s: s, input: newInput("new-bucket-name", 63)}
}

var nameSlot = slot{kind: taskName}

func (p *newBucketPage) enter(bool) tea.Cmd {
	if p.input.Value() == "" {
		p.input.SetValue(suggestBucketName(p.s.source.bucket.Name))
		p.input.CursorEnd()
	}
	return tea.Batch(p.input.Focus(), p.nameChanged())
}

func suggestBucketName(source string) string {
	const suffix = "-replica"
	return strings.TrimRight(source[:min(len(source), 63-len(suffix))], ".-") + suffix
}

func (p *newBucketPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case dueMsg:
		if msg.what == taskName {
			return only(p.checkName(msg.value))
		}
	case nameTakenMsg:
		if !p.s.tasks.finish(msg.task) || msg.name != p.input.Value() {
			return stay, nil
		}
		p.check = nameCheck{name: msg.name, problem: msg.problem, err: msg.err, done: true, applies: p.s.applies}
		if p.submitted {
			return p.submit()
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, p.s.bindings.Back):
			return goBack(), nil
		case key.Matches(msg, p.s.bindings.Choose):
			return p.submit()
		}
		return only(p.typeText(msg))
	case tea.PasteMsg:
		return only(p.typeText(msg))
	}
	return stay, nil
}

func (p *newBucketPage) typeText(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return tea.Batch(cmd, p.nameChanged())
}

// localProblem is what is wrong with the new bucket name without asking AWS.
func (p *newBucketPage) localProblem(name string) string {
	return steps.NewBucketNameProblem(name, p.s.source.bucket.Name, p.s.buckets[p.s.destination.profile].buckets)
}

// nameChanged forgets the last availability answer and asks again once typing rests.
func (p *newBucketPage) nameChanged() tea.Cmd {
	name := p.input.Value()
	if p.check.name == name && p.check.applies == p.s.applies && (p.check.done || p.s.tasks.isRunning(nameSlot)) {
		return nil
	}
	p.check, p.submitted = nameCheck{name: name, applies: p.s.applies}, false
	p.s.tasks.cancelSlot(nameSlot)
	if p.localProblem(name) != "" {
		return nil
	}
	return p.s.due(taskName, name)
}

func (p *newBucketPage) checkName(name string) tea.Cmd {
	if p.input.Value() != name || p.check.done || p.s.tasks.isRunning(nameSlot) {
		return nil
	}
	ctx, id := p.s.tasks.start(nameSlot, p.s.current)
	return checkNameTaken(ctx, id, p.s.accounts[p.s.destination.profile].acc, name)
}

func (p *newBucketPage) submit() (action, tea.Cmd) {
	name := p.input.Value()
	check := p.check
	switch local := p.localProblem(name); {
	case local != "":
		return notice("the name " + local), nil
	case !check.done:
		p.submitted = true // goes on when the answer comes
		return only(p.checkName(name))
	case check.problem != "":
		return notice(name + " " + check.problem), nil
	}
	p.submitted = false
	p.s.destination.bucket = awsops.BucketSummary{Name: name, Region: p.s.region}
	p.s.newBucket = true
	return replaceWith(pageReplicaKey), nil // esc on the keys goes back to the bucket list
}

func (p *newBucketPage) leave() { p.input.Blur() }

func (p *newBucketPage) setSize(width, _ int) { p.input.SetWidth(max(10, width-4)) }

func (p *newBucketPage) setTheme(th Theme) { p.input.SetStyles(th.Input) }

func (p *newBucketPage) keyHelp() help.KeyMap { return p.s.typingHelp() }

func (p *newBucketPage) typing() bool { return true }

func (p *newBucketPage) view() string {
	th := p.s.theme
	title := th.Heading.Render("New destination bucket in "+p.s.region) + th.Muted.Render(" · "+p.s.whoLine(&p.s.destination))
	name := p.input.Value()
	var verdict string
	switch check, local := p.check, p.localProblem(name); {
	case local != "":
		verdict = th.Error.Render("✗ ") + "the name " + local
	case p.s.tasks.isRunning(nameSlot):
		verdict = p.s.spinnerLine("asking S3 whether the name is taken…")
	case !check.done:
		verdict = th.Muted.Render("…")
	case check.err != nil:
		verdict = th.Warning.Render("! could not check whether the name is free; the plan will tell") + "\n" + renderError(th, check.err, p.s.width)
	case check.problem != "":
		verdict = th.Error.Render("✗ ") + name + " " + check.problem
	default:
		verdict = th.OK.Render("✓ ") + name + " is free"
	}
	return title + "\n\n" + p.input.View() + "\n" + wrapText(verdict, p.s.width) + "\n\n" +
		strings.Join(newBucketLines(th, p.s.region)[1:], "\n")
}
