package evaluator

import (
	"net/url"
	"strings"
	"testing"
)

// The replication setup of DOMAIN.md: source account 111122223333 in us-east-1,
// destination account 444455556666 in eu-west-1.
const (
	srcAccount = "111122223333"
	dstAccount = "444455556666"
	srcKey     = "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-1111-1111-1111-111111111111"
	dstKey     = "arn:aws:kms:eu-west-1:444455556666:key/4444bbbb-4444-4444-4444-444444444444"
	srcViaS3   = "s3.us-east-1.amazonaws.com"
	dstViaS3   = "s3.eu-west-1.amazonaws.com"
)

func policy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// The role's permission policy, as DOMAIN.md lists it, with object-ARN encryption
// contexts only (no Bucket Keys).
var rolePolicy = policy(
	`{"Sid":"SourceRead","Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:ListBucket"],"Resource":"arn:aws:s3:::SRC"}`,
	`{"Sid":"SourceObjects","Effect":"Allow","Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::SRC/*"}`,
	`{"Sid":"Replicate","Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::DST/*"}`,
	`{"Sid":"DecryptSource","Effect":"Allow","Action":"kms:Decrypt","Resource":"`+srcKey+`",
	  "Condition":{"StringEquals":{"kms:ViaService":"`+srcViaS3+`"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::SRC/*"}}}`,
	`{"Sid":"EncryptDestination","Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey"],"Resource":"`+dstKey+`",
	  "Condition":{"StringEquals":{"kms:ViaService":"`+dstViaS3+`"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::DST/*"}}}`,
)

// The same policy allowing both encryption-context forms, as Bucket Keys need.
var rolePolicyWithBucketKeys = strings.ReplaceAll(strings.ReplaceAll(rolePolicy,
	`"arn:aws:s3:::SRC/*"}`, `["arn:aws:s3:::SRC","arn:aws:s3:::SRC/*"]}`),
	`"arn:aws:s3:::DST/*"}`, `["arn:aws:s3:::DST","arn:aws:s3:::DST/*"]}`)

var (
	// The default key policy: the account root may do everything, which enables IAM policies.
	srcKeyPolicy = policy(`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`)
	dstKeyPolicy = policy(`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}`)

	dstKeyPolicyForRole = policy(
		`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}`,
		`{"Sid":"S3ReplicationRole","Effect":"Allow","Principal":{"AWS":"`+roleARN+`"},"Action":["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}`)

	dstKeyPolicyForSourceAccount = policy(
		`{"Sid":"SourceAccount","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Encrypt","kms:GenerateDataKey"],"Resource":"*"}`)

	allowReplicationRole = `{"Sid":"S3ReplicationRole","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::DST/*"}`
	dstBucketPolicy      = policy(allowReplicationRole)

	denyInsecureTransport = `{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::DST","arn:aws:s3:::DST/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`

	trustS3 = policy(`{"Sid":"S3Replication","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::SRC"}}}`)
)

func kmsRequest(action, key, via, s3ARN string) Request {
	return Request{Principal: role, Action: action, Resource: key, Context: map[string][]string{
		"kms:ViaService": {via}, "kms:EncryptionContext:aws:s3:arn": {s3ARN}}}
}

func s3Request(principal Principal, action, resource, account string) Request {
	return Request{Principal: principal, Action: action, Resource: resource, ResourceAccount: account,
		Context: map[string][]string{"aws:SecureTransport": {"true"}}}
}

func assumeRoleBy(principal Principal, context map[string][]string) Request {
	return Request{Principal: principal, Action: "sts:AssumeRole", Resource: roleARN, Context: context}
}

type evaluation struct {
	name     string
	req      Request
	identity []string
	resource string
	kind     ResourceKind

	allowed      bool
	explicitDeny bool
	decidedBy    Side
	sid          string
	reason       string // a part the Reason must contain
}

func TestReplicationScenarios(t *testing.T) {
	cases := []evaluation{
		// Source key, same account, default key policy delegating to the account.
		{name: "decrypt source object", kind: KMSKey,
			req:      kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC/photos/cat.jpg"),
			identity: []string{rolePolicy}, resource: srcKeyPolicy,
			allowed: true, decidedBy: IdentitySide | ResourceSide, sid: "Enable IAM User Permissions", reason: `statement "DecryptSource" of the identity policies allows`},
		{name: "decrypt with Bucket Keys, policy lists only SRC/*", kind: KMSKey,
			req:      kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC"),
			identity: []string{rolePolicy}, resource: srcKeyPolicy,
			decidedBy: IdentitySide,
			reason:    `statement "DecryptSource" matches but its condition StringLike kms:EncryptionContext:aws:s3:arn ["arn:aws:s3:::SRC/*"] is false for the request's ["arn:aws:s3:::SRC"]`},
		{name: "decrypt with Bucket Keys, policy lists the bucket ARN too", kind: KMSKey,
			req:      kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC"),
			identity: []string{rolePolicyWithBucketKeys}, resource: srcKeyPolicy,
			allowed: true, decidedBy: IdentitySide | ResourceSide},
		{name: "decrypt through another Region's S3", kind: KMSKey,
			req:      kmsRequest("kms:Decrypt", srcKey, dstViaS3, "arn:aws:s3:::SRC/k"),
			identity: []string{rolePolicy}, resource: srcKeyPolicy,
			decidedBy: IdentitySide, reason: `condition StringEquals kms:ViaService ["s3.us-east-1.amazonaws.com"] is false for the request's ["s3.eu-west-1.amazonaws.com"]`},
		{name: "decrypt without kms:ViaService", kind: KMSKey,
			req:      Request{Principal: role, Action: "kms:Decrypt", Resource: srcKey, Context: map[string][]string{"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::SRC/k"}}},
			identity: []string{rolePolicy}, resource: srcKeyPolicy,
			decidedBy: IdentitySide, reason: "the request has no kms:ViaService"},
		{name: "same-account key policy delegating, no identity policy", kind: KMSKey,
			req:       kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC/k"),
			resource:  srcKeyPolicy,
			decidedBy: IdentitySide, reason: "only by naming account 111122223333"},
		{name: "same-account key policy naming the role, no identity policy", kind: KMSKey,
			req:      kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC/k"),
			resource: policy(`{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:Decrypt","Resource":"*"}`),
			allowed:  true, decidedBy: ResourceSide, sid: "Role"},
		{name: "same-account key policy neither delegating nor naming the role", kind: KMSKey,
			req:       kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC/k"),
			identity:  []string{rolePolicy},
			resource:  policy(`{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"kms:*","Resource":"*"}`),
			decidedBy: ResourceSide, reason: "a KMS key is usable only when its key policy allows it"},
		{name: "role session uses the key like the role", kind: KMSKey,
			req: func() Request {
				r := kmsRequest("kms:Decrypt", srcKey, srcViaS3, "arn:aws:s3:::SRC/k")
				r.Principal = roleSession
				return r
			}(),
			resource: policy(`{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"kms:Decrypt","Resource":"*"}`),
			allowed:  true, decidedBy: ResourceSide},

		// Destination key, cross-account.
		{name: "destination key policy missing the role", kind: KMSKey,
			req:      kmsRequest("kms:GenerateDataKey", dstKey, dstViaS3, "arn:aws:s3:::DST/k"),
			identity: []string{rolePolicy}, resource: dstKeyPolicy,
			decidedBy: ResourceSide, reason: "cross-account access needs both the identity policies and the key policy to allow it: no statement of the key policy allows " + roleARN + " to call kms:GenerateDataKey"},
		{name: "destination key policy naming the role", kind: KMSKey,
			req:      kmsRequest("kms:GenerateDataKey", dstKey, dstViaS3, "arn:aws:s3:::DST/k"),
			identity: []string{rolePolicy}, resource: dstKeyPolicyForRole,
			allowed: true, decidedBy: IdentitySide | ResourceSide, sid: "S3ReplicationRole"},
		{name: "destination key policy naming the role, role policy lacking the action", kind: KMSKey,
			req:      kmsRequest("kms:Decrypt", dstKey, dstViaS3, "arn:aws:s3:::DST/k"),
			identity: []string{rolePolicy}, resource: dstKeyPolicyForRole,
			decidedBy: IdentitySide, reason: "no statement of the identity policies allows"},
		{name: "destination key policy delegating to the source account", kind: KMSKey,
			req:      kmsRequest("kms:Encrypt", dstKey, dstViaS3, "arn:aws:s3:::DST/k"),
			identity: []string{rolePolicy}, resource: dstKeyPolicyForSourceAccount,
			allowed: true, decidedBy: IdentitySide | ResourceSide, sid: "SourceAccount"},
		{name: "destination key with a VPC-endpoint deny", kind: KMSKey,
			req:      kmsRequest("kms:GenerateDataKey", dstKey, dstViaS3, "arn:aws:s3:::DST/k"),
			identity: []string{rolePolicy},
			resource: policy(
				`{"Sid":"S3ReplicationRole","Effect":"Allow","Principal":{"AWS":"`+roleARN+`"},"Action":"kms:*","Resource":"*"}`,
				`{"Sid":"OnlyFromVpce","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`),
			explicitDeny: true, decidedBy: ResourceSide, sid: "OnlyFromVpce"},

		// Destination bucket, cross-account.
		{name: "bucket policy allows the role, role policy missing", kind: S3Bucket,
			req:       s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount),
			resource:  dstBucketPolicy,
			decidedBy: IdentitySide, reason: "cross-account access needs both the identity policies and the bucket policy"},
		{name: "bucket policy and role policy allow", kind: S3Bucket,
			req:      s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount),
			identity: []string{rolePolicy}, resource: dstBucketPolicy,
			allowed: true, decidedBy: IdentitySide | ResourceSide, sid: "S3ReplicationRole"},
		{name: "role policy allows, no bucket policy", kind: S3Bucket,
			req:       s3Request(role, "s3:ReplicateTags", "arn:aws:s3:::DST/k", dstAccount),
			identity:  []string{rolePolicy},
			decidedBy: ResourceSide, reason: "there are no statements in the bucket policy"},
		{name: "unknown bucket account counts as cross-account", kind: S3Bucket,
			req:       s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", ""),
			identity:  []string{rolePolicy},
			decidedBy: ResourceSide, reason: "cross-account"},
		{name: "bucket policy denies insecure transport", kind: S3Bucket,
			req: func() Request {
				r := s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount)
				r.Context["aws:SecureTransport"] = []string{"false"}
				return r
			}(),
			identity: []string{rolePolicy}, resource: policy(denyInsecureTransport, allowReplicationRole),
			explicitDeny: true, decidedBy: ResourceSide, sid: "DenyInsecureTransport", reason: `statement "DenyInsecureTransport" of the bucket policy explicitly denies`},
		{name: "secure transport is not denied", kind: S3Bucket,
			req:      s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount),
			identity: []string{rolePolicy}, resource: policy(denyInsecureTransport, allowReplicationRole),
			allowed: true, decidedBy: IdentitySide | ResourceSide, sid: "S3ReplicationRole"},
		{name: "resource names are case-sensitive", kind: S3Bucket,
			req:      s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::dst/k", dstAccount),
			identity: []string{rolePolicy}, resource: dstBucketPolicy,
			decidedBy: IdentitySide | ResourceSide},
		{name: "actions are case-insensitive", kind: S3Bucket,
			req:      s3Request(role, "S3:replicateobject", "arn:aws:s3:::DST/k", dstAccount),
			identity: []string{rolePolicy}, resource: dstBucketPolicy,
			allowed: true, decidedBy: IdentitySide | ResourceSide},

		// Source bucket, same account: either policy suffices (the IAM User Guide's
		// single-account rule).
		{name: "same account, identity policy only", kind: S3Bucket,
			req:      s3Request(role, "s3:GetObjectVersionForReplication", "arn:aws:s3:::SRC/k", srcAccount),
			identity: []string{rolePolicy},
			allowed:  true, decidedBy: IdentitySide, sid: "SourceObjects"},
		{name: "same account, bucket policy naming the role only", kind: S3Bucket,
			req:      s3Request(role, "s3:GetObjectVersionForReplication", "arn:aws:s3:::SRC/k", srcAccount),
			resource: policy(`{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"s3:GetObjectVersion*","Resource":"arn:aws:s3:::SRC/*"}`),
			allowed:  true, decidedBy: ResourceSide, sid: "Role"},
		{name: "same account, bucket policy naming only the account", kind: S3Bucket,
			req:       s3Request(role, "s3:GetObjectVersionForReplication", "arn:aws:s3:::SRC/k", srcAccount),
			resource:  policy(`{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"arn:aws:s3:::SRC/*"}`),
			decidedBy: IdentitySide | ResourceSide, reason: "neither the identity policies nor the bucket policy allow it"},
		{name: "identity deny beats bucket allow", kind: S3Bucket,
			req:          s3Request(role, "s3:GetObjectVersionForReplication", "arn:aws:s3:::SRC/k", srcAccount),
			identity:     []string{rolePolicy, policy(`{"Effect":"Deny","Action":"s3:GetObject*","Resource":"*"}`)},
			resource:     policy(`{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"s3:*","Resource":"arn:aws:s3:::SRC/*"}`),
			explicitDeny: true, decidedBy: IdentitySide, reason: "statement 1 of policy 2 of the identity policies explicitly denies"},

		// NotPrincipal: deny everyone but the replication role (and its account).
		{name: "NotPrincipal exempts the role", kind: S3Bucket,
			req:      s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount),
			identity: []string{rolePolicy},
			resource: policy(allowReplicationRole,
				`{"Sid":"OnlyReplication","Effect":"Deny","NotPrincipal":{"AWS":["`+roleARN+`","`+rootARN+`"]},"Action":"s3:Replicate*","Resource":"arn:aws:s3:::DST/*"}`),
			allowed: true, decidedBy: IdentitySide | ResourceSide},
		{name: "NotPrincipal denies another role", kind: S3Bucket,
			req:          s3Request(otherRole, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount),
			identity:     []string{policy(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
			resource:     policy(`{"Sid":"OnlyReplication","Effect":"Deny","NotPrincipal":{"AWS":["` + roleARN + `","` + rootARN + `"]},"Action":"s3:Replicate*","Resource":"arn:aws:s3:::DST/*"}`),
			explicitDeny: true, decidedBy: ResourceSide, sid: "OnlyReplication"},
		{name: "NotPrincipal without the role's account denies the role", kind: S3Bucket,
			req:          s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount),
			identity:     []string{rolePolicy},
			resource:     policy(`{"Sid":"OnlyReplication","Effect":"Deny","NotPrincipal":{"AWS":"` + roleARN + `"},"Action":"s3:Replicate*","Resource":"arn:aws:s3:::DST/*"}`),
			explicitDeny: true, decidedBy: ResourceSide, sid: "OnlyReplication"},

		// Trust policy.
		{name: "S3 assumes the role for the source account", kind: IAMTrust,
			req:      assumeRoleBy(s3Service, map[string][]string{"aws:SourceAccount": {srcAccount}, "aws:SourceArn": {"arn:aws:s3:::SRC"}}),
			resource: trustS3,
			allowed:  true, decidedBy: ResourceSide, sid: "S3Replication"},
		{name: "S3 acting for another account", kind: IAMTrust,
			req:       assumeRoleBy(s3Service, map[string][]string{"aws:SourceAccount": {"999999999999"}, "aws:SourceArn": {"arn:aws:s3:::SRC"}}),
			resource:  trustS3,
			decidedBy: ResourceSide, reason: `condition StringEquals aws:SourceAccount ["111122223333"] is false for the request's ["999999999999"]`},
		{name: "S3 without source keys", kind: IAMTrust,
			req:       assumeRoleBy(s3Service, nil),
			resource:  trustS3,
			decidedBy: ResourceSide, reason: "the request has no aws:Source"},
		{name: "another service", kind: IAMTrust,
			req:       assumeRoleBy(Principal{Service: "batchoperations.s3.amazonaws.com"}, map[string][]string{"aws:SourceAccount": {srcAccount}, "aws:SourceArn": {"arn:aws:s3:::SRC"}}),
			resource:  trustS3,
			decidedBy: ResourceSide, reason: "no statement of the trust policy allows batchoperations.s3.amazonaws.com to call sts:AssumeRole"},
		{name: "service principal ignores identity policies", kind: IAMTrust,
			req:      assumeRoleBy(s3Service, map[string][]string{"aws:SourceAccount": {srcAccount}, "aws:SourceArn": {"arn:aws:s3:::SRC"}}),
			identity: []string{policy(`{"Effect":"Deny","Action":"*","Resource":"*"}`)}, resource: trustS3,
			allowed: true, decidedBy: ResourceSide},
		{name: "same-account role named in the trust policy", kind: IAMTrust,
			req:      assumeRoleBy(otherRole, nil),
			resource: policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/other"},"Action":"sts:AssumeRole"}`),
			allowed:  true, decidedBy: ResourceSide},
		{name: "trust policy naming the account needs an identity allow", kind: IAMTrust,
			req:       assumeRoleBy(otherRole, nil),
			resource:  policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`),
			decidedBy: IdentitySide | ResourceSide, reason: "statement 1 of the trust policy allows sts:AssumeRole only by naming account 111122223333"},
		{name: "trust policy naming the account, identity allows", kind: IAMTrust,
			req:      assumeRoleBy(otherRole, nil),
			identity: []string{policy(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}`)},
			resource: policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`),
			allowed:  true, decidedBy: IdentitySide},
		{name: "cross-account role named in the trust policy still needs its identity policy", kind: IAMTrust,
			req:       assumeRoleBy(foreignRole, nil),
			resource:  policy(`{"Effect":"Allow","Principal":{"AWS":"` + foreignRole.ARN + `"},"Action":"sts:AssumeRole"}`),
			decidedBy: IdentitySide, reason: "cross-account"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkDecision(t, Evaluate(c.req, c.identity, c.resource, c.kind), c)
		})
	}
}

func checkDecision(t *testing.T, got Decision, want evaluation) {
	t.Helper()
	if got.Allowed != want.allowed || got.ExplicitDeny != want.explicitDeny || got.DecidedBy != want.decidedBy {
		t.Errorf("allowed=%v explicitDeny=%v decidedBy=%v, want %v %v %v",
			got.Allowed, got.ExplicitDeny, got.DecidedBy, want.allowed, want.explicitDeny, want.decidedBy)
	}
	if want.sid != "" && got.MatchedSid != want.sid {
		t.Errorf("MatchedSid = %q, want %q", got.MatchedSid, want.sid)
	}
	if !strings.Contains(got.Reason, want.reason) {
		t.Errorf("Reason %q\nwant it to contain %q", got.Reason, want.reason)
	}
	if got.ExplicitDeny && (got.Statement == "" || !strings.HasPrefix(got.Reason, got.Statement+" explicitly denies")) {
		t.Errorf("Statement %q does not name the Deny the Reason names: %q", got.Statement, got.Reason)
	}
	if t.Failed() {
		t.Logf("reason: %s", got.Reason)
	}
}

func TestEvaluateOnePolicySet(t *testing.T) {
	allowAll := policy(`{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}`)
	replicate := s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount)
	cases := []struct {
		evaluation
		resourcePolicy bool // EvaluateResource on resource instead of EvaluateIdentity
		viaAccount     bool
	}{
		{evaluation: evaluation{name: "identity allow", req: replicate, identity: []string{rolePolicy},
			allowed: true, decidedBy: IdentitySide, sid: "Replicate", reason: `statement "Replicate" of the identity policies allows ` + roleARN + ` to call s3:ReplicateObject on arn:aws:s3:::DST/k`}},
		{evaluation: evaluation{name: "no identity policies", req: replicate,
			decidedBy: IdentitySide, reason: "no statement of the identity policies allows"}},
		{evaluation: evaluation{name: "URL-encoded identity policy, as IAM returns it", req: replicate, identity: []string{url.QueryEscape(rolePolicy)},
			allowed: true, decidedBy: IdentitySide, sid: "Replicate"}},
		{evaluation: evaluation{name: "an invalid policy does not spoil the valid ones", req: replicate, identity: []string{allowAll, "{not json"},
			allowed: true, decidedBy: IdentitySide, sid: "All"}},
		{evaluation: evaluation{name: "invalid identity policy allows nothing", req: replicate, identity: []string{rolePolicy[:40]},
			decidedBy: IdentitySide, reason: "policy 1 of the identity policies is not a valid policy document"}},
		{evaluation: evaluation{name: "NotAction allows the rest", req: replicate,
			identity: []string{policy(`{"Sid":"NotIAM","Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)},
			allowed:  true, decidedBy: IdentitySide, sid: "NotIAM"}},
		{evaluation: evaluation{name: "NotAction excludes", req: Request{Principal: role, Action: "iam:CreateRole", Resource: "*"},
			identity:  []string{policy(`{"Sid":"NotIAM","Effect":"Allow","NotAction":"iam:*","Resource":"*"}`)},
			decidedBy: IdentitySide}},
		{evaluation: evaluation{name: "NotResource deny spares the listed bucket", req: replicate,
			identity: []string{allowAll, policy(`{"Sid":"OnlyDST","Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::DST","arn:aws:s3:::DST/*"]}`)},
			allowed:  true, decidedBy: IdentitySide}},
		{evaluation: evaluation{name: "NotResource deny hits others", req: s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::OTHER/k", dstAccount),
			identity:     []string{allowAll, policy(`{"Sid":"OnlyDST","Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::DST","arn:aws:s3:::DST/*"]}`)},
			explicitDeny: true, decidedBy: IdentitySide, sid: "OnlyDST"}},
		{evaluation: evaluation{name: "statement without Resource allows nothing in an identity policy", req: replicate,
			identity:  []string{policy(`{"Effect":"Allow","Action":"s3:*"}`)},
			decidedBy: IdentitySide}},
		{evaluation: evaluation{name: "Principal in an identity policy is ignored", req: replicate,
			identity: []string{policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/x"},"Action":"s3:*","Resource":"*"}`)},
			allowed:  true, decidedBy: IdentitySide, reason: "statement 1 of the identity policies allows"}},
		{evaluation: evaluation{name: "unsupported operator is named", req: replicate,
			identity:  []string{policy(`{"Sid":"Max","Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}`)},
			decidedBy: IdentitySide, reason: `statement "Max" matches but its condition operator NumericLessThan is not supported`}},

		{resourcePolicy: true, evaluation: evaluation{name: "resource policy naming the role", req: replicate, resource: dstBucketPolicy,
			allowed: true, decidedBy: ResourceSide, sid: "S3ReplicationRole", reason: `statement "S3ReplicationRole" of the resource policy allows`}},
		{resourcePolicy: true, viaAccount: true, evaluation: evaluation{name: "key policy naming the account", req: kmsRequest("kms:Encrypt", dstKey, dstViaS3, "arn:aws:s3:::DST/k"), resource: dstKeyPolicyForSourceAccount,
			allowed: true, decidedBy: ResourceSide, sid: "SourceAccount", reason: "only by naming account 111122223333"}},
		{resourcePolicy: true, evaluation: evaluation{name: "resource policy statement without principal names nobody", req: replicate,
			resource:  policy(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
			decidedBy: ResourceSide}},
		{resourcePolicy: true, evaluation: evaluation{name: "empty resource policy", req: replicate,
			decidedBy: ResourceSide, reason: "(there are no statements in the resource policy)"}},
		{resourcePolicy: true, evaluation: evaluation{name: "aws:PrincipalArn comes from the principal", req: replicate,
			resource: policy(`{"Sid":"ByArn","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"` + roleARN + `"}}}`),
			allowed:  true, decidedBy: ResourceSide, sid: "ByArn"}},
		{resourcePolicy: true, evaluation: evaluation{name: "aws:PrincipalAccount comes from the principal", req: replicate,
			resource: policy(`{"Sid":"ByAccount","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}`),
			allowed:  true, decidedBy: ResourceSide, sid: "ByAccount"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got Decision
			if c.resourcePolicy {
				got = EvaluateResource(c.resource, c.req)
			} else {
				got = EvaluateIdentity(c.identity, c.req)
			}
			checkDecision(t, got, c.evaluation)
			if got.ViaAccount != c.viaAccount && c.allowed {
				t.Errorf("ViaAccount = %v, want %v", got.ViaAccount, c.viaAccount)
			}
		})
	}
}

// denyOutsideOrg is the common guardrail: deny everyone outside the organization.
const denyOutsideOrg = `{"Sid":"DenyOutsideOrg","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::DST/*",` +
	`"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}}`

// TestUnknowableKeysMakeADenyUncertain: the caller cannot know the role's
// organization. Without saying so, the missing key makes StringNotEquals hold and the
// Deny decide, as AWS would for a principal outside any organization; said to be
// unknowable, the Deny is reported as uncertain and the Allow decides.
func TestUnknowableKeysMakeADenyUncertain(t *testing.T) {
	req := s3Request(role, "s3:ReplicateObject", "arn:aws:s3:::DST/k", dstAccount)
	bucketPolicy := policy(denyOutsideOrg, allowReplicationRole)

	known := Evaluate(req, []string{rolePolicy}, bucketPolicy, S3Bucket)
	if !known.ExplicitDeny || known.Uncertain != nil {
		t.Fatalf("with the key simply missing: explicitDeny=%v uncertain=%v, want a Deny", known.ExplicitDeny, known.Uncertain)
	}

	req.Unknowable = []string{"aws:PrincipalOrgID", "aws:PrincipalTag/"}
	got := Evaluate(req, []string{rolePolicy}, bucketPolicy, S3Bucket)
	if got.ExplicitDeny || !got.Allowed {
		t.Fatalf("explicitDeny=%v allowed=%v (%s), want allowed with the Deny uncertain", got.ExplicitDeny, got.Allowed, got.Reason)
	}
	if got.Uncertain == nil || got.Uncertain.Statement != `statement "DenyOutsideOrg" of the bucket policy` ||
		!strings.Contains(got.Uncertain.Condition, "aws:PrincipalOrgID") {
		t.Fatalf("uncertain = %+v", got.Uncertain)
	}

	req.Context["aws:PrincipalOrgID"] = []string{"o-abc123"}
	if inOrg := Evaluate(req, []string{rolePolicy}, bucketPolicy, S3Bucket); !inOrg.Allowed || inOrg.Uncertain != nil {
		t.Fatalf("a known value decides: allowed=%v uncertain=%+v", inOrg.Allowed, inOrg.Uncertain)
	}

	tagged := policy(strings.ReplaceAll(denyOutsideOrg, "aws:PrincipalOrgID", "aws:PrincipalTag/team"), allowReplicationRole)
	req.Context = map[string][]string{}
	if byTag := Evaluate(req, []string{rolePolicy}, tagged, S3Bucket); byTag.ExplicitDeny || byTag.Uncertain == nil {
		t.Fatalf("a family of keys (aws:PrincipalTag/) is unknowable too: %+v", byTag)
	}

	failing := policy(strings.Replace(denyOutsideOrg, `"StringNotEquals"`, `"Bool":{"aws:SecureTransport":"false"},"StringNotEquals"`, 1), allowReplicationRole)
	if other := Evaluate(req, []string{rolePolicy}, failing, S3Bucket); other.Uncertain != nil {
		t.Fatalf("a condition that fails on a known key settles the statement: %+v", other.Uncertain)
	}
}

// TestEveryDenyIsListed: Denials names every Deny statement that applies, of the
// resource policy and the identity policies, not only the deciding one.
func TestEveryDenyIsListed(t *testing.T) {
	deny := func(sid string) string {
		return `{"Sid":"` + sid + `","Effect":"Deny","Principal":"*","Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::DST/*"}`
	}
	bucket := policy(deny("One"), `{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::DST/*"}`, deny("Two"))
	identity := policy(`{"Sid":"Three","Effect":"Deny","Action":"s3:Replicate*","Resource":"*"}`)
	req := Request{Principal: Principal{ARN: "arn:aws:iam::" + srcAccount + ":role/r", AccountID: srcAccount},
		Action: "s3:ReplicateObject", Resource: "arn:aws:s3:::DST/k", ResourceAccount: dstAccount}
	d := Evaluate(req, []string{identity}, bucket, S3Bucket)
	var got []string
	for _, denial := range d.Denials {
		got = append(got, denial.Statement)
	}
	want := `statement "One" of the bucket policy|statement "Two" of the bucket policy|statement "Three" of the identity policies`
	if !d.ExplicitDeny || strings.Join(got, "|") != want {
		t.Fatalf("denials %q, want %s", got, want)
	}
}
