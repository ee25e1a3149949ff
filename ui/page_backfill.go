package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Step 7, Backfill (reached from the apply or the status panel): which objects to
// replicate, with what a sample of the rule's objects found. The plan, the preview,
// the run and the result follow, each a page shown in place of the one before, so
// esc from any of them comes back here.

const pageBackfill pageID = "backfill"

type backfillPage struct {
	s      *shared
	cursor int
}

// backfillChoices are the objects a backfill can replicate, in the order listed.
var backfillChoices = []struct {
	objects steps.BackfillObjects
	what    string
}{
	{steps.BackfillBoth, "objects without replication status and FAILED ones"},
	{steps.BackfillNotReplicated, "objects without replication status: written before the rule"},
	{steps.BackfillFailed, "FAILED objects, which S3 never retries"},
}

func newBackfillPage(s *shared) page { return &backfillPage{s: s} }

// enter samples the rule's objects unless the page that offered the step just did;
// back from a job, it samples again to show what is left.
func (p *backfillPage) enter(returning bool) tea.Cmd {
	if p.s.backfill.sample != nil && !returning {
		return nil
	}
	return p.s.sampleBackfill()
}

func (p *backfillPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case backfillSampleMsg:
		p.s.takeBackfillSample(msg)
	case tea.KeyPressMsg:
		b := p.s.bindings
		switch {
		case key.Matches(msg, b.Back):
			return goBack(), nil
		case key.Matches(msg, b.Up):
			p.cursor = max(0, p.cursor-1)
		case key.Matches(msg, b.Down):
			p.cursor = min(len(backfillChoices)-1, p.cursor+1)
		case key.Matches(msg, b.Choose):
			p.s.backfill.objects, p.s.backfill.retry = backfillChoices[p.cursor].objects, false
			return goTo(pageBackfillPlan), nil
		}
	}
	return stay, nil
}

func (p *backfillPage) view() string {
	th, s := p.s.theme, p.s
	lines := []string{
		th.Heading.Render("Backfill · replicate the objects live replication never copies"),
		wrapText("Live replication copies only objects written after the rule: the ones from before, and FAILED ones "+
			"(S3 never retries them), stay unreplicated. S3 Batch Replication copies them once, with the rule and its "+
			"role; s3repl plans a batch operations role, shows the job's object count and an estimated cost before it runs, "+
			"and explains every object that fails.", s.width),
		"",
	}
	where := fmt.Sprintf("s3://%s/%s", s.setup.Source.Bucket, s.setup.Rule.Prefix)
	switch {
	case s.backfill.sampleErr != nil:
		lines = append(lines, renderError(th, s.backfill.sampleErr, s.width))
	case s.backfill.sample == nil:
		lines = append(lines, s.spinnerLine("looking at a sample of "+where+"…"))
	default:
		lines = append(lines, wrapText(where+": "+sampleText(*s.backfill.sample)+".", s.width))
	}
	lines = append(lines, "", th.Heading.Render("Which objects?"))
	for i, c := range backfillChoices {
		marker := "  "
		name := fmt.Sprintf("%-15s", c.objects)
		if i == p.cursor {
			marker, name = th.Cursor.Render("› "), th.Selected.Render(name)
		}
		lines = append(lines, marker+name+" "+th.Muted.Render(c.what))
	}
	lines = append(lines, "", th.Muted.Render("Nothing is written until you confirm the plan; the job waits for your go after its preview."))
	return strings.Join(lines, "\n")
}

func (p *backfillPage) setSize(int, int) {}

func (p *backfillPage) typing() bool { return false }

func (p *backfillPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	return keyHelp{short: []key.Binding{withHelp(b.Choose, "enter", "plan"), b.Up, b.Down, b.Back, b.Quit}}
}
