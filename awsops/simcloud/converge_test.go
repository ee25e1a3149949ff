package simcloud_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
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

// newCrowdedEnv is the demo cloud whose role has no room left for s3repl's inline
// policy: about 9,700 characters of inline policy, s3repl's own (as an earlier
// version wrote it, with a statement the user added) among them. The apply creates
// the managed policy, attaches it and deletes s3repl's inline policy.
func newCrowdedEnv(t *testing.T) convergetest.Env {
	t.Helper()
	e := newExistingEnv(t).(*faultEnv)
	ctx, src := context.Background(), e.acc.Source
	role := simcloud.DemoExistingRole
	if err := src.PutRolePolicy(ctx, role, e.setup.RolePolicyName(), `{"Version":"2012-10-17","Statement":[{"Sid":"AuditReads","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-audit/*"}]}`); err != nil {
		t.Fatal(err)
	}
	names, err := src.ListRolePolicies(ctx, role)
	if err != nil {
		t.Fatal(err)
	}
	room := 9700
	for _, n := range names {
		doc, err := src.GetRolePolicy(ctx, role, n)
		if err != nil {
			t.Fatal(err)
		}
		room -= policy.IAMSize(doc)
	}
	var statements []string
	for size := 40; size < room; {
		st := fmt.Sprintf(`{"Sid":"Logs%d","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:111111111111:log-group:app-%04d:*"}`, len(statements), len(statements))
		statements = append(statements, st)
		size += len(st) + 1
	}
	if err := src.PutRolePolicy(ctx, role, "app-logs", `{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`); err != nil {
		t.Fatal(err)
	}
	return e
}

// newManagedUpdateEnv is newCrowdedEnv applied, after which s3repl's managed policy
// lost an action and got to IAM's five versions: the apply deletes the oldest
// version and creates the new default one.
func newManagedUpdateEnv(t *testing.T) convergetest.Env {
	t.Helper()
	e := newCrowdedEnv(t).(*faultEnv)
	ctx, src := context.Background(), e.acc.Source
	if err := convergetest.ApplyNow(ctx, e, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	role, err := src.GetRole(ctx, simcloud.DemoExistingRole)
	if err != nil {
		t.Fatal(err)
	}
	arn := steps.ManagedPolicyARN(role.ARN, e.setup.RolePolicyName())
	current, err := src.ManagedPolicy(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(current, `"s3:ReplicateTags",`, "", 1)
	for i := range 4 {
		doc := broken
		if i < 3 {
			doc = strings.Replace(current, `"AuditReads"`, fmt.Sprintf(`"AuditReads%d"`, i), 1)
		}
		if err := src.CreatePolicyVersion(ctx, arn, doc); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// TestCrowdedRoleApplyConvergesAfterAnySingleFault: each write of moving s3repl's
// permissions into a managed policy (CreatePolicy, AttachRolePolicy,
// DeleteRolePolicy), and of updating it (DeletePolicyVersion, CreatePolicyVersion),
// fails in turn; the rerun ends where a fault-free run does.
func TestCrowdedRoleApplyConvergesAfterAnySingleFault(t *testing.T) {
	points := convergetest.PlannedPoints(t, newCrowdedEnv(t))
	for _, op := range []string{"iam:CreatePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy"} {
		if !slices.Contains(points, convergetest.Point{Op: op, Side: steps.SourceSide}) {
			t.Fatalf("the crowded role's apply has no %s: %v", op, points)
		}
	}
	results := convergetest.Run(t, points, newCrowdedEnv)
	t.Logf("fault table (simulated cloud, crowded role):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "simcloud-crowded-role", results)

	points = []convergetest.Point{{Op: "iam:DeletePolicyVersion", Side: steps.SourceSide}, {Op: "iam:CreatePolicyVersion", Side: steps.SourceSide}}
	if planned := convergetest.PlannedPoints(t, newManagedUpdateEnv(t)); !slices.Equal(planned, points[1:]) {
		t.Fatalf("the managed policy's update plans %v", planned)
	}
	results = convergetest.Run(t, points, newManagedUpdateEnv)
	t.Logf("fault table (simulated cloud, managed policy update at five versions):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "simcloud-managed-update", results)
}
