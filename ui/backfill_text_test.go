package ui

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

func TestBackfillTexts(t *testing.T) {
	job := awsops.Job{ID: "5b1c2a3d-0000-4000-8000-00000000abcd", Status: awsops.JobSuspended, TotalTasks: 1_250_000}
	failed := awsops.Job{ID: job.ID, Status: awsops.JobFailed,
		FailureReasons: []awsops.JobFailure{{Code: "AccessDenied", Reason: "S3 Batch Operations cannot assume role arn:aws:iam::111111111111:role/s3repl-batch-acme"}}}
	done := awsops.Job{ID: job.ID, Status: awsops.JobComplete, TotalTasks: 303, Succeeded: 243, Failed: 60, ElapsedActive: 4 * time.Second}
	result := steps.BackfillResult{Job: done, Total: 303, Succeeded: 243, Failed: 60,
		Report: "s3://acme-prod-orders/s3repl-batch/reports/job-" + job.ID + "/",
		Groups: []steps.BackfillFailureGroup{{
			Code: "SrcGetObjectNotPermitted", Count: 60, Message: "no statement allows kms:Decrypt",
			Examples: []string{"reports/2025/q1/00.pdf (v1)", "reports/2025/q1/04.pdf (v2)"},
			Reason:   steps.ExplainFailureReason("SrcGetObjectNotPermitted"),
			Findings: []steps.DoctorCheck{{ID: "object-keys", Title: "The role can decrypt the keys objects are encrypted with", Status: steps.DoctorFailed,
				Evidence: "60 object(s) under key arn:aws:kms:us-east-1:111111111111:key/finance", Fix: "let the role decrypt with these keys"}},
		}}}
	text := BackfillPreviewText(job, steps.EstimateBackfillCost(job.TotalTasks)) +
		BackfillPreviewText(failed, steps.CostEstimate{}) +
		BackfillProgressLine(done) + BackfillResultText(result)
	golden.RequireEqual(t, text)
}
