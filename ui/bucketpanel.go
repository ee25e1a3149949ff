package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// summaryResult is a bucket summary once read.
type summaryResult struct {
	summary steps.BucketSummary
	err     error
	// keyAlias is the alias of the default encryption's KMS key, when the key is
	// named by ARN and its alias is known.
	keyAlias string
}

// bucketPanel renders what matters about a bucket for replication, boxed, width
// cells wide and at most height high.
func bucketPanel(th Theme, res *summaryResult, loading string, width, height int) string {
	inner := max(10, width-4)
	var lines []string
	switch {
	case loading != "":
		lines = []string{loading}
	case res == nil:
		lines = []string{th.Muted.Render("move to a bucket to see its settings")}
	case res.err != nil:
		lines = strings.Split(renderError(th, res.err, inner), "\n")
	default:
		lines = summaryLines(th, res.summary, res.keyAlias, inner)
	}
	return boxed(th, lines, width, height)
}

func summaryLines(th Theme, s steps.BucketSummary, keyAlias string, width int) []string {
	lines := []string{th.PanelTitle.Render(s.Name) + th.Muted.Render("  "+s.Region)}
	const labelWidth = 12
	row := func(label, value string) {
		// Long values (advice, errors) wrap under themselves rather than lose their end.
		wrapped := strings.Split(ansi.Wrap(value, max(10, width-labelWidth), " "), "\n")
		lines = append(lines, th.Label.Render(fmt.Sprintf("%-*s", labelWidth, label))+wrapped[0])
		for _, more := range wrapped[1:] {
			lines = append(lines, strings.Repeat(" ", labelWidth)+more)
		}
	}
	row("versioning", partValue(th, s, steps.PartVersioning, versioningText(th, s.Versioning)))
	row("encryption", partValue(th, s, steps.PartEncryption, encryptionText(th, s.Encryption, keyAlias)))
	row("object lock", partValue(th, s, steps.PartObjectLock, onOff(s.ObjectLock)))
	row("replication", partValue(th, s, steps.PartReplication, replicationText(s)))
	for _, r := range s.Rules {
		lines = append(lines, th.Muted.Render(ansi.Truncate(ruleLine(r), width, "…")))
	}
	return lines
}

func partValue(th Theme, s steps.BucketSummary, part, value string) string {
	if err, ok := s.Unreadable[part]; ok {
		return th.Error.Render("? ") + th.Muted.Render(steps.ErrorKind(err)+": "+steps.ExplainError(err).Advice)
	}
	return value
}

func versioningText(th Theme, status string) string {
	if status == "Enabled" {
		return th.OK.Render("✓ ") + "enabled"
	}
	if status == "" {
		status = "never enabled"
	}
	return th.Warning.Render("! ") + strings.ToLower(status) + th.Muted.Render(" (s3repl enables it)")
}

func encryptionText(th Theme, e awsops.Encryption, keyAlias string) string {
	bucketKey := ""
	if e.BucketKey {
		bucketKey = ", Bucket Key"
	}
	switch e.Algorithm {
	case "aws:kms", "aws:kms:dsse":
		key := e.KMSKeyID
		switch {
		case key == "":
			key = "aws/s3"
		case keyAlias != "":
			key = keyAlias // as people know the key: S3 names it by ARN
		}
		if !strings.HasPrefix(shortKey(key), "alias/") {
			key = "key " + shortID(shortKey(key))
		}
		return "SSE-KMS " + shortKey(key) + bucketKey
	case "AES256":
		return "SSE-S3" + bucketKey
	}
	return "none"
}

// shortKey shows a key ARN by its id; aliases and ids stay as they are.
func shortKey(ref string) string {
	if i := strings.LastIndex(ref, ":key/"); i >= 0 {
		return ref[i+5:]
	}
	if i := strings.LastIndex(ref, ":alias/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func replicationText(s steps.BucketSummary) string {
	if len(s.Rules) == 0 {
		return "no rules"
	}
	role := s.ReplicationRole
	if i := strings.LastIndex(role, "/"); i >= 0 {
		role = role[i+1:]
	}
	return plural(len(s.Rules), "rule") + ", role " + role
}

func ruleLine(r steps.RuleSummary) string {
	dest := r.DestinationBucket
	if r.DestinationAccount != "" {
		dest += " (" + r.DestinationAccount + ")"
	}
	kms := ""
	if r.KMSObjects {
		kms = " · SSE-KMS"
	}
	return fmt.Sprintf("  • %s → %s · %s · %s%s", r.ID, dest, r.Scope, strings.ToLower(r.Status), kms)
}

// boxed frames lines in the panel border, width cells wide and at most height high.
func boxed(th Theme, lines []string, width, height int) string {
	inner := max(1, width-4)
	rows := max(1, height-2)
	if len(lines) > rows {
		lines = append(lines[:rows-1], th.Muted.Render("…"))
	}
	out := make([]string, len(lines))
	for i := range out {
		line := ansi.Truncate(lines[i], inner, "…")
		out[i] = line + strings.Repeat(" ", inner-ansi.StringWidth(line))
	}
	return th.Panel.Render(strings.Join(out, "\n"))
}
