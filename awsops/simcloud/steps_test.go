package simcloud_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// demoRun drives s3repl's own steps against the demo cloud, with a clock that only
// moves when Verify sleeps.
type demoRun struct {
	t     *testing.T
	ctx   context.Context
	cloud *simcloud.Cloud
	clock *simcloud.ManualClock
	acc   steps.Accounts
}

func newDemoRun(t *testing.T) *demoRun {
	t.Helper()
	clock := simcloud.NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	cloud := simcloud.NewDemo(simcloud.WithClock(clock), simcloud.WithLatency(3*time.Second))
	r := &demoRun{t: t, ctx: context.Background(), cloud: cloud, clock: clock}
	s := r.setup()
	acc, err := steps.OpenAccounts(r.ctx, cloud.Open, s)
	if err != nil {
		t.Fatal(err)
	}
	r.acc = acc
	return r
}

func (r *demoRun) setup() steps.Setup {
	return steps.Setup{
		Source:      steps.SourceSetup{Profile: simcloud.DemoSourceProfile, Bucket: simcloud.DemoSourceBucket},
		Destination: steps.DestinationSetup{Profile: simcloud.DemoDestProfile, Region: simcloud.DemoDestRegion, Bucket: simcloud.DemoDestBucket, KMSKey: simcloud.DemoReplicaKey},
		Rule:        steps.RuleSetup{ID: "to-backup"},
	}
}

func (r *demoRun) plan(s steps.Setup) *steps.Plan {
	r.t.Helper()
	st, err := steps.Inspect(r.ctx, r.acc, s)
	if err != nil {
		r.t.Fatalf("inspect: %v", err)
	}
	plan, err := steps.BuildPlan(s, st)
	if err != nil {
		r.t.Fatalf("plan: %v", err)
	}
	return plan
}

func (r *demoRun) apply(s steps.Setup) {
	r.t.Helper()
	if err := r.tryApply(s); err != nil {
		r.t.Fatalf("apply: %v", err)
	}
}

// tryApply applies the plan and checks that a second plan has nothing left to do.
func (r *demoRun) tryApply(s steps.Setup) error {
	r.t.Helper()
	if _, err := steps.Apply(r.ctx, r.acc, r.plan(s), steps.ApplyOptions{PropagationWait: time.Millisecond}); err != nil {
		return err
	}
	if pending := r.plan(s).Pending(); len(pending) > 0 {
		r.t.Fatalf("a second plan still has %d changes, the first %q", len(pending), pending[0].Title)
	}
	return nil
}

func (r *demoRun) verify(s steps.Setup) steps.VerifyReport {
	r.t.Helper()
	report, err := steps.Verify(r.ctx, r.acc, s, steps.VerifyOptions{
		Timeout: time.Minute, Now: r.clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error { r.clock.Advance(d); return nil },
	})
	if err != nil {
		r.t.Fatalf("verify: %v", err)
	}
	return report
}

func changeTo(plan *steps.Plan, id string) steps.Change {
	for _, c := range plan.Changes {
		if c.ID == id {
			return c
		}
	}
	return steps.Change{}
}

func TestPlanApplyVerifyAgainstTheDemo(t *testing.T) {
	r := newDemoRun(t)
	s := r.setup()
	plan := r.plan(s)
	for id, kept := range map[string]string{
		"dst-bucket-policy": `"AuditorRead"`,
		"src-replication":   simcloud.DemoExistingRule,
		"dst-key-policy":    "Enable IAM User Permissions",
	} {
		c := changeTo(plan, id)
		if c.Action != steps.ActionUpdate || !strings.Contains(c.After, kept) {
			t.Errorf("change %s: %s, want an update that keeps %s; after:\n%s", id, c.Action, kept, c.After)
		}
	}
	if c := changeTo(plan, "role-policy"); !strings.Contains(c.Resource, "role/service-role/"+simcloud.DemoExistingRole) {
		t.Errorf("the plan should extend the existing role, got %s", c.Resource)
	}
	r.apply(s)

	report := r.verify(s)
	if report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify: %s (%s); checks %+v", report.Outcome, report.Explanation, report.Checks)
	}
	replica, err := r.acc.Destination.HeadObject(r.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket, report.Key, report.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := r.acc.Destination.DescribeKey(r.ctx, simcloud.DemoDestRegion, simcloud.DemoReplicaKey)
	if err != nil {
		t.Fatal(err)
	}
	if replica.ReplicationStatus != "REPLICA" || replica.SSEKMSKeyID != key.ARN || !replica.BucketKey {
		t.Errorf("replica %+v, want REPLICA under %s with a Bucket Key", replica, key.ARN)
	}
	if report.Elapsed < 3*time.Second {
		t.Errorf("replicated after %s, before the cloud's latency", report.Elapsed)
	}
}

func TestPlanApplyVerifyWithNewBucketAndKey(t *testing.T) {
	r := newDemoRun(t)
	s := r.setup()
	s.Source.Bucket = simcloud.DemoLogsBucket
	s.Destination.Bucket, s.Destination.CreateBucket = "acme-backup-logs", true
	s.Destination.KMSKey, s.Destination.CreateKey = "alias/backup-logs", true
	// S3 gives every new bucket SSE-S3 default encryption (since January 2023), and so
	// does the simulation: Apply must not take that for a change since the plan.
	r.apply(s)

	report := r.verify(s)
	if report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify: %s (%s); checks %+v", report.Outcome, report.Explanation, report.Checks)
	}
}

func TestVerifyAndDoctorAfterTheKeyPolicyLostTheRole(t *testing.T) {
	r := newDemoRun(t)
	s := r.setup()
	r.apply(s)
	facts := r.plan(s).Facts
	doc, err := r.acc.Destination.GetKeyPolicy(r.ctx, simcloud.DemoDestRegion, facts.DestKeyARN)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := policy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !parsed.Remove(facts.KeyPolicySid()) {
		t.Fatalf("the key policy has no statement %s:\n%s", facts.KeyPolicySid(), doc)
	}
	if err := r.acc.Destination.PutKeyPolicy(r.ctx, simcloud.DemoDestRegion, facts.DestKeyARN, parsed.String()); err != nil {
		t.Fatal(err)
	}

	report := r.verify(s)
	if report.Outcome != steps.OutcomeFailed {
		t.Fatalf("verify: %s (%s), want FAILED", report.Outcome, report.Explanation)
	}
	failure, ok := r.cloud.ReplicationFailure(simcloud.DemoSourceBucket, report.Key, report.VersionID)
	if !ok || failure.Reason != "DstPutObjectNotPermitted" {
		t.Errorf("failure %+v, want DstPutObjectNotPermitted", failure)
	}
	diagnosis, err := steps.Doctor(r.ctx, r.acc, s)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, c := range diagnosis.Checks {
		if c.Status == steps.DoctorFailed {
			failed = append(failed, c.ID)
		}
	}
	if strings.Join(failed, ",") != "destination-key-policy" || len(diagnosis.Fixes) == 0 {
		t.Errorf("doctor: failed checks %v with %d fixes, want destination-key-policy and a fix", failed, len(diagnosis.Fixes))
	}
}

func TestTheDemoAsTheWizardListsIt(t *testing.T) {
	r := newDemoRun(t)
	choices, err := steps.KeyChoices(r.ctx, r.acc.Destination, steps.DestinationSide, simcloud.DemoDestRegion, simcloud.DemoDestAccount)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range choices {
		got = append(got, c.Label()+": "+c.Problem)
	}
	want := []string{
		simcloud.DemoReplicaKey + ": ",
		"alias/aws/s3: AWS managed: not usable across accounts",
		simcloud.DemoSigningKey + ": asymmetric (RSA_2048)",
		simcloud.DemoDisabledKey + ": disabled",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("key choices\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	source, err := steps.ListBuckets(r.ctx, r.acc.Source, steps.SourceSide)
	if err != nil {
		t.Fatal(err)
	}
	if names := bucketNames(source); names != "acme-prod-logs acme-prod-orders acme-prod-orders-archive" {
		t.Errorf("source buckets: %s", names)
	}
	dest, err := steps.ListBuckets(r.ctx, r.acc.Destination, steps.DestinationSide)
	if err != nil {
		t.Fatal(err)
	}
	if names := bucketNames(steps.BucketsIn(dest, simcloud.DemoDestRegion)); names != simcloud.DemoDestBucket {
		t.Errorf("destination buckets in %s: %s", simcloud.DemoDestRegion, names)
	}
	regions, err := steps.Regions(r.ctx, r.acc.Destination)
	if err != nil || !regions.Live || !strings.Contains(strings.Join(regions.Regions, " "), simcloud.DemoOtherRegion) {
		t.Errorf("regions %+v, %v", regions, err)
	}
	if taken, err := steps.BucketNameTaken(r.ctx, r.acc.Destination, steps.DestinationSide, simcloud.DemoSourceBucket); err != nil || taken == "" {
		t.Errorf("the source bucket's name should be taken for the destination profile: %q, %v", taken, err)
	}
}

func bucketNames(buckets []awsops.BucketSummary) string {
	names := make([]string, len(buckets))
	for i, b := range buckets {
		names[i] = b.Name
	}
	return strings.Join(names, " ")
}
