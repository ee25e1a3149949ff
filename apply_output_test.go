package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
	"github.com/s3repl/s3repl/ui"
)

// TestFailedApplyOutput: a failed apply printed its error twice (on the change's line
// and again at the end), not its journal, and "what to do" lines padded with hundreds
// of spaces; a lost answer read "could not reach ... check the Region's spelling".
func TestFailedApplyOutput(t *testing.T) {
	for _, tc := range []struct {
		mode simcloud.FaultMode
		says string
	}{
		{simcloud.FaultRefused, "We encountered an internal error"},
		{simcloud.FaultAnswerLost, "may or may not have happened"},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			ctx := context.Background()
			cloud := simcloud.NewDemo()
			setup := steps.Setup{
				Source:      steps.SourceSetup{Profile: simcloud.DemoSourceProfile, Bucket: simcloud.DemoSourceBucket},
				Destination: steps.DestinationSetup{Profile: simcloud.DemoDestProfile, Region: simcloud.DemoDestRegion, Bucket: simcloud.DemoDestBucket, KMSKey: simcloud.DemoReplicaKey},
				Rule:        steps.RuleSetup{ID: "to-backup"},
			}
			acc, err := steps.OpenAccounts(ctx, cloud.Open, setup)
			if err != nil {
				t.Fatal(err)
			}
			state, err := steps.Inspect(ctx, acc, setup)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := steps.BuildPlan(setup, state)
			if err != nil {
				t.Fatal(err)
			}
			journal, err := steps.OpenJournal(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer journal.Close()
			cloud.InjectFault(simcloud.Fault{Op: "s3:PutBucketPolicy", Mode: tc.mode})
			var out bytes.Buffer
			opts := steps.ApplyOptions{Journal: journal, PropagationWait: time.Millisecond,
				OnProgress: func(c steps.Change, phase steps.ApplyPhase, err error) {
					lipgloss.Fprint(&out, ui.ProgressLine(c, phase, err))
				}}
			result, applyErr := steps.Apply(ctx, acc, plan, opts)
			if applyErr == nil {
				t.Fatal("the apply did not fail")
			}
			err = printApplied(&out, false, plan, result, journal.Path(), applyErr)
			text := out.String() + "error: " + err.Error()
			if n := strings.Count(text, tc.says); n != 1 {
				t.Errorf("%q shown %d times, want once:\n%s", tc.says, n, text)
			}
			if !strings.Contains(text, journal.Path()) {
				t.Errorf("the journal %s is not named:\n%s", journal.Path(), text)
			}
			if strings.Contains(text, "spelling") {
				t.Errorf("a lost answer is called unreachable:\n%s", text)
			}
			if trailing := regexp.MustCompile(`(?m) +$`).FindAllString(text, -1); len(trailing) > 0 {
				t.Errorf("%d lines end in spaces:\n%q", len(trailing), text)
			}
		})
	}
}
