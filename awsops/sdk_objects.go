package awsops

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func (a *sdkAccount) PutObject(ctx context.Context, region, bucket, key string, body []byte, opts PutOptions) (string, error) {
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))}
	if opts.KMSKeyID != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = &opts.KMSKeyID
	}
	if len(opts.Tags) > 0 {
		tags := url.Values{}
		for k, v := range opts.Tags {
			tags.Set(k, v)
		}
		in.Tagging = aws.String(strings.ReplaceAll(tags.Encode(), "+", "%20"))
	}
	out, err := a.s3Client(region).PutObject(ctx, in)
	if err != nil {
		return "", a.fail("s3:PutObject", bucket+"/"+key, err)
	}
	return aws.ToString(out.VersionId), nil
}

func (a *sdkAccount) HeadObject(ctx context.Context, region, bucket, key, versionID string) (ObjectHead, error) {
	in := &s3.HeadObjectInput{Bucket: &bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := a.s3Client(region).HeadObject(ctx, in)
	if err != nil {
		return ObjectHead{}, a.fail("s3:GetObject", bucket+"/"+key, err)
	}
	return ObjectHead{
		VersionID:         aws.ToString(out.VersionId),
		ReplicationStatus: string(out.ReplicationStatus),
		SSEAlgorithm:      string(out.ServerSideEncryption),
		SSEKMSKeyID:       aws.ToString(out.SSEKMSKeyId),
		BucketKey:         aws.ToBool(out.BucketKeyEnabled),
		LastModified:      aws.ToTime(out.LastModified),
		ContentLength:     aws.ToInt64(out.ContentLength),
	}, nil
}

func (a *sdkAccount) DeleteObjectVersion(ctx context.Context, region, bucket, key, versionID string) error {
	_, err := a.s3Client(region).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &versionID})
	if err != nil {
		return a.fail("s3:DeleteObjectVersion", bucket+"/"+key, err)
	}
	return nil
}

// ListObjectVersions lists at most max versions; S3's page size (1000) when max is
// not positive, as S3 would answer max-keys=0 with nothing.
func (a *sdkAccount) ListObjectVersions(ctx context.Context, region, bucket, prefix string, max int) ([]ObjectVersion, error) {
	in := &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix}
	if max > 0 {
		in.MaxKeys = aws.Int32(int32(min(max, 1000)))
	}
	out, err := a.s3Client(region).ListObjectVersions(ctx, in)
	if err != nil {
		return nil, a.fail("s3:ListBucketVersions", bucket, err)
	}
	versions := make([]ObjectVersion, 0, len(out.Versions))
	for _, v := range out.Versions {
		versions = append(versions, ObjectVersion{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId),
			IsLatest: aws.ToBool(v.IsLatest), LastModified: aws.ToTime(v.LastModified)})
	}
	return versions, nil
}

func (a *sdkAccount) ObjectOwner(ctx context.Context, region, bucket, key, versionID string) (string, error) {
	in := &s3.GetObjectAclInput{Bucket: &bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := a.s3Client(region).GetObjectAcl(ctx, in)
	if err != nil {
		return "", a.fail("s3:GetObjectVersionAcl", bucket+"/"+key, err)
	}
	if out.Owner == nil {
		return "", nil
	}
	return aws.ToString(out.Owner.ID), nil
}

// CanonicalID reads the account's canonical user id from the owner S3 names in a
// bucket listing (one bucket is enough: the owner comes with every page).
func (a *sdkAccount) CanonicalID(ctx context.Context) (string, error) {
	out, err := a.s3Client(a.defaultRegion()).ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil {
		return "", a.fail("s3:ListAllMyBuckets", "buckets", err)
	}
	if out.Owner == nil {
		return "", nil
	}
	return aws.ToString(out.Owner.ID), nil
}
