package simcloud

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

const readPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::src-bucket/*"}]}`

func TestRoles(t *testing.T) {
	w := newTwoAccounts(t)
	trust := trustS3()
	created, err := w.src.CreateRole(ctx, "replication", trust, "replicates")
	w.must(err)
	want := awsops.Role{Name: "replication", ARN: "arn:aws:iam::" + srcAccount + ":role/replication", Path: "/", TrustPolicy: trust}
	if created != want {
		t.Errorf("CreateRole = %+v, want %+v", created, want)
	}
	got, err := w.src.GetRole(ctx, "replication")
	w.must(err)
	if got != want {
		t.Errorf("GetRole = %+v, want %+v", got, want)
	}
	_, err = w.dst.GetRole(ctx, "replication")
	wantErr(t, err, awsops.KindNotFound, "NoSuchEntity")
	_, err = w.src.CreateRole(ctx, "Replication", trust, "")
	wantErr(t, err, awsops.KindConflict, "EntityAlreadyExists")
	_, err = w.src.CreateRole(ctx, "no spaces", trust, "")
	wantErr(t, err, awsops.KindInvalidRequest, "ValidationError")

	newTrust := strings.Replace(trust, "src-bucket", "other-bucket", 1)
	w.must(w.src.UpdateAssumeRolePolicy(ctx, "replication", newTrust))
	if got, _ := w.src.GetRole(ctx, "replication"); got.TrustPolicy != newTrust {
		t.Errorf("trust policy after update: %s", got.TrustPolicy)
	}
	wantErr(t, w.src.UpdateAssumeRolePolicy(ctx, "nobody", newTrust), awsops.KindNotFound, "NoSuchEntity")
}

func TestRoleWithPath(t *testing.T) {
	w := newTwoAccounts(t)
	role, err := w.cloud.AddRole(srcAccount, "/service-role/", "replication", trustS3())
	w.must(err)
	got, err := w.src.GetRole(ctx, "replication")
	w.must(err)
	if got != role || got.ARN != "arn:aws:iam::"+srcAccount+":role/service-role/replication" || got.Path != "/service-role/" {
		t.Errorf("role %+v", got)
	}
}

func TestInlineAndManagedPolicies(t *testing.T) {
	w := newTwoAccounts(t)
	_, err := w.src.CreateRole(ctx, "replication", trustS3(), "")
	w.must(err)
	w.must(w.src.PutRolePolicy(ctx, "replication", "zeta", readPolicy))
	w.must(w.src.PutRolePolicy(ctx, "replication", "alpha", readPolicy))
	names, err := w.src.ListRolePolicies(ctx, "replication")
	w.must(err)
	if strings.Join(names, ",") != "alpha,zeta" {
		t.Errorf("ListRolePolicies %v", names)
	}
	doc, err := w.src.GetRolePolicy(ctx, "replication", "alpha")
	w.must(err)
	if doc != readPolicy {
		t.Errorf("GetRolePolicy returned %q, want the document as put, not URL-encoded", doc)
	}
	_, err = w.src.GetRolePolicy(ctx, "replication", "missing")
	wantErr(t, err, awsops.KindNotFound, "NoSuchEntity")
	_, err = w.src.GetRolePolicy(ctx, "nobody", "alpha")
	wantErr(t, err, awsops.KindNotFound, "NoSuchEntity")
	_, err = w.src.ListRolePolicies(ctx, "nobody")
	wantErr(t, err, awsops.KindNotFound, "NoSuchEntity")

	attached, err := w.src.AttachedRolePolicies(ctx, "replication")
	w.must(err)
	if len(attached) != 0 {
		t.Errorf("attached %v", attached)
	}
	w.must(w.cloud.AttachRolePolicy(srcAccount, "replication", readPolicy))
	if attached, _ := w.src.AttachedRolePolicies(ctx, "replication"); len(attached) != 1 || attached[0].Document != readPolicy {
		t.Errorf("attached %v", attached)
	}
}

func TestIAMPolicyValidation(t *testing.T) {
	w := newTwoAccounts(t)
	_, err := w.src.CreateRole(ctx, "replication", trustS3(), "")
	w.must(err)
	identity := map[string]string{
		"broken JSON":  `{"Version":"2012-10-17","Statement":[{]}`,
		"principal":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`,
		"no resource":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`,
		"bad version":  `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		"policy name!": readPolicy,
	}
	for name, doc := range identity {
		t.Run("identity "+name, func(t *testing.T) {
			policyName := "ok"
			code := "MalformedPolicyDocument"
			if name == "policy name!" {
				policyName, code = "no spaces", "ValidationError"
			}
			wantErr(t, w.src.PutRolePolicy(ctx, "replication", policyName, doc), awsops.KindInvalidRequest, code)
		})
	}
	trust := map[string]string{
		"resource":          `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`,
		"no principal":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`,
		"unknown principal": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dstAccount + `:role/nobody"},"Action":"sts:AssumeRole"}]}`,
	}
	for name, doc := range trust {
		t.Run("trust "+name, func(t *testing.T) {
			wantErr(t, w.src.UpdateAssumeRolePolicy(ctx, "replication", doc), awsops.KindInvalidRequest, "MalformedPolicyDocument")
			_, err := w.src.CreateRole(ctx, "another", doc, "")
			wantErr(t, err, awsops.KindInvalidRequest, "MalformedPolicyDocument")
		})
	}
	names, _ := w.src.ListRolePolicies(ctx, "replication")
	if len(names) != 0 {
		t.Errorf("refused policies were stored: %v", names)
	}
}

func TestPrincipalsThatExist(t *testing.T) {
	w := newTwoAccounts(t)
	_, err := w.cloud.AddRole(srcAccount, "/service-role/", "replication", trustS3())
	w.must(err)
	trust := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
	}
	for i, principal := range []string{
		"*", dstAccount, "arn:aws:iam::" + dstAccount + ":root", "arn:aws:iam::" + dstAccount + ":user/dst",
		"arn:aws:iam::" + srcAccount + ":role/service-role/replication",
		"arn:aws:sts::" + srcAccount + ":assumed-role/replication/session",
	} {
		if _, err := w.dst.CreateRole(ctx, fmt.Sprintf("role-%d", i), trust(principal), ""); err != nil {
			t.Errorf("principal %s: %v", principal, err)
		}
	}
}
