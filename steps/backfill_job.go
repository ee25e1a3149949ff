package steps

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// BackfillJobs are the S3 Batch Operations calls of one backfill, in the source
// bucket's Region and account (S3 Control is regional).
type BackfillJobs struct {
	batch   awsops.BatchJobs
	region  string
	account string
	plan    *BackfillPlan
	// Sleep waits between polls; tests move a simulated clock instead.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewBackfillJobs gets the source account's Batch Operations.
func NewBackfillJobs(acc Accounts, plan *BackfillPlan) (*BackfillJobs, error) {
	batch, ok := awsops.BatchOf(acc.Source)
	if !ok {
		return nil, fmt.Errorf("the source profile's account cannot run S3 Batch Operations jobs here")
	}
	return &BackfillJobs{batch: batch, region: plan.Facts.SourceRegion, account: plan.Facts.SourceAccount, plan: plan, Sleep: sleep}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// jobDescription names the job in the console and in ListJobs (256 characters at
// most); the token lets a rerun recognise it.
func jobDescription(f BackfillFacts, token string) string {
	d := fmt.Sprintf("s3repl backfill %s (%s) %s", f.SourceBucket, f.Objects, token)
	if len(d) > 256 {
		d = d[:256]
	}
	return d
}

// newClientRequestToken is a fresh idempotency token.
func newClientRequestToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "s3repl-" + hex.EncodeToString(b[:])
}

// StartedJob is the job a backfill runs: the one created now, or the one a previous
// run created (found in the journal), which a rerun resumes instead of making a
// second.
type StartedJob struct {
	ID      string `json:"id"`
	Token   string `json:"clientRequestToken"`
	Resumed bool   `json:"resumed"`
	// Objects is what the job replicates: a resumed job keeps the choice of the run
	// that created it.
	Objects BackfillObjects `json:"objects"`
}

// Start creates the job with confirmation required, journaling its token before
// CreateJob and its id after, so that a rerun after any fault finds the job: a job
// that has not ended is resumed; after a CreateJob whose answer was lost, the job whose
// description holds the token is resumed, or CreateJob is sent again with the token.
func (b *BackfillJobs) Start(ctx context.Context, journal *BackfillJournal) (StartedJob, error) {
	last, err := journal.Last()
	if err != nil {
		return StartedJob{}, err
	}
	token := newClientRequestToken()
	switch {
	case last.JobID != "":
		job, err := b.Describe(ctx, last.JobID)
		switch {
		case err == nil && !awsops.JobTerminal(job.Status):
			return StartedJob{ID: last.JobID, Token: last.Token, Resumed: true, Objects: last.Objects}, nil
		case err != nil && !awsops.IsNotFound(err):
			return StartedJob{}, err
		}
	case last.Token != "":
		// CreateJob may have made the job. Its description holds the token: find it
		// there, as a resent token is refused when this run's request differs.
		if id, err := b.jobWithToken(ctx, last.Token); err != nil || id != "" {
			if err != nil {
				return StartedJob{}, err
			}
			if err := journal.Record(backfillDone, BackfillJobEntry{Token: last.Token, JobID: id, Objects: last.Objects}); err != nil {
				return StartedJob{}, err
			}
			return StartedJob{ID: id, Token: last.Token, Resumed: true, Objects: last.Objects}, nil
		}
		token = last.Token
	}
	req := b.request(token)
	if err := journal.Record(backfillBegin, BackfillJobEntry{Token: token, Objects: b.plan.Facts.Objects, Request: &req}); err != nil {
		return StartedJob{}, err
	}
	id, err := b.batch.CreateReplicationJob(ctx, b.region, req)
	if err != nil {
		var op *awsops.OpError
		refused := errors.As(err, &op) && op.Code != ""
		_ = journal.Record(backfillFailed, BackfillJobEntry{Token: token, Error: err.Error(), Refused: refused})
		return StartedJob{}, explain("source", err)
	}
	if err := journal.Record(backfillDone, BackfillJobEntry{Token: token, JobID: id, Objects: b.plan.Facts.Objects}); err != nil {
		return StartedJob{ID: id, Token: token}, err
	}
	return StartedJob{ID: id, Token: token, Resumed: last.Token == token, Objects: b.plan.Facts.Objects}, nil
}

// jobWithToken is the id of the job not ended whose description holds token, "" when
// none has.
func (b *BackfillJobs) jobWithToken(ctx context.Context, token string) (string, error) {
	jobs, err := b.batch.ListJobs(ctx, b.region, b.account, awsops.JobActiveStatuses)
	if err != nil {
		return "", explain("source", err)
	}
	for _, j := range jobs {
		if strings.HasSuffix(j.Description, " "+token) {
			return j.ID, nil
		}
	}
	return "", nil
}

func (b *BackfillJobs) request(token string) awsops.ReplicationJobRequest {
	f := b.plan.Facts
	return awsops.ReplicationJobRequest{
		AccountID: f.SourceAccount, ClientRequestToken: token, Description: jobDescription(f, token),
		RoleARN: f.BatchRoleARN, Priority: 10, ConfirmationRequired: true,
		SourceBucketARN: BucketARN(f.Partition, f.SourceBucket),
		Filter: awsops.ManifestFilter{EligibleForReplication: b.plan.Filter.EligibleForReplication,
			ReplicationStatuses: b.plan.Filter.ReplicationStatuses, KeyPrefixes: b.plan.Filter.KeyPrefixes},
		ManifestBucketARN: BucketARN(f.Partition, f.ReportBucket), ManifestPrefix: f.ManifestPrefix,
		ReportBucketARN: BucketARN(f.Partition, f.ReportBucket), ReportPrefix: f.ReportPrefix,
	}
}

// Describe reads the job.
func (b *BackfillJobs) Describe(ctx context.Context, id string) (awsops.Job, error) {
	job, err := b.batch.DescribeJob(ctx, b.region, b.account, id)
	if err != nil {
		return job, explain("source", err)
	}
	return job, nil
}

// Confirm lets a Suspended job run.
func (b *BackfillJobs) Confirm(ctx context.Context, id string) error {
	_, err := b.batch.UpdateJobStatus(ctx, b.region, b.account, id, awsops.JobReady, "confirmed in s3repl backfill")
	return explain("source", err)
}

// Cancel stops a job that has not ended.
func (b *BackfillJobs) Cancel(ctx context.Context, id string) error {
	_, err := b.batch.UpdateJobStatus(ctx, b.region, b.account, id, awsops.JobCancelled, "cancelled in s3repl backfill")
	return explain("source", err)
}

// Poll back-off: DescribeJob every second at first, then less often up to every 15 s.
const (
	firstPoll = time.Second
	maxPoll   = 15 * time.Second
)

// WaitForPreview polls until S3 has prepared the job: it is Suspended waiting for
// confirmation (or has gone past, or failed). onUpdate sees each reading.
func (b *BackfillJobs) WaitForPreview(ctx context.Context, id string, onUpdate func(awsops.Job)) (awsops.Job, error) {
	return b.poll(ctx, id, onUpdate, func(j awsops.Job) bool {
		return j.Status != awsops.JobNew && j.Status != awsops.JobPreparing
	})
}

// Watch polls until the job ends.
func (b *BackfillJobs) Watch(ctx context.Context, id string, onUpdate func(awsops.Job)) (awsops.Job, error) {
	return b.poll(ctx, id, onUpdate, func(j awsops.Job) bool { return awsops.JobTerminal(j.Status) })
}

func (b *BackfillJobs) poll(ctx context.Context, id string, onUpdate func(awsops.Job), done func(awsops.Job) bool) (awsops.Job, error) {
	delay := firstPoll
	for {
		job, err := b.Describe(ctx, id)
		if err != nil {
			return job, err
		}
		if onUpdate != nil {
			onUpdate(job)
		}
		if done(job) {
			return job, nil
		}
		if err := b.Sleep(ctx, delay); err != nil {
			return job, err
		}
		delay = NextPoll(delay)
	}
}

// NextPoll is the wait after a poll that waited last (poll's back-off, for callers
// that poll from their own loop).
func NextPoll(last time.Duration) time.Duration {
	if last <= 0 {
		return firstPoll
	}
	return min(last*3/2, maxPoll)
}

// CostEstimate is what a job of some tasks costs in S3 Batch Operations fees; it is
// an estimate from list prices, not a quote.
type CostEstimate struct {
	Tasks      int64   `json:"tasks"`
	JobFee     float64 `json:"jobFeeUSD"`
	ObjectFees float64 `json:"objectFeesUSD"`
	Total      float64 `json:"totalUSD"`
	Source     string  `json:"source"`
	Excludes   string  `json:"excludes"`
}

// Batch Operations list prices (US East (N. Virginia)) from the Amazon S3 pricing
// page, "Management & insights" → S3 Batch Operations.
const (
	batchJobFeeUSD       = 0.25
	batchPerMillionUSD   = 1.00
	batchPricingPage     = "https://aws.amazon.com/s3/pricing/ (S3 Batch Operations: $0.25 per job, $1.00 per million objects processed, US East (N. Virginia); other Regions differ)"
	batchPricingExcludes = "the replication itself: PUT requests and storage in the destination, inter-Region data transfer per GB, and KMS requests (a Decrypt and a GenerateDataKey per object without Bucket Keys)"
)

// EstimateBackfillCost estimates a job's Batch Operations fees.
func EstimateBackfillCost(tasks int64) CostEstimate {
	objects := float64(tasks) / 1e6 * batchPerMillionUSD
	return CostEstimate{Tasks: tasks, JobFee: batchJobFeeUSD, ObjectFees: objects, Total: batchJobFeeUSD + objects,
		Source: batchPricingPage, Excludes: batchPricingExcludes}
}

// BackfillJobsOf gets the Batch Operations of the setup's source account and Region,
// to watch a job made earlier (`backfill --job ID`) without planning.
func BackfillJobsOf(ctx context.Context, acc Accounts, s Setup) (*BackfillJobs, error) {
	batch, ok := awsops.BatchOf(acc.Source)
	if !ok {
		return nil, fmt.Errorf("the source profile's account cannot run S3 Batch Operations jobs here")
	}
	id, err := acc.Source.Identity(ctx)
	if err != nil {
		return nil, explain("source", err)
	}
	region := s.Source.Region
	if region == "" {
		if region, err = acc.Source.BucketRegion(ctx, s.Source.Bucket); err != nil {
			return nil, explain("source", err)
		}
	}
	return &BackfillJobs{batch: batch, region: region, account: id.AccountID, Sleep: sleep}, nil
}
