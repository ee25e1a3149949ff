package simcloud

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

const batchRoleARN = "arn:aws:iam::" + srcAccount + ":role/batch"

func trustBatchOperations() string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"batchoperations.s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
}

// batchRolePolicy is what s3-batch-replication-policies lists for a generated
// manifest, with the report under reports/.
func batchRolePolicy(without ...string) string {
	statements := map[string]string{
		"initiate":  `{"Sid":"Initiate","Effect":"Allow","Action":"s3:InitiateReplication","Resource":"arn:aws:s3:::src-bucket/*"}`,
		"inventory": `{"Sid":"Manifest","Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:PutInventoryConfiguration"],"Resource":"arn:aws:s3:::src-bucket"}`,
		"reports":   `{"Sid":"Reports","Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::src-bucket/batch/*"}`,
	}
	for _, name := range without {
		delete(statements, name)
	}
	return policyOf(slices.Sorted(maps.Values(statements))...)
}

// batchWorld is a working replication whose source held objects before the rule.
type batchWorld struct {
	*replicationSetup
	early        []string // keys uploaded before the rule
	reportBucket string   // the report bucket's ARN, when not the source bucket
}

func newBatchWorld(t *testing.T, objects int, changes ...func(*replicationSetup)) *batchWorld {
	t.Helper()
	w := &batchWorld{}
	upload := func(s *replicationSetup) {
		for i := range objects {
			key := fmt.Sprintf("old/%04d.csv", i)
			s.upload(key, awsops.PutOptions{})
			w.early = append(w.early, key)
		}
	}
	w.replicationSetup = newReplication(t, append([]func(*replicationSetup){upload}, changes...)...)
	_, err := w.cloud.AddRole(srcAccount, "/", "batch", trustBatchOperations())
	w.must(err)
	w.must(w.src.PutRolePolicy(ctx, "batch", "batch", batchRolePolicy()))
	return w
}

func (w *batchWorld) request(token string, statuses ...string) awsops.ReplicationJobRequest {
	return awsops.ReplicationJobRequest{
		AccountID: srcAccount, ClientRequestToken: token, Description: "backfill", RoleARN: batchRoleARN, Priority: 10,
		ConfirmationRequired: true, SourceBucketARN: "arn:aws:s3:::src-bucket",
		Filter:            awsops.ManifestFilter{EligibleForReplication: true, ReplicationStatuses: statuses},
		ManifestBucketARN: "arn:aws:s3:::src-bucket", ManifestPrefix: "batch/manifests",
		ReportBucketARN: cmp.Or(w.reportBucket, "arn:aws:s3:::src-bucket"), ReportPrefix: "batch/reports",
	}
}

func (w *batchWorld) create(req awsops.ReplicationJobRequest) string {
	w.t.Helper()
	id, err := w.src.CreateReplicationJob(ctx, srcRegion, req)
	w.must(err)
	return id
}

func (w *batchWorld) describe(id string) awsops.Job {
	w.t.Helper()
	job, err := w.src.DescribeJob(ctx, srcRegion, srcAccount, id)
	w.must(err)
	return job
}

func (w *batchWorld) confirm(id string) {
	w.t.Helper()
	_, err := w.src.UpdateJobStatus(ctx, srcRegion, srcAccount, id, awsops.JobReady, "")
	w.must(err)
}

// report reads the job's completion report: the failure reason of every task.
func (w *batchWorld) report(id string) map[string]string {
	w.t.Helper()
	out := map[string]string{}
	_, err := awsops.ReadReport(ctx, w.src, srcRegion, "src-bucket", "batch/reports", id, func(task awsops.ReportTask) error {
		out[task.Key] = task.ErrorCode
		if !task.Failed() {
			out[task.Key] = "succeeded"
		}
		return nil
	})
	w.must(err)
	return out
}

func TestBatchReplicationJobGoesThroughAWSsStatuses(t *testing.T) {
	w := newBatchWorld(t, 30)
	if got := w.sourceHead(w.early[0], "").ReplicationStatus; got != "" {
		t.Fatalf("an object from before the rule has status %q", got)
	}
	fresh := w.upload("new/after-rule.csv", awsops.PutOptions{})
	w.settle()
	id := w.create(w.request("token-1", "NONE", "FAILED"))
	if got := w.describe(id); got.Status != awsops.JobPreparing || got.TotalTasks != 0 {
		t.Fatalf("right after CreateJob: %s with %d tasks, want Preparing with none counted yet", got.Status, got.TotalTasks)
	}
	w.settle()
	job := w.describe(id)
	if job.Status != awsops.JobSuspended || job.SuspendedCause != "ConfirmationRequired" || job.TotalTasks != 30 {
		t.Fatalf("after preparing: %+v, want Suspended for confirmation with the 30 old objects (not the one replicated live)", job)
	}
	w.settle()
	if w.describe(id).Status != awsops.JobSuspended {
		t.Fatal("a job waiting for confirmation ran by itself")
	}
	w.confirm(id)
	if got := w.describe(id); got.Status != awsops.JobActive {
		t.Fatalf("after confirming: %s, want Active", got.Status)
	}
	w.clock.Advance(100 * latency)
	w.settle()
	job = w.describe(id)
	if job.Status != awsops.JobComplete || job.Succeeded != 30 || job.Failed != 0 {
		t.Fatalf("at the end: %+v, want Complete with 30 succeeded", job)
	}
	for _, key := range w.early {
		if got := w.sourceHead(key, "").ReplicationStatus; got != "COMPLETED" {
			t.Errorf("%s: %s after the job, want COMPLETED", key, got)
		}
		head, err := w.dst.HeadObject(ctx, dstRegion, "dst-bucket", key, "")
		w.must(err)
		if head.ReplicationStatus != "REPLICA" || head.SSEKMSKeyID != w.dstKey.ARN {
			t.Errorf("replica of %s: %+v", key, head)
		}
	}
	report := w.report(id)
	if len(report) != 30 || report[w.early[3]] != "succeeded" {
		t.Errorf("report %v, want 30 succeeded tasks", report)
	}
	if _, listed := report["new/after-rule.csv"]; listed {
		t.Errorf("the job replicated %s, which live replication had done (version %s)", "new/after-rule.csv", fresh)
	}
}

func TestBatchTasksFailForTheReasonsLiveReplicationWould(t *testing.T) {
	// A group of objects under a key the replication role may not use: the same
	// check as live replication fails them, and the rest replicate.
	var other awsops.KeyInfo
	w := newBatchWorld(t, 10, func(s *replicationSetup) {
		other = s.key(KeySpec{AccountID: srcAccount, Region: srcRegion, Alias: "alias/finance"})
		for i := range 5 {
			s.upload(fmt.Sprintf("finance/%d.csv", i), awsops.PutOptions{KMSKeyID: other.ARN})
		}
	})
	id := w.create(w.request("token-1", "NONE"))
	w.settle()
	w.confirm(id)
	if ran := w.cloud.FinishJobs(); ran != 15 {
		t.Fatalf("FinishJobs ran %d tasks, want 15", ran)
	}
	job := w.describe(id)
	if job.Status != awsops.JobComplete || job.Succeeded != 10 || job.Failed != 5 {
		t.Fatalf("%+v: want Complete (a job can end Complete with failed tasks), 10 succeeded, 5 failed", job)
	}
	report := w.report(id)
	for key, outcome := range report {
		want := "succeeded"
		if strings.HasPrefix(key, "finance/") {
			want = "SrcGetObjectNotPermitted"
		}
		if outcome != want {
			t.Errorf("%s: %s, want %s", key, outcome, want)
		}
	}
	if got := w.sourceHead("finance/0.csv", "").ReplicationStatus; got != "FAILED" {
		t.Errorf("a failed task leaves status %q, want FAILED", got)
	}
	// A retry of the FAILED ones lists exactly those.
	retry := w.create(w.request("token-2", "FAILED"))
	w.settle()
	if got := w.describe(retry).TotalTasks; got != 5 {
		t.Errorf("a FAILED-only job has %d tasks, want the 5 failed", got)
	}
}

func TestBatchRoleNeedsInitiateReplication(t *testing.T) {
	w := newBatchWorld(t, 3)
	w.must(w.src.PutRolePolicy(ctx, "batch", "batch", batchRolePolicy("initiate")))
	id := w.create(w.request("token-1", "NONE"))
	w.settle()
	w.confirm(id)
	w.cloud.FinishJobs()
	for key, outcome := range w.report(id) {
		if outcome != "InitiateReplicationNotPermitted" {
			t.Errorf("%s: %s, want InitiateReplicationNotPermitted", key, outcome)
		}
	}
}

func TestBatchJobsThatCannotStartFail(t *testing.T) {
	cases := map[string]struct {
		change func(*batchWorld)
		code   string
	}{
		"role not trusted by Batch Operations": {func(w *batchWorld) {
			w.must(w.src.UpdateAssumeRolePolicy(ctx, "batch", trustS3()))
		}, "AccessDenied"},
		"role may not write the report": {func(w *batchWorld) {
			w.must(w.src.PutRolePolicy(ctx, "batch", "batch", batchRolePolicy("reports")))
		}, "AccessDenied"},
		"role may not read the configuration": {func(w *batchWorld) {
			w.must(w.src.PutRolePolicy(ctx, "batch", "batch", batchRolePolicy("inventory")))
		}, "AccessDenied"},
		"report bucket of another account": {func(w *batchWorld) {
			w.reportBucket = "arn:aws:s3:::dst-bucket"
		}, "AccessDenied"},
		"no replication configuration": {func(w *batchWorld) {
			w.cloud.mu.Lock()
			w.cloud.buckets["src-bucket"].replication = nil
			w.cloud.mu.Unlock()
		}, "ReplicationConfigurationNotFound"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := newBatchWorld(t, 2)
			tc.change(w)
			id := w.create(w.request("token-1", "NONE"))
			w.settle()
			job := w.describe(id)
			if job.Status != awsops.JobFailed || len(job.FailureReasons) != 1 || job.FailureReasons[0].Code != tc.code {
				t.Errorf("%+v: want Failed with %s", job, tc.code)
			}
		})
	}
}

func TestBatchJobFailsWhenMoreThanHalfOfAtLeast1000TasksFail(t *testing.T) {
	for _, tc := range []struct {
		objects int
		want    string
	}{{999, awsops.JobComplete}, {1200, awsops.JobFailed}} {
		w := newBatchWorld(t, tc.objects)
		w.must(w.src.PutRolePolicy(ctx, "batch", "batch", batchRolePolicy("initiate")))
		id := w.create(w.request("token-1", "NONE"))
		w.settle()
		w.confirm(id)
		w.cloud.FinishJobs()
		job := w.describe(id)
		if job.Status != tc.want {
			t.Errorf("%d objects, all failing: %s, want %s", tc.objects, job.Status, tc.want)
		}
		if tc.want == awsops.JobFailed && (job.Failed != 1000 || job.FailureReasons[0].Code != "TaskFailureThresholdExceeded") {
			t.Errorf("failed job: %+v, want it stopped at the 1,000th failed task", job)
		}
	}
}

func TestBatchJobIdempotencyAndStatusChanges(t *testing.T) {
	w := newBatchWorld(t, 2)
	id := w.create(w.request("token-1", "NONE"))
	if again := w.create(w.request("token-1", "NONE")); again != id {
		t.Errorf("the same token made a second job %s (first %s)", again, id)
	}
	_, err := w.src.CreateReplicationJob(ctx, srcRegion, w.request("token-1", "FAILED"))
	wantErr(t, err, awsops.KindConflict, "IdempotencyException")
	_, err = w.src.UpdateJobStatus(ctx, srcRegion, srcAccount, id, awsops.JobReady, "")
	wantErr(t, err, awsops.KindInvalidRequest, "JobStatusException") // still Preparing
	_, err = w.src.DescribeJob(ctx, "us-west-2", srcAccount, id)
	wantErr(t, err, awsops.KindNotFound, "NoSuchJob")
	_, err = w.dst.DescribeJob(ctx, srcRegion, srcAccount, id)
	wantErr(t, err, awsops.KindAccessDenied, "AccessDenied")
	w.settle()
	status, err := w.src.UpdateJobStatus(ctx, srcRegion, srcAccount, id, awsops.JobCancelled, "not now")
	w.must(err)
	if status != awsops.JobCancelled || w.describe(id).StatusUpdateReason != "not now" {
		t.Errorf("cancelling a Suspended job: %s", status)
	}
	active, err := w.src.ListJobs(ctx, srcRegion, srcAccount, awsops.JobActiveStatuses)
	w.must(err)
	all, err := w.src.ListJobs(ctx, srcRegion, srcAccount, nil)
	w.must(err)
	if len(active) != 0 || len(all) != 1 || all[0].Status != awsops.JobCancelled {
		t.Errorf("ListJobs: active %v, all %v", active, all)
	}
}

func TestBatchManifestKeepsOnlyKeysWithAPrefixWhenAsked(t *testing.T) {
	w := newBatchWorld(t, 30)
	req := w.request("token-1", "NONE")
	req.Filter.KeyPrefixes = []string{"old/000", "old/001"}
	id := w.create(req)
	w.settle()
	if got := w.describe(id).TotalTasks; got != 20 {
		t.Errorf("%d tasks, want the 20 keys under old/000 and old/001", got)
	}
}

// CreateJob takes a role's ARN of any partition, and no other principal's ARN
// [API_control_CreateJob, RoleArn].
func TestBatchJobRoleMustBeARoleARN(t *testing.T) {
	w := newBatchWorld(t, 1)
	user := w.request("token-user", "NONE")
	user.RoleARN = strings.Replace(user.RoleARN, ":role/", ":user/", 1)
	_, err := w.src.CreateReplicationJob(ctx, srcRegion, user)
	wantErr(t, err, awsops.KindInvalidRequest, "InvalidRequest")
	china := w.request("token-china", "NONE")
	china.RoleARN = strings.Replace(china.RoleARN, "arn:aws:", "arn:aws-cn:", 1)
	if _, err := w.src.CreateReplicationJob(ctx, srcRegion, china); err != nil {
		t.Errorf("a role ARN of the aws-cn partition: %v", err)
	}
}
