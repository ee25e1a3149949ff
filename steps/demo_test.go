package steps_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
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
	r.expectSettled("after the apply")
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
	r.expectSettled("after the fix")
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
	r.expectSettled("after the fix")
}

// TestV1ConfigurationUpgradedInTheSimulatedCloud: the demo's existing rule written in
// the V1 schema, as older tools did. The plan rewrites it as V2 beside s3repl's rule,
// S3 accepts the result, the test object replicates, and an object under the old
// rule's prefix still replicates to the old rule's bucket.
func TestV1ConfigurationUpgradedInTheSimulatedCloud(t *testing.T) {
	r := newScenarioSetup(t, steps.DefaultDemoScenario)
	region, bucket := simcloud.DemoSourceRegion, r.setup.Source.Bucket
	current, err := r.acc.Source.GetBucketReplication(r.ctx, region, bucket)
	r.must(err)
	v1 := asV1(t, current)
	if len(steps.V1Rules(v1)) != 1 {
		t.Fatalf("the configuration is not V1:\n%s", v1)
	}
	r.must(r.acc.Source.PutBucketReplication(r.ctx, region, bucket, v1))

	plan := r.plan()
	if !strings.Contains(strings.Join(plan.Warnings, "\n"), "old V1 schema") {
		t.Fatalf("the plan does not say it rewrites the V1 rule: %q", plan.Warnings)
	}
	r.applyPlanned(plan)
	r.expectSettled("after the upgrade")
	r.upload("invoices/2026-11.pdf", "")
	key, version := r.lastVersion("invoices/")
	if failures := r.cloud.ReplicationFailures(bucket, key, version); len(failures) != 0 {
		t.Fatalf("the upgraded rule no longer replicates its prefix: %+v", failures)
	}
	archive, err := r.cloud.Open(r.ctx, simcloud.DemoSourceProfile)
	r.must(err)
	versions, err := archive.ListObjectVersions(r.ctx, simcloud.DemoArchiveRegion, simcloud.DemoArchiveBucket, "invoices/2026-11", 10)
	r.must(err)
	if len(versions) != 1 {
		t.Fatalf("%d replicas of invoices/2026-11.pdf in %s, want 1", len(versions), simcloud.DemoArchiveBucket)
	}
}

// asV1 rewrites a V2 configuration's rules in the V1 schema: the Filter's prefix as
// the rule's Prefix, without Priority or DeleteMarkerReplication.
func asV1(t *testing.T, config string) string {
	t.Helper()
	var cfg map[string]any
	if err := json.Unmarshal([]byte(config), &cfg); err != nil {
		t.Fatal(err)
	}
	for _, r := range cfg["Rules"].([]any) {
		rule := r.(map[string]any)
		rule["Prefix"] = rule["Filter"].(map[string]any)["Prefix"]
		delete(rule, "Filter")
		delete(rule, "Priority")
		delete(rule, "DeleteMarkerReplication")
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestTurningARuleOptionOffChangesTheRule: the rule compared only what the setup
// asks for, so an option turned off stayed in the rule. With ownership override off,
// the role and bucket policies lost its permission while the rule kept asking for it,
// and replication FAILED (DstPutObjectNotPermitted, as the User Guide names a missing s3:ObjectOwnerOverrideToBucketOwner).
func TestTurningARuleOptionOffChangesTheRule(t *testing.T) {
	s := newSimSetup(t, nil)
	off := false
	s.setup.Rule.OwnerOverride = &off
	plan := s.plan()
	if !strings.Contains(titles(plan.Pending()), "Replication rule") {
		t.Fatalf("turning ownership override off does not change the rule: %s", titles(plan.Pending()))
	}
	s.applyPlanned(plan)
	s.expectSettled("after turning ownership override off")
}

// TestTwoRulesOfOneSourceBucketKeepEachOthersStatements: the rules of a source bucket
// share its one role. Their key and bucket policy statements were named after the
// role alone, so the second setup replaced the first's (its prefix, its actions) and
// the first rule's objects FAILED.
func TestTwoRulesOfOneSourceBucketKeepEachOthersStatements(t *testing.T) {
	s := newSimSetup(t, func(setup *steps.Setup) { setup.Rule.ID, setup.Rule.Prefix = "rule-a", "a/" })
	first := s.setup
	s.setup.Rule.ID, s.setup.Rule.Prefix = "rule-b", "b/"
	s.applyPlan()
	s.expectSettled("rule b")
	s.setup = first
	s.expectSettled("rule a after rule b was set up")
}

// failingAlias is a destination whose CreateAlias fails, as after a throttle.
type failingAlias struct{ awsops.Account }

func (failingAlias) CreateAlias(context.Context, string, string, string) error {
	return &awsops.OpError{Op: "kms:CreateAlias", Code: "ThrottlingException", Kind: awsops.KindOther, Err: errors.New("Rate exceeded")}
}

// TestAliasFailureNamesTheKeyItMade: the key made before a failed CreateAlias was
// found by no later run (keys were found by alias), so the rerun made a second key. The
// error names the key and says to run apply again; the journal's done entry names it
// instead of the placeholder; the rerun takes that key from the journal and makes none.
func TestAliasFailureNamesTheKeyItMade(t *testing.T) {
	r := newScenarioSetup(t, steps.DefaultDemoScenario)
	r.setup.Destination.KMSKey, r.setup.Destination.CreateKey = "alias/s3repl-new-replica", true
	r.open()
	plan := r.plan()
	acc := r.acc
	acc.Destination = failingAlias{acc.Destination}
	dir := t.TempDir()
	journal, err := steps.OpenJournal(dir, nil)
	r.must(err)
	_, err = steps.Apply(r.ctx, acc, plan, steps.ApplyOptions{Journal: journal, PropagationWait: time.Millisecond})
	r.must(journal.Close())
	made := regexp.MustCompile(`arn:aws:kms:[^ ]+:key/[0-9a-f-]+`).FindString(fmt.Sprint(err))
	if made == "" || !strings.Contains(err.Error(), "run apply again") || strings.Contains(err.Error(), "deletion") {
		t.Fatalf("the error does not name the key made and say to run apply again: %v", err)
	}
	entries, readErr := os.ReadFile(journal.Path())
	r.must(readErr)
	for _, line := range strings.Split(strings.TrimSpace(string(entries)), "\n") {
		if strings.Contains(line, `"dst-key-create"`) && strings.Contains(line, `"done"`) && strings.Contains(line, steps.NewKeyID) {
			t.Fatalf("the done entry names the placeholder, not the key:\n%s", line)
		}
	}
	keysBefore, err := r.acc.Destination.ListKeys(r.ctx, r.setup.Destination.Region)
	r.must(err)

	rerun, err := steps.OpenJournal(dir, nil)
	r.must(err)
	defer rerun.Close()
	_, err = steps.Apply(r.ctx, r.acc, r.plan(), steps.ApplyOptions{Journal: rerun, PropagationWait: time.Millisecond})
	r.must(err)
	key, err := r.acc.Destination.DescribeKey(r.ctx, r.setup.Destination.Region, r.setup.Destination.KMSKey)
	r.must(err)
	keysAfter, err := r.acc.Destination.ListKeys(r.ctx, r.setup.Destination.Region)
	r.must(err)
	if key.ARN != made || len(keysAfter) != len(keysBefore) {
		t.Errorf("the rerun made %d more keys and the alias names %s, want the key of the first run %s", len(keysAfter)-len(keysBefore), key.ARN, made)
	}
	if pending := r.plan().Pending(); len(pending) > 0 {
		t.Errorf("a plan after the rerun still has %q", pending[0].Title)
	}
}
