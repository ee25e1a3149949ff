package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
)

// Step 7, Backfill: the job running, in `s3repl backfill`'s progress panel (bar, counts,
// rate, elapsed, ETA). ctrl+c, esc or q detaches: the job keeps running in S3, and
// the page says how to watch it again. When the job ends, its result is shown.

const pageBackfillRun pageID = "backfill-run"

type backfillRunPage struct {
	s        *shared
	panel    BackfillPanel
	detached bool
}

func newBackfillRunPage(s *shared) page { return &backfillRunPage{s: s} }

// enter watches the job; leaving the page cancels the readings (not the job).
func (p *backfillRunPage) enter(bool) tea.Cmd {
	s := p.s
	ctx, _ := s.tasks.start(slot{kind: taskBackfillJob}, s.current)
	jobs, id, before := s.backfill.jobs, s.backfill.job.ID, s.deps.Backfill.BeforeRead
	funcs := BackfillPanelFuncs{
		Poll: func(ctx context.Context) (awsops.Job, error) {
			if before != nil {
				before()
			}
			return jobs.Describe(ctx, id)
		},
		NextPoll: s.deps.Backfill.NextPoll,
		Now:      s.deps.Backfill.Now,
	}
	info := BackfillPanelInfo{JobID: id, Bucket: s.setup.Source.Bucket, Region: s.setup.Source.Region,
		Objects: string(s.backfill.job.Objects), WatchCommand: s.watchAgainCommand()}
	p.panel, p.detached = NewBackfillPanel(ctx, funcs, info), false
	p.setSize(s.width, s.height)
	return p.panel.Init()
}

// ownsKeys: ctrl+c and q detach from the job rather than quit at once.
func (p *backfillRunPage) ownsKeys() bool { return !p.detached }

func (p *backfillRunPage) update(msg tea.Msg) (action, tea.Cmd) {
	if cmd, took := p.s.saveTakes(msg); took {
		return only(cmd)
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return p.key(msg)
	case backfillJobMsg, backfillPollMsg:
		if p.detached {
			return stay, nil
		}
		model, cmd := p.panel.Update(msg)
		p.panel = model.(BackfillPanel)
		job := p.panel.Job()
		p.s.backfill.last = job
		switch {
		case p.panel.Err() != nil:
			return stay, nil // the panel's own quit is the wizard's to decide: it stays, saying why
		case awsops.JobTerminal(job.Status):
			return replaceWith(pageBackfillResult), nil
		}
		return stay, cmd
	}
	return stay, nil
}

func (p *backfillRunPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b := p.s.bindings
	switch {
	case !p.detached && key.Matches(msg, backfillKeys.Detach):
		p.detached = true
		p.s.tasks.cancelKind(taskBackfillJob)
		model, _ := p.panel.Update(msg) // its footer says how to watch again; its quit is not the wizard's
		p.panel = model.(BackfillPanel)
		p.s.noteBackfill(StyleWarning.Render("Backfill: ") + fmt.Sprintf("job %s keeps running in S3 (%s when you left it). Watch it again: %s",
			p.s.backfill.job.ID, progressText(p.panel.Job()), p.s.watchAgainCommand()))
	case p.detached && key.Matches(msg, b.Back):
		return goBack(), nil
	case p.detached && key.Matches(msg, b.Save):
		return only(p.s.startSave())
	case p.panel.Err() != nil && key.Matches(msg, b.Refresh):
		return only(p.enter(false))
	}
	return stay, nil
}

// progressText is a job's progress in a few words.
func progressText(job awsops.Job) string {
	if job.TotalTasks == 0 {
		return job.Status
	}
	return fmt.Sprintf("%s of %s done, %s failed", count(job.Succeeded+job.Failed), count(job.TotalTasks), count(job.Failed))
}

func (p *backfillRunPage) setSize(width, height int) {
	model, _ := p.panel.Update(tea.WindowSizeMsg{Width: width, Height: height})
	p.panel = model.(BackfillPanel)
}

func (p *backfillRunPage) typing() bool { return p.s.save.editing }

func (p *backfillRunPage) view() string {
	th, s := p.s.theme, p.s
	frame := p.panel.Frame()
	if !p.detached {
		return frame
	}
	if s.save.saved == "" && !s.save.editing {
		frame += th.Muted.Render("s saves the setup file that command needs.") + "\n"
	}
	return frame + s.saveLine()
}

func (p *backfillRunPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case p.detached:
		return keyHelp{short: []key.Binding{withHelp(b.Back, "esc", "backfill"), b.Save, b.Quit}}
	case p.panel.Err() != nil:
		return keyHelp{short: []key.Binding{withHelp(b.Refresh, "r", "read again"), backfillKeys.Detach}}
	}
	return keyHelp{short: []key.Binding{backfillKeys.Detach}}
}
