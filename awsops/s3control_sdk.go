package awsops

import (
	"context"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

var _ BatchJobs = (*sdkAccount)(nil)

// s3controlClient makes an S3 Control client for region. S3 Control puts the account
// id in front of the host name ({AccountId}.s3-control.REGION.amazonaws.com), also
// in front of an endpoint override's host: an override must be a name under which
// ACCOUNT.name resolves (an IP address does not). A client per call keeps
// sdkAccount as it is; Batch Operations calls are few (one every few seconds).
func (a *sdkAccount) s3controlClient(region string) *s3control.Client {
	return s3control.NewFromConfig(a.cfg, func(o *s3control.Options) { o.Region = region })
}

func (a *sdkAccount) CreateReplicationJob(ctx context.Context, region string, req ReplicationJobRequest) (string, error) {
	out, err := a.s3controlClient(region).CreateJob(ctx, createJobInput(req))
	if err != nil {
		return "", a.fail("s3:CreateJob", req.SourceBucketARN, err)
	}
	return aws.ToString(out.JobId), nil
}

// createJobInput is the CreateJob of a Batch Replication job with a generated
// manifest [s3-batch-replication-batch; API_control_CreateJob].
func createJobInput(req ReplicationJobRequest) *s3control.CreateJobInput {
	statuses := make([]types.ReplicationStatus, len(req.Filter.ReplicationStatuses))
	for i, s := range req.Filter.ReplicationStatuses {
		statuses[i] = types.ReplicationStatus(s)
	}
	scope := types.JobReportScopeAllTasks
	if req.ReportFailedOnly {
		scope = types.JobReportScopeFailedTasksOnly
	}
	in := &s3control.CreateJobInput{
		AccountId:            aws.String(req.AccountID),
		ClientRequestToken:   aws.String(req.ClientRequestToken),
		ConfirmationRequired: aws.Bool(req.ConfirmationRequired),
		Operation:            &types.JobOperation{S3ReplicateObject: &types.S3ReplicateObjectOperation{}},
		Priority:             aws.Int32(req.Priority),
		RoleArn:              aws.String(req.RoleARN),
		// The expected owners make the job fail rather than write the object list or
		// the report into a bucket of another account.
		Report: &types.JobReport{
			Enabled: true, Bucket: aws.String(req.ReportBucketARN), Prefix: aws.String(req.ReportPrefix),
			Format: types.JobReportFormatReportCsv20180820, ReportScope: scope, ExpectedBucketOwner: aws.String(req.AccountID),
		},
		ManifestGenerator: &types.JobManifestGeneratorMemberS3JobManifestGenerator{Value: types.S3JobManifestGenerator{
			SourceBucket:         aws.String(req.SourceBucketARN),
			ExpectedBucketOwner:  aws.String(req.AccountID),
			EnableManifestOutput: true,
			ManifestOutputLocation: &types.S3ManifestOutputLocation{
				Bucket: aws.String(req.ManifestBucketARN), ManifestPrefix: aws.String(req.ManifestPrefix),
				ManifestFormat:              types.GeneratedManifestFormatS3InventoryReportCsv20211130,
				ExpectedManifestBucketOwner: aws.String(req.AccountID),
			},
			Filter: &types.JobManifestGeneratorFilter{
				EligibleForReplication: aws.Bool(req.Filter.EligibleForReplication), ObjectReplicationStatuses: statuses,
			},
		}},
	}
	if len(req.Filter.KeyPrefixes) > 0 {
		generator := in.ManifestGenerator.(*types.JobManifestGeneratorMemberS3JobManifestGenerator)
		generator.Value.Filter.KeyNameConstraint = &types.KeyNameConstraint{MatchAnyPrefix: req.Filter.KeyPrefixes}
	}
	if req.Description != "" {
		in.Description = aws.String(req.Description)
	}
	return in
}

func (a *sdkAccount) DescribeJob(ctx context.Context, region, account, jobID string) (Job, error) {
	out, err := a.s3controlClient(region).DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: &account, JobId: &jobID})
	if err != nil {
		return Job{}, a.fail("s3:DescribeJob", "job "+jobID, err)
	}
	if out.Job == nil {
		return Job{ID: jobID}, nil
	}
	return jobOf(out.Job), nil
}

func jobOf(d *types.JobDescriptor) Job {
	j := Job{
		ID: aws.ToString(d.JobId), ARN: aws.ToString(d.JobArn), Description: aws.ToString(d.Description),
		Status: string(d.Status), StatusUpdateReason: aws.ToString(d.StatusUpdateReason),
		SuspendedCause: aws.ToString(d.SuspendedCause), RoleARN: aws.ToString(d.RoleArn),
		Created: aws.ToTime(d.CreationTime), Terminated: aws.ToTime(d.TerminationDate),
	}
	if p := d.ProgressSummary; p != nil {
		j.TotalTasks, j.Succeeded, j.Failed = aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed)
		if p.Timers != nil {
			j.ElapsedActive = time.Duration(aws.ToInt64(p.Timers.ElapsedTimeInActiveSeconds)) * time.Second
		}
	}
	for _, f := range d.FailureReasons {
		j.FailureReasons = append(j.FailureReasons, JobFailure{Code: aws.ToString(f.FailureCode), Reason: aws.ToString(f.FailureReason)})
	}
	if r := d.Report; r != nil {
		j.ReportEnabled, j.ReportBucketARN, j.ReportPrefix = r.Enabled, aws.ToString(r.Bucket), aws.ToString(r.Prefix)
	}
	return j
}

func (a *sdkAccount) UpdateJobStatus(ctx context.Context, region, account, jobID, status, reason string) (string, error) {
	in := &s3control.UpdateJobStatusInput{AccountId: &account, JobId: &jobID, RequestedJobStatus: types.RequestedJobStatus(status)}
	if reason != "" {
		in.StatusUpdateReason = &reason
	}
	out, err := a.s3controlClient(region).UpdateJobStatus(ctx, in)
	if err != nil {
		return "", a.fail("s3:UpdateJobStatus", "job "+jobID, err)
	}
	return string(out.Status), nil
}

func (a *sdkAccount) ListJobs(ctx context.Context, region, account string, statuses []string) ([]JobSummary, error) {
	in := &s3control.ListJobsInput{AccountId: &account}
	for _, s := range statuses {
		in.JobStatuses = append(in.JobStatuses, types.JobStatus(s))
	}
	var out []JobSummary
	pages := s3control.NewListJobsPaginator(a.s3controlClient(region), in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("s3:ListJobs", "jobs in "+region, err)
		}
		for _, j := range page.Jobs {
			s := JobSummary{
				ID: aws.ToString(j.JobId), Description: aws.ToString(j.Description), Status: string(j.Status),
				Operation: string(j.Operation), Created: aws.ToTime(j.CreationTime),
			}
			if p := j.ProgressSummary; p != nil {
				s.TotalTasks, s.Succeeded, s.Failed = aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func (a *sdkAccount) GetObject(ctx context.Context, region, bucket, key string) (io.ReadCloser, error) {
	out, err := a.s3Client(region).GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, a.fail("s3:GetObject", bucket+"/"+key, err)
	}
	return out.Body, nil
}
