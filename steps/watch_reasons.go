package steps

// FailureReason explains one of S3's replication failure reasons: what it means
// (the S3 User Guide's "Replication failure reasons" table, in our words
// [replication-failure-codes]) and what to do, pointing at the doctor's checks.
type FailureReason struct {
	Meaning string `json:"meaning"`
	Fix     string `json:"fix"`
}

const fixWithDoctor = "run the doctor: it names the policy or setting and offers the change"

var failureReasons = map[string]FailureReason{
	"AssumeRoleNotPermitted": {"S3 cannot assume the replication role: it is gone, or its trust policy does not let s3.amazonaws.com in",
		"the doctor's role-trust check; s3repl apply restores the trust statement"},
	"SrcBucketNotFound":                 {"the source bucket no longer exists", "recreate the bucket or remove the rule"},
	"SrcBucketReplicationConfigMissing": {"the rule is gone from the source bucket's replication configuration, or the role may not read it (s3:GetReplicationConfiguration)", fixWithDoctor},
	"DstBucketNotFound":                 {"the destination bucket does not exist", "recreate it (s3repl apply with createBucket: true) or point the rule elsewhere"},
	"DstBucketUnversioned":              {"versioning is not enabled on the destination bucket", "enable versioning on it (s3repl apply does)"},
	"DstBucketObjectLockConfigMissing":  {"the source has Object Lock and the destination does not", "use a destination bucket with Object Lock enabled"},
	"DstKmsKeyNotFound":                 {"the replica KMS key named in the rule does not exist (in the destination Region)", "fix the rule's replica key (destination.kmsKey) and apply"},
	"DstKmsKeyInvalidState":             {"the replica KMS key is disabled, pending deletion or not a symmetric encryption key", "enable the key or cancel its deletion"},
	"SrcKmsKeyInvalidState":             {"the KMS key of the source object is disabled or pending deletion", "enable the source key or cancel its deletion"},
	"DstPutObjectNotPermitted": {"the role may not write the replica: the destination bucket policy, the replica key's policy or the role's own policy lets it no longer (a key policy edited by hand is the usual cause)",
		fixWithDoctor},
	"DstPutAclNotPermitted":              {"the role may not set the replica's ACL or owner on the destination", fixWithDoctor},
	"DstPutTaggingNotPermitted":          {"the role may not replicate object tags (s3:ReplicateTags)", fixWithDoctor},
	"DstDelObjNotPermitted":              {"the role may not replicate delete markers (s3:ReplicateDelete)", fixWithDoctor},
	"DstMultipartInitNotPermitted":       {"the role may not start a multipart upload of a large replica", fixWithDoctor},
	"DstMultipartPartUploadNotPermitted": {"the role may not upload parts of a large replica", fixWithDoctor},
	"DstMultipartCompleteNotPermitted":   {"the role may not complete the multipart upload of a large replica", fixWithDoctor},
	"DstPutLegalHoldNotPermitted":        {"the role may not put the Object Lock legal hold on the replica", fixWithDoctor},
	"DstPutRetentionNotPermitted":        {"the role may not put the Object Lock retention on the replica", fixWithDoctor},
	"DstVersionNotFound":                 {"the destination has no version of the object to apply a change to", "replicate the object again (backfill)"},
	"SrcGetObjectNotPermitted":           {"the role may not read the source object, or decrypt it with its KMS key", fixWithDoctor},
	"SrcHeadObjectNotPermitted":          {"the role may not read the source object's metadata", fixWithDoctor},
	"SrcGetAclNotPermitted":              {"the role may not read the source object's ACL (s3:GetObjectVersionAcl)", fixWithDoctor},
	"SrcGetTaggingNotPermitted":          {"the role may not read the source object's tags (s3:GetObjectVersionTagging)", fixWithDoctor},
	"SrcGetLegalHoldNotPermitted":        {"the role may not read the source object's legal hold", fixWithDoctor},
	"SrcGetRetentionNotPermitted":        {"the role may not read the source object's retention", fixWithDoctor},
	"SrcObjectNotEligible":               {"the object is not eligible for replication (a replica, or encrypted with a key type S3 does not replicate)", "nothing to fix in the setup; check how the object was written"},
	"SrcKeyNotFound":                     {"the source object's key is gone", "nothing to replicate any more"},
	"SrcObjectNotFound":                  {"the source object is gone", "nothing to replicate any more"},
	"SrcVersionNotFound":                 {"the source object version was deleted before S3 replicated it", "nothing to replicate any more"},
	"SrcReplicationNotPending":           {"the object was already replicated", "nothing to do"},
}

// ExplainFailure says what an S3 failure reason means and what to do.
func ExplainFailure(reason string) FailureReason {
	if r, ok := failureReasons[reason]; ok {
		return r
	}
	return FailureReason{Meaning: "a reason s3repl does not know: see \"Replication failure reasons\" in the S3 User Guide", Fix: fixWithDoctor}
}
