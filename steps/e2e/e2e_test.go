// Package e2e holds the opt-in end-to-end test against real AWS. It is a package of
// its own because the other test packages point the SDK at moto.
package e2e_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

// TestE2ERealAWS runs the whole setup against real AWS. It is skipped unless
// S3REPL_E2E_SOURCE_PROFILE and S3REPL_E2E_DEST_PROFILE name two profiles (ideally of
// two accounts). It creates a source bucket encrypted with a key of its own and S3
// Bucket Keys, lets s3repl create the destination bucket, key, role and policies,
// checks that a second plan is empty, then settles on AWS what only AWS can settle
// (issue 9), in one run:
//   - the trust s3repl writes (s3.amazonaws.com, no condition) lets S3 in;
//   - a rule with metrics and no RTC (Metrics without EventThreshold) is accepted;
//   - a source with Bucket Keys into a destination bucket without them: the
//     destination's Bucket Key is turned off after the apply, the plan must still
//     have nothing to do (kms:Decrypt on the replica key stays), verify must see the
//     test object COMPLETED and its replica under the replica key with a Bucket Key,
//     and every doctor check must pass.
//
// It removes what it made (the keys are scheduled for deletion after 7 days).
// Regions: S3REPL_E2E_SOURCE_REGION (default us-east-1) and S3REPL_E2E_DEST_REGION
// (default eu-west-1).
func TestE2ERealAWS(t *testing.T) {
	srcProfile, dstProfile := os.Getenv("S3REPL_E2E_SOURCE_PROFILE"), os.Getenv("S3REPL_E2E_DEST_PROFILE")
	if srcProfile == "" || dstProfile == "" {
		t.Skip("set S3REPL_E2E_SOURCE_PROFILE and S3REPL_E2E_DEST_PROFILE to run against real AWS")
	}
	srcRegion, dstRegion := envOr("S3REPL_E2E_SOURCE_REGION", "us-east-1"), envOr("S3REPL_E2E_DEST_REGION", "eu-west-1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	src, err := awsops.Open(ctx, srcProfile)
	if err != nil {
		t.Fatal(err)
	}
	srcBucket, dstBucket := mototest.UniqueName("s3repl-e2e-src"), mototest.UniqueName("s3repl-e2e-dst")
	if err := src.CreateBucket(ctx, srcRegion, srcBucket); err != nil {
		t.Fatal(err)
	}
	setup := steps.Setup{
		Source: steps.SourceSetup{Profile: srcProfile, Bucket: srcBucket},
		Destination: steps.DestinationSetup{Profile: dstProfile, Region: dstRegion, Bucket: dstBucket,
			CreateBucket: true, KMSKey: "alias/" + dstBucket, CreateKey: true},
		Role: steps.RoleSetup{Name: srcBucket},
		Rule: steps.RuleSetup{ID: "e2e", Metrics: true}, // metrics without RTC
	}
	var sourceKey string
	t.Cleanup(func() { cleanupE2E(t, setup, srcRegion, dstRegion, sourceKey) })
	key, err := src.CreateKey(ctx, srcRegion, "s3repl end-to-end test source key", "")
	if err != nil {
		t.Fatal(err)
	}
	sourceKey = key.ARN
	if err := src.PutBucketEncryption(ctx, srcRegion, srcBucket, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true}); err != nil {
		t.Fatal(err)
	}

	acc, err := steps.OpenAccounts(ctx, awsops.Open, setup)
	if err != nil {
		t.Fatal(err)
	}
	plan := planFor(ctx, t, acc, setup)
	if _, err := steps.Apply(ctx, acc, plan, steps.ApplyOptions{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	expectNothingToPlan(ctx, t, acc, setup, "after the apply")

	// the destination without Bucket Keys; replicas keep the source's
	if err := acc.Destination.PutBucketEncryption(ctx, dstRegion, dstBucket, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: plan.Facts.DestKeyARN}); err != nil {
		t.Fatal(err)
	}
	expectNothingToPlan(ctx, t, acc, setup, "with the destination's Bucket Key off")

	report, err := steps.Verify(ctx, acc, setup, steps.VerifyOptions{Timeout: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = steps.RemoveTestObjects(context.Background(), acc, report) })
	if report.Outcome != steps.OutcomeCompleted {
		t.Errorf("verify: %s (%s); checks %+v", report.Outcome, report.Explanation, report.Checks)
	}
	for _, name := range []string{steps.CheckReplicaKey, steps.CheckReplicaBucket, steps.CheckReplicaStatus} {
		if c := report.Check(name); c.Status != steps.CheckPassed || name == steps.CheckReplicaBucket && !strings.Contains(c.Detail, "Bucket Key on") {
			t.Errorf("%s: %s %s", name, c.Status, c.Detail)
		}
	}
	diagnosis, err := steps.Doctor(ctx, acc, setup)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range diagnosis.Checks {
		if c.Status != steps.DoctorPassed && c.Status != steps.DoctorInfo {
			t.Errorf("doctor %s: %s (%s)", c.ID, c.Status, c.Evidence)
		}
	}
}

func planFor(ctx context.Context, t *testing.T, acc steps.Accounts, setup steps.Setup) *steps.Plan {
	t.Helper()
	state, err := steps.Inspect(ctx, acc, setup)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := steps.BuildPlan(setup, state)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func expectNothingToPlan(ctx context.Context, t *testing.T, acc steps.Accounts, setup steps.Setup, when string) {
	t.Helper()
	if pending := planFor(ctx, t, acc, setup).Pending(); len(pending) > 0 {
		t.Fatalf("%s the plan is not empty: %s\n%s\n%s", when, pending[0].ID, pending[0].Before, pending[0].After)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// cleanupE2E removes what the end-to-end test made; failures are reported, not fatal.
func cleanupE2E(t *testing.T, s steps.Setup, srcRegion, dstRegion, sourceKey string) {
	ctx := context.Background()
	srcCfg, err1 := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(s.Source.Profile), config.WithRegion(srcRegion))
	dstCfg, err2 := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(s.Destination.Profile), config.WithRegion(dstRegion))
	if err1 != nil || err2 != nil {
		t.Errorf("cleanup: %v %v", err1, err2)
		return
	}
	report := func(what string, err error) {
		if err != nil {
			t.Logf("cleanup %s: %v", what, err)
		}
	}
	srcS3, dstS3 := s3.NewFromConfig(srcCfg), s3.NewFromConfig(dstCfg)
	_, err := srcS3.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: &s.Source.Bucket})
	report("replication", err)
	for bucket, client := range map[string]*s3.Client{s.Source.Bucket: srcS3, s.Destination.Bucket: dstS3} {
		emptyBucket(ctx, client, bucket, report)
		_, err = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
		report("bucket "+bucket, err)
	}
	iamClient, role := iam.NewFromConfig(srcCfg), s.RoleName()
	_, err = iamClient.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &role, PolicyName: aws.String(s.RolePolicyName())})
	report("role policy", err)
	_, err = iamClient.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &role})
	report("role", err)
	kmsClient, alias := kms.NewFromConfig(dstCfg), s.KeyRef()
	if key, err := kmsClient.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &alias}); err == nil {
		_, err = kmsClient.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: &alias})
		report("alias", err)
		_, err = kmsClient.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)})
		report("key", err)
	}
	if sourceKey != "" {
		_, err = kms.NewFromConfig(srcCfg).ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &sourceKey, PendingWindowInDays: aws.Int32(7)})
		report("source key", err)
	}
}

func emptyBucket(ctx context.Context, client *s3.Client, bucket string, report func(string, error)) {
	versions, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket})
	if err != nil {
		report("list "+bucket, err)
		return
	}
	for _, v := range versions.Versions {
		_, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: v.Key, VersionId: v.VersionId})
		report("object", err)
	}
	for _, m := range versions.DeleteMarkers {
		_, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: m.Key, VersionId: m.VersionId})
		report("delete marker", err)
	}
}
