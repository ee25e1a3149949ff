package simcloud

import (
	"context"
	"encoding/base64"
	"net"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
)

// bucket is an S3 bucket and its objects.
type bucket struct {
	name, owner, region string
	versioning          string // "", Enabled or Suspended
	encryption          awsops.Encryption
	policy              string
	ownership           string // BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter or ""
	objectLock          bool
	replication         *replicationConfig
	replicationSince    time.Time                   // when the configuration takes effect
	objects             map[string][]*objectVersion // by key, oldest version first
}

func (b *bucket) arn() string { return bucketARN(b.name) }

// s3Context is what every request to S3 carries: s3repl talks HTTPS only.
func s3Context() map[string][]string {
	return map[string][]string{"aws:SecureTransport": {"true"}}
}

func (c *Cloud) bucketNamed(name string) (*bucket, error) {
	if b := c.buckets[name]; b != nil {
		return b, nil
	}
	return nil, notFound("NoSuchBucket", "The specified bucket does not exist")
}

// bucket finds a bucket for a call made against region's endpoint and checks the
// caller may make it: its own account lets it (it is an administrator) unless the
// bucket policy denies; another account needs the bucket policy to allow it.
func (a *Account) bucket(region, name, action, resource string) (*bucket, error) {
	b, err := a.cloud.bucketNamed(name)
	if err != nil {
		return nil, err
	}
	if region != "" && region != b.region {
		return nil, newFault("PermanentRedirect", awsops.KindWrongRegion,
			"The bucket you are attempting to access must be addressed using the specified endpoint: it is in %s", b.region)
	}
	if resource == "" {
		resource = b.arn()
	}
	if d := a.authorize(action, resource, b.owner, b.policy, evaluator.S3Bucket, s3Context()); !d.Allowed {
		return nil, accessDenied("AccessDenied", "Access Denied")
	}
	return b, nil
}

// ownBucket is bucket for the calls S3 answers only for the bucket owner's account,
// such as those on the bucket policy.
func (a *Account) ownBucket(region, name, action string) (*bucket, error) {
	b, err := a.bucket(region, name, action, "")
	if err == nil && b.owner != a.accountID() {
		return nil, accessDenied("AccessDenied", "Access Denied")
	}
	return b, err
}

// bucketCall makes a call on a bucket that is named by the permission it needs and
// runs fn on the bucket once found and allowed.
func (a *Account) bucketCall(ctx context.Context, region, name, action string, fn func(*bucket) error) error {
	return a.do(ctx, action, name, func() error {
		b, err := a.bucket(region, name, action, "")
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// readBucket is bucketCall for a call that reads one setting of the bucket.
func readBucket[T any](ctx context.Context, a *Account, region, name, action string, read func(*bucket) T) (T, error) {
	var out T
	err := a.bucketCall(ctx, region, name, action, func(b *bucket) error {
		out = read(b)
		return nil
	})
	return out, err
}

// ListBuckets follows ListBucketsPage's pages, as the SDK-backed Account does.
func (a *Account) ListBuckets(ctx context.Context) ([]awsops.BucketSummary, error) {
	return awsops.ListAllBuckets(ctx, a, awsops.BucketPageSize)
}

// ListBucketsPage answers as S3 answers a ListBuckets request that carries MaxBuckets
// [API_ListBuckets]: the caller's own buckets in name order, each with its
// BucketRegion, at most MaxBuckets (valid range 1 to 10,000) of them, and an
// obfuscated ContinuationToken when more follow.
func (a *Account) ListBucketsPage(ctx context.Context, maxBuckets int, token string) (awsops.BucketPage, error) {
	var page awsops.BucketPage
	err := a.do(ctx, "s3:ListAllMyBuckets", "buckets", func() error {
		if maxBuckets < 1 || maxBuckets > awsops.MaxBucketsPerPage {
			return invalid("InvalidArgument", "max-buckets must be between 1 and %d", awsops.MaxBucketsPerPage)
		}
		after, err := bucketAfterToken(token)
		if err != nil {
			return err
		}
		names := a.ownBucketNames()
		start, _ := slices.BinarySearch(names, after)
		if start < len(names) && names[start] == after {
			start++
		}
		end := min(start+maxBuckets, len(names))
		for _, name := range names[start:end] {
			page.Buckets = append(page.Buckets, awsops.BucketSummary{Name: name, Region: a.cloud.buckets[name].region})
		}
		if end < len(names) {
			page.ContinuationToken = tokenAfterBucket(names[end-1])
		}
		return nil
	})
	return page, err
}

func (a *Account) ownBucketNames() []string {
	var names []string
	for _, b := range a.cloud.buckets {
		if b.owner == a.accountID() {
			names = append(names, b.name)
		}
	}
	sort.Strings(names)
	return names
}

// tokenAfterBucket obfuscates the last bucket name of a page, as S3's token is not a
// bucket name [API_ListBuckets].
func tokenAfterBucket(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + name))
}

func bucketAfterToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	name, ok := strings.CutPrefix(string(raw), "after:")
	if err != nil || !ok {
		return "", invalid("InvalidArgument", "The continuation token provided is incorrect")
	}
	return name, nil
}

// BucketRegion answers for any existing bucket, also another account's: like the
// SDK-backed Account, which reads HeadBucket's x-amz-bucket-region header, sent even
// with AccessDenied.
func (a *Account) BucketRegion(ctx context.Context, name string) (string, error) {
	var region string
	err := a.do(ctx, "s3:GetBucketLocation", name, func() error {
		b, err := a.cloud.bucketNamed(name)
		if err == nil {
			region = b.region
		}
		return err
	})
	return region, err
}

func (a *Account) GetBucketVersioning(ctx context.Context, region, name string) (string, error) {
	return readBucket(ctx, a, region, name, "s3:GetBucketVersioning", func(b *bucket) string { return b.versioning })
}

func (a *Account) GetBucketEncryption(ctx context.Context, region, name string) (awsops.Encryption, error) {
	return readBucket(ctx, a, region, name, "s3:GetEncryptionConfiguration", func(b *bucket) awsops.Encryption { return b.encryption })
}

func (a *Account) GetBucketPolicy(ctx context.Context, region, name string) (string, error) {
	var doc string
	err := a.do(ctx, "s3:GetBucketPolicy", name, func() error {
		b, err := a.ownBucket(region, name, "s3:GetBucketPolicy")
		if err == nil {
			doc = b.policy
		}
		return err
	})
	return doc, err
}

func (a *Account) GetBucketOwnership(ctx context.Context, region, name string) (string, error) {
	return readBucket(ctx, a, region, name, "s3:GetBucketOwnershipControls", func(b *bucket) string { return b.ownership })
}

func (a *Account) GetObjectLockEnabled(ctx context.Context, region, name string) (bool, error) {
	return readBucket(ctx, a, region, name, "s3:GetBucketObjectLockConfiguration", func(b *bucket) bool { return b.objectLock })
}

// CreateBucket creates a bucket as S3 does today: Object Ownership
// BucketOwnerEnforced, default encryption SSE-S3, versioning never enabled. Creating
// a bucket one already owns is BucketAlreadyOwnedByYou, except in us-east-1.
func (a *Account) CreateBucket(ctx context.Context, region, name string) error {
	return a.do(ctx, "s3:CreateBucket", name, func() error {
		if err := checkBucketName(name); err != nil {
			return err
		}
		if !slices.Contains(a.cloud.regions, region) {
			return invalid("InvalidLocationConstraint", "The specified location-constraint %q is not valid", region)
		}
		if existing := a.cloud.buckets[name]; existing != nil {
			if existing.owner == a.accountID() && region == "us-east-1" && existing.region == region {
				return nil // S3's legacy answer in us-east-1: 200 OK, and the bucket stays as it is
			}
			if existing.owner == a.accountID() {
				return conflict("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
			}
			return conflict("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		}
		a.cloud.buckets[name] = &bucket{
			name: name, owner: a.accountID(), region: region,
			encryption: awsops.Encryption{Algorithm: "AES256"},
			ownership:  "BucketOwnerEnforced",
			objects:    map[string][]*objectVersion{},
		}
		return nil
	})
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func checkBucketName(name string) error {
	if !bucketNamePattern.MatchString(name) || strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return invalid("InvalidBucketName", "The specified bucket is not valid.")
	}
	return nil
}

func (a *Account) PutBucketVersioning(ctx context.Context, region, name string) error {
	return a.bucketCall(ctx, region, name, "s3:PutBucketVersioning", func(b *bucket) error {
		b.versioning = "Enabled"
		return nil
	})
}

// PutBucketEncryption sets the default encryption; an empty Algorithm means SSE-KMS,
// as with the SDK-backed Account. S3 does not look the key up here.
func (a *Account) PutBucketEncryption(ctx context.Context, region, name string, enc awsops.Encryption) error {
	return a.bucketCall(ctx, region, name, "s3:PutEncryptionConfiguration", func(b *bucket) error {
		if enc.Algorithm == "" {
			enc.Algorithm = "aws:kms"
		}
		switch {
		case enc.Algorithm != "AES256" && !isKMSAlgorithm(enc.Algorithm):
			return invalid("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		case enc.Algorithm == "AES256" && enc.KMSKeyID != "":
			return invalid("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		case enc.Algorithm == "AES256":
			enc.BucketKey = false
		}
		b.encryption = enc
		return nil
	})
}

func isKMSAlgorithm(algorithm string) bool {
	return algorithm == "aws:kms" || algorithm == "aws:kms:dsse"
}

func (a *Account) PutBucketPolicy(ctx context.Context, region, name, policy string) error {
	return a.do(ctx, "s3:PutBucketPolicy", name, func() error {
		b, err := a.ownBucket(region, name, "s3:PutBucketPolicy")
		if err != nil {
			return err
		}
		if why := a.cloud.policyProblem(policy, bucketPolicyKind, name); why != "" {
			return invalid("MalformedPolicy", "%s", why)
		}
		if err := checkBucketPolicySize(policy); err != nil {
			return err
		}
		b.policy = policy
		return nil
	})
}

func (a *Account) GetBucketReplication(ctx context.Context, region, name string) (string, error) {
	var doc string
	err := a.bucketCall(ctx, region, name, "s3:GetReplicationConfiguration", func(b *bucket) error {
		var err error
		if b.replication != nil {
			doc, err = b.replication.document()
		}
		return err
	})
	return doc, err
}

// PutBucketReplication replaces the bucket's replication configuration after the
// checks S3 makes. Like S3 it does not look at the role or the replica key.
func (a *Account) PutBucketReplication(ctx context.Context, region, name, config string) error {
	return a.bucketCall(ctx, region, name, "s3:PutReplicationConfiguration", func(b *bucket) error {
		if b.versioning != "Enabled" {
			return invalid("InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
		}
		if err := checkReplicationRuleCount(config); err != nil {
			return err
		}
		parsed, err := parseReplicationConfig(config)
		if err != nil {
			return err
		}
		if err := a.cloud.checkReplicationConfig(b, parsed); err != nil {
			return err
		}
		b.replication, b.replicationSince = parsed, a.cloud.now().Add(a.cloud.configDelay)
		return nil
	})
}
