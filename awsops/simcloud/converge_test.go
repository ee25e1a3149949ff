package simcloud_test

import (
	"context"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
	"github.com/s3repl/s3repl/steps/convergetest"
)

const (
	faultSrcAccount = "111111111111"
	faultDstAccount = "222222222222"
)

// faultEnv is a fresh two-account cloud with a source bucket under a customer key,
// and nothing on the destination side.
type faultEnv struct {
	cloud      *simcloud.Cloud
	acc        steps.Accounts
	setup      steps.Setup
	srcAccount string
	dstAccount string
}

func newFaultEnv(t *testing.T) convergetest.Env {
	t.Helper()
	c := simcloud.New()
	c.AddProfile(simcloud.Profile{Name: "src", AccountID: faultSrcAccount, Region: "us-east-1"})
	c.AddProfile(simcloud.Profile{Name: "dst", AccountID: faultDstAccount, Region: "eu-west-1"})
	ctx := context.Background()
	src, _ := c.Account("src")
	key, err := c.AddKey(simcloud.KeySpec{AccountID: faultSrcAccount, Region: "us-east-1", Description: "source"})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.CreateBucket(ctx, "us-east-1", "fault-src"); err != nil {
		t.Fatal(err)
	}
	if err := src.PutBucketEncryption(ctx, "us-east-1", "fault-src", awsopsKMS(key.ARN)); err != nil {
		t.Fatal(err)
	}
	acc, err := steps.OpenAccounts(ctx, c.Open, faultSetup())
	if err != nil {
		t.Fatal(err)
	}
	return &faultEnv{cloud: c, acc: acc, setup: faultSetup(), srcAccount: faultSrcAccount, dstAccount: faultDstAccount}
}

// newExistingEnv is the demo cloud: the destination bucket and key exist with
// statements of their own, and the source bucket replicates elsewhere with a role of
// its own, which s3repl extends.
func newExistingEnv(t *testing.T) convergetest.Env {
	t.Helper()
	c := simcloud.NewDemo()
	s := steps.Setup{
		Source:      steps.SourceSetup{Profile: simcloud.DemoSourceProfile, Bucket: simcloud.DemoSourceBucket},
		Destination: steps.DestinationSetup{Profile: simcloud.DemoDestProfile, Region: simcloud.DemoDestRegion, Bucket: simcloud.DemoDestBucket, KMSKey: simcloud.DemoReplicaKey},
		Rule:        steps.RuleSetup{ID: "to-backup"},
	}
	acc, err := steps.OpenAccounts(context.Background(), c.Open, s)
	if err != nil {
		t.Fatal(err)
	}
	return &faultEnv{cloud: c, acc: acc, setup: s, srcAccount: simcloud.DemoSourceAccount, dstAccount: simcloud.DemoDestAccount}
}

func faultSetup() steps.Setup {
	return steps.Setup{
		Source: steps.SourceSetup{Profile: "src", Bucket: "fault-src"},
		Destination: steps.DestinationSetup{Profile: "dst", Region: "eu-west-1", Bucket: "fault-dst",
			CreateBucket: true, KMSKey: "alias/fault-replica", CreateKey: true},
		Role: steps.RoleSetup{Name: "fault-replication"},
		Rule: steps.RuleSetup{ID: "to-fault-dst"},
	}
}

func (e *faultEnv) Accounts() steps.Accounts { return e.acc }
func (e *faultEnv) Setup() steps.Setup       { return e.setup }
func (e *faultEnv) Disarm() bool             { return e.cloud.DisarmFaults() == 0 }
func (e *faultEnv) Placeholders() []string   { return nil }
func (e *faultEnv) KeysBefore() []string     { return nil }

func (e *faultEnv) Inject(p convergetest.Point, m convergetest.Mode) {
	account := e.srcAccount
	if p.Side == steps.DestinationSide {
		account = e.dstAccount
	}
	modes := map[convergetest.Mode]simcloud.FaultMode{
		convergetest.Refused: simcloud.FaultRefused, convergetest.AnswerLostOnce: simcloud.FaultAnswerLostOnce,
		convergetest.AnswerLost: simcloud.FaultAnswerLost,
	}
	e.cloud.InjectFault(simcloud.Fault{Op: p.Op, AccountID: account, Mode: modes[m]})
}

func TestFreshApplyConvergesAfterAnySingleFault(t *testing.T) {
	results := convergetest.Run(t, convergetest.FreshCrossAccount, newFaultEnv)
	t.Logf("fault table (simulated cloud, fresh cross-account setup):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "simcloud-fresh", results)
}

func TestExistingSetupApplyConvergesAfterAnySingleFault(t *testing.T) {
	points := convergetest.PlannedPoints(t, newExistingEnv(t))
	if len(points) < 4 {
		t.Fatalf("the existing setup plans %d writes, want the role policy, key policy, bucket policy and rule", len(points))
	}
	results := convergetest.Run(t, points, newExistingEnv)
	t.Logf("fault table (simulated cloud, existing setup):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "simcloud-existing", results)
}

func awsopsKMS(keyARN string) awsops.Encryption {
	return awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: keyARN, BucketKey: true}
}
