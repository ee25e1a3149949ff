package simcloud

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"slices"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// S3 Batch Operations, for Batch Replication jobs only: a job is created in a Region
// for an account, S3 generates its manifest from the source bucket with the batch
// operations role, waits for confirmation when asked to, then replicates each listed
// version through the same replication engine (and permission checks) as live
// replication, and writes a completion report. Sources: the S3 User Guide pages
// s3-batch-replication-batch, s3-batch-replication-policies, batch-ops-job-status
// and batch-ops-examples-reports, and the API reference's CreateJob, DescribeJob,
// UpdateJobStatus and ListJobs.

// DefaultBatchSpeed is how many tasks a job runs per second of the cloud's clock.
const DefaultBatchSpeed = 100

// jobRetention is how long a job stays listed after it ends [batch-ops-managing-jobs:
// "jobs that finished within the last 90 days"].
const jobRetention = 90 * 24 * time.Hour

// WithBatchSpeed sets how many tasks a Batch Operations job runs per second.
func WithBatchSpeed(perSecond int) Option {
	return func(c *Cloud) { c.batchState().speed = max(perSecond, 1) }
}

// batchJobs are the cloud's jobs, kept beside the rest of its state.
type batchJobs struct {
	speed int
	jobs  []*batchJob // in creation order
}

func (c *Cloud) batchState() *batchJobs {
	if c.batch == nil {
		c.batch = &batchJobs{speed: DefaultBatchSpeed}
	}
	return c.batch
}

var _ awsops.BatchJobs = (*Account)(nil)

func (c *Cloud) job(account, region, id string) (*batchJob, error) {
	for _, j := range c.batchState().jobs {
		if j.id == id && j.account == account && j.region == region && !j.expired(c.now()) {
			return j, nil
		}
	}
	// A job of another Region or account is not found either [troubleshooting-batch-operations].
	return nil, notFound("NoSuchJob", "The specified job does not exist")
}

// CreateReplicationJob creates a Batch Replication job. A second request with the
// same ClientRequestToken returns the job the first one made [API_control_CreateJob].
func (a *Account) CreateReplicationJob(ctx context.Context, region string, req awsops.ReplicationJobRequest) (string, error) {
	var id string
	err := a.do(ctx, "s3:CreateJob", req.SourceBucketARN, func() error {
		if err := a.sameAccount(req.AccountID); err != nil {
			return err
		}
		if err := validJobRequest(req); err != nil {
			return err
		}
		state := a.cloud.batchState()
		for _, j := range state.jobs {
			if j.account == req.AccountID && j.region == region && j.req.ClientRequestToken == req.ClientRequestToken {
				if !sameJobRequest(j.req, req) {
					return conflict("IdempotencyException", "A job with ClientRequestToken %s exists with other parameters", req.ClientRequestToken)
				}
				id = j.id
				return nil
			}
		}
		j := &batchJob{
			id: a.cloud.newJobID(), account: req.AccountID, region: region, req: req,
			status: awsops.JobNew, created: a.cloud.now(), since: a.cloud.now(),
		}
		state.jobs = append(state.jobs, j)
		id = j.id
		return nil
	})
	return id, err
}

func (a *Account) sameAccount(account string) error {
	if account != a.accountID() {
		return accessDenied("AccessDenied", "Access Denied: account %s is not the caller's account %s", account, a.accountID())
	}
	return nil
}

// validJobRequest refuses what CreateJob refuses: the required members
// [API_control_CreateJob] and S3JobManifestGenerator's. RoleArn must be a role's
// ARN ("arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/.*", API_control_CreateJob), of the
// partitions a replication configuration takes.
func validJobRequest(req awsops.ReplicationJobRequest) error {
	switch {
	case req.ClientRequestToken == "" || len(req.ClientRequestToken) > 64:
		return invalid("InvalidRequest", "ClientRequestToken must be 1 to 64 characters")
	case !roleARNPattern.MatchString(req.RoleARN):
		return invalid("InvalidRequest", "RoleArn must be an IAM role ARN")
	case req.Priority < 0:
		return invalid("InvalidRequest", "Priority must be a non-negative integer")
	case !bucketARNPattern.MatchString(req.SourceBucketARN):
		return invalid("InvalidRequest", "SourceBucket must be a bucket ARN")
	case !bucketARNPattern.MatchString(req.ManifestBucketARN), !bucketARNPattern.MatchString(req.ReportBucketARN):
		return invalid("InvalidRequest", "the manifest and report buckets must be bucket ARNs")
	}
	for _, s := range req.Filter.ReplicationStatuses {
		if !slices.Contains([]string{"NONE", "FAILED", "COMPLETED", "REPLICA"}, s) {
			return invalid("InvalidRequest", "ObjectReplicationStatuses may be NONE, FAILED, COMPLETED or REPLICA, not %s", s)
		}
	}
	return nil
}

func sameJobRequest(a, b awsops.ReplicationJobRequest) bool {
	return a.RoleARN == b.RoleARN && a.SourceBucketARN == b.SourceBucketARN &&
		slices.Equal(a.Filter.ReplicationStatuses, b.Filter.ReplicationStatuses) &&
		slices.Equal(a.Filter.KeyPrefixes, b.Filter.KeyPrefixes) &&
		a.ReportBucketARN == b.ReportBucketARN && a.ReportPrefix == b.ReportPrefix
}

func (c *Cloud) newJobID() string {
	sum := c.digest("job")
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

// DescribeJob tells a job's status and progress.
func (a *Account) DescribeJob(ctx context.Context, region, account, jobID string) (awsops.Job, error) {
	var out awsops.Job
	err := a.do(ctx, "s3:DescribeJob", "job "+jobID, func() error {
		if err := a.sameAccount(account); err != nil {
			return err
		}
		j, err := a.cloud.job(account, region, jobID)
		if err != nil {
			return err
		}
		out = j.describe(a.cloud.now())
		return nil
	})
	return out, err
}

// UpdateJobStatus confirms a Suspended job (Ready) or cancels a job that has not
// ended (Cancelled) [batch-ops-job-status, "Updating job status"].
func (a *Account) UpdateJobStatus(ctx context.Context, region, account, jobID, status, reason string) (string, error) {
	var out string
	err := a.do(ctx, "s3:UpdateJobStatus", "job "+jobID, func() error {
		if err := a.sameAccount(account); err != nil {
			return err
		}
		j, err := a.cloud.job(account, region, jobID)
		if err != nil {
			return err
		}
		now := a.cloud.now()
		switch {
		case status == awsops.JobReady && j.status == awsops.JobSuspended:
			j.enter(awsops.JobReady, now)
		case status == awsops.JobCancelled && !awsops.JobTerminal(j.status) && j.status != awsops.JobCancelling:
			if j.status == awsops.JobActive || j.status == awsops.JobCompleting || j.status == awsops.JobFailing {
				j.enter(awsops.JobCancelling, now)
			} else {
				j.enter(awsops.JobCancelled, now)
			}
		case status != awsops.JobReady && status != awsops.JobCancelled:
			return invalid("BadRequestException", "RequestedJobStatus must be Ready or Cancelled")
		default:
			return invalid("JobStatusException", "Job %s is %s: it cannot be set to %s", jobID, j.status, status)
		}
		j.statusUpdateReason = reason
		out = j.status
		return nil
	})
	return out, err
}

// ListJobs lists the account's jobs in region, those with one of statuses.
func (a *Account) ListJobs(ctx context.Context, region, account string, statuses []string) ([]awsops.JobSummary, error) {
	var out []awsops.JobSummary
	err := a.do(ctx, "s3:ListJobs", "jobs in "+region, func() error {
		if err := a.sameAccount(account); err != nil {
			return err
		}
		now := a.cloud.now()
		for _, j := range a.cloud.batchState().jobs {
			if j.account != account || j.region != region || j.expired(now) || (len(statuses) > 0 && !slices.Contains(statuses, j.status)) {
				continue
			}
			d := j.describe(now)
			out = append(out, awsops.JobSummary{
				ID: d.ID, Description: d.Description, Status: d.Status, Operation: "S3ReplicateObject",
				TotalTasks: d.TotalTasks, Succeeded: d.Succeeded, Failed: d.Failed, Created: d.Created,
			})
		}
		return nil
	})
	return out, err
}

// GetObject reads the current version of an object, such as a completion report.
func (a *Account) GetObject(ctx context.Context, region, bucketName, key string) (io.ReadCloser, error) {
	var body []byte
	err := a.do(ctx, "s3:GetObject", bucketName+"/"+key, func() error {
		b, err := a.bucket(region, bucketName, "s3:GetObject", objectARN(bucketName, key))
		if err != nil {
			return err
		}
		v := b.version(key, "")
		if v == nil {
			return notFound("NoSuchKey", "The specified key does not exist.")
		}
		body = v.body
		return nil
	})
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(body)), nil
}
