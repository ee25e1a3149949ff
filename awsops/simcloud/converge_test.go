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
	cloud *simcloud.Cloud
	acc   steps.Accounts
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
	return &faultEnv{cloud: c, acc: acc}
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
func (e *faultEnv) Setup() steps.Setup       { return faultSetup() }
func (e *faultEnv) Disarm()                  { e.cloud.DisarmFaults() }

func (e *faultEnv) Inject(p convergetest.Point, m convergetest.Mode) {
	account := faultSrcAccount
	if p.Side == steps.DestinationSide {
		account = faultDstAccount
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

func awsopsKMS(keyARN string) awsops.Encryption {
	return awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: keyARN, BucketKey: true}
}
