package simcloud

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
)

// batchJob is one Batch Replication job and how far it got.
type batchJob struct {
	id, account, region string
	req                 awsops.ReplicationJobRequest
	status              string
	created, since      time.Time // since: when it entered status
	activeSince         time.Time
	activeFor           time.Duration // time spent Active before now
	terminated          time.Time

	suspendedCause, statusUpdateReason string
	failureReasons                     []awsops.JobFailure

	tasks     []versionRef // the generated manifest, in order
	outcomes  []taskOutcome
	succeeded int64
	failed    int64
}

// taskOutcome is a task's line in the completion report.
type taskOutcome struct {
	task    versionRef
	reason  string // "" when it succeeded
	message string
}

func (j *batchJob) enter(status string, now time.Time) {
	if j.status == awsops.JobActive {
		j.activeFor += now.Sub(j.activeSince)
	}
	j.status, j.since = status, now
	switch {
	case status == awsops.JobActive:
		j.activeSince = now
	case status == awsops.JobSuspended:
		j.suspendedCause = "ConfirmationRequired"
	case awsops.JobTerminal(status):
		j.terminated = now
	}
}

func (j *batchJob) expired(now time.Time) bool {
	return !j.terminated.IsZero() && now.Sub(j.terminated) > jobRetention
}

func (j *batchJob) describe(now time.Time) awsops.Job {
	active := j.activeFor
	if j.status == awsops.JobActive {
		active += now.Sub(j.activeSince)
	}
	return awsops.Job{
		ID: j.id, ARN: "arn:aws:s3:" + j.region + ":" + j.account + ":job/" + j.id, Description: j.req.Description,
		Status: j.status, StatusUpdateReason: j.statusUpdateReason, SuspendedCause: j.suspendedCause,
		TotalTasks: int64(len(j.tasks)), Succeeded: j.succeeded, Failed: j.failed,
		ElapsedActive: active.Truncate(time.Second), FailureReasons: slices.Clone(j.failureReasons),
		RoleARN: j.req.RoleARN, ReportBucketARN: j.req.ReportBucketARN, ReportPrefix: j.req.ReportPrefix,
		ReportEnabled: true, Created: j.created, Terminated: j.terminated,
	}
}

// advanceJobs moves every job as far as the clock allows. It runs at the start of
// every call into the cloud, with the replication work that is due.
func (c *Cloud) advanceJobs() {
	if c.batch == nil {
		return
	}
	for _, j := range c.batch.jobs {
		for c.advance(j, c.now(), false) {
		}
	}
}

// FinishJobs runs every job that is not waiting for confirmation to its end, whatever
// the clock says, and reports how many tasks ran.
func (c *Cloud) FinishJobs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	ran := 0
	if c.batch == nil {
		return 0
	}
	for _, j := range c.batch.jobs {
		before := len(j.outcomes)
		for c.advance(j, c.now(), true) {
		}
		ran += len(j.outcomes) - before
	}
	return ran
}

// advance makes one step of a job's life [batch-ops-job-status, "Job statuses"] and
// reports whether it moved. Each step happens at the time it was due on the job's
// own timeline, so a job looks the same whenever it is looked at.
func (c *Cloud) advance(j *batchJob, now time.Time, rush bool) bool {
	at := func(due time.Time) (time.Time, bool) {
		if rush || due.After(now) {
			return now, rush
		}
		return due, true
	}
	switch j.status {
	case awsops.JobNew:
		j.enter(awsops.JobPreparing, j.since)
		return true
	case awsops.JobPreparing:
		when, ok := at(j.since.Add(c.latency))
		if ok {
			c.prepare(j, when)
		}
		return ok
	case awsops.JobReady:
		j.enter(awsops.JobActive, j.since)
		return true
	case awsops.JobActive:
		return c.runTasks(j, now, rush)
	case awsops.JobCompleting, awsops.JobCancelling, awsops.JobFailing:
		when, ok := at(j.since.Add(c.latency))
		if ok {
			c.finish(j, when)
		}
		return ok
	}
	return false // Suspended waits for UpdateJobStatus; the rest have ended
}

// batchSession is the batch operations role at work: S3 Batch Operations assumes
// it as batchoperations.s3.amazonaws.com [s3-batch-replication-policies], and its
// requests are decided like the replication role's, boundary included.
func (c *Cloud) batchSession(j *batchJob) (*replication, string) {
	role := c.roleByARN(j.req.RoleARN)
	if role == nil {
		return nil, fmt.Sprintf("role %s does not exist", j.req.RoleARN)
	}
	req := evaluator.Request{
		Principal: evaluator.Principal{Service: "batchoperations.s3.amazonaws.com"}, Action: "sts:AssumeRole",
		Resource: role.arn, ResourceAccount: role.account,
	}
	if d := evaluator.Evaluate(req, nil, role.trust, evaluator.IAMTrust); !d.Allowed {
		return nil, "S3 Batch Operations cannot assume role " + role.arn + ": " + d.Reason
	}
	return &replication{c: c, role: role, session: evaluator.Principal{
		ARN: "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/s3-batch-operations", AccountID: role.account,
	}}, ""
}

// allows reports whether the batch role may make an S3 request on a bucket's resource.
func (s *replication) allows(action string, b *bucket, resource string) evaluator.Decision {
	return s.decide(action, resource, b.owner, b.policy, evaluator.S3Bucket, inRegion(b.region, s3Context()))
}

// prepare generates the manifest with the batch role [s3-batch-replication-batch,
// "Specifying a manifest"; s3-batch-replication-policies]. A job that cannot even
// start fails with the reason.
func (c *Cloud) prepare(j *batchJob, now time.Time) {
	src := c.buckets[strings.TrimPrefix(j.req.SourceBucketARN, "arn:aws:s3:::")]
	if src == nil {
		c.failJob(j, now, "SourceBucketNotFound", "the source bucket %s does not exist", j.req.SourceBucketARN)
		return
	}
	// "Your source bucket must have an existing replication configuration"
	// [s3-batch-replication-batch, "S3 Batch Replication considerations"].
	if src.replication == nil {
		c.failJob(j, now, "ReplicationConfigurationNotFound", "bucket %s has no replication configuration: Batch Replication replicates by its rules", src.name)
		return
	}
	session, why := c.batchSession(j)
	if session == nil {
		c.failJob(j, now, "AccessDenied", "%s", why)
		return
	}
	manifest, report := c.buckets[bucketNameOf(j.req.ManifestBucketARN)], c.buckets[bucketNameOf(j.req.ReportBucketARN)]
	checks := []struct {
		action string
		b      *bucket
		res    string
	}{
		{"s3:GetReplicationConfiguration", src, src.arn()},
		{"s3:PutInventoryConfiguration", src, src.arn()},
		{"s3:PutObject", manifest, objectARN(bucketNameOf(j.req.ManifestBucketARN), strings.Trim(j.req.ManifestPrefix, "/")+"/x")},
		{"s3:PutObject", report, objectARN(bucketNameOf(j.req.ReportBucketARN), strings.Trim(j.req.ReportPrefix, "/")+"/x")},
	}
	for _, check := range checks {
		if check.b == nil {
			c.failJob(j, now, "BucketNotFound", "bucket %s does not exist", check.res)
			return
		}
		// s3repl names the job's account as the expected owner of every bucket: a
		// bucket of another account fails the job [API_control_S3ManifestOutputLocation,
		// API_control_JobReport].
		if check.b.owner != j.account {
			c.failJob(j, now, "AccessDenied", "bucket %s belongs to account %s, not to the expected owner %s", check.b.name, check.b.owner, j.account)
			return
		}
		// A generated manifest must be in the source bucket's Region [s3-batch-replication-batch].
		if check.b == manifest && manifest.region != src.region {
			c.failJob(j, now, "InvalidManifestLocation", "the manifest bucket %s is in %s; a generated manifest must be in the source bucket's Region %s", manifest.name, manifest.region, src.region)
			return
		}
		if d := session.allows(check.action, check.b, check.res); !d.Allowed {
			c.failJob(j, now, "AccessDenied", "the batch operations role may not %s on %s: %s", check.action, check.res, d.Reason)
			return
		}
	}
	j.tasks = c.generateManifest(src, j.req.Filter)
	c.writeObject(manifest, manifestKey(j), []byte(manifestCSV(j.tasks)))
	if j.req.ConfirmationRequired {
		j.enter(awsops.JobSuspended, now)
		return
	}
	j.enter(awsops.JobReady, now)
}

func bucketNameOf(arn string) string { return strings.TrimPrefix(arn, "arn:aws:s3:::") }

func manifestKey(j *batchJob) string {
	return strings.Trim(j.req.ManifestPrefix, "/") + "/job-" + j.id + "/manifest.csv"
}

// generateManifest lists the versions the filter selects: eligible for replication
// (a rule of the configuration covers it) and in one of the replication statuses,
// NONE meaning no status at all, and with a key that starts with one of the prefixes
// when there are some [API_control_JobManifestGeneratorFilter, API_control_KeyNameConstraint].
func (c *Cloud) generateManifest(src *bucket, filter awsops.ManifestFilter) []versionRef {
	var tasks []versionRef
	for _, key := range slices.Sorted(maps.Keys(src.objects)) {
		for _, v := range src.objects[key] {
			if len(filter.KeyPrefixes) > 0 && !slices.ContainsFunc(filter.KeyPrefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
				continue
			}
			if filter.EligibleForReplication && (v.replica || len(src.replication.rulesFor(v)) == 0) {
				continue
			}
			status := v.replicationStatus()
			if status == "" {
				status = "NONE"
			}
			if len(filter.ReplicationStatuses) > 0 && !slices.Contains(filter.ReplicationStatuses, status) {
				continue
			}
			tasks = append(tasks, versionRef{src.name, v.key, v.versionID})
		}
	}
	return tasks
}

func manifestCSV(tasks []versionRef) string {
	var b strings.Builder
	for _, t := range tasks {
		fmt.Fprintf(&b, "%s,%s,%s\n", t.bucket, awsops.EscapeReportKey(t.key), t.versionID)
	}
	return b.String()
}

// failureThreshold: "If the job failure rate exceeds 50 percent after at least 1,000
// tasks have been attempted, the job fails" [batch-ops-job-status, "Tracking job
// failures"].
const (
	failureThresholdTasks = 1000
	failureThresholdRate  = 0.5
)

// runTasks runs the tasks due by now at the cloud's speed.
func (c *Cloud) runTasks(j *batchJob, now time.Time, rush bool) bool {
	due := len(j.tasks)
	if !rush {
		due = min(due, int(now.Sub(j.activeSince).Seconds()*float64(c.batchState().speed)))
	}
	ran := false
	for len(j.outcomes) < due {
		c.runTask(j, j.tasks[len(j.outcomes)])
		ran = true
		attempted := j.succeeded + j.failed
		if attempted >= failureThresholdTasks && float64(j.failed) > failureThresholdRate*float64(attempted) {
			j.failureReasons = append(j.failureReasons, awsops.JobFailure{Code: "TaskFailureThresholdExceeded",
				Reason: fmt.Sprintf("%d of %d tasks failed: more than half after at least %d", j.failed, attempted, failureThresholdTasks)})
			j.enter(awsops.JobFailing, now)
			return true
		}
	}
	if len(j.outcomes) == len(j.tasks) {
		done := j.activeSince.Add(time.Duration(float64(len(j.tasks)) / float64(c.batchState().speed) * float64(time.Second)))
		if rush || done.After(now) {
			done = now
		}
		j.enter(awsops.JobCompleting, done)
		return true
	}
	return ran
}

// runTask replicates one version for every rule that covers it, through the live
// replication engine: S3 first checks the batch role may s3:InitiateReplication
// [s3-batch-replication-policies], then replicates with the configuration's role,
// so the same permissions decide the version's fate [s3-batch-replication-batch].
func (c *Cloud) runTask(j *batchJob, ref versionRef) {
	outcome := c.replicateTask(j, ref)
	j.outcomes = append(j.outcomes, outcome)
	if outcome.reason == "" {
		j.succeeded++
		return
	}
	j.failed++
}

func (c *Cloud) replicateTask(j *batchJob, ref versionRef) taskOutcome {
	out := taskOutcome{task: ref}
	src := c.buckets[ref.bucket]
	var v *objectVersion
	if src != nil {
		v = src.version(ref.key, ref.versionID)
	}
	switch {
	case src == nil:
		out.reason, out.message = "SrcBucketNotFound", "the source bucket does not exist any more"
		return out
	case v == nil:
		out.reason, out.message = "SrcVersionNotFound", "the version was deleted before the task ran"
		return out
	case src.region != j.region:
		out.reason, out.message = "SrcBucketInvalidRegion", "the source bucket is in "+src.region+", the job in "+j.region
		return out
	}
	session, why := c.batchSession(j)
	if session == nil {
		out.reason, out.message = "AssumeRoleNotPermitted", why
		return out
	}
	if d := session.allows("s3:InitiateReplication", src, objectARN(src.name, v.key)); !d.Allowed {
		out.reason, out.message = "InitiateReplicationNotPermitted", d.Reason
		return out
	}
	var rules []replicationRule
	if src.replication != nil {
		rules = src.replication.rulesFor(v)
	}
	if len(rules) == 0 || v.replica {
		out.reason, out.message = "SrcObjectNotEligible", "no enabled rule of the replication configuration covers this version"
		return out
	}
	if v.destinations == nil {
		v.destinations = map[string]string{}
	}
	for _, r := range rules {
		t := replicationTask{source: ref, ruleID: r.ID, destination: r.destinationBucket(), due: c.now()}
		v.destinations[t.destination] = "PENDING"
		c.replicate(t)
		if v.destinations[t.destination] == "FAILED" && out.reason == "" {
			failures := c.failures[ref]
			last := failures[len(failures)-1]
			out.reason, out.message = last.Reason, last.Detail
		}
	}
	return out
}

func (c *Cloud) failJob(j *batchJob, now time.Time, code, format string, args ...any) {
	j.failureReasons = append(j.failureReasons, awsops.JobFailure{Code: code, Reason: fmt.Sprintf(format, args...)})
	j.enter(awsops.JobFailed, now)
}

// finish ends a job that is Completing, Cancelling or Failing, and writes its
// completion report: S3 writes one for jobs that completed, failed or were cancelled
// as long as at least one task ran [batch-ops-create-job].
func (c *Cloud) finish(j *batchJob, now time.Time) {
	end := map[string]string{awsops.JobCompleting: awsops.JobComplete, awsops.JobCancelling: awsops.JobCancelled, awsops.JobFailing: awsops.JobFailed}[j.status]
	if len(j.outcomes) > 0 {
		c.writeReport(j, now)
	}
	j.enter(end, now)
}
