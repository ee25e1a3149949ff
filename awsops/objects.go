package awsops

import (
	"cmp"
	"context"
	"strconv"
	"strings"
	"time"
)

// ObjectHead is what HeadObject tells about one object version.
type ObjectHead struct {
	VersionID         string
	ReplicationStatus string // "", PENDING, COMPLETED, FAILED or REPLICA
	SSEAlgorithm      string // AES256, aws:kms, aws:kms:dsse
	SSEKMSKeyID       string // key ARN for SSE-KMS
	BucketKey         bool
	LastModified      time.Time
	ContentLength     int64
}

// PutOptions are the optional parts of an upload.
type PutOptions struct {
	// KMSKeyID encrypts with SSE-KMS under this key; "" uses the bucket's default.
	KMSKeyID string
	Tags     map[string]string
}

// Objects is what verifying replication needs: a test upload, watching it, and
// removing it again.
type Objects interface {
	// PutObject uploads body and returns the version id.
	PutObject(ctx context.Context, region, bucket, key string, body []byte, opts PutOptions) (string, error)
	// HeadObject reads one version ("" = the current one).
	HeadObject(ctx context.Context, region, bucket, key, versionID string) (ObjectHead, error)
	// DeleteObjectVersion removes one version for good.
	DeleteObjectVersion(ctx context.Context, region, bucket, key, versionID string) error
	// ObjectOwner is the canonical user id of the account that owns one version, from
	// its ACL. S3 answers AccessDenied to a bucket owner who does not own the object.
	ObjectOwner(ctx context.Context, region, bucket, key, versionID string) (string, error)
	// CanonicalID is the canonical user id of the profile's account.
	CanonicalID(ctx context.Context) (string, error)
}

// ObjectVersion is one entry of a version listing.
type ObjectVersion struct {
	Key          string
	VersionID    string
	IsLatest     bool
	LastModified time.Time
}

// ObjectSampler lists a few object versions, for checks on what is already stored.
type ObjectSampler interface {
	ListObjectVersions(ctx context.Context, region, bucket, prefix string, max int) ([]ObjectVersion, error)
}

// ManagedPolicies reads the managed policies attached to a role, so permission checks
// see everything the role may do, and one managed policy by ARN (a role's
// permissions boundary); and writes the customer managed policy s3repl gives a role
// whose inline policies have no room left for its statements.
type ManagedPolicies interface {
	AttachedRolePolicies(ctx context.Context, role string) ([]AttachedPolicy, error)
	// ManagedPolicy reads a managed policy's default version; IsNotFound when the
	// policy does not exist.
	ManagedPolicy(ctx context.Context, arn string) (string, error)
	// PolicyVersions lists a managed policy's versions, oldest first.
	PolicyVersions(ctx context.Context, arn string) ([]PolicyVersion, error)
	// CreatePolicy creates a customer managed policy and returns its ARN.
	CreatePolicy(ctx context.Context, path, name, document, description string) (string, error)
	// CreatePolicyVersion adds a version to a managed policy and makes it the default.
	CreatePolicyVersion(ctx context.Context, arn, document string) error
	DeletePolicyVersion(ctx context.Context, arn, versionID string) error
	AttachRolePolicy(ctx context.Context, role, arn string) error
	// DeleteRolePolicy deletes one inline policy of a role.
	DeleteRolePolicy(ctx context.Context, role, policyName string) error
	// PoliciesPerRoleQuota is how many managed policies a role of the account may have
	// attached: IAM's AttachedPoliciesPerRoleQuota, 10 unless AWS raised it (up to 20).
	PoliciesPerRoleQuota(ctx context.Context) (int, error)
}

// AttachedPolicy is a managed policy attached to a role, with the document of its
// default version.
type AttachedPolicy struct {
	ARN      string
	Document string
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID      string // v1, v2, ...
	Default bool
	Created time.Time
}

// comparePolicyVersions orders versions oldest first: by creation time, then by the
// number IAM gives them in order (v2 before v10).
func comparePolicyVersions(a, b PolicyVersion) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return cmp.Compare(versionNumber(a.ID), versionNumber(b.ID))
}

func versionNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n
}
