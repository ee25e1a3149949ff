package ui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// watchFromPanel is the wizard on the status panel over the demo's working rule,
// with a test that completed; the watch reads every millisecond, and its next read
// waits (held) until the test says.
func watchFromPanel(t *testing.T) (*pageDriver, *verifyPage) {
	t.Helper()
	d := driveBackfill(t, 80, 24)
	d.w.s.deps.WatchInterval = time.Millisecond
	d.w.jumpTo(pageSourceProfile, pageReview, pageVerify)
	vp := d.w.pages[pageVerify].(*verifyPage)
	vp.panel = NewVerifyPanel(context.Background(), scripted(complete)).Embedded(d.w.s.theme)
	d.run(vp.panel.Init())
	d.settle()
	d.hold(func(msg tea.Msg) bool { _, tick := msg.(watchTickMsg); return tick })
	return d, vp
}

// TestKeepWatchingFromTheStatusPanel: w on the status panel opens the watch
// dashboard on the rule as a page (here the rule's metrics are off, and it says
// so); esc comes back to the panel as it was, q from the dashboard quits the wizard.
func TestKeepWatchingFromTheStatusPanel(t *testing.T) {
	d, vp := watchFromPanel(t)
	d.expect("COMPLETED")
	d.press("w")
	d.on(pageWatch)
	d.expect("7 Watch", "s3repl watch", "acme-prod-orders → acme-backup-orders", "esc back to the status panel")
	d.expect("metrics")
	report := vp.panel.Report()
	d.press("esc")
	d.on(pageVerify)
	if vp.panel.Report().Key != report.Key || vp.panel.Watching() {
		t.Fatal("coming back started another test instead of showing the panel as it was")
	}
	d.press("w")
	d.on(pageWatch)
	_, cmd := d.w.Update(keyPress("q"))
	if cmd == nil || !isQuit(cmd) {
		t.Fatal("q on the dashboard did not quit the wizard")
	}
}

// TestWatchPageDropsALateOpening: leaving the watch before it found the rule drops
// what it found after; a failure to find it is shown, and esc still goes back.
func TestWatchPageDropsALateOpening(t *testing.T) {
	d, _ := watchFromPanel(t)
	d.hold(func(msg tea.Msg) bool { _, opened := msg.(watchOpenedMsg); return opened })
	d.press("w")
	d.expect("finding the rule's metrics and failure events")
	d.press("esc")
	d.on(pageVerify)
	d.release()
	d.on(pageVerify)
	if wp := d.w.pages[pageWatch].(*watchPage); wp.dash != nil {
		t.Fatal("a dashboard was opened for a page no longer shown")
	}
}

// TestStatusPanelOffersTheBackfill: once the sample finds objects without replication
// status, the status panel says how many and b opens the backfill; esc from its
// choice comes back to the panel as it was (sampling again), and down then enter
// plans a backfill of the objects without status only.
func TestStatusPanelOffersTheBackfill(t *testing.T) {
	d, vp := watchFromPanel(t)
	d.press("b")
	d.on(pageVerify) // nothing sampled yet: nothing offered
	d.run(d.w.s.sampleBackfill())
	d.settle()
	d.expect("! ≥ 200 objects without replication status (a sample of 200): b backfills them")
	report := vp.panel.Report()
	d.press("b")
	d.on(pageBackfill)
	d.press("esc")
	d.on(pageVerify)
	if vp.panel.Report().Key != report.Key {
		t.Fatal("coming back from the backfill started another test")
	}
	d.expect("b backfills them")
	d.press("b", "down", "enter")
	d.on(pageBackfillPlan)
	d.expect("Backfill plan · objects: not-replicated")
}
