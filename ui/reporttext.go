package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/s3repl/s3repl/steps"
)

// sourceStatus is the source's status at an observation: "no status" means it matched
// no rule, which a failed read does not say.
func sourceStatus(e steps.VerifyEvent) string {
	switch {
	case e.SourceStatus != "":
		return e.SourceStatus
	case e.Note != "":
		return "read error"
	}
	return "no status"
}

// VerifyProgressLine is printed after each observation of the test object.
func VerifyProgressLine(r steps.VerifyReport) string {
	n := len(r.Timeline)
	if n == 0 {
		return ""
	}
	e := r.Timeline[n-1]
	line := fmt.Sprintf("  %6s  source %s", e.Elapsed.Round(time.Second), sourceStatus(e))
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
		fmt.Fprintf(&b, "  %s %s", checkMark(printTheme, c.Status), c.Name)
		if c.Detail != "" {
			b.WriteString(StyleMuted.Render(" — " + c.Detail))
		}
		b.WriteString("\n")
	}
	if timeline := TimelineText(r); timeline != "" {
		b.WriteString("\n" + StyleMuted.Render(timeline) + "\n")
	}
	b.WriteString("\n" + outcomeLine(printTheme, r) + "\n")
	return b.String()
}

func checkMark(th Theme, s steps.CheckStatus) string {
	switch s {
	case steps.CheckPassed:
		return th.OK.Render("✓")
	case steps.CheckFailed:
		return th.Error.Render("✗")
	}
	return th.Muted.Render("…")
}

func outcomeLine(th Theme, r steps.VerifyReport) string {
	label := fmt.Sprintf("%s after %s", r.Outcome.Words(), r.Elapsed.Round(time.Second))
	if r.Explanation != "" {
		label += ":"
	}
	if r.Outcome == steps.OutcomeCompleted {
		return th.OK.Render(label) + " " + r.Explanation
	}
	return th.Error.Render(label) + " " + r.Explanation
}

// DoctorText renders the doctor's checks with their evidence and fixes, then the
// changes s3repl would make.
func DoctorText(r steps.DoctorReport) string {
	th := printTheme
	var b strings.Builder
	for _, c := range r.Checks {
		b.WriteString(doctorCheckText(th, c))
	}
	b.WriteString(fixesText(th, r))
	if !r.Failed() {
		b.WriteString(blindSpots(th) + "\n")
	}
	return b.String()
}

// blindSpots says where to look when no check failed, yet objects do.
func blindSpots(th Theme) string {
	return th.Warning.Render("No check failed.") + " If objects still fail, look where s3repl cannot: " +
		"service and resource control policies of AWS Organizations (the doctor checks the role's own policies and its boundary). " +
		"With the rule's Metrics option on, S3 reports each failure with its reason as an " +
		"s3:Replication:OperationFailedReplication event."
}

// fixesText is the changes s3repl would make to fix what the doctor found.
func fixesText(th Theme, r steps.DoctorReport) string {
	var b strings.Builder
	switch {
	case r.FixError != "":
		b.WriteString("\n" + th.Error.Render("s3repl cannot plan a fix: ") + r.FixError + "\n")
	case len(r.Fixes) > 0:
		b.WriteString("\n" + th.Heading.Render("s3repl apply would make these changes:") + "\n")
		for i, c := range r.Fixes {
			fmt.Fprintf(&b, "%s %s\n", actionBadge(c.Action, i+1), c.Title)
			b.WriteString(indent(ColorDiff(UnifiedDiff(c.ID, c.Before, c.After)), "     ") + "\n")
		}
	}
	return b.String()
}

func doctorMark(th Theme, s steps.DoctorStatus) string {
	switch s {
	case steps.DoctorPassed:
		return th.OK.Render("✓")
	case steps.DoctorFailed:
		return th.Error.Render("✗")
	case steps.DoctorInfo:
		return th.Hint.Render("i")
	}
	return th.Warning.Render("?")
}

// doctorCheckText is one check: its mark and title, the evidence, and the fix
// unless it passed.
func doctorCheckText(th Theme, c steps.DoctorCheck) string {
	text := fmt.Sprintf("%s %s\n", doctorMark(th, c.Status), th.Heading.Render(c.Title)) +
		indent(th.Muted.Render(c.Evidence), "    ") + "\n"
	if c.Fix != "" && c.Status != steps.DoctorPassed {
		text += "    " + th.Warning.Render("fix: ") + c.Fix + "\n"
	}
	return text
}

// DoctorFindings is the doctor's report for the status panel, in its theme: what is
// wrong first, with evidence and fix, then the notes, then the checks that passed,
// one line each.
func DoctorFindings(th Theme, r steps.DoctorReport) string {
	counts := map[steps.DoctorStatus]int{}
	for _, c := range r.Checks {
		counts[c.Status]++
	}
	var b strings.Builder
	b.WriteString(th.Heading.Render("Doctor: ") + doctorSummary(th, counts) + "\n")
	for _, status := range []steps.DoctorStatus{steps.DoctorFailed, steps.DoctorUnknown, steps.DoctorInfo} {
		for _, c := range r.Checks {
			if c.Status != status {
				continue
			}
			b.WriteString(doctorCheckText(th, c))
		}
	}
	for _, c := range r.Checks {
		if c.Status == steps.DoctorPassed {
			fmt.Fprintf(&b, "%s %s\n", doctorMark(th, c.Status), c.Title)
		}
	}
	b.WriteString(fixesText(th, r))
	if !r.Failed() {
		b.WriteString(blindSpots(th) + "\n")
	}
	return b.String()
}

func doctorSummary(th Theme, counts map[steps.DoctorStatus]int) string {
	var parts []string
	if n := counts[steps.DoctorFailed]; n > 0 {
		parts = append(parts, th.Error.Render(plural(n, "check")+" failed"))
	}
	if n := counts[steps.DoctorUnknown]; n > 0 {
		parts = append(parts, plural(n, "check")+" could not tell")
	}
	parts = append(parts, fmt.Sprintf("%d passed", counts[steps.DoctorPassed]))
	if n := counts[steps.DoctorInfo]; n > 0 {
		parts = append(parts, plural(n, "note"))
	}
	return strings.Join(parts, ", ")
}

// localZone is the zone the timeline shows beside UTC; tests set one.
var localZone = time.Local

// TimelineText is when the test object's status changed: each new status once, with
// its time (UTC, as S3 reports times) and the time since the upload. The upload's
// time is also given in local time, unless that is UTC.
func TimelineText(r steps.VerifyReport) string {
	if len(r.Timeline) == 0 {
		return ""
	}
	uploaded := r.Started.Round(time.Second)
	first := uploaded.UTC().Format("15:04:05Z")
	if local := uploaded.In(localZone); local.Format("-0700") != "+0000" {
		first += " (" + local.Format("15:04:05 MST") + " local)"
	}
	steps := []string{first + " uploaded"}
	last := ""
	for _, e := range r.Timeline {
		status := sourceStatus(e)
		if e.ReplicaStatus != "" {
			status += ", replica " + e.ReplicaStatus
		}
		if status == last {
			continue
		}
		last = status
		steps = append(steps, fmt.Sprintf("%s %s (+%s)", e.Time.UTC().Round(time.Second).Format("15:04:05Z"), status, e.Elapsed.Round(time.Second)))
	}
	return strings.Join(steps, " → ")
}
