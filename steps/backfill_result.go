package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops"
)

// BackfillFailureGroup is the failed tasks of one error code, explained.
type BackfillFailureGroup struct {
	Code  string `json:"code"`
	Count int64  `json:"count"`
	// Examples are a few of the objects, "key (version)".
	Examples []string `json:"examples"`
	// sample is more of them, for reading their KMS keys.
	sample  []string
	Message string            `json:"message,omitempty"` // the report's first message for the code
	Reason  ReasonExplanation `json:"reason"`
	// Findings are the doctor's failed checks that explain the cause, when the doctor
	// ran after the job.
	Findings []DoctorCheck `json:"findings,omitempty"`
}

// BackfillResult is a finished job and its completion report, grouped.
type BackfillResult struct {
	Job       awsops.Job             `json:"job"`
	Total     int64                  `json:"total"`
	Succeeded int64                  `json:"succeeded"`
	Failed    int64                  `json:"failed"`
	Groups    []BackfillFailureGroup `json:"failures"`
	Report    string                 `json:"report"` // s3://bucket/prefix/job-ID/
	// ReportError says why the report could not be read; the counts then come from
	// DescribeJob.
	ReportError string `json:"reportError,omitempty"`
}

// AllSucceeded reports whether the job ended Complete with every task succeeded.
func (r BackfillResult) AllSucceeded() bool {
	return r.Job.Status == awsops.JobComplete && r.Failed == 0 && r.Job.Failed == 0
}

// backfillExamples is how many objects a failure group names; backfillSample how many it
// keeps for looking at (their KMS keys).
const (
	backfillExamples = 3
	backfillSample   = 20
)

// ReportGrouper counts a completion report's tasks and groups the failed ones by
// error code, keeping a few examples: its memory does not grow with the report.
type ReportGrouper struct {
	Succeeded, Failed int64
	groups            map[string]*BackfillFailureGroup
}

// Add counts one task.
func (g *ReportGrouper) Add(t awsops.ReportTask) error {
	if !t.Failed() {
		g.Succeeded++
		return nil
	}
	g.Failed++
	if g.groups == nil {
		g.groups = map[string]*BackfillFailureGroup{}
	}
	code := t.ErrorCode
	if code == "" {
		code = "Unknown"
	}
	group := g.groups[code]
	if group == nil {
		// Clones: a row's fields share one string, which a kept field would pin.
		code = strings.Clone(code)
		group = &BackfillFailureGroup{Code: code, Message: strings.Clone(t.ResultMessage)}
		g.groups[code] = group
	}
	group.Count++
	if len(group.sample) < backfillSample {
		object := strings.Clone(t.Key) + " (" + strings.Clone(t.VersionID) + ")"
		group.sample = append(group.sample, object)
		if len(group.Examples) < backfillExamples {
			group.Examples = append(group.Examples, object)
		}
	}
	return nil
}

// Groups are the failure groups, the largest first, each explained with S3's table
// of failure reasons.
func (g *ReportGrouper) Groups() []BackfillFailureGroup {
	out := make([]BackfillFailureGroup, 0, len(g.groups))
	for _, group := range g.groups {
		group.Reason = ExplainFailureReason(group.Code)
		out = append(out, *group)
	}
	slices.SortFunc(out, func(a, b BackfillFailureGroup) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// Result reads a finished job's completion report, streamed, and groups the failed
// tasks by error code.
func (b *BackfillJobs) Result(ctx context.Context, job awsops.Job) (BackfillResult, error) {
	bucket := strings.TrimPrefix(job.ReportBucketARN, "arn:"+PartitionOf(job.ReportBucketARN)+":s3:::")
	r := BackfillResult{Job: job, Total: job.TotalTasks, Report: fmt.Sprintf("s3://%s/%s/", bucket, awsops.ReportDir(job.ReportPrefix, job.ID))}
	if job.Succeeded+job.Failed == 0 {
		r.Groups = []BackfillFailureGroup{}
		return r, nil // S3 writes no report when no task ran
	}
	var g ReportGrouper
	if _, err := awsops.ReadReport(ctx, b.batch, b.region, bucket, job.ReportPrefix, job.ID, g.Add); err != nil {
		r.ReportError = explain("source", err).Error()
		r.Succeeded, r.Failed, r.Groups = job.Succeeded, job.Failed, []BackfillFailureGroup{}
		return r, nil
	}
	r.Succeeded, r.Failed, r.Groups = g.Succeeded, g.Failed, g.Groups()
	return r, nil
}

// ExplainWithDoctor runs the doctor and gives each failure group the doctor's failed
// checks that its reason points at; the report's fixes are what s3repl can mend (the
// rule's metrics and RTC as the live rule has them: see backfillDoctor).
func ExplainWithDoctor(ctx context.Context, acc Accounts, s Setup, r *BackfillResult) (DoctorReport, error) {
	if len(r.Groups) == 0 {
		return DoctorReport{}, nil
	}
	report, _, err := backfillDoctor(ctx, acc, s)
	if err != nil {
		return report, err
	}
	for i := range r.Groups {
		for _, c := range report.Checks {
			if c.Status == DoctorFailed && slices.Contains(r.Groups[i].Reason.Checks, c.ID) {
				r.Groups[i].Findings = append(r.Groups[i].Findings, c)
			}
		}
	}
	return report, nil
}
