package ui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Step 7, Backfill: the job's preview. The job is created with confirmation required (or the
// one an earlier run created is found in the journal); while S3 prepares its
// manifest the page says it is counting, then shows the number of objects, the cost
// estimate and the job id, and the user lets it run (Ready) or cancels it.

const pageBackfillPreview pageID = "backfill-preview"

type backfillPreviewPage struct {
	s    *shared
	job  awsops.Job
	read bool // the job was read at least once
	wait time.Duration
	// asked is the status the job was asked to become (Ready or Cancelled), while
	// the answer is on its way.
	asked string
	err   error
}

func newBackfillPreviewPage(s *shared) page { return &backfillPreviewPage{s: s} }

func (p *backfillPreviewPage) enter(bool) tea.Cmd {
	*p = backfillPreviewPage{s: p.s}
	s := p.s
	s.backfill.jobs, s.backfill.job = nil, steps.StartedJob{}
	ctx, id := s.tasks.start(slot{kind: taskBackfillJob}, s.current)
	return s.startBackfillJob(ctx, id)
}

func (p *backfillPreviewPage) writing() bool { return p.asked != "" }

func (p *backfillPreviewPage) update(msg tea.Msg) (action, tea.Cmd) {
	s := p.s
	switch msg := msg.(type) {
	case backfillStartedMsg:
		if !s.tasks.finish(msg.task) {
			return stay, nil
		}
		if p.err = msg.err; msg.err != nil {
			return stay, nil
		}
		s.backfill.jobs, s.backfill.job, s.backfill.journal = msg.jobs, msg.started, msg.journal
		return only(p.readJob())
	case backfillDueMsg:
		if msg.jobID == s.backfill.job.ID && p.asked == "" {
			return only(p.readJob())
		}
	case backfillReadMsg:
		return p.onRead(msg)
	case backfillStatusMsg:
		return p.onStatus(msg)
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return stay, nil
}

func (p *backfillPreviewPage) readJob() tea.Cmd {
	ctx, id := p.s.tasks.start(slot{kind: taskBackfillJob}, p.s.current)
	return p.s.readBackfillJob(ctx, id)
}

// onRead takes a reading in: preparing, it reads again with back-off; Suspended, it
// waits for the user (or cancels an empty job); past that (a job resumed), it runs.
func (p *backfillPreviewPage) onRead(msg backfillReadMsg) (action, tea.Cmd) {
	s := p.s
	if !s.tasks.finish(msg.task) {
		return stay, nil
	}
	if p.err = msg.err; msg.err != nil {
		return stay, nil
	}
	p.job, p.read, s.backfill.last = msg.job, true, msg.job
	switch msg.job.Status {
	case awsops.JobNew, awsops.JobPreparing:
		p.wait = s.deps.Backfill.nextPoll(p.wait)
		return only(s.after(p.wait, backfillDueMsg{jobID: s.backfill.job.ID}))
	case awsops.JobSuspended:
		if msg.job.TotalTasks == 0 {
			return only(p.ask(awsops.JobCancelled))
		}
		return stay, nil
	case awsops.JobFailed:
		s.noteBackfill(StyleError.Render("Backfill: ") + "job " + msg.job.ID + " failed before it ran; nothing was replicated.")
		return stay, nil
	}
	return replaceWith(pageBackfillRun), nil
}

func (p *backfillPreviewPage) ask(status string) tea.Cmd {
	p.asked = status
	ctx, id := p.s.tasks.start(slot{kind: taskBackfillJob}, p.s.current)
	return p.s.setBackfillJobStatus(ctx, id, status)
}

func (p *backfillPreviewPage) onStatus(msg backfillStatusMsg) (action, tea.Cmd) {
	s := p.s
	if !s.tasks.finish(msg.task) {
		return stay, nil
	}
	p.asked = ""
	if p.err = msg.err; msg.err != nil {
		return stay, nil
	}
	if msg.status == awsops.JobReady {
		return replaceWith(pageBackfillRun), nil
	}
	if p.job.TotalTasks == 0 {
		s.noteBackfill(StyleOK.Render("Backfill: ") + "nothing to replicate; the empty job " + p.job.ID + " was cancelled.")
		a := goBack()
		a.notice = "Nothing to replicate: no object matches. The empty job was cancelled."
		return a, nil
	}
	s.noteBackfill("Backfill: job " + p.job.ID + " cancelled before it ran; nothing was replicated.")
	a := goBack()
	a.notice = "Job " + p.job.ID + " cancelled: nothing was replicated."
	return a, nil
}

func (p *backfillPreviewPage) key(msg tea.KeyPressMsg) (action, tea.Cmd) {
	b, s := p.s.bindings, p.s
	switch {
	case p.asked != "":
	case key.Matches(msg, b.Yes, b.Choose) && p.job.Status == awsops.JobSuspended:
		return only(p.ask(awsops.JobReady))
	case key.Matches(msg, b.No) && p.err == nil && s.backfill.job.ID != "" && !awsops.JobTerminal(p.job.Status):
		return only(p.ask(awsops.JobCancelled)) // esc too: a job left waiting would only be in the way
	case key.Matches(msg, b.Back):
		return goBack(), nil
	case key.Matches(msg, b.Refresh) && p.err != nil && s.backfill.job.ID != "":
		p.err = nil
		return only(p.readJob())
	}
	return stay, nil
}

func (p *backfillPreviewPage) setSize(int, int) {}

func (p *backfillPreviewPage) typing() bool { return false }

func (p *backfillPreviewPage) view() string {
	th, s := p.s.theme, p.s
	title := th.Heading.Render("Backfill preview")
	job := s.backfill.job
	if job.ID != "" {
		verb := "job "
		if job.Resumed {
			verb = "job an earlier run created: "
		}
		title += th.Muted.Render(" · " + verb + job.ID)
	}
	var body string
	switch {
	case p.err != nil:
		body = renderError(th, p.err, s.width)
		if job.ID != "" {
			body += "\n\n" + th.Muted.Render("r reads the job again · esc back (the job stays; watch it with "+s.watchAgainCommand()+")")
		}
	case job.ID == "":
		body = s.spinnerLine("creating the Batch Replication job (it waits for your confirmation)…")
	case !p.read || p.job.Status == awsops.JobNew || p.job.Status == awsops.JobPreparing:
		status := "New"
		if p.read {
			status = p.job.Status
		}
		body = s.spinnerLine(fmt.Sprintf("%s: S3 is listing the objects for the manifest · objects: counting…", status))
	case p.job.Status == awsops.JobSuspended && p.job.TotalTasks == 0:
		body = s.spinnerLine("No object matches: cancelling the empty job…")
	default:
		body = BackfillPreviewText(p.job, steps.EstimateBackfillCost(p.job.TotalTasks))
		switch {
		case p.asked == awsops.JobReady:
			body += "\n" + s.spinnerLine("starting the job…")
		case p.asked == awsops.JobCancelled:
			body += "\n" + s.spinnerLine("cancelling the job…")
		case p.job.Status == awsops.JobSuspended:
			body += "\n" + th.Warning.Render(fmt.Sprintf("Replicate these %s? ", plural(int(p.job.TotalTasks), "object"))) + "y run the job · n cancel it"
		}
	}
	return title + "\n" + wrapLines(body, s.width)
}

func (p *backfillPreviewPage) keyHelp() help.KeyMap {
	b := p.s.bindings
	switch {
	case p.asked != "":
		return keyHelp{short: []key.Binding{b.Quit}}
	case p.job.Status == awsops.JobSuspended:
		return keyHelp{short: []key.Binding{withHelp(b.Yes, "y", "run the job"), withHelp(b.No, "n/esc", "cancel the job"), b.Quit}}
	case p.err == nil && p.s.backfill.job.ID != "" && !awsops.JobTerminal(p.job.Status):
		return keyHelp{short: []key.Binding{withHelp(b.No, "esc", "cancel the job"), b.Quit}}
	}
	return keyHelp{short: []key.Binding{b.Back, b.Quit}}
}
