package simcloud

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/s3repl/s3repl/awsops"
)

const (
	srcAccount = "111122223333"
	dstAccount = "444455556666"
	srcRegion  = "us-east-1"
	dstRegion  = "eu-west-1"
)

var ctx = context.Background()

// twoAccounts is a cloud with a profile for each of two accounts and a clock that
// moves only when told.
type twoAccounts struct {
	t     *testing.T
	cloud *Cloud
	clock *ManualClock
	src   *Account
	dst   *Account
}

func newTwoAccounts(t *testing.T, opts ...Option) *twoAccounts {
	t.Helper()
	clock := NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	c := New(append([]Option{WithClock(clock)}, opts...)...)
	c.AddProfile(Profile{Name: "src", AccountID: srcAccount, Region: srcRegion})
	c.AddProfile(Profile{Name: "dst", AccountID: dstAccount, Region: dstRegion})
	w := &twoAccounts{t: t, cloud: c, clock: clock}
	w.src, w.dst = w.account("src"), w.account("dst")
	return w
}

func (w *twoAccounts) account(profile string) *Account {
	w.t.Helper()
	a, err := w.cloud.Account(profile)
	w.must(err)
	return a
}

func (w *twoAccounts) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// bucket creates a bucket, versioned when asked.
func (w *twoAccounts) bucket(a *Account, region, name string, versioned bool) {
	w.t.Helper()
	w.must(a.CreateBucket(ctx, region, name))
	if versioned {
		w.must(a.PutBucketVersioning(ctx, region, name))
	}
}

func (w *twoAccounts) key(spec KeySpec) awsops.KeyInfo {
	w.t.Helper()
	info, err := w.cloud.AddKey(spec)
	w.must(err)
	return info
}

// wantErr checks err is the OpError an SDK-backed Account would return for an AWS
// error with this Kind and code.
func wantErr(t *testing.T, err error, kind awsops.Kind, code string) {
	t.Helper()
	var op *awsops.OpError
	if !errors.As(err, &op) {
		t.Fatalf("error %v (%T) is no *awsops.OpError", err, err)
	}
	var apiErr smithy.APIError
	if op.Kind != kind || op.Code != code || !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("error %v: kind %s code %q, want kind %s code %q", err, op.Kind, op.Code, kind, code)
	}
}

func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%v in %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%v in %s", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs:\n got %s\nwant %s", got, want)
	}
}

// trustS3 lets S3 assume a role, as the S3 User Guide documents the replication
// role's trust [setting-repl-config-perm-overview]: no condition.
func trustS3() string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"sts:AssumeRole"}]}`
}

// trustS3ForSource lets S3 assume a role only with aws:SourceAccount and aws:SourceArn
// naming one bucket of one account, with operator "StringEquals"/"ArnLike" or their
// IfExists forms.
func trustS3ForSource(account, bucket string, ifExists bool) string {
	suffix := ""
	if ifExists {
		suffix = "IfExists"
	}
	return `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"sts:AssumeRole","Condition":{"StringEquals` + suffix + `":{"aws:SourceAccount":"` + account + `"},` +
		`"ArnLike` + suffix + `":{"aws:SourceArn":"arn:aws:s3:::` + bucket + `"}}}]}`
}
