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

func TestListObjectVersionsAndManagedPolicies(t *testing.T) {
	t.Parallel()
	acc := open(t, source.profile)
	ctx, region, bucket := t.Context(), source.region, mototest.UniqueName("sample")
	must(t, acc.CreateBucket(ctx, region, bucket))
	must(t, acc.PutBucketVersioning(ctx, region, bucket))
	objects := acc.(awsops.Objects)
	for _, key := range []string{"a/1", "a/2", "b/1"} {
		get[string](t)(objects.PutObject(ctx, region, bucket, key, []byte(key), awsops.PutOptions{}))
	}
	versions := get[[]awsops.ObjectVersion](t)(acc.(awsops.ObjectSampler).ListObjectVersions(ctx, region, bucket, "a/", 10))
	if len(versions) != 2 || versions[0].VersionID == "" {
		t.Fatalf("versions under a/: %+v", versions)
	}
	role := mototest.UniqueName("managed")
	get[awsops.Role](t)(acc.CreateRole(ctx, role, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""))
	docs := get[[]awsops.AttachedPolicy](t)(acc.(awsops.ManagedPolicies).AttachedRolePolicies(ctx, role))
	if len(docs) != 0 {
		t.Fatalf("a new role has no managed policies: %v", docs)
	}
}
