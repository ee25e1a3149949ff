package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/s3repl/s3repl/steps"
)

// sparkBars are the eight heights of a sparkline.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values in width cells, the newest on the right: each cell is the
// highest value of the points it covers, scaled to the highest of all; no data is
// a blank line of the lowest bar.
func Sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	cells := make([]float64, width)
	if n := len(values); n > 0 {
		for i := range cells {
			from, to := i*n/width, (i+1)*n/width
			if n < width { // fewer points than cells: right-align them
				from, to = i-(width-n), i-(width-n)+1
			}
			cells[i] = math.NaN()
			for j := max(from, 0); j < min(to, n); j++ {
				if math.IsNaN(cells[i]) || values[j] > cells[i] {
					cells[i] = values[j]
				}
			}
		}
	}
	top := 0.0
	for _, v := range cells {
		if !math.IsNaN(v) {
			top = max(top, v)
		}
	}
	var b strings.Builder
	b.Grow(width * 3)
	for _, v := range cells {
		switch {
		case math.IsNaN(v) || top == 0 || v <= 0:
			b.WriteRune(sparkBars[0])
		default:
			b.WriteRune(sparkBars[min(len(sparkBars)-1, int(v/top*float64(len(sparkBars)-1)+0.5))])
		}
	}
	return b.String()
}

// humanBytes writes a byte count in binary units.
func humanBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

func humanSeconds(s float64) string {
	return (time.Duration(s) * time.Second).String()
}

// WatchText is `s3repl watch --once` for people: the rule, the numbers, the failures
// by reason, what is wrong and what to do.
func WatchText(r steps.WatchReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s → %s, rule %s (last %s)\n", StyleTitle.Render("Replication of"),
		r.Rule.SourceBucket, r.Rule.DestinationBucket, r.Rule.RuleID, r.Window)
	for _, m := range r.Missing {
		b.WriteString(StyleWarning.Render("! ") + m + "\n")
	}
	fmt.Fprintf(&b, "  operations pending  %.0f\n  bytes pending       %s\n  latency             %s\n  operations failed   %.0f\n",
		r.Latest.OperationsPending, humanBytes(r.Latest.BytesPending), humanSeconds(r.Latest.LatencySeconds), r.Latest.OperationsFailed)
	if r.MissedThreshold > 0 {
		b.WriteString(StyleWarning.Render("! ") + fmt.Sprintf("%d object(s) missed the 15-minute Replication Time Control threshold", r.MissedThreshold) + "\n")
	}
	for _, g := range r.Failures {
		b.WriteString(failureGroupText(g))
	}
	if r.OK {
		b.WriteString(StyleOK.Render("✓ no failures, pending under the limits") + "\n")
		return b.String()
	}
	for _, p := range r.Problems {
		b.WriteString(StyleError.Render("✗ ") + p + "\n")
	}
	if len(r.Next) > 0 {
		b.WriteString("Next:\n")
		for _, n := range r.Next {
			b.WriteString("  " + n + "\n")
		}
	}
	return b.String()
}

func failureGroupText(g steps.FailureGroup) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s ×%d, last %s\n", StyleError.Render("✗"), g.Reason, g.Count, g.LastSeen.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "    %s\n    fix: %s\n", g.Meaning, g.Fix)
	for _, e := range g.Examples {
		fmt.Fprintf(&b, "    %s %s\n", e.Key, StyleMuted.Render("version "+e.VersionID))
	}
	return b.String()
}
