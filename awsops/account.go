// Package awsops is everything that talks to AWS: profiles, per-(profile, Region)
// clients, typed reads and writes, and error classification. steps/ depends only on
// the Account interface below, so the SDK-backed implementation and the simulated
// cloud are interchangeable.
package awsops

import "context"

// Identity is who a profile's credentials resolve to.
type Identity struct {
	AccountID string
	ARN       string
}

// Encryption is a bucket's default encryption. Algorithm is "" when the bucket has
// no default encryption rule, otherwise "AES256", "aws:kms" or "aws:kms:dsse".
type Encryption struct {
	Algorithm string
	KMSKeyID  string // as stored: key id, key ARN or alias
	BucketKey bool
}

// KeyInfo describes a KMS key as DescribeKey returns it.
type KeyInfo struct {
	KeyID           string
	ARN             string
	Region          string
	AccountID       string
	State           string // Enabled, Disabled, PendingDeletion, ...
	Spec            string // SYMMETRIC_DEFAULT, RSA_2048, ...
	Usage           string // ENCRYPT_DECRYPT, SIGN_VERIFY, ...
	Manager         string // CUSTOMER or AWS
	MultiRegion     bool
	MultiRegionRole string // PRIMARY or REPLICA when MultiRegion
	Aliases         []string
	Description     string
}

// Role is an IAM role with its trust policy (already URL-decoded).
type Role struct {
	Name        string
	ARN         string
	Path        string
	TrustPolicy string
	// PermissionsBoundary is the ARN of the managed policy that bounds what the role's
	// own policies may allow; empty when it has none.
	PermissionsBoundary string
}

// BucketSummary is one entry of ListBuckets.
type BucketSummary struct {
	Name   string
	Region string
}

// BucketPage is one answer of ListBuckets asked for a page [API_ListBuckets]: up to
// the page size of the account's buckets in name order, each with its Region, and
// the token that asks for the next page ("" on the last).
type BucketPage struct {
	Buckets           []BucketSummary
	ContinuationToken string
}

// MaxBucketsPerPage is the most buckets S3 returns in one ListBuckets page (its
// MaxBuckets parameter takes 1 to 10,000) [API_ListBuckets].
const MaxBucketsPerPage = 10000

// Account is one side of the setup: one profile (credential chain), any Region.
// Every call that takes a region talks to that Region's endpoint.
//
// Reads of optional things return a zero value, not an error, when the thing is
// absent: no bucket policy is "", no replication configuration is "", no
// encryption is Encryption{}. A missing bucket, key, role or role policy is an
// error for which IsNotFound is true.
//
// Documents (policies, replication configuration) are JSON strings. A replication
// configuration uses the S3 API's JSON shape, the one `aws s3api
// get-bucket-replication` prints under "ReplicationConfiguration".
type Account interface {
	Profile() string
	Identity(ctx context.Context) (Identity, error)
	// APICalls counts the AWS API calls this account has made so far.
	APICalls() int64

	// ListBuckets lists all the account's buckets, in name order, with their Regions.
	ListBuckets(ctx context.Context) ([]BucketSummary, error)
	// ListBucketsPage asks for up to maxBuckets buckets after the page token names
	// ("" for the first page).
	ListBucketsPage(ctx context.Context, maxBuckets int, token string) (BucketPage, error)
	BucketRegion(ctx context.Context, bucket string) (string, error)
	GetBucketVersioning(ctx context.Context, region, bucket string) (string, error)
	GetBucketEncryption(ctx context.Context, region, bucket string) (Encryption, error)
	GetBucketPolicy(ctx context.Context, region, bucket string) (string, error)
	GetBucketReplication(ctx context.Context, region, bucket string) (string, error)
	GetBucketOwnership(ctx context.Context, region, bucket string) (string, error)
	GetObjectLockEnabled(ctx context.Context, region, bucket string) (bool, error)
	CreateBucket(ctx context.Context, region, bucket string) error
	PutBucketVersioning(ctx context.Context, region, bucket string) error // enables it
	PutBucketEncryption(ctx context.Context, region, bucket string, enc Encryption) error
	PutBucketPolicy(ctx context.Context, region, bucket, policy string) error
	PutBucketReplication(ctx context.Context, region, bucket, config string) error

	ListKeys(ctx context.Context, region string) ([]KeyInfo, error)
	DescribeKey(ctx context.Context, region, keyID string) (KeyInfo, error)
	GetKeyPolicy(ctx context.Context, region, keyID string) (string, error)
	PutKeyPolicy(ctx context.Context, region, keyID, policy string) error
	CreateKey(ctx context.Context, region, description, policy string) (KeyInfo, error)
	CreateAlias(ctx context.Context, region, alias, keyID string) error
	// CreateKeyWithTags is CreateKey with tags written at creation. It is never
	// retried by itself: a lost answer is KindOutcomeUnknown (see KeysTagged).
	CreateKeyWithTags(ctx context.Context, region, description, policy string, tags map[string]string) (KeyInfo, error)
	KeyTags(ctx context.Context, region, keyID string) (map[string]string, error)
	// KeysTagged lists the Region's keys without an alias that carry the tag; it reads
	// the tags of each such key.
	KeysTagged(ctx context.Context, region, key, value string) ([]KeyInfo, error)

	GetRole(ctx context.Context, name string) (Role, error)
	ListRolePolicies(ctx context.Context, role string) ([]string, error)
	GetRolePolicy(ctx context.Context, role, policyName string) (string, error)
	CreateRole(ctx context.Context, name, trustPolicy, description string) (Role, error)
	UpdateAssumeRolePolicy(ctx context.Context, role, trustPolicy string) error
	PutRolePolicy(ctx context.Context, role, policyName, policy string) error

	Objects
	ObjectSampler
	ManagedPolicies
}
