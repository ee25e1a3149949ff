package steps

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
	"github.com/s3repl/s3repl/awsops/policy"
)

// DoctorStatus is the outcome of one check.
type DoctorStatus string

const (
	DoctorPassed  DoctorStatus = "passed"
	DoctorFailed  DoctorStatus = "failed"
	DoctorUnknown DoctorStatus = "unknown"
	DoctorInfo    DoctorStatus = "info"
)

// DoctorCheck is one finding: what was checked, the evidence, and the fix.
type DoctorCheck struct {
	ID       string       `json:"id"`
	Title    string       `json:"title"`
	Status   DoctorStatus `json:"status"`
	Evidence string       `json:"evidence"`
	Fix      string       `json:"fix,omitempty"`
}

// DoctorReport is every check, and the changes s3repl would make to fix what it can.
type DoctorReport struct {
	Checks []DoctorCheck `json:"checks"`
	// Fixes are the pending changes of a plan for the same setup: applying them
	// (`s3repl apply`) mends what s3repl knows how to mend.
	Fixes    []Change `json:"fixes"`
	FixError string   `json:"fixError,omitempty"`
	// Plan is the plan the fixes come from, for applying exactly what was shown.
	Plan *Plan `json:"-"`
}

// Failed reports whether any check failed.
func (r DoctorReport) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == DoctorFailed {
			return true
		}
	}
	return false
}

// sampleSize is how many object versions the doctor looks at in the rule's scope.
const sampleSize = 20

// sampledObject is an object version of the source bucket the doctor looked at.
type sampledObject struct {
	Key, VersionID, Status, KMSKeyID string
	// BucketKey says the version uses an S3 Bucket Key, which its replica keeps
	// [bucket-key, Example 1], whatever the buckets' defaults say.
	BucketKey bool
}

// diagnosis is everything the checks look at; building it reads AWS, checking it is
// pure.
type diagnosis struct {
	setup        Setup
	st           *State
	rule         replicationRule
	ruleFound    bool
	roleARN      string
	rolePolicies []string // inline and managed
	managedRead  bool
	replicaKey   *awsops.KeyInfo
	replicaPol   string
	// replicaKeyErr is why the destination profile may not read the rule's key.
	replicaKeyErr error
	samples       []sampledObject
	sampleErr     error
	// objectKeyPolicies are the key policies of the keys sampled objects are under,
	// by key ARN, as far as the source profile may read them.
	objectKeyPolicies map[string]string
	// probes are the requests S3 makes with the role, built once from the above
	// when gathering is done (see replicationProbes).
	probes *probeSet
}

// Doctor inspects both accounts and checks everything S3 replication needs, the way
// S3 would decide it, with the project's policy evaluator.
func Doctor(ctx context.Context, acc Accounts, s Setup) (DoctorReport, error) {
	report, _, err := diagnose(ctx, acc, s)
	return report, err
}

// diagnose is Doctor with the state it read, so that fixes for another setup of the
// same resources can be planned again without reading AWS again (planFixes).
func diagnose(ctx context.Context, acc Accounts, s Setup) (DoctorReport, *State, error) {
	st, err := Inspect(ctx, acc, s)
	if err != nil {
		return DoctorReport{}, nil, err
	}
	d, err := gatherDiagnosis(ctx, acc, s, st)
	if err != nil {
		return DoctorReport{}, nil, err
	}
	report := DoctorReport{Checks: d.checks()}
	report.planFixes(s, st)
	return report, st, nil
}

// planFixes sets the report's fixes: what apply would change for setup s on state st.
func (r *DoctorReport) planFixes(s Setup, st *State) {
	r.Fixes, r.Plan, r.FixError = []Change{}, nil, ""
	if plan, err := BuildPlan(s, st); err != nil {
		r.FixError = err.Error()
	} else {
		r.Fixes, r.Plan = plan.Pending(), plan
	}
}

func gatherDiagnosis(ctx context.Context, acc Accounts, s Setup, st *State) (*diagnosis, error) {
	d := &diagnosis{setup: s, st: st}
	d.rule, d.ruleFound = findRule(st.Source.Replication, s.RuleID())
	if role := st.Role.Role; role != nil {
		d.roleARN, d.rolePolicies, d.managedRead = role.ARN, st.Role.Policies(), st.Role.ManagedRead
	} else if cfgRole := replicationRole(st.Source.Replication); cfgRole != "" {
		d.roleARN = cfgRole
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.readReplicaKey(gctx, acc.Destination) })
	g.Go(func() error { d.sample(gctx, acc.Source); return nil })
	if err := g.Wait(); err != nil {
		return d, err
	}
	d.readObjectKeyPolicies(ctx, acc.Source)
	d.probes = d.buildProbes() // the checks all read these: build them once
	return d, nil
}

// readObjectKeyPolicies reads the policies of the keys sampled objects are under; a
// key whose policy the source profile may not read (another account's) stays out.
func (d *diagnosis) readObjectKeyPolicies(ctx context.Context, acc awsops.Account) {
	d.objectKeyPolicies = map[string]string{}
	for _, s := range d.samples {
		if s.KMSKeyID == "" {
			continue
		}
		if _, seen := d.objectKeyPolicy(s.KMSKeyID); seen {
			continue
		}
		if doc, err := acc.GetKeyPolicy(ctx, RegionOf(s.KMSKeyID), s.KMSKeyID); err == nil {
			d.objectKeyPolicies[s.KMSKeyID] = doc
		}
	}
}

// objectKeyPolicy is the policy of a key objects are under, if s3repl could read it.
func (d *diagnosis) objectKeyPolicy(keyARN string) (string, bool) {
	if k := d.st.Source.Key; k != nil && sameKey(k.ARN, keyARN) && d.st.Source.KeyPolicy != "" {
		return d.st.Source.KeyPolicy, true
	}
	for _, extra := range d.st.Source.ExtraKeys {
		if sameKey(extra.Key.ARN, keyARN) && extra.Policy != "" {
			return extra.Policy, true
		}
	}
	doc, ok := d.objectKeyPolicies[keyARN]
	return doc, ok
}

// readReplicaKey reads the key the rule names, which is what S3 uses, whatever the
// setup file says.
func (d *diagnosis) readReplicaKey(ctx context.Context, acc awsops.Account) error {
	ref := d.rule.replicaKey()
	if !d.ruleFound || ref == "" {
		return nil
	}
	if k := d.st.Destination.Key; k != nil && sameKey(k.ARN, ref) {
		d.replicaKey, d.replicaPol = k, d.st.Destination.KeyPolicy
		return nil
	}
	region := RegionOf(ref)
	if region == "" {
		region = d.st.Destination.Region
	}
	key, err := acc.DescribeKey(ctx, region, ref)
	if awsops.IsNotFound(err) {
		return nil
	}
	if awsops.IsAccessDenied(err) {
		d.replicaKeyErr = err // the replica-key check says so; the rest still runs
		return nil
	}
	if err != nil {
		return explain("destination", err)
	}
	d.replicaKey = &key
	if key.Manager == "CUSTOMER" {
		d.replicaPol, err = acc.GetKeyPolicy(ctx, region, key.ARN)
	}
	return explain("destination", err)
}

// sample looks at recent object versions in the rule's scope: their replication
// status and the key they are encrypted with.
func (d *diagnosis) sample(ctx context.Context, acc awsops.Account) {
	d.samples, d.sampleErr = sampleObjects(ctx, acc, d.st.Source.Region, d.setup.Source.Bucket, d.setup.Rule.Prefix)
}

// sampleObjects heads the newest object versions under prefix (sampleSize of them).
func sampleObjects(ctx context.Context, acc awsops.Account, region, bucket, prefix string) ([]sampledObject, error) {
	versions, err := acc.ListObjectVersions(ctx, region, bucket, prefix, sampleSize)
	if err != nil {
		return nil, err
	}
	samples := make([]sampledObject, len(versions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, v := range versions {
		g.Go(func() error {
			head, err := acc.HeadObject(gctx, region, bucket, v.Key, v.VersionID)
			samples[i] = sampledObject{Key: v.Key, VersionID: v.VersionID, Status: head.ReplicationStatus, KMSKeyID: head.SSEKMSKeyID, BucketKey: head.BucketKey}
			return err
		})
	}
	return samples, g.Wait()
}

// checkRow is one of the doctor's checks: its ID and title, and the method that
// decides it, which says only the status, the evidence and the fix.
type checkRow struct {
	id, title string
	decide    func(*diagnosis) DoctorCheck
}

// checkTable is every check, in the order a person would fix things.
var checkTable = []checkRow{
	{"source-versioning", "Versioning on the source bucket", (*diagnosis).checkSourceVersioning},
	{"destination-versioning", "Versioning on the destination bucket", (*diagnosis).checkDestVersioning},
	// a bucket setting, which the role's permissions then depend on
	{"object-lock", "Object Lock on both buckets or neither", (*diagnosis).checkObjectLock},
	{"rule", "Replication rule enabled and matching", (*diagnosis).checkRule},
	{"kms-opt-in", "SSE-KMS objects opted in, with a replica key", (*diagnosis).checkKMSOptIn},
	{"replica-key", "Replica key: Region, state, spec, manager", (*diagnosis).checkReplicaKey},
	{"role-trust", "The role trusts S3 for this bucket", (*diagnosis).checkTrust},
	{"role-permissions", "The role's policies allow every replication request", (*diagnosis).checkRolePermissions},
	{"permissions-boundary", "The role's permissions boundary lets replication through", (*diagnosis).checkPermissionsBoundary},
	{"source-key-policy", "Source key lets the role decrypt", (*diagnosis).checkSourceKeyPolicy},
	{"destination-key-policy", "Replica key policy lets the role encrypt", (*diagnosis).checkDestKeyPolicy},
	{"destination-bucket-policy", "Destination bucket policy lets the role replicate", (*diagnosis).checkDestBucketPolicy},
	{"explicit-deny", "No explicit Deny blocks replication", (*diagnosis).checkExplicitDenies},
	{"network-conditions", "No network or access-point conditions on the keys or buckets", (*diagnosis).checkNetworkConditions},
	{"tags", "Object tags are replicated", (*diagnosis).checkTags},
	{"ownership", "Object Ownership and ownership override agree", (*diagnosis).checkOwnership},
	{"object-keys", "The role can decrypt the keys objects are encrypted with", (*diagnosis).checkObjectKeys},
	{"existing-objects", "Objects that predate the rule", (*diagnosis).checkExistingObjects},
	{"kms-cost", "KMS request cost", (*diagnosis).checkKMSCost},
}

// checks runs every check of the table, in its order.
func (d *diagnosis) checks() []DoctorCheck {
	checks := make([]DoctorCheck, len(checkTable))
	for i, row := range checkTable {
		c := row.decide(d)
		c.ID, c.Title = row.id, row.title
		checks[i] = c
	}
	return checks
}

func passed(evidence string) DoctorCheck {
	return DoctorCheck{Status: DoctorPassed, Evidence: evidence}
}

func failed(evidence, fix string) DoctorCheck {
	return DoctorCheck{Status: DoctorFailed, Evidence: evidence, Fix: fix}
}

func unknown(evidence string) DoctorCheck {
	return DoctorCheck{Status: DoctorUnknown, Evidence: evidence}
}

// checkVersioning checks one bucket's versioning; consequence says what S3 does
// without it on that side.
func (d *diagnosis) checkVersioning(bucket, status, consequence string) DoctorCheck {
	if status == "Enabled" {
		return passed(bucket + ": versioning Enabled")
	}
	if status == "" {
		status = "never enabled"
	}
	return failed(bucket+": versioning "+status+" ("+consequence+")",
		"enable versioning on "+bucket+" (s3repl apply does)")
}

func (d *diagnosis) checkSourceVersioning() DoctorCheck {
	return d.checkVersioning(d.setup.Source.Bucket, d.st.Source.Versioning, "S3 refuses the rule, and objects get no replication status")
}

func (d *diagnosis) checkDestVersioning() DoctorCheck {
	if !d.st.Destination.BucketExists {
		return failed("destination bucket "+d.setup.Destination.Bucket+" does not exist (DstBucketNotFound)", "create it (s3repl apply with createBucket: true)")
	}
	return d.checkVersioning(d.setup.Destination.Bucket, d.st.Destination.Versioning,
		"S3 refuses the rule, or fails each object with DstBucketUnversioned")
}

func (d *diagnosis) checkRule() DoctorCheck {
	switch {
	case d.st.Source.Replication == "":
		return failed("the source bucket has no replication configuration", "s3repl apply adds the rule")
	case !d.ruleFound:
		return failed(fmt.Sprintf("the configuration has no rule %q", d.setup.RuleID()), "s3repl apply adds the rule")
	case d.rule.Status != "Enabled":
		return failed(fmt.Sprintf("rule %q is %s", d.rule.ID, d.rule.Status), "enable the rule (s3repl apply does)")
	}
	want := "arn:" + PartitionOf(d.st.Source.Identity.ARN) + ":s3:::" + d.setup.Destination.Bucket
	if d.rule.Destination.Bucket != want {
		return failed(fmt.Sprintf("rule %q replicates to %s, not %s", d.rule.ID, d.rule.Destination.Bucket, want), "s3repl apply updates the rule")
	}
	scope := "the whole bucket"
	if p := rulePrefix(d.rule); p != "" {
		scope = "keys under " + p
	}
	tags := ruleTags(d.rule)
	if len(tags) > 0 {
		scope += " carrying tags " + tagList(tags)
	}
	if p := rulePrefix(d.rule); p != d.setup.Rule.Prefix {
		return failed(fmt.Sprintf("rule %q covers %s, the setup says prefix %q", d.rule.ID, scope, d.setup.Rule.Prefix), "s3repl apply updates the rule")
	}
	if !maps.Equal(tags, d.setup.Rule.Tags) && len(tags)+len(d.setup.Rule.Tags) > 0 {
		return failed(fmt.Sprintf("rule %q covers %s, the setup says tags %s", d.rule.ID, scope, tagList(d.setup.Rule.Tags)), "s3repl apply updates the rule")
	}
	return passed(fmt.Sprintf("rule %q is Enabled and covers %s of %s", d.rule.ID, scope, d.setup.Source.Bucket))
}

// ruleTags are the tags a rule's filter requires.
func ruleTags(r replicationRule) map[string]string {
	tags := map[string]string{}
	add := func(v any) {
		if tag, ok := v.(map[string]any); ok {
			key, _ := tag["Key"].(string)
			value, _ := tag["Value"].(string)
			tags[key] = value
		}
	}
	add(r.Filter["Tag"])
	if and, ok := r.Filter["And"].(map[string]any); ok {
		list, _ := and["Tags"].([]any)
		for _, tag := range list {
			add(tag)
		}
	}
	return tags
}

func tagList(tags map[string]string) string {
	if len(tags) == 0 {
		return "none"
	}
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		pairs = append(pairs, k+"="+tags[k])
	}
	return strings.Join(pairs, ", ")
}

func rulePrefix(r replicationRule) string {
	if r.Prefix != nil {
		return *r.Prefix
	}
	if p, ok := r.Filter["Prefix"].(string); ok {
		return p
	}
	if and, ok := r.Filter["And"].(map[string]any); ok {
		if p, ok := and["Prefix"].(string); ok {
			return p
		}
	}
	return ""
}

func (d *diagnosis) checkKMSOptIn() DoctorCheck {
	if !d.ruleFound {
		return unknown("no rule to look at")
	}
	optedIn := d.rule.SourceSelectionCriteria.SseKmsEncryptedObjects.Status == "Enabled"
	key := d.rule.replicaKey()
	switch {
	case optedIn && key != "":
		return passed("SseKmsEncryptedObjects Enabled, replica key " + key)
	case optedIn:
		return failed("SSE-KMS objects are opted in but the rule names no ReplicaKmsKeyID", "s3repl apply sets the replica key")
	case key != "":
		return failed("the rule names a replica key but SSE-KMS objects are not opted in: they get no replication status", "s3repl apply enables SseKmsEncryptedObjects")
	}
	return failed("the rule does not replicate SSE-KMS objects: they get no replication status", "s3repl apply enables SseKmsEncryptedObjects with the replica key")
}

func (d *diagnosis) checkReplicaKey() DoctorCheck {
	if !d.ruleFound || d.rule.replicaKey() == "" {
		return unknown("the rule names no replica key")
	}
	key := d.replicaKey
	if key == nil && d.replicaKeyErr != nil {
		return failed("the destination profile may not read replica key "+d.rule.replicaKey()+
			" (it may belong to another account): "+awsops.Advice(d.replicaKeyErr),
			"point the rule at a key of the destination account in "+d.st.Destination.Region+" (s3repl apply, with the setup's key)")
	}
	if key == nil {
		return failed("replica key "+d.rule.replicaKey()+" does not exist for the destination profile (DstKmsKeyNotFound)", "point the rule at an existing key (s3repl apply)")
	}
	if why := keyProblem(*key, d.st.Destination.Region, d.st.Destination.Identity.AccountID); why != "" {
		return failed("replica key "+key.ARN+" "+why, "use a customer managed, enabled, symmetric key in "+d.st.Destination.Region)
	}
	return passed(fmt.Sprintf("%s: %s, %s, customer managed, in %s", key.ARN, key.State, key.Spec, key.Region))
}

func (d *diagnosis) checkTrust() DoctorCheck {
	role := d.st.Role.Role
	if role == nil {
		fix := "s3repl apply creates it"
		if replicationRole(d.st.Source.Replication) != "" {
			// the plan refuses to replace a role the configuration names
			fix = "recreate role " + d.roleName() + " (the replication configuration names it), or remove the configuration; then s3repl apply completes it"
		}
		return failed("role "+d.roleName()+" does not exist (AssumeRoleNotPermitted)", fix)
	}
	verdict := judgeTrust(role.TrustPolicy, role.ARN, d.st.Source.Identity.AccountID, BucketARN(d.partition(), d.setup.Source.Bucket))
	const fix = "s3repl apply adds a trust statement for s3.amazonaws.com (sts:AssumeRole, no condition, as AWS documents it) and keeps yours"
	switch {
	case verdict.works():
		return passed(verdict.withoutKeys.Reason)
	case verdict.withoutKeys.Allowed:
		c := unknown("the trust lets S3 in without aws:SourceAccount and aws:SourceArn, but not if S3 sends them for this bucket (" +
			verdict.withKeys.Reason + "); " + sourceKeysUnsettled)
		c.Fix = fix
		return c
	case verdict.dependsOnSourceKeys():
		needs := statementsNeedingSourceKeys(role.TrustPolicy)
		if len(needs) == 0 {
			needs = []string{"its conditions"}
		}
		c := unknown("the trust lets S3 in only if S3 sends aws:SourceAccount and aws:SourceArn when it assumes the role: " +
			strings.Join(needs, "; ") + ". " + sourceKeysUnsettled + "; if S3 does not send them, every object FAILS (AssumeRoleNotPermitted)")
		c.Fix = fix
		return c
	}
	return failed(verdict.withKeys.Reason+" (AssumeRoleNotPermitted)", fix)
}

// sourceKeysUnsettled is what the documentation says of the source keys: an earlier
// User Guide showed a replication trust with such a condition, the current one shows
// none [setting-repl-config-perm-overview].
const sourceKeysUnsettled = "the current User Guide's replication trust has no condition, and AWS does not say S3 sends these keys"

func (d *diagnosis) roleName() string {
	if d.roleARN != "" {
		return RoleNameOf(d.roleARN)
	}
	return d.setup.RoleName()
}

func (d *diagnosis) partition() string { return PartitionOf(d.st.Source.Identity.ARN) }

// probe is one request S3 makes with the role during replication.
type probe struct {
	req    evaluator.Request
	kind   evaluator.ResourceKind
	policy string // the resource policy
	reason string // AWS's failure reason code when denied
	// withoutIt is set on a request S3 does without when it is merely not allowed,
	// saying what is lost; only an explicit Deny of it fails replication.
	withoutIt string
}

func (d *diagnosis) rolePrincipal() evaluator.Principal {
	return evaluator.Principal{ARN: d.roleARN, AccountID: d.st.Source.Identity.AccountID}
}

// unknowableKeys are condition keys of S3's requests with the role whose values
// s3repl cannot see: the organization and tags of the role and the resource, and how
// AWS services relay the call. A Deny that depends on one is reported as uncertain.
var unknowableKeys = []string{
	"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalTag/",
	"aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/",
	"aws:ViaAWSService", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
}

// roleRequest is a request S3 makes with the role's session in region: over TLS, as
// the simulated S3 makes them.
func (d *diagnosis) roleRequest(action, resource, account, region string, context map[string][]string) evaluator.Request {
	ctx := map[string][]string{
		"aws:SecureTransport": {"true"}, "aws:RequestedRegion": {region},
		"aws:PrincipalType": {"AssumedRole"}, "aws:PrincipalIsAWSService": {"false"},
	}
	maps.Copy(ctx, context)
	return evaluator.Request{Principal: d.rolePrincipal(), Action: action, Resource: resource, ResourceAccount: account,
		Context: ctx, Unknowable: unknowableKeys}
}

func (d *diagnosis) objectARN(bucket string) string {
	return BucketARN(d.partition(), bucket) + "/" + d.setup.Rule.Prefix + "s3repl-doctor-probe"
}

// kmsContext is what KMS sees of a call S3 makes for the role's account in region.
func kmsContext(region, callerAccount, contextARN string) map[string][]string {
	return map[string][]string{"kms:ViaService": {"s3." + region + ".amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {contextARN},
		"kms:CallerAccount": {callerAccount}}
}

// encryptionContext is what S3 passes to KMS: the object ARN, or the bucket ARN with a
// Bucket Key.
func (d *diagnosis) encryptionContext(bucket string, bucketKey bool) string {
	if bucketKey {
		return BucketARN(d.partition(), bucket)
	}
	return d.objectARN(bucket)
}

// probeSet is every request S3 makes with the role, by the side whose resource
// it is on.
type probeSet struct {
	source, dest, all []probe
}

func (d *diagnosis) buildProbes() *probeSet {
	source, dest := d.sourceProbes(), d.destProbes()
	return &probeSet{source: source, dest: dest, all: slices.Concat(source, dest)}
}

// replicationProbes are the probes gathering built; a diagnosis put together
// without gathering (the plan's blockers) builds them at its first check.
func (d *diagnosis) replicationProbes() *probeSet {
	if d.probes == nil {
		d.probes = d.buildProbes()
	}
	return d.probes
}

// sourceProbes builds the requests S3 makes with the role on the source side.
func (d *diagnosis) sourceProbes() []probe {
	src, srcAccount, region := d.setup.Source.Bucket, d.st.Source.Identity.AccountID, d.st.Source.Region
	bucketReq := func(action, resource string) evaluator.Request {
		return d.roleRequest(action, resource, srcAccount, region, nil)
	}
	probes := []probe{
		{req: bucketReq("s3:GetReplicationConfiguration", BucketARN(d.partition(), src)), kind: evaluator.S3Bucket, policy: d.st.Source.Policy, reason: "SrcBucketReplicationConfigMissing"},
		{req: bucketReq("s3:GetObjectVersionForReplication", d.objectARN(src)), kind: evaluator.S3Bucket, policy: d.st.Source.Policy, reason: "SrcGetObjectNotPermitted"},
		{req: bucketReq("s3:GetObjectVersionAcl", d.objectARN(src)), kind: evaluator.S3Bucket, policy: d.st.Source.Policy, reason: "SrcGetAclNotPermitted"},
		{req: bucketReq("s3:GetObjectVersionTagging", d.objectARN(src)), kind: evaluator.S3Bucket, policy: d.st.Source.Policy, reason: "SrcGetTaggingNotPermitted",
			withoutIt: withoutTagging},
	}
	if d.st.Source.ObjectLock {
		// "To use Object Lock with replication, you must grant two additional
		// permissions on the source S3 bucket" [setting-repl-config-perm-overview]
		probes = append(probes,
			probe{req: bucketReq("s3:GetObjectRetention", d.objectARN(src)), kind: evaluator.S3Bucket, policy: d.st.Source.Policy, reason: "SrcGetRetentionNotPermitted"},
			probe{req: bucketReq("s3:GetObjectLegalHold", d.objectARN(src)), kind: evaluator.S3Bucket, policy: d.st.Source.Policy, reason: "SrcGetLegalHoldNotPermitted"})
	}
	// the object's context, and the bucket's when objects use a Bucket Key (the
	// default says so, or a sampled object does)
	contexts := []bool{false}
	if d.st.Source.Encryption.BucketKey || d.sampledBucketKey() {
		contexts = append(contexts, true)
	}
	decrypt := func(key *awsops.KeyInfo, keyPolicy string) {
		for _, bucketKey := range contexts {
			probes = append(probes, probe{
				req: d.roleRequest("kms:Decrypt", key.ARN, key.AccountID, region,
					kmsContext(region, srcAccount, d.encryptionContext(src, bucketKey))),
				kind: evaluator.KMSKey, policy: keyPolicy, reason: "SrcGetObjectNotPermitted",
			})
		}
	}
	if key := d.st.Source.Key; key != nil && key.Manager == "CUSTOMER" {
		decrypt(key, d.st.Source.KeyPolicy)
	}
	for _, extra := range d.st.Source.ExtraKeys { // source.kmsKeys
		if extra.Key.Manager == "CUSTOMER" && (d.st.Source.Key == nil || !sameKey(d.st.Source.Key.ARN, extra.Key.ARN)) {
			decrypt(&extra.Key, extra.Policy)
		}
	}
	return probes
}

// What S3 does without the tag permissions [setting-repl-config-perm-overview]; an
// explicit Deny of either still fails replication [replication-troubleshoot].
const (
	withoutTagging       = "S3 replicates the objects but not their tags (\"If Amazon S3 doesn't have the s3:GetObjectVersionTagging permission, it replicates the objects, but not the object tags\")"
	withoutReplicateTags = "s3:ReplicateObject covers it (\"Permissions for the s3:ReplicateObject action ... also allow replication of metadata such as object tags and ACLs\")"
)

// destProbes builds the requests S3 makes with the role on the destination side.
func (d *diagnosis) destProbes() []probe {
	dst, dstAccount, region := d.setup.Destination.Bucket, d.st.Destination.Identity.AccountID, d.st.Destination.Region
	objectReq := func(action string) evaluator.Request {
		return d.roleRequest(action, d.objectARN(dst), dstAccount, region, nil)
	}
	probes := []probe{
		{req: objectReq("s3:ReplicateObject"), kind: evaluator.S3Bucket, policy: d.st.Destination.Policy, reason: "DstPutObjectNotPermitted"},
		{req: objectReq("s3:ReplicateTags"), kind: evaluator.S3Bucket, policy: d.st.Destination.Policy, reason: "DstPutTaggingNotPermitted",
			withoutIt: withoutReplicateTags},
	}
	if dm := d.rule.DeleteMarkerReplication; !d.ruleFound || dm != nil && dm.Status == "Enabled" {
		// S3 replicates delete markers only when the rule says so
		probes = append(probes, probe{req: objectReq("s3:ReplicateDelete"), kind: evaluator.S3Bucket, policy: d.st.Destination.Policy, reason: "DstDelObjNotPermitted"})
	}
	if d.rule.Destination.AccessControlTranslation != nil {
		// [replication-failure-codes] names it under DstPutObjectNotPermitted
		probes = append(probes, probe{req: objectReq("s3:ObjectOwnerOverrideToBucketOwner"), kind: evaluator.S3Bucket, policy: d.st.Destination.Policy, reason: "DstPutObjectNotPermitted"})
	}
	if key := d.replicaKey; key != nil && key.Manager == "CUSTOMER" {
		for _, r := range d.replicaKeyRequests() {
			ctx := kmsContext(region, d.st.Source.Identity.AccountID, d.encryptionContext(dst, r.bucketKey))
			probes = append(probes, probe{
				req:  d.roleRequest(r.action, key.ARN, key.AccountID, region, ctx),
				kind: evaluator.KMSKey, policy: d.replicaPol, reason: "DstPutObjectNotPermitted",
			})
		}
	}
	return probes
}

// keyRequest is a KMS request S3 makes on the replica key, in the object's or (with
// an S3 Bucket Key) the bucket's encryption context.
type keyRequest struct {
	action    string
	bucketKey bool
}

// replicaKeyRequests are what S3 asks KMS for on the replica key
// [replication-config-for-kms-objects, bucket-key]: kms:Encrypt for SSE-KMS objects;
// kms:GenerateDataKey only for unencrypted objects, which a source bucket without
// default encryption may hold, replicated into an SSE-KMS default bucket. Whenever a
// replica can use a Bucket Key (the buckets' defaults or a sampled object use one: a
// replica keeps its source object's setting) S3 also decrypts with the key, in the
// bucket's context, and "When an S3 Bucket Key is enabled for the source or
// destination bucket, the encryption context will be the bucket's ARN": the User
// Guide does not settle which context a replica then gets, so both are probed.
func (d *diagnosis) replicaKeyRequests() []keyRequest {
	src, dst := d.st.Source.Encryption, d.st.Destination.Encryption
	bucketKey := src.BucketKey || dst.BucketKey || d.sampledBucketKey()
	requests := []keyRequest{{"kms:Encrypt", false}}
	if bucketKey {
		requests = append(requests, keyRequest{"kms:Encrypt", true}, keyRequest{"kms:Decrypt", true})
	}
	if src.Algorithm == "" && strings.HasPrefix(dst.Algorithm, "aws:kms") {
		requests = append(requests, keyRequest{"kms:GenerateDataKey", false})
		if bucketKey {
			requests = append(requests, keyRequest{"kms:GenerateDataKey", true})
		}
	}
	return requests
}

// sampledBucketKey reports whether a sampled object version uses an S3 Bucket Key.
func (d *diagnosis) sampledBucketKey() bool {
	return slices.ContainsFunc(d.samples, func(s sampledObject) bool { return s.BucketKey })
}

// checkRolePermissions asks whether the role's own policies allow every request S3
// makes with it.
func (d *diagnosis) checkRolePermissions() DoctorCheck {
	if d.st.Role.Role == nil {
		return unknown("the role does not exist")
	}
	var denied []string
	explicit := 0
	for _, p := range d.replicationProbes().all {
		decision := evaluator.EvaluateIdentity(d.rolePolicies, p.req)
		if decision.Allowed || d.grantedInItsAccount(p) || p.withoutIt != "" && !decision.ExplicitDeny {
			continue // tags-check reports what S3 does without it
		}
		line := fmt.Sprintf("%s on %s: %s (%s)", p.req.Action, p.req.Resource, decision.Reason, p.reason)
		if decision.ExplicitDeny && !slices.Contains(denied, line) {
			explicit++
		}
		denied = appendNew(denied, line)
	}
	if len(denied) == 0 {
		return passed(fmt.Sprintf("%d requests allowed by the role's %s, or by the policies of its account's resources", len(d.replicationProbes().all), policiesPhrase(len(d.rolePolicies))))
	}
	if !d.managedRead {
		return unknown("not allowed by the inline policies, and the managed policies could not be read:\n" + strings.Join(denied, "\n"))
	}
	fix := "s3repl apply writes the role's permission policy " + cmp.Or(d.st.Role.PolicyName, d.setup.RolePolicyName())
	if role := d.st.Role; role.ownManagedAttached(role.Role.ARN) {
		fix = "s3repl apply writes the role's permissions into its managed policy " + role.OwnManagedARN
	}
	return failed(strings.Join(denied, "\n"), fixBesideDenies(fix, explicit, len(denied)))
}

// grantedInItsAccount reports whether a request on a resource of the role's own
// account is allowed by that resource's policy naming the role: within an account a
// bucket or key policy suffices without the role's own policies.
func (d *diagnosis) grantedInItsAccount(p probe) bool {
	if p.req.ResourceAccount != d.st.Source.Identity.AccountID {
		return false
	}
	decision := evaluator.Evaluate(p.req, d.rolePolicies, p.policy, p.kind)
	return decision.Allowed && decision.DecidedBy&evaluator.ResourceSide != 0
}

// checkPermissionsBoundary asks whether the role's permissions boundary, which caps
// whatever its policies allow, lets every request S3 makes with it through.
func (d *diagnosis) checkPermissionsBoundary() DoctorCheck {
	role := d.st.Role.Role
	switch {
	case role == nil:
		return unknown("the role does not exist")
	case role.PermissionsBoundary == "":
		return passed("the role has no permissions boundary")
	case d.st.Role.BoundaryErr != nil:
		return unknown(fmt.Sprintf("the role is bounded by %s, which could not be read: %v", role.PermissionsBoundary, d.st.Role.BoundaryErr))
	}
	denied, uncertain := d.boundaryDenials()
	switch {
	case len(denied) > 0:
		return failed("boundary "+role.PermissionsBoundary+" caps the role:\n"+strings.Join(denied, "\n"),
			"let the boundary policy allow these actions, or remove the boundary from the role (s3repl does not change boundaries)")
	case len(uncertain) > 0:
		return unknown("boundary " + role.PermissionsBoundary + " decides on what s3repl cannot see:\n" + strings.Join(uncertain, "\n"))
	}
	return passed(fmt.Sprintf("boundary %s allows every request S3 makes with the role", role.PermissionsBoundary))
}

// boundaryDenials are the requests S3 makes with the role that its permissions
// boundary does not allow, with why; uncertain, those it allows or denies only by a
// condition on what s3repl cannot see (the role's organization or tags).
func (d *diagnosis) boundaryDenials() (denied, uncertain []string) {
	if d.st.Role.Boundary == "" {
		return nil, nil
	}
	for _, p := range d.replicationProbes().all {
		decision := evaluator.EvaluateNamed([]string{d.st.Role.Boundary}, "the permissions boundary", p.req)
		if p.withoutIt != "" && !decision.Allowed && !decision.ExplicitDeny {
			continue // tags-check reports what S3 does without it
		}
		request := fmt.Sprintf("%s on %s", p.req.Action, p.req.Resource)
		switch {
		case decision.Allowed && decision.Uncertain != nil:
			uncertain = appendNew(uncertain, fmt.Sprintf("%s: %s denies it unless its %s", request, decision.Uncertain.Statement, decision.Uncertain.Condition))
		case decision.Allowed:
		case decision.MaybeAllowed != nil:
			uncertain = appendNew(uncertain, fmt.Sprintf("%s: %s allows it only if its %s", request, decision.MaybeAllowed.Statement, decision.MaybeAllowed.Condition))
		default:
			denied = appendNew(denied, fmt.Sprintf("%s: %s (%s)", request, decision.Reason, p.reason))
		}
	}
	return denied, uncertain
}

// checkResource evaluates probes the way S3 and KMS decide them: identity and
// resource policy together.
func (d *diagnosis) checkResource(probes []probe, fix string) DoctorCheck {
	if d.st.Role.Role == nil && d.roleARN == "" {
		return unknown("there is no role to check")
	}
	var missing, allowed []string
	var denies denyGroups
	explicit := 0
	for _, p := range probes {
		decision := evaluator.Evaluate(p.req, d.rolePolicies, p.policy, p.kind)
		switch {
		case decision.Allowed:
			allowed = appendNew(allowed, p.req.Action)
		case decision.ExplicitDeny:
			explicit++
			for _, deny := range decision.Denials {
				denies.add(deny.Statement, "", fmt.Sprintf("%s (%s)", p.req.Action, p.reason))
			}
		case p.withoutIt != "":
			// S3 does without it: tags-check says what is lost
		case decision.DecidedBy&evaluator.ResourceSide == 0:
			// the role's own policy is missing it: role-permissions reports that
		default:
			missing = appendNew(missing, fmt.Sprintf("%s: %s (%s)", p.req.Action, decision.Reason, p.reason))
		}
	}
	var lines []string
	for _, f := range denies.found {
		lines = append(lines, fmt.Sprintf("%s explicitly denies the role %s", f.statement, strings.Join(f.actions, ", ")))
	}
	if lines = append(lines, missing...); len(lines) > 0 {
		return failed(strings.Join(lines, "\n"), fixBesideDenies(fix, explicit, explicit+len(missing)))
	}
	if len(allowed) == 0 {
		return unknown("the role's own policies deny first; see role-permissions")
	}
	return passed("allows " + strings.Join(allowed, ", "))
}

// fixBesideDenies is a check's fix when some of its denials are explicit Deny
// statements, which allowing statements cannot overcome.
func fixBesideDenies(fix string, explicit, denied int) string {
	const changeDeny = "change the Deny statement named above (s3repl never removes statements it did not write)"
	switch {
	case explicit == denied:
		return changeDeny
	case explicit > 0:
		return fix + "; and " + changeDeny
	}
	return fix
}

func (d *diagnosis) checkSourceKeyPolicy() DoctorCheck {
	key := d.st.Source.Key
	if enc := d.st.Source.Encryption; key == nil && strings.HasPrefix(enc.Algorithm, "aws:kms") && enc.KMSKeyID != "" && !strings.Contains(enc.KMSKeyID, "alias/aws/") {
		return unknown(fmt.Sprintf("the source bucket defaults to key %s, which the source profile cannot read (it may belong to another account): "+
			"its owner must let the role decrypt with it, or objects under it FAIL (SrcGetObjectNotPermitted)", enc.KMSKeyID))
	}
	if key == nil || key.Manager != "CUSTOMER" {
		if len(d.st.Source.ExtraKeys) == 0 {
			return passed("the source bucket does not default to a customer managed key")
		}
		return d.checkResource(ofKind(d.replicationProbes().source, evaluator.KMSKey), "s3repl apply adds a statement for the role to the policies of the keys of source.kmsKeys")
	}
	if key.State != "Enabled" {
		return failed(fmt.Sprintf("source key %s is %s: S3 cannot decrypt objects under it (SrcKmsKeyInvalidState)", key.ARN, key.State),
			"enable the key (or cancel its deletion); s3repl does not change key states")
	}
	fix := "s3repl apply adds a statement for the role to the source key policy"
	if key.AccountID != "" && key.AccountID != d.st.Source.Identity.AccountID {
		// the plan leaves keys of other accounts alone
		fix = "ask account " + key.AccountID + ", which owns the key, to let the role decrypt with it (key policy, kms:ViaService s3)"
	}
	return d.checkResource(ofKind(d.replicationProbes().source, evaluator.KMSKey), fix)
}

func (d *diagnosis) checkDestKeyPolicy() DoctorCheck {
	if d.replicaKey == nil || d.replicaKey.Manager != "CUSTOMER" {
		return unknown("no customer managed replica key to check")
	}
	return d.checkResource(ofKind(d.replicationProbes().dest, evaluator.KMSKey), "s3repl apply adds a statement for the role to the replica key policy")
}

func (d *diagnosis) checkDestBucketPolicy() DoctorCheck {
	if !d.st.Destination.BucketExists {
		return unknown("the destination bucket does not exist")
	}
	return d.checkResource(ofKind(d.replicationProbes().dest, evaluator.S3Bucket), "s3repl apply adds statements for the role to the destination bucket policy")
}

// ofKind keeps the probes of one resource kind.
func ofKind(probes []probe, kind evaluator.ResourceKind) []probe {
	var out []probe
	for _, p := range probes {
		if p.kind == kind {
			out = append(out, p)
		}
	}
	return out
}

func (d *diagnosis) checkExplicitDenies() DoctorCheck {
	denies, uncertain := d.explicitDenies()
	switch {
	case len(denies) > 0:
		return failed(strings.Join(findingLines(denies), "\n"), "change the Deny statement (s3repl never removes statements it did not write)")
	case len(uncertain) > 0:
		return unknown(strings.Join(findingLines(uncertain), "\n"))
	}
	return passed("no Deny statement applies to the role's replication requests")
}

// denyFinding is a Deny statement that refuses some of S3's requests with the role.
type denyFinding struct {
	statement string   // e.g. `statement "X" of the bucket policy of my-bucket`
	condition string   // set when it denies unless a condition s3repl cannot check
	actions   []string // the requests it refuses
}

func (f denyFinding) String() string {
	if f.condition == "" {
		return fmt.Sprintf("%s denies the role %s", f.statement, strings.Join(f.actions, ", "))
	}
	return fmt.Sprintf("%s denies the role %s unless its %s: s3repl cannot see the organization or tags, so check that the role meets it",
		f.statement, strings.Join(f.actions, ", "), f.condition)
}

// explicitDenies finds the Deny statements that refuse S3's replication requests,
// one finding per statement; uncertain are those that refuse them unless a condition
// s3repl cannot check says otherwise.
func (d *diagnosis) explicitDenies() (denies, uncertain []denyFinding) {
	var groups denyGroups
	for _, p := range d.replicationProbes().all {
		decision := evaluator.Evaluate(p.req, d.rolePolicies, p.policy, p.kind)
		// every Deny that refuses it, not only the deciding one: changing one, the
		// user would otherwise meet the next only on the following try
		for _, deny := range decision.Denials {
			statement := deny.Statement
			if deny.Side == evaluator.ResourceSide {
				statement += " of " + resourceName(p)
			}
			groups.add(statement, "", p.req.Action)
		}
		if len(decision.Denials) > 0 {
			continue
		}
		for _, uncertain := range decision.UncertainDenials {
			statement := uncertain.Statement
			if !strings.HasSuffix(statement, "the identity policies") {
				statement += " of " + resourceName(p)
			}
			groups.add(statement, uncertain.Condition, p.req.Action)
		}
	}
	for _, f := range groups.found {
		if f.condition == "" {
			denies = append(denies, *f)
		} else {
			uncertain = append(uncertain, *f)
		}
	}
	return denies, uncertain
}

// denyGroups collects what each Deny statement refuses, statements in the order
// first seen.
type denyGroups struct {
	found []*denyFinding
	by    map[string]*denyFinding
}

func (g *denyGroups) add(statement, condition, action string) {
	f, seen := g.by[statement]
	if !seen {
		if g.by == nil {
			g.by = map[string]*denyFinding{}
		}
		f = &denyFinding{statement: statement, condition: condition}
		g.by[statement] = f
		g.found = append(g.found, f)
	}
	f.actions = appendNew(f.actions, action)
}

// appendNew appends line unless list holds it already: S3 may make one request in
// two encryption contexts, and a person needs to read its denial once.
func appendNew(list []string, line string) []string {
	if slices.Contains(list, line) {
		return list
	}
	return append(list, line)
}

func findingLines(findings []denyFinding) []string {
	lines := make([]string, len(findings))
	for i, f := range findings {
		lines[i] = f.String()
	}
	return lines
}

// resourceName is the bucket or key whose policy a probe tests.
func resourceName(p probe) string {
	if _, path, ok := strings.Cut(p.req.Resource, ":::"); ok && p.kind == evaluator.S3Bucket {
		bucket, _, _ := strings.Cut(path, "/") // keys may hold ':' and '/'
		return bucket
	}
	return p.req.Resource
}

// networkKeys are the condition keys that tie a request to a network or an access
// point. "KMS key policies that restrict access to specific CIDR ranges, virtual
// private cloud (VPC) endpoints, or S3 access points can cause replication to fail"
// [replication-troubleshoot]: S3 calls from its own network, not through an access
// point.
var networkKeys = []string{"aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "aws:vpcsourceip",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount", "s3:accesspointnetworkorigin"}

// checkNetworkConditions finds statements that limit a key or bucket to networks or
// access points: the key and bucket policies of both sides, and the keys of
// source.kmsKeys.
func (d *diagnosis) checkNetworkConditions() DoctorCheck {
	docs := map[string]string{"replica key policy": d.replicaPol, "destination bucket policy": d.st.Destination.Policy,
		"source bucket policy": d.st.Source.Policy, "source key policy": d.st.Source.KeyPolicy}
	for _, extra := range d.st.Source.ExtraKeys {
		docs["key policy of "+extra.Key.ARN] = extra.Policy
	}
	var found []string
	for name, doc := range docs {
		for _, sid := range statementsWithConditionKeys(doc, networkKeys) {
			found = append(found, fmt.Sprintf("%s: statement %s uses a network or access-point condition", name, sid))
		}
	}
	if len(found) == 0 {
		return passed("none found")
	}
	slices.Sort(found)
	found = slices.Compact(found)
	return failed(strings.Join(found, "\n"), "exempt the replication role (or S3 calls, aws:ViaAWSService) from the condition")
}

func statementsWithConditionKeys(doc string, keys []string) []string {
	parsed, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	statements, err := parsed.TypedStatements()
	if err != nil {
		return nil
	}
	var sids []string
	for i, st := range statements {
		for _, block := range st.Condition {
			for key := range block {
				if slices.Contains(keys, strings.ToLower(key)) {
					sids = append(sids, statementName(st.Sid, i))
				}
			}
		}
	}
	return slices.Compact(sids)
}

func statementName(sid string, index int) string {
	if sid != "" {
		return fmt.Sprintf("%q", sid)
	}
	return fmt.Sprintf("#%d", index+1)
}

// checkTags: S3 replicates without s3:GetObjectVersionTagging (leaving the tags
// behind) and without s3:ReplicateTags (s3:ReplicateObject covers it)
// [setting-repl-config-perm-overview]; only an explicit Deny of either fails
// replication [replication-troubleshoot], which the explicit-deny check reports. A
// missing Allow is a warning.
func (d *diagnosis) checkTags() DoctorCheck {
	if d.st.Role.Role == nil {
		return unknown("the role does not exist")
	}
	var lost []string
	for _, p := range d.replicationProbes().all {
		if p.withoutIt == "" {
			continue
		}
		decision := evaluator.Evaluate(p.req, d.rolePolicies, p.policy, p.kind)
		if decision.Allowed && d.st.Role.Boundary != "" {
			decision = evaluator.EvaluateNamed([]string{d.st.Role.Boundary}, "the permissions boundary", p.req)
		}
		if !decision.Allowed && !decision.ExplicitDeny { // a Deny fails: explicit-deny says so
			lost = appendNew(lost, fmt.Sprintf("%s is not allowed (%s): %s", p.req.Action, decision.Reason, p.withoutIt))
		}
	}
	if len(lost) == 0 {
		return passed("no Allow for reading or replicating object tags is missing (a Deny of them fails tagged objects: see explicit-deny)")
	}
	return DoctorCheck{Status: DoctorInfo, Evidence: "warning: " + strings.Join(lost, "\n"),
		Fix: "s3repl apply grants s3:GetObjectVersionTagging and s3:ReplicateTags"}
}

// checkOwnership: a cross-account rule without ownership override replicates; its
// replicas stay owned by the source account unless the destination enforces
// bucket-owner ownership. That is a warning, not a failure, unless the setup asks for
// the override and the rule lacks it (verify then checks the replica's owner).
func (d *diagnosis) checkOwnership() DoctorCheck {
	override := d.ruleFound && d.rule.Destination.AccessControlTranslation != nil
	cross := d.st.Source.Identity.AccountID != d.st.Destination.Identity.AccountID
	ownership := d.st.Destination.Ownership
	enforced := ownership == "BucketOwnerEnforced"
	switch {
	case override && d.rule.Destination.Account == "":
		return failed("the rule overrides ownership but names no destination Account", "s3repl apply sets it")
	case override:
		return passed("ownership override on; destination Object Ownership " + orNone(ownership))
	case cross && !enforced && d.ruleFound && d.setup.OwnerOverride(cross):
		return failed("the setup asks for ownership override, the rule has none, and the destination does not enforce bucket-owner ownership ("+orNone(ownership)+
			"): replicas stay owned by account "+d.st.Source.Identity.AccountID, "s3repl apply adds the override to the rule")
	case cross && !enforced:
		return DoctorCheck{Status: DoctorInfo,
			Evidence: "warning: replication works, but without ownership override and with destination Object Ownership " + orNone(ownership) +
				" the replicas stay owned by the source account " + d.st.Source.Identity.AccountID + ", so the destination account cannot read them unless their ACLs allow it",
			Fix: "to make the destination account own them: set ownerOverride: true in the setup (s3repl apply adds the override and its permission), or set Object Ownership to BucketOwnerEnforced on " + d.setup.Destination.Bucket}
	}
	return passed("destination Object Ownership " + orNone(ownership))
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

func (d *diagnosis) checkObjectLock() DoctorCheck {
	src, dst := d.st.Source.ObjectLock, d.st.Destination.ObjectLock
	if src && !dst {
		return failed("the source has Object Lock, the destination does not (DstBucketObjectLockConfigMissing)", "replicate into a bucket with Object Lock enabled")
	}
	return passed(fmt.Sprintf("source %s, destination %s", lockWord(src), lockWord(dst)))
}

func lockWord(on bool) string {
	if on {
		return "has Object Lock"
	}
	return "has no Object Lock"
}

// checkObjectKeys looks at the keys sampled objects are encrypted with: the role must
// be able to decrypt each, as KMS decides it, with the key policy as well as the
// role's policies, in the context each object uses (the bucket's with a Bucket Key).
func (d *diagnosis) checkObjectKeys() DoctorCheck {
	if d.st.Role.Role == nil {
		return unknown("the role does not exist")
	}
	if d.sampleErr != nil {
		return unknown("objects could not be sampled: " + d.sampleErr.Error())
	}
	type keyUse struct {
		count    int
		contexts []bool // Bucket Key or not, as the objects under it use
	}
	keys := map[string]*keyUse{}
	for _, s := range d.samples {
		if s.KMSKeyID == "" {
			continue
		}
		if keys[s.KMSKeyID] == nil {
			keys[s.KMSKeyID] = &keyUse{}
		}
		use := keys[s.KMSKeyID]
		use.count++
		if !slices.Contains(use.contexts, s.BucketKey) {
			use.contexts = append(use.contexts, s.BucketKey)
		}
	}
	if len(keys) == 0 {
		return passed(fmt.Sprintf("%d recent object versions sampled, none under SSE-KMS", len(d.samples)))
	}
	var problems, unsure []string
	uncovered := false // a key neither the source default nor of source.kmsKeys
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		use := keys[key]
		for _, bucketKey := range use.contexts {
			req := d.roleRequest("kms:Decrypt", key, AccountOf(key), d.st.Source.Region,
				kmsContext(d.st.Source.Region, d.st.Source.Identity.AccountID, d.encryptionContext(d.setup.Source.Bucket, bucketKey)))
			if why, known := d.decryptDenied(req); why != "" {
				line := fmt.Sprintf("%d object(s) under key %s: %s", use.count, key, why)
				if known {
					problems = appendNew(problems, line)
					uncovered = uncovered || !d.grantsKey(key)
				} else {
					unsure = appendNew(unsure, line)
				}
			}
		}
	}
	switch {
	case len(problems) > 0 && !uncovered:
		return failed(strings.Join(append(problems, unsure...), "\n"), "s3repl apply lets the role decrypt with them (see source-key-policy and role-permissions)")
	case len(problems) > 0:
		return failed(strings.Join(append(problems, unsure...), "\n"), "add these keys to source.kmsKeys in the setup file: s3repl apply then lets the role decrypt with them "+
			"(its policy, and the key policy where it does not delegate to the account); or re-encrypt the objects with the source key")
	case len(unsure) > 0:
		return unknown(strings.Join(unsure, "\n"))
	}
	return passed(fmt.Sprintf("%d key(s) seen in %d sampled versions, all decryptable by the role", len(keys), len(d.samples)))
}

// grantsKey reports whether s3repl's plan grants the role decryption with a key: the
// source bucket's default key or one of source.kmsKeys.
func (d *diagnosis) grantsKey(keyARN string) bool {
	if k := d.st.Source.Key; k != nil && sameKey(k.ARN, keyARN) {
		return true
	}
	return slices.ContainsFunc(d.st.Source.ExtraKeys, func(e SourceKey) bool { return sameKey(e.Key.ARN, keyARN) })
}

// decryptDenied says why KMS would refuse the role's decrypt request, "" when it
// allows it; known is false when that rests on a key policy s3repl could not read.
func (d *diagnosis) decryptDenied(req evaluator.Request) (why string, known bool) {
	if keyPolicy, ok := d.objectKeyPolicy(req.Resource); ok {
		if decision := evaluator.Evaluate(req, d.rolePolicies, keyPolicy, evaluator.KMSKey); !decision.Allowed {
			return decision.Reason, true
		}
		return "", true
	}
	identity := evaluator.EvaluateIdentity(d.rolePolicies, req)
	switch {
	case !identity.Allowed && req.ResourceAccount != d.st.Source.Identity.AccountID:
		// another account's key: the role's own policy must allow it too
		return identity.Reason, true
	case !identity.Allowed:
		return identity.Reason + "; its key policy, which s3repl could not read, might let the role in", false
	}
	return "the role's policies allow it, but its key policy, which s3repl could not read, decides as well", false
}

func (d *diagnosis) checkExistingObjects() DoctorCheck {
	noStatus, failedOnes, sampled := 0, 0, 0
	for _, s := range d.samples {
		if isTestObject(d.setup, s.Key) {
			continue // s3repl's own, such as a FAILED test object left for the doctor
		}
		sampled++
		switch s.Status {
		case "":
			noStatus++
		case "FAILED":
			failedOnes++
		}
	}
	if noStatus+failedOnes == 0 {
		return DoctorCheck{Status: DoctorInfo, Evidence: fmt.Sprintf("none of %d sampled versions (s3repl's test objects left out) lacks a replication status or FAILED", sampled)}
	}
	var found []string
	if noStatus > 0 {
		found = append(found, fmt.Sprintf("%d %s no replication status (written before the rule, or outside its scope)", noStatus, hasOrHave(noStatus)))
	}
	if failedOnes > 0 {
		found = append(found, fmt.Sprintf("%d FAILED (S3 does not retry them)", failedOnes))
	}
	of := fmt.Sprintf("%d sampled versions", sampled)
	if sampled == 1 {
		of = "the one sampled version"
	}
	return DoctorCheck{Status: DoctorInfo,
		Evidence: fmt.Sprintf("of %s (s3repl's test objects left out), %s: the rule never replicates them", of, strings.Join(found, " and ")),
		Fix:      "once replication works, copy them with S3 Batch Replication (CreateJob with operation S3ReplicateObject)"}
}

func (d *diagnosis) checkKMSCost() DoctorCheck {
	note := "each replicated object costs a Decrypt in " + d.st.Source.Region + " and an Encrypt in " + d.st.Destination.Region + "; at 1,000 PUT/s plan about 2,500 KMS requests/s in each"
	if d.st.Source.Encryption.BucketKey && d.st.Destination.Encryption.BucketKey {
		note += "; S3 Bucket Keys are on for both buckets, which cuts this sharply"
	} else {
		note += "; turn on S3 Bucket Keys to cut this sharply"
	}
	return DoctorCheck{Status: DoctorInfo, Evidence: note}
}

// ApplyFixes applies the plan the doctor's fixes come from: exactly the changes it
// showed, each resource read again first as Apply does.
func ApplyFixes(ctx context.Context, acc Accounts, report DoctorReport, opts ApplyOptions) (ApplyResult, error) {
	if report.Plan == nil || len(report.Fixes) == 0 {
		return ApplyResult{}, Problems{"the doctor has no fixes that s3repl can apply"}
	}
	return Apply(ctx, acc, report.Plan, opts)
}

func hasOrHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// policiesPhrase counts a role's policies: "policy" for one, "3 policies" for more.
func policiesPhrase(n int) string {
	if n == 1 {
		return "policy"
	}
	return fmt.Sprintf("%d policies", n)
}
