package simcloud

import (
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

func TestPutObjectWithTheBucketsKMSDefault(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	key := w.key(KeySpec{AccountID: srcAccount, Region: srcRegion, Alias: "alias/source"})
	w.must(w.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: "alias/source", BucketKey: true}))

	version, err := w.src.PutObject(ctx, srcRegion, "src-bucket", "a/b.txt", []byte("hello"), awsops.PutOptions{})
	w.must(err)
	head, err := w.src.HeadObject(ctx, srcRegion, "src-bucket", "a/b.txt", "")
	w.must(err)
	want := awsops.ObjectHead{VersionID: version, SSEAlgorithm: "aws:kms", SSEKMSKeyID: key.ARN, BucketKey: true,
		LastModified: w.clock.Now(), ContentLength: 5}
	if head != want {
		t.Errorf("head %+v, want %+v", head, want)
	}
	if len(version) != 32 {
		t.Errorf("version id %q", version)
	}
}

func TestPutObjectWithAGivenKey(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	key := w.key(KeySpec{AccountID: srcAccount, Region: srcRegion})
	version, err := w.src.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{KMSKeyID: key.KeyID})
	w.must(err)
	head, err := w.src.HeadObject(ctx, srcRegion, "src-bucket", "k", version)
	w.must(err)
	if head.SSEKMSKeyID != key.ARN || head.BucketKey {
		t.Errorf("head %+v, want SSE-KMS under %s without Bucket Key", head, key.ARN)
	}
}

func TestPutObjectWithTheManagedKey(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	w.must(w.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "aws:kms"}))
	_, err := w.src.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{})
	w.must(err)
	head, err := w.src.HeadObject(ctx, srcRegion, "src-bucket", "k", "")
	w.must(err)
	managed := w.cloud.ManagedS3Key(srcAccount, srcRegion)
	if head.SSEKMSKeyID != managed.ARN || managed.Manager != "AWS" {
		t.Errorf("encrypted under %s, want the aws/s3 key %+v", head.SSEKMSKeyID, managed)
	}
}

func TestPutObjectRefusals(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	disabled := w.key(KeySpec{AccountID: srcAccount, Region: srcRegion, State: "Disabled"})
	signing := w.key(KeySpec{AccountID: srcAccount, Region: srcRegion, Spec: "ECC_NIST_P256", Usage: "SIGN_VERIFY"})
	foreign := w.key(KeySpec{AccountID: dstAccount, Region: srcRegion})
	cases := []struct {
		name, key string
		kind      awsops.Kind
		code      string
	}{
		{"unknown key", "alias/missing", awsops.KindNotFound, "KMS.NotFoundException"},
		{"disabled key", disabled.ARN, awsops.KindOther, "KMS.DisabledException"},
		{"signing key", signing.ARN, awsops.KindOther, "KMS.InvalidKeyUsageException"},
		{"another account's key", foreign.ARN, awsops.KindAccessDenied, "AccessDenied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.src.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{KMSKeyID: c.key})
			wantErr(t, err, c.kind, c.code)
		})
	}
	_, err := w.dst.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{})
	wantErr(t, err, awsops.KindAccessDenied, "AccessDenied")
	_, err = w.src.PutObject(ctx, srcRegion, "src-bucket", strings.Repeat("k", 1025), nil, awsops.PutOptions{})
	wantErr(t, err, awsops.KindInvalidRequest, "KeyTooLongError")
	if versions, _ := w.src.ListObjectVersions(ctx, srcRegion, "src-bucket", "", 0); len(versions) != 0 {
		t.Errorf("refused uploads were stored: %v", versions)
	}
}

func TestObjectsInAnUnversionedBucket(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", false)
	for _, body := range []string{"one", "three"} {
		version, err := w.src.PutObject(ctx, srcRegion, "src-bucket", "k", []byte(body), awsops.PutOptions{})
		w.must(err)
		if version != "" {
			t.Errorf("version id %q in an unversioned bucket", version)
		}
	}
	head, err := w.src.HeadObject(ctx, srcRegion, "src-bucket", "k", "")
	w.must(err)
	if head.ContentLength != 5 || head.SSEAlgorithm != "AES256" || head.SSEKMSKeyID != "" {
		t.Errorf("head %+v: want the second upload under SSE-S3", head)
	}
	versions, err := w.src.ListObjectVersions(ctx, srcRegion, "src-bucket", "", 0)
	w.must(err)
	if len(versions) != 1 || versions[0].VersionID != "null" {
		t.Errorf("versions %+v, want one null version", versions)
	}
}

func TestObjectVersions(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	put := func(key string) string {
		w.clock.Advance(time.Second)
		version, err := w.src.PutObject(ctx, srcRegion, "src-bucket", key, []byte(key), awsops.PutOptions{})
		w.must(err)
		return version
	}
	b1, a1, b2, other := put("logs/b"), put("logs/a"), put("logs/b"), put("other")

	versions, err := w.src.ListObjectVersions(ctx, srcRegion, "src-bucket", "logs/", 0)
	w.must(err)
	var got []string
	for _, v := range versions {
		got = append(got, v.Key+"@"+v.VersionID+map[bool]string{true: "*"}[v.IsLatest])
	}
	want := []string{"logs/a@" + a1 + "*", "logs/b@" + b2 + "*", "logs/b@" + b1}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("versions\n got %v\nwant %v", got, want)
	}
	if limited, _ := w.src.ListObjectVersions(ctx, srcRegion, "src-bucket", "", 2); len(limited) != 2 {
		t.Errorf("max 2 gave %d versions", len(limited))
	}

	w.must(w.src.DeleteObjectVersion(ctx, srcRegion, "src-bucket", "logs/b", b2))
	head, err := w.src.HeadObject(ctx, srcRegion, "src-bucket", "logs/b", "")
	w.must(err)
	if head.VersionID != b1 {
		t.Errorf("after deleting the newest version the current one is %s, want %s", head.VersionID, b1)
	}
	_, err = w.src.HeadObject(ctx, srcRegion, "src-bucket", "logs/b", b2)
	wantErr(t, err, awsops.KindNotFound, "NotFound")
	w.must(w.src.DeleteObjectVersion(ctx, srcRegion, "src-bucket", "logs/b", b2))
	w.must(w.src.DeleteObjectVersion(ctx, srcRegion, "src-bucket", "other", other))
	_, err = w.src.HeadObject(ctx, srcRegion, "src-bucket", "other", "")
	wantErr(t, err, awsops.KindNotFound, "NotFound")
	wantErr(t, w.src.DeleteObjectVersion(ctx, srcRegion, "src-bucket", "logs/a", ""), awsops.KindInvalidRequest, "InvalidArgument")
	wantErr(t, w.src.DeleteObjectVersion(ctx, srcRegion, "no-bucket", "logs/a", a1), awsops.KindNotFound, "NoSuchBucket")
}

func TestObjectOwnership(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	w.must(w.src.PutBucketPolicy(ctx, srcRegion, "src-bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"`+dstAccount+`"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::src-bucket/*"}]}`))
	enforced, err := w.dst.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{})
	w.must(err)
	w.must(w.cloud.SetBucketOwnership("src-bucket", "ObjectWriter"))
	written, err := w.dst.PutObject(ctx, srcRegion, "src-bucket", "k", nil, awsops.PutOptions{})
	w.must(err)
	if got := w.cloud.ObjectOwner("src-bucket", "k", enforced); got != srcAccount {
		t.Errorf("with BucketOwnerEnforced the owner is %s", got)
	}
	if got := w.cloud.ObjectOwner("src-bucket", "k", written); got != dstAccount {
		t.Errorf("with ObjectWriter the owner is %s", got)
	}
}
