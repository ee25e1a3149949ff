package simcloud

import (
	"context"
	"fmt"

	"github.com/s3repl/s3repl/awsops"
)

// The demo's two accounts, each with its profile and home Region.
const (
	DemoSourceProfile = "prod"
	DemoSourceAccount = "111111111111"
	DemoSourceRegion  = "us-east-1"
	DemoDestProfile   = "backup"
	DemoDestAccount   = "222222222222"
	DemoDestRegion    = "eu-west-1"
)

// The demo's buckets and keys.
const (
	// DemoSourceBucket has SSE-KMS with a Bucket Key, a bucket policy, objects from
	// before any rule, and a replication rule for invoices/ to DemoArchiveBucket.
	DemoSourceBucket = "acme-prod-orders"
	DemoSourceKey    = "alias/prod-orders"
	// DemoArchiveBucket receives the existing rule's replicas, in us-west-2.
	DemoArchiveBucket = "acme-prod-orders-archive"
	DemoArchiveRegion = "us-west-2"
	DemoArchiveKey    = "alias/orders-archive"
	// DemoExistingRule and DemoExistingRole are the source bucket's rule and role.
	DemoExistingRule     = "invoices-to-archive"
	DemoExistingRole     = "s3crr_role_for_acme-prod-orders"
	DemoExistingRolePath = "/service-role/"
	// DemoLogsBucket is a plain bucket: not versioned, SSE-S3, no rule.
	DemoLogsBucket = "acme-prod-logs"

	// DemoDestBucket is versioned, SSE-KMS with DemoReplicaKey and a Bucket Key, and
	// has a bucket policy with statements of its own.
	DemoDestBucket = "acme-backup-orders"
	// DemoReplicaKey is a usable replica key whose policy does not know the role yet.
	DemoReplicaKey = "alias/backup-replica"
	// DemoDisabledKey and DemoSigningKey are keys the wizard must refuse.
	DemoDisabledKey = "alias/retired-replica"
	DemoSigningKey  = "alias/release-signing"
	// DemoOtherRegionBucket is an empty destination-side bucket in eu-central-1.
	DemoOtherRegionBucket = "acme-backup-frankfurt"
	DemoOtherRegion       = "eu-central-1"
	// DemoAuditorRole is named by the destination bucket policy.
	DemoAuditorRole = "Auditor"
)

// NewDemo returns a cloud with two accounts seeded for the demo: profile "prod"
// (111111111111, us-east-1) owns the source side, profile "backup" (222222222222,
// eu-west-1) the destination side. Options are passed on to New.
func NewDemo(opts ...Option) *Cloud {
	c := New(opts...)
	c.AddProfile(Profile{Name: DemoSourceProfile, AccountID: DemoSourceAccount, Region: DemoSourceRegion,
		PrincipalARN: "arn:aws:iam::" + DemoSourceAccount + ":user/demo-admin"})
	c.AddProfile(Profile{Name: DemoDestProfile, AccountID: DemoDestAccount, Region: DemoDestRegion,
		PrincipalARN: "arn:aws:iam::" + DemoDestAccount + ":user/demo-admin"})
	s := seeding{c: c, ctx: context.Background()}
	s.destinationSide()
	s.sourceSide()
	return c
}

// seeding sets the demo up through the same calls s3repl makes, so the demo passes
// AWS's checks too; any error is a bug in the seed.
type seeding struct {
	c   *Cloud
	ctx context.Context
}

func (s seeding) must(err error) {
	if err != nil {
		panic("simcloud: seeding the demo: " + err.Error())
	}
}

func (s seeding) key(spec KeySpec) awsops.KeyInfo {
	info, err := s.c.AddKey(spec)
	s.must(err)
	return info
}

// bucket creates a bucket, versioned or not, with default encryption.
func (s seeding) bucket(a *Account, region, name string, versioned bool, enc awsops.Encryption) {
	s.must(a.CreateBucket(s.ctx, region, name))
	if versioned {
		s.must(a.PutBucketVersioning(s.ctx, region, name))
	}
	s.must(a.PutBucketEncryption(s.ctx, region, name, enc))
}

func (s seeding) destinationSide() {
	a := s.c.seeder(DemoDestProfile)
	_, err := s.c.AddRole(DemoDestAccount, "/", DemoAuditorRole, accountTrust(DemoDestAccount))
	s.must(err)
	replica := s.key(KeySpec{AccountID: DemoDestAccount, Region: DemoDestRegion, Alias: DemoReplicaKey,
		Description: "Replicas of production data"})
	s.key(KeySpec{AccountID: DemoDestAccount, Region: DemoDestRegion, Alias: DemoDisabledKey,
		Description: "Old replica key, kept to read old backups", State: "Disabled"})
	s.key(KeySpec{AccountID: DemoDestAccount, Region: DemoDestRegion, Alias: DemoSigningKey,
		Description: "Signs release artifacts", Spec: "RSA_2048", Usage: "SIGN_VERIFY"})
	s.c.ManagedS3Key(DemoDestAccount, DemoDestRegion)

	s.bucket(a, DemoDestRegion, DemoDestBucket, true, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: replica.ARN, BucketKey: true})
	s.must(a.PutBucketPolicy(s.ctx, DemoDestRegion, DemoDestBucket, destBucketPolicy()))
	s.must(a.CreateBucket(s.ctx, DemoOtherRegion, DemoOtherRegionBucket))
}

func (s seeding) sourceSide() {
	a := s.c.seeder(DemoSourceProfile)
	source := s.key(KeySpec{AccountID: DemoSourceAccount, Region: DemoSourceRegion, Alias: DemoSourceKey,
		Description: "Production orders"})
	archive := s.key(KeySpec{AccountID: DemoSourceAccount, Region: DemoArchiveRegion, Alias: DemoArchiveKey,
		Description: "Archive of invoices"})
	s.c.ManagedS3Key(DemoSourceAccount, DemoSourceRegion)

	s.bucket(a, DemoSourceRegion, DemoSourceBucket, true, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: source.ARN, BucketKey: true})
	s.must(a.PutBucketPolicy(s.ctx, DemoSourceRegion, DemoSourceBucket, denyInsecureTransport(DemoSourceBucket)))
	s.bucket(a, DemoArchiveRegion, DemoArchiveBucket, true, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: archive.ARN, BucketKey: true})
	s.bucket(a, DemoSourceRegion, DemoLogsBucket, false, awsops.Encryption{Algorithm: "AES256"})
	for _, key := range []string{"orders/2026/10/31.csv", "orders/2026/11/01.csv", "invoices/2026-10.pdf"} {
		_, err := a.PutObject(s.ctx, DemoSourceRegion, DemoSourceBucket, key, []byte("demo data: "+key+"\n"), awsops.PutOptions{})
		s.must(err)
	}
	s.existingReplication(a, source.ARN, archive.ARN)
}

// existingReplication sets up what someone did in the console before s3repl: a role
// and a working rule that replicates invoices/ to the archive bucket.
func (s seeding) existingReplication(a *Account, sourceKey, archiveKey string) {
	role, err := s.c.AddRole(DemoSourceAccount, DemoExistingRolePath, DemoExistingRole,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	s.must(err)
	s.must(a.PutRolePolicy(s.ctx, DemoExistingRole, "s3crr_for_acme-prod-orders_to_archive",
		archiveRolePolicy(sourceKey, archiveKey)))
	config := fmt.Sprintf(`{"Role":%q,"Rules":[{"ID":%q,"Priority":1,"Filter":{"Prefix":"invoices/"},"Status":"Enabled",`+
		`"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},`+
		`"Destination":{"Bucket":"arn:aws:s3:::%s","EncryptionConfiguration":{"ReplicaKmsKeyID":%q}},`+
		`"DeleteMarkerReplication":{"Status":"Disabled"}}]}`, role.ARN, DemoExistingRule, DemoArchiveBucket, archiveKey)
	s.must(a.PutBucketReplication(s.ctx, DemoSourceRegion, DemoSourceBucket, config))
}

func accountTrust(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:root"},"Action":"sts:AssumeRole"}]}`
}

func denyInsecureTransportStatement(bucket string) string {
	return fmt.Sprintf(`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",`+
		`"Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`, bucket)
}

func denyInsecureTransport(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[` + denyInsecureTransportStatement(bucket) + `]}`
}

func destBucketPolicy() string {
	auditor := fmt.Sprintf(`{"Sid":"AuditorRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/%s"},`+
		`"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%[3]s","arn:aws:s3:::%[3]s/*"]}`,
		DemoDestAccount, DemoAuditorRole, DemoDestBucket)
	return `{"Version":"2012-10-17","Statement":[` + denyInsecureTransportStatement(DemoDestBucket) + `,` + auditor + `]}`
}

func archiveRolePolicy(sourceKey, archiveKey string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:ListBucket"],"Resource":"arn:aws:s3:::%[1]s"},`+
		`{"Effect":"Allow","Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::%[1]s/invoices/*"},`+
		`{"Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::%[2]s/invoices/*"},`+
		`{"Effect":"Allow","Action":"kms:Decrypt","Resource":%[3]q,"Condition":{"StringEquals":{"kms:ViaService":"s3.%[4]s.amazonaws.com"},`+
		`"StringLike":{"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/invoices/*"]}}},`+
		`{"Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"],"Resource":%[5]q,"Condition":{"StringEquals":{"kms:ViaService":"s3.%[6]s.amazonaws.com"},`+
		`"StringLike":{"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::%[2]s","arn:aws:s3:::%[2]s/invoices/*"]}}}]}`,
		DemoSourceBucket, DemoArchiveBucket, sourceKey, DemoSourceRegion, archiveKey, DemoArchiveRegion)
}
