package contract

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

// errorWorld is what the error cases act on, staged alike on both backends. The cases
// run in the table's order on one world: a case that changes it (an accepted write)
// must not touch what a later case reads.
type errorWorld struct {
	unversioned string // a source bucket without versioning, policy or replication
	versioned   string // a versioned source bucket
	dst         string // a versioned destination bucket in the destination account
	unversDst   string // a destination bucket without versioning
	missing     string // a bucket name nobody owns
	key         awsops.KeyInfo
	role        string // an existing role of the source account
}

func newErrorWorld() errorWorld {
	return errorWorld{
		unversioned: mototest.UniqueName("plain"), versioned: mototest.UniqueName("src"),
		dst: mototest.UniqueName("dst"), unversDst: mototest.UniqueName("dst-plain"),
		missing: mototest.UniqueName("missing"), role: mototest.UniqueName("role"),
	}
}

func (w *errorWorld) stage(t *testing.T, b *backend) {
	t.Helper()
	src, dst := mototest.SourceRegion, mototest.DestRegion
	must(t, b.src.CreateBucket(ctx, src, w.unversioned))
	must(t, b.src.CreateBucket(ctx, src, w.versioned))
	must(t, b.src.PutBucketVersioning(ctx, src, w.versioned))
	must(t, b.dst.CreateBucket(ctx, dst, w.dst))
	must(t, b.dst.PutBucketVersioning(ctx, dst, w.dst))
	must(t, b.dst.CreateBucket(ctx, dst, w.unversDst))
	key, err := b.dst.CreateKey(ctx, dst, "replica", "")
	must(t, err)
	w.key = key
	_, err = b.src.CreateRole(ctx, w.role, trustS3, "")
	must(t, err)
}

func (w errorWorld) roleARN() string {
	return "arn:aws:iam::" + mototest.SourceAccount + ":role/" + w.role
}

// replication is a V2 configuration with one rule for the whole bucket to bucket dst.
func replication(role, dst string) string {
	return `{"Role":"` + role + `","Rules":[{"ID":"r","Priority":1,"Filter":{"Prefix":""},"Status":"Enabled",` +
		`"Destination":{"Bucket":"arn:aws:s3:::` + dst + `"},"DeleteMarkerReplication":{"Status":"Disabled"}}]}`
}

// kmsReplication is a V2 configuration with one rule that replicates the SSE-KMS
// objects under prefix to bucket dst, encrypting them with replicaKey ("" for none).
func kmsReplication(role, dst, prefix, replicaKey string) string {
	encryption := ""
	if replicaKey != "" {
		encryption = `"EncryptionConfiguration":{"ReplicaKmsKeyID":"` + replicaKey + `"},`
	}
	return `{"Role":"` + role + `","Rules":[{"ID":"r","Priority":1,"Filter":{"Prefix":"` + prefix + `"},"Status":"Enabled",` +
		`"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},` +
		`"Destination":{` + encryption + `"Bucket":"arn:aws:s3:::` + dst + `"},"DeleteMarkerReplication":{"Status":"Disabled"}}]}`
}

const unknownKeyARN = "arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-4000-8000-000000000000"

func bucketPolicy(statement string) string {
	return `{"Version":"2012-10-17","Statement":[` + statement + `]}`
}

// errorCase is one call with what AWS answers. AWS is the reference, and simcloud
// must answer like it. moto, when it answers otherwise, is recorded with the reason:
// the test asserts moto's answer too, so that a moto upgrade that fixes it (or a
// simcloud change) is noticed and the table updated.
type errorCase struct {
	name string
	call func(b *backend, w errorWorld) (string, error)
	// aws is the outcome (see outcome) AWS gives, and simcloud must give.
	aws string
	// moto is moto's outcome when it differs from AWS's, with why.
	moto, why string
}

func (c errorCase) wantMoto() string {
	if c.moto != "" {
		return c.moto
	}
	return c.aws
}

// outcome is what s3repl can tell from a call's result: "ok", "ok: VALUE", or the
// OpError's Kind and AWS error code, like "not found [NoSuchBucket]".
func outcome(value string, err error) string {
	var op *awsops.OpError
	switch {
	case err == nil && value == "":
		return "ok"
	case err == nil:
		return "ok: " + value
	case errors.As(err, &op):
		return fmt.Sprintf("%s [%s]", op.Kind, op.Code)
	}
	return "error without OpError: " + err.Error()
}

func noValue(err error) (string, error) { return "", err }

// Known differences: moto accepts what AWS refuses. S3, KMS and IAM validate
// documents and references that moto stores without a look.
const (
	motoAcceptsAnyBucketPolicy = "moto stores any bucket policy; S3 validates JSON, effect, resources and principals"
	motoAcceptsAnyKeyPolicy    = "moto stores any key policy; KMS validates it and keeps its lockout safety check"
	motoAcceptsAnyTrustPolicy  = "moto stores any trust policy; IAM validates it"
	motoSkipsReplicationChecks = "moto checks only the source bucket's versioning; S3 also checks the schema, the role ARN, the destination bucket and the KMS opt-in"
	motoIgnoresRegions         = "moto serves every bucket at every Region's endpoint; S3 redirects to the bucket's Region (301 PermanentRedirect)"
	motoIgnoresPermissions     = "moto does not authorise requests; S3 lets only the bucket owner's account (or a bucket policy grant) read a bucket policy"
)

var errorCases = []errorCase{
	// Replication configuration.
	{name: "PutBucketReplication on an unversioned bucket", aws: "invalid request [InvalidRequest]",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.unversioned, replication(w.roleARN(), w.dst)))
		}},
	{name: "PutBucketReplication naming a role that does not exist", aws: "ok",
		call: func(b *backend, w errorWorld) (string, error) {
			role := "arn:aws:iam::" + mototest.SourceAccount + ":role/no-such-role"
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, replication(role, w.dst)))
		}},
	{name: "PutBucketReplication naming a replica key that does not exist", aws: "ok", // DOMAIN.md: S3 does not check the key
		call: func(b *backend, w errorWorld) (string, error) {
			cfg := kmsReplication(w.roleARN(), w.dst, "", unknownKeyARN)
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, cfg))
		}},
	{name: "PutBucketReplication replicating SSE-KMS objects without a replica key", aws: "invalid request [InvalidRequest]",
		moto: "ok", why: motoSkipsReplicationChecks,
		call: func(b *backend, w errorWorld) (string, error) {
			cfg := kmsReplication(w.roleARN(), w.dst, "", "")
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, cfg))
		}},
	{name: "PutBucketReplication with a Filter but no DeleteMarkerReplication", aws: "invalid request [InvalidRequest]",
		moto: "ok", why: motoSkipsReplicationChecks,
		call: func(b *backend, w errorWorld) (string, error) {
			cfg := strings.Replace(replication(w.roleARN(), w.dst), `,"DeleteMarkerReplication":{"Status":"Disabled"}`, "", 1)
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, cfg))
		}},
	{name: "PutBucketReplication to a destination bucket that does not exist", aws: "invalid request [InvalidRequest]",
		moto: "ok", why: motoSkipsReplicationChecks,
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, replication(w.roleARN(), w.missing)))
		}},
	{name: "PutBucketReplication to an unversioned destination bucket", aws: "invalid request [InvalidRequest]",
		moto: "ok", why: motoSkipsReplicationChecks,
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, replication(w.roleARN(), w.unversDst)))
		}},
	{name: "PutBucketReplication with a role that is no ARN", aws: "invalid request [InvalidArgument]",
		moto: "ok", why: motoSkipsReplicationChecks,
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.PutBucketReplication(ctx, mototest.SourceRegion, w.versioned, replication(w.role, w.dst)))
		}},
	{name: "GetBucketReplication without a configuration", aws: "ok",
		call: func(b *backend, w errorWorld) (string, error) {
			return b.src.GetBucketReplication(ctx, mototest.SourceRegion, w.unversioned)
		}},
	{name: "GetBucketReplication of a bucket that does not exist", aws: "not found [NoSuchBucket]",
		call: func(b *backend, w errorWorld) (string, error) {
			return b.src.GetBucketReplication(ctx, mototest.SourceRegion, w.missing)
		}},

	// Bucket policies.
	{name: "PutBucketPolicy that is no JSON", aws: "invalid request [MalformedPolicy]",
		moto: "ok", why: motoAcceptsAnyBucketPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.dst.PutBucketPolicy(ctx, mototest.DestRegion, w.dst, `{"Version":`))
		}},
	{name: "PutBucketPolicy with an invalid effect", aws: "invalid request [MalformedPolicy]",
		moto: "ok", why: motoAcceptsAnyBucketPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			st := `{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + w.dst + `/*"}`
			return noValue(b.dst.PutBucketPolicy(ctx, mototest.DestRegion, w.dst, bucketPolicy(st)))
		}},
	{name: "PutBucketPolicy on another bucket's objects", aws: "invalid request [MalformedPolicy]",
		moto: "ok", why: motoAcceptsAnyBucketPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			st := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + w.versioned + `/*"}`
			return noValue(b.dst.PutBucketPolicy(ctx, mototest.DestRegion, w.dst, bucketPolicy(st)))
		}},
	{name: "PutBucketPolicy with an action S3 does not have", aws: "invalid request [MalformedPolicy]",
		moto: "ok", why: motoAcceptsAnyBucketPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			st := `{"Effect":"Allow","Principal":"*","Action":"s3:ReplicateEverything","Resource":"arn:aws:s3:::` + w.dst + `/*"}`
			return noValue(b.dst.PutBucketPolicy(ctx, mototest.DestRegion, w.dst, bucketPolicy(st)))
		}},
	// The mistake s3repl must never make: object actions on the bucket ARN alone.
	{name: "PutBucketPolicy with an object action on the bucket only", aws: "invalid request [MalformedPolicy]",
		moto: "ok", why: motoAcceptsAnyBucketPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			st := `{"Effect":"Allow","Principal":"*","Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::` + w.dst + `"}`
			return noValue(b.dst.PutBucketPolicy(ctx, mototest.DestRegion, w.dst, bucketPolicy(st)))
		}},
	// Why s3repl creates the role before it writes the destination policies.
	{name: "PutBucketPolicy naming a role that does not exist", aws: "invalid request [MalformedPolicy]",
		moto: "ok", why: motoAcceptsAnyBucketPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			st := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/no-such-role"},"Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::` + w.dst + `/*"}`
			return noValue(b.dst.PutBucketPolicy(ctx, mototest.DestRegion, w.dst, bucketPolicy(st)))
		}},
	{name: "GetBucketPolicy of a bucket without one", aws: "ok",
		call: func(b *backend, w errorWorld) (string, error) {
			return b.src.GetBucketPolicy(ctx, mototest.SourceRegion, w.unversioned)
		}},
	{name: "GetBucketPolicy of another account's bucket", aws: "access denied [AccessDenied]",
		moto: "ok", why: motoIgnoresPermissions,
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.GetBucketPolicy(ctx, mototest.DestRegion, w.dst)
			return noValue(err)
		}},

	// Key policies.
	{name: "PutKeyPolicy that is no JSON", aws: "invalid request [MalformedPolicyDocumentException]",
		moto: "ok", why: motoAcceptsAnyKeyPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.dst.PutKeyPolicy(ctx, mototest.DestRegion, w.key.ARN, `{"Version":`))
		}},
	{name: "PutKeyPolicy that would lock the caller out", aws: "invalid request [MalformedPolicyDocumentException]",
		moto: "ok", why: motoAcceptsAnyKeyPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			st := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:DescribeKey","Resource":"*"}`
			return noValue(b.dst.PutKeyPolicy(ctx, mototest.DestRegion, w.key.ARN, bucketPolicy(st)))
		}},
	{name: "CreateKey with a policy that is no JSON", aws: "invalid request [MalformedPolicyDocumentException]",
		moto: "ok", why: motoAcceptsAnyKeyPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.dst.CreateKey(ctx, mototest.DestRegion, "broken", `{"Version":`)
			return noValue(err)
		}},

	// Buckets.
	{name: "CreateBucket of one's own bucket in us-east-1", aws: "ok", // S3's legacy answer there
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.CreateBucket(ctx, mototest.SourceRegion, w.unversioned))
		}},
	{name: "CreateBucket of one's own bucket in eu-west-1", aws: "conflict [BucketAlreadyOwnedByYou]",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.dst.CreateBucket(ctx, mototest.DestRegion, w.dst))
		}},
	{name: "CreateBucket of another account's bucket", aws: "conflict [BucketAlreadyExists]",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.CreateBucket(ctx, mototest.SourceRegion, w.dst))
		}},
	{name: "CreateBucket with an invalid name", aws: "invalid request [InvalidBucketName]",
		moto: "ok", why: "moto does not check bucket names",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.CreateBucket(ctx, mototest.SourceRegion, "Not_A_Bucket-"+w.missing))
		}},
	{name: "default encryption of a new bucket", aws: "ok: AES256",
		moto: "ok", why: "moto creates buckets without default encryption; S3 gives every new bucket SSE-S3 since January 2023",
		call: func(b *backend, w errorWorld) (string, error) {
			enc, err := b.src.GetBucketEncryption(ctx, mototest.SourceRegion, w.unversioned)
			return enc.Algorithm, err
		}},
	{name: "PutBucketEncryption SSE-S3 with a KMS key", aws: "invalid request [InvalidArgument]",
		moto: "ok", why: "moto stores any encryption configuration",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.PutBucketEncryption(ctx, mototest.SourceRegion, w.versioned, awsops.Encryption{Algorithm: "AES256", KMSKeyID: w.key.ARN}))
		}},
	{name: "GetBucketVersioning at another Region's endpoint", aws: "wrong region [PermanentRedirect]",
		moto: "ok", why: motoIgnoresRegions,
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.GetBucketVersioning(ctx, mototest.DestRegion, w.versioned)
			return noValue(err)
		}},
	{name: "BucketRegion of a bucket that does not exist", aws: "not found [NoSuchBucket]",
		call: func(b *backend, w errorWorld) (string, error) { return b.src.BucketRegion(ctx, w.missing) }},
	{name: "BucketRegion of another account's bucket", aws: "ok: eu-west-1",
		call: func(b *backend, w errorWorld) (string, error) { return b.src.BucketRegion(ctx, w.dst) }},

	// Roles.
	{name: "GetRole of a role that does not exist", aws: "not found [NoSuchEntity]",
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.GetRole(ctx, "no-such-"+w.role)
			return noValue(err)
		}},
	{name: "ListRolePolicies of a role that does not exist", aws: "not found [NoSuchEntity]",
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.ListRolePolicies(ctx, "no-such-"+w.role)
			return noValue(err)
		}},
	{name: "GetRolePolicy of a policy that does not exist", aws: "not found [NoSuchEntity]",
		call: func(b *backend, w errorWorld) (string, error) {
			return b.src.GetRolePolicy(ctx, w.role, "no-such-policy")
		}},
	{name: "CreateRole of a role that exists", aws: "conflict [EntityAlreadyExists]",
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.CreateRole(ctx, w.role, trustS3, "")
			return noValue(err)
		}},
	{name: "CreateRole with a trust policy that is no JSON", aws: "invalid request [MalformedPolicyDocument]",
		moto: "ok", why: motoAcceptsAnyTrustPolicy,
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.CreateRole(ctx, "broken-"+w.role, `{"Version":`, "")
			return noValue(err)
		}},
	{name: "PutRolePolicy that is no JSON", aws: "invalid request [MalformedPolicyDocument]",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.PutRolePolicy(ctx, w.role, "broken", `{"Version":`))
		}},

	// Managed policies: IAM's quotas [reference_iam-quotas] and versions
	// [API_CreatePolicyVersion, API_DeletePolicyVersion].
	{name: "CreatePolicy over 6,144 characters", aws: "invalid request [LimitExceeded]",
		moto: "ok", why: "moto does not check a managed policy's size",
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.src.CreatePolicy(ctx, "/s3repl/", "big-"+w.role, bigIdentityPolicy(6200), "")
			return noValue(err)
		}},
	{name: "CreatePolicy with the name of a policy under another path", aws: "conflict [EntityAlreadyExists]",
		moto: "ok", why: "moto keeps policies by ARN; IAM's policy names are unique in the account whatever the path",
		call: func(b *backend, w errorWorld) (string, error) {
			if _, err := b.src.CreatePolicy(ctx, "/s3repl/", "twice-"+w.role, bigIdentityPolicy(100), ""); err != nil {
				return "", err
			}
			_, err := b.src.CreatePolicy(ctx, "/other/", "twice-"+w.role, bigIdentityPolicy(100), "")
			return noValue(err)
		}},
	{name: "CreatePolicyVersion as a sixth version", aws: "invalid request [LimitExceeded]",
		call: func(b *backend, w errorWorld) (string, error) {
			arn, err := b.src.CreatePolicy(ctx, "/s3repl/", "versions-"+w.role, bigIdentityPolicy(100), "")
			for i := range 5 {
				if err != nil {
					return "", err
				}
				err = b.src.CreatePolicyVersion(ctx, arn, bigIdentityPolicy(100+i*100))
			}
			return noValue(err)
		}},
	{name: "DeletePolicyVersion of the default version", aws: "conflict [DeleteConflict]",
		call: func(b *backend, w errorWorld) (string, error) {
			arn, err := b.src.CreatePolicy(ctx, "/s3repl/", "default-"+w.role, bigIdentityPolicy(100), "")
			if err != nil {
				return "", err
			}
			return noValue(b.src.DeletePolicyVersion(ctx, arn, "v1"))
		}},
	{name: "AttachRolePolicy of a policy attached already", aws: "ok",
		call: func(b *backend, w errorWorld) (string, error) {
			arn, err := b.src.CreatePolicy(ctx, "/s3repl/", "attached-"+w.role, bigIdentityPolicy(100), "")
			if err == nil {
				err = b.src.AttachRolePolicy(ctx, w.role, arn)
			}
			if err != nil {
				return "", err
			}
			return noValue(b.src.AttachRolePolicy(ctx, w.role, arn))
		}},
	{name: "AttachRolePolicy of an eleventh managed policy", aws: "invalid request [LimitExceeded]",
		moto: "ok", why: "moto attaches any number of managed policies to a role",
		call: func(b *backend, w errorWorld) (string, error) {
			for i := range 10 { // the role has one attached already
				arn, err := b.src.CreatePolicy(ctx, "/", fmt.Sprintf("team%d-%s", i, w.role), bigIdentityPolicy(100), "")
				if err != nil {
					return "", err
				}
				if err := b.src.AttachRolePolicy(ctx, w.role, arn); err != nil {
					return fmt.Sprintf("policy %d", i+2), err
				}
			}
			return "", nil
		}},
	{name: "the quota of managed policies per role", aws: "ok: 10",
		call: func(b *backend, w errorWorld) (string, error) {
			quota, err := b.src.PoliciesPerRoleQuota(ctx)
			return fmt.Sprint(quota), err
		}},
	{name: "DeleteRolePolicy of a policy the role does not have", aws: "not found [NoSuchEntity]",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.src.DeleteRolePolicy(ctx, w.role, "no-such-policy"))
		}},

	// Keys.
	{name: "DescribeKey of an unknown alias", aws: "not found [NotFoundException]",
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.dst.DescribeKey(ctx, mototest.DestRegion, "alias/no-such-"+w.dst)
			return noValue(err)
		}},
	{name: "DescribeKey of an unknown key ARN", aws: "not found [NotFoundException]",
		call: func(b *backend, w errorWorld) (string, error) {
			_, err := b.dst.DescribeKey(ctx, mototest.DestRegion, unknownKeyARN)
			return noValue(err)
		}},
	{name: "CreateAlias for a key that does not exist", aws: "not found [NotFoundException]",
		call: func(b *backend, w errorWorld) (string, error) {
			return noValue(b.dst.CreateAlias(ctx, mototest.DestRegion, "alias/"+w.dst, unknownKeyARN))
		}},
	{name: "CreateAlias of an alias that exists", aws: "conflict [AlreadyExistsException]",
		call: func(b *backend, w errorWorld) (string, error) {
			alias := "alias/twice-" + w.dst
			if err := b.dst.CreateAlias(ctx, mototest.DestRegion, alias, w.key.KeyID); err != nil {
				return "", err
			}
			return noValue(b.dst.CreateAlias(ctx, mototest.DestRegion, alias, w.key.KeyID))
		}},
}

// answer is one backend's answer to one case.
type answer struct {
	outcome string
	err     *awsops.OpError
}

func TestAWSErrorsAndValidation(t *testing.T) {
	t.Parallel()
	w := newErrorWorld()
	sim, moto := onBoth(t, func(t *testing.T, b *backend) []answer {
		w := w
		w.stage(t, b)
		answers := make([]answer, len(errorCases))
		for i, c := range errorCases {
			value, err := c.call(b, w)
			answers[i].outcome = outcome(value, err)
			errors.As(err, &answers[i].err)
		}
		return answers
	})
	for i, c := range errorCases {
		if sim[i].outcome != c.aws {
			t.Errorf("%s: simcloud answers %q, AWS %q", c.name, sim[i].outcome, c.aws)
		}
		if moto[i].outcome != c.wantMoto() {
			t.Errorf("%s: moto answers %q, the table says %q (%s): update the table", c.name, moto[i].outcome, c.wantMoto(), c.why)
		}
		if s, m := sim[i].err, moto[i].err; s != nil && m != nil && (s.Op != m.Op || s.Resource != m.Resource) {
			t.Errorf("%s: simcloud blames %s on %s, the SDK-backed Account %s on %s", c.name, s.Op, s.Resource, m.Op, m.Resource)
		}
	}
}

// bigIdentityPolicy is an identity policy of about size characters.
func bigIdentityPolicy(size int) string {
	var statements []string
	for total := 40; total < size; {
		st := fmt.Sprintf(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-%04d/*"}`, len(statements))
		statements = append(statements, st)
		total += len(st) + 1
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}
