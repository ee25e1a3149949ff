package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// The goldens show times in UTC alone, whatever the zone of the machine they run on.
func init() { localZone = time.UTC }

// panelAfter is the status panel at 80x24 once Verify ended with report and err.
func panelAfter(t *testing.T, report steps.VerifyReport, err error) string {
	t.Helper()
	model, _ := NewVerifyPanel(t.Context(), VerifyFuncs{}).Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	model, _ = model.Update(verifyDoneMsg{report: report, err: err})
	return ansi.Strip(model.View().Content)
}

// TestOutcomeLinesSayWhatHappened: the outcome is said in words, not as the JSON's
// enum ("NOT_MATCHED after 1s", "STOPPED after 1s stopped watching"), with a colon
// before why.
func TestOutcomeLinesSayWhatHappened(t *testing.T) {
	stopped := pending
	stopped.Outcome, stopped.Explanation, stopped.Elapsed = steps.OutcomeStopped, "the test object stays where it is", time.Second
	cases := []struct {
		report      steps.VerifyReport
		want        string
		wantNothing []string
	}{
		{stopped, "Stopped watching after 1s: the test object stays where it is", []string{"STOPPED", "stopped watching"}},
		{notMatched, "No replication status after 1s: the object matched no enabled rule", []string{"NOT_MATCHED"}},
		{timedOut, "Timed out after 15m0s: the object is still PENDING", []string{"TIMED_OUT"}},
		{complete, "COMPLETED after 9s: replicated in 9s", nil},
	}
	for _, tc := range cases {
		screen := panelAfter(t, tc.report, nil)
		if !containsAll(screen, []string{tc.want}) {
			t.Errorf("%s: the panel lacks %q:\n%s", tc.report.Outcome, tc.want, screen)
		}
		for _, u := range tc.wantNothing {
			if strings.Contains(screen, u) {
				t.Errorf("%s: the panel shows %q:\n%s", tc.report.Outcome, u, screen)
			}
		}
		if text := ansi.Strip(VerifyText(tc.report)); !containsAll(text, []string{tc.want}) {
			t.Errorf("%s: verify's text lacks %q:\n%s", tc.report.Outcome, tc.want, text)
		}
	}
}

// TestSourceStatusCheckDoesNotReadAsCompleted: an object without status showed
// "✗ source ReplicationStatus COMPLETED — no status", which reads as COMPLETED.
func TestSourceStatusCheckDoesNotReadAsCompleted(t *testing.T) {
	screen := panelAfter(t, notMatched, nil)
	if !strings.Contains(screen, "✗ source object's replication status — none: the object matched no rule") {
		t.Fatalf("the check:\n%s", screen)
	}
	if strings.Contains(screen, "COMPLETED") {
		t.Fatalf("an object without status reads as COMPLETED:\n%s", screen)
	}
}

// TestCouldNotVerifyHasNoSpinnerAbove: a test object that could not be uploaded left
// "uploading a test object…" with a frozen spinner above "Could not verify".
func TestCouldNotVerifyHasNoSpinnerAbove(t *testing.T) {
	screen := panelAfter(t, steps.VerifyReport{}, errors.New("the source bucket cannot be read"))
	if !strings.Contains(screen, "Could not verify: the source bucket cannot be read") || strings.Contains(screen, "uploading") {
		t.Fatalf("the panel:\n%s", screen)
	}
}

// TestTimelineGivesLocalTimeBesideUTC: the upload's time is in local time too, so a
// user need not convert S3's UTC; a UTC machine shows it once.
func TestTimelineGivesLocalTimeBesideUTC(t *testing.T) {
	defer func(zone *time.Location) { localZone = zone }(localZone)
	localZone = time.FixedZone("CET", 3600)
	if got := TimelineText(complete); !strings.HasPrefix(got, "12:00:00Z (13:00:00 CET local) uploaded → 12:00:09Z COMPLETED (+9s)") {
		t.Fatalf("the timeline: %s", got)
	}
	localZone = time.UTC
	if got := TimelineText(complete); !strings.HasPrefix(got, "12:00:00Z uploaded → ") {
		t.Fatalf("the timeline in UTC: %s", got)
	}
}

// TestCheckDetailsWrapAt80Columns: a check's detail ended mid-word at 80 columns
// ("run `s3rep…"); it wraps under the check instead.
func TestCheckDetailsWrapAt80Columns(t *testing.T) {
	screen := panelAfter(t, failedRun, nil)
	if !containsAll(screen, []string{"✗ source object's replication status — FAILED: S3 will not retry it; run `s3repl doctor` to find out why"}) || strings.Contains(screen, "…") {
		t.Fatalf("the panel:\n%s", screen)
	}
}
