package steps

import (
	iam "github.com/micahhausler/aws-iam-policy/policy"

	"github.com/s3repl/s3repl/awsops/policy"
)

// Facts is everything the policy builders need, resolved from the Setup and what
// Inspect found. Building from Facts is pure.
type Facts struct {
	Partition     string
	SourceAccount string
	SourceRegion  string
	SourceBucket  string
	// SourceKeyARNs are the keys the role must be able to decrypt with: the source
	// bucket's default key when it is a KMS key.
	SourceKeyARNs []string
	DestAccount   string
	DestRegion    string
	DestBucket    string
	DestKeyARN    string
	RoleARN       string
	RuleID        string
	Prefix        string
	OwnerOverride bool
	// DeleteMarkers says the rule replicates delete markers: only then does S3 ask
	// for s3:ReplicateDelete [replication-failure-codes, DstDelObjNotPermitted].
	DeleteMarkers bool
	ObjectLock    bool
	// DestBucketKey is true when the destination bucket defaults to an S3 Bucket Key.
	DestBucketKey bool
}

// NewKeyARN is the placeholder ARN of a replica key that Apply is still to create.
func (f Facts) NewKeyARN() string {
	return "arn:" + f.Partition + ":kms:" + f.DestRegion + ":" + f.DestAccount + ":key/" + NewKeyID
}

// CrossAccount reports whether source and destination are in different accounts.
func (f Facts) CrossAccount() bool { return f.SourceAccount != f.DestAccount }

// Sids of the statements s3repl writes. Statements on resources that several setups
// may share (key and bucket policies, trust policies) carry a hash of the role and
// rule, or of the source bucket, so two setups never overwrite each other: the rules
// of one source bucket share its one role, but their statements differ (prefix,
// ownership override, Bucket Key).
const (
	sidReadSourceBucket  = "S3replReadSourceBucket"
	sidReadSourceObjects = "S3replReadSourceObjects"
	sidReplicateToDest   = "S3replReplicateToDestination"
	sidDecryptSource     = "S3replDecryptSourceObjects"
	sidEncryptReplicas   = "S3replEncryptReplicas"
)

func (f Facts) roleSid(purpose string) string {
	return "S3repl" + purpose + shortHash(f.RoleARN+" "+f.RuleID)
}

// KeyPolicySid is the Sid of the destination key policy statement for this rule.
func (f Facts) KeyPolicySid() string { return f.roleSid("ReplicaKey") }

// SourceKeyPolicySid is the Sid of the source key policy statement for this rule.
func (f Facts) SourceKeyPolicySid() string { return f.roleSid("SourceKey") }

// BucketPolicySids are the Sids of the destination bucket policy statements.
func (f Facts) BucketPolicySids() []string {
	return []string{f.roleSid("ReplicateObjects"), f.roleSid("ReplicaBucket")}
}

// TrustSid is the Sid of the trust statement that lets S3 assume the role for the
// source bucket.
func (f Facts) TrustSid() string {
	return "S3replTrustS3" + shortHash(BucketARN(f.Partition, f.SourceBucket))
}

func (f Facts) srcBucketARN() string { return BucketARN(f.Partition, f.SourceBucket) }
func (f Facts) dstBucketARN() string { return BucketARN(f.Partition, f.DestBucket) }

// objectsIn is the ARN pattern of the objects in scope: the whole bucket or the prefix.
func (f Facts) objectsIn(bucketARN string) string { return bucketARN + "/" + f.Prefix + "*" }

func strs(values ...string) *iam.StringOrSlice {
	return iam.NewStringOrSlice(len(values) == 1, values...)
}

func condition(op, key string, values ...string) map[string]map[string]*iam.ConditionValue {
	return map[string]map[string]*iam.ConditionValue{
		op: {key: iam.NewConditionValueString(len(values) == 1, values...)},
	}
}

func withCondition(into map[string]map[string]*iam.ConditionValue, op, key string, values ...string) map[string]map[string]*iam.ConditionValue {
	if into == nil {
		into = map[string]map[string]*iam.ConditionValue{}
	}
	if into[op] == nil {
		into[op] = map[string]*iam.ConditionValue{}
	}
	into[op][key] = iam.NewConditionValueString(len(values) == 1, values...)
	return into
}

// kmsConditions limits KMS use to S3 in one Region and to objects in scope. With S3
// Bucket Keys the encryption context is the bucket ARN, so it is allowed as well.
func (f Facts) kmsConditions(region, bucketARN string) map[string]map[string]*iam.ConditionValue {
	c := condition("StringEquals", "kms:ViaService", "s3."+region+".amazonaws.com")
	return withCondition(c, "StringLike", "kms:EncryptionContext:aws:s3:arn", f.objectsIn(bucketARN), bucketARN)
}

// TrustStatement lets S3 assume the role, as AWS documents it: s3.amazonaws.com,
// sts:AssumeRole and no condition [setting-repl-config-perm-overview]. AWS does not
// document that S3 sends aws:SourceAccount or aws:SourceArn when it assumes the
// replication role, and a condition on a key that is absent does not hold: such a
// trust would fail every object with AssumeRoleNotPermitted. Who may replicate with
// the role is decided by who may name it in a replication configuration
// (iam:PassRole).
func (f Facts) TrustStatement() policy.Statement {
	return policy.Statement{
		Sid:       f.TrustSid(),
		Effect:    iam.EffectAllow,
		Principal: iam.NewServicePrincipal("s3.amazonaws.com"),
		Action:    strs("sts:AssumeRole"),
	}
}

// RolePolicyStatements are the replication role's permissions for this rule.
func (f Facts) RolePolicyStatements() []policy.Statement {
	readObjects := []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"}
	if f.ObjectLock {
		readObjects = append(readObjects, "s3:GetObjectRetention", "s3:GetObjectLegalHold")
	}
	statements := []policy.Statement{
		{
			Sid: sidReadSourceBucket, Effect: iam.EffectAllow,
			Action:   strs("s3:GetReplicationConfiguration", "s3:ListBucket"),
			Resource: strs(f.srcBucketARN()),
		},
		{
			Sid: sidReadSourceObjects, Effect: iam.EffectAllow,
			Action:   strs(readObjects...),
			Resource: strs(f.objectsIn(f.srcBucketARN())),
		},
		{
			Sid: sidReplicateToDest, Effect: iam.EffectAllow,
			Action:   strs(f.replicateActions()...),
			Resource: strs(f.objectsIn(f.dstBucketARN())),
		},
	}
	if len(f.SourceKeyARNs) > 0 {
		statements = append(statements, policy.Statement{
			Sid: sidDecryptSource, Effect: iam.EffectAllow,
			Action:    strs("kms:Decrypt"),
			Resource:  strs(f.SourceKeyARNs...),
			Condition: f.kmsConditions(f.SourceRegion, f.srcBucketARN()),
		})
	}
	return append(statements, policy.Statement{
		Sid: sidEncryptReplicas, Effect: iam.EffectAllow,
		Action:    strs(f.replicaKeyActions()...),
		Resource:  strs(f.DestKeyARN),
		Condition: f.kmsConditions(f.DestRegion, f.dstBucketARN()),
	})
}

func (f Facts) replicateActions() []string {
	actions := []string{"s3:ReplicateObject", "s3:ReplicateTags"}
	if f.DeleteMarkers {
		actions = []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}
	}
	if f.OwnerOverride {
		actions = append(actions, "s3:ObjectOwnerOverrideToBucketOwner")
	}
	return actions
}

// replicaKeyActions are what S3 may ask of the replica key. kms:Decrypt always: a
// replica keeps its source object's S3 Bucket Key setting [bucket-key, Example 1],
// and any object may have been uploaded with a Bucket Key whatever the buckets'
// defaults say (or be under a key of source.kmsKeys), and then S3 decrypts with the
// replica key [replication-config-for-kms-objects, "S3 Bucket Keys and
// replication"]; without it the object FAILS (DstPutObjectNotPermitted).
func (f Facts) replicaKeyActions() []string {
	return []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}
}

// DestKeyStatement lets the role use the replica key through S3 in the destination
// Region, for the destination bucket's objects only: the same kms:ViaService and
// encryption-context conditions (object ARN, and bucket ARN for S3 Bucket Keys) as
// the role's own policy, so the destination account does not rely on the source
// account's IAM policy alone to keep the role to its bucket. It goes into the
// destination key policy.
func (f Facts) DestKeyStatement() policy.Statement {
	return policy.Statement{
		Sid:       f.KeyPolicySid(),
		Effect:    iam.EffectAllow,
		Principal: iam.NewAWSPrincipal(f.RoleARN),
		Action:    strs(f.replicaKeyActions()...),
		Resource:  strs("*"),
		Condition: f.kmsConditions(f.DestRegion, f.dstBucketARN()),
	}
}

// SourceKeyStatement lets the role decrypt source objects, through S3 in the source
// Region and for the source bucket's objects in scope only (object and Bucket Key
// contexts), as the role's own policy does; needed only when the source key policy
// does not delegate to the source account.
func (f Facts) SourceKeyStatement() policy.Statement {
	return policy.Statement{
		Sid:       f.SourceKeyPolicySid(),
		Effect:    iam.EffectAllow,
		Principal: iam.NewAWSPrincipal(f.RoleARN),
		Action:    strs("kms:Decrypt"),
		Resource:  strs("*"),
		Condition: f.kmsConditions(f.SourceRegion, f.srcBucketARN()),
	}
}

// DestBucketStatements let the role replicate into the destination bucket from
// another account.
func (f Facts) DestBucketStatements() []policy.Statement {
	sids := f.BucketPolicySids()
	return []policy.Statement{
		{
			Sid: sids[0], Effect: iam.EffectAllow,
			Principal: iam.NewAWSPrincipal(f.RoleARN),
			Action:    strs(f.replicateActions()...),
			Resource:  strs(f.objectsIn(f.dstBucketARN())),
		},
		{
			Sid: sids[1], Effect: iam.EffectAllow,
			Principal: iam.NewAWSPrincipal(f.RoleARN),
			// AWS's example grants s3:List*; on a bucket ARN only these List actions
			// apply, and naming them keeps policy linters quiet. S3 never changes the
			// destination's versioning while replicating; s3:PutBucketVersioning is
			// here because AWS's cross-account example bucket policy grants it
			// [replication-walkthrough-2], and a destination owner comparing the two
			// should find the same statement.
			Action: strs("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads",
				"s3:GetBucketVersioning", "s3:PutBucketVersioning"),
			Resource: strs(f.dstBucketARN()),
		},
	}
}

// DefaultKeyPolicy is the policy of a key s3repl creates: the destination account
// keeps full control (as KMS's own default does, so nobody is locked out) and the
// replication role may use it through S3.
func (f Facts) DefaultKeyPolicy() string {
	doc := &policy.Document{}
	_, _ = doc.Upsert(policy.Statement{
		Sid:       "EnableIAMUserPermissions",
		Effect:    iam.EffectAllow,
		Principal: iam.NewAWSPrincipal(AccountRoot(f.Partition, f.DestAccount)),
		Action:    strs("kms:*"),
		Resource:  strs("*"),
	}, f.DestKeyStatement())
	return doc.String()
}
