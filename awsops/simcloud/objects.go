package simcloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// objectVersion is one version of an object.
type objectVersion struct {
	key, versionID string
	body           []byte
	sseAlgorithm   string // AES256, aws:kms or aws:kms:dsse
	kmsKeyARN      string
	bucketKey      bool
	replica        bool
	// deleteMarker says the version is a delete marker: a DELETE without a version id
	// in a versioned bucket [DeleteMarker].
	deleteMarker bool
	// destinations holds the replication status towards each destination bucket of
	// the rules the version matched.
	destinations map[string]string
	owner        string
	tags         map[string]string
	lastModified time.Time
}

// replicationStatus is what S3 reports: REPLICA for replicas; FAILED when any
// destination failed, PENDING while any is pending, else COMPLETED; "" when the
// version matched no rule.
func (v *objectVersion) replicationStatus() string {
	if v.replica {
		return "REPLICA"
	}
	statuses := slices.Collect(maps.Values(v.destinations))
	switch {
	case len(statuses) == 0:
		return ""
	case slices.Contains(statuses, "FAILED"):
		return "FAILED"
	case slices.Contains(statuses, "PENDING"):
		return "PENDING"
	}
	return "COMPLETED"
}

func (v *objectVersion) head() awsops.ObjectHead {
	return awsops.ObjectHead{
		VersionID: v.versionID, ReplicationStatus: v.replicationStatus(),
		SSEAlgorithm: v.sseAlgorithm, SSEKMSKeyID: v.kmsKeyARN, BucketKey: v.bucketKey,
		LastModified: v.lastModified, ContentLength: int64(len(v.body)),
	}
}

// PutObject uploads body. It is encrypted with opts.KMSKeyID (SSE-KMS) or the bucket's
// default encryption, with an S3 Bucket Key when the bucket's default says so. When
// the bucket's replication configuration has a rule for it, its replication status is
// PENDING. It returns the version id, "" in a bucket that was never versioned.
func (a *Account) PutObject(ctx context.Context, region, bucketName, key string, body []byte, opts awsops.PutOptions) (string, error) {
	var version string
	err := a.do(ctx, "s3:PutObject", bucketName+"/"+key, func() error {
		b, err := a.bucket(region, bucketName, "s3:PutObject", objectARN(bucketName, key))
		if err != nil {
			return err
		}
		switch {
		case key == "" || len(key) > 1024:
			return invalid("KeyTooLongError", "Your key is too long")
		case len(opts.Tags) > 10:
			return invalid("BadRequest", "Object tags cannot be greater than 10")
		}
		v := &objectVersion{
			key: key, body: slices.Clone(body), owner: a.accountID(),
			tags: maps.Clone(opts.Tags), lastModified: a.cloud.now(),
		}
		if b.ownership == "BucketOwnerEnforced" {
			v.owner = b.owner
		}
		if err := a.encrypt(b, v, opts.KMSKeyID); err != nil {
			return err
		}
		a.cloud.store(b, v)
		a.cloud.scheduleReplication(b, v)
		if b.versioning != "" {
			version = v.versionID
		}
		return nil
	})
	return version, err
}

// encrypt chooses the version's encryption and checks the caller may use the KMS key
// through S3, as S3 asks KMS for a data key in the caller's name.
func (a *Account) encrypt(b *bucket, v *objectVersion, keyID string) error {
	algorithm, ref := b.encryption.Algorithm, b.encryption.KMSKeyID
	if keyID != "" {
		algorithm, ref = "aws:kms", keyID
	}
	if algorithm == "" {
		algorithm = "AES256"
	}
	v.sseAlgorithm = algorithm
	if !isKMSAlgorithm(algorithm) {
		return nil
	}
	if ref == "" {
		ref = s3ManagedAlias
	}
	k, err := a.cloud.lookupKey(a.accountID(), b.region, ref)
	if err != nil {
		return notFound("KMS.NotFoundException", "Invalid keyId %s", ref)
	}
	if err := usableForS3(k); err != nil {
		return err
	}
	v.bucketKey = b.encryption.BucketKey
	context := throughS3(b.region, encryptionContext(b.name, v.key, v.bucketKey))
	if err := a.authorizeKey(k, "kms:GenerateDataKey", context); err != nil {
		return accessDenied("AccessDenied", "User: %s is not authorized to perform: kms:GenerateDataKey on resource: %s", a.profile.PrincipalARN, k.arn)
	}
	v.kmsKeyARN = k.arn
	return nil
}

// usableForS3 is the error S3 passes on from KMS for a key it cannot encrypt with.
func usableForS3(k *kmsKey) error {
	switch {
	case k.state == "Disabled":
		return newFault("KMS.DisabledException", awsops.KindOther, "%s is disabled.", k.arn)
	case k.state != "Enabled":
		return newFault("KMS.KMSInvalidStateException", awsops.KindOther, "%s is pending deletion or otherwise unusable (%s).", k.arn, k.state)
	case !k.symmetric():
		return newFault("KMS.InvalidKeyUsageException", awsops.KindOther, "%s is not a symmetric encryption key.", k.arn)
	}
	return nil
}

// throughS3 is the context of a KMS request S3 makes for a principal: through S3 in
// region, for the object (or bucket) contextARN.
func throughS3(region, contextARN string) map[string][]string {
	return map[string][]string{
		"kms:ViaService":                   {"s3." + region + ".amazonaws.com"},
		"kms:EncryptionContext:aws:s3:arn": {contextARN},
		"aws:ViaAWSService":                {"true"},
	}
}

// encryptionContext is the aws:s3:arn S3 gives KMS: the object ARN, or with an S3
// Bucket Key the bucket ARN.
func encryptionContext(bucket, key string, bucketKey bool) string {
	if bucketKey {
		return bucketARN(bucket)
	}
	return objectARN(bucket, key)
}

// store adds a version to a bucket. Without versioning it replaces the "null" version.
func (c *Cloud) store(b *bucket, v *objectVersion) {
	versions := b.objects[v.key]
	if b.versioning == "Enabled" {
		if v.versionID == "" {
			v.versionID = c.newVersionID()
		}
	} else {
		v.versionID = "null"
	}
	versions = slices.DeleteFunc(versions, func(old *objectVersion) bool { return old.versionID == v.versionID })
	b.objects[v.key] = append(versions, v)
}

func (b *bucket) version(key, versionID string) *objectVersion {
	versions := b.objects[key]
	if versionID == "" && len(versions) > 0 {
		return versions[len(versions)-1]
	}
	for _, v := range versions {
		if v.versionID == versionID {
			return v
		}
	}
	return nil
}

// HeadObject reads one version ("" = the current one). A missing object is the
// NotFound HeadObject answers with.
func (a *Account) HeadObject(ctx context.Context, region, bucketName, key, versionID string) (awsops.ObjectHead, error) {
	var head awsops.ObjectHead
	err := a.do(ctx, "s3:GetObject", bucketName+"/"+key, func() error {
		action := "s3:GetObject"
		if versionID != "" {
			action = "s3:GetObjectVersion"
		}
		b, err := a.bucket(region, bucketName, action, objectARN(bucketName, key))
		if err != nil {
			return err
		}
		v := b.version(key, versionID)
		switch {
		case v == nil || v.deleteMarker && versionID == "":
			return notFound("NotFound", "Not Found")
		case v.deleteMarker:
			return invalid("MethodNotAllowed", "The specified method is not allowed against this resource.")
		}
		head = v.head()
		if b.versioning == "" {
			head.VersionID = ""
		}
		return nil
	})
	return head, err
}

// ListObjectVersions lists versions under prefix, keys in order and each key's
// versions newest first, at most max (1000 when max is not positive).
func (a *Account) ListObjectVersions(ctx context.Context, region, bucketName, prefix string, max int) ([]awsops.ObjectVersion, error) {
	if max <= 0 {
		max = 1000
	}
	var out []awsops.ObjectVersion
	err := a.bucketCall(ctx, region, bucketName, "s3:ListBucketVersions", func(b *bucket) error {
		for _, key := range slices.Sorted(maps.Keys(b.objects)) {
			if !strings.HasPrefix(key, prefix) {
				continue
			}
			versions := b.objects[key]
			for i := len(versions) - 1; i >= 0 && len(out) < max; i-- {
				v := versions[i]
				if v.deleteMarker {
					continue // S3 lists them as DeleteMarkers, apart from the versions
				}
				out = append(out, awsops.ObjectVersion{Key: key, VersionID: v.versionID, IsLatest: i == len(versions)-1, LastModified: v.lastModified})
			}
		}
		return nil
	})
	return out, err
}

// DeleteObjectVersion removes one version for good; a version that is not there is
// no error, as in S3.
func (a *Account) DeleteObjectVersion(ctx context.Context, region, bucketName, key, versionID string) error {
	return a.do(ctx, "s3:DeleteObjectVersion", bucketName+"/"+key, func() error {
		if versionID == "" {
			return invalid("InvalidArgument", "Version id cannot be the empty string")
		}
		b, err := a.bucket(region, bucketName, "s3:DeleteObjectVersion", objectARN(bucketName, key))
		if err != nil {
			return err
		}
		versions := slices.DeleteFunc(b.objects[key], func(v *objectVersion) bool { return v.versionID == versionID })
		if len(versions) == 0 {
			delete(b.objects, key)
		} else {
			b.objects[key] = versions
		}
		return nil
	})
}

// ObjectOwner answers like GetObjectAcl: the owning account's canonical id, and
// AccessDenied to a bucket owner who does not own the object (ACLs still on).
func (a *Account) ObjectOwner(ctx context.Context, region, bucketName, key, versionID string) (string, error) {
	var owner string
	err := a.do(ctx, "s3:GetObjectVersionAcl", bucketName+"/"+key, func() error {
		b, err := a.bucket(region, bucketName, "s3:GetObjectVersionAcl", objectARN(bucketName, key))
		if err != nil {
			return err
		}
		v := b.version(key, versionID)
		switch {
		case v == nil:
			return notFound("NoSuchVersion", "The specified version does not exist")
		case v.owner != a.accountID() && b.ownership != "BucketOwnerEnforced":
			return accessDenied("AccessDenied", "Access Denied")
		}
		owner = CanonicalID(v.owner)
		return nil
	})
	return owner, err
}

// CanonicalID is the profile's account's canonical user id.
func (a *Account) CanonicalID(ctx context.Context) (string, error) {
	err := a.do(ctx, "s3:ListAllMyBuckets", "buckets", func() error { return nil })
	return CanonicalID(a.accountID()), err
}

// CanonicalID is the simulated canonical user id of an account: 64 hex digits, as
// S3's are, derived from the account id.
func CanonicalID(account string) string {
	sum := sha256.Sum256([]byte("canonical-user:" + account))
	return hex.EncodeToString(sum[:])
}
