package steps_test

import (
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestVerifyRuleNamingTheReplicaKeyByAlias: ReplicaKmsKeyID may be an alias ARN
// [API_EncryptionConfiguration]; the replica carries the key's ARN, which verify
// compares with the key the alias names.
func TestVerifyRuleNamingTheReplicaKeyByAlias(t *testing.T) {
	s := newSimSetup(t, nil)
	aliasARN := "arn:aws:kms:" + simcloud.DemoDestRegion + ":" + simcloud.DemoDestAccount + ":" + simcloud.DemoReplicaKey
	s.pointRuleAtKey(aliasARN)
	report := s.verify()
	if report.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify: %s (%s) %s", report.Outcome, report.Explanation, s.failureReason(report.Key, report.VersionID))
	}
	if c := report.Check(steps.CheckReplicaKey); c.Status != steps.CheckPassed {
		t.Errorf("the replica key check with the rule naming %s: %s (%s)", aliasARN, c.Status, c.Detail)
	}
}

// TestObjectWithABucketKeyWhileTheDefaultsHaveNone: neither bucket defaults to an S3
// Bucket Key, but an object is uploaded with one; its replica keeps it, and S3
// decrypts with the replica key [bucket-key, Example 1]. The plan grants kms:Decrypt
// anyway, so the object replicates, and the doctor passes.
func TestObjectWithABucketKeyWhileTheDefaultsHaveNone(t *testing.T) {
	s := newSimSetupFrom(t, func(s *simSetup) {
		for _, side := range []struct {
			acc            awsops.Account
			region, bucket string
			key            string
		}{
			{s.acc.Source, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, simcloud.DemoSourceKey},
			{s.acc.Destination, simcloud.DemoDestRegion, simcloud.DemoDestBucket, simcloud.DemoReplicaKey},
		} {
			key, err := side.acc.DescribeKey(s.ctx, side.region, side.key)
			s.must(err)
			s.must(side.acc.PutBucketEncryption(s.ctx, side.region, side.bucket, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN}))
		}
	})
	s.expectSettled("both defaults without a Bucket Key")
	version, err := s.cloud.PutObjectWithBucketKey(simcloud.DemoSourceBucket, s.setup.Rule.Prefix+"with-bucket-key.txt", []byte("x"))
	s.must(err)
	s.clock.Advance(time.Minute)
	s.cloud.Step()
	head, err := s.acc.Source.HeadObject(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, s.setup.Rule.Prefix+"with-bucket-key.txt", version)
	s.must(err)
	if head.ReplicationStatus != "COMPLETED" {
		t.Fatalf("status %q: %s", head.ReplicationStatus, s.failureReason(s.setup.Rule.Prefix+"with-bucket-key.txt", version))
	}
	s.expectEveryCheckPasses()
}
