package steps

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
	"github.com/s3repl/s3repl/awsops/policy"
)

// Action says what a Change does to its resource.
type Action string

const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionNone   Action = "none"
)

// Side names the account a change is made in.
type Side string

const (
	SourceSide      Side = "source"
	DestinationSide Side = "destination"
)

type changeKind int

const (
	kindCreateRole changeKind = iota
	kindTrustPolicy
	kindRolePolicy
	kindCreateKey
	kindCreateAlias
	kindKeyPolicy
	kindCreateBucket
	kindVersioning
	kindEncryption
	kindBucketPolicy
	kindReplication
	kindManagedPolicy    // s3repl's customer managed policy for the role
	kindAttachPolicy     // attaching it to the role
	kindDeleteRolePolicy // s3repl's own inline policy, moved into the managed one
)

// Change is one write s3repl will make, with the document before and after. Before is
// "" when the resource does not exist yet.
type Change struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Side     Side   `json:"side"`
	Account  string `json:"account"`
	Region   string `json:"region"`
	Resource string `json:"resource"`
	Action   Action `json:"action"`
	Before   string `json:"-"`
	After    string `json:"-"`

	kind   changeKind
	target string // bucket name, key id or ARN, role name, alias
	name   string // the inline policy's name for kindRolePolicy; the managed policy's for kindManagedPolicy
	// managedARN is s3repl's managed policy that kindAttachPolicy attaches and that
	// holds what kindDeleteRolePolicy deletes.
	managedARN string
	// why says why the role's permissions take the managed form, for limit messages.
	why string
}

// Pending reports whether the change writes anything.
func (c Change) Pending() bool { return c.Action != ActionNone }

// MarshalJSON emits before and after as JSON documents (null when absent), as the
// CLI contract says.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	return json.Marshal(struct {
		plain
		Before json.RawMessage `json:"before"`
		After  json.RawMessage `json:"after"`
	}{plain(c), rawOrNull(c.Before), rawOrNull(c.After)})
}

func rawOrNull(doc string) json.RawMessage {
	if doc == "" || !json.Valid([]byte(doc)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(doc)
}

// Plan is the ordered list of changes for a setup, with warnings for the user and
// what will still make replication fail after the apply.
type Plan struct {
	Setup    Setup    `json:"-"`
	Facts    Facts    `json:"-"`
	Changes  []Change `json:"changes"`
	Warnings []string `json:"warnings"`
	// Blockers will make replication fail even once every change is applied: things
	// s3repl does not change, such as a Deny statement it did not write.
	Blockers []string `json:"blockers"`
}

// Pending returns the changes that write something.
func (p *Plan) Pending() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Pending() {
			out = append(out, c)
		}
	}
	return out
}

// NewKeyID is the key id shown in plans for a key that Apply creates; Apply replaces
// the whole placeholder ARN (Facts.NewKeyARN) in later documents with the real ARN.
const NewKeyID = "to-be-created-by-s3repl"

// BuildPlan decides what must change. It is pure: everything it needs is in the setup
// and the state Inspect read. It refuses unsafe or impossible setups with Problems.
func BuildPlan(s Setup, st *State) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	f, err := resolveFacts(s, st)
	if err != nil {
		return nil, err
	}
	b := &planBuilder{s: s, st: st, f: f}
	steps := []func() error{
		b.role, b.destKey, b.destBucket, b.sourceVersioning, b.rolePolicy,
		b.destKeyPolicy, b.sourceKeyPolicy, b.destBucketPolicy, b.replication,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	b.plan.Setup, b.plan.Facts = s, f
	blocking, notes := blockers(s, st, f)
	b.plan.Warnings = append(append(b.plan.Warnings, warnings(s, st, f)...), notes...)
	if b.plan.Warnings == nil {
		b.plan.Warnings = []string{}
	}
	b.plan.Blockers = append([]string{}, blocking...)
	if err := checkLimits(&b.plan, st); err != nil {
		return nil, err
	}
	return &b.plan, nil
}

// resolveFacts checks what Inspect found against the hard rules and resolves the ARNs
// and Regions the policies name.
func resolveFacts(s Setup, st *State) (Facts, error) {
	var p Problems
	src, dst := st.Source, st.Destination
	f := Facts{
		RuleID:        s.RuleID(),
		Partition:     PartitionOf(src.Identity.ARN),
		SourceAccount: src.Identity.AccountID,
		SourceRegion:  src.Region,
		SourceBucket:  s.Source.Bucket,
		DestAccount:   dst.Identity.AccountID,
		DestRegion:    dst.Region,
		DestBucket:    s.Destination.Bucket,
		Prefix:        s.Rule.Prefix,
		DeleteMarkers: s.Rule.DeleteMarkers,
		ObjectLock:    src.ObjectLock,
		DestBucketKey: destEncryptionAfter(s, st).BucketKey,
	}
	if !dst.BucketExists {
		f.DestRegion = s.Destination.Region
	}
	f.OwnerOverride = s.OwnerOverride(f.CrossAccount())
	if src.Key != nil && src.Key.ARN != "" {
		f.SourceKeyARNs = []string{src.Key.ARN}
	}
	for _, k := range src.ExtraKeys {
		if !slices.Contains(f.SourceKeyARNs, k.Key.ARN) {
			f.SourceKeyARNs = append(f.SourceKeyARNs, k.Key.ARN)
		}
	}
	f.RoleARN = resolveRole(s, st, f, &p)
	f.DestKeyARN = resolveDestKey(s, st, f, &p)
	checkObjectLock(s, st, &p)
	return f, p.orNil()
}

func resolveRole(s Setup, st *State, f Facts, p *Problems) string {
	if s.Role.ARN != "" && AccountOf(s.Role.ARN) != f.SourceAccount {
		p.add("role.arn %s is in account %s, but the source bucket's account is %s: the replication role must be in the source account", s.Role.ARN, AccountOf(s.Role.ARN), f.SourceAccount)
	}
	if st.Role.Role != nil {
		return st.Role.Role.ARN
	}
	if existing := replicationRole(st.Source.Replication); existing != "" {
		p.add("the source bucket's replication configuration uses role %s, which does not exist any more: S3 allows one role per configuration. Recreate that role or fix the configuration", existing)
		return existing
	}
	if s.Role.ARN != "" {
		p.add("role %s does not exist: give role.name to let s3repl create it, or the ARN of an existing role", s.Role.ARN)
	}
	return RoleARN(f.Partition, f.SourceAccount, s.RoleName())
}

// resolveDestKey checks the replica key against DOMAIN's hard rules.
func resolveDestKey(s Setup, st *State, f Facts, p *Problems) string {
	key := st.Destination.Key
	if key == nil {
		return f.NewKeyARN() // createKey is set, else Inspect refused already
	}
	if why := keyProblem(*key, f.DestRegion, f.DestAccount); why != "" {
		p.add("destination key %s %s", s.KeyRef(), why)
	}
	return key.ARN
}

// keyProblem says why a key cannot be the replica key for a bucket in region of
// account, or "" when it can.
func keyProblem(key awsops.KeyInfo, region, account string) string {
	switch {
	case key.Manager != "CUSTOMER":
		return "is an AWS managed key: AWS managed keys (such as aws/s3) cannot be used across accounts. Choose a customer managed key or set createKey: true"
	case key.AccountID != "" && key.AccountID != account:
		return fmt.Sprintf("belongs to account %s, not to the destination account %s: use a key of the destination account", key.AccountID, account)
	case region != "" && key.Region != region && key.MultiRegion:
		return fmt.Sprintf("is a multi-Region key in %s; S3 treats it as a single-Region key, so use its replica in %s (%s), replicating the key there first if needed", key.Region, region, strings.Replace(key.ARN, ":"+key.Region+":", ":"+region+":", 1))
	case region != "" && key.Region != region:
		return fmt.Sprintf("is in %s but the destination bucket is in %s: S3 needs the replica key in the bucket's Region", key.Region, region)
	case key.State != "Enabled":
		return fmt.Sprintf("is %s: enable it (or cancel its deletion) or choose another key", key.State)
	case key.Spec != "SYMMETRIC_DEFAULT" || key.Usage != "ENCRYPT_DECRYPT":
		return fmt.Sprintf("is %s for %s: S3 needs a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)", key.Spec, key.Usage)
	}
	return ""
}

func checkObjectLock(s Setup, st *State, p *Problems) {
	if !st.Source.ObjectLock || st.Destination.ObjectLock {
		return
	}
	if st.Destination.BucketExists {
		p.add("source bucket %q has Object Lock but destination bucket %q does not: S3 fails such replication (DstBucketObjectLockConfigMissing). Use a destination bucket with Object Lock enabled", s.Source.Bucket, s.Destination.Bucket)
		return
	}
	p.add("source bucket %q has Object Lock: the destination needs it too, and s3repl does not create Object Lock buckets. Create %q with Object Lock enabled first", s.Source.Bucket, s.Destination.Bucket)
}

type planBuilder struct {
	s    Setup
	st   *State
	f    Facts
	plan Plan
}

func (b *planBuilder) add(c Change) {
	if c.Action == "" {
		c.Action = ActionUpdate
		if c.Before == "" {
			c.Action = ActionCreate
		}
	}
	c.Account = b.accountOf(c.Side)
	b.plan.Changes = append(b.plan.Changes, c)
}

func (b *planBuilder) accountOf(side Side) string {
	if side == SourceSide {
		return b.f.SourceAccount
	}
	return b.f.DestAccount
}

// addDocChange adds a change of a document, as "none" when it does not change.
func (b *planBuilder) addDocChange(c Change, changed bool) {
	if !changed {
		c.Action = ActionNone
	}
	b.add(c)
}

func (b *planBuilder) role() error {
	name := RoleNameOf(b.f.RoleARN)
	trust := &policy.Document{}
	var before string
	if role := b.st.Role.Role; role != nil {
		before = policy.Pretty(role.TrustPolicy)
		var err error
		if trust, err = policy.Parse(role.TrustPolicy); err != nil {
			return fmt.Errorf("role %s has a trust policy s3repl cannot read: %w", name, err)
		}
	}
	changed := false
	if !trustsS3ForBucket(trust, b.f) {
		var err error
		if changed, err = trust.Upsert(b.f.TrustStatement()); err != nil {
			return err
		}
	}
	c := Change{
		ID: "role-trust", Side: SourceSide, Region: "global", Resource: b.f.RoleARN,
		Before: before, After: trust.String(), target: name,
	}
	if before == "" {
		c.ID, c.Title, c.kind = "role-create", "Create replication role "+name, kindCreateRole
		b.add(c)
		return nil
	}
	c.Title, c.kind = "Let S3 assume role "+name+" for bucket "+b.f.SourceBucket, kindTrustPolicy
	b.addDocChange(c, changed)
	return nil
}

// trustsS3ForBucket reports whether the trust policy already lets S3 assume the role
// for the source bucket, whether or not S3 sends aws:SourceAccount and aws:SourceArn,
// through a statement that is not ours (ours is kept current: roles s3repl made
// with the conditions it used to write get the documented trust on the next apply).
// A trust of the user's that needs those keys is kept as it is; ours is added beside
// it.
func trustsS3ForBucket(trust *policy.Document, f Facts) bool {
	if _, ours := trust.Statement(f.TrustSid()); ours {
		return false
	}
	return judgeTrust(trust.String(), f.RoleARN, f.SourceAccount, f.srcBucketARN()).works()
}

func (b *planBuilder) destKey() error {
	if b.st.Destination.Key != nil {
		return nil
	}
	alias := b.s.KeyRef()
	b.add(Change{
		ID: "dst-key-create", Title: "Create the replica KMS key", Side: DestinationSide,
		Region: b.f.DestRegion, Resource: b.f.NewKeyARN(),
		After: b.f.DefaultKeyPolicy(), kind: kindCreateKey,
	})
	b.add(Change{
		ID: "dst-key-alias", Title: "Create alias " + alias + " for the replica key", Side: DestinationSide,
		Region: b.f.DestRegion, Resource: "arn:" + b.f.Partition + ":kms:" + b.f.DestRegion + ":" + b.f.DestAccount + ":" + alias,
		After: docOf(map[string]any{"AliasName": alias, "TargetKeyId": b.f.NewKeyARN()}),
		kind:  kindCreateAlias, target: alias,
	})
	return nil
}

func (b *planBuilder) destBucket() error {
	dst := b.st.Destination
	bucket, region := b.f.DestBucket, b.f.DestRegion
	arn := BucketARN(b.f.Partition, bucket)
	if !dst.BucketExists {
		b.add(Change{
			ID: "dst-bucket-create", Title: "Create destination bucket " + bucket, Side: DestinationSide,
			Region: region, Resource: arn, kind: kindCreateBucket, target: bucket,
			After: docOf(map[string]any{"Bucket": bucket, "Region": region, "ObjectOwnership": "BucketOwnerEnforced"}),
		})
		b.add(Change{
			ID: "dst-encryption", Title: "Encrypt new objects in " + bucket + " with the replica key (Bucket Key on)",
			Side: DestinationSide, Region: region, Resource: arn, kind: kindEncryption, target: bucket,
			After: encryptionDoc(awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: b.f.DestKeyARN, BucketKey: true}),
		})
	} else if encryptsBucketLeftBehind(b.s, b.st) {
		b.add(Change{
			ID: "dst-encryption", Title: "Encrypt new objects in " + bucket + " with the replica key (Bucket Key on)",
			Side: DestinationSide, Region: region, Resource: arn, kind: kindEncryption, target: bucket,
			Before: encryptionDoc(dst.Encryption),
			After:  encryptionDoc(awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: b.f.DestKeyARN, BucketKey: true}),
		})
	}
	b.versioning("dst-versioning", DestinationSide, bucket, region, dst.Versioning, dst.BucketExists)
	return nil
}

// destEncryptionAfter is the destination bucket's default encryption once the plan is
// applied: the plan decides what the policies allow (kms:Decrypt for Bucket Keys)
// from the state it leaves, not only from the state it read. A bucket the setup
// creates gets SSE-KMS with a Bucket Key, also when an earlier run stopped after
// creating it.
func destEncryptionAfter(s Setup, st *State) awsops.Encryption {
	dst := st.Destination
	if !dst.BucketExists || encryptsBucketLeftBehind(s, st) {
		return awsops.Encryption{Algorithm: "aws:kms", BucketKey: true}
	}
	return dst.Encryption
}

// encryptsBucketLeftBehind reports whether the plan sets the default encryption of a
// destination bucket that exists: one the setup creates that is still on S3's
// default, left so by a run that stopped after creating it.
func encryptsBucketLeftBehind(s Setup, st *State) bool {
	dst := st.Destination
	return dst.BucketExists && s.Destination.CreateBucket && !strings.HasPrefix(dst.Encryption.Algorithm, "aws:kms")
}

func (b *planBuilder) sourceVersioning() error {
	b.versioning("src-versioning", SourceSide, b.f.SourceBucket, b.f.SourceRegion, b.st.Source.Versioning, true)
	return nil
}

func (b *planBuilder) versioning(id string, side Side, bucket, region, status string, exists bool) {
	c := Change{
		ID: id, Title: "Enable versioning on " + bucket, Side: side, Region: region,
		Resource: BucketARN(b.f.Partition, bucket), kind: kindVersioning, target: bucket,
		After: docOf(map[string]any{"Status": "Enabled"}),
	}
	if exists {
		c.Before = docOf(map[string]any{"Status": status})
		if status == "" {
			c.Before = docOf(map[string]any{"Status": "Disabled"})
		}
	}
	switch {
	case status == "Enabled":
		c.Action = ActionNone
	case !exists:
		c.Action = ActionCreate // part of a bucket created in this run
	default:
		c.Action = ActionUpdate
	}
	b.add(c)
}

func (b *planBuilder) rolePolicy() error {
	doc, err := policy.Parse(b.st.Role.Policy)
	if err != nil {
		return fmt.Errorf("inline policy %s of the role cannot be read: %w", b.st.Role.PolicyName, err)
	}
	changed, err := doc.Upsert(b.f.RolePolicyStatements()...)
	if err != nil {
		return err
	}
	c := Change{
		ID: "role-policy", Title: "Permissions of the role for rule " + b.s.RuleID() + " (inline policy " + b.st.Role.PolicyName + ")",
		Side: SourceSide, Region: "global", Resource: b.f.RoleARN, kind: kindRolePolicy,
		target: RoleNameOf(b.f.RoleARN), name: b.st.Role.PolicyName,
		Before: prettyOrEmpty(b.st.Role.Policy), After: doc.String(),
	}
	if b.st.Role.Role != nil {
		if b.st.Role.ownManagedAttached(b.f.RoleARN) {
			return b.managedRolePolicy("")
		}
		if over := roleInlineOverLimit(c, b.st); changed && over != "" {
			return b.managedRolePolicy(over)
		}
		if b.st.Role.OwnManaged != "" {
			b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf("managed policy %s, made by an earlier s3repl run for this rule, is not attached to the role and nothing of s3repl's uses it: the role's inline policies have room again. Delete it with `aws iam delete-policy --policy-arn %s` if nothing else uses it", b.st.Role.OwnManagedARN, b.st.Role.OwnManagedARN))
		}
	}
	b.addDocChange(c, changed)
	return nil
}

func (b *planBuilder) destKeyPolicy() error {
	dst := b.st.Destination
	if dst.Key == nil {
		return nil // the key s3repl creates gets its whole policy at creation
	}
	needed := b.f.CrossAccount()
	for _, action := range b.f.replicaKeyActions() {
		// a same-account key policy that lets the role do only some of them needs
		// s3repl's statement
		needed = needed || !keyLetsRoleIn(dst.KeyPolicy, b.f, dst.Key, action, b.f.DestRegion, b.f.DestBucket)
	}
	return b.keyPolicy("dst-key-policy", "Let the role encrypt replicas with key "+dst.Key.ARN,
		DestinationSide, dst.Key, dst.KeyPolicy, b.f.DestKeyStatement(), needed)
}

// sourceKeyPolicy lets the role decrypt with the source bucket's default key and
// the keys of source.kmsKeys, in the policy of each key of the source account that
// does not already let it (by delegating to the account's IAM policies).
func (b *planBuilder) sourceKeyPolicy() error {
	src := b.st.Source
	if src.Key != nil {
		if err := b.sourceKeyPolicyOf("src-key-policy", src.Key, src.KeyPolicy); err != nil {
			return err
		}
	}
	for _, extra := range src.ExtraKeys {
		if src.Key != nil && sameKey(src.Key.ARN, extra.Key.ARN) {
			continue
		}
		if err := b.sourceKeyPolicyOf("src-key-policy-"+lastPart(extra.Key.ARN), &extra.Key, extra.Policy); err != nil {
			return err
		}
	}
	return nil
}

func (b *planBuilder) sourceKeyPolicyOf(id string, key *awsops.KeyInfo, keyPolicy string) error {
	if key.Manager != "CUSTOMER" || key.AccountID != b.f.SourceAccount || keyPolicy == "" {
		return nil
	}
	if keyLetsRoleIn(keyPolicy, b.f, key, "kms:Decrypt", b.f.SourceRegion, b.f.SourceBucket) {
		return nil
	}
	return b.keyPolicy(id, "Let the role decrypt source objects with key "+key.ARN,
		SourceSide, key, keyPolicy, b.f.SourceKeyStatement(), true)
}

// lastPart is what follows the last "/" of an ARN: a key's id.
func lastPart(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func (b *planBuilder) keyPolicy(id, title string, side Side, key *awsops.KeyInfo, current string, ours policy.Statement, needed bool) error {
	doc, err := policy.Parse(current)
	if err != nil {
		return fmt.Errorf("the key policy of %s cannot be read: %w", key.ARN, err)
	}
	changed := false
	if _, present := doc.Statement(ours.Sid); needed || present {
		if changed, err = doc.Upsert(ours); err != nil {
			return err
		}
	}
	b.addDocChange(Change{
		ID: id, Title: title, Side: side, Region: key.Region, Resource: key.ARN,
		kind: kindKeyPolicy, target: key.ARN, Before: prettyOrEmpty(current), After: doc.String(),
	}, changed)
	return nil
}

// keyLetsRoleIn reports whether a key policy already lets the role (of the key's own
// account) make the request, by naming it or by delegating to the account's IAM
// policies, which s3repl writes. S3 passes the object's ARN as the encryption
// context, or the bucket's with an S3 Bucket Key [bucket-key], which any object may
// use: the policy must allow the request in both.
func keyLetsRoleIn(keyPolicy string, f Facts, key *awsops.KeyInfo, action, region, bucket string) bool {
	bucketARN := BucketARN(f.Partition, bucket)
	for _, context := range []string{bucketARN + "/" + f.Prefix + "object", bucketARN} {
		req := evaluator.Request{
			Principal: evaluator.Principal{ARN: f.RoleARN, AccountID: f.SourceAccount},
			Action:    action, Resource: key.ARN, ResourceAccount: key.AccountID,
			Context: map[string][]string{"kms:ViaService": {"s3." + region + ".amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {context},
				"kms:CallerAccount": {f.SourceAccount}},
		}
		if !evaluator.EvaluateResource(keyPolicy, req).Allowed {
			return false
		}
	}
	return true
}

func (b *planBuilder) destBucketPolicy() error {
	if !b.f.CrossAccount() {
		return nil
	}
	current := b.st.Destination.Policy
	doc, err := policy.Parse(current)
	if err != nil {
		return fmt.Errorf("the bucket policy of %s cannot be read: %w", b.f.DestBucket, err)
	}
	changed, err := doc.Upsert(b.f.DestBucketStatements()...)
	if err != nil {
		return err
	}
	b.addDocChange(Change{
		ID: "dst-bucket-policy", Title: "Let the role replicate into bucket " + b.f.DestBucket,
		Side: DestinationSide, Region: b.f.DestRegion, Resource: BucketARN(b.f.Partition, b.f.DestBucket),
		kind: kindBucketPolicy, target: b.f.DestBucket, Before: prettyOrEmpty(current), After: doc.String(),
	}, changed)
	return nil
}

func (b *planBuilder) replication() error {
	current := b.st.Source.Replication
	after, changed, err := MergeReplication(current, b.s, b.f)
	if err != nil {
		return err
	}
	if v1 := V1Rules(current); len(v1) > 0 {
		b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf("the source bucket's replication configuration is in the old V1 schema, which S3 does not allow beside s3repl's rule: s3repl rewrites its rules (%s) as V2 with the same meaning: the prefix moves into Filter, each gets a Priority in its order, and delete-marker replication stays on (Enabled), as V1 did; the diff shows each rule",
			strings.Join(v1, ", ")))
	}
	if w := watchMetricsOffWarning(current, b.s); w != "" && changed {
		b.plan.Warnings = append(b.plan.Warnings, w)
	}
	b.addDocChange(Change{
		ID: "src-replication", Title: "Replication rule " + b.s.RuleID() + " on " + b.f.SourceBucket,
		Side: SourceSide, Region: b.f.SourceRegion, Resource: BucketARN(b.f.Partition, b.f.SourceBucket),
		kind: kindReplication, target: b.f.SourceBucket, Before: policy.Pretty(current), After: after,
	}, changed)
	return nil
}

func docOf(v any) string {
	out, _ := json.MarshalIndent(v, "", "  ")
	return string(out)
}

func encryptionDoc(e awsops.Encryption) string {
	if e.Algorithm == "" {
		return ""
	}
	return docOf(map[string]any{"SSEAlgorithm": e.Algorithm, "KMSMasterKeyID": e.KMSKeyID, "BucketKeyEnabled": e.BucketKey})
}

func prettyOrEmpty(doc string) string {
	if doc == "" {
		return ""
	}
	if parsed, err := policy.Parse(doc); err == nil {
		return parsed.String()
	}
	return policy.Pretty(doc)
}

func jsonUnmarshal(doc string, v any) error { return json.Unmarshal([]byte(doc), v) }
