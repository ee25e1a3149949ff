package ui

import (
	"fmt"
	"strings"
	"testing"

	"time"
)

// TestDemoBackfillThroughTheWizard is `s3repl demo --scenario backfill` as a user
// runs it: the setup is in place, v tests it and the status panel offers the backfill
// with the sample's count; b, the plan of the batch role (a, y), the preview's count
// and estimate (y), the bar to the end, the 60 failures explained with their fix
// (a, y), the retry of the FAILED objects (y) to every object replicated; then esc
// back to the status panel and w keeps watching the rule.
func TestDemoBackfillThroughTheWizard(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			deps, _ := backfillDeps(t)
			deps.WatchInterval = time.Hour
			d := startWizard(t, deps, size[0], size[1])
			d.waitFor("DEMO · backfill")
			pickDemoSetup(t, d)
			d.waitFor("Nothing to change")
			d.press("v")
			requireScreen(t, "offered", d.waitFor("COMPLETED after", "objects without replication status (a sample of 200): b backfills them"))
			d.press("b")
			requireScreen(t, "choose", d.waitFor("Which objects?", "≥ 200 without replication status"))
			d.press("enter")
			requireScreen(t, "plan", d.waitFor("Backfill plan · objects: both", "a makes these changes"))
			d.press("a", "y")
			requireScreen(t, "preview", d.waitFor("Replicate these 303 objects?"))
			d.press("y")
			requireScreen(t, "failed", d.waitFor("SrcGetObjectNotPermitted", "a applies the fixes"))
			d.press("a")
			d.waitFor("then retry the FAILED objects with a new job?")
			d.press("y")
			d.waitFor("Replicate these 60 objects?")
			d.press("y")
			requireScreen(t, "replicated", d.waitFor("Every object replicated.", "✓ Done."))
			d.press("esc")
			d.waitFor("Which objects?")
			d.press("esc")
			d.waitFor("COMPLETED after")
			d.press("w")
			d.waitFor("s3repl watch", "esc back to the status panel")
			d.press("esc")
			d.waitFor("COMPLETED after")
			w := d.finish("q")
			farewell := w.Farewell()
			for _, want := range []string{"243 of 303 objects replicated, 60 failed", "(failed) Complete: 60 of 60 objects replicated.", "Backfill journal"} {
				if !strings.Contains(farewell, want) {
					t.Errorf("the farewell lacks %q:\n%s", want, farewell)
				}
			}
		})
	}
}
