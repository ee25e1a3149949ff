package simcloud

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

const latency = time.Second

// replicationSetup is a cross-account, cross-Region SSE-KMS replication set up by hand
// with the policies DOMAIN.md describes. Tests change its documents before build.
type replicationSetup struct {
	*twoAccounts
	srcKey, dstKey awsops.KeyInfo
	roleARN        string

	trust, rolePolicy, dstKeyPolicy, dstBucketPolicy, config string
}

func newReplication(t *testing.T, changes ...func(*replicationSetup)) *replicationSetup {
	t.Helper()
	s := &replicationSetup{twoAccounts: newTwoAccounts(t, WithLatency(latency))}
	s.srcKey = s.key(KeySpec{AccountID: srcAccount, Region: srcRegion, Alias: "alias/source"})
	s.dstKey = s.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Alias: "alias/replica"})
	s.bucket(s.src, srcRegion, "src-bucket", true)
	s.must(s.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: s.srcKey.ARN, BucketKey: true}))
	s.bucket(s.dst, dstRegion, "dst-bucket", true)
	s.must(s.dst.PutBucketEncryption(ctx, dstRegion, "dst-bucket", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: s.dstKey.ARN, BucketKey: true}))
	s.roleARN = "arn:aws:iam::" + srcAccount + ":role/service-role/replication"
	s.defaultDocuments()
	for _, change := range changes {
		change(s)
	}
	s.build()
	return s
}

func (s *replicationSetup) defaultDocuments() {
	s.trust = trustS3()
	s.rolePolicy = policyOf(
		`{"Sid":"SourceBucket","Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:ListBucket"],"Resource":"arn:aws:s3:::src-bucket"}`,
		`{"Sid":"SourceObjects","Effect":"Allow","Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::src-bucket/*"}`,
		`{"Sid":"Replicate","Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags","s3:ObjectOwnerOverrideToBucketOwner"],"Resource":"arn:aws:s3:::dst-bucket/*"}`,
		`{"Sid":"DecryptSource","Effect":"Allow","Action":"kms:Decrypt","Resource":"`+s.srcKey.ARN+`",`+
			`"Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::src-bucket","arn:aws:s3:::src-bucket/*"]}}}`,
		`{"Sid":"EncryptReplicas","Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"],"Resource":"`+s.dstKey.ARN+`",`+
			`"Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::dst-bucket","arn:aws:s3:::dst-bucket/*"]}}}`,
	)
	s.dstKeyPolicy = policyOf(
		`{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+dstAccount+`:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"ReplicationRole","Effect":"Allow","Principal":{"AWS":"`+s.roleARN+`"},"Action":["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",`+
			`"Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}}`,
	)
	s.dstBucketPolicy = policyOf(
		`{"Sid":"ReplicateObjects","Effect":"Allow","Principal":{"AWS":"`+s.roleARN+`"},`+
			`"Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags","s3:ObjectOwnerOverrideToBucketOwner"],"Resource":"arn:aws:s3:::dst-bucket/*"}`,
		`{"Sid":"ReplicaBucket","Effect":"Allow","Principal":{"AWS":"`+s.roleARN+`"},"Action":["s3:ListBucket","s3:GetBucketVersioning"],"Resource":"arn:aws:s3:::dst-bucket"}`,
	)
	s.config = strings.NewReplacer(replicationRole, s.roleARN, "arn:aws:kms:eu-west-1:"+dstAccount+":key/any", s.dstKey.ARN).
		Replace(configJSON(ruleJSON("to-dst", 1)))
}

func policyOf(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func (s *replicationSetup) build() {
	s.t.Helper()
	_, err := s.cloud.AddRole(srcAccount, "/service-role/", "replication", s.trust)
	s.must(err)
	s.must(s.src.PutRolePolicy(ctx, "replication", "replication", s.rolePolicy))
	s.must(s.dst.PutKeyPolicy(ctx, dstRegion, s.dstKey.ARN, s.dstKeyPolicy))
	if s.dstBucketPolicy != "" {
		s.must(s.dst.PutBucketPolicy(ctx, dstRegion, "dst-bucket", s.dstBucketPolicy))
	}
	s.must(s.src.PutBucketReplication(ctx, srcRegion, "src-bucket", s.config))
}

func (s *replicationSetup) upload(key string, opts awsops.PutOptions) string {
	s.t.Helper()
	version, err := s.src.PutObject(ctx, srcRegion, "src-bucket", key, []byte("body of "+key), opts)
	s.must(err)
	return version
}

func (s *replicationSetup) sourceHead(key, version string) awsops.ObjectHead {
	s.t.Helper()
	head, err := s.src.HeadObject(ctx, srcRegion, "src-bucket", key, version)
	s.must(err)
	return head
}

// settle lets the latency pass; the next call does the replication that is due.
func (s *replicationSetup) settle() { s.clock.Advance(latency) }

func (s *replicationSetup) statusAfterLatency(key, version string) string {
	s.t.Helper()
	s.settle()
	return s.sourceHead(key, version).ReplicationStatus
}

// TestTrustWithIfExistsSourceKeysReplicates: a trust whose source conditions are
// ...IfExists forms holds whether or not S3 sends the keys.
func TestTrustWithIfExistsSourceKeysReplicates(t *testing.T) {
	s := newReplication(t, func(s *replicationSetup) { s.trust = trustS3ForSource(srcAccount, "src-bucket", true) })
	version := s.upload("photos/cat.jpg", awsops.PutOptions{})
	if status := s.statusAfterLatency("photos/cat.jpg", version); status != "COMPLETED" {
		failure, _ := s.cloud.ReplicationFailure("src-bucket", "photos/cat.jpg", version)
		t.Fatalf("status %q (%+v), want COMPLETED", status, failure)
	}
}

func TestReplicationCompletes(t *testing.T) {
	s := newReplication(t)
	version := s.upload("photos/cat.jpg", awsops.PutOptions{})
	if status := s.sourceHead("photos/cat.jpg", version).ReplicationStatus; status != "PENDING" {
		t.Fatalf("status right after the upload: %q, want PENDING", status)
	}
	s.clock.Advance(latency / 2)
	if status := s.sourceHead("photos/cat.jpg", version).ReplicationStatus; status != "PENDING" {
		t.Fatalf("status before the latency passed: %q, want PENDING", status)
	}
	s.clock.Advance(latency / 2)
	if status := s.sourceHead("photos/cat.jpg", version).ReplicationStatus; status != "COMPLETED" {
		t.Fatalf("status after the latency: %q (%+v), want COMPLETED", status, s.cloud.ReplicationFailures("src-bucket", "photos/cat.jpg", version))
	}

	replica, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "photos/cat.jpg", version)
	s.must(err)
	want := awsops.ObjectHead{VersionID: version, ReplicationStatus: "REPLICA", SSEAlgorithm: "aws:kms",
		SSEKMSKeyID: s.dstKey.ARN, BucketKey: true, LastModified: s.clock.Now(), ContentLength: int64(len("body of photos/cat.jpg"))}
	if replica != want {
		t.Errorf("replica %+v\nwant    %+v", replica, want)
	}
	if owner := s.cloud.ObjectOwner("dst-bucket", "photos/cat.jpg", version); owner != dstAccount {
		t.Errorf("replica owned by %s, want the destination account", owner)
	}
	if _, failed := s.cloud.ReplicationFailure("src-bucket", "photos/cat.jpg", version); failed {
		t.Error("a failure was recorded for a completed replication")
	}
}

func TestReplicationWithoutLatencyOrByStep(t *testing.T) {
	s := newReplication(t)
	s.cloud.latency = 0
	version := s.upload("now", awsops.PutOptions{})
	if status := s.sourceHead("now", version).ReplicationStatus; status != "COMPLETED" {
		t.Errorf("with no latency the next call replicates; status %q", status)
	}

	s.cloud.latency = time.Hour
	version = s.upload("stepped", awsops.PutOptions{})
	if n := s.cloud.PendingReplications(); n != 1 {
		t.Errorf("%d pending replications, want 1", n)
	}
	if n := s.cloud.Step(); n != 1 {
		t.Errorf("Step replicated %d, want 1", n)
	}
	if status := s.sourceHead("stepped", version).ReplicationStatus; status != "COMPLETED" {
		t.Errorf("after Step: %q", status)
	}
}

func TestReplicationFailureReasons(t *testing.T) {
	const tagged = "tagged"
	cases := []struct {
		name   string
		before func(*replicationSetup) // changes the documents before they are written
		after  func(*replicationSetup) // changes the cloud after the upload
		key    string
		reason string
	}{
		{name: "destination key policy lacks the role", reason: "DstPutObjectNotPermitted",
			before: func(s *replicationSetup) { s.dstKeyPolicy = policyOf(ownerKeyStatement) }},
		{name: "destination key policy denies outside a VPC endpoint", reason: "DstPutObjectNotPermitted",
			before: func(s *replicationSetup) {
				s.dstKeyPolicy = withVPCEndpointDeny(s.dstKeyPolicy, `"Bool":{"aws:PrincipalIsAWSService":"false"}`)
			}},
		{name: "role policy lacks the replica key", reason: "DstPutObjectNotPermitted",
			before: func(s *replicationSetup) { s.rolePolicy = withoutStatement(s.rolePolicy, "EncryptReplicas") }},
		{name: "trust without s3", reason: "AssumeRoleNotPermitted",
			before: func(s *replicationSetup) {
				s.trust = strings.Replace(s.trust, "s3.amazonaws.com", "ec2.amazonaws.com", 1)
			}},
		{name: "trust for another bucket", reason: "AssumeRoleNotPermitted",
			before: func(s *replicationSetup) { s.trust = trustS3ForSource(srcAccount, "other-bucket", false) }},
		// AWS does not document that S3 sends aws:SourceAccount and aws:SourceArn when
		// it assumes the replication role: a trust that needs them does not let it in.
		{name: "trust that needs aws:SourceAccount and aws:SourceArn", reason: "AssumeRoleNotPermitted",
			before: func(s *replicationSetup) { s.trust = trustS3ForSource(srcAccount, "src-bucket", false) }},
		{name: "role deleted", reason: "AssumeRoleNotPermitted",
			after: func(s *replicationSetup) { s.must(s.cloud.DeleteRole(srcAccount, "replication")) }},
		{name: "destination versioning suspended", reason: "DstBucketUnversioned",
			after: func(s *replicationSetup) { s.must(s.cloud.SetBucketVersioning("dst-bucket", "Suspended")) }},
		{name: "destination bucket deleted", reason: "DstBucketNotFound",
			after: func(s *replicationSetup) { s.must(s.cloud.DeleteBucket("dst-bucket")) }},
		{name: "source has Object Lock, destination not", reason: "DstBucketObjectLockConfigMissing",
			before: func(s *replicationSetup) { s.rolePolicy = withObjectLockReads(s.rolePolicy, true, true) },
			after:  func(s *replicationSetup) { s.must(s.cloud.EnableObjectLock("src-bucket")) }},
		{name: "Object Lock without s3:GetObjectRetention", reason: "SrcGetRetentionNotPermitted",
			before: func(s *replicationSetup) { s.rolePolicy = withObjectLockReads(s.rolePolicy, false, true) },
			after:  bothObjectLocked},
		{name: "Object Lock without s3:GetObjectLegalHold", reason: "SrcGetLegalHoldNotPermitted",
			before: func(s *replicationSetup) { s.rolePolicy = withObjectLockReads(s.rolePolicy, true, false) },
			after:  bothObjectLocked},
		{name: "destination key disabled", reason: "DstKmsKeyInvalidState",
			after: func(s *replicationSetup) { s.must(s.cloud.SetKeyState(s.dstKey.ARN, "Disabled")) }},
		{name: "replica key does not exist", reason: "DstKmsKeyNotFound",
			before: func(s *replicationSetup) {
				s.config = strings.Replace(s.config, s.dstKey.KeyID, "00000000-0000-4000-8000-000000000000", 1)
			}},
		{name: "replica key in another Region", reason: "DstKmsKeyNotFound",
			before: func(s *replicationSetup) {
				other := s.key(KeySpec{AccountID: dstAccount, Region: srcRegion})
				s.config = strings.Replace(s.config, s.dstKey.ARN, other.ARN, 1)
			}},
		{name: "replica key is asymmetric", reason: "DstKmsKeyInvalidState",
			before: func(s *replicationSetup) {
				signing := s.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Spec: "RSA_2048", Usage: "SIGN_VERIFY"})
				s.config = strings.Replace(s.config, s.dstKey.ARN, signing.ARN, 1)
			}},
		{name: "role policy without source decrypt", reason: "SrcGetObjectNotPermitted",
			before: func(s *replicationSetup) { s.rolePolicy = withoutStatement(s.rolePolicy, "DecryptSource") }},
		{name: "Bucket Key context not allowed", reason: "SrcGetObjectNotPermitted",
			before: func(s *replicationSetup) {
				s.rolePolicy = strings.Replace(s.rolePolicy, `["arn:aws:s3:::src-bucket","arn:aws:s3:::src-bucket/*"]`, `"arn:aws:s3:::src-bucket/*"`, 1)
			}},
		{name: "role may not read source objects", reason: "SrcGetObjectNotPermitted",
			before: func(s *replicationSetup) {
				s.rolePolicy = strings.Replace(s.rolePolicy, `"s3:GetObjectVersionForReplication",`, ``, 1)
			}},
		{name: "role may not read source ACLs", reason: "SrcGetAclNotPermitted",
			before: func(s *replicationSetup) {
				s.rolePolicy = strings.Replace(s.rolePolicy, `"s3:GetObjectVersionAcl",`, ``, 1)
			}},
		{name: "role may not read the configuration", reason: "SrcBucketReplicationConfigMissing",
			before: func(s *replicationSetup) { s.rolePolicy = withoutStatement(s.rolePolicy, "SourceBucket") }},
		{name: "source key disabled after the upload", reason: "SrcKmsKeyInvalidState",
			after: func(s *replicationSetup) { s.must(s.cloud.SetKeyState(s.srcKey.ARN, "Disabled")) }},
		{name: "no destination bucket policy", reason: "DstPutObjectNotPermitted",
			before: func(s *replicationSetup) { s.dstBucketPolicy = "" }},
		{name: "bucket policy without ownership override", reason: "DstPutObjectNotPermitted",
			before: func(s *replicationSetup) {
				s.dstBucketPolicy = strings.Replace(s.dstBucketPolicy, `,"s3:ObjectOwnerOverrideToBucketOwner"`, ``, 1)
			}},
		{name: "bucket policy denies tags", key: tagged, reason: "DstPutTaggingNotPermitted",
			before: func(s *replicationSetup) {
				s.dstBucketPolicy = strings.TrimSuffix(s.dstBucketPolicy, `]}`) + `,{"Sid":"NoTags","Effect":"Deny","Principal":"*","Action":"s3:ReplicateTags","Resource":"arn:aws:s3:::dst-bucket/*"}]}`
			}},
		{name: "role denied reading tags", key: tagged, reason: "SrcGetTaggingNotPermitted",
			before: func(s *replicationSetup) {
				s.rolePolicy = strings.TrimSuffix(s.rolePolicy, `]}`) + `,{"Sid":"NoTags","Effect":"Deny","Action":"s3:GetObjectVersionTagging","Resource":"*"}]}`
			}},
		{name: "configuration removed", reason: "SrcBucketReplicationConfigMissing",
			after: func(s *replicationSetup) { s.must(s.cloud.DeleteBucketReplication("src-bucket")) }},
		{name: "version deleted before replication", reason: "SrcVersionNotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var changes []func(*replicationSetup)
			if c.before != nil {
				changes = append(changes, c.before)
			}
			s := newReplication(t, changes...)
			key, opts := "photos/cat.jpg", awsops.PutOptions{}
			if c.key == tagged {
				key, opts.Tags = "photos/tagged.jpg", map[string]string{"team": "pets"}
			}
			version := s.upload(key, opts)
			if c.after != nil {
				c.after(s)
			}
			if c.reason == "SrcVersionNotFound" {
				s.must(s.src.DeleteObjectVersion(ctx, srcRegion, "src-bucket", key, version))
				s.settle()
				s.cloud.Step()
			} else if status := s.statusAfterLatency(key, version); status != "FAILED" {
				t.Fatalf("status %q, want FAILED", status)
			}
			failure, ok := s.cloud.ReplicationFailure("src-bucket", key, version)
			if !ok || failure.Reason != c.reason || failure.Destination != "dst-bucket" || failure.Detail == "" {
				t.Fatalf("failure %+v, want %s", failure, c.reason)
			}
			if _, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", key, version); awsops.IsAccessDenied(err) || err == nil {
				t.Errorf("a failed replication left a replica (or the destination is unreadable): %v", err)
			}
		})
	}
}

// TestTagsWithoutTheirPermissions: without an Allow for s3:ReplicateTags S3
// replicates tags under s3:ReplicateObject; without one for
// s3:GetObjectVersionTagging it replicates the object without its tags
// [setting-repl-config-perm-overview].
func TestTagsWithoutTheirPermissions(t *testing.T) {
	for name, c := range map[string]struct {
		change   func(*replicationSetup)
		wantTags bool
	}{
		"no s3:ReplicateTags": {func(s *replicationSetup) {
			s.dstBucketPolicy = strings.Replace(s.dstBucketPolicy, `,"s3:ReplicateTags"`, ``, 1)
			s.rolePolicy = strings.Replace(s.rolePolicy, `,"s3:ReplicateTags"`, ``, 1)
		}, true},
		"no s3:GetObjectVersionTagging": {func(s *replicationSetup) {
			s.rolePolicy = strings.Replace(s.rolePolicy, `,"s3:GetObjectVersionTagging"`, ``, 1)
		}, false},
	} {
		t.Run(name, func(t *testing.T) {
			s := newReplication(t, c.change)
			version := s.upload("photos/tagged.jpg", awsops.PutOptions{Tags: map[string]string{"team": "pets"}})
			if status := s.statusAfterLatency("photos/tagged.jpg", version); status != "COMPLETED" {
				t.Fatalf("status %q: %+v", status, s.cloud.ReplicationFailures("src-bucket", "photos/tagged.jpg", version))
			}
			if tags := s.cloud.ObjectTags("dst-bucket", "photos/tagged.jpg", version); (len(tags) > 0) != c.wantTags {
				t.Errorf("replica tags %v, want tags: %v", tags, c.wantTags)
			}
		})
	}
}

// withObjectLockReads lets the role read source objects' retention and legal hold.
func withObjectLockReads(policy string, retention, legalHold bool) string {
	actions := `"s3:GetObjectVersionTagging"`
	if retention {
		actions += `,"s3:GetObjectRetention"`
	}
	if legalHold {
		actions += `,"s3:GetObjectLegalHold"`
	}
	return strings.Replace(policy, `"s3:GetObjectVersionTagging"`, actions, 1)
}

func bothObjectLocked(s *replicationSetup) {
	s.must(s.cloud.EnableObjectLock("src-bucket"))
	s.must(s.cloud.EnableObjectLock("dst-bucket"))
}

// withVPCEndpointDeny adds a statement denying the use of the key from outside a VPC
// endpoint, under the extra condition given.
func withVPCEndpointDeny(policy, condition string) string {
	return strings.Replace(policy, `]}`, `,{"Sid":"OnlyFromVpce","Effect":"Deny","Principal":"*",`+
		`"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",`+
		`"Condition":{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"},`+condition+`}}]}`, 1)
}

func TestVPCEndpointDenyThatExemptsAWSServices(t *testing.T) {
	s := newReplication(t, func(s *replicationSetup) {
		s.dstKeyPolicy = withVPCEndpointDeny(s.dstKeyPolicy, `"BoolIfExists":{"aws:ViaAWSService":"false"}`)
	})
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
		t.Errorf("status %q: S3 calls KMS for the role as an AWS service, which the deny exempts; %+v",
			status, s.cloud.ReplicationFailures("src-bucket", "k", version))
	}
}

const ownerKeyStatement = `{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dstAccount + `:root"},"Action":"kms:*","Resource":"*"}`

// withoutStatement removes the statement with sid from a policy built by policyOf.
func withoutStatement(policy, sid string) string {
	start := strings.Index(policy, `{"Sid":"`+sid+`"`)
	if start < 0 {
		panic("no statement " + sid)
	}
	depth := 0
	for end := start; end < len(policy); end++ {
		switch policy[end] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth == 0 {
			rest := strings.TrimPrefix(policy[end+1:], ",")
			return strings.Replace(policy[:start]+rest, ",]}", "]}", 1)
		}
	}
	panic("unbalanced policy")
}

func TestFailureDetailSaysWhy(t *testing.T) {
	s := newReplication(t, func(s *replicationSetup) { s.dstKeyPolicy = policyOf(ownerKeyStatement) })
	version := s.upload("k", awsops.PutOptions{})
	s.settle()
	s.cloud.Step()
	failure, _ := s.cloud.ReplicationFailure("src-bucket", "k", version)
	if !strings.Contains(failure.Detail, "key policy") || !strings.Contains(failure.Detail, "kms:Encrypt") {
		t.Errorf("detail %q should say the key policy does not allow kms:Encrypt", failure.Detail)
	}
	if !failure.Time.Equal(s.clock.Now()) {
		t.Errorf("failure time %s, want %s", failure.Time, s.clock.Now())
	}
}

func TestObjectsThatMatchNoRule(t *testing.T) {
	noKMSOptIn := func(s *replicationSetup) {
		s.config = strings.NewReplacer(`"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},`, ``,
			`,"EncryptionConfiguration":{"ReplicaKmsKeyID":"`+s.dstKey.ARN+`"}`, ``).Replace(s.config)
	}
	prefix := func(s *replicationSetup) {
		s.config = strings.Replace(s.config, `"Filter":{"Prefix":""}`, `"Filter":{"Prefix":"photos/"}`, 1)
	}
	tag := func(s *replicationSetup) {
		s.config = strings.Replace(s.config, `"Filter":{"Prefix":""}`, `"Filter":{"Tag":{"Key":"replicate","Value":"yes"}}`, 1)
	}
	disabled := func(s *replicationSetup) {
		s.config = strings.Replace(s.config, `"Status":"Enabled","Source`, `"Status":"Disabled","Source`, 1)
	}
	cases := []struct {
		name   string
		change func(*replicationSetup)
		key    string
		tags   map[string]string
		want   string
	}{
		{"outside the prefix", prefix, "documents/a.pdf", nil, ""},
		{"inside the prefix", prefix, "photos/a.jpg", nil, "COMPLETED"},
		{"SSE-KMS object, rule not opted in", noKMSOptIn, "a", nil, ""},
		{"disabled rule", disabled, "a", nil, ""},
		{"tag missing", tag, "a", nil, ""},
		{"tag with another value", tag, "a", map[string]string{"replicate": "no"}, ""},
		{"tag matches", tag, "a", map[string]string{"replicate": "yes"}, "COMPLETED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newReplication(t, c.change)
			version := s.upload(c.key, awsops.PutOptions{Tags: c.tags})
			if got := s.statusAfterLatency(c.key, version); got != c.want {
				t.Errorf("status %q, want %q", got, c.want)
			}
		})
	}
}

func TestObjectsFromBeforeTheRuleStayUnreplicated(t *testing.T) {
	s := newReplication(t)
	s.bucket(s.src, srcRegion, "early-bucket", true)
	version, err := s.src.PutObject(ctx, srcRegion, "early-bucket", "k", nil, awsops.PutOptions{})
	s.must(err)
	s.must(s.src.PutBucketReplication(ctx, srcRegion, "early-bucket", strings.Replace(s.config, "to-dst", "early", 1)))
	s.settle()
	head, err := s.src.HeadObject(ctx, srcRegion, "early-bucket", "k", version)
	s.must(err)
	if head.ReplicationStatus != "" || s.cloud.PendingReplications() != 0 {
		t.Errorf("an object from before the rule got status %q", head.ReplicationStatus)
	}
}

// TestSSES3ObjectsStaySSES3: replicas keep their source's type of encryption; the
// destination's default (SSE-KMS here) is not used for them.
func TestSSES3ObjectsStaySSES3(t *testing.T) {
	s := newReplication(t, func(s *replicationSetup) {
		s.config = strings.Replace(s.config, `"Filter":{"Prefix":""}`, `"Filter":{"Prefix":"plain/"}`, 1)
	})
	s.must(s.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "AES256"}))
	version := s.upload("plain/a", awsops.PutOptions{})
	if status := s.statusAfterLatency("plain/a", version); status != "COMPLETED" {
		t.Fatalf("status %q: %+v", status, s.cloud.ReplicationFailures("src-bucket", "plain/a", version))
	}
	replica, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "plain/a", version)
	s.must(err)
	if replica.SSEAlgorithm != "AES256" || replica.SSEKMSKeyID != "" {
		t.Errorf("replica %+v, want SSE-S3 like its source", replica)
	}
}

func TestTagsAreReplicated(t *testing.T) {
	s := newReplication(t)
	version := s.upload("k", awsops.PutOptions{Tags: map[string]string{"team": "pets"}})
	if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
		t.Fatalf("status %q", status)
	}
	if tags := s.cloud.ObjectTags("dst-bucket", "k", version); tags["team"] != "pets" {
		t.Errorf("replica tags %v", tags)
	}
}

func TestTheCloudsOwnReadersDoTheDueReplicationFirst(t *testing.T) {
	s := newReplication(t)
	version := s.upload("k", awsops.PutOptions{Tags: map[string]string{"team": "pets"}})
	s.settle()
	if owner := s.cloud.ObjectOwner("dst-bucket", "k", version); owner != dstAccount {
		t.Errorf("replica owner %q right after the latency, want %s", owner, dstAccount)
	}
	if tags := s.cloud.ObjectTags("dst-bucket", "k", version); tags["team"] != "pets" {
		t.Errorf("replica tags %v right after the latency", tags)
	}
}

func TestReplicasAreNotReplicatedAgain(t *testing.T) {
	s := newReplication(t)
	s.bucket(s.dst, dstRegion, "third-bucket", true)
	_, err := s.cloud.AddRole(dstAccount, "/", "onward", trustS3())
	s.must(err)
	onward := `{"Role":"arn:aws:iam::` + dstAccount + `:role/onward","Rules":[{"ID":"onward","Priority":1,"Filter":{},"Status":"Enabled",` +
		`"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},"Destination":{"Bucket":"arn:aws:s3:::third-bucket",` +
		`"EncryptionConfiguration":{"ReplicaKmsKeyID":"` + s.dstKey.ARN + `"}},"DeleteMarkerReplication":{"Status":"Disabled"}}]}`
	s.must(s.dst.PutBucketReplication(ctx, dstRegion, "dst-bucket", onward))
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
		t.Fatalf("status %q", status)
	}
	if n := s.cloud.PendingReplications(); n != 0 {
		t.Errorf("%d replications pending: the replica was queued again", n)
	}
	replica, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "k", version)
	s.must(err)
	if replica.ReplicationStatus != "REPLICA" {
		t.Errorf("replica status %q", replica.ReplicationStatus)
	}
}

func TestHighestPriorityRuleWinsForADestination(t *testing.T) {
	var other awsops.KeyInfo
	s := newReplication(t, func(s *replicationSetup) {
		other = s.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Policy: s.dstKeyPolicy})
		second := strings.NewReplacer(replicationRole, s.roleARN, "arn:aws:kms:eu-west-1:"+dstAccount+":key/any", other.ARN).
			Replace(ruleJSON("preferred", 5))
		s.config = strings.Replace(s.config, `}]}`, `},`+second+`]}`, 1)
		s.rolePolicy = strings.Replace(s.rolePolicy, `"Resource":"`+s.dstKey.ARN+`"`, `"Resource":["`+s.dstKey.ARN+`","`+other.ARN+`"]`, 1)
	})
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
		t.Fatalf("status %q: %+v", status, s.cloud.ReplicationFailures("src-bucket", "k", version))
	}
	replica, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "k", version)
	s.must(err)
	if replica.SSEKMSKeyID != other.ARN {
		t.Errorf("replica under %s, want the priority-5 rule's key %s", replica.SSEKMSKeyID, other.ARN)
	}
}

func TestTwoDestinations(t *testing.T) {
	addSecond := func(s *replicationSetup) {
		s.bucket(s.dst, dstRegion, "second-bucket", true)
		second := strings.NewReplacer(replicationRole, s.roleARN, "arn:aws:kms:eu-west-1:"+dstAccount+":key/any", s.dstKey.ARN,
			"dst-bucket", "second-bucket").Replace(ruleJSON("to-second", 2))
		s.config = strings.Replace(s.config, `}]}`, `},`+second+`]}`, 1)
	}
	s := newReplication(t, addSecond)
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "FAILED" {
		t.Fatalf("status %q: the second destination lets nobody in, want FAILED", status)
	}
	failures := s.cloud.ReplicationFailures("src-bucket", "k", version)
	if len(failures) != 1 || failures[0].Destination != "second-bucket" || failures[0].Reason != "DstPutObjectNotPermitted" {
		t.Errorf("failures %+v, want one for second-bucket", failures)
	}
	if _, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "k", version); err != nil {
		t.Errorf("the first destination should have its replica: %v", err)
	}

	s = newReplication(t, addSecond, func(s *replicationSetup) {
		s.rolePolicy = strings.ReplaceAll(s.rolePolicy, "arn:aws:s3:::dst-bucket/*", "arn:aws:s3:::*-bucket/*")
		s.rolePolicy = strings.ReplaceAll(s.rolePolicy, `"arn:aws:s3:::dst-bucket",`, `"arn:aws:s3:::*-bucket",`)
		s.dstBucketPolicy = ""
	})
	for _, name := range []string{"dst-bucket", "second-bucket"} {
		s.must(s.dst.PutBucketPolicy(ctx, dstRegion, name, policyOf(`{"Effect":"Allow","Principal":{"AWS":"`+s.roleARN+`"},`+
			`"Action":["s3:ReplicateObject","s3:ObjectOwnerOverrideToBucketOwner"],"Resource":"arn:aws:s3:::`+name+`/*"}`)))
	}
	version = s.upload("k", awsops.PutOptions{})
	s.settle()
	if status := s.sourceHead("k", version).ReplicationStatus; status != "COMPLETED" {
		t.Errorf("status %q with both destinations open: %+v", status, s.cloud.ReplicationFailures("src-bucket", "k", version))
	}
}

func TestSameAccountNeedsNoBucketPolicy(t *testing.T) {
	w := newTwoAccounts(t, WithLatency(0))
	w.bucket(w.src, srcRegion, "src-bucket", true)
	w.bucket(w.src, "us-west-2", "archive-bucket", true)
	_, err := w.cloud.AddRole(srcAccount, "/", "replication", trustS3())
	w.must(err)
	w.must(w.src.PutRolePolicy(ctx, "replication", "replication", policyOf(
		`{"Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl"],"Resource":["arn:aws:s3:::src-bucket","arn:aws:s3:::src-bucket/*"]}`,
		`{"Effect":"Allow","Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::archive-bucket/*"}`)))
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", `{"Role":"arn:aws:iam::`+srcAccount+`:role/replication",`+
		`"Rules":[{"ID":"archive","Prefix":"","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::archive-bucket"}}]}`))
	version, err := w.src.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{})
	w.must(err)
	head, err := w.src.HeadObject(ctx, srcRegion, "src-bucket", "k", version)
	w.must(err)
	if head.ReplicationStatus != "COMPLETED" {
		t.Errorf("status %q: %+v", head.ReplicationStatus, w.cloud.ReplicationFailures("src-bucket", "k", version))
	}
	replica, err := w.src.HeadObject(ctx, "us-west-2", "archive-bucket", "k", version)
	w.must(err)
	if replica.SSEAlgorithm != "AES256" || replica.ReplicationStatus != "REPLICA" {
		t.Errorf("replica %+v", replica)
	}
}

func TestTheDemosExistingRuleReplicates(t *testing.T) {
	c := NewDemo(WithLatency(0))
	prod, err := c.Account(DemoSourceProfile)
	if err != nil {
		t.Fatal(err)
	}
	version, err := prod.PutObject(ctx, DemoSourceRegion, DemoSourceBucket, "invoices/2026-11.pdf", []byte("%PDF"), awsops.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	head, err := prod.HeadObject(ctx, DemoSourceRegion, DemoSourceBucket, "invoices/2026-11.pdf", version)
	if err != nil || head.ReplicationStatus != "COMPLETED" || !head.BucketKey {
		t.Fatalf("head %+v, %v; failures %+v", head, err, c.ReplicationFailures(DemoSourceBucket, "invoices/2026-11.pdf", version))
	}
	archiveKey, err := prod.DescribeKey(ctx, DemoArchiveRegion, DemoArchiveKey)
	if err != nil {
		t.Fatal(err)
	}
	replica, err := prod.HeadObject(ctx, DemoArchiveRegion, DemoArchiveBucket, "invoices/2026-11.pdf", version)
	if err != nil || replica.SSEKMSKeyID != archiveKey.ARN {
		t.Errorf("replica %+v, %v; want it under %s", replica, err, archiveKey.ARN)
	}
	other, err := prod.PutObject(ctx, DemoSourceRegion, DemoSourceBucket, "orders/2026/11/02.csv", nil, awsops.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := prod.HeadObject(ctx, DemoSourceRegion, DemoSourceBucket, "orders/2026/11/02.csv", other); head.ReplicationStatus != "" {
		t.Errorf("an object outside invoices/ got status %q", head.ReplicationStatus)
	}
}

func TestReplicaOwnerWithoutOverride(t *testing.T) {
	s := newReplication(t, func(s *replicationSetup) {
		s.config = strings.Replace(s.config, `,"AccessControlTranslation":{"Owner":"Destination"}`, ``, 1)
	})
	s.must(s.cloud.SetBucketOwnership("dst-bucket", "ObjectWriter"))
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
		t.Fatalf("status %q", status)
	}
	if owner := s.cloud.ObjectOwner("dst-bucket", "k", version); owner != srcAccount {
		t.Errorf("without override into an ObjectWriter bucket the replica belongs to %s, want the source account", owner)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newReplication(t)
	done := make(chan error)
	for i := range 8 {
		go func() {
			key := "parallel/" + string(rune('a'+i))
			version, err := s.src.PutObject(ctx, srcRegion, "src-bucket", key, nil, awsops.PutOptions{})
			if err == nil {
				s.clock.Advance(latency)
				_, err = s.dst.ListObjectVersions(ctx, dstRegion, "dst-bucket", "", 0)
			}
			if err == nil {
				_, err = s.src.HeadObject(ctx, srcRegion, "src-bucket", key, version)
			}
			done <- err
		}()
	}
	for range 8 {
		s.must(<-done)
	}
	s.cloud.Step()
	versions, err := s.dst.ListObjectVersions(ctx, dstRegion, "dst-bucket", "parallel/", 0)
	s.must(err)
	if len(versions) != 8 {
		t.Errorf("%d replicas, want 8", len(versions))
	}
}

// TestReplicaKeyNeedsEncrypt: the S3 User Guide requires kms:Encrypt on the key that
// encrypts replicas; a key policy without it fails, whatever else it grants.
func TestReplicaKeyNeedsEncrypt(t *testing.T) {
	s := newReplication(t, func(s *replicationSetup) {
		s.dstKeyPolicy = strings.Replace(s.dstKeyPolicy, `"Action":["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"]`, `"Action":["kms:GenerateDataKey","kms:Decrypt"]`, 1)
	})
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "FAILED" {
		t.Fatalf("status %q without kms:Encrypt, want FAILED", status)
	}
	if failure, _ := s.cloud.ReplicationFailure("src-bucket", "k", version); failure.Reason != "DstPutObjectNotPermitted" || !strings.Contains(failure.Detail, "kms:Encrypt") {
		t.Errorf("failure %+v, want DstPutObjectNotPermitted naming kms:Encrypt", failure)
	}
}

// withReplicaKeyActions gives the role's policy and the replica key policy these
// actions on the replica key instead of Encrypt, GenerateDataKey and Decrypt.
func withReplicaKeyActions(actions string) func(*replicationSetup) {
	return func(s *replicationSetup) {
		all := `["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"]`
		s.dstKeyPolicy = strings.Replace(s.dstKeyPolicy, all, actions, 1)
		s.rolePolicy = strings.Replace(s.rolePolicy, all, actions, 1)
	}
}

// TestEncryptOnlyReplicatesEncryptedObjects: kms:GenerateDataKey is needed only for
// unencrypted sources into an SSE-KMS default bucket [replication-config-for-kms-objects];
// a role with kms:Encrypt (and kms:Decrypt for the Bucket Key) replicates SSE-KMS objects.
func TestEncryptOnlyReplicatesEncryptedObjects(t *testing.T) {
	s := newReplication(t, withReplicaKeyActions(`["kms:Encrypt","kms:Decrypt"]`))
	version := s.upload("k", awsops.PutOptions{})
	if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
		t.Fatalf("status %q with kms:Encrypt and no kms:GenerateDataKey: %+v", status, s.cloud.ReplicationFailures("src-bucket", "k", version))
	}
}

// TestReplicaKeepsTheSourcesBucketKey: a source object with a Bucket Key into a
// bucket whose default has none gives a replica with a Bucket Key [bucket-key,
// Example 1], for which S3 decrypts with the replica key; the other way round the
// replica has none and needs no kms:Decrypt.
func TestReplicaKeepsTheSourcesBucketKey(t *testing.T) {
	for _, c := range []struct {
		name                string
		sourceBK, destBK    bool
		decrypt, wantBK, ok bool
	}{
		{name: "source with, destination without, Decrypt granted", sourceBK: true, decrypt: true, wantBK: true, ok: true},
		{name: "source with, destination without, no Decrypt", sourceBK: true, wantBK: true},
		// "When an S3 Bucket Key is enabled for the source or destination bucket" S3
		// needs kms:Decrypt [replication-config-for-kms-objects]: the conservative reading
		{name: "source without, destination with, no Decrypt", destBK: true},
		{name: "source without, destination with, Decrypt granted", destBK: true, decrypt: true, ok: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			actions := `["kms:Encrypt","kms:GenerateDataKey"]`
			if c.decrypt {
				actions = `["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"]`
			}
			s := newReplication(t, withReplicaKeyActions(actions))
			s.must(s.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: s.srcKey.ARN, BucketKey: c.sourceBK}))
			s.must(s.dst.PutBucketEncryption(ctx, dstRegion, "dst-bucket", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: s.dstKey.ARN, BucketKey: c.destBK}))
			version := s.upload("k", awsops.PutOptions{})
			status := s.statusAfterLatency("k", version)
			if !c.ok {
				failure, _ := s.cloud.ReplicationFailure("src-bucket", "k", version)
				if status != "FAILED" || failure.Reason != "DstPutObjectNotPermitted" || !strings.Contains(failure.Detail, "kms:Decrypt") {
					t.Fatalf("status %q, failure %+v; want FAILED, DstPutObjectNotPermitted naming kms:Decrypt", status, failure)
				}
				return
			}
			if status != "COMPLETED" {
				t.Fatalf("status %q: %+v", status, s.cloud.ReplicationFailures("src-bucket", "k", version))
			}
			replica, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "k", version)
			s.must(err)
			if replica.BucketKey != c.wantBK || replica.SSEKMSKeyID != s.dstKey.ARN {
				t.Errorf("replica %+v, want Bucket Key %v under the replica key", replica, c.wantBK)
			}
		})
	}
}

// TestReplicaEncryptionFacts: the facts the doctor's probes are tested against.
func TestReplicaEncryptionFacts(t *testing.T) {
	cases := []struct {
		srcAlg string
		srcBK  bool
		dstAlg string
		dstBK  bool
		want   []KMSRequest
	}{
		{"aws:kms", true, "aws:kms", false, []KMSRequest{{"kms:Encrypt", false}, {"kms:Encrypt", true}, {"kms:Decrypt", true}}},
		// a Bucket Key on the destination bucket only: the bucket context and kms:Decrypt
		// as well [replication-config-for-kms-objects]
		{"aws:kms", false, "aws:kms", true, []KMSRequest{{"kms:Encrypt", false}, {"kms:Encrypt", true}, {"kms:Decrypt", true}}},
		{"aws:kms", false, "aws:kms", false, []KMSRequest{{"kms:Encrypt", false}}},
		{"", false, "aws:kms", true, []KMSRequest{{"kms:GenerateDataKey", false}, {"kms:GenerateDataKey", true}, {"kms:Decrypt", true}}},
		{"", false, "aws:kms", false, []KMSRequest{{"kms:GenerateDataKey", false}}},
		{"AES256", false, "aws:kms", true, nil},
	}
	for _, c := range cases {
		got := ReplicaKeyRequests(ReplicaEncryptionFor(c.srcAlg, c.srcBK, c.dstAlg, c.dstBK))
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%+v: %v, want %v", c, got, c.want)
		}
	}
}

// TestEveryFailureReasonIsAWSs: the simulated S3 reports only reasons of the User
// Guide's table [replication-failure-codes].
func TestEveryFailureReasonIsAWSs(t *testing.T) {
	source, err := os.ReadFile("engine.go")
	if err != nil {
		t.Fatal(err)
	}
	reasons := regexp.MustCompile(`fail\("(\w+)"`).FindAllStringSubmatch(string(source), -1)
	if len(reasons) < 10 {
		t.Fatalf("found only %d failure reasons in engine.go", len(reasons))
	}
	for _, m := range reasons {
		if _, ok := FailureReasons[m[1]]; !ok {
			t.Errorf("engine.go reports %s, which is not in the User Guide's table", m[1])
		}
	}
}

// TestUnencryptedSourceNeedsGenerateDataKey: an unencrypted source object into a
// bucket whose default is SSE-KMS is encrypted with the default key, for which S3
// asks kms:GenerateDataKey [replication-config-for-kms-objects]; kms:Encrypt alone
// does not do.
func TestUnencryptedSourceNeedsGenerateDataKey(t *testing.T) {
	for name, actions := range map[string]string{
		"Encrypt and Decrypt only": `["kms:Encrypt","kms:Decrypt"]`,
		"with GenerateDataKey":     `["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"]`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newReplication(t, withReplicaKeyActions(actions))
			version, err := s.cloud.PutUnencryptedObject("src-bucket", "legacy/k", []byte("from 2019"))
			s.must(err)
			status := s.statusAfterLatency("legacy/k", version)
			failure, _ := s.cloud.ReplicationFailure("src-bucket", "legacy/k", version)
			if !strings.Contains(actions, "GenerateDataKey") {
				if status != "FAILED" || failure.Reason != "DstPutObjectNotPermitted" || !strings.Contains(failure.Detail, "kms:GenerateDataKey") {
					t.Fatalf("status %q, failure %+v; want FAILED naming kms:GenerateDataKey", status, failure)
				}
				return
			}
			if status != "COMPLETED" {
				t.Fatalf("status %q: %+v", status, failure)
			}
			replica, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "legacy/k", version)
			s.must(err)
			if replica.SSEAlgorithm != "aws:kms" || replica.SSEKMSKeyID != s.dstKey.ARN || !replica.BucketKey {
				t.Errorf("replica %+v, want the destination's default: SSE-KMS, its key, a Bucket Key", replica)
			}
		})
	}
}

// TestDeleteMarkerReplication: a DELETE without a version id adds a delete marker,
// which S3 replicates only under a rule whose DeleteMarkerReplication is Enabled, and
// then only with s3:ReplicateDelete (DstDelObjNotPermitted without it)
// [delete-marker-replication, setting-repl-config-perm-overview, replication-failure-codes].
func TestDeleteMarkerReplication(t *testing.T) {
	markersOn := func(s *replicationSetup) {
		s.config = strings.Replace(s.config, `"DeleteMarkerReplication":{"Status":"Disabled"}`, `"DeleteMarkerReplication":{"Status":"Enabled"}`, 1)
	}
	withoutReplicateDelete := func(s *replicationSetup) {
		s.rolePolicy = strings.Replace(s.rolePolicy, `"s3:ReplicateDelete",`, ``, 1)
		s.dstBucketPolicy = strings.Replace(s.dstBucketPolicy, `"s3:ReplicateDelete",`, ``, 1)
	}
	for _, c := range []struct {
		name    string
		changes []func(*replicationSetup)
		replica bool   // the destination gets the marker
		failure string // S3's failure reason for the marker
	}{
		{name: "rule replicates delete markers", changes: []func(*replicationSetup){markersOn}, replica: true},
		{name: "rule does not", changes: nil},
		{name: "without s3:ReplicateDelete", changes: []func(*replicationSetup){markersOn, withoutReplicateDelete}, failure: "DstDelObjNotPermitted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newReplication(t, c.changes...)
			version := s.upload("k", awsops.PutOptions{})
			if status := s.statusAfterLatency("k", version); status != "COMPLETED" {
				t.Fatalf("the object itself: %q", status)
			}
			marker, err := s.cloud.DeleteObject("src-bucket", "k")
			s.must(err)
			s.settle()
			s.cloud.Step()
			_, err = s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "k", "")
			if got := awsops.IsNotFound(err); got != c.replica {
				t.Errorf("the destination's current version is gone: %v, want %v (%v)", got, c.replica, err)
			}
			failure, failed := s.cloud.ReplicationFailure("src-bucket", "k", marker)
			if failed != (c.failure != "") || failure.Reason != c.failure {
				t.Errorf("failure %+v, want %q", failure, c.failure)
			}
			if _, err := s.dst.HeadObject(ctx, dstRegion, "dst-bucket", "k", version); err != nil {
				t.Errorf("the replicated version itself: %v", err)
			}
		})
	}
}
