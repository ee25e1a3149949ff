package simcloud

// FailureReasons are the replication failure reasons of the S3 User Guide's table
// [replication-metrics-events, "Amazon S3 replication failure reasons"; the page was
// replication-failure-codes], with what the table says causes each. The simulated S3
// reports only these, and the doctor's probes name only these.
//
// The table names DstMultipartUploadNotPermitted, not
// DstMultipartPartUploadNotPermitted as DOMAIN.md and issue 9 had it. It names no
// reason for a source key the role may not decrypt with; the simulation reports
// SrcGetObjectNotPermitted then (S3 cannot read the object for replication).
var FailureReasons = map[string]string{
	"AssumeRoleNotPermitted":            "S3 can't assume the IAM role specified in the replication configuration or the Batch Operations job",
	"DstBucketInvalidRegion":            "the destination bucket is not in the Region the Batch Operations job names (Batch Replication only)",
	"DstBucketNotFound":                 "S3 is unable to find the destination bucket specified in the replication configuration",
	"DstBucketObjectLockConfigMissing":  "the source has Object Lock, so the destination must have it too",
	"DstBucketUnversioned":              "versioning is not enabled for the destination bucket",
	"DstDelObjNotPermitted":             "S3 is unable to replicate delete markers: s3:ReplicateDelete might be missing for the destination bucket",
	"DstKmsKeyInvalidState":             "the KMS key for the destination bucket isn't in a valid state",
	"DstKmsKeyNotFound":                 "the KMS key configured for the destination bucket in the replication configuration doesn't exist",
	"DstMultipartCompleteNotPermitted":  "S3 is unable to complete multipart uploads in the destination: s3:ReplicateObject might be missing",
	"DstMultipartInitNotPermitted":      "S3 is unable to initiate multipart uploads in the destination: s3:ReplicateObject might be missing",
	"DstMultipartUploadNotPermitted":    "S3 is unable to upload multipart upload objects to the destination: s3:ReplicateObject might be missing",
	"DstObjectHardDeleted":              "Batch Replication does not re-replicate objects deleted by version id from the destination (Batch Replication only)",
	"DstPutAclNotPermitted":             "S3 is unable to replicate object ACLs to the destination: s3:ReplicateObject might be missing",
	"DstPutLegalHoldNotPermitted":       "S3 is unable to put an Object Lock legal hold on the replica: s3:PutObjectLegalHold might be missing",
	"DstPutObjectNotPermitted":          "S3 is unable to replicate objects to the destination: s3:ReplicateObject or s3:ObjectOwnerOverrideToBucketOwner missing for the destination bucket, or the replica key's policy does not let the role use the key (kms:Decrypt, kms:GenerateDataKey*)",
	"DstPutRetentionNotPermitted":       "S3 is unable to put a retention period on the replica: s3:PutObjectRetention might be missing",
	"DstPutTaggingNotPermitted":         "S3 is unable to replicate object tags to the destination (the table names s3:ReplicateObject; the permission to replicate tags is s3:ReplicateTags)",
	"DstVersionNotFound":                "S3 is unable to find the object version in the destination whose metadata needs to be replicated",
	"InitiateReplicationNotPermitted":   "s3:InitiateReplication might be missing for the Batch Operations job (Batch Replication only)",
	"SrcBucketInvalidRegion":            "the source bucket is not in the Region the Batch Operations job names (Batch Replication only)",
	"SrcBucketNotFound":                 "S3 is unable to find the source bucket",
	"SrcBucketReplicationConfigMissing": "S3 couldn't find a replication configuration for the source bucket",
	"SrcGetAclNotPermitted":             "S3 is unable to access the source object: s3:GetObjectVersionAcl might be missing (and the bucket owner must own the objects)",
	"SrcGetLegalHoldNotPermitted":       "S3 is unable to access the Object Lock legal hold information",
	"SrcGetObjectNotPermitted":          "S3 is unable to access the source object: s3:GetObjectVersionForReplication might be missing",
	"SrcGetRetentionNotPermitted":       "S3 is unable to access the Object Lock retention period information",
	"SrcGetTaggingNotPermitted":         "S3 is unable to access the source object's tags: s3:GetObjectVersionTagging might be missing",
	"SrcHeadObjectNotPermitted":         "S3 is unable to retrieve the source object's metadata: s3:GetObjectVersionForReplication might be missing",
	"SrcKeyNotFound":                    "S3 is unable to find the source object key; it may have been deleted before replication completed",
	"SrcKmsKeyInvalidState":             "the KMS key for the source bucket isn't in a valid state",
	"SrcObjectNotEligible":              "the object isn't eligible for replication (its storage class, or its tags do not match the configuration)",
	"SrcObjectNotFound":                 "the source object does not exist",
	"SrcReplicationNotPending":          "S3 has already replicated the object; it is no longer pending replication",
	"SrcVersionNotFound":                "S3 is unable to find the source object version; it may have been deleted before replication completed",
}
