package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/s3repl/s3repl/steps"
)

// VerifyProgressLine is printed after each observation of the test object.
func VerifyProgressLine(r steps.VerifyReport) string {
	n := len(r.Timeline)
	if n == 0 {
		return ""
	}
	e := r.Timeline[n-1]
	status := e.SourceStatus
	if status == "" {
		status = "no status"
	}
	line := fmt.Sprintf("  %6s  source %s", e.Elapsed.Round(time.Second), status)
	if e.ReplicaStatus != "" {
		line += ", replica " + e.ReplicaStatus
	}
	if e.Note != "" {
		line += StyleMuted.Render("  (" + e.Note + ")")
	}
	return line + "\n"
}

// VerifyText is the status panel as text: the object, each check, the outcome.
func VerifyText(r steps.VerifyReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s s3://%s/%s (version %s)\n", StyleTitle.Render("Test object"), r.SourceBucket, r.Key, r.VersionID)
	fmt.Fprintf(&b, "%s s3://%s (%s), replica key %s\n\n", StyleMuted.Render("replicates to"), r.DestBucket, r.DestRegion, r.ReplicaKeyARN)
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %s %s", checkMark(c.Status), c.Name)
		if c.Detail != "" {
			b.WriteString(StyleMuted.Render(" — " + c.Detail))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + outcomeLine(r) + "\n")
	return b.String()
}

func checkMark(s steps.CheckStatus) string {
	switch s {
	case steps.CheckPassed:
		return StyleOK.Render("✓")
	case steps.CheckFailed:
		return StyleError.Render("✗")
	}
	return StyleMuted.Render("…")
}

func outcomeLine(r steps.VerifyReport) string {
	label := fmt.Sprintf("%s after %s", r.Outcome, r.Elapsed.Round(time.Second))
	if r.Outcome == steps.OutcomeCompleted {
		return StyleOK.Render(label) + " " + r.Explanation
	}
	return StyleError.Render(label) + " " + r.Explanation
}

// DoctorText renders the doctor's checks with their evidence and fixes, then the
// changes s3repl would make.
func DoctorText(r steps.DoctorReport) string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "%s %s\n", doctorMark(c.Status), StyleTitle.Render(c.Title))
		b.WriteString(indent(StyleMuted.Render(c.Evidence), "    ") + "\n")
		if c.Fix != "" && c.Status != steps.DoctorPassed {
			b.WriteString("    " + StyleWarning.Render("fix: ") + c.Fix + "\n")
		}
	}
	switch {
	case r.FixError != "":
		b.WriteString("\n" + StyleError.Render("s3repl cannot plan a fix: ") + r.FixError + "\n")
	case len(r.Fixes) > 0:
		b.WriteString("\n" + StyleTitle.Render("s3repl apply would make these changes:") + "\n")
		for i, c := range r.Fixes {
			fmt.Fprintf(&b, "%s %s\n", actionBadge(c.Action, i+1), c.Title)
			b.WriteString(indent(ColorDiff(UnifiedDiff(c.ID, c.Before, c.After)), "     ") + "\n")
		}
	}
	return b.String()
}

func doctorMark(s steps.DoctorStatus) string {
	switch s {
	case steps.DoctorPassed:
		return StyleOK.Render("✓")
	case steps.DoctorFailed:
		return StyleError.Render("✗")
	case steps.DoctorInfo:
		return StyleHunk.Render("i")
	}
	return StyleWarning.Render("?")
}
