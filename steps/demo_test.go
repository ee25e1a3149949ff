package steps_test

import (
	"strings"
	"testing"

	"github.com/s3repl/s3repl/steps"
)

// failedChecks are the IDs of the checks the doctor fails.
func (s *simSetup) failedChecks() []string {
	var failed []string
	for _, c := range s.doctor().Checks {
		if c.Status == steps.DoctorFailed {
			failed = append(failed, c.ID)
		}
	}
	return failed
}

func titles(changes []steps.Change) string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Title)
	}
	return strings.Join(out, "; ")
}

func TestDemoScenarioFreshReplicatesAfterTheApply(t *testing.T) {
	r := newScenarioSetup(t, steps.DefaultDemoScenario)
	if pending := r.plan().Pending(); len(pending) != 4 {
		t.Fatalf("the fresh demo plans %d changes, want 4: %s", len(pending), titles(pending))
	}
	r.applyPlan()
	if report := r.verify(); report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify after apply: %s (%s)", report.Outcome, report.Explanation)
	}
}

func TestDemoScenarioKeyPolicyFailsUntilTheFixIsApplied(t *testing.T) {
	r := newScenarioSetup(t, "key-policy-lacks-role")
	pending := r.plan().Pending()
	if len(pending) != 1 || pending[0].ID != "dst-key-policy" {
		t.Fatalf("want one change to the replica key policy, got %s", titles(pending))
	}
	if report := r.verify(); report.Outcome != steps.OutcomeFailed {
		t.Fatalf("verify before the fix: %s, want FAILED", report.Outcome)
	}
	if failed := strings.Join(r.failedChecks(), ","); failed != "destination-key-policy" {
		t.Fatalf("doctor failed %q, want destination-key-policy", failed)
	}
	r.applyPlan()
	if report := r.verify(); report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify after the fix: %s (%s)", report.Outcome, report.Explanation)
	}
}

func TestDemoScenarioGuardrailDenyIsDiagnosedNotRemoved(t *testing.T) {
	r := newScenarioSetup(t, "bucket-policy-deny")
	if pending := r.plan().Pending(); len(pending) != 0 {
		t.Fatalf("s3repl must not touch a foreign Deny, yet it plans: %s", titles(pending))
	}
	if blockers := strings.Join(r.plan().Blockers, "\n"); !strings.Contains(blockers, `statement "DenyOtherAccounts" of the bucket policy of acme-backup-orders denies the role`) ||
		!strings.Contains(blockers, "s3:ReplicateObject") || !strings.Contains(blockers, "every object will end FAILED") {
		t.Fatalf("the plan does not name the Deny that will refuse replication:\n%s", blockers)
	}
	if report := r.verify(); report.Outcome != steps.OutcomeFailed {
		t.Fatalf("verify: %s, want FAILED", report.Outcome)
	}
	failed := r.failedChecks()
	if !strings.Contains(strings.Join(failed, ","), "explicit-deny") {
		t.Fatalf("doctor failed %v, want explicit-deny among them", failed)
	}
}

func TestDemoScenarioNamedListsTheNames(t *testing.T) {
	_, err := steps.DemoScenarioNamed("nope")
	if err == nil || !strings.Contains(err.Error(), "key-policy-lacks-role") {
		t.Fatalf("error %v should list the scenarios", err)
	}
}

// BenchmarkDemoPlanApplyVerify measures the demo's whole flow against the simulated
// cloud on a simulated clock, and the API calls each step makes.
func BenchmarkDemoPlanApplyVerify(b *testing.B) {
	var calls map[string]int64
	for b.Loop() {
		r := newScenarioSetup(b, steps.DefaultDemoScenario)
		calls = map[string]int64{}
		count := func(step string, run func()) {
			before := r.acc.Source.APICalls() + r.acc.Destination.APICalls()
			run()
			calls[step] = r.acc.Source.APICalls() + r.acc.Destination.APICalls() - before
		}
		count("plan", func() { r.plan() })
		count("apply", func() { r.applyPlan() })
		count("verify", func() {
			if report := r.verify(); report.Outcome != steps.OutcomeCompleted {
				b.Fatalf("verify: %s", report.Outcome)
			}
		})
		count("doctor", func() { r.failedChecks() })
	}
	for step, n := range calls {
		b.ReportMetric(float64(n), step+"-calls/op")
	}
}

func TestDemoScenarioKMSNotOptedInMatchesNothingUntilFixed(t *testing.T) {
	r := newScenarioSetup(t, "kms-not-opted-in")
	pending := r.plan().Pending()
	if len(pending) != 1 || pending[0].ID != "src-replication" {
		t.Fatalf("want one change to the rule, got %s", titles(pending))
	}
	report := r.verify()
	if report.Outcome != steps.OutcomeNotMatched || !strings.Contains(report.Explanation, "SSE-KMS") {
		t.Fatalf("verify before the fix: %s (%s), want NOT_MATCHED naming the SSE-KMS opt-in", report.Outcome, report.Explanation)
	}
	if failed := strings.Join(r.failedChecks(), ","); failed != "kms-opt-in" {
		t.Fatalf("doctor failed %q, want kms-opt-in", failed)
	}
	r.applyPlan()
	if report := r.verify(); report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify after the fix: %s (%s)", report.Outcome, report.Explanation)
	}
}
