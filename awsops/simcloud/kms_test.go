package simcloud

import (
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

func TestListKeysWithAliases(t *testing.T) {
	w := newTwoAccounts(t)
	replica := w.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Alias: "alias/replica", Description: "replicas"})
	w.must(w.dst.CreateAlias(ctx, dstRegion, "replica-too", replica.KeyID))
	signing := w.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Spec: "RSA_2048", Usage: "SIGN_VERIFY"})
	w.key(KeySpec{AccountID: dstAccount, Region: srcRegion})
	w.key(KeySpec{AccountID: srcAccount, Region: dstRegion})

	keys, err := w.dst.ListKeys(ctx, dstRegion)
	w.must(err)
	if len(keys) != 2 {
		t.Fatalf("ListKeys: %d keys, want the account's 2 in %s: %+v", len(keys), dstRegion, keys)
	}
	if keys[0].ARN != replica.ARN || strings.Join(keys[0].Aliases, ",") != "alias/replica,alias/replica-too" {
		t.Errorf("first key %+v, want %s with both aliases", keys[0], replica.ARN)
	}
	if keys[1].ARN != signing.ARN || keys[1].Spec != "RSA_2048" || keys[1].Usage != "SIGN_VERIFY" || keys[1].Aliases != nil {
		t.Errorf("second key %+v", keys[1])
	}
	want := awsops.KeyInfo{KeyID: replica.KeyID, ARN: "arn:aws:kms:eu-west-1:" + dstAccount + ":key/" + replica.KeyID,
		Region: dstRegion, AccountID: dstAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT",
		Manager: "CUSTOMER", Description: "replicas", Aliases: []string{"alias/replica", "alias/replica-too"}}
	if got := keys[0]; got.KeyID != want.KeyID || got.ARN != want.ARN || got.Region != want.Region || got.AccountID != want.AccountID ||
		got.State != want.State || got.Spec != want.Spec || got.Usage != want.Usage || got.Manager != want.Manager || got.Description != want.Description {
		t.Errorf("key %+v, want %+v", got, want)
	}
}

func TestDescribeKey(t *testing.T) {
	w := newTwoAccounts(t)
	key := w.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Alias: "alias/replica"})
	refs := map[string]string{
		key.KeyID:       "",
		key.ARN:         "",
		"alias/replica": "alias/replica",
		"arn:aws:kms:" + dstRegion + ":" + dstAccount + ":alias/replica": "alias/replica",
	}
	for ref, alias := range refs {
		got, err := w.dst.DescribeKey(ctx, dstRegion, ref)
		w.must(err)
		if got.ARN != key.ARN || strings.Join(got.Aliases, ",") != alias {
			t.Errorf("DescribeKey(%s) = %+v, want %s with aliases %q", ref, got, key.ARN, alias)
		}
	}
	_, err := w.dst.DescribeKey(ctx, dstRegion, "alias/missing")
	wantErr(t, err, awsops.KindNotFound, "NotFoundException")
	_, err = w.dst.DescribeKey(ctx, srcRegion, key.ARN)
	wantErr(t, err, awsops.KindNotFound, "NotFoundException")
	_, err = w.src.DescribeKey(ctx, dstRegion, key.KeyID)
	wantErr(t, err, awsops.KindNotFound, "NotFoundException")
	_, err = w.src.DescribeKey(ctx, dstRegion, key.ARN)
	wantErr(t, err, awsops.KindAccessDenied, "AccessDeniedException")
}

func TestCrossAccountKeyUseNeedsTheKeyPolicy(t *testing.T) {
	w := newTwoAccounts(t)
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dstAccount + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Source","Effect":"Allow","Principal":{"AWS":"` + srcAccount + `"},"Action":["kms:DescribeKey","kms:GetKeyPolicy"],"Resource":"*"}]}`
	key := w.key(KeySpec{AccountID: dstAccount, Region: dstRegion, Policy: policy})
	if _, err := w.src.DescribeKey(ctx, dstRegion, key.ARN); err != nil {
		t.Errorf("DescribeKey allowed by the key policy: %v", err)
	}
	got, err := w.src.GetKeyPolicy(ctx, dstRegion, key.ARN)
	if err != nil || got != policy {
		t.Errorf("GetKeyPolicy: %v", err)
	}
	err = w.src.PutKeyPolicy(ctx, dstRegion, key.ARN, policy)
	wantErr(t, err, awsops.KindAccessDenied, "AccessDeniedException")
}

func TestManagedS3KeyIsCreatedOnDemand(t *testing.T) {
	w := newTwoAccounts(t)
	keys, err := w.src.ListKeys(ctx, srcRegion)
	w.must(err)
	if len(keys) != 0 {
		t.Fatalf("keys before anyone asked: %+v", keys)
	}
	key, err := w.src.DescribeKey(ctx, srcRegion, "alias/aws/s3")
	w.must(err)
	if key.Manager != "AWS" || key.State != "Enabled" || key.AccountID != srcAccount {
		t.Errorf("aws/s3 key %+v", key)
	}
	again, err := w.src.DescribeKey(ctx, srcRegion, "alias/aws/s3")
	w.must(err)
	if again.ARN != key.ARN {
		t.Error("a second aws/s3 key was created")
	}
	if _, err := w.src.GetKeyPolicy(ctx, srcRegion, key.ARN); err != nil {
		t.Errorf("the account may read the aws/s3 key policy: %v", err)
	}
	err = w.src.PutKeyPolicy(ctx, srcRegion, key.ARN, DefaultKeyPolicy(srcAccount))
	wantErr(t, err, awsops.KindAccessDenied, "AccessDeniedException")
}

func TestCreateKey(t *testing.T) {
	w := newTwoAccounts(t)
	key, err := w.dst.CreateKey(ctx, dstRegion, "replicas", "")
	w.must(err)
	if key.Manager != "CUSTOMER" || key.Spec != "SYMMETRIC_DEFAULT" || key.Usage != "ENCRYPT_DECRYPT" || key.State != "Enabled" ||
		key.ARN != "arn:aws:kms:"+dstRegion+":"+dstAccount+":key/"+key.KeyID || key.Description != "replicas" {
		t.Errorf("new key %+v", key)
	}
	policy, err := w.dst.GetKeyPolicy(ctx, dstRegion, key.KeyID)
	w.must(err)
	sameJSON(t, policy, DefaultKeyPolicy(dstAccount))

	w.must(w.dst.CreateAlias(ctx, dstRegion, "alias/replicas", key.ARN))
	wantErr(t, w.dst.CreateAlias(ctx, dstRegion, "replicas", key.KeyID), awsops.KindConflict, "AlreadyExistsException")
	wantErr(t, w.dst.CreateAlias(ctx, dstRegion, "alias/aws/mine", key.KeyID), awsops.KindInvalidRequest, "InvalidAliasNameException")
	wantErr(t, w.dst.CreateAlias(ctx, dstRegion, "alias/other", "missing-key"), awsops.KindNotFound, "NotFoundException")
}

func TestKeyPolicyValidation(t *testing.T) {
	w := newTwoAccounts(t)
	_, err := w.cloud.AddRole(srcAccount, "/service-role/", "replication", trustS3())
	w.must(err)
	key := w.key(KeySpec{AccountID: dstAccount, Region: dstRegion})
	owner := `{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dstAccount + `:root"},"Action":"kms:*","Resource":"*"}`
	doc := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	roleStatement := func(role string) string {
		return `{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":"kms:Encrypt","Resource":"*"}`
	}
	good := doc(owner, roleStatement("arn:aws:iam::"+srcAccount+":role/service-role/replication"))
	w.must(w.dst.PutKeyPolicy(ctx, dstRegion, key.ARN, good))
	if got, _ := w.dst.GetKeyPolicy(ctx, dstRegion, key.ARN); got != good {
		t.Errorf("policy came back as %s", got)
	}

	cases := map[string]string{
		"broken JSON":          `{"Statement":`,
		"unknown principal":    doc(owner, roleStatement("arn:aws:iam::"+srcAccount+":role/nobody")),
		"role without path":    doc(owner, roleStatement("arn:aws:iam::"+srcAccount+":role/replication")),
		"locks the caller out": doc(roleStatement("arn:aws:iam::" + srcAccount + ":role/service-role/replication")),
		"no principal":         doc(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`),
	}
	for name, policy := range cases {
		t.Run(name, func(t *testing.T) {
			wantErr(t, w.dst.PutKeyPolicy(ctx, dstRegion, key.ARN, policy), awsops.KindInvalidRequest, "MalformedPolicyDocumentException")
			_, err := w.dst.CreateKey(ctx, dstRegion, "", policy)
			wantErr(t, err, awsops.KindInvalidRequest, "MalformedPolicyDocumentException")
		})
	}
	if got, _ := w.dst.GetKeyPolicy(ctx, dstRegion, key.ARN); got != good {
		t.Error("a refused policy replaced the key policy")
	}
	err = w.dst.PutKeyPolicy(ctx, dstRegion, key.ARN, cases["unknown principal"])
	if advice := awsops.Advice(err); !strings.Contains(advice, "Policy contains a statement with one or more invalid principals.") {
		t.Errorf("advice %q does not pass on KMS's message for an unknown principal", advice)
	}
}

func TestKMSInARegionThatIsNotEnabled(t *testing.T) {
	w := newTwoAccounts(t, WithRegions(srcRegion))
	_, err := w.src.ListKeys(ctx, "ap-east-2")
	wantErr(t, err, awsops.KindBadCredentials, "UnrecognizedClientException")
	_, err = w.src.CreateKey(ctx, "ap-east-2", "", "")
	wantErr(t, err, awsops.KindBadCredentials, "UnrecognizedClientException")
	_, err = w.src.DescribeKey(ctx, "ap-east-2", "alias/aws/s3")
	wantErr(t, err, awsops.KindBadCredentials, "UnrecognizedClientException")
}
