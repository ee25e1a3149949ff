package simcloud

// Where each rule the simulated cloud enforces comes from. Pages are named as the
// AWS documentation names them: S3 User Guide pages by their file name
// (docs.aws.amazon.com/AmazonS3/latest/userguide/<page>.html), API reference pages
// as API_<Operation>, and the KMS and IAM guides' pages likewise. The functions cite
// the same pages beside the code.
//
//	rule                                                      source
//	------------------------------------------------------    -------------------------------------------------------------
//	S3 assumes the role as s3.amazonaws.com, no source keys   setting-repl-config-perm-overview (Step 2);
//	                                                          IAM reference_policies_condition-keys (aws:SourceArn/Account)
//	role reads: GetReplicationConfiguration, GetObjectVersion setting-repl-config-perm-overview (Step 2)
//	  ForReplication, GetObjectVersionAcl, ...Tagging
//	with Object Lock also GetObjectRetention, ...LegalHold    setting-repl-config-perm-overview; replication-failure-codes
//	ReplicateObject / ReplicateTags / ReplicateDelete         setting-repl-config-perm-overview (Steps 2, 3)
//	tags: without GetObjectVersionTagging no tags; Replicate  setting-repl-config-perm-overview;
//	  Object covers ReplicateTags; an explicit Deny fails     replication-troubleshoot
//	owner override needs s3:ObjectOwnerOverrideToBucketOwner  replication-change-owner
//	delete markers replicate under rules that say so (V1      delete-marker-replication; replication-add-config;
//	  rules always), with s3:ReplicateDelete                  setting-repl-config-perm-overview; replication-failure-codes
//	SSE-KMS objects replicate only when opted in; replica key replication-config-for-kms-objects
//	kms:Decrypt source key, kms:Encrypt replica key,          replication-config-for-kms-objects
//	  GenerateDataKey only for unencrypted sources
//	Bucket Key: context is the bucket ARN, kms:Decrypt on     bucket-key; replication-config-for-kms-objects
//	  the replica key; a replica keeps its source's setting;
//	  with one on either bucket: both contexts and Decrypt    replication-config-for-kms-objects (conservative reading)
//	a replica keeps its source's encryption type              replication-config-for-kms-objects; bucket-key (Examples 1, 2)
//	failure reasons and what causes them                      replication-failure-codes (FailureReasons)
//	status PENDING, COMPLETED, FAILED, REPLICA, none          replication-status
//	replicas and pre-existing objects are not replicated      replication-what-is-isnot-replicated
//	a new configuration takes a while to take effect          API_GetBucketReplication (WithConfigDelay)
//	PutBucketReplication: versioning, V1/V2 schema, Priority, API_PutBucketReplication; replication-add-config;
//	  DeleteMarkerReplication, no delete markers with tags,   delete-marker-replication
//	  1,000 rules, enabled RTC needs metrics, threshold needs replication-time-control; API_Metrics
//	  RTC; role and bucket ARNs of the aws, aws-cn,           IAM reference-arns
//	  aws-us-gov and aws-eusc partitions; replica classes     API_Destination; S3 Control ReplicationStorageClass
//	PutBucketReplication does not check the role or key       DOMAIN.md (AWS accepts them; objects then FAIL)
//	cross-account: identity and resource policy must allow    IAM reference_policies_evaluation-logic-cross-account
//	KMS: the key policy decides; delegation to the account    KMS key-policies, key-policy-default
//	KMS lockout safety check on PutKeyPolicy                  KMS API_PutKeyPolicy (BypassPolicyLockoutSafetyCheck)
//	key states and S3's errors for unusable keys              KMS key-state; UsingKMSEncryption
//	aws/s3 key policy (callers of the account through S3)     UsingKMSEncryption (AWS managed key)
//	bucket policy validation (principals, actions/resources)  example-bucket-policies; API_PutBucketPolicy
//	IAM policy document checks, trust policy without Resource IAM reference_policies_elements
