package steps_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/s3repl/s3repl/steps"
)

// TestWatchDemoScenario plays the watch demo: healthy and watched at the start,
// failures with the key policy's reason once it is edited, the doctor names the key
// policy, its fix makes new objects replicate again.
func TestWatchDemoScenario(t *testing.T) {
	s := newScenarioSetup(t, steps.WatchDemoScenario)
	sc, _ := steps.DemoScenarioNamed(steps.WatchDemoScenario)
	if !sc.Watch {
		t.Fatal("the watch demo should open the dashboard")
	}
	w := s.watcher()
	if !w.Status.Ready() {
		t.Fatalf("the scenario starts unwatched: %q", w.Status.Missing())
	}
	demo := &steps.WatchDemo{Acc: s.acc, BreakAt: 3}
	step := func() steps.WatchReport {
		s.must(demo.Step(s.ctx))
		s.clock.Advance(5 * time.Second)
		return s.read(w)
	}
	for i := range 2 {
		if r := step(); !r.OK || len(r.Events) != 0 {
			t.Fatalf("step %d before the edit: ok %v, problems %q", i+1, r.OK, r.Problems)
		}
	}
	r := step()
	if r.OK || len(r.Failures) != 1 || r.Failures[0].Reason != "DstPutObjectNotPermitted" {
		t.Fatalf("after the key policy edit: failures %+v", r.Failures)
	}
	doctor, err := w.WatchDoctor(s.ctx, s.setup)
	s.must(err)
	if !slices.Contains(failedIDs(doctor), "destination-key-policy") || !slices.Equal(ids(doctor.Fixes), []string{"dst-key-policy"}) {
		t.Fatalf("doctor: failed %v, fixes %v", failedIDs(doctor), ids(doctor.Fixes))
	}
	_, err = steps.ApplyFixes(s.ctx, s.acc, doctor, steps.ApplyOptions{PropagationWait: time.Millisecond})
	s.must(err)
	if r := step(); len(r.Events) != 0 {
		t.Errorf("after the fix a new object failed: %+v", r.Events)
	}
}

// TestWatchDemoTrafficAlongsideReads: the demo's uploads run in their own goroutine
// while the dashboard reads; run with -race.
func TestWatchDemoTrafficAlongsideReads(t *testing.T) {
	s := newScenarioSetup(t, steps.WatchDemoScenario)
	w := s.watcher()
	ctx, stop := context.WithCancel(s.ctx)
	done := make(chan error)
	traffic := &steps.WatchDemo{Acc: s.acc, BreakAt: 5}
	go func() { done <- traffic.Run(ctx, time.Millisecond) }()
	for range 20 {
		s.clock.Advance(time.Second)
		if _, err := w.Read(s.ctx, "setup.yaml", steps.WatchThresholds{}); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
