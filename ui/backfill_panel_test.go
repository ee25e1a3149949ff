package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3repl/s3repl/awsops"
)

var backfillStart = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func backfillJob(status string, total, succeeded, failed int64, active time.Duration) awsops.Job {
	return awsops.Job{ID: "5b1c2a3d-0000-4000-8000-00000000abcd", Status: status, TotalTasks: total,
		Succeeded: succeeded, Failed: failed, ElapsedActive: active}
}

func newTestBackfillPanel(width, height int) BackfillPanel {
	p := NewBackfillPanel(context.Background(), BackfillPanelFuncs{Poll: func(context.Context) (awsops.Job, error) { return awsops.Job{}, nil }},
		BackfillPanelInfo{JobID: "5b1c2a3d-0000-4000-8000-00000000abcd", Bucket: "acme-prod-orders", Region: "us-east-1",
			Objects: "both", WatchCommand: "s3repl backfill --job 5b1c2a3d-0000-4000-8000-00000000abcd -f setup.yaml"})
	m, _ := p.Update(tea.WindowSizeMsg{Width: width, Height: height})
	return m.(BackfillPanel)
}

// feed gives the panel readings, one every two seconds.
func feed(p BackfillPanel, jobs ...awsops.Job) (BackfillPanel, tea.Cmd) {
	var cmd tea.Cmd
	for i, j := range jobs {
		var m tea.Model
		m, cmd = p.Update(backfillJobMsg{job: j, at: backfillStart.Add(time.Duration(2*i) * time.Second)})
		p = m.(BackfillPanel)
	}
	return p, cmd
}

func TestBackfillPanelStates(t *testing.T) {
	preparing := backfillJob(awsops.JobPreparing, 0, 0, 0, 0)
	cases := map[string][]awsops.Job{
		"preparing": {preparing},
		"running": {backfillJob(awsops.JobActive, 1_200_000, 100_000, 0, 50*time.Second),
			backfillJob(awsops.JobActive, 1_200_000, 104_000, 12, 52*time.Second)},
		"complete": {backfillJob(awsops.JobActive, 303, 100, 20, 2*time.Second), backfillJob(awsops.JobComplete, 303, 243, 60, 5*time.Second)},
	}
	for name, jobs := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), func(t *testing.T) {
				p, _ := feed(newTestBackfillPanel(size[0], size[1]), jobs...)
				golden.RequireEqual(t, p.View().Content)
			})
		}
	}
}

func TestBackfillPanelShowsRateAndETA(t *testing.T) {
	p, cmd := feed(newTestBackfillPanel(80, 24),
		backfillJob(awsops.JobActive, 1000, 100, 0, 10*time.Second),
		backfillJob(awsops.JobActive, 1000, 300, 0, 12*time.Second))
	frame := p.Frame()
	// 200 tasks in the 2 s watched: 100/s, 700 left: 7 s.
	for _, want := range []string{"100/s", "ETA 7s", "elapsed 12s", "30%", "succeeded 300", "total 1,000"} {
		if !strings.Contains(frame, want) {
			t.Errorf("frame lacks %q:\n%s", want, frame)
		}
	}
	if cmd == nil {
		t.Error("a running job schedules no next reading")
	}
}

func TestBackfillPanelDetachesAndSaysHowToWatchAgain(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			p, _ := feed(newTestBackfillPanel(size[0], size[1]), backfillJob(awsops.JobActive, 303, 100, 0, 2*time.Second))
			m, cmd := p.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
			p = m.(BackfillPanel)
			if !p.Detached() || cmd == nil {
				t.Fatalf("ctrl+c: detached %v, quit %v", p.Detached(), cmd != nil)
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Error("ctrl+c does not quit the panel")
			}
			frame := p.Frame()
			if !strings.Contains(strings.Join(strings.Fields(frame), " "), "s3repl backfill --job 5b1c2a3d-0000-4000-8000-00000000abcd -f setup.yaml") {
				t.Errorf("the detached panel does not say how to watch again:\n%s", frame)
			}
			golden.RequireEqual(t, p.View().Content)
		})
	}
}

func TestBackfillPanelEndsWithTheJob(t *testing.T) {
	p, cmd := feed(newTestBackfillPanel(80, 24), backfillJob(awsops.JobFailed, 2000, 100, 1000, time.Minute))
	if cmd == nil {
		t.Fatal("a Failed job does not end the panel")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok || p.Job().Status != awsops.JobFailed {
		t.Errorf("panel after a Failed job: %s", p.Job().Status)
	}
}

// BenchmarkBackfillPanelFrame is one frame of a running job.
func BenchmarkBackfillPanelFrame(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			p, _ := feed(newTestBackfillPanel(size[0], size[1]),
				backfillJob(awsops.JobActive, 1_200_000, 100_000, 0, 50*time.Second),
				backfillJob(awsops.JobActive, 1_200_000, 104_000, 12, 52*time.Second))
			b.ReportAllocs()
			for b.Loop() {
				_ = p.View()
			}
		})
	}
}
