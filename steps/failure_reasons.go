package steps

import "slices"

// ReasonExplanation explains one of S3's replication failure reasons: what it means,
// which of the doctor's checks look at its cause, and what to do.
type ReasonExplanation struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
	// Checks are the ids of the doctor's checks that cover the cause.
	Checks []string `json:"checks,omitempty"`
	Fix    string   `json:"fix"`
	// BatchOnly marks the reasons only Batch Replication reports.
	BatchOnly bool `json:"batchOnly,omitempty"`
}

// FailureReason is what a reason means and what to do, as the watch shows it.
type FailureReason struct {
	Meaning string `json:"meaning"`
	Fix     string `json:"fix"`
}

const (
	fixWithDoctor   = "run the doctor: it names the policy or setting and offers the change"
	nothingToRepeat = "nothing to replicate any more"
)

var (
	roleChecks        = []string{"role-permissions", "explicit-deny", "permissions-boundary"}
	destinationChecks = []string{"role-permissions", "destination-bucket-policy", "explicit-deny", "permissions-boundary"}
)

// reasonExplanations is the S3 User Guide's table of replication failure reasons
// [replication-failure-codes; since moved into replication-metrics-events], which live
// replication's failure events and Batch Replication's completion reports share, in
// our words, with the doctor's checks for each and what to do. The simulated S3
// reports only the reasons of simcloud.FailureReasons, which holds the table's own
// wording; a test keeps the two lists equal.
var reasonExplanations = []ReasonExplanation{
	{"AssumeRoleNotPermitted", "S3 cannot assume the replication role (or the batch operations role): it is gone, or its trust policy does not let the S3 service in", []string{"role-trust"}, "the doctor's role-trust check; s3repl apply restores the trust statement", false},
	{"SrcBucketNotFound", "the source bucket no longer exists", nil, "recreate the bucket or remove the rule", false},
	{"SrcBucketReplicationConfigMissing", "the source bucket has no replication configuration for this destination any more, or the role may not read it (s3:GetReplicationConfiguration)", []string{"rule", "role-permissions"}, fixWithDoctor, false},
	{"DstBucketNotFound", "the destination bucket does not exist", []string{"rule"}, "recreate it (s3repl apply with createBucket: true) or point the rule elsewhere", false},
	{"DstBucketUnversioned", "versioning is not enabled on the destination bucket", []string{"destination-versioning"}, "enable versioning on it (s3repl apply does)", false},
	{"DstBucketObjectLockConfigMissing", "the source has Object Lock and the destination does not", []string{"object-lock"}, "use a destination bucket with Object Lock enabled", false},
	{"DstKmsKeyNotFound", "the replica KMS key in the replication configuration does not exist (in the destination Region)", []string{"replica-key"}, "fix the rule's replica key (destination.kmsKey) and apply", false},
	{"DstKmsKeyInvalidState", "the replica KMS key is disabled, pending deletion or not a symmetric encryption key", []string{"replica-key"}, "enable the key or cancel its deletion", false},
	{"SrcKmsKeyInvalidState", "the KMS key a source object is encrypted with is disabled or pending deletion", []string{"object-keys"}, "enable the source key or cancel its deletion", false},
	{"DstPutObjectNotPermitted", "S3 may not write the replica: the role lacks s3:ReplicateObject (or s3:ObjectOwnerOverrideToBucketOwner) on the destination, or the replica key's policy does not let the role use the key (a key policy edited by hand is the usual cause)", []string{"role-permissions", "destination-bucket-policy", "destination-key-policy", "explicit-deny", "permissions-boundary"}, fixWithDoctor, false},
	{"DstPutAclNotPermitted", "S3 may not replicate the object's ACL to the destination (s3:ReplicateObject)", []string{"destination-bucket-policy", "ownership"}, fixWithDoctor, false},
	{"DstPutTaggingNotPermitted", "S3 may not replicate the object's tags to the destination (the table names s3:ReplicateObject; an explicit Deny of s3:ReplicateTags also refuses them)", destinationChecks, fixWithDoctor, false},
	{"DstDelObjNotPermitted", "S3 may not replicate delete markers: s3:ReplicateDelete is missing", destinationChecks, fixWithDoctor, false},
	{"DstMultipartInitNotPermitted", "S3 may not start a multipart upload of a large replica: s3:ReplicateObject is missing", destinationChecks, fixWithDoctor, false},
	{"DstMultipartUploadNotPermitted", "S3 may not upload the parts of a large replica: s3:ReplicateObject is missing", destinationChecks, fixWithDoctor, false},
	{"DstMultipartCompleteNotPermitted", "S3 may not complete the multipart upload of a large replica: s3:ReplicateObject is missing", destinationChecks, fixWithDoctor, false},
	{"DstPutLegalHoldNotPermitted", "S3 may not put the Object Lock legal hold on the replica", []string{"object-lock"}, fixWithDoctor, false},
	{"DstPutRetentionNotPermitted", "S3 may not put the Object Lock retention on the replica", []string{"object-lock"}, fixWithDoctor, false},
	{"DstVersionNotFound", "the destination has no version of the object whose metadata is to be replicated", nil, "replicate the object again (s3repl backfill)", false},
	{"SrcGetObjectNotPermitted", "the role may not read the source object (s3:GetObjectVersionForReplication), or may not decrypt it with its KMS key", []string{"role-permissions", "source-key-policy", "object-keys", "explicit-deny"}, fixWithDoctor, false},
	{"SrcHeadObjectNotPermitted", "the role may not read the source object's metadata (s3:GetObjectVersionForReplication)", roleChecks, fixWithDoctor, false},
	{"SrcGetAclNotPermitted", "the role may not read the object's ACL: s3:GetObjectVersionAcl is missing (or the bucket owner does not own the object)", roleChecks, fixWithDoctor, false},
	{"SrcGetTaggingNotPermitted", "the role may not read the object's tags: s3:GetObjectVersionTagging is missing or denied", roleChecks, fixWithDoctor, false},
	{"SrcGetLegalHoldNotPermitted", "the role may not read the object's legal hold: s3:GetObjectLegalHold is missing", []string{"role-permissions", "object-lock"}, fixWithDoctor, false},
	{"SrcGetRetentionNotPermitted", "the role may not read the object's retention: s3:GetObjectRetention is missing", []string{"role-permissions", "object-lock"}, fixWithDoctor, false},
	{"SrcObjectNotEligible", "the object is not eligible for replication: its storage class, or no enabled rule covers it (prefix, tags, the SSE-KMS opt-in), or it is a replica", []string{"rule", "kms-opt-in"}, "nothing to fix in the setup when the object is a replica; otherwise check the rule's scope", false},
	{"SrcKeyNotFound", "the source object's key is gone: it was deleted before S3 replicated it", nil, nothingToRepeat, false},
	{"SrcObjectNotFound", "the source object was deleted before S3 replicated it", nil, nothingToRepeat, false},
	{"SrcVersionNotFound", "the source version was deleted before S3 replicated it", nil, nothingToRepeat, false},
	{"SrcReplicationNotPending", "S3 had already replicated the object; it is no longer pending", nil, "nothing to do", false},
	{"DstBucketInvalidRegion", "the destination bucket is not in the Region the job says", nil, "check the rule's destination bucket", true},
	{"SrcBucketInvalidRegion", "the source bucket is not in the job's Region", nil, "create the job in the source bucket's Region (s3repl does)", true},
	{"DstObjectHardDeleted", "the replica was deleted by its version id in the destination; Batch Replication does not write it again", nil, "nothing s3repl can replicate again", true},
	{"InitiateReplicationNotPermitted", "the batch operations role lacks s3:InitiateReplication on the source objects", nil, "rerun s3repl backfill: it plans the batch role's permissions", true},
}

// ExplainFailureReason looks a failure reason up in the User Guide's table; an
// unknown code is explained as such.
func ExplainFailureReason(code string) ReasonExplanation {
	for _, r := range reasonExplanations {
		if r.Code == code {
			return r
		}
	}
	return ReasonExplanation{Code: code, Fix: fixWithDoctor,
		Meaning: "not in the S3 User Guide's table of replication failure reasons (replication-failure-codes); the report's message says more"}
}

// ExplainFailure says what an S3 failure reason means and what to do.
func ExplainFailure(code string) FailureReason {
	r := ExplainFailureReason(code)
	return FailureReason{Meaning: r.Meaning, Fix: r.Fix}
}

// FailureReasonTable is every reason s3repl explains, in the table's order.
func FailureReasonTable() []ReasonExplanation { return slices.Clone(reasonExplanations) }
