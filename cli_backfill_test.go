package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCLIBackfillDemoRetriesTheFailedObjectsTo100Percent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo's jobs in real time (about 10 s)")
	}
	out, code := runCLI(t, "backfill", "--demo", "--yes", "--json", "--latency", "0s", "--journal", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var report struct {
		Jobs []struct {
			Objects string
			Result  struct{ Succeeded, Failed int64 }
			Fixes   *struct{ Changes []struct{ ID string } }
		}
		APICalls int64
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(report.Jobs) != 2 || report.Jobs[0].Result.Failed != 60 || report.Jobs[0].Fixes == nil ||
		report.Jobs[1].Objects != "failed" || report.Jobs[1].Result.Succeeded != 60 || report.Jobs[1].Result.Failed != 0 {
		t.Errorf("jobs: %+v", report.Jobs)
	}
	if report.APICalls == 0 {
		t.Error("no API calls counted")
	}
}

func TestCLIBackfillRefusesWhatItCannotAsk(t *testing.T) {
	out, code := runCLI(t, "backfill", "--demo", "--json")
	if code != 1 || !strings.Contains(out, "--json needs --yes") {
		t.Errorf("--json without --yes: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "backfill", "--demo", "--objects", "all")
	if code != 1 || !strings.Contains(out, "choose not-replicated") {
		t.Errorf("--objects all: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "backfill")
	if code != 1 || !strings.Contains(out, "-f setup.yaml") {
		t.Errorf("no setup file: exit %d\n%s", code, out)
	}
	// Without a terminal nobody can answer: nothing is changed.
	out, code = runCLI(t, "backfill", "--demo", "--journal", t.TempDir())
	if code != 1 || !strings.Contains(out, "nothing changed") {
		t.Errorf("no terminal, no --yes: exit %d\n%s", code, out)
	}
}
