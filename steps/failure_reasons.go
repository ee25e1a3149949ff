package steps

// ReasonExplanation explains one of S3's replication failure reasons: what it means, and
// which of the doctor's checks look at its cause.
type ReasonExplanation struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
	// Checks are the ids of the doctor's checks that cover the cause.
	Checks []string `json:"checks,omitempty"`
	// BatchOnly marks the reasons only Batch Replication reports.
	BatchOnly bool `json:"batchOnly,omitempty"`
}

// reasonExplanations is the S3 User Guide's table of replication failure reasons
// [replication-failure-codes], which live replication's events and Batch
// Replication's completion reports share, with the doctor's checks for each.
var reasonExplanations = []ReasonExplanation{
	{"AssumeRoleNotPermitted", "S3 cannot assume the replication role (or the batch operations role)", []string{"role-trust"}, false},
	{"SrcBucketNotFound", "the source bucket no longer exists", nil, false},
	{"SrcBucketReplicationConfigMissing", "the source bucket has no replication configuration for this destination any more, or the role may not read it (s3:GetReplicationConfiguration)", []string{"rule", "role-permissions"}, false},
	{"DstBucketNotFound", "the destination bucket does not exist", []string{"rule"}, false},
	{"DstBucketUnversioned", "versioning is not enabled on the destination bucket", []string{"destination-versioning"}, false},
	{"DstBucketObjectLockConfigMissing", "the source has Object Lock and the destination does not", []string{"object-lock"}, false},
	{"DstKmsKeyNotFound", "the replica key in the replication configuration does not exist", []string{"replica-key"}, false},
	{"DstKmsKeyInvalidState", "the replica key is disabled, pending deletion or not a symmetric encryption key", []string{"replica-key"}, false},
	{"SrcKmsKeyInvalidState", "the key a source object is encrypted with is disabled or pending deletion", []string{"object-keys"}, false},
	{"DstPutObjectNotPermitted", "S3 may not write the replica: the role lacks s3:ReplicateObject (or s3:ObjectOwnerOverrideToBucketOwner) on the destination, or the replica key's policy does not let the role encrypt", []string{"role-permissions", "destination-bucket-policy", "destination-key-policy", "explicit-deny", "permissions-boundary"}, false},
	{"DstPutAclNotPermitted", "S3 may not replicate the object's ACL to the destination", []string{"destination-bucket-policy", "ownership"}, false},
	{"DstPutTaggingNotPermitted", "S3 may not replicate the object's tags: s3:ReplicateTags is missing", []string{"role-permissions", "destination-bucket-policy"}, false},
	{"DstDelObjNotPermitted", "S3 may not replicate delete markers: s3:ReplicateDelete is missing", []string{"role-permissions", "destination-bucket-policy"}, false},
	{"DstMultipartInitNotPermitted", "S3 may not start a multipart upload of a large replica: s3:ReplicateObject is missing", []string{"role-permissions", "destination-bucket-policy"}, false},
	{"DstMultipartPartUploadNotPermitted", "S3 may not upload parts of a large replica: s3:ReplicateObject is missing", []string{"role-permissions", "destination-bucket-policy"}, false},
	{"DstMultipartCompleteNotPermitted", "S3 may not complete a multipart replica: s3:ReplicateObject is missing", []string{"role-permissions", "destination-bucket-policy"}, false},
	{"DstPutLegalHoldNotPermitted", "S3 may not replicate the object's legal hold", []string{"object-lock"}, false},
	{"DstPutRetentionNotPermitted", "S3 may not replicate the object's retention", []string{"object-lock"}, false},
	{"DstVersionNotFound", "the replica's version is not in the destination bucket", nil, false},
	{"SrcGetObjectNotPermitted", "the role may not read the source object (s3:GetObjectVersionForReplication), or may not decrypt it with its KMS key", []string{"role-permissions", "source-key-policy", "object-keys", "explicit-deny"}, false},
	{"SrcHeadObjectNotPermitted", "the role may not read the source object's metadata", []string{"role-permissions"}, false},
	{"SrcGetAclNotPermitted", "the role may not read the object's ACL: s3:GetObjectVersionAcl is missing", []string{"role-permissions"}, false},
	{"SrcGetTaggingNotPermitted", "the role may not read the object's tags: s3:GetObjectVersionTagging is missing", []string{"role-permissions"}, false},
	{"SrcGetLegalHoldNotPermitted", "the role may not read the object's legal hold: s3:GetObjectLegalHold is missing", []string{"role-permissions", "object-lock"}, false},
	{"SrcGetRetentionNotPermitted", "the role may not read the object's retention: s3:GetObjectRetention is missing", []string{"role-permissions", "object-lock"}, false},
	{"SrcObjectNotEligible", "the object is not eligible for replication: its storage class, or no enabled rule covers it (prefix, tags, the SSE-KMS opt-in), or it is a replica", []string{"rule", "kms-opt-in"}, false},
	{"SrcKeyNotFound", "S3 could not find the source object's key", nil, false},
	{"SrcObjectNotFound", "the source object was deleted before S3 replicated it", nil, false},
	{"SrcVersionNotFound", "the source version was deleted before S3 replicated it", nil, false},
	{"SrcReplicationNotPending", "S3 had already replicated (or failed) the object", nil, false},
	{"DstBucketInvalidRegion", "the destination bucket is not in the Region the job says", nil, true},
	{"SrcBucketInvalidRegion", "the source bucket is not in the job's Region: create the job in the source bucket's Region", nil, true},
	{"DstObjectHardDeleted", "the replica was deleted by its version id in the destination; Batch Replication does not write it again", nil, true},
	{"InitiateReplicationNotPermitted", "the batch operations role lacks s3:InitiateReplication on the source objects", nil, true},
}

// ExplainFailureReason looks a failure reason up in the User Guide's table; an
// unknown code is explained as such.
func ExplainFailureReason(code string) ReasonExplanation {
	for _, r := range reasonExplanations {
		if r.Code == code {
			return r
		}
	}
	return ReasonExplanation{Code: code, Meaning: "not in the S3 User Guide's table of replication failure reasons (replication-failure-codes); the report's message says more"}
}
