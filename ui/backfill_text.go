package ui

import (
	"fmt"
	"strings"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// BackfillPreviewText is the prepared job: how many objects, what it costs (an
// estimate, with its source), and its id.
func BackfillPreviewText(job awsops.Job, cost steps.CostEstimate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", StyleTitle.Render("Batch Replication job"), job.ID, StyleMuted.Render("("+job.Status+")"))
	if job.Status == awsops.JobFailed {
		b.WriteString(StyleError.Render("S3 could not start the job:") + "\n")
		for _, f := range job.FailureReasons {
			fmt.Fprintf(&b, "  %s %s: %s\n", StyleError.Render("✗"), f.Code, f.Reason)
		}
		b.WriteString("Nothing was replicated. Fix the cause and run backfill again: it makes a new job (a role created moments ago may just need a minute).\n")
		return b.String()
	}
	fmt.Fprintf(&b, "  objects to replicate: %s\n", count(job.TotalTasks))
	fmt.Fprintf(&b, "  %s $%.2f (job $%.2f + objects $%.4f)\n", StyleWarning.Render("estimated Batch Operations fees:"), cost.Total, cost.JobFee, cost.ObjectFees)
	b.WriteString(StyleMuted.Render("    source: "+cost.Source) + "\n")
	b.WriteString(StyleMuted.Render("    not included: "+cost.Excludes) + "\n")
	return b.String()
}

// BackfillProgressLine is printed for each reading of a job without a terminal.
func BackfillProgressLine(job awsops.Job) string {
	if job.TotalTasks == 0 {
		return fmt.Sprintf("  %s\n", job.Status)
	}
	done := job.Succeeded + job.Failed
	return fmt.Sprintf("  %-10s %s/%s (%d%%), %s failed\n", job.Status, count(done), count(job.TotalTasks), done*100/job.TotalTasks, count(job.Failed))
}

// BackfillResultText is a finished job: the counts, each group of failed tasks with
// what its reason means and the doctor's findings, the report's location.
func BackfillResultText(r steps.BackfillResult) string {
	var b strings.Builder
	status := statusStyle(r.Job.Status)
	fmt.Fprintf(&b, "\n%s %s: %s succeeded, %s failed of %s\n", StyleTitle.Render("Job"), status,
		count(r.Succeeded), count(r.Failed), count(r.Total))
	for _, f := range r.Job.FailureReasons {
		fmt.Fprintf(&b, "  %s %s: %s\n", StyleError.Render("✗"), f.Code, f.Reason)
	}
	if r.ReportError != "" {
		b.WriteString(StyleWarning.Render("The completion report could not be read: ") + r.ReportError + "\n")
	}
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "\n%s %s %s\n", StyleError.Render("✗"), StyleTitle.Render(g.Code), StyleMuted.Render("("+plural(int(g.Count), "object")+")"))
		b.WriteString("    " + g.Reason.Meaning + "\n")
		if g.Message != "" {
			b.WriteString(StyleMuted.Render("    S3: "+firstOf(g.Message)) + "\n")
		}
		b.WriteString(StyleMuted.Render("    e.g. "+strings.Join(g.Examples, ", ")) + "\n")
		for _, c := range g.Findings {
			b.WriteString(indent(strings.TrimSuffix(doctorCheckText(printTheme, c), "\n"), "    ") + "\n")
		}
	}
	if r.Report != "" && r.Succeeded+r.Failed > 0 {
		b.WriteString("\n" + StyleMuted.Render("Completion report: "+r.Report) + "\n")
	}
	return b.String()
}

func firstOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// BackfillFixesText lists the fixes s3repl can make for the failed tasks, each as a
// diff, and what it cannot mend.
func BackfillFixesText(f *steps.BackfillFixes) string {
	var b strings.Builder
	if len(f.Changes) > 0 {
		b.WriteString("\n" + StyleTitle.Render("s3repl can fix this with these changes:") + "\n")
		for i, c := range f.Changes {
			fmt.Fprintf(&b, "%s %s\n", actionBadge(c.Action, i+1), c.Title)
			b.WriteString(indent(ColorDiff(UnifiedDiff(c.ID, c.Before, c.After)), "     ") + "\n")
		}
	}
	for _, n := range f.Notes {
		b.WriteString(StyleWarning.Render("  ! ") + n + "\n")
	}
	return b.String()
}
