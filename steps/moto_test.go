package steps_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/steps"
)

func TestMain(m *testing.M) { mototest.Main(m) }

// recorder wraps an Account and records every write, so a test can prove that a
// refused setup changed nothing. failOn makes the named write fail once.
type recorder struct {
	awsops.Account
	mu     sync.Mutex
	writes []string
	failOn string
}

func (r *recorder) record(op string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if op == r.failOn {
		r.failOn = ""
		return &awsops.OpError{Op: op, Resource: "injected", Kind: awsops.KindOther, Err: errors.New("injected failure")}
	}
	r.writes = append(r.writes, op)
	return nil
}

func (r *recorder) Writes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

func (r *recorder) CreateBucket(ctx context.Context, region, bucket string) error {
	if err := r.record("CreateBucket"); err != nil {
		return err
	}
	return r.Account.CreateBucket(ctx, region, bucket)
}

func (r *recorder) PutBucketVersioning(ctx context.Context, region, bucket string) error {
	if err := r.record("PutBucketVersioning"); err != nil {
		return err
	}
	return r.Account.PutBucketVersioning(ctx, region, bucket)
}

func (r *recorder) PutBucketEncryption(ctx context.Context, region, bucket string, enc awsops.Encryption) error {
	if err := r.record("PutBucketEncryption"); err != nil {
		return err
	}
	return r.Account.PutBucketEncryption(ctx, region, bucket, enc)
}

func (r *recorder) PutBucketPolicy(ctx context.Context, region, bucket, doc string) error {
	if err := r.record("PutBucketPolicy"); err != nil {
		return err
	}
	return r.Account.PutBucketPolicy(ctx, region, bucket, doc)
}

func (r *recorder) PutBucketReplication(ctx context.Context, region, bucket, doc string) error {
	if err := r.record("PutBucketReplication"); err != nil {
		return err
	}
	return r.Account.PutBucketReplication(ctx, region, bucket, doc)
}

func (r *recorder) PutKeyPolicy(ctx context.Context, region, key, doc string) error {
	if err := r.record("PutKeyPolicy"); err != nil {
		return err
	}
	return r.Account.PutKeyPolicy(ctx, region, key, doc)
}

func (r *recorder) CreateKey(ctx context.Context, region, description, doc string) (awsops.KeyInfo, error) {
	if err := r.record("CreateKey"); err != nil {
		return awsops.KeyInfo{}, err
	}
	return r.Account.CreateKey(ctx, region, description, doc)
}

func (r *recorder) CreateKeyWithTags(ctx context.Context, region, description, doc string, tags map[string]string) (awsops.KeyInfo, error) {
	if err := r.record("CreateKey"); err != nil {
		return awsops.KeyInfo{}, err
	}
	return r.Account.CreateKeyWithTags(ctx, region, description, doc, tags)
}

func (r *recorder) CreateAlias(ctx context.Context, region, alias, key string) error {
	if err := r.record("CreateAlias"); err != nil {
		return err
	}
	return r.Account.CreateAlias(ctx, region, alias, key)
}

func (r *recorder) CreateRole(ctx context.Context, name, trust, description string) (awsops.Role, error) {
	if err := r.record("CreateRole"); err != nil {
		return awsops.Role{}, err
	}
	return r.Account.CreateRole(ctx, name, trust, description)
}

func (r *recorder) UpdateAssumeRolePolicy(ctx context.Context, role, trust string) error {
	if err := r.record("UpdateAssumeRolePolicy"); err != nil {
		return err
	}
	return r.Account.UpdateAssumeRolePolicy(ctx, role, trust)
}

func (r *recorder) PutRolePolicy(ctx context.Context, role, name, doc string) error {
	if err := r.record("PutRolePolicy"); err != nil {
		return err
	}
	return r.Account.PutRolePolicy(ctx, role, name, doc)
}

// world is one test's view of the two moto accounts.
type world struct {
	t        *testing.T
	ctx      context.Context
	src, dst *recorder
	journal  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	mototest.Start(t)
	ctx := context.Background()
	src, err := awsops.Open(ctx, mototest.SourceProfile)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := awsops.Open(ctx, mototest.DestProfile)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, ctx: ctx, src: &recorder{Account: src}, dst: &recorder{Account: dst}, journal: t.TempDir()}
}

// opener hands out the world's accounts by profile, as awsops.Open would.
func (w *world) opener(ctx context.Context, profile string) (awsops.Account, error) {
	switch profile {
	case mototest.SourceProfile:
		return w.src, nil
	case mototest.DestProfile:
		return w.dst, nil
	}
	return awsops.Open(ctx, profile)
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// sourceBucket creates a versioned-or-not source bucket encrypted with a customer key
// of the source account, and returns the key.
func (w *world) sourceBucket(name string, versioned bool) awsops.KeyInfo {
	w.t.Helper()
	acc, region := w.src.Account, mototest.SourceRegion
	w.must(acc.CreateBucket(w.ctx, region, name))
	key, err := acc.CreateKey(w.ctx, region, "source key", "")
	w.must(err)
	w.must(acc.PutBucketEncryption(w.ctx, region, name, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true}))
	if versioned {
		w.must(acc.PutBucketVersioning(w.ctx, region, name))
	}
	return key
}

func (w *world) setup(src, dst string) steps.Setup {
	return steps.Setup{
		Source: steps.SourceSetup{Profile: mototest.SourceProfile, Bucket: src},
		Destination: steps.DestinationSetup{Profile: mototest.DestProfile, Region: mototest.DestRegion, Bucket: dst,
			CreateBucket: true, KMSKey: "alias/" + dst, CreateKey: true},
		Role: steps.RoleSetup{Name: "replicate-" + src},
		Rule: steps.RuleSetup{ID: "to-" + dst},
	}
}

func (w *world) plan(s steps.Setup) (*steps.Plan, steps.Accounts, error) {
	w.t.Helper()
	acc, err := steps.OpenAccounts(w.ctx, w.opener, s)
	if err != nil {
		return nil, acc, err
	}
	state, err := steps.Inspect(w.ctx, acc, s)
	if err != nil {
		return nil, acc, err
	}
	plan, err := steps.BuildPlan(s, state)
	return plan, acc, err
}

func (w *world) mustPlan(s steps.Setup) (*steps.Plan, steps.Accounts) {
	w.t.Helper()
	plan, acc, err := w.plan(s)
	if err != nil {
		w.t.Fatalf("plan: %v", err)
	}
	return plan, acc
}

func (w *world) apply(plan *steps.Plan, acc steps.Accounts) (steps.ApplyResult, error) {
	journal, err := steps.OpenJournal(w.journal, nil)
	w.must(err)
	defer journal.Close()
	return steps.Apply(w.ctx, acc, plan, steps.ApplyOptions{Journal: journal, PropagationWait: time.Millisecond})
}

// planAndApply applies a setup and checks that planning it again finds nothing to do.
func (w *world) planAndApply(s steps.Setup) *steps.Plan {
	w.t.Helper()
	plan, acc := w.mustPlan(s)
	if _, err := w.apply(plan, acc); err != nil {
		w.t.Fatalf("apply: %v", err)
	}
	again, _ := w.mustPlan(s)
	if pending := again.Pending(); len(pending) > 0 {
		w.t.Fatalf("second plan is not empty: %s\nbefore: %s\nafter: %s", pending[0].ID, pending[0].Before, pending[0].After)
	}
	return plan
}

func pendingIDs(plan *steps.Plan) string {
	var ids []string
	for _, c := range plan.Pending() {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, " ")
}

func replicationRules(t *testing.T, doc string) (string, []map[string]any) {
	t.Helper()
	var cfg struct {
		Role  string
		Rules []map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatalf("replication configuration %q: %v", doc, err)
	}
	return cfg.Role, cfg.Rules
}

func TestMotoFreshCrossAccountCrossRegion(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	srcKey := w.sourceBucket(src, false)
	s := w.setup(src, dst)

	start, calls := time.Now(), w.src.APICalls()+w.dst.APICalls()
	plan, acc := w.mustPlan(s)
	t.Logf("plan of the fresh cross-account scenario: %d API calls, %v", w.src.APICalls()+w.dst.APICalls()-calls, time.Since(start))
	want := "role-create dst-key-create dst-key-alias dst-bucket-create dst-encryption dst-versioning src-versioning role-policy dst-bucket-policy src-replication"
	if got := pendingIDs(plan); got != want {
		t.Fatalf("changes:\n got %s\nwant %s", got, want)
	}
	if _, err := w.apply(plan, acc); err != nil {
		t.Fatalf("apply: %v", err)
	}

	ctx, srcAcc, dstAcc := w.ctx, w.src.Account, w.dst.Account
	region, err := dstAcc.BucketRegion(ctx, dst)
	w.must(err)
	if region != mototest.DestRegion {
		t.Fatalf("destination bucket in %s", region)
	}
	key, err := dstAcc.DescribeKey(ctx, mototest.DestRegion, "alias/"+dst)
	w.must(err)
	enc, err := dstAcc.GetBucketEncryption(ctx, region, dst)
	w.must(err)
	if enc.Algorithm != "aws:kms" || !strings.HasSuffix(key.ARN, strings.TrimPrefix(enc.KMSKeyID, "arn:aws:kms:eu-west-1:222222222222:")) || !enc.BucketKey {
		t.Fatalf("destination encryption %+v, key %s", enc, key.ARN)
	}
	for bucket, acc := range map[string]awsops.Account{src: srcAcc, dst: dstAcc} {
		r, _ := acc.BucketRegion(ctx, bucket)
		if v, _ := acc.GetBucketVersioning(ctx, r, bucket); v != "Enabled" {
			t.Fatalf("versioning of %s: %q", bucket, v)
		}
	}
	cfg, err := srcAcc.GetBucketReplication(ctx, mototest.SourceRegion, src)
	w.must(err)
	role, rules := replicationRules(t, cfg)
	if role != "arn:aws:iam::123456789012:role/replicate-"+src || len(rules) != 1 {
		t.Fatalf("replication configuration: %s", cfg)
	}
	if got := rules[0]["Destination"].(map[string]any)["EncryptionConfiguration"].(map[string]any)["ReplicaKmsKeyID"]; got != key.ARN {
		t.Fatalf("replica key %v, want %s", got, key.ARN)
	}
	rolePolicy, err := srcAcc.GetRolePolicy(ctx, "replicate-"+src, "s3repl-to-"+dst)
	w.must(err)
	for _, needle := range []string{srcKey.ARN, key.ARN, "s3.us-east-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"} {
		if !strings.Contains(rolePolicy, needle) {
			t.Errorf("role policy lacks %s", needle)
		}
	}
	keyPolicy, err := dstAcc.GetKeyPolicy(ctx, mototest.DestRegion, key.ARN)
	w.must(err)
	if !strings.Contains(keyPolicy, role) || !strings.Contains(keyPolicy, "arn:aws:iam::222222222222:root") {
		t.Fatalf("key policy must let the role in and keep the account's control:\n%s", keyPolicy)
	}
	bucketPolicy, err := dstAcc.GetBucketPolicy(ctx, region, dst)
	w.must(err)
	if !strings.Contains(bucketPolicy, role) {
		t.Fatalf("bucket policy lacks the role:\n%s", bucketPolicy)
	}
	again, _ := w.mustPlan(s)
	if pending := again.Pending(); len(pending) > 0 {
		t.Fatalf("second plan is not empty: %s\n%s\n%s", pendingIDs(again), pending[0].Before, pending[0].After)
	}
	checkJournal(t, w.journal, len(plan.Pending()))
}

func checkJournal(t *testing.T, dir string, changes int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "apply-*.jsonl"))
	if err != nil || len(files) != 1 {
		t.Fatalf("journal files: %v %v", files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	phases := map[string]int{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var e steps.JournalEntry
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		phases[e.Phase]++
		if e.Phase == "begin" && (e.Account == "" || e.Resource == "" || e.After == nil || e.Time.IsZero()) {
			t.Fatalf("journal entry lacks facts: %s", scanner.Text())
		}
	}
	if phases["begin"] != changes || phases["done"] != changes {
		t.Fatalf("journal phases %v for %d changes", phases, changes)
	}
}

func TestMotoExistingDestinationAndRuleAreKept(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, srcAcc, dstAcc := w.ctx, w.src.Account, w.dst.Account
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	var legacyRule string
	legacyRole, _ := w.legacyReplication(src, func(legacyDst string) string {
		legacyRule = `{"ID":"legacy","Priority":5,"Filter":{"Prefix":"logs/"},"Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::` + legacyDst + `","StorageClass":"GLACIER"},"DeleteMarkerReplication":{"Status":"Enabled"}}`
		return legacyRule
	})

	w.must(dstAcc.CreateBucket(ctx, mototest.DestRegion, dst))
	w.must(dstAcc.PutBucketVersioning(ctx, mototest.DestRegion, dst))
	theirBucketStatement := `{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + dst + `","arn:aws:s3:::` + dst + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
	w.must(dstAcc.PutBucketPolicy(ctx, mototest.DestRegion, dst, `{"Version":"2012-10-17","Statement":[`+theirBucketStatement+`]}`))
	theirKeyStatements := `{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Auditors","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["kms:DescribeKey"],"Resource":"*"}`
	key, err := dstAcc.CreateKey(ctx, mototest.DestRegion, "replica", `{"Version":"2012-10-17","Statement":[`+theirKeyStatements+`]}`)
	w.must(err)

	s := w.setup(src, dst)
	s.Destination.CreateBucket, s.Destination.CreateKey, s.Destination.KMSKey = false, false, key.ARN
	plan := w.planAndApply(s)
	if got := pendingIDs(plan); got != "role-policy dst-key-policy dst-bucket-policy src-replication" {
		t.Fatalf("changes: %s", got)
	}

	bucketPolicy, _ := dstAcc.GetBucketPolicy(ctx, mototest.DestRegion, dst)
	assertKeeps(t, bucketPolicy, theirBucketStatement)
	keyPolicy, _ := dstAcc.GetKeyPolicy(ctx, mototest.DestRegion, key.ARN)
	for _, st := range strings.SplitAfter(theirKeyStatements, "},{") {
		assertKeeps(t, keyPolicy, strings.TrimSuffix(strings.TrimPrefix(st, "{"), ",{"))
	}
	cfg, _ := srcAcc.GetBucketReplication(ctx, mototest.SourceRegion, src)
	role, rules := replicationRules(t, cfg)
	if role != legacyRole.ARN || len(rules) != 2 {
		t.Fatalf("the configuration's role and rule must be kept:\n%s", cfg)
	}
	kept, _ := json.Marshal(rules[0])
	if same, _ := policy.Equivalent(kept, []byte(legacyRule)); !same {
		t.Fatalf("legacy rule changed:\n%s\n%s", kept, legacyRule)
	}
	if rules[1]["Priority"] != float64(6) {
		t.Fatalf("our rule needs a free priority: %v", rules[1]["Priority"])
	}
	if _, err := srcAcc.GetRolePolicy(ctx, legacyRole.Name, "s3repl-to-"+dst); err != nil {
		t.Fatalf("the existing role must be extended: %v", err)
	}
	if _, err := srcAcc.GetRole(ctx, "replicate-"+src); !awsops.IsNotFound(err) {
		t.Fatalf("no second role may be created: %v", err)
	}
}

// TestMotoV1ConfigurationIsUpgradedNotLost: a configuration in the V1 schema (a rule
// with Prefix and no Filter) is rewritten as V2 beside our rule, its rule keeping its
// prefix, destination and storage class, with delete-marker replication Enabled as V1
// did; a second plan has nothing to do.
func TestMotoV1ConfigurationIsUpgradedNotLost(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, srcAcc := w.ctx, w.src.Account
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	legacyRole, legacyDst := w.legacyReplication(src, func(legacyDst string) string {
		return `{"ID":"legacy","Prefix":"logs/","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::` + legacyDst + `","StorageClass":"GLACIER"}}`
	})

	s := w.setup(src, dst)
	plan := w.planAndApply(s)
	if !strings.Contains(strings.Join(plan.Warnings, "\n"), "old V1 schema") {
		t.Fatalf("the plan does not say it rewrites the V1 rule: %q", plan.Warnings)
	}
	cfg, _ := srcAcc.GetBucketReplication(ctx, mototest.SourceRegion, src)
	role, rules := replicationRules(t, cfg)
	if role != legacyRole.ARN || len(rules) != 2 {
		t.Fatalf("the configuration's role and rule must be kept:\n%s", cfg)
	}
	upgraded, _ := json.Marshal(rules[0])
	want := `{"ID":"legacy","Priority":1,"Filter":{"Prefix":"logs/"},"Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::` + legacyDst + `","StorageClass":"GLACIER"},"DeleteMarkerReplication":{"Status":"Enabled"}}`
	if same, _ := policy.Equivalent(upgraded, []byte(want)); !same {
		t.Fatalf("the V1 rule was not upgraded with its meaning kept:\n%s\nwant\n%s", upgraded, want)
	}
	if again, _ := w.mustPlan(s); len(again.Pending()) != 0 {
		t.Fatalf("a second plan has changes: %s", pendingIDs(again))
	}
}

// legacyReplication gives a new versioned source bucket what someone set up before
// s3repl: a role of its own and a configuration with the one rule that rule writes,
// replicating to a bucket of its own.
func (w *world) legacyReplication(src string, rule func(legacyDst string) string) (awsops.Role, string) {
	w.t.Helper()
	ctx, srcAcc, legacyDst := w.ctx, w.src.Account, mototest.UniqueName("legacy")
	w.sourceBucket(src, true)
	w.must(srcAcc.CreateBucket(ctx, mototest.SourceRegion, legacyDst))
	w.must(srcAcc.PutBucketVersioning(ctx, mototest.SourceRegion, legacyDst))
	legacyRole, err := srcAcc.CreateRole(ctx, "legacy-"+src, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, "")
	w.must(err)
	w.must(srcAcc.PutBucketReplication(ctx, mototest.SourceRegion, src, `{"Role":"`+legacyRole.ARN+`","Rules":[`+rule(legacyDst)+`]}`))
	return legacyRole, legacyDst
}

// assertKeeps checks that doc has a statement meaning the same as statement.
func assertKeeps(t *testing.T, doc, statement string) {
	t.Helper()
	if !strings.HasPrefix(statement, "{") {
		statement = "{" + statement
	}
	if !strings.HasSuffix(statement, "}") {
		statement += "}"
	}
	parsed, err := policy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range parsed.Statements() {
		if same, _ := policy.Equivalent(st, []byte(statement)); same {
			return
		}
	}
	t.Fatalf("statement %s was lost or changed:\n%s", statement, doc)
}

func TestMotoSameAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, true)
	s := w.setup(src, dst)
	s.Destination.Profile = mototest.SourceProfile
	plan := w.planAndApply(s)
	for _, c := range plan.Changes {
		if c.ID == "dst-bucket-policy" {
			t.Fatal("same account: no bucket policy")
		}
		if c.Account != mototest.SourceAccount {
			t.Fatalf("change %s in account %s", c.ID, c.Account)
		}
	}
	cfg, _ := w.src.Account.GetBucketReplication(w.ctx, mototest.SourceRegion, src)
	_, rules := replicationRules(t, cfg)
	if _, has := rules[0]["Destination"].(map[string]any)["AccessControlTranslation"]; has {
		t.Fatal("same account: no ownership override by default")
	}
}

func TestMotoSameRegionPrefixScoped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, true)
	s := w.setup(src, dst)
	s.Destination.Region = mototest.SourceRegion
	s.Rule.Prefix = "invoices/"
	w.planAndApply(s)
	region, _ := w.dst.Account.BucketRegion(w.ctx, dst)
	if region != mototest.SourceRegion {
		t.Fatalf("destination in %s", region)
	}
	cfg, _ := w.src.Account.GetBucketReplication(w.ctx, mototest.SourceRegion, src)
	_, rules := replicationRules(t, cfg)
	if filter, _ := json.Marshal(rules[0]["Filter"]); string(filter) != `{"Prefix":"invoices/"}` {
		t.Fatalf("filter %s", filter)
	}
	rolePolicy, _ := w.src.Account.GetRolePolicy(w.ctx, "replicate-"+src, "s3repl-to-"+dst)
	if !strings.Contains(rolePolicy, src+"/invoices/*") || strings.Contains(rolePolicy, src+"/*\"") {
		t.Fatalf("role policy not scoped to the prefix:\n%s", rolePolicy)
	}
}

func TestMotoChangedBetweenPlanAndApplyIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, dstAcc := w.ctx, w.dst.Account
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, true)
	w.must(dstAcc.CreateBucket(ctx, mototest.DestRegion, dst))
	w.must(dstAcc.PutBucketVersioning(ctx, mototest.DestRegion, dst))
	s := w.setup(src, dst)
	s.Destination.CreateBucket = false
	plan, acc := w.mustPlan(s)

	meanwhile := `{"Version":"2012-10-17","Statement":[{"Sid":"AddedMeanwhile","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::` + dst + `"}]}`
	w.must(dstAcc.PutBucketPolicy(ctx, mototest.DestRegion, dst, meanwhile))
	result, err := w.apply(plan, acc)
	var changed *steps.ChangedError
	if !errors.As(err, &changed) || changed.Change.ID != "dst-bucket-policy" {
		t.Fatalf("want the bucket policy refused as changed, got %v", err)
	}
	if result.Failed == nil || len(result.NotApplied) != 1 || result.NotApplied[0].ID != "src-replication" {
		t.Fatalf("result: %+v", result)
	}
	now, _ := dstAcc.GetBucketPolicy(ctx, mototest.DestRegion, dst)
	if same, _ := policy.EquivalentDocs(now, meanwhile); !same {
		t.Fatalf("the changed policy was overwritten:\n%s", now)
	}
	if cfg, _ := w.src.Account.GetBucketReplication(ctx, mototest.SourceRegion, src); cfg != "" {
		t.Fatal("nothing after the refused change may be applied")
	}
	w.planAndApply(s) // a new plan sees the new policy, keeps it and finishes
	now, _ = dstAcc.GetBucketPolicy(ctx, mototest.DestRegion, dst)
	assertKeeps(t, now, `{"Sid":"AddedMeanwhile","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::`+dst+`"}`)
}

func TestMotoFailureMidwayThenRerunFinishes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, false)
	s := w.setup(src, dst)
	plan, acc := w.mustPlan(s)
	w.dst.failOn = "PutBucketPolicy"
	result, err := w.apply(plan, acc)
	var applyErr *steps.ApplyError
	if !errors.As(err, &applyErr) || result.Failed == nil || result.Failed.ID != "dst-bucket-policy" {
		t.Fatalf("want the bucket policy to fail, got %v", err)
	}
	msg := err.Error()
	for _, needle := range []string{"injected failure", "applied:", "Create destination bucket", "not applied:", "Replication rule", "run apply again"} {
		if !strings.Contains(msg, needle) {
			t.Errorf("failure report lacks %q:\n%s", needle, msg)
		}
	}
	rerun := w.planAndApply(s)
	if got := pendingIDs(rerun); got != "dst-bucket-policy src-replication" {
		t.Fatalf("the re-run must do only what is left: %s", got)
	}
}

// refusal runs plan+apply for a setup that must be refused before any write.
func (w *world) refusal(s steps.Setup, want string) {
	w.t.Helper()
	if err := s.Validate(); err != nil {
		if !strings.Contains(err.Error(), want) {
			w.t.Fatalf("want refusal containing %q, got %v", want, err)
		}
		return
	}
	plan, acc, err := w.plan(s)
	if err == nil {
		_, err = w.apply(plan, acc)
		w.t.Fatalf("setup was not refused; apply said %v", err)
	}
	if !strings.Contains(err.Error(), want) {
		w.t.Fatalf("want refusal containing %q, got:\n%v", want, err)
	}
	if writes := append(w.src.Writes(), w.dst.Writes()...); len(writes) > 0 {
		w.t.Fatalf("a refused setup wrote: %v", writes)
	}
}

func TestMotoRefusals(t *testing.T) {
	t.Parallel()
	prep := newWorld(t)
	ctx, srcAcc, dstAcc := prep.ctx, prep.src.Account, prep.dst.Account
	src := mototest.UniqueName("src")
	prep.sourceBucket(src, true)
	otherRegionBucket, otherAccountBucket := mototest.UniqueName("elsewhere"), mototest.UniqueName("theirs")
	prep.must(dstAcc.CreateBucket(ctx, "eu-central-1", otherRegionBucket))
	prep.must(srcAcc.CreateBucket(ctx, mototest.SourceRegion, otherAccountBucket))
	keyElsewhere, err := dstAcc.CreateKey(ctx, "eu-central-1", "wrong Region", "")
	prep.must(err)

	disabled, pending, asymmetric := sourceAccountKeys(t, ctx)
	sameAccountKey := func(key string) func(*steps.Setup) {
		return func(s *steps.Setup) {
			s.Destination.Profile, s.Destination.Region = mototest.SourceProfile, mototest.SourceRegion
			s.Destination.KMSKey, s.Destination.CreateKey = key, false
		}
	}
	cases := map[string]struct {
		edit func(*steps.Setup)
		want string
	}{
		"disabled key":         {sameAccountKey(disabled), "is Disabled"},
		"pending deletion key": {sameAccountKey(pending), "is PendingDeletion"},
		"asymmetric key":       {sameAccountKey(asymmetric), "S3 needs a symmetric encryption key"},
		"key in another Region": {func(s *steps.Setup) {
			s.Destination.KMSKey, s.Destination.CreateKey = keyElsewhere.ARN, false
		}, "is in eu-central-1 but the destination bucket is in eu-west-1"},
		"AWS managed key":           {func(s *steps.Setup) { s.Destination.KMSKey, s.Destination.CreateKey = "alias/aws/s3", false }, "AWS managed"},
		"invalid source bucket":     {func(s *steps.Setup) { s.Source.Bucket = "Bad_Name" }, "source.bucket \"Bad_Name\""},
		"invalid destination":       {func(s *steps.Setup) { s.Destination.Bucket = "a..b" }, "two adjacent dots"},
		"bucket in another Region":  {func(s *steps.Setup) { s.Destination.Bucket = otherRegionBucket }, "already exists in eu-central-1"},
		"bucket of another account": {func(s *steps.Setup) { s.Destination.Bucket = otherAccountBucket }, "does not belong to the account of profile dst"},
		"source bucket missing":     {func(s *steps.Setup) { s.Source.Bucket = mototest.UniqueName("missing") }, "does not exist"},
		"missing profile": {func(s *steps.Setup) { s.Destination.Profile = "no-such-profile" },
			"no-such-profile"},
		"expired SSO": {func(s *steps.Setup) { s.Source.Profile = mototest.ExpiredSSOProfile },
			"aws sso login --profile " + mototest.ExpiredSSOProfile},
		"missing destination key": {func(s *steps.Setup) {
			s.Destination.KMSKey, s.Destination.CreateKey = "alias/"+mototest.UniqueName("nokey"), false
		}, "does not exist in eu-west-1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			s := w.setup(src, mototest.UniqueName("dst"))
			tc.edit(&s)
			w.refusal(s, tc.want)
		})
	}
}

// deniedReads makes one read fail as AWS does when the profile lacks the permission.
type deniedReads struct {
	*recorder
}

func (d deniedReads) GetBucketPolicy(context.Context, string, string) (string, error) {
	return "", &awsops.OpError{Op: "s3:GetBucketPolicy", Profile: mototest.DestProfile, Resource: "the bucket", Code: "AccessDenied", Kind: awsops.KindAccessDenied, Err: errors.New("Access Denied")}
}

func TestMotoAccessDeniedSaysWhichCallAndPermission(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, true)
	w.must(w.dst.Account.CreateBucket(w.ctx, mototest.DestRegion, dst))
	s := w.setup(src, dst)
	acc := steps.Accounts{Source: w.src, Destination: deniedReads{w.dst}}
	_, err := steps.Inspect(w.ctx, acc, s)
	if err == nil || !strings.Contains(err.Error(), "grant s3:GetBucketPolicy on the bucket to the identity of profile dst") {
		t.Fatalf("AccessDenied must say which permission to grant: %v", err)
	}
}

// sourceAccountKeys makes keys s3repl must refuse, in the source account (whose
// static credentials a plain SDK client can use against moto).
func sourceAccountKeys(t *testing.T, ctx context.Context) (disabled, pending, asymmetric string) {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(mototest.SourceProfile))
	if err != nil {
		t.Fatal(err)
	}
	client := kms.NewFromConfig(cfg)
	// moto's DisableKey and ScheduleKeyDeletion take key ids only, not ARNs.
	create := func(spec kmstypes.KeySpec, usage kmstypes.KeyUsageType) (id, arn *string) {
		out, err := client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
		if err != nil {
			t.Fatal(err)
		}
		return out.KeyMetadata.KeyId, out.KeyMetadata.Arn
	}
	id, arn := create(kmstypes.KeySpecSymmetricDefault, kmstypes.KeyUsageTypeEncryptDecrypt)
	if _, err := client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	disabled = *arn
	id, arn = create(kmstypes.KeySpecSymmetricDefault, kmstypes.KeyUsageTypeEncryptDecrypt)
	if _, err := client.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	pending = *arn
	_, arn = create(kmstypes.KeySpecRsa2048, kmstypes.KeyUsageTypeSignVerify)
	return disabled, pending, *arn
}
