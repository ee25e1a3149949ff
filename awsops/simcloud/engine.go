package simcloud

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/s3repl/s3repl/awsops/evaluator"
)

// Failure is why S3 did not replicate an object version to one destination.
type Failure struct {
	Destination string    // the destination bucket
	Reason      string    // S3's failure reason, e.g. DstPutObjectNotPermitted
	Detail      string    // what the simulation found, for people
	Time        time.Time // when replication was attempted
}

type versionRef struct{ bucket, key, versionID string }

// replicationTask is the replication of one object version to one destination.
type replicationTask struct {
	source      versionRef
	ruleID      string
	destination string
	due         time.Time
}

// scheduleReplication marks a new version PENDING towards each destination whose
// rule covers it [replication-status]. Replicas are never replicated again
// [replication-what-is-isnot-replicated].
func (c *Cloud) scheduleReplication(b *bucket, v *objectVersion) {
	if b.replication == nil || b.versioning != "Enabled" || v.replica || c.now().Before(b.replicationSince) {
		return // before the configuration takes effect, objects get no status (WithConfigDelay)
	}
	for _, r := range b.replication.rulesFor(v) {
		if v.deleteMarker && !r.deletesMarkers() {
			continue // [delete-marker-replication]: only rules that say so replicate them
		}
		dst := r.destinationBucket()
		if v.destinations == nil {
			v.destinations = map[string]string{}
		}
		v.destinations[dst] = "PENDING"
		c.queue = append(c.queue, replicationTask{
			source: versionRef{b.name, v.key, v.versionID}, ruleID: r.ID, destination: dst,
			due: c.now().Add(c.latency),
		})
		c.replicationScheduled(b, v, r)
	}
}

// runDue replicates what is due by now.
func (c *Cloud) runDue() {
	now := c.now()
	c.runWhere(func(t replicationTask) bool { return !t.due.After(now) })
}

func (c *Cloud) runWhere(due func(replicationTask) bool) int {
	var later []replicationTask
	ran := 0
	for _, t := range c.queue {
		if !due(t) {
			later = append(later, t)
			continue
		}
		c.replicate(t)
		ran++
	}
	c.queue = later
	return ran
}

// Step replicates everything pending now, whatever the latency, and reports how many
// replications it attempted.
func (c *Cloud) Step() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runWhere(func(replicationTask) bool { return true })
}

// PendingReplications counts the replications not attempted yet.
func (c *Cloud) PendingReplications() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runDue()
	return len(c.queue)
}

// ReplicationFailures lists why a version failed to replicate, one Failure per
// destination that failed; none when it did not fail (yet).
func (c *Cloud) ReplicationFailures(bucket, key, versionID string) []Failure {
	var out []Failure
	_ = c.locked(func() error {
		out = slices.Clone(c.failures[versionRef{bucket, key, versionID}])
		return nil
	})
	return out
}

// ReplicationFailure is the first of ReplicationFailures, for the usual single
// destination.
func (c *Cloud) ReplicationFailure(bucket, key, versionID string) (Failure, bool) {
	failures := c.ReplicationFailures(bucket, key, versionID)
	if len(failures) == 0 {
		return Failure{}, false
	}
	return failures[0], true
}

func (c *Cloud) replicate(t replicationTask) {
	src := c.buckets[t.source.bucket]
	var v *objectVersion
	if src != nil {
		v = src.version(t.source.key, t.source.versionID)
	}
	failure := c.attempt(t, src, v)
	if failure != nil {
		c.failures[t.source] = append(c.failures[t.source], *failure)
	}
	c.replicationDone(t, v, failure)
	if v == nil {
		return
	}
	v.destinations[t.destination] = "COMPLETED"
	if failure != nil {
		v.destinations[t.destination] = "FAILED"
	}
}

// replication is one attempt to replicate a version, with what the checks found.
type replication struct {
	c       *Cloud
	task    replicationTask
	src     *bucket
	obj     *objectVersion
	rule    replicationRule
	role    *role
	session evaluator.Principal
	dst     *bucket

	replicaAlgorithm string
	replicaKey       *kmsKey
	encryption       ReplicaEncryption
	// withoutTags says the role may not read the version's tags: S3 replicates it
	// without them.
	withoutTags bool
}

// attempt makes the checks S3 makes, in the order it needs each permission, and
// writes the replica when all pass.
func (c *Cloud) attempt(t replicationTask, src *bucket, v *objectVersion) *Failure {
	r := &replication{c: c, task: t, src: src, obj: v}
	steps := []func() *Failure{
		r.checkSource, r.assumeRole, r.readSource, r.decryptSource, r.checkDestination,
		r.readObjectLock, r.permitReplicate, r.chooseReplicaEncryption, r.permitEncrypt, r.permitOwnerOverride,
		r.permitTags, r.write,
	}
	if v != nil && v.deleteMarker {
		steps = []func() *Failure{r.checkSource, r.assumeRole, r.checkDestination, r.permitDelete, r.write}
	}
	for _, step := range steps {
		if f := step(); f != nil {
			f.Destination, f.Time = t.destination, c.now()
			return f
		}
	}
	return nil
}

func fail(reason, format string, args ...any) *Failure {
	return &Failure{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// checkSource: the source bucket, version and rule must still be there; S3 names
// each miss [replication-failure-codes: SrcBucketNotFound, SrcVersionNotFound,
// SrcBucketReplicationConfigMissing].
func (r *replication) checkSource() *Failure {
	switch {
	case r.src == nil:
		return fail("SrcBucketNotFound", "source bucket %s does not exist any more", r.task.source.bucket)
	case r.obj == nil:
		return fail("SrcVersionNotFound", "version %s of %s was deleted before S3 replicated it", r.task.source.versionID, r.task.source.key)
	case r.src.replication == nil:
		return fail("SrcBucketReplicationConfigMissing", "source bucket %s has no replication configuration any more", r.src.name)
	}
	rule, ok := r.src.replication.rule(r.task.ruleID)
	if !ok || rule.Status != "Enabled" || rule.destinationBucket() != r.task.destination {
		return fail("SrcBucketReplicationConfigMissing", "rule %q for %s is no longer in the replication configuration of %s", r.task.ruleID, r.task.destination, r.src.name)
	}
	r.rule = rule
	return nil
}

// assumeRole: S3 assumes the configuration's role as the service principal
// s3.amazonaws.com [setting-repl-config-perm-overview, "Step 2": the trust policy
// AWS gives has no condition]. The S3 User Guide does not say S3 sends
// aws:SourceAccount or aws:SourceArn with it, and the IAM User Guide
// [reference_policies_condition-keys] says those keys are in the request only when
// the calling service sends them; so the simulation sends neither, and a trust that
// needs them fails here as it would on AWS if S3 does not send them. An ...IfExists
// condition on them holds.
func (r *replication) assumeRole() *Failure {
	arn := r.src.replication.Role
	role := r.c.roleByARN(arn)
	switch {
	case role == nil:
		return fail("AssumeRoleNotPermitted", "role %s does not exist", arn)
	case role.account != r.src.owner:
		return fail("AssumeRoleNotPermitted", "role %s is not in the source bucket's account %s", arn, r.src.owner)
	}
	req := evaluator.Request{
		Principal: evaluator.Principal{Service: "s3.amazonaws.com"}, Action: "sts:AssumeRole",
		Resource: role.arn, ResourceAccount: role.account,
	}
	if d := evaluator.Evaluate(req, nil, role.trust, evaluator.IAMTrust); !d.Allowed {
		return fail("AssumeRoleNotPermitted", "%s", d.Reason)
	}
	r.role = role
	r.session = evaluator.Principal{
		ARN:       "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/s3-replication",
		AccountID: role.account,
	}
	return nil
}

// decide evaluates a request of the role's session against its identity policies and
// a resource policy.
func (r *replication) decide(action, resource, owner, policy string, kind evaluator.ResourceKind, context map[string][]string) evaluator.Decision {
	ctx := map[string][]string{"aws:PrincipalArn": {r.role.arn}, "aws:PrincipalIsAWSService": {"false"}, "aws:PrincipalType": {"AssumedRole"}}
	maps.Copy(ctx, context)
	req := evaluator.Request{Principal: r.session, Action: action, Resource: resource, ResourceAccount: owner, Context: ctx}
	d := evaluator.Evaluate(req, r.role.policies(), policy, kind)
	if !d.Allowed || r.role.boundary == "" {
		return d
	}
	// A permissions boundary caps what the role's session may do, whatever allows it.
	if bounded := evaluator.EvaluateNamed([]string{r.role.boundary}, "the permissions boundary", req); !bounded.Allowed {
		return evaluator.Decision{DecidedBy: evaluator.IdentitySide,
			Reason: "the role's permissions boundary " + r.role.boundaryARN + " does not allow it: " + bounded.Reason}
	}
	return d
}

// inRegion adds the Region a request is made in, aws:RequestedRegion.
func inRegion(region string, context map[string][]string) map[string][]string {
	context["aws:RequestedRegion"] = []string{region}
	return context
}

func (r *replication) onSource(action, resource, reason string) *Failure {
	if d := r.decide(action, resource, r.src.owner, r.src.policy, evaluator.S3Bucket, inRegion(r.src.region, s3Context())); !d.Allowed {
		return fail(reason, "%s", d.Reason)
	}
	return nil
}

// readSource: the role reads the configuration and the object version, its ACL and
// its tags [setting-repl-config-perm-overview, "Step 2": s3:GetReplicationConfiguration,
// s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging];
// a denial is the reason the failure table gives [replication-failure-codes]. Tags
// are the exception: "If Amazon S3 doesn't have the s3:GetObjectVersionTagging
// permission, it replicates the objects, but not the object tags"
// [setting-repl-config-perm-overview]; only an explicit Deny fails the object
// [replication-troubleshoot].
func (r *replication) readSource() *Failure {
	object := objectARN(r.src.name, r.obj.key)
	checks := []struct{ action, resource, reason string }{
		{"s3:GetReplicationConfiguration", r.src.arn(), "SrcBucketReplicationConfigMissing"},
		{"s3:GetObjectVersionForReplication", object, "SrcGetObjectNotPermitted"},
		{"s3:GetObjectVersionAcl", object, "SrcGetAclNotPermitted"},
	}
	for _, check := range checks {
		if f := r.onSource(check.action, check.resource, check.reason); f != nil {
			return f
		}
	}
	if len(r.obj.tags) == 0 {
		return nil
	}
	d := r.decide("s3:GetObjectVersionTagging", object, r.src.owner, r.src.policy, evaluator.S3Bucket, inRegion(r.src.region, s3Context()))
	if d.ExplicitDeny {
		return fail("SrcGetTaggingNotPermitted", "%s", d.Reason)
	}
	r.withoutTags = !d.Allowed
	return nil
}

// decryptSource: S3 decrypts an SSE-KMS source with the role, through S3 in the
// source Region, in the context of the object (or of the bucket with a Bucket Key)
// [replication-config-for-kms-objects, bucket-key]; a key that is not enabled is
// SrcKmsKeyInvalidState [replication-failure-codes].
func (r *replication) decryptSource() *Failure {
	if !isKMSAlgorithm(r.obj.sseAlgorithm) {
		return nil
	}
	k := r.c.keyByARN(r.obj.kmsKeyARN)
	switch {
	case k == nil:
		return fail("SrcKmsKeyInvalidState", "source key %s does not exist", r.obj.kmsKeyARN)
	case k.state != "Enabled":
		return fail("SrcKmsKeyInvalidState", "source key %s is %s", k.arn, k.state)
	}
	context := inRegion(r.src.region, kmsContext(r.role.account, throughS3(r.src.region, encryptionContext(r.src.name, r.obj.key, r.obj.bucketKey))))
	if d := r.decide("kms:Decrypt", k.arn, k.account, k.policy, evaluator.KMSKey, context); !d.Allowed {
		return fail("SrcGetObjectNotPermitted", "%s", d.Reason)
	}
	return nil
}

// checkDestination: the destination bucket must exist and be versioned, and have
// Object Lock when the source does [replication-failure-codes: DstBucketNotFound,
// DstBucketUnversioned, DstBucketObjectLockConfigMissing; replication-requirements].
func (r *replication) checkDestination() *Failure {
	r.dst = r.c.buckets[r.task.destination]
	switch {
	case r.dst == nil:
		return fail("DstBucketNotFound", "destination bucket %s does not exist", r.task.destination)
	case r.dst.versioning != "Enabled":
		return fail("DstBucketUnversioned", "versioning is not enabled on destination bucket %s", r.dst.name)
	case r.src.objectLock && !r.dst.objectLock:
		return fail("DstBucketObjectLockConfigMissing", "source bucket %s has Object Lock, destination bucket %s does not", r.src.name, r.dst.name)
	}
	return nil
}

// readObjectLock: with Object Lock on the source bucket, the role also reads the
// version's retention and legal hold, to give them to the replica
// [setting-repl-config-perm-overview: "To use Object Lock with replication, you must
// grant two additional permissions on the source S3 bucket ... s3:GetObjectRetention
// and s3:GetObjectLegalHold"; replication-failure-codes: SrcGetRetentionNotPermitted,
// SrcGetLegalHoldNotPermitted]. The simulation asks once the destination is known to
// have Object Lock too.
func (r *replication) readObjectLock() *Failure {
	if !r.src.objectLock {
		return nil
	}
	object := objectARN(r.src.name, r.obj.key)
	if f := r.onSource("s3:GetObjectRetention", object, "SrcGetRetentionNotPermitted"); f != nil {
		return f
	}
	return r.onSource("s3:GetObjectLegalHold", object, "SrcGetLegalHoldNotPermitted")
}

func (r *replication) onDestination(action, reason string) *Failure {
	object := objectARN(r.dst.name, r.obj.key)
	if d := r.decide(action, object, r.dst.owner, r.dst.policy, evaluator.S3Bucket, inRegion(r.dst.region, s3Context())); !d.Allowed {
		return fail(reason, "%s", d.Reason)
	}
	return nil
}

// permitReplicate: s3:ReplicateObject on the destination object, by the role's policy
// and, across accounts, the destination bucket policy too
// [setting-repl-config-perm-overview, "Step 2" and "Step 3"]; denied it is
// DstPutObjectNotPermitted [replication-failure-codes].
func (r *replication) permitReplicate() *Failure {
	return r.onDestination("s3:ReplicateObject", "DstPutObjectNotPermitted")
}

// chooseReplicaEncryption: a replica keeps its source's type of encryption and, for
// SSE-KMS, its source's S3 Bucket Key setting; only an unencrypted source gets the
// destination bucket's default (ReplicaEncryptionFor, which cites the pages). An
// SSE-KMS source is re-encrypted with the rule's replica key.
func (r *replication) chooseReplicaEncryption() *Failure {
	r.encryption = ReplicaEncryptionFor(r.obj.sseAlgorithm, r.obj.bucketKey, r.dst.encryption.Algorithm, r.dst.encryption.BucketKey)
	r.replicaAlgorithm = r.obj.sseAlgorithm
	if !r.encryption.KMS {
		r.replicaAlgorithm = "AES256"
		return nil
	}
	account, ref := r.role.account, r.rule.replicaKey()
	if r.encryption.FromDefault {
		account, ref, r.replicaAlgorithm = r.dst.owner, r.dst.encryption.KMSKeyID, r.dst.encryption.Algorithm
	}
	if ref == "" {
		ref = s3ManagedAlias
	}
	k, err := r.c.lookupKey(account, r.dst.region, ref)
	switch {
	case err != nil:
		return fail("DstKmsKeyNotFound", "replica key %s does not exist in %s", ref, r.dst.region)
	case k.state != "Enabled":
		return fail("DstKmsKeyInvalidState", "replica key %s is %s", k.arn, k.state)
	case !k.symmetric():
		return fail("DstKmsKeyInvalidState", "replica key %s is %s for %s, not a symmetric encryption key", k.arn, k.spec, k.usage)
	}
	r.replicaKey = k
	return nil
}

// permitEncrypt: the role must be allowed, by its own policies and the key policy,
// every request ReplicaKeyRequests says S3 makes on the replica key, through S3 in
// the destination Region. A key policy that does not let the role in shows up as
// DstPutObjectNotPermitted, as in AWS [replication-failure-codes].
func (r *replication) permitEncrypt() *Failure {
	k := r.replicaKey
	if k == nil {
		return nil
	}
	for _, req := range ReplicaKeyRequests(r.encryption) {
		context := inRegion(r.dst.region, kmsContext(r.role.account, throughS3(r.dst.region, encryptionContext(r.dst.name, r.obj.key, req.BucketContext))))
		if d := r.decide(req.Action, k.arn, k.account, k.policy, evaluator.KMSKey, context); !d.Allowed {
			return fail("DstPutObjectNotPermitted", "%s", d.Reason)
		}
	}
	return nil
}

// permitDelete: a delete marker needs s3:ReplicateDelete on the destination object,
// by the role's policy and, across accounts, the destination bucket policy
// [setting-repl-config-perm-overview]; denied it is DstDelObjNotPermitted
// [replication-failure-codes].
func (r *replication) permitDelete() *Failure {
	return r.onDestination("s3:ReplicateDelete", "DstDelObjNotPermitted")
}

// permitOwnerOverride: [replication-failure-codes] names a missing
// s3:ObjectOwnerOverrideToBucketOwner under DstPutObjectNotPermitted, not under
// DstPutAclNotPermitted (which is about replicating the object's ACL).
func (r *replication) permitOwnerOverride() *Failure {
	if !r.rule.overridesOwner() {
		return nil
	}
	return r.onDestination("s3:ObjectOwnerOverrideToBucketOwner", "DstPutObjectNotPermitted")
}

// permitTags: "Permissions for the s3:ReplicateObject action ... also allow
// replication of metadata such as object tags and ACLs. Therefore, you don't need to
// explicitly grant permission for the s3:ReplicateTags action"
// [setting-repl-config-perm-overview]; but an explicit Deny of s3:ReplicateTags fails
// a tagged object [replication-troubleshoot], as DstPutTaggingNotPermitted
// [replication-failure-codes].
func (r *replication) permitTags() *Failure {
	if len(r.obj.tags) == 0 || r.withoutTags {
		return nil
	}
	object := objectARN(r.dst.name, r.obj.key)
	if d := r.decide("s3:ReplicateTags", object, r.dst.owner, r.dst.policy, evaluator.S3Bucket, inRegion(r.dst.region, s3Context())); d.ExplicitDeny {
		return fail("DstPutTaggingNotPermitted", "%s", d.Reason)
	}
	return nil
}

// write stores the replica under the source's version id, with status REPLICA
// [replication-status]; the destination account owns it with the owner override or
// with Object Ownership BucketOwnerEnforced, else the source object's owner does
// [replication-change-owner, about-object-ownership].
func (r *replication) write() *Failure {
	replica := &objectVersion{
		key: r.obj.key, versionID: r.obj.versionID, body: slices.Clone(r.obj.body),
		sseAlgorithm: r.replicaAlgorithm, replica: true, owner: r.obj.owner, deleteMarker: r.obj.deleteMarker,
		tags: maps.Clone(r.obj.tags), lastModified: r.c.now(),
	}
	if r.withoutTags {
		replica.tags = nil
	}
	if r.replicaKey != nil {
		replica.kmsKeyARN, replica.bucketKey = r.replicaKey.arn, r.encryption.BucketKey
	}
	if r.rule.overridesOwner() || r.dst.ownership == "BucketOwnerEnforced" {
		replica.owner = r.dst.owner
	}
	r.c.store(r.dst, replica)
	return nil
}
