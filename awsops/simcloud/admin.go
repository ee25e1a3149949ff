package simcloud

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops"
)

// The methods here set the cloud up for demos and tests, or change it behind s3repl's
// back, as someone in the console would. They bypass permissions but not AWS's rules.

// KeySpec describes a KMS key to add.
type KeySpec struct {
	AccountID   string
	Region      string
	Description string
	Policy      string // "" gives KMS's default policy
	Spec        string // SYMMETRIC_DEFAULT when ""
	Usage       string // ENCRYPT_DECRYPT when ""
	Manager     string // CUSTOMER when ""
	State       string // Enabled when ""
	MultiRegion bool
	Alias       string // "alias/NAME" to point at the key, "" for none
	Tags        map[string]string
}

func (s KeySpec) withDefaults() KeySpec {
	defaults := []struct {
		field *string
		value string
	}{
		{&s.Spec, "SYMMETRIC_DEFAULT"}, {&s.Usage, "ENCRYPT_DECRYPT"}, {&s.Manager, "CUSTOMER"},
		{&s.State, "Enabled"}, {&s.Policy, DefaultKeyPolicy(s.AccountID)},
	}
	for _, d := range defaults {
		if *d.field == "" {
			*d.field = d.value
		}
	}
	return s
}

func (c *Cloud) addKey(spec KeySpec) *kmsKey {
	spec = spec.withDefaults()
	id := c.newKeyID(spec.MultiRegion)
	k := &kmsKey{
		id: id, arn: keyARN(spec.AccountID, spec.Region, id), account: spec.AccountID, region: spec.Region,
		state: spec.State, spec: spec.Spec, usage: spec.Usage, manager: spec.Manager,
		multiRegion: spec.MultiRegion, description: spec.Description, policy: spec.Policy,
		tags: maps.Clone(spec.Tags),
	}
	c.keys = append(c.keys, k)
	if spec.Alias != "" {
		c.aliases[aliasRef{spec.AccountID, spec.Region, spec.Alias}] = k.arn
	}
	return k
}

// admin runs a change made behind s3repl's back as the cloud runs an API call: after
// the replication work that is due, under the lock, with an OpError named
// simcloud:op for what fails.
func (c *Cloud) admin(op, resource string, change func() error) error {
	return opError("simcloud:"+op, "", resource, c.locked(change))
}

// changeBucket is admin for a change to an existing bucket.
func (c *Cloud) changeBucket(op, name string, change func(*bucket) error) error {
	return c.admin(op, name, func() error {
		b, err := c.bucketNamed(name)
		if err != nil {
			return err
		}
		return change(b)
	})
}

// changeKey is admin for a change to an existing key.
func (c *Cloud) changeKey(op, keyARN string, change func(*kmsKey)) error {
	return c.admin(op, keyARN, func() error {
		k := c.keyByARN(keyARN)
		if k == nil {
			return notFound("NotFoundException", "Key '%s' does not exist", keyARN)
		}
		change(k)
		return nil
	})
}

// AddKey adds a key of any spec, state and manager, which CreateKey does not offer.
func (c *Cloud) AddKey(spec KeySpec) (awsops.KeyInfo, error) {
	var info awsops.KeyInfo
	err := c.admin("AddKey", spec.Alias, func() error {
		if spec.Alias != "" && c.aliases[aliasRef{spec.AccountID, spec.Region, spec.Alias}] != "" {
			return conflict("AlreadyExistsException", "An alias with the name %s already exists", spec.Alias)
		}
		k := c.addKey(spec)
		info = k.info(c.aliasesOf(k))
		return nil
	})
	return info, err
}

// ManagedS3Key returns the account's aws/s3 key in region, creating it as S3 would.
func (c *Cloud) ManagedS3Key(account, region string) awsops.KeyInfo {
	var info awsops.KeyInfo
	_ = c.locked(func() error {
		k := c.managedS3Key(account, region)
		info = k.info(c.aliasesOf(k))
		return nil
	})
	return info
}

// SetKeyState sets a key's state: Enabled, Disabled, PendingDeletion, ...
func (c *Cloud) SetKeyState(keyARN, state string) error {
	return c.changeKey("SetKeyState", keyARN, func(k *kmsKey) { k.state = state })
}

// SetKeyPolicy replaces a key policy without the checks PutKeyPolicy makes, as a
// broken setup may need.
func (c *Cloud) SetKeyPolicy(keyARN, policy string) error {
	return c.changeKey("SetKeyPolicy", keyARN, func(k *kmsKey) { k.policy = policy })
}

// AddRole creates a role with a path, such as "/service-role/".
func (c *Cloud) AddRole(account, path, name, trustPolicy string) (awsops.Role, error) {
	var out awsops.Role
	err := c.admin("AddRole", name, func() error {
		r, err := c.createRole(account, path, name, trustPolicy)
		if err == nil {
			out = r.info()
		}
		return err
	})
	return out, err
}

// AttachRolePolicy creates a customer managed policy with the document (named after
// the role, at path "/") and attaches it to the role.
func (c *Cloud) AttachRolePolicy(account, roleName, document string) error {
	return c.admin("AttachRolePolicy", roleName, func() error {
		r := c.roleNamed(account, roleName)
		if r == nil {
			return noSuchRole(roleName)
		}
		p, err := c.createPolicy(account, "/", fmt.Sprintf("%s-managed-%d", r.name, c.nextSeq()), document)
		if err != nil {
			return err
		}
		return c.attach(r, p)
	})
}

// SetRolePermissionsBoundary bounds a role's permissions with a managed policy given
// as its document, and returns the policy's ARN. S3 replicates only what both the
// role's policies and the boundary allow.
func (c *Cloud) SetRolePermissionsBoundary(account, roleName, document string) (string, error) {
	var policyARN string
	err := c.admin("SetRolePermissionsBoundary", roleName, func() error {
		r := c.roleNamed(account, roleName)
		if r == nil {
			return noSuchRole(roleName)
		}
		if err := c.checkIAMPolicy(document, identityPolicyKind); err != nil {
			return err
		}
		policyARN = "arn:aws:iam::" + account + ":policy/" + r.name + "-boundary"
		r.boundary, r.boundaryARN = document, policyARN
		return nil
	})
	return policyARN, err
}

// DeleteRole deletes a role with its policies.
func (c *Cloud) DeleteRole(account, roleName string) error {
	return c.admin("DeleteRole", roleName, func() error {
		if c.roleNamed(account, roleName) == nil {
			return noSuchRole(roleName)
		}
		delete(c.roles, roleRef{account, strings.ToLower(roleName)})
		return nil
	})
}

// SetBucketVersioning sets versioning to Enabled or Suspended. Like S3 it refuses to
// suspend it on a bucket with a replication configuration.
func (c *Cloud) SetBucketVersioning(bucketName, status string) error {
	return c.changeBucket("SetBucketVersioning", bucketName, func(b *bucket) error {
		switch {
		case status != "Enabled" && status != "Suspended":
			return malformedXML()
		case status == "Suspended" && b.replication != nil:
			return invalid("InvalidBucketState", "Versioning cannot be suspended on a bucket with a replication configuration")
		}
		b.versioning = status
		return nil
	})
}

// MakeUnversioned puts a bucket back to never having been versioned, which S3 never
// allows, to stage the states it cannot reach any more.
func (c *Cloud) MakeUnversioned(bucketName string) error {
	return c.changeBucket("MakeUnversioned", bucketName, func(b *bucket) error {
		b.versioning = ""
		return nil
	})
}

// EnableObjectLock turns Object Lock on, which also enables versioning.
func (c *Cloud) EnableObjectLock(bucketName string) error {
	return c.changeBucket("EnableObjectLock", bucketName, func(b *bucket) error {
		b.objectLock, b.versioning = true, "Enabled"
		return nil
	})
}

// SetBucketOwnership sets Object Ownership: BucketOwnerEnforced,
// BucketOwnerPreferred, ObjectWriter, or "" for no ownership controls.
func (c *Cloud) SetBucketOwnership(bucketName, ownership string) error {
	return c.changeBucket("SetBucketOwnership", bucketName, func(b *bucket) error {
		b.ownership = ownership
		return nil
	})
}

// SetBucketPolicy replaces a bucket policy without PutBucketPolicy's checks.
func (c *Cloud) SetBucketPolicy(bucketName, policy string) error {
	return c.changeBucket("SetBucketPolicy", bucketName, func(b *bucket) error {
		b.policy = policy
		return nil
	})
}

// DeleteBucketReplication removes a bucket's replication configuration.
func (c *Cloud) DeleteBucketReplication(bucketName string) error {
	return c.changeBucket("DeleteBucketReplication", bucketName, func(b *bucket) error {
		b.replication = nil
		return nil
	})
}

// DeleteBucket deletes a bucket with its objects.
func (c *Cloud) DeleteBucket(bucketName string) error {
	return c.changeBucket("DeleteBucket", bucketName, func(b *bucket) error {
		delete(c.buckets, b.name)
		return nil
	})
}

// readVersion runs read on an object version, after the replication work that is due,
// and gives what it returns, or the zero value when there is no such version.
func readVersion[T any](c *Cloud, bucketName, key, versionID string, read func(*objectVersion) T) T {
	var out T
	_ = c.locked(func() error {
		if b := c.buckets[bucketName]; b != nil {
			if v := b.version(key, versionID); v != nil {
				out = read(v)
			}
		}
		return nil
	})
	return out
}

// ObjectOwner tells which account owns an object version, "" when it does not exist.
func (c *Cloud) ObjectOwner(bucketName, key, versionID string) string {
	return readVersion(c, bucketName, key, versionID, func(v *objectVersion) string { return v.owner })
}

// ObjectTags returns an object version's tags.
func (c *Cloud) ObjectTags(bucketName, key, versionID string) map[string]string {
	return readVersion(c, bucketName, key, versionID, func(v *objectVersion) map[string]string { return maps.Clone(v.tags) })
}

// DeleteObject deletes an object without naming a version: in a versioned bucket S3
// adds a delete marker as the current version [DeleteMarker], which it replicates
// under the rules that replicate delete markers [delete-marker-replication]. It
// returns the marker's version id.
func (c *Cloud) DeleteObject(bucketName, key string) (string, error) {
	var version string
	err := c.changeBucket("DeleteObject", bucketName, func(b *bucket) error {
		if b.versioning != "Enabled" {
			return invalid("InvalidRequest", "the simulation adds delete markers only in versioned buckets")
		}
		v := &objectVersion{key: key, deleteMarker: true, owner: b.owner, lastModified: c.now()}
		c.store(b, v)
		c.scheduleReplication(b, v)
		version = v.versionID
		return nil
	})
	return version, err
}

// PutObjectWithBucketKey writes an object version under the bucket's default KMS key
// with an S3 Bucket Key, whatever the bucket's default says of Bucket Keys, as a
// PutObject with x-amz-server-side-encryption-bucket-key-enabled: true does
// [bucket-key, "Configuring an S3 Bucket Key at the object level"]; S3 schedules its
// replication like any new version.
func (c *Cloud) PutObjectWithBucketKey(bucketName, key string, body []byte) (string, error) {
	var version string
	err := c.changeBucket("PutObjectWithBucketKey", bucketName, func(b *bucket) error {
		if !isKMSAlgorithm(b.encryption.Algorithm) {
			return invalid("InvalidRequest", "bucket %s does not default to SSE-KMS", bucketName)
		}
		k, err := c.lookupKey(b.owner, b.region, b.encryption.KMSKeyID)
		if err != nil {
			return err
		}
		v := &objectVersion{key: key, body: slices.Clone(body), owner: b.owner, lastModified: c.now(),
			sseAlgorithm: b.encryption.Algorithm, kmsKeyARN: k.arn, bucketKey: true}
		c.store(b, v)
		c.scheduleReplication(b, v)
		version = v.versionID
		return nil
	})
	return version, err
}

// PutUnencryptedObject writes an object version without any encryption, as buckets
// held before S3 encrypted every new object by default (January 2023,
// [default-encryption-faq]); S3 schedules its replication like any new version.
func (c *Cloud) PutUnencryptedObject(bucketName, key string, body []byte) (string, error) {
	var version string
	err := c.changeBucket("PutUnencryptedObject", bucketName, func(b *bucket) error {
		v := &objectVersion{key: key, body: slices.Clone(body), owner: b.owner, lastModified: c.now()}
		c.store(b, v)
		c.scheduleReplication(b, v)
		version = v.versionID
		return nil
	})
	return version, err
}
