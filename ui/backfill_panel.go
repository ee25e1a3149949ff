package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// BackfillPanelFuncs are what the progress panel runs, injected so it works against
// AWS, the simulated cloud or a test script alike.
type BackfillPanelFuncs struct {
	// Poll reads the job once (DescribeJob).
	Poll func(ctx context.Context) (awsops.Job, error)
	// Now tells the time of a reading; time.Now when nil.
	Now func() time.Time
	// NextPoll is the wait after a reading that waited last; steps.NextPoll when nil.
	NextPoll func(last time.Duration) time.Duration
}

// BackfillPanelInfo is what the panel says about the job besides its progress.
type BackfillPanelInfo struct {
	JobID, Bucket, Region, Objects string
	// WatchCommand is how to watch the job again after detaching.
	WatchCommand string
}

type (
	backfillJobMsg struct {
		job awsops.Job
		err error
		at  time.Time
	}
	backfillPollMsg struct{}
)

// backfillKeys are the panel's keys: detaching is all it offers, the job runs in S3.
var backfillKeys = struct{ Detach key.Binding }{
	Detach: key.NewBinding(key.WithKeys("ctrl+c", "q", "esc"), key.WithHelp("ctrl+c", "detach (the job keeps running)")),
}

// BackfillPanel is the live progress of a Batch Replication job: a bar, the tasks
// succeeded, failed and in all, the rate, the time it has run and the time left.
// It ends when the job does, or when the user detaches (the job keeps running).
type BackfillPanel struct {
	funcs BackfillPanelFuncs
	info  BackfillPanelInfo
	ctx   context.Context

	job      awsops.Job
	seen     bool
	err      error
	detached bool
	done     bool

	started   time.Time // the first reading
	firstDone int64     // tasks done at the first reading
	last      time.Time // the latest reading
	wait      time.Duration

	bar   progress.Model
	width int
}

// NewBackfillPanel makes the panel for one job.
func NewBackfillPanel(ctx context.Context, funcs BackfillPanelFuncs, info BackfillPanelInfo) BackfillPanel {
	if funcs.Now == nil {
		funcs.Now = time.Now
	}
	if funcs.NextPoll == nil {
		funcs.NextPoll = steps.NextPoll
	}
	return BackfillPanel{funcs: funcs, info: info, ctx: ctx, width: 80,
		bar: progress.New(progress.WithoutPercentage(), progress.WithWidth(60))}
}

// Job is the latest reading of the job.
func (p BackfillPanel) Job() awsops.Job { return p.job }

// Detached reports whether the user left the job running.
func (p BackfillPanel) Detached() bool { return p.detached }

// Err is why the job could not be read.
func (p BackfillPanel) Err() error { return p.err }

func (p BackfillPanel) Init() tea.Cmd { return p.poll() }

// poll reads the job in a command: no I/O in Update.
func (p BackfillPanel) poll() tea.Cmd {
	return func() tea.Msg {
		job, err := p.funcs.Poll(p.ctx)
		return backfillJobMsg{job: job, err: err, at: p.funcs.Now()}
	}
}

func (p BackfillPanel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.width = msg.Width
		p.bar.SetWidth(max(10, min(msg.Width-8, 100)))
		return p, nil
	case tea.KeyPressMsg:
		if key.Matches(msg, backfillKeys.Detach) {
			p.detached = true
			return p, tea.Quit
		}
	case backfillJobMsg:
		return p.observe(msg)
	case backfillPollMsg:
		return p, p.poll()
	}
	return p, nil
}

// observe takes a reading in; the wait before the next grows while nothing moves.
func (p BackfillPanel) observe(msg backfillJobMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		p.err = msg.err
		return p, tea.Quit
	}
	done := msg.job.Succeeded + msg.job.Failed
	if !p.seen || msg.job.Status != awsops.JobActive && p.job.Status != awsops.JobActive {
		p.started, p.firstDone = msg.at, done
	}
	moved := done != p.job.Succeeded+p.job.Failed || msg.job.Status != p.job.Status
	p.job, p.seen, p.last = msg.job, true, msg.at
	if awsops.JobTerminal(msg.job.Status) {
		p.done = true
		return p, tea.Quit
	}
	if moved {
		p.wait = 0
	}
	p.wait = min(p.funcs.NextPoll(p.wait), 5*time.Second) // a live bar: at most 5 s between readings
	return p, tea.Tick(p.wait, func(time.Time) tea.Msg { return backfillPollMsg{} })
}

// rate is tasks per second over what the panel has watched, or over the job's active
// time when the panel has seen no progress yet.
func (p BackfillPanel) rate() float64 {
	done := p.job.Succeeded + p.job.Failed
	if span := p.last.Sub(p.started).Seconds(); span > 0 && done > p.firstDone {
		return float64(done-p.firstDone) / span
	}
	if secs := p.job.ElapsedActive.Seconds(); secs > 0 && done > 0 {
		return float64(done) / secs
	}
	return 0
}

func (p BackfillPanel) elapsed() time.Duration {
	return max(p.job.ElapsedActive, p.last.Sub(p.started))
}

func (p BackfillPanel) View() tea.View { return tea.NewView(p.Frame()) }

// Frame is the panel's text.
func (p BackfillPanel) Frame() string {
	var b strings.Builder
	width := max(p.width, 20)
	title := StyleTitle.Render("Batch Replication") + StyleMuted.Render(" · job "+p.info.JobID)
	b.WriteString(ansi.Truncate(title, width-len(p.job.Status)-3, "…") + "  " + statusStyle(p.job.Status) + "\n")
	where := fmt.Sprintf("s3://%s (%s)", p.info.Bucket, p.info.Region)
	if p.info.Objects != "" {
		where += " · objects: " + p.info.Objects
	}
	b.WriteString(StyleMuted.Render(ansi.Truncate(where, width, "…")) + "\n\n")
	total, done := p.job.TotalTasks, p.job.Succeeded+p.job.Failed
	switch {
	case !p.seen:
		b.WriteString("reading the job…\n")
	case total == 0 && (p.job.Status == awsops.JobNew || p.job.Status == awsops.JobPreparing):
		b.WriteString("S3 is preparing the manifest: counting the objects…\n")
	default:
		percent := 0.0
		if total > 0 {
			percent = float64(done) / float64(total)
		}
		b.WriteString(p.bar.ViewAs(percent) + fmt.Sprintf(" %3.0f%%", percent*100) + "\n\n")
		failed := fmt.Sprintf("failed %s", count(p.job.Failed))
		if p.job.Failed > 0 {
			failed = StyleError.Render(failed)
		}
		fmt.Fprintf(&b, "  %s   %s   total %s\n", StyleOK.Render("succeeded "+count(p.job.Succeeded)), failed, count(total))
		fmt.Fprintf(&b, "  rate %s   elapsed %s   ETA %s\n", p.rateText(), clock(p.elapsed()), p.eta(total-done))
	}
	b.WriteString("\n" + p.footer(width) + "\n")
	return b.String()
}

func (p BackfillPanel) rateText() string {
	r := p.rate()
	switch {
	case r == 0:
		return "–"
	case r < 10:
		return fmt.Sprintf("%.1f/s", r)
	}
	return fmt.Sprintf("%s/s", count(int64(r+0.5)))
}

func (p BackfillPanel) eta(remaining int64) string {
	r := p.rate()
	switch {
	case remaining <= 0:
		return "0s"
	case r == 0:
		return "–"
	}
	return clock(time.Duration(float64(remaining) / r * float64(time.Second)))
}

func (p BackfillPanel) footer(width int) string {
	switch {
	case p.err != nil:
		return StyleError.Render("could not read the job: ") + p.err.Error()
	case p.detached:
		return wrapText("Detached: the job keeps running in S3. Watch it again: "+p.info.WatchCommand, width)
	case p.done:
		return ""
	}
	return StyleMuted.Render("ctrl+c detach · the job keeps running in S3")
}

func statusStyle(status string) string {
	switch status {
	case awsops.JobComplete:
		return StyleOK.Render(status)
	case awsops.JobFailed, awsops.JobFailing, awsops.JobCancelled, awsops.JobCancelling:
		return StyleError.Render(status)
	case "":
		return StyleMuted.Render("…")
	}
	return StyleHunk.Render(status)
}

// count writes a number with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// clock is a duration for people: 42s, 3m05s, 2h07m.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
