package simcloud

import (
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

// policyOfSize is an Allow policy of at least n bytes.
func policyOfSize(n int, statement string) string {
	var sts []string
	for size := 40; size < n; size += len(statement) + 1 {
		sts = append(sts, statement)
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`
}

func TestSizeLimitsAreEnforcedWithAWSErrors(t *testing.T) {
	w := newTwoAccounts(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err := w.src.CreateRole(ctx, "big", trust, "")
	w.must(err)
	logs := `{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:111122223333:log-group:app:*"}`
	w.must(w.src.PutRolePolicy(ctx, "big", "a", policyOfSize(6000, logs)))
	// white space does not count: the same policy indented still fits
	w.must(w.src.PutRolePolicy(ctx, "big", "a", strings.ReplaceAll(policyOfSize(6000, logs), ",", ",\n      ")))
	wantErr(t, w.src.PutRolePolicy(ctx, "big", "b", policyOfSize(4300, logs)), awsops.KindInvalidRequest, "LimitExceeded")

	bigTrust := policyOfSize(2100, `{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}`)
	wantErr(t, w.src.UpdateAssumeRolePolicy(ctx, "big", bigTrust), awsops.KindInvalidRequest, "LimitExceeded")
	_, err = w.src.CreateRole(ctx, "big-trust", bigTrust, "")
	wantErr(t, err, awsops.KindInvalidRequest, "LimitExceeded")

	w.bucket(w.dst, dstRegion, "dst-limits", true)
	read := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::dst-limits/*"}`
	w.must(w.dst.PutBucketPolicy(ctx, dstRegion, "dst-limits", policyOfSize(20000, read)))
	wantErr(t, w.dst.PutBucketPolicy(ctx, dstRegion, "dst-limits", policyOfSize(20500, read)), awsops.KindInvalidRequest, "MalformedPolicy")

	admin := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}`
	key, err := w.dst.CreateKey(ctx, dstRegion, "", policyOfSize(32000, admin))
	w.must(err)
	wantErr(t, w.dst.PutKeyPolicy(ctx, dstRegion, key.ARN, policyOfSize(32800, admin)), awsops.KindInvalidRequest, "LimitExceededException")
	_, err = w.dst.CreateKey(ctx, dstRegion, "", policyOfSize(32800, admin))
	wantErr(t, err, awsops.KindInvalidRequest, "LimitExceededException")
}
