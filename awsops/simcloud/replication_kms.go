package simcloud

// What S3 asks KMS for, with the replication role, when it replicates one object
// version: written once here from the AWS documentation, used by the simulated S3,
// and the yardstick the doctor's probes are tested against.
//
// Sources (S3 User Guide pages):
//   - [replication-config-for-kms-objects]: the role needs kms:Decrypt on the source
//     key and kms:Encrypt on the replica key; kms:GenerateDataKey only "for
//     replicating unencrypted objects to a bucket with default SSE-KMS"; with S3
//     Bucket Keys, "the AWS KMS key policy for the KMS key used to encrypt the object
//     replica must include the kms:Decrypt permission", and the encryption context
//     is then the bucket ARN, not the object ARN.
//   - [bucket-key], "Using S3 Bucket Keys with replication": a replica keeps the S3
//     Bucket Key setting of its source object (Example 1: a source object with a
//     Bucket Key into a bucket whose default has none gives a replica with a Bucket
//     Key); an unencrypted source object gets the destination's default, Bucket Key
//     included (Example 2).
//   - [UsingKMSEncryption]: SSE-KMS passes aws:s3:arn as the encryption context, and
//     S3 calls KMS through s3.REGION.amazonaws.com (kms:ViaService).

// KMSRequest is one request S3 makes to KMS with the replication role's session.
type KMSRequest struct {
	Action string // kms:Decrypt, kms:Encrypt or kms:GenerateDataKey
	// BucketContext says the encryption context is the bucket's ARN (an S3 Bucket
	// Key) rather than the object's.
	BucketContext bool
}

// ReplicaEncryption is how S3 encrypts a replica, decided from its source object and
// the destination bucket's default encryption.
type ReplicaEncryption struct {
	// KMS says the replica is SSE-KMS: the source was, or it was unencrypted and the
	// destination defaults to SSE-KMS.
	KMS bool
	// BucketKey says the replica uses an S3 Bucket Key.
	BucketKey bool
	// FromDefault says the destination's default encryption chose it (an unencrypted
	// source), not the rule's replica key.
	FromDefault bool
	// DestBucketKey says the destination bucket's default has an S3 Bucket Key.
	DestBucketKey bool
}

// ReplicaEncryptionFor applies [bucket-key] and [replication-config-for-kms-objects]:
// an SSE-KMS source gives an SSE-KMS replica under the rule's replica key that keeps
// the source's Bucket Key setting; an SSE-S3 source stays SSE-S3; an unencrypted one
// takes the destination's default.
func ReplicaEncryptionFor(sourceAlgorithm string, sourceBucketKey bool, destAlgorithm string, destBucketKey bool) ReplicaEncryption {
	switch {
	case isKMSAlgorithm(sourceAlgorithm):
		return ReplicaEncryption{KMS: true, BucketKey: sourceBucketKey, DestBucketKey: destBucketKey}
	case sourceAlgorithm == "" && isKMSAlgorithm(destAlgorithm):
		return ReplicaEncryption{KMS: true, BucketKey: destBucketKey, FromDefault: true, DestBucketKey: destBucketKey}
	}
	return ReplicaEncryption{}
}

// ReplicaKeyRequests are the requests S3 makes on the key that encrypts a replica.
// "When an S3 Bucket Key is enabled for the source or destination bucket, the
// encryption context will be the bucket's ARN" and the key policy "must include the
// kms:Decrypt permission" [replication-config-for-kms-objects]; [bucket-key] has the
// replica keep its source object's setting instead. The simulation takes the
// conservative reading: with a Bucket Key on either side, the encrypting request
// must be allowed in both contexts, and kms:Decrypt in the bucket's.
func ReplicaKeyRequests(e ReplicaEncryption) []KMSRequest {
	if !e.KMS {
		return nil
	}
	encrypt := "kms:Encrypt"
	if e.FromDefault {
		encrypt = "kms:GenerateDataKey"
	}
	if !e.BucketKey && !e.DestBucketKey {
		return []KMSRequest{{Action: encrypt}}
	}
	return []KMSRequest{{Action: encrypt}, {Action: encrypt, BucketContext: true}, {Action: "kms:Decrypt", BucketContext: true}}
}
