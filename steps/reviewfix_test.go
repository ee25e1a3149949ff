package steps_test

import (
	"testing"

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
