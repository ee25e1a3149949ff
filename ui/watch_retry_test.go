package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// retryScript is a fake Batch Replication for the dashboard's retry: the plan, and
// the job's readings in order (the last repeats).
type retryScript struct {
	planErr                  error
	pending                  bool // the plan creates the batch role
	readings                 []awsops.Job
	plans, applies, starts   int
	reads, confirms, cancels int
	results                  int
	clock                    time.Time
}

const retryJobID = "4f1c2a9e-5d3b-4e7a-9c61-0a8b7d2e3f45"

func (s *retryScript) plan() *steps.BackfillPlan {
	p := &steps.BackfillPlan{Facts: steps.BackfillFacts{SourceAccount: "111111111111", SourceRegion: "us-east-1", SourceBucket: "acme-prod-orders",
		BatchRoleName: "s3repl-batch-acme-prod-orders", ReportBucket: "acme-prod-orders", ReportPrefix: "s3repl-batch/reports", Objects: steps.BackfillFailed},
		Changes: []steps.Change{}, Warnings: []string{}}
	if s.pending {
		p.Changes = append(p.Changes, steps.Change{ID: "batch-role-create", Title: "Create batch operations role s3repl-batch-acme-prod-orders",
			Side: steps.SourceSide, Account: "111111111111", Region: "us-east-1", Resource: "arn:aws:iam::111111111111:role/s3repl-batch-acme-prod-orders",
			Action: steps.ActionCreate, After: "{\n  \"Principal\": {\n    \"Service\": \"batchoperations.s3.amazonaws.com\"\n  }\n}"})
	}
	return p
}

func (s *retryScript) deps() WatchRetryDeps {
	return WatchRetryDeps{
		Plan: func(context.Context) (*steps.BackfillPlan, error) {
			s.plans++
			if s.planErr != nil {
				return nil, s.planErr
			}
			return s.plan(), nil
		},
		Apply: func(context.Context, *steps.BackfillPlan) error { s.applies++; return nil },
		Start: func(context.Context, *steps.BackfillPlan) (steps.StartedJob, error) {
			s.starts++
			return steps.StartedJob{ID: retryJobID, Objects: steps.BackfillFailed}, nil
		},
		Read: func(context.Context, string) (awsops.Job, error) {
			job := s.readings[min(s.reads, len(s.readings)-1)]
			s.reads++
			return job, nil
		},
		Confirm: func(context.Context, string) error { s.confirms++; return nil },
		Cancel:  func(context.Context, string) error { s.cancels++; return nil },
		Result: func(_ context.Context, job awsops.Job) (steps.BackfillResult, error) {
			s.results++
			r := steps.BackfillResult{Job: job, Total: job.TotalTasks, Succeeded: job.Succeeded, Failed: job.Failed,
				Groups: []steps.BackfillFailureGroup{}, Report: "s3://acme-prod-orders/s3repl-batch/reports/job-" + retryJobID + "/"}
			if job.Failed > 0 {
				r.Groups = append(r.Groups, steps.BackfillFailureGroup{Code: "DstPutObjectNotPermitted", Count: job.Failed,
					Examples: []string{"orders/2026/11/27/00004.csv (3HL4kqtJvjVBH40Nr8X8gdRQBpUMLUo00004)"}, Reason: steps.ExplainFailureReason("DstPutObjectNotPermitted")})
			}
			return r, nil
		},
		NextPoll: func(time.Duration) time.Duration { return time.Millisecond },
		Now:      func() time.Time { s.clock = s.clock.Add(2 * time.Second); return s.clock },
	}
}

// newRetryScript is a job of n FAILED objects: preparing, then waiting for
// confirmation, then a third done, then done, failing failAgain of them.
func newRetryScript(n, failAgain int64) *retryScript {
	job := func(status string, succeeded, failed int64, total int64) awsops.Job {
		return awsops.Job{ID: retryJobID, Status: status, TotalTasks: total, Succeeded: succeeded, Failed: failed,
			ElapsedActive: time.Duration(succeeded+failed) * time.Second, ReportBucketARN: "arn:aws:s3:::acme-prod-orders", ReportPrefix: "s3repl-batch/reports"}
	}
	return &retryScript{pending: true, clock: watchAt, readings: []awsops.Job{
		job(awsops.JobPreparing, 0, 0, 0),
		job(awsops.JobSuspended, 0, 0, n),
		job(awsops.JobActive, n/3, 0, n),
		job(awsops.JobComplete, n-failAgain, failAgain, n),
	}}
}

// failingDashboard is the dashboard after the doctor's fixes were applied, with
// failures read and the retry wired to script.
func failingDashboard(t *testing.T, width, height int, script *retryScript) WatchDashboard {
	t.Helper()
	calls := &watchCalls{}
	d := newTestDashboard(width, height, calls)
	d.deps.Retry = script.deps()
	d = send(d, watchReadMsg{report: watchReport(180, failureEvents(3, "DstPutObjectNotPermitted"), ready)})
	return press(press(press(d, 'd'), 'a'), 'y')
}

// pressUntil sends a key and runs the commands that follow, as Bubble Tea would,
// until stop says so or nothing follows; the dashboard's own read timer is not run.
func pressUntil(t *testing.T, d WatchDashboard, k rune, stop func(WatchDashboard) bool) WatchDashboard {
	t.Helper()
	m, cmd := d.Update(tea.KeyPressMsg{Code: k, Text: string(k)})
	d = m.(WatchDashboard)
	for steps := 0; cmd != nil && !stop(d); steps++ {
		if steps > 100 {
			t.Fatal("the retry does not settle")
		}
		msg := cmd()
		if _, quit := msg.(tea.QuitMsg); quit {
			t.Fatal("the retry quit the dashboard")
		}
		if msg == nil {
			break
		}
		m, cmd = d.Update(msg)
		d = m.(WatchDashboard)
	}
	return d
}

func phaseIs(p retryPhase) func(WatchDashboard) bool {
	return func(d WatchDashboard) bool { return d.retry.phase == p }
}

// plainView is the view without styles, its lines joined as one text, so that a
// wrap does not hide a phrase.
func plainView(d WatchDashboard) string {
	return strings.Join(strings.Fields(ansi.Strip(d.View().Content)), " ")
}

func expectView(t *testing.T, d WatchDashboard, wants ...string) {
	t.Helper()
	view := plainView(d)
	for _, want := range wants {
		if !strings.Contains(view, want) {
			t.Errorf("the dashboard does not show %q:\n%s", want, view)
		}
	}
}

// TestWatchRetryFromFixToEveryObjectReplicated: after the fixes, r plans the batch
// role (y makes it), creates the job, shows its count and estimated cost while it
// waits (y runs it), its progress, and the result; the dashboard then says so.
func TestWatchRetryFromFixToEveryObjectReplicated(t *testing.T) {
	script := newRetryScript(3, 0)
	d := failingDashboard(t, 120, 40, script)
	expectView(t, d, "Fixes applied", "r retries them with Batch Replication", "r retry the failed")
	d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
	expectView(t, d, "Retry the FAILED objects", "Create batch operations role s3repl-batch-acme-prod-orders", "Make 1 change in account 111111111111, then create the job?")
	d = pressUntil(t, d, 'y', phaseIs(retryPreview))
	if script.applies != 1 || script.starts != 1 || script.reads != 2 {
		t.Fatalf("applied %d, started %d, read %d times; want 1, 1 and 2 (preparing, then suspended)", script.applies, script.starts, script.reads)
	}
	expectView(t, d, "objects to replicate: 3", "estimated Batch Operations fees", "Replicate these 3 objects?")
	d = pressUntil(t, d, 'y', phaseIs(retryDone))
	if script.confirms != 1 || script.results != 1 || script.cancels != 0 {
		t.Fatalf("confirmed %d, results read %d, cancelled %d; want 1, 1, 0", script.confirms, script.results, script.cancels)
	}
	expectView(t, d, "3 succeeded, 0 failed of 3", "Every FAILED object replicated")
	d = send(d, tea.KeyPressMsg{Code: tea.KeyEscape})
	if d.retryOpen() {
		t.Fatal("esc did not close the retry's result")
	}
	expectView(t, d, "Retry job "+retryJobID+": 3 of 3 FAILED objects replicated.")
}

// TestWatchRetryDropsLateResults: a retry closed while its plan is on the way, or
// left while its job runs, ignores what arrives after; leaving a running job says
// it keeps running and how to watch it again, and cancels nothing.
func TestWatchRetryDropsLateResults(t *testing.T) {
	script := newRetryScript(3, 0)
	d := failingDashboard(t, 120, 40, script)
	m, planning := d.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	d = send(m.(WatchDashboard), tea.KeyPressMsg{Code: tea.KeyEscape})
	d = send(d, planning())
	if d.retryOpen() || strings.Contains(plainView(d), "Create IAM role") {
		t.Fatal("a plan that arrived after esc was shown")
	}

	d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
	d = pressUntil(t, d, 'y', phaseIs(retryPreview))
	d = pressUntil(t, d, 'y', func(d WatchDashboard) bool {
		return d.retry.phase == retryRunning && d.retry.panel.Job().Status == awsops.JobActive
	})
	expectView(t, d, "Batch Replication", "succeeded 1", "total 3", "esc detach")
	m, nextPoll := d.Update(watchRetryMsg{gen: d.retry.gen, msg: backfillPollMsg{}})
	d = send(m.(WatchDashboard), tea.KeyPressMsg{Code: tea.KeyEscape})
	expectView(t, d, "keeps running in S3 (1 of 3 done, 0 failed when you left it)", "s3repl backfill --job "+retryJobID+" -f setup.yaml")
	d = send(d, nextPoll())
	if d.retryOpen() || script.results != 0 || script.cancels != 0 {
		t.Fatalf("after leaving: open %v, results %d, cancels %d", d.retryOpen(), script.results, script.cancels)
	}
}

// TestWatchRetryRefusedSaysWhyAndTriesAgain: a setup the doctor finds broken is
// refused before anything changes; r tries again once it is fixed.
func TestWatchRetryRefusedSaysWhyAndTriesAgain(t *testing.T) {
	script := newRetryScript(3, 0)
	script.planErr = errors.New("a backfill onto this setup cannot work, so nothing was changed")
	d := failingDashboard(t, 120, 40, script)
	d = pressUntil(t, d, 'r', phaseIs(retryDone))
	expectView(t, d, "Nothing was changed: a backfill onto this setup cannot work", "r try again")
	script.planErr = nil
	d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
	if script.plans != 2 {
		t.Errorf("planned %d times, want 2", script.plans)
	}
	d = pressUntil(t, d, 'n', phaseIs(retryOff))
	if d.retryOpen() || script.applies != 0 || script.starts != 0 {
		t.Errorf("n on the plan: open %v, applied %d, started %d", d.retryOpen(), script.applies, script.starts)
	}
}

// TestWatchRetryCancelledFromThePreview: n on the preview cancels the job, which
// would otherwise wait in S3.
func TestWatchRetryCancelledFromThePreview(t *testing.T) {
	script := newRetryScript(3, 0)
	d := failingDashboard(t, 80, 24, script)
	d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
	d = pressUntil(t, d, 'y', phaseIs(retryPreview))
	d = pressUntil(t, d, 'n', phaseIs(retryDone))
	if script.cancels != 1 || script.confirms != 0 {
		t.Fatalf("cancelled %d, confirmed %d", script.cancels, script.confirms)
	}
	expectView(t, d, "cancelled before it ran: nothing was replicated")
}

// TestWatchRetryKeyOnlyWithFailures: without failures, or without the means, r
// does nothing, and the way out names the command.
func TestWatchRetryKeyOnlyWithFailures(t *testing.T) {
	script := newRetryScript(3, 0)
	d := newTestDashboard(120, 40, &watchCalls{})
	d.deps.Retry = script.deps()
	d = send(d, watchReadMsg{report: watchReport(10, nil, ready)})
	if d = press(d, 'r'); d.retryOpen() || script.plans != 0 {
		t.Fatal("r retried with no failures seen")
	}
	bare := send(newTestDashboard(120, 40, &watchCalls{}), watchReadMsg{report: watchReport(10, failureEvents(2, "DstPutObjectNotPermitted"), ready)})
	if bare = press(bare, 'r'); bare.retryOpen() {
		t.Fatal("r opened a retry without the means")
	}
	expectView(t, bare, "Way out: d doctor → a apply its fixes → s3repl backfill -f setup.yaml --objects failed")
}

func TestWatchRetryStates(t *testing.T) {
	cases := map[string]func(*testing.T, WatchDashboard) WatchDashboard{
		"retry-plan": func(t *testing.T, d WatchDashboard) WatchDashboard {
			return pressUntil(t, d, 'r', phaseIs(retryPlanned))
		},
		"retry-preview": func(t *testing.T, d WatchDashboard) WatchDashboard {
			d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
			return pressUntil(t, d, 'y', phaseIs(retryPreview))
		},
		"retry-running": func(t *testing.T, d WatchDashboard) WatchDashboard {
			d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
			d = pressUntil(t, d, 'y', phaseIs(retryPreview))
			return pressUntil(t, d, 'y', func(d WatchDashboard) bool { return d.retry.panel.Job().Status == awsops.JobActive })
		},
		"retry-done": func(t *testing.T, d WatchDashboard) WatchDashboard {
			d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
			d = pressUntil(t, d, 'y', phaseIs(retryPreview))
			return pressUntil(t, d, 'y', phaseIs(retryDone))
		},
		"retry-failed-again": func(t *testing.T, d WatchDashboard) WatchDashboard {
			d.deps.Retry = newRetryScript(12, 2).deps()
			d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
			d = pressUntil(t, d, 'y', phaseIs(retryPreview))
			return pressUntil(t, d, 'y', phaseIs(retryDone))
		},
		"retry-closed": func(t *testing.T, d WatchDashboard) WatchDashboard {
			d = pressUntil(t, d, 'r', phaseIs(retryPlanned))
			d = pressUntil(t, d, 'y', phaseIs(retryPreview))
			d = pressUntil(t, d, 'y', phaseIs(retryDone))
			return send(d, tea.KeyPressMsg{Code: tea.KeyEscape})
		},
	}
	for name, drive := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), func(t *testing.T) {
				d := drive(t, failingDashboard(t, size[0], size[1], newRetryScript(3, 0)))
				requireFullScreenGolden(t, d.View().Content, size[0], size[1])
			})
		}
	}
}

// TestWatchPageRetriesTheFailedObjects: the wizard's watch page (w on the status
// panel) wires the retry, and its keys work there as in `s3repl watch`: esc closes
// the retry first, then goes back to the status panel.
func TestWatchPageRetriesTheFailedObjects(t *testing.T) {
	d, _ := watchFromPanel(t)
	d.press("w")
	d.on(pageWatch)
	wp := d.w.pages[pageWatch].(*watchPage)
	if wp.dash == nil || wp.dash.deps.Retry.Plan == nil {
		t.Fatal("the wizard's watch page does not wire the retry")
	}
	script := newRetryScript(3, 0)
	wp.dash.deps.Retry = script.deps()
	d.send(watchReadMsg{report: watchReport(10, failureEvents(3, "DstPutObjectNotPermitted"), ready)})
	d.expect("r retry the failed")
	d.press("r")
	d.expect("then create the job?")
	d.press("esc")
	d.on(pageWatch)
	d.expectNot("then create the job?")
	d.press("r", "y")
	d.expect("Replicate these 3 objects?")
	d.press("y")
	d.expect("Every FAILED object replicated")
	if script.applies != 1 || script.confirms != 1 {
		t.Errorf("applied %d, confirmed %d; want once each", script.applies, script.confirms)
	}
	d.press("esc")
	d.on(pageWatch)
	d.expect("3 of 3 FAILED objects replicated")
	d.press("esc")
	d.on(pageVerify)
}
