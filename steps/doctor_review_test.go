package steps_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// Doctor cases a review found, each with S3's own verdict from the simulated cloud.

// TestDoctorReplicaKeyDecryptWithBucketKey: with a Bucket Key on the destination, S3
// also decrypts with the replica key; a key policy without kms:Decrypt failed every
// object while all checks passed.
func TestDoctorReplicaKeyDecryptWithBucketKey(t *testing.T) {
	s := newSimSetup(t, nil)
	doc := regexp.MustCompile(`,\s*"kms:Decrypt"`).ReplaceAllString(s.replicaKeyPolicy(), "")
	s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), doc))
	if report := s.verify(); report.Outcome != steps.OutcomeFailed {
		t.Fatalf("S3: %s, want FAILED", report.Outcome)
	}
	if c := doctorCheck(t, s.doctor(), "destination-key-policy"); c.Status != steps.DoctorFailed || !strings.Contains(c.Evidence, "kms:Decrypt") {
		t.Fatalf("destination-key-policy: %s: %s", c.Status, c.Evidence)
	}
}

// TestDoctorReplicaKeyTheDestinationCannotRead: a rule naming a key of the source
// account made the doctor stop with AccessDenied instead of reporting.
func TestDoctorReplicaKeyTheDestinationCannotRead(t *testing.T) {
	s := newSimSetup(t, nil)
	key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoDestRegion, Description: "a source account key"})
	s.must(err)
	s.pointRuleAtKey(key.ARN)
	report, err := steps.Doctor(s.ctx, s.acc, s.setup)
	if err != nil {
		t.Fatalf("the doctor stopped instead of reporting: %v", err)
	}
	if c := doctorCheck(t, report, "replica-key"); c.Status != steps.DoctorFailed || !strings.Contains(c.Evidence, "may not read replica key") {
		t.Fatalf("replica-key: %s: %s", c.Status, c.Evidence)
	}
}

// TestDoctorReplicateDeleteOnlyWithDeleteMarkers: S3 asks for s3:ReplicateDelete
// only when the rule replicates delete markers; without them a bucket policy lacking
// it works, and the doctor failed it.
func TestDoctorReplicateDeleteOnlyWithDeleteMarkers(t *testing.T) {
	s := newSimSetup(t, nil)
	doc := regexp.MustCompile(`"s3:ReplicateDelete",\s*`).ReplaceAllString(s.destBucketPolicy(), "")
	s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
	if report := s.verify(); report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("S3: %s, want COMPLETED", report.Outcome)
	}
	if c := doctorCheck(t, s.doctor(), "destination-bucket-policy"); c.Status != steps.DoctorPassed {
		t.Fatalf("destination-bucket-policy: %s: %s", c.Status, c.Evidence)
	}
}

// TestDoctorDeletedRoleNamedByTheConfiguration: the plan refuses to replace a role the
// replication configuration names, so the fix is not "s3repl apply creates it".
func TestDoctorDeletedRoleNamedByTheConfiguration(t *testing.T) {
	s := newSimSetup(t, nil)
	s.must(s.cloud.DeleteRole(simcloud.DemoSourceAccount, s.setup.RoleName()))
	report := s.doctor()
	c := doctorCheck(t, report, "role-trust")
	if report.FixError != "" && !strings.Contains(c.Fix, "recreate role") {
		t.Fatalf("role-trust promises %q while the plan is refused: %s", c.Fix, report.FixError)
	}
}

// TestDoctorSourceBucketPolicyGrantsTheRole: within the role's account a bucket
// policy naming the role suffices; role-permissions failed while S3 replicated.
func TestDoctorSourceBucketPolicyGrantsTheRole(t *testing.T) {
	s := newSimSetup(t, nil)
	s.removeFromRolePolicy("S3replReadSourceObjects")
	grant := `{"Sid":"RoleReads","Effect":"Allow","Principal":{"AWS":"` + s.roleARN() + `"},` +
		`"Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::` + simcloud.DemoSourceBucket + `/*"}`
	s.must(s.cloud.SetBucketPolicy(simcloud.DemoSourceBucket, `{"Version":"2012-10-17","Statement":[`+grant+`]}`))
	if report := s.verify(); report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("S3: %s (%s), want COMPLETED", report.Outcome, report.Explanation)
	}
	if c := doctorCheck(t, s.doctor(), "role-permissions"); c.Status != steps.DoctorPassed {
		t.Fatalf("role-permissions: %s: %s", c.Status, c.Evidence)
	}
}

// TestDoctorRuleWithOtherTags: the rule check compared prefixes only; a rule whose tag
// filter differs from the setup's matched none of the test objects and passed,
// saying it covers the whole bucket.
func TestDoctorRuleWithOtherTags(t *testing.T) {
	s := newSimSetup(t, func(setup *steps.Setup) { setup.Rule.Tags = map[string]string{"backup": "daily"} })
	if c := doctorCheck(t, s.doctor(), "rule"); c.Status != steps.DoctorPassed || !strings.Contains(c.Evidence, "carrying tags backup=daily") {
		t.Fatalf("the rule as set up: %s: %s", c.Status, c.Evidence)
	}
	s.editRule(func(rule map[string]any) {
		rule["Filter"] = map[string]any{"Tag": map[string]any{"Key": "backup", "Value": "weekly"}}
	})
	if report := s.verify(); report.Outcome != steps.OutcomeNotMatched {
		t.Fatalf("S3: %s, want NOT_MATCHED", report.Outcome)
	}
	if c := doctorCheck(t, s.doctor(), "rule"); c.Status != steps.DoctorFailed || !strings.Contains(c.Evidence, "backup=weekly") {
		t.Fatalf("rule: %s: %s", c.Status, c.Evidence)
	}
}

// TestDoctorSourceKeyTheSourceProfileCannotRead: a source bucket defaulting to a key
// of another account, which the source profile may not describe, passed as "does not
// default to a customer managed key" while its objects FAIL.
func TestDoctorSourceKeyTheSourceProfileCannotRead(t *testing.T) {
	s := newSimSetup(t, nil)
	key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: "333333333333", Region: simcloud.DemoSourceRegion, Description: "shared"})
	s.must(err)
	s.must(s.cloud.SetKeyPolicy(key.ARN, `{"Version":"2012-10-17","Statement":[{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"kms:*","Resource":"*"},`+
		`{"Sid":"AdminUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/demo-admin"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`))
	s.must(s.acc.Source.PutBucketEncryption(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true}))
	if c := doctorCheck(t, s.doctor(), "source-key-policy"); c.Status == steps.DoctorPassed || !strings.Contains(c.Evidence, key.ARN) {
		t.Fatalf("source-key-policy: %s: %s", c.Status, c.Evidence)
	}
}
