package steps_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestMetricsWithoutRTCAppliesAndReplicates: the simulated S3 refuses an event
// threshold without RTC, as S3 does; s3repl's rule is accepted and replicates.
func TestMetricsWithoutRTCAppliesAndReplicates(t *testing.T) {
	s := newSimSetup(t, func(setup *steps.Setup) { setup.Rule.Metrics, setup.Rule.ReplicationTime = true, false })
	s.expectSettled("metrics without RTC")
}

// newSimSetupFrom is newSimSetup with the cloud changed by before, ahead of the plan.
func newSimSetupFrom(t *testing.T, before func(*simSetup), options ...simcloud.Option) *simSetup {
	t.Helper()
	clock := simcloud.NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	options = append([]simcloud.Option{simcloud.WithClock(clock), simcloud.WithLatency(2 * time.Second)}, options...)
	s := &simSetup{t: t, ctx: context.Background(), clock: clock, setup: steps.DemoSetup(), cloud: simcloud.NewDemo(options...)}
	s.open()
	before(s)
	s.applyPlan()
	return s
}

// expectEveryCheckPasses runs the doctor: every check passes or is information.
func (s *simSetup) expectEveryCheckPasses() steps.DoctorReport {
	s.t.Helper()
	report := s.doctor()
	for _, c := range report.Checks {
		if c.Status != steps.DoctorPassed && c.Status != steps.DoctorInfo {
			s.t.Errorf("%s: %s (%s)", c.ID, c.Status, c.Evidence)
		}
	}
	return report
}

// TestSourceBucketKeyIntoDestinationWithout: the source's objects use S3 Bucket Keys,
// the destination bucket does not. Replicas keep their source's Bucket Key, so S3
// decrypts with the replica key: the plan grants kms:Decrypt (role and key policy),
// verify expects the replica's Bucket Key, and the doctor passes.
func TestSourceBucketKeyIntoDestinationWithout(t *testing.T) {
	s := newSimSetupFrom(t, func(s *simSetup) {
		key, err := s.acc.Destination.DescribeKey(s.ctx, simcloud.DemoDestRegion, simcloud.DemoReplicaKey)
		s.must(err)
		s.must(s.acc.Destination.PutBucketEncryption(s.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket,
			awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN}))
	})
	report := s.verify()
	if report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify: %s (%s) %s", report.Outcome, report.Explanation, s.failureReason(report.Key, report.VersionID))
	}
	if c := report.Check(steps.CheckReplicaBucket); !strings.Contains(c.Detail, "like the test object") {
		t.Errorf("the replica's Bucket Key: %s", c.Detail)
	}
	s.expectEveryCheckPasses()
	if !strings.Contains(s.replicaKeyPolicy(), "kms:Decrypt") {
		t.Errorf("the replica key policy does not let the role decrypt:\n%s", s.replicaKeyPolicy())
	}
}

// TestEncryptOnlyRoleIsNotBroken: a role and key policy with kms:Encrypt and no
// kms:GenerateDataKey replicate SSE-KMS objects (AWS needs GenerateDataKey only for
// unencrypted sources into an SSE-KMS default bucket): the doctor passes it.
func TestEncryptOnlyRoleIsNotBroken(t *testing.T) {
	s := newSimSetup(t, nil)
	noDataKey := regexp.MustCompile(`,\s*"kms:GenerateDataKey"`)
	s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), noDataKey.ReplaceAllString(s.replicaKeyPolicy(), "")))
	name := s.setup.RolePolicyName()
	doc, err := s.acc.Source.GetRolePolicy(s.ctx, s.setup.RoleName(), name)
	s.must(err)
	s.must(s.acc.Source.PutRolePolicy(s.ctx, s.setup.RoleName(), name, noDataKey.ReplaceAllString(doc, "")))
	if strings.Contains(s.replicaKeyPolicy(), "GenerateDataKey") {
		t.Fatalf("GenerateDataKey still granted:\n%s", s.replicaKeyPolicy())
	}
	if report := s.verify(); report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify: %s (%s) %s", report.Outcome, report.Explanation, s.failureReason(report.Key, report.VersionID))
	}
	if report := s.expectEveryCheckPasses(); report.Failed() {
		t.Error("the doctor fails a working setup")
	}
}

// TestEveryBlockingDenyIsNamed: with two Deny statements that refuse S3's requests,
// the plan's "will fail" and the doctor name both, so fixing one is not followed by
// meeting the other on the next try.
func TestEveryBlockingDenyIsNamed(t *testing.T) {
	s := newSimSetup(t, nil)
	doc := s.destBucketPolicy()
	for _, sid := range []string{"DenyOtherAccounts", "DenyReplicationWrites"} {
		doc = withStatement(t, doc, `{"Sid":"`+sid+`","Effect":"Deny","Principal":"*","Action":"s3:Replicate*","Resource":"arn:aws:s3:::acme-backup-orders/*",`+
			`"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}}`)
	}
	s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
	blockers := strings.Join(s.plan().Blockers, "\n")
	evidence := doctorCheck(t, s.doctor(), "explicit-deny").Evidence
	resource := doctorCheck(t, s.doctor(), "destination-bucket-policy").Evidence
	for _, sid := range []string{"DenyOtherAccounts", "DenyReplicationWrites"} {
		if !strings.Contains(blockers, `"`+sid+`"`) {
			t.Errorf("the plan's blockers do not name %s: %s", sid, blockers)
		}
		if !strings.Contains(evidence, `"`+sid+`"`) || !strings.Contains(resource, `"`+sid+`"`) {
			t.Errorf("the doctor does not name %s:\n%s\n%s", sid, evidence, resource)
		}
	}
}

// TestFailedTestObjectsAreNotObjectsFromBeforeTheRule: a FAILED test object that
// verify left for the doctor is s3repl's own, not an object the user must copy with
// Batch Replication.
func TestFailedTestObjectsAreNotObjectsFromBeforeTheRule(t *testing.T) {
	s := newSimSetup(t, nil)
	s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), without(s.t, s.replicaKeyPolicy(), s.facts.KeyPolicySid())))
	if r := s.verify(); r.Outcome != steps.OutcomeFailed {
		t.Fatalf("verify: %s", r.Outcome)
	}
	c := doctorCheck(t, s.doctor(), "existing-objects")
	if strings.Contains(c.Evidence, "FAILED") || !strings.Contains(c.Evidence, "3 have no replication status") {
		t.Errorf("existing-objects counts s3repl's test objects: %s", c.Evidence)
	}
}

// TestVerifyRightAfterTheApplyWaitsForTheConfiguration: the simulated S3 takes 30 s
// to apply a new configuration, as S3 takes a little while. Verify waits, uploads a
// fresh test object and says so, and the third one replicates; the earlier ones are
// removed with it.
func TestVerifyRightAfterTheApplyWaitsForTheConfiguration(t *testing.T) {
	s := newSimSetup(t, nil, simcloud.WithConfigDelay(30*time.Second))
	var waiting bool
	report, err := steps.Verify(s.ctx, s.acc, s.setup, steps.VerifyOptions{
		Timeout: 2 * time.Minute, Now: s.clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error { s.clock.Advance(d); return nil },
		OnUpdate: func(r steps.VerifyReport) {
			waiting = waiting || strings.Contains(r.Check(steps.CheckSourceStatus).Detail, "waiting for the replication configuration to take effect")
		},
	})
	s.must(err)
	if report.Outcome != steps.OutcomeCompleted || len(report.Earlier) != 2 || !waiting {
		t.Fatalf("verify: %s (%s), %d earlier objects, said it was waiting: %v", report.Outcome, report.Explanation, len(report.Earlier), waiting)
	}
	if !strings.Contains(report.Check(steps.CheckUploaded).Detail, "test object 3") {
		t.Errorf("the upload check does not say it is the third test object: %s", report.Check(steps.CheckUploaded).Detail)
	}
	s.must(steps.RemoveTestObjects(s.ctx, s.acc, report))
	for _, o := range append(report.Earlier, steps.TestObject{Key: report.Key, VersionID: report.VersionID}) {
		if _, err := s.acc.Source.HeadObject(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, o.Key, o.VersionID); !awsops.IsNotFound(err) {
			t.Errorf("test object %s %s is still there: %v", o.Key, o.VersionID, err)
		}
	}
	if note := report.RemovedNote(); note != "The 3 test objects and the replica of the last were removed." {
		t.Errorf("note %q", note)
	}
}

// TestVerifyConcludesNoRuleOnlyAfterFreshObjects: a configuration that never takes
// effect within the timeout ends "matched no rule" only after the fresh uploads.
func TestVerifyConcludesNoRuleOnlyAfterFreshObjects(t *testing.T) {
	s := newSimSetup(t, nil, simcloud.WithConfigDelay(time.Hour))
	report := s.verify()
	if report.Outcome != steps.OutcomeNotMatched || len(report.Earlier) == 0 || !strings.Contains(report.Explanation, "test object(s) uploaded over") {
		t.Fatalf("verify: %s (%s), %d earlier", report.Outcome, report.Explanation, len(report.Earlier))
	}
	if report.Elapsed < 20*time.Second {
		t.Errorf("concluded after %s, before the grace", report.Elapsed)
	}
	if note := report.RemovedNote(); !strings.Contains(note, "there was no replica") {
		t.Errorf("note %q", note)
	}
}

// TestSourceKMSKeysAreGranted: objects under a key other than the bucket default
// replicate once the key is in source.kmsKeys: the plan grants kms:Decrypt in the
// role policy and in the key's policy (which does not delegate to the account), and
// the doctor then passes the objects' keys.
func TestSourceKMSKeysAreGranted(t *testing.T) {
	var payments string
	s := newSimSetupFrom(t, func(s *simSetup) {
		key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "Payments team",
			Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/demo-admin"},"Action":"kms:*","Resource":"*"}]}`})
		s.must(err)
		payments = key.ARN
		s.setup.Source.KMSKeys = []string{payments}
		plan := s.plan()
		var ids []string
		for _, c := range plan.Pending() {
			ids = append(ids, c.ID)
		}
		if !strings.Contains(strings.Join(ids, " "), "src-key-policy-"+payments[strings.LastIndex(payments, "/")+1:]) {
			t.Errorf("the plan does not change the payments key's policy: %v", ids)
		}
	})
	version := s.upload("payments/2026-11.csv", payments)
	s.clock.Advance(time.Minute)
	if reason := s.failureReason("payments/2026-11.csv", version); reason != "(no failure)" {
		t.Fatalf("the object under the payments key: %s", reason)
	}
	head, err := s.acc.Source.HeadObject(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, "payments/2026-11.csv", version)
	s.must(err)
	if head.ReplicationStatus != "COMPLETED" {
		t.Fatalf("status %q", head.ReplicationStatus)
	}
	s.expectEveryCheckPasses()
}

// TestObjectKeysCheckOffersSourceKMSKeys: the doctor's object-keys check names the
// setup file's source.kmsKeys as the fix.
func TestObjectKeysCheckOffersSourceKMSKeys(t *testing.T) {
	s := newSimSetup(t, nil)
	key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "Payments team"})
	s.must(err)
	s.upload("payments/2026-11.csv", key.ARN)
	if c := doctorCheck(t, s.doctor(), "object-keys"); c.Status != steps.DoctorFailed || !strings.Contains(c.Fix, "source.kmsKeys") {
		t.Fatalf("object-keys: %s, fix %q", c.Status, c.Fix)
	}
}
