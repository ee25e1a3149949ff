package e2e_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

// TestE2EBackfillRealAWS replicates objects written before the rule with a real
// S3 Batch Replication job. Like TestE2ERealAWS it is skipped unless
// S3REPL_E2E_SOURCE_PROFILE and S3REPL_E2E_DEST_PROFILE are set; it costs one Batch
// Operations job ($0.25 at list price) and removes what it made.
func TestE2EBackfillRealAWS(t *testing.T) {
	srcProfile, dstProfile := os.Getenv("S3REPL_E2E_SOURCE_PROFILE"), os.Getenv("S3REPL_E2E_DEST_PROFILE")
	if srcProfile == "" || dstProfile == "" {
		t.Skip("set S3REPL_E2E_SOURCE_PROFILE and S3REPL_E2E_DEST_PROFILE to run against real AWS")
	}
	srcRegion, dstRegion := envOr("S3REPL_E2E_SOURCE_REGION", "us-east-1"), envOr("S3REPL_E2E_DEST_REGION", "eu-west-1")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	src, err := awsops.Open(ctx, srcProfile)
	mustBackfill(t, err)
	srcBucket, dstBucket := mototest.UniqueName("s3repl-e2e-bf-src"), mototest.UniqueName("s3repl-e2e-bf-dst")
	mustBackfill(t, src.CreateBucket(ctx, srcRegion, srcBucket))
	setup := steps.Setup{
		Source: steps.SourceSetup{Profile: srcProfile, Region: srcRegion, Bucket: srcBucket},
		Destination: steps.DestinationSetup{Profile: dstProfile, Region: dstRegion, Bucket: dstBucket,
			CreateBucket: true, KMSKey: "alias/" + dstBucket, CreateKey: true},
		Role: steps.RoleSetup{Name: srcBucket},
		Rule: steps.RuleSetup{ID: "e2e-backfill"},
	}
	batchRole := ""
	t.Cleanup(func() {
		cleanupE2E(t, setup, srcRegion, dstRegion, "")
		if batchRole != "" {
			deleteBatchRole(t, srcProfile, srcRegion, batchRole)
		}
	})

	// Objects from before the rule: they get no replication status.
	mustBackfill(t, src.PutBucketVersioning(ctx, srcRegion, srcBucket))
	var keys []string
	for i := range 3 {
		key := fmt.Sprintf("before-the-rule/%d.txt", i)
		_, err := src.PutObject(ctx, srcRegion, srcBucket, key, []byte("old object "+key), awsops.PutOptions{})
		mustBackfill(t, err)
		keys = append(keys, key)
	}
	acc, err := steps.OpenAccounts(ctx, awsops.Open, setup)
	mustBackfill(t, err)
	state, err := steps.Inspect(ctx, acc, setup)
	mustBackfill(t, err)
	plan, err := steps.BuildPlan(setup, state)
	mustBackfill(t, err)
	_, err = steps.Apply(ctx, acc, plan, steps.ApplyOptions{})
	mustBackfill(t, err)

	bf, err := steps.PlanBackfill(ctx, acc, setup, steps.BackfillOptions{Objects: steps.BackfillBoth})
	mustBackfill(t, err)
	batchRole = bf.Facts.BatchRoleName
	_, err = steps.ApplyBackfillPlan(ctx, acc, bf, steps.ApplyOptions{})
	mustBackfill(t, err)
	time.Sleep(steps.NewRoleSettle) // a role IAM made seconds ago may not be assumable yet
	jobs, err := steps.NewBackfillJobs(acc, bf)
	mustBackfill(t, err)
	journal, err := steps.OpenBackfillJournal(t.TempDir(), bf.Facts, nil)
	mustBackfill(t, err)
	started, err := jobs.Start(ctx, journal)
	mustBackfill(t, err)
	preview, err := jobs.WaitForPreview(ctx, started.ID, nil)
	mustBackfill(t, err)
	if preview.Status != awsops.JobSuspended || preview.TotalTasks != int64(len(keys)) {
		t.Fatalf("preview: %+v, want Suspended with %d tasks", preview, len(keys))
	}
	mustBackfill(t, jobs.Confirm(ctx, started.ID))
	job, err := jobs.Watch(ctx, started.ID, nil)
	mustBackfill(t, err)
	result, err := jobs.Result(ctx, job)
	mustBackfill(t, err)
	if !result.AllSucceeded() || result.Succeeded != int64(len(keys)) {
		t.Fatalf("job %s: %d succeeded, %d failed, groups %+v, report error %q", job.Status, result.Succeeded, result.Failed, result.Groups, result.ReportError)
	}
	for _, key := range keys {
		head, err := src.HeadObject(ctx, srcRegion, srcBucket, key, "")
		mustBackfill(t, err)
		if head.ReplicationStatus != "COMPLETED" {
			t.Errorf("%s: %q after the backfill, want COMPLETED", key, head.ReplicationStatus)
		}
	}
}

func mustBackfill(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// deleteBatchRole removes the batch operations role the backfill made.
func deleteBatchRole(t *testing.T, profile, region, role string) {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithRegion(region))
	if err != nil {
		t.Logf("cleanup batch role: %v", err)
		return
	}
	client := iam.NewFromConfig(cfg)
	if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &role, PolicyName: aws.String(steps.BatchRolePolicyName)}); err != nil {
		t.Logf("cleanup batch role policy: %v", err)
	}
	if _, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &role}); err != nil {
		t.Logf("cleanup batch role: %v", err)
	}
}
