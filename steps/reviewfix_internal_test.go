package steps

import (
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
	"github.com/s3repl/s3repl/awsops/policy"
)

// withoutBucketKeys is existingState with S3 Bucket Keys off in both buckets'
// defaults.
func withoutBucketKeys() (Setup, *State) {
	s, st := existingState()
	st.Source.Encryption.BucketKey = false
	st.Destination.Encryption.BucketKey = false
	return s, st
}

// TestReplicaKeyDecryptWhateverTheDefaults: an object uploaded with a Bucket Key
// while the buckets' defaults have none keeps it on its replica, and S3 then decrypts
// with the replica key [bucket-key, Example 1; replication-config-for-kms-objects]:
// the role policy and the replica key policy grant kms:Decrypt whatever the defaults.
func TestReplicaKeyDecryptWhateverTheDefaults(t *testing.T) {
	s, st := withoutBucketKeys()
	plan := mustPlan(t, s, st)
	req := evaluator.Request{
		Principal: evaluator.Principal{ARN: plan.Facts.RoleARN, AccountID: srcAccount}, Action: "kms:Decrypt",
		Resource: dstKeyARN, ResourceAccount: dstAccount,
		Context: map[string][]string{"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::my-dst"},
			"kms:CallerAccount": {srcAccount}},
	}
	role := changeByID(t, plan, "role-policy").After
	key := changeByID(t, plan, "dst-key-policy").After
	if d := evaluator.Evaluate(req, []string{role}, key, evaluator.KMSKey); !d.Allowed {
		t.Fatalf("kms:Decrypt on the replica key in the bucket's context: %s\nrole policy:\n%s\nkey policy:\n%s", d.Reason, role, key)
	}
}

// TestDoctorProbesDecryptForSampledBucketKeys: with the buckets' defaults off, a
// sampled object that uses a Bucket Key makes the doctor ask for kms:Decrypt on the
// replica key, in the bucket's context.
func TestDoctorProbesDecryptForSampledBucketKeys(t *testing.T) {
	s, st := withoutBucketKeys()
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN, replicaKey: st.Destination.Key}
	if probed(d, "kms:Decrypt") {
		t.Fatal("kms:Decrypt probed with no Bucket Key anywhere")
	}
	d.samples = []sampledObject{{Key: "a", KMSKeyID: srcKeyARN}, {Key: "b", KMSKeyID: srcKeyARN, BucketKey: true}}
	if !probed(d, "kms:Decrypt arn:aws:s3:::my-dst") {
		t.Fatalf("a sampled object with a Bucket Key: kms:Decrypt on the replica key not probed in the bucket's context")
	}
}

// probed reports whether the doctor's replica key probes hold one whose action (and
// context, when given after a space) match want.
func probed(d *diagnosis, want string) bool {
	for _, p := range ofKind(d.destProbes(), evaluator.KMSKey) {
		got := p.req.Action
		if strings.Contains(want, " ") {
			got += " " + p.req.Context["kms:EncryptionContext:aws:s3:arn"][0]
		}
		if got == want {
			return true
		}
	}
	return false
}

func documentOf(statements ...policy.Statement) string {
	doc := &policy.Document{}
	if _, err := doc.Upsert(statements...); err != nil {
		panic(err)
	}
	return doc.String()
}

// TestKeyPolicyForObjectsOnlyGetsOurStatement: in one account, a key policy that
// names the role only for the objects' context (BUCKET/*) does not let S3 in with a
// Bucket Key, whose context is the bucket ARN: s3repl's statement is added, for the
// replica key and for the source key.
func TestKeyPolicyForObjectsOnlyGetsOurStatement(t *testing.T) {
	s, st := existingState()
	st.Destination.Identity = st.Source.Identity
	key := "arn:aws:kms:eu-west-1:111111111111:key/33333333-3333-3333-3333-333333333333"
	s.Destination.KMSKey = key
	st.Destination.Key = &awsops.KeyInfo{ARN: key, Region: "eu-west-1", AccountID: srcAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
	objectsOnly := func(bucket string, actions string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"kms:*","Resource":"*"},` +
			`{"Sid":"RoleObjects","Effect":"Allow","Principal":{"AWS":"` + st.Role.Role.ARN + `"},"Action":` + actions + `,"Resource":"*",` +
			`"Condition":{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::` + bucket + `/*"}}}]}`
	}
	st.Destination.KeyPolicy = objectsOnly("my-dst", `["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"]`)
	st.Source.KeyPolicy = objectsOnly("my-src", `"kms:Decrypt"`)
	plan := mustPlan(t, s, st)
	for _, id := range []string{"dst-key-policy", "src-key-policy"} {
		if c := changeByID(t, plan, id); !c.Pending() {
			t.Errorf("%s: a key policy that lets the role in only for BUCKET/* is left alone:\n%s", id, c.After)
		}
	}
	st.Destination.KeyPolicy = strings.ReplaceAll(st.Destination.KeyPolicy, `"arn:aws:s3:::my-dst/*"`, `["arn:aws:s3:::my-dst/*","arn:aws:s3:::my-dst"]`)
	st.Source.KeyPolicy = strings.ReplaceAll(st.Source.KeyPolicy, `"arn:aws:s3:::my-src/*"`, `["arn:aws:s3:::my-src/*","arn:aws:s3:::my-src"]`)
	for _, c := range mustPlan(t, s, st).Changes {
		if (c.ID == "dst-key-policy" || c.ID == "src-key-policy") && c.Pending() {
			t.Errorf("%s: a key policy that lets the role in for both contexts gets our statement:\n%s", c.ID, c.After)
		}
	}
}

// TestDoctorAsksForObjectLockReads: with Object Lock on the source bucket, a role
// that may not read objects' retention and legal hold fails the doctor with AWS's
// reasons [setting-repl-config-perm-overview; replication-failure-codes]; s3repl's
// own role policy passes.
func TestDoctorAsksForObjectLockReads(t *testing.T) {
	s, st := existingState()
	st.Source.ObjectLock, st.Destination.ObjectLock = true, true
	plan := mustPlan(t, s, st)
	withoutLock := plan.Facts
	withoutLock.ObjectLock = false
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN, managedRead: true, rolePolicies: []string{documentOf(withoutLock.RolePolicyStatements()...)}}
	c := d.checkRolePermissions()
	if c.Status != DoctorFailed || !strings.Contains(c.Evidence, "SrcGetRetentionNotPermitted") || !strings.Contains(c.Evidence, "SrcGetLegalHoldNotPermitted") {
		t.Errorf("a role without the Object Lock reads: %s (%s)", c.Status, c.Evidence)
	}
	d.rolePolicies = []string{documentOf(plan.Facts.RolePolicyStatements()...)}
	if c := d.checkRolePermissions(); strings.Contains(c.Evidence, "Retention") || strings.Contains(c.Evidence, "LegalHold") {
		t.Errorf("s3repl's role policy: %s (%s)", c.Status, c.Evidence)
	}
}

// TestNetworkConditionsOnEveryKeyAndAccessPoints: a source key (default or of
// source.kmsKeys) limited to a VPC endpoint, or a bucket limited to access points,
// breaks replication [replication-troubleshoot]: the doctor names each.
func TestNetworkConditionsOnEveryKeyAndAccessPoints(t *testing.T) {
	s, st := existingState()
	vpce := func(sid string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}]}`
	}
	st.Source.KeyPolicy = vpce("SourceKeyVpce")
	extra := "arn:aws:kms:us-east-1:111111111111:key/44444444-4444-4444-4444-444444444444"
	st.Source.ExtraKeys = []SourceKey{{Key: awsops.KeyInfo{ARN: extra, Region: "us-east-1", AccountID: srcAccount, Manager: "CUSTOMER", State: "Enabled"}, Policy: vpce("ExtraKeyVpce")}}
	st.Destination.Policy = `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyAccessPoints","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::my-dst/*","Condition":{"StringNotEquals":{"s3:DataAccessPointAccount":"222222222222"}}},` +
		`{"Sid":"OnlyVPCOrigin","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::my-dst/*","Condition":{"StringNotEquals":{"s3:AccessPointNetworkOrigin":"VPC"}}}]}`
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN}
	c := d.checkNetworkConditions()
	for _, want := range []string{`"SourceKeyVpce"`, `"ExtraKeyVpce"`, `"OnlyAccessPoints"`, `"OnlyVPCOrigin"`} {
		if c.Status != DoctorFailed || !strings.Contains(c.Evidence, want) {
			t.Errorf("%s not named: %s (%s)", want, c.Status, c.Evidence)
		}
	}
}

// TestSourceKeyStatementIsPinnedToTheBucket: the source key policy statement lets the
// role decrypt through S3 for the source bucket's objects (and its Bucket Key
// context) only.
func TestSourceKeyStatementIsPinnedToTheBucket(t *testing.T) {
	s, st := existingState()
	st.Source.KeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"kms:*","Resource":"*"}]}`
	plan := mustPlan(t, s, st)
	after := changeByID(t, plan, "src-key-policy").After
	for context, want := range map[string]bool{"arn:aws:s3:::my-src/k": true, "arn:aws:s3:::my-src": true, "arn:aws:s3:::other/k": false, "arn:aws:s3:::other": false} {
		req := evaluator.Request{Principal: evaluator.Principal{ARN: plan.Facts.RoleARN, AccountID: srcAccount}, Action: "kms:Decrypt",
			Resource: srcKeyARN, ResourceAccount: srcAccount,
			Context: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {context}}}
		if got := evaluator.EvaluateResource(after, req).Allowed; got != want {
			t.Errorf("context %s: allowed %v, want %v\n%s", context, got, want, after)
		}
	}
}

// TestTrustEvidenceIsTrueToEveryUserGuide: an earlier User Guide showed a replication
// trust with a source condition, the current one none: the doctor's "could not tell"
// says what the current one shows, and never that AWS never documented the keys.
func TestTrustEvidenceIsTrueToEveryUserGuide(t *testing.T) {
	s, st := existingState()
	for _, condition := range []string{`{"StringEquals":{"aws:SourceAccount":"111111111111"}}`, `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::other-bucket"}}`} {
		st.Role.Role.TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Mine","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Condition":` + condition + `}]}`
		c := (&diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN}).checkTrust()
		if c.Status != DoctorUnknown || !strings.Contains(c.Evidence, "the current User Guide's replication trust has no condition") || strings.Contains(c.Evidence, "does not document") {
			t.Errorf("%s: %s (%s)", condition, c.Status, c.Evidence)
		}
	}
}

// TestObjectKeysAskTheKeyPolicy: KMS decides with the key policy as well as the
// role's: a same-account key whose policy names the role passes without the role's
// policy; a key of another account whose policy s3repl cannot read is "could not
// tell" even when the role's policy allows it.
func TestObjectKeysAskTheKeyPolicy(t *testing.T) {
	s, st := existingState()
	own := "arn:aws:kms:us-east-1:111111111111:key/55555555-5555-5555-5555-555555555555"
	other := "arn:aws:kms:us-east-1:333333333333:key/66666666-6666-6666-6666-666666666666"
	namesRole := `{"Version":"2012-10-17","Statement":[{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"` + st.Role.Role.ARN + `"},"Action":"kms:Decrypt","Resource":"*"}]}`
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN, managedRead: true,
		samples:           []sampledObject{{Key: "a", KMSKeyID: own}},
		objectKeyPolicies: map[string]string{own: namesRole}}
	if c := d.checkObjectKeys(); c.Status != DoctorPassed {
		t.Errorf("a same-account key whose policy names the role: %s (%s)", c.Status, c.Evidence)
	}
	d.samples = []sampledObject{{Key: "b", KMSKeyID: other}}
	d.rolePolicies = []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + other + `"}]}`}
	if c := d.checkObjectKeys(); c.Status != DoctorUnknown || !strings.Contains(c.Evidence, "could not read") {
		t.Errorf("another account's key with an unreadable policy: %s (%s)", c.Status, c.Evidence)
	}
}

// TestDoctorProbesSourceDecryptInEveryContext: the source key is probed in the
// object's context and, when objects use a Bucket Key (default or sampled), in the
// bucket's.
func TestDoctorProbesSourceDecryptInEveryContext(t *testing.T) {
	s, st := withoutBucketKeys()
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN}
	contexts := func() []string {
		var out []string
		for _, p := range ofKind(d.sourceProbes(), evaluator.KMSKey) {
			out = append(out, p.req.Context["kms:EncryptionContext:aws:s3:arn"][0])
		}
		return out
	}
	if got := contexts(); len(got) != 1 || got[0] == "arn:aws:s3:::my-src" {
		t.Errorf("no Bucket Key anywhere: %v", got)
	}
	d.samples = []sampledObject{{Key: "a", KMSKeyID: srcKeyARN, BucketKey: true}}
	if got := contexts(); len(got) != 2 || got[1] != "arn:aws:s3:::my-src" {
		t.Errorf("a sampled object with a Bucket Key: %v", got)
	}
	st.Source.Encryption.BucketKey, d.samples = true, nil
	if got := contexts(); len(got) != 2 {
		t.Errorf("the source default with a Bucket Key: %v", got)
	}
}

// TestRolePermissionsFixForADeny: a Deny in the role's own policies is not mended by
// writing the role's policy: the fix says to change the Deny.
func TestRolePermissionsFixForADeny(t *testing.T) {
	s, st := existingState()
	plan := mustPlan(t, s, st)
	deny := policy.Statement{Sid: "NoTags", Effect: "Deny", Action: strs("s3:GetObjectVersionTagging"), Resource: strs("*")}
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN, managedRead: true,
		rolePolicies: []string{documentOf(append(plan.Facts.RolePolicyStatements(), deny)...)}}
	if c := d.checkRolePermissions(); c.Status != DoctorFailed || !strings.Contains(c.Fix, "change the Deny statement") {
		t.Errorf("%s (%s); fix %q", c.Status, c.Evidence, c.Fix)
	}
}
