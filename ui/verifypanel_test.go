package ui

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/s3repl/s3repl/steps"
)

var started = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func checks(statuses ...steps.CheckStatus) []steps.VerifyCheck {
	names := []string{steps.CheckUploaded, steps.CheckSourceStatus, steps.CheckReplicaExists, steps.CheckReplicaStatus, steps.CheckReplicaKey, steps.CheckReplicaBucket}
	details := []string{"version v1", "COMPLETED", "version v1", "REPLICA", "arn:aws:kms:eu-west-1:222222222222:key/replica", "Bucket Key on"}
	out := make([]steps.VerifyCheck, len(names))
	for i, name := range names {
		out[i] = steps.VerifyCheck{Name: name, Status: statuses[i]}
		if statuses[i] != steps.CheckWaiting {
			out[i].Detail = details[i]
		}
	}
	return out
}

func report(outcome steps.Outcome, elapsed time.Duration, status string, cs []steps.VerifyCheck) steps.VerifyReport {
	return steps.VerifyReport{
		Outcome: outcome, SourceBucket: "my-src", SourceRegion: "us-east-1", DestBucket: "my-dst", DestRegion: "eu-west-1",
		Key: "s3repl-test-20261126T120000Z.txt", VersionID: "v1", ReplicaKeyARN: "arn:aws:kms:eu-west-1:222222222222:key/replica",
		Started: started, Elapsed: elapsed, Checks: cs,
		Timeline: []steps.VerifyEvent{{Time: started.Add(elapsed), Elapsed: elapsed, SourceStatus: status}},
	}
}

var (
	w, p, f  = steps.CheckWaiting, steps.CheckPassed, steps.CheckFailed
	pending  = report(steps.OutcomeWatching, 3*time.Second, "PENDING", checks(p, w, w, w, w, w))
	complete = func() steps.VerifyReport {
		r := report(steps.OutcomeCompleted, 9*time.Second, "COMPLETED", checks(p, p, p, p, p, p))
		r.Explanation = "replicated in 9s"
		return r
	}()
	failedRun = func() steps.VerifyReport {
		r := report(steps.OutcomeFailed, 6*time.Second, "FAILED", checks(p, f, w, w, w, w))
		r.Checks[1].Detail = "FAILED: S3 will not retry it; run `s3repl doctor` to find out why"
		r.Explanation = "replication FAILED: permissions, KMS or bucket settings stop S3; `s3repl doctor` checks each"
		return r
	}()
	notMatched = func() steps.VerifyReport {
		r := report(steps.OutcomeNotMatched, time.Second, "", checks(p, f, w, w, w, w))
		r.Checks[1].Detail = "none: the object matched no rule"
		r.Explanation = "the object matched no enabled rule"
		return r
	}()
	timedOut = func() steps.VerifyReport {
		r := report(steps.OutcomeTimedOut, 15*time.Minute, "PENDING", checks(p, w, w, w, w, w))
		r.Explanation = "the object is still PENDING; transient AWS issues keep objects PENDING, and the doctor checks the setup"
		return r
	}()
)

// scripted plays reports as Verify would, then ends with the last.
func scripted(reports ...steps.VerifyReport) VerifyFuncs {
	return VerifyFuncs{
		Verify: func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error) {
			for _, r := range reports {
				onUpdate(r)
			}
			return reports[len(reports)-1], nil
		},
		Doctor: func(context.Context) (steps.DoctorReport, error) {
			return steps.DoctorReport{Checks: []steps.DoctorCheck{
				{ID: "role-trust", Title: "The role trusts S3 for this bucket", Status: steps.DoctorPassed, Evidence: "statement \"S3replTrustS3\" allows it"},
				{ID: "destination-key-policy", Title: "Replica key policy lets the role encrypt", Status: steps.DoctorFailed,
					Evidence: "kms:GenerateDataKey: no statement of the key policy allows it (DstPutObjectNotPermitted)", Fix: "s3repl apply adds a statement for the role"},
			}}, nil
		},
		Cleanup: func(context.Context, steps.VerifyReport) error { return nil },
	}
}

func runPanel(t *testing.T, width, height int, funcs VerifyFuncs, waitFor string, keys string) VerifyPanel {
	t.Helper()
	tm := teatest.NewTestModel(t, NewVerifyPanel(context.Background(), funcs),
		teatest.WithInitialTermSize(width, height),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(waitFor)) },
		teatest.WithDuration(5*time.Second))
	for _, k := range keys {
		tm.Send(tea.KeyPressMsg{Code: k, Text: string(k)})
	}
	if keys == "" {
		tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(VerifyPanel)
}

func TestVerifyPanelStates(t *testing.T) {
	cases := map[string]struct {
		funcs   VerifyFuncs
		waitFor string
		keys    string
		outcome steps.Outcome
	}{
		"completed-deleted": {scripted(pending, complete), "k keep", "d", steps.OutcomeCompleted},
		"failed-doctor":     {scripted(pending, failedRun), "k keep", "k", steps.OutcomeFailed},
		"not-matched":       {scripted(notMatched), "k keep", "k", steps.OutcomeNotMatched},
		"timed-out":         {scripted(pending, timedOut), "k keep", "k", steps.OutcomeTimedOut},
	}
	for name, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), func(t *testing.T) {
				panel := runPanel(t, size[0], size[1], tc.funcs, tc.waitFor, tc.keys)
				if panel.Report().Outcome != tc.outcome {
					t.Fatalf("outcome %s", panel.Report().Outcome)
				}
				golden.RequireEqual(t, panel.View().Content)
			})
		}
	}
}

func TestVerifyPanelStopsWatchingOnQuit(t *testing.T) {
	funcs := scripted(pending)
	funcs.Verify = func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error) {
		onUpdate(pending)
		<-ctx.Done()
		stopped := pending
		stopped.Outcome, stopped.Explanation = steps.OutcomeStopped, "the test object stays where it is"
		return stopped, nil
	}
	tm := teatest.NewTestModel(t, NewVerifyPanel(context.Background(), funcs), teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("PENDING")) }, teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"}) // stops watching
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Stopped watching after")) }, teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'k', Text: "k"})
	panel := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(VerifyPanel)
	if panel.Report().Outcome != steps.OutcomeStopped {
		t.Fatalf("outcome %s", panel.Report().Outcome)
	}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// TestQuitWaitsForTheWrites: q while the doctor's fixes are written, or the test
// objects deleted, quit `s3repl verify` at once, and the writes were cut short. The
// panel now ends once they are done.
func TestQuitWaitsForTheWrites(t *testing.T) {
	t.Run("fixes", func(t *testing.T) {
		funcs := scripted(failedRun)
		funcs.Fix = func(context.Context, steps.DoctorReport) (string, error) { return "", nil }
		var m tea.Model = NewVerifyPanel(context.Background(), funcs)
		m, _ = m.Update(verifyDoneMsg{report: failedRun})
		m, _ = m.Update(doctorDoneMsg{report: steps.DoctorReport{Fixes: []steps.Change{{ID: "x"}}, Plan: &steps.Plan{}}})
		m, _ = m.Update(keyPress("a"))
		m, _ = m.Update(keyPress("y"))
		if !m.(VerifyPanel).Fixing() {
			t.Fatal("not applying the fixes")
		}
		m, cmd := m.Update(keyPress("q"))
		if isQuit(cmd) {
			t.Fatal("q quit while the fixes were being written")
		}
		if _, cmd = m.Update(fixDoneMsg{}); !isQuit(cmd) {
			t.Fatal("the panel did not end once the fixes were written")
		}
	})
	t.Run("clean-up", func(t *testing.T) {
		var m tea.Model = NewVerifyPanel(context.Background(), scripted(complete))
		m, _ = m.Update(verifyDoneMsg{report: complete})
		m, _ = m.Update(keyPress("d"))
		m, cmd := m.Update(keyPress("q"))
		if isQuit(cmd) {
			t.Fatal("q quit while the test objects were being deleted")
		}
		if _, cmd = m.Update(cleanupDoneMsg{}); !isQuit(cmd) {
			t.Fatal("the panel did not end once the test objects were deleted")
		}
	})
}
