package awsops

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// describeConcurrency bounds the lookups made in parallel for one listing.
const describeConcurrency = 8

func (a *sdkAccount) ListBuckets(ctx context.Context) ([]BucketSummary, error) {
	return ListAllBuckets(ctx, a, BucketPageSize)
}

// ListBucketsPage asks with MaxBuckets, so S3 names each bucket's Region in the answer
// (it does only when the request carries a parameter) [API_ListBuckets]: no
// GetBucketLocation per bucket.
func (a *sdkAccount) ListBucketsPage(ctx context.Context, maxBuckets int, token string) (BucketPage, error) {
	in := &s3.ListBucketsInput{MaxBuckets: aws.Int32(int32(maxBuckets))}
	if token != "" {
		in.ContinuationToken = &token
	}
	out, err := a.s3Client(a.defaultRegion()).ListBuckets(ctx, in)
	if err != nil {
		return BucketPage{}, a.fail("s3:ListAllMyBuckets", "buckets", err)
	}
	page := BucketPage{ContinuationToken: aws.ToString(out.ContinuationToken)}
	for _, b := range out.Buckets {
		page.Buckets = append(page.Buckets, BucketSummary{Name: aws.ToString(b.Name), Region: aws.ToString(b.BucketRegion)})
	}
	return page, a.fillBucketRegions(ctx, page.Buckets)
}

// fillBucketRegions asks for the Region of buckets the listing gave none for (S3
// endpoints that predate BucketRegion in ListBuckets).
func (a *sdkAccount) fillBucketRegions(ctx context.Context, buckets []BucketSummary) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for i := range buckets {
		if buckets[i].Region != "" {
			continue
		}
		g.Go(func() error {
			region, err := a.BucketRegion(gctx, buckets[i].Name)
			buckets[i].Region = region
			return err
		})
	}
	return g.Wait()
}

// BucketRegion asks GetBucketLocation, which any Region's endpoint answers for the
// bucket owner, and falls back to HeadBucket's x-amz-bucket-region header, which S3
// sends even with a redirect or AccessDenied (a bucket of another account).
func (a *sdkAccount) BucketRegion(ctx context.Context, bucket string) (string, error) {
	out, err := a.s3Client(a.defaultRegion()).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &bucket})
	if err == nil {
		return regionOfLocation(out.LocationConstraint), nil
	}
	if !mayAnswerElsewhere(err) {
		return "", a.fail("s3:GetBucketLocation", bucket, err)
	}
	region, headErr := a.headBucketRegion(ctx, bucket)
	if headErr != nil {
		return "", a.fail("s3:GetBucketLocation", bucket, err)
	}
	return region, nil
}

// mayAnswerElsewhere reports whether HeadBucket may know the Region although
// GetBucketLocation failed: not when the bucket is missing or credentials are.
func mayAnswerElsewhere(err error) bool {
	switch kindOfSDKError(err) {
	case KindAccessDenied, KindWrongRegion, KindInvalidRequest, KindOther:
		return true
	}
	return false
}

func regionOfLocation(c types.BucketLocationConstraint) string {
	switch c {
	case "":
		return "us-east-1"
	case types.BucketLocationConstraintEu:
		return "eu-west-1"
	}
	return string(c)
}

func (a *sdkAccount) headBucketRegion(ctx context.Context, bucket string) (string, error) {
	out, err := a.s3Client(a.defaultRegion()).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
	if err == nil && aws.ToString(out.BucketRegion) != "" {
		return *out.BucketRegion, nil
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil {
		if region := resp.Response.Header.Get("X-Amz-Bucket-Region"); region != "" {
			return region, nil
		}
	}
	if err == nil {
		err = errors.New("HeadBucket named no Region")
	}
	return "", err
}

func (a *sdkAccount) GetBucketVersioning(ctx context.Context, region, bucket string) (string, error) {
	out, err := a.s3Client(region).GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
	if err != nil {
		return "", a.fail("s3:GetBucketVersioning", bucket, err)
	}
	return string(out.Status), nil
}

func (a *sdkAccount) GetBucketEncryption(ctx context.Context, region, bucket string) (Encryption, error) {
	out, err := a.s3Client(region).GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
	if hasCode(err, "ServerSideEncryptionConfigurationNotFoundError") {
		return Encryption{}, nil
	}
	if err != nil {
		return Encryption{}, a.fail("s3:GetEncryptionConfiguration", bucket, err)
	}
	if out.ServerSideEncryptionConfiguration == nil {
		return Encryption{}, nil
	}
	for _, rule := range out.ServerSideEncryptionConfiguration.Rules {
		if rule.ApplyServerSideEncryptionByDefault == nil {
			continue
		}
		return Encryption{
			Algorithm: string(rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm),
			KMSKeyID:  aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID),
			BucketKey: aws.ToBool(rule.BucketKeyEnabled),
		}, nil
	}
	return Encryption{}, nil
}

func (a *sdkAccount) GetBucketPolicy(ctx context.Context, region, bucket string) (string, error) {
	out, err := a.s3Client(region).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	if hasCode(err, "NoSuchBucketPolicy") {
		return "", nil
	}
	if err != nil {
		return "", a.fail("s3:GetBucketPolicy", bucket, err)
	}
	return aws.ToString(out.Policy), nil
}

func (a *sdkAccount) GetBucketReplication(ctx context.Context, region, bucket string) (string, error) {
	out, err := a.s3Client(region).GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: &bucket})
	if hasCode(err, "ReplicationConfigurationNotFoundError") {
		return "", nil
	}
	if err != nil {
		return "", a.fail("s3:GetReplicationConfiguration", bucket, err)
	}
	if out.ReplicationConfiguration == nil {
		return "", nil
	}
	doc, err := replicationToJSON(out.ReplicationConfiguration)
	if err != nil {
		return "", a.fail("s3:GetReplicationConfiguration", bucket, err)
	}
	return doc, nil
}

func (a *sdkAccount) GetBucketOwnership(ctx context.Context, region, bucket string) (string, error) {
	out, err := a.s3Client(region).GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: &bucket})
	if hasCode(err, "OwnershipControlsNotFoundError") {
		return "", nil
	}
	if err != nil {
		return "", a.fail("s3:GetBucketOwnershipControls", bucket, err)
	}
	if out.OwnershipControls == nil || len(out.OwnershipControls.Rules) == 0 {
		return "", nil
	}
	return string(out.OwnershipControls.Rules[0].ObjectOwnership), nil
}

func (a *sdkAccount) GetObjectLockEnabled(ctx context.Context, region, bucket string) (bool, error) {
	out, err := a.s3Client(region).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
	if hasCode(err, "ObjectLockConfigurationNotFoundError") {
		return false, nil
	}
	if err != nil {
		return false, a.fail("s3:GetBucketObjectLockConfiguration", bucket, err)
	}
	return out.ObjectLockConfiguration != nil &&
		out.ObjectLockConfiguration.ObjectLockEnabled == types.ObjectLockEnabledEnabled, nil
}

func (a *sdkAccount) CreateBucket(ctx context.Context, region, bucket string) error {
	// BucketOwnerEnforced is AWS's default for new buckets; saying it keeps every
	// S3 implementation (emulators too) alike.
	in := &s3.CreateBucketInput{Bucket: &bucket, ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(region),
		}
	}
	if _, err := a.s3Client(region).CreateBucket(ctx, in); err != nil {
		return a.fail("s3:CreateBucket", bucket, err)
	}
	return nil
}

func (a *sdkAccount) PutBucketVersioning(ctx context.Context, region, bucket string) error {
	_, err := a.s3Client(region).PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	})
	if err != nil {
		return a.fail("s3:PutBucketVersioning", bucket, err)
	}
	return nil
}

// PutBucketEncryption sets the default encryption; an empty Algorithm means SSE-KMS.
func (a *sdkAccount) PutBucketEncryption(ctx context.Context, region, bucket string, enc Encryption) error {
	algorithm := types.ServerSideEncryption(enc.Algorithm)
	if algorithm == "" {
		algorithm = types.ServerSideEncryptionAwsKms
	}
	byDefault := &types.ServerSideEncryptionByDefault{SSEAlgorithm: algorithm}
	if enc.KMSKeyID != "" {
		byDefault.KMSMasterKeyID = aws.String(enc.KMSKeyID)
	}
	_, err := a.s3Client(region).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: &bucket,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: byDefault,
				BucketKeyEnabled:                   aws.Bool(enc.BucketKey),
			}},
		},
	})
	if err != nil {
		return a.fail("s3:PutEncryptionConfiguration", bucket, err)
	}
	return nil
}

func (a *sdkAccount) PutBucketPolicy(ctx context.Context, region, bucket, policy string) error {
	_, err := a.s3Client(region).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy})
	if err != nil {
		return a.fail("s3:PutBucketPolicy", bucket, err)
	}
	return nil
}

func (a *sdkAccount) PutBucketReplication(ctx context.Context, region, bucket, config string) error {
	replication, err := replicationFromJSON(config)
	if err != nil {
		return a.fail("s3:PutReplicationConfiguration", bucket, err)
	}
	_, err = a.s3Client(region).PutBucketReplication(ctx, &s3.PutBucketReplicationInput{
		Bucket:                   &bucket,
		ReplicationConfiguration: replication,
	})
	if err != nil {
		return a.fail("s3:PutReplicationConfiguration", bucket, err)
	}
	return nil
}
