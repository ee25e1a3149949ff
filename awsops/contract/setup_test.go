package contract

import (
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/steps"
)

// names are the resources of one scenario, the same on both backends.
type names struct {
	src, dst string
}

func newNames() names {
	return names{src: mototest.UniqueName("src"), dst: mototest.UniqueName("dst")}
}

func (n names) setup() steps.Setup {
	return steps.Setup{
		Source: steps.SourceSetup{Profile: mototest.SourceProfile, Bucket: n.src},
		Destination: steps.DestinationSetup{Profile: mototest.DestProfile, Region: mototest.DestRegion, Bucket: n.dst,
			CreateBucket: true, KMSKey: "alias/" + n.dst, CreateKey: true},
		Role: steps.RoleSetup{Name: "replicate-" + n.src},
		Rule: steps.RuleSetup{ID: "to-" + n.dst},
	}
}

// sourceBucket creates the source bucket encrypted by default with a customer key of
// the source account, and names the key for the normaliser.
func (b *backend) sourceBucket(t *testing.T, name string, versioned bool) awsops.KeyInfo {
	t.Helper()
	region := mototest.SourceRegion
	must(t, b.src.CreateBucket(ctx, region, name))
	key, err := b.src.CreateKey(ctx, region, "source key", "")
	must(t, err)
	b.names.name(key.KeyID, "<src-key-id>")
	must(t, b.src.PutBucketEncryption(ctx, region, name, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true}))
	if versioned {
		must(t, b.src.PutBucketVersioning(ctx, region, name))
	}
	return key
}

// inspection is what s3repl read and planned from it.
type inspection struct {
	state *steps.State
	plan  *steps.Plan
	acc   steps.Accounts
}

func (b *backend) inspect(t *testing.T, s steps.Setup) inspection {
	t.Helper()
	acc, err := steps.OpenAccounts(ctx, b.open, s)
	must(t, err)
	state, err := steps.Inspect(ctx, acc, s)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	plan, err := steps.BuildPlan(s, state)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return inspection{state: state, plan: plan, acc: acc}
}

func (b *backend) apply(t *testing.T, in inspection) steps.ApplyResult {
	t.Helper()
	journal, err := steps.OpenJournal(t.TempDir(), nil)
	must(t, err)
	defer journal.Close()
	result, err := steps.Apply(ctx, in.acc, in.plan, steps.ApplyOptions{Journal: journal, PropagationWait: time.Millisecond})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return result
}

// readBack is what the Account reads of the resources a setup wrote: facts compared
// as text, documents compared by meaning with policy.EquivalentDocs.
type readBack struct {
	facts string
	docs  map[string]string
}

// readBack reads what a setup wrote; role is the role the replication configuration
// uses, which is not the setup's when an existing configuration had one.
func (b *backend) readBack(t *testing.T, n names, s steps.Setup, role string) readBack {
	t.Helper()
	srcRegion, dstRegion := mototest.SourceRegion, mototest.DestRegion
	policyName := s.RolePolicyName()
	key, err := b.dst.DescribeKey(ctx, dstRegion, s.KeyRef())
	must(t, err)
	b.names.name(key.KeyID, "<dst-key-id>")
	facts, r := map[string]any{"destination key": key}, readBack{docs: map[string]string{}}
	read := func(name string, value any, err error) {
		t.Helper()
		must(t, err)
		facts[name] = value
	}
	readDoc := func(name, doc string, err error) {
		t.Helper()
		must(t, err)
		r.docs[name] = b.names.apply(doc)
	}
	for side, bucket := range map[steps.Side]string{steps.SourceSide: n.src, steps.DestinationSide: n.dst} {
		acc, region := b.account(side), srcRegion
		if side == steps.DestinationSide {
			region = dstRegion
		}
		versioning, err := acc.GetBucketVersioning(ctx, region, bucket)
		read(string(side)+" versioning", versioning, err)
		encryption, err := acc.GetBucketEncryption(ctx, region, bucket)
		read(string(side)+" encryption", encryption, err)
		ownership, err := acc.GetBucketOwnership(ctx, region, bucket)
		read(string(side)+" ownership", ownership, err)
		bucketRegion, err := acc.BucketRegion(ctx, bucket)
		read(string(side)+" region", bucketRegion, err)
	}
	facts["source buckets"] = b.listedBuckets(t, b.src, n)
	facts["destination buckets"] = b.listedBuckets(t, b.dst, n)
	facts["destination keys"] = b.listedKey(t, key.KeyID)
	gotRole, err := b.src.GetRole(ctx, role)
	read("role", awsops.Role{Name: gotRole.Name, ARN: gotRole.ARN, Path: gotRole.Path}, err)
	readDoc("role trust policy", gotRole.TrustPolicy, nil)
	inline, err := b.src.ListRolePolicies(ctx, role)
	read("role inline policies", inline, err)
	doc, err := b.src.GetRolePolicy(ctx, role, policyName)
	readDoc("role policy", doc, err)
	doc, err = b.dst.GetBucketPolicy(ctx, dstRegion, n.dst)
	readDoc("destination bucket policy", doc, err)
	doc, err = b.dst.GetKeyPolicy(ctx, dstRegion, key.ARN)
	readDoc("destination key policy", doc, err)
	doc, err = b.src.GetBucketReplication(ctx, srcRegion, n.src)
	readDoc("replication configuration", doc, err)
	r.facts = b.render(t, facts)
	return r
}

// listedBuckets is what ListBuckets says of the scenario's buckets: moto's server is
// shared with other tests, whose buckets are left out.
func (b *backend) listedBuckets(t *testing.T, acc awsops.Account, n names) []awsops.BucketSummary {
	t.Helper()
	all, err := acc.ListBuckets(ctx)
	must(t, err)
	var ours []awsops.BucketSummary
	for _, bucket := range all {
		if bucket.Name == n.src || bucket.Name == n.dst {
			ours = append(ours, bucket)
		}
	}
	return ours
}

// listedKey is what ListKeys says of one key of the destination Region.
func (b *backend) listedKey(t *testing.T, keyID string) []awsops.KeyInfo {
	t.Helper()
	all, err := b.dst.ListKeys(ctx, mototest.DestRegion)
	must(t, err)
	var ours []awsops.KeyInfo
	for _, key := range all {
		if key.KeyID == keyID {
			ours = append(ours, key)
		}
	}
	return ours
}

func compareReadBack(t *testing.T, sim, moto readBack) {
	t.Helper()
	mustEqual(t, "read-back facts", sim.facts, moto.facts)
	for name, simDoc := range sim.docs {
		same, err := policy.EquivalentDocs(simDoc, moto.docs[name])
		if err != nil || !same {
			t.Errorf("%s differs between simcloud and moto (%v):\n--- simcloud\n%s\n--- moto\n%s", name, err, simDoc, moto.docs[name])
		}
	}
}

type setupResult struct {
	state, plan, applied, replan string
	readBack                     readBack
}

// planApplyReplan inspects and plans s, applies the plan, plans again and reads the
// resources back.
func (b *backend) planApplyReplan(t *testing.T, n names, s steps.Setup, role string) setupResult {
	t.Helper()
	first := b.inspect(t, s)
	result := b.apply(t, first)
	second := b.inspect(t, s)
	back := b.readBack(t, n, s, role) // names the created key, so render after it
	return setupResult{
		state:    b.render(t, first.state),
		plan:     b.renderPlan(t, first.plan),
		applied:  b.render(t, changeIDs(result.Applied)),
		replan:   b.render(t, changeIDs(second.plan.Pending())),
		readBack: back,
	}
}

func changeIDs(changes []steps.Change) []string {
	ids := []string{}
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	return ids
}

func compareSetups(t *testing.T, sim, moto setupResult) {
	t.Helper()
	mustEqual(t, "inspected state", sim.state, moto.state)
	mustEqual(t, "plan (as s3repl plan --json prints it)", sim.plan, moto.plan)
	mustEqual(t, "applied changes", sim.applied, moto.applied)
	if sim.replan != "[]" || moto.replan != "[]" {
		t.Errorf("a second plan must have nothing pending: simcloud %s, moto %s", sim.replan, moto.replan)
	}
	compareReadBack(t, sim.readBack, moto.readBack)
}

func TestFreshCrossAccountSetup(t *testing.T) {
	t.Parallel()
	n := newNames()
	s := n.setup()
	sim, moto := onBoth(t, func(t *testing.T, b *backend) setupResult {
		b.sourceBucket(t, n.src, true)
		return b.planApplyReplan(t, n, s, s.RoleName())
	})
	compareSetups(t, sim, moto)
}

// Statements and rules that are not s3repl's, which every plan must keep.
const (
	trustS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

	legacyRuleTemplate = `{"ID":"legacy","Priority":5,"Filter":{"Prefix":"logs/"},"Status":"Enabled",` +
		`"Destination":{"Bucket":"arn:aws:s3:::LEGACY","StorageClass":"GLACIER"},"DeleteMarkerReplication":{"Status":"Enabled"}}`
	denyInsecureTemplate = `{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
	foreignKeyPolicy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Auditors","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["kms:DescribeKey"],"Resource":"*"}]}`
)

// existingSetup stages what a team already has: a source bucket replicating logs/ to
// a legacy bucket through a legacy role, and a destination bucket and key of its own
// with foreign statements in their policies. It returns the legacy role's name.
func (b *backend) existingSetup(t *testing.T, n names, legacy string) string {
	t.Helper()
	srcRegion, dstRegion := mototest.SourceRegion, mototest.DestRegion
	b.sourceBucket(t, n.src, true)
	must(t, b.src.CreateBucket(ctx, srcRegion, legacy))
	must(t, b.src.PutBucketVersioning(ctx, srcRegion, legacy))
	role, err := b.src.CreateRole(ctx, "legacy-"+n.src, trustS3, "")
	must(t, err)
	rule := strings.ReplaceAll(legacyRuleTemplate, "LEGACY", legacy)
	must(t, b.src.PutBucketReplication(ctx, srcRegion, n.src, `{"Role":"`+role.ARN+`","Rules":[`+rule+`]}`))

	must(t, b.dst.CreateBucket(ctx, dstRegion, n.dst))
	// What S3 gives a new bucket and moto does not (see errorCases).
	must(t, b.dst.PutBucketEncryption(ctx, dstRegion, n.dst, awsops.Encryption{Algorithm: "AES256"}))
	must(t, b.dst.PutBucketVersioning(ctx, dstRegion, n.dst))
	deny := strings.ReplaceAll(denyInsecureTemplate, "BUCKET", n.dst)
	must(t, b.dst.PutBucketPolicy(ctx, dstRegion, n.dst, `{"Version":"2012-10-17","Statement":[`+deny+`]}`))
	key, err := b.dst.CreateKey(ctx, dstRegion, "replica", foreignKeyPolicy)
	must(t, err)
	b.names.name(key.KeyID, "<dst-key-id>")
	must(t, b.dst.CreateAlias(ctx, dstRegion, "alias/"+n.dst, key.KeyID))
	return role.Name
}

func TestExistingSetupWithForeignStatements(t *testing.T) {
	t.Parallel()
	n, legacy := newNames(), mototest.UniqueName("legacy")
	s := n.setup()
	s.Destination.CreateBucket, s.Destination.CreateKey = false, false
	sim, moto := onBoth(t, func(t *testing.T, b *backend) setupResult {
		role := b.existingSetup(t, n, legacy)
		return b.planApplyReplan(t, n, s, role)
	})
	compareSetups(t, sim, moto)
	keeps(t, sim.readBack.docs["destination bucket policy"], "DenyInsecure")
	keeps(t, sim.readBack.docs["destination key policy"], "Auditors")
	if cfg := sim.readBack.docs["replication configuration"]; !strings.Contains(cfg, `"ID":"legacy"`) {
		t.Errorf("the legacy rule is gone:\n%s", cfg)
	}
}

// keeps fails unless the policy document still has the statement sid.
func keeps(t *testing.T, doc, sid string) {
	t.Helper()
	parsed, err := policy.Parse(doc)
	must(t, err)
	if _, ok := parsed.Statement(sid); !ok {
		t.Errorf("statement %s is gone:\n%s", sid, doc)
	}
}
