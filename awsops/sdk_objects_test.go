package awsops_test

import (
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

func TestObjectsPutHeadDelete(t *testing.T) {
	t.Parallel()
	acc := open(t, destination.profile)
	objects, ok := acc.(awsops.Objects)
	if !ok {
		t.Fatal("the SDK account must implement awsops.Objects")
	}
	ctx, region, bucket := t.Context(), destination.region, mototest.UniqueName("objects")
	must(t, acc.CreateBucket(ctx, region, bucket))
	must(t, acc.PutBucketVersioning(ctx, region, bucket))
	key := get[awsops.KeyInfo](t)(acc.CreateKey(ctx, region, "objects", ""))

	version := get[string](t)(objects.PutObject(ctx, region, bucket, "test/a.txt", []byte("hello"), awsops.PutOptions{KMSKeyID: key.ARN, Tags: map[string]string{"team": "s3 repl"}}))
	if version == "" {
		t.Fatal("a versioned bucket gives a version id")
	}
	head := get[awsops.ObjectHead](t)(objects.HeadObject(ctx, region, bucket, "test/a.txt", version))
	if head.VersionID != version || head.SSEAlgorithm != "aws:kms" || head.SSEKMSKeyID == "" || head.ContentLength != 5 {
		t.Fatalf("head: %+v", head)
	}
	must(t, objects.DeleteObjectVersion(ctx, region, bucket, "test/a.txt", version))
	if _, err := objects.HeadObject(ctx, region, bucket, "test/a.txt", version); !awsops.IsNotFound(err) {
		t.Fatalf("deleted version: %v", err)
	}
}
