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
	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

var watchAt = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// series is n points a minute apart ending at watchAt, valued by f.
func series(n int, f func(i int) float64) steps.Series {
	points := make([]awsops.MetricPoint, n)
	for i := range points {
		points[i] = awsops.MetricPoint{Time: watchAt.Add(time.Duration(i-n) * time.Minute), Value: f(i)}
	}
	return steps.Series{Points: points}
}

func failureEvents(n int, reasons ...string) []steps.FailureEvent {
	events := make([]steps.FailureEvent, n)
	for i := range events {
		events[i] = steps.FailureEvent{Time: watchAt.Add(time.Duration(i-n) * time.Second), Event: "Replication:OperationFailedReplication",
			Key: fmt.Sprintf("orders/2026/11/27/%05d.csv", i), VersionID: fmt.Sprintf("3HL4kqtJvjVBH40Nr8X8gdRQBpUMLUo%05d", i),
			Reason: reasons[i%len(reasons)], RuleID: "to-backup", Destination: "arn:aws:s3:::acme-backup-orders"}
	}
	return events
}

// watchReport is a reading of the demo's rule with points points per metric.
func watchReport(points int, events []steps.FailureEvent, status steps.WatchStatus) steps.WatchReport {
	r := steps.WatchReport{
		Rule: steps.WatchRule{SourceBucket: "acme-prod-orders", SourceRegion: "us-east-1", DestinationBucket: "acme-backup-orders",
			DestinationRegion: "eu-west-1", RuleID: "to-backup", Queue: "s3repl-watch-acme-prod-orders-to-backup-1a2b3c4d"},
		At: watchAt, Window: "3h0m0s", Status: status, Missing: status.Missing(), Events: events, Failures: steps.GroupFailures(events),
		Metrics: steps.WatchMetrics{
			OperationsPending: series(points, func(i int) float64 { return float64((i * 7) % 40) }),
			BytesPending:      series(points, func(i int) float64 { return float64((i*7)%40) * 2048 }),
			LatencySeconds:    series(points, func(i int) float64 { return float64(2 + i%5) }),
			OperationsFailed:  series(points, func(i int) float64 { return float64(min(len(events), i%3)) }),
		},
	}
	r.Latest = steps.WatchLatest{OperationsPending: r.Metrics.OperationsPending.Latest(), BytesPending: r.Metrics.BytesPending.Latest(),
		LatencySeconds: r.Metrics.LatencySeconds.Latest(), OperationsFailed: r.Metrics.OperationsFailed.Sum()}
	return r
}

var ready = steps.WatchStatus{RuleFound: true, MetricsOn: true, EventsOn: true}

func keyDoctor() steps.DoctorReport {
	return steps.DoctorReport{
		Checks: []steps.DoctorCheck{
			{ID: "destination-key-policy", Title: "Replica key policy lets the role encrypt", Status: steps.DoctorFailed,
				Evidence: "the key policy of arn:aws:kms:eu-west-1:222222222222:key/1234 has no statement for the role", Fix: "s3repl apply adds the statement"},
			{ID: "role-trust", Title: "S3 may assume the role", Status: steps.DoctorPassed, Evidence: "the trust policy lets s3.amazonaws.com in"},
		},
		Fixes: []steps.Change{{ID: "dst-key-policy", Title: "Let the role encrypt replicas with key arn:aws:kms:eu-west-1:222222222222:key/1234"}},
	}
}

type watchCalls struct {
	doctor, apply, plan, setup, read int
	next                             *steps.WatchReport // what Read answers
}

// setupPlan is the watch's plan for an unwatched rule, as PlanWatch makes it.
func setupPlan() *steps.Plan {
	return &steps.Plan{Changes: []steps.Change{
		{ID: "src-replication", Title: "Replication rule to-backup on acme-prod-orders", Side: steps.SourceSide, Account: "111111111111",
			Region: "us-east-1", Resource: "arn:aws:s3:::acme-prod-orders", Action: steps.ActionUpdate,
			Before: "{\n  \"Destination\": {\n    \"Bucket\": \"arn:aws:s3:::acme-backup-orders\"\n  }\n}",
			After:  "{\n  \"Destination\": {\n    \"Bucket\": \"arn:aws:s3:::acme-backup-orders\",\n    \"Metrics\": {\n      \"Status\": \"Enabled\"\n    }\n  }\n}"},
		{ID: "watch-queue", Title: "Create SQS queue s3repl-watch-acme-prod-orders-to-backup-1a2b3c4d for replication failure events",
			Side: steps.SourceSide, Account: "111111111111", Region: "us-east-1", Resource: "arn:aws:sqs:us-east-1:111111111111:s3repl-watch-acme-prod-orders-to-backup-1a2b3c4d",
			Action: steps.ActionCreate, After: "{\n  \"QueueName\": \"s3repl-watch-acme-prod-orders-to-backup-1a2b3c4d\"\n}"},
	}, Warnings: []string{}, Blockers: []string{}}
}

func newTestDashboard(width, height int, calls *watchCalls) WatchDashboard {
	d := NewWatchDashboard(context.Background(), WatchDeps{
		Read: func(context.Context) (steps.WatchReport, error) {
			calls.read++
			if calls.next == nil {
				return steps.WatchReport{}, errors.New("not in this test")
			}
			return *calls.next, nil
		},
		PlanSetup: func(context.Context) (*steps.Plan, error) { calls.plan++; return setupPlan(), nil },
		ApplySetup: func(context.Context, *steps.Plan) error {
			calls.setup++
			return nil
		},
		Doctor: func(context.Context) (steps.DoctorReport, error) { calls.doctor++; return keyDoctor(), nil },
		ApplyFixes: func(context.Context, steps.DoctorReport) error {
			calls.apply++
			return nil
		},
		Interval: 30 * time.Second, SetupFile: "setup.yaml",
	})
	return send(d, tea.WindowSizeMsg{Width: width, Height: height})
}

func send(d WatchDashboard, msg tea.Msg) WatchDashboard {
	m, _ := d.Update(msg)
	return m.(WatchDashboard)
}

// press sends a key and runs the commands that follow, as Bubble Tea would, up to
// a read's result (what follows it is the timer of the next read).
func press(d WatchDashboard, k rune) WatchDashboard {
	m, cmd := d.Update(tea.KeyPressMsg{Code: k, Text: string(k)})
	d = m.(WatchDashboard)
	for cmd != nil {
		msg := cmd()
		if _, quit := msg.(tea.QuitMsg); quit || msg == nil {
			return d
		}
		m, cmd = d.Update(msg)
		d = m.(WatchDashboard)
		if _, read := msg.(watchReadMsg); read {
			return d
		}
	}
	return d
}

func TestWatchDashboardStates(t *testing.T) {
	cases := map[string]func(WatchDashboard, *watchCalls) WatchDashboard{
		"healthy": func(d WatchDashboard, _ *watchCalls) WatchDashboard {
			return send(d, watchReadMsg{report: watchReport(180, nil, ready)})
		},
		"not-set-up": func(d WatchDashboard, _ *watchCalls) WatchDashboard {
			return send(d, watchReadMsg{report: watchReport(0, nil, steps.WatchStatus{RuleFound: true})})
		},
		"failures": func(d WatchDashboard, _ *watchCalls) WatchDashboard {
			d = send(d, watchReadMsg{report: watchReport(180, failureEvents(5, "DstPutObjectNotPermitted"), ready)})
			return send(d, watchReadMsg{report: watchReport(180, failureEvents(4, "DstPutObjectNotPermitted", "SrcGetObjectNotPermitted"), ready)})
		},
		"doctor": func(d WatchDashboard, calls *watchCalls) WatchDashboard {
			d = send(d, watchReadMsg{report: watchReport(180, failureEvents(3, "DstPutObjectNotPermitted"), ready)})
			return press(d, 'd')
		},
		"confirm": func(d WatchDashboard, calls *watchCalls) WatchDashboard {
			d = send(d, watchReadMsg{report: watchReport(180, failureEvents(3, "DstPutObjectNotPermitted"), ready)})
			return press(press(d, 'd'), 'a')
		},
		"setup-offered": func(d WatchDashboard, _ *watchCalls) WatchDashboard {
			d = send(d, watchReadMsg{report: watchReport(0, nil, steps.WatchStatus{RuleFound: true})})
			return press(d, 's')
		},
		"setup-applied": func(d WatchDashboard, calls *watchCalls) WatchDashboard {
			d = send(d, watchReadMsg{report: watchReport(0, nil, steps.WatchStatus{RuleFound: true})})
			healthy := watchReport(3, nil, ready)
			calls.next = &healthy
			d = press(press(d, 's'), 'y')
			if calls.plan != 1 || calls.setup != 1 {
				t.Errorf("setup planned %d times, applied %d times; want once each", calls.plan, calls.setup)
			}
			return d
		},
		"applied": func(d WatchDashboard, calls *watchCalls) WatchDashboard {
			d = send(d, watchReadMsg{report: watchReport(180, failureEvents(3, "DstPutObjectNotPermitted"), ready)})
			d = press(press(press(d, 'd'), 'a'), 'y')
			if calls.doctor != 1 || calls.apply != 1 {
				t.Errorf("doctor ran %d times, fixes applied %d times; want once each", calls.doctor, calls.apply)
			}
			return d
		},
	}
	for name, drive := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), func(t *testing.T) {
				calls := &watchCalls{}
				d := drive(newTestDashboard(size[0], size[1], calls), calls)
				requireFullScreenGolden(t, d.View().Content, size[0], size[1])
			})
		}
	}
}

func TestWatchDashboardSaysHowToSetUp(t *testing.T) {
	d := send(newTestDashboard(120, 40, &watchCalls{}), watchReadMsg{report: watchReport(0, nil, steps.WatchStatus{RuleFound: true})})
	view := ansi.Strip(d.View().Content)
	for _, want := range []string{"metrics are off", "not sent to an s3repl queue", "s shows the changes that set it up"} {
		if !strings.Contains(view, want) {
			t.Errorf("the dashboard does not say %q:\n%s", want, view)
		}
	}
}

func TestWatchDashboardTalliesFailuresAcrossReads(t *testing.T) {
	d := newTestDashboard(120, 40, &watchCalls{})
	d = send(d, watchReadMsg{report: watchReport(10, failureEvents(5, "DstPutObjectNotPermitted"), ready)})
	d = send(d, watchReadMsg{report: watchReport(10, failureEvents(9, "SrcGetObjectNotPermitted", "SrcGetObjectNotPermitted", "DstPutObjectNotPermitted"), ready)})
	g := d.failures.groups
	if d.failures.total != 14 || len(g) != 2 || g[0].Reason != "DstPutObjectNotPermitted" || g[0].Count != 8 || g[1].Count != 6 {
		t.Errorf("tally %d: %+v", d.failures.total, g)
	}
	if len(g[0].Examples) != 3 {
		t.Errorf("a group names %d objects, want 3", len(g[0].Examples))
	}
}

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		values []float64
		width  int
		want   string
	}{
		{nil, 4, "▁▁▁▁"},
		{[]float64{0, 1, 2, 4}, 4, "▁▃▅█"},
		{[]float64{4, 4}, 4, "▁▁██"},
		{[]float64{1, 8, 1, 1, 2, 2, 1, 8}, 4, "█▂▃█"},
	} {
		if got := Sparkline(c.values, c.width); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %s, want %s", c.values, c.width, got, c.want)
		}
	}
}

// BenchmarkWatchFrame draws one dashboard frame with a day of metrics (1,440
// one-minute points per metric) and 10,000 failure events received.
func BenchmarkWatchFrame(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			d := newTestDashboard(size[0], size[1], &watchCalls{})
			reasons := []string{"DstPutObjectNotPermitted", "SrcGetObjectNotPermitted", "DstKmsKeyInvalidState", "AssumeRoleNotPermitted"}
			d = send(d, watchReadMsg{report: watchReport(1440, failureEvents(10_000, reasons...), ready)})
			b.ReportAllocs()
			for b.Loop() {
				_ = d.View()
			}
		})
	}
}

// TestWatchText is `watch --once` for people: healthy, and failing with the way out.
func TestWatchText(t *testing.T) {
	failing := watchReport(30, failureEvents(4, "DstPutObjectNotPermitted", "DstPutObjectNotPermitted", "AssumeRoleNotPermitted"), ready)
	failing.MissedThreshold = 1
	failing.OK = false
	failing.Problems = []string{"replication failed: 4 failure events read now, 30 operations failed in the last 3h0m0s"}
	failing.Next = steps.WayOut("setup.yaml")
	healthy := watchReport(30, nil, ready)
	healthy.OK = true
	for name, r := range map[string]steps.WatchReport{"failing": failing, "healthy": healthy} {
		t.Run(name, func(t *testing.T) { golden.RequireEqual(t, []byte(WatchText(r))) })
	}
}

// requireFullScreenGolden checks that the dashboard's view fills the terminal, height
// lines none wider than width, and matches the test's golden file.
func requireFullScreenGolden(t *testing.T, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Errorf("%d lines, want the terminal's %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d wide: %q", i+1, w, ansi.Strip(l))
		}
	}
	golden.RequireEqual(t, view)
}

// A read the user asks for (u, or after the setup is applied) starts its own timer:
// the timer set by the read before it must then be dropped, or every such read adds
// a chain of timed reads and the dashboard reads CloudWatch and SQS ever more often.
func TestWatchManualReadDropsTheEarlierTimer(t *testing.T) {
	calls := &watchCalls{}
	d := newTestDashboard(120, 40, calls)
	d.deps.Interval = time.Millisecond
	report := watchReport(180, nil, ready)
	calls.next = &report
	m, earlierTimer := d.Update(watchReadMsg{report: report})
	d = press(m.(WatchDashboard), 'u')
	if calls.read != 1 {
		t.Fatalf("u read %d times, want 1", calls.read)
	}
	if _, cmd := d.Update(earlierTimer()); cmd != nil {
		t.Fatalf("the timer set before u still reads: it answered %T", cmd())
	}
}
