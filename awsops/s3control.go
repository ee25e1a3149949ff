package awsops

import (
	"context"
	"io"
	"time"
)

// Batch Operations job statuses, as DescribeJob reports them [batch-ops-job-status].
const (
	JobNew        = "New"
	JobPreparing  = "Preparing"
	JobSuspended  = "Suspended"
	JobReady      = "Ready"
	JobActive     = "Active"
	JobPausing    = "Pausing"
	JobPaused     = "Paused"
	JobCompleting = "Completing"
	JobComplete   = "Complete"
	JobCancelling = "Cancelling"
	JobCancelled  = "Cancelled"
	JobFailing    = "Failing"
	JobFailed     = "Failed"
)

// JobTerminal reports whether a job with this status has ended: Complete, Cancelled
// and Failed are the terminal statuses [batch-ops-job-status].
func JobTerminal(status string) bool {
	return status == JobComplete || status == JobCancelled || status == JobFailed
}

// JobActiveStatuses are the statuses of a job that has not ended, for ListJobs.
var JobActiveStatuses = []string{
	JobNew, JobPreparing, JobSuspended, JobReady, JobActive, JobPausing, JobPaused,
	JobCompleting, JobCancelling, JobFailing,
}

// ManifestFilter is the S3JobManifestGenerator's filter of a Batch Replication job:
// which versions of the source bucket the generated manifest lists.
type ManifestFilter struct {
	// EligibleForReplication lists only versions the bucket's replication
	// configuration covers.
	EligibleForReplication bool
	// ReplicationStatuses are NONE (never replicated), FAILED, COMPLETED or REPLICA.
	ReplicationStatuses []string
	// KeyPrefixes, when given, list only keys that start with one of them
	// (KeyNameConstraint.MatchAnyPrefix).
	KeyPrefixes []string
}

// ReplicationJobRequest is a CreateJob of a Batch Replication job whose manifest S3
// generates from the source bucket [s3-batch-replication-batch].
type ReplicationJobRequest struct {
	AccountID          string // the source bucket's account, which owns the job
	ClientRequestToken string // idempotency: the same token never makes a second job
	Description        string
	RoleARN            string // the batch operations role
	Priority           int32
	// ConfirmationRequired leaves the job Suspended after Preparing, until
	// UpdateJobStatus(Ready) or (Cancelled).
	ConfirmationRequired bool

	SourceBucketARN string
	Filter          ManifestFilter
	// The generated manifest is written under ManifestBucketARN/ManifestPrefix,
	// which must be in the source bucket's Region.
	ManifestBucketARN, ManifestPrefix string

	// The completion report goes under ReportBucketARN/ReportPrefix/job-ID/. The
	// source, manifest and report buckets are expected to belong to AccountID: the
	// job fails rather than write into another account's bucket.
	ReportBucketARN, ReportPrefix string
	ReportFailedOnly              bool // ReportScope FailedTasksOnly instead of AllTasks
}

// JobFailure is one of DescribeJob's FailureReasons.
type JobFailure struct {
	Code, Reason string
}

// Job is what DescribeJob tells about a Batch Operations job.
type Job struct {
	ID, ARN, Description string
	Status               string
	StatusUpdateReason   string
	SuspendedCause       string
	// TotalTasks is 0 while S3 prepares the manifest.
	TotalTasks, Succeeded, Failed int64
	ElapsedActive                 time.Duration
	FailureReasons                []JobFailure
	RoleARN                       string
	ReportBucketARN, ReportPrefix string
	ReportEnabled                 bool
	Created, Terminated           time.Time
}

// JobSummary is one entry of ListJobs.
type JobSummary struct {
	ID, Description, Status, Operation string
	TotalTasks, Succeeded, Failed      int64
	Created                            time.Time
}

// BatchJobs is S3 Batch Operations (S3 Control), which is regional: each call is made
// in region for account, the source bucket's [s3-batch-replication-batch]. It also
// streams objects, for the completion report.
type BatchJobs interface {
	CreateReplicationJob(ctx context.Context, region string, req ReplicationJobRequest) (jobID string, err error)
	DescribeJob(ctx context.Context, region, account, jobID string) (Job, error)
	// UpdateJobStatus asks for Ready (run a Suspended job) or Cancelled.
	UpdateJobStatus(ctx context.Context, region, account, jobID, status, reason string) (string, error)
	// ListJobs lists the account's jobs in region with one of statuses (all when none).
	ListJobs(ctx context.Context, region, account string, statuses []string) ([]JobSummary, error)
	// GetObject streams the current version of an object.
	GetObject(ctx context.Context, region, bucket, key string) (io.ReadCloser, error)
}

// BatchOf returns the account's Batch Operations, when it has them.
func BatchOf(a Account) (BatchJobs, bool) {
	b, ok := a.(BatchJobs)
	return b, ok
}
