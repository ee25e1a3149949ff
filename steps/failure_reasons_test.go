package steps_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// documentedReasons are the reasons of the User Guide's table, as the simulated S3
// keeps them in the table's own words [replication-failure-codes].
func documentedReasons() []string { return slices.Sorted(maps.Keys(simcloud.FailureReasons)) }

// TestFailureReasonsAreTheUserGuides: s3repl explains exactly the table's reasons,
// each in words of its own with what to do (the watch and backfill show both).
func TestFailureReasonsAreTheUserGuides(t *testing.T) {
	unknown := steps.ExplainFailureReason("NoSuchReason")
	for _, code := range documentedReasons() {
		r := steps.ExplainFailureReason(code)
		if r.Meaning == unknown.Meaning || r.Fix == "" {
			t.Errorf("%s has no explanation of its own", code)
		}
	}
	for _, r := range steps.FailureReasonTable() {
		if _, ok := simcloud.FailureReasons[r.Code]; !ok {
			t.Errorf("%s is explained but is not in the User Guide's table", r.Code)
		}
	}
}

func TestEveryFailureReasonIsExplainedWithChecksTheDoctorHas(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	report, err := steps.Doctor(t.Context(), w.acc, steps.DemoSetup())
	w.must(err)
	var checks []string
	for _, c := range report.Checks {
		checks = append(checks, c.ID)
	}
	for _, code := range documentedReasons() {
		r := steps.ExplainFailureReason(code)
		if r.Code != code || strings.Contains(r.Meaning, "not in the S3 User Guide's table") {
			t.Errorf("%s is not explained", code)
		}
		for _, id := range r.Checks {
			if !slices.Contains(checks, id) {
				t.Errorf("%s points at doctor check %q, which the doctor does not have (%v)", code, id, checks)
			}
		}
	}
	if r := steps.ExplainFailureReason("NoSuchThing"); !strings.Contains(r.Meaning, "not in the S3 User Guide's table") {
		t.Errorf("an unknown reason is explained as %q", r.Meaning)
	}
}
