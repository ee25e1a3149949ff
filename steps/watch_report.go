package steps

import (
	"context"
	"fmt"
	"time"
)

// WatchThresholds decide when `s3repl watch --once` calls a rule unhealthy besides
// failures: too many operations pending, or a latency too high. Zero means no limit.
type WatchThresholds struct {
	MaxPending float64       `json:"maxPending"`
	MaxLatency time.Duration `json:"-"`
}

// WatchRule names the watched rule.
type WatchRule struct {
	SourceBucket      string `json:"sourceBucket"`
	SourceRegion      string `json:"sourceRegion"`
	DestinationBucket string `json:"destinationBucket"`
	DestinationRegion string `json:"destinationRegion"`
	RuleID            string `json:"ruleId"`
	Queue             string `json:"queue"`
}

// WatchLatest are the numbers a summary shows: the newest pending and latency, the
// failed operations over the whole window.
type WatchLatest struct {
	OperationsPending float64 `json:"operationsPending"`
	BytesPending      float64 `json:"bytesPending"`
	LatencySeconds    float64 `json:"latencySeconds"`
	OperationsFailed  float64 `json:"operationsFailed"`
}

// WatchReport is one reading of a rule: what `watch --once --json` prints.
type WatchReport struct {
	Rule     WatchRule      `json:"rule"`
	At       time.Time      `json:"at"`
	Window   string         `json:"window"`
	Status   WatchStatus    `json:"status"`
	Missing  []string       `json:"missing"`
	Latest   WatchLatest    `json:"latest"`
	Metrics  WatchMetrics   `json:"metrics"`
	Events   []FailureEvent `json:"events"`
	Failures []FailureGroup `json:"failures"`
	// MissedThreshold counts the objects that missed the RTC threshold (15 minutes);
	// late, not failed.
	MissedThreshold int `json:"missedThreshold"`
	// Thresholds as given; maxLatencySeconds is MaxLatency in seconds.
	Thresholds        WatchThresholds `json:"thresholds"`
	MaxLatencySeconds float64         `json:"maxLatencySeconds"`
	Problems          []string        `json:"problems"`
	Next              []string        `json:"next"`
	OK                bool            `json:"ok"`
}

// Read takes one reading: the metrics over the window and the events waiting.
func (w *Watcher) Read(ctx context.Context, setupFile string, limits WatchThresholds) (WatchReport, error) {
	if err := w.refreshStatus(ctx); err != nil {
		return WatchReport{}, err
	}
	r := WatchReport{
		Rule: WatchRule{SourceBucket: w.Targets.SourceBucket, SourceRegion: w.Targets.SourceRegion, DestinationBucket: w.Targets.DestBucket,
			DestinationRegion: w.Targets.DestRegion, RuleID: w.Targets.RuleID, Queue: w.Targets.QueueName},
		At: w.now().UTC(), Window: w.Window.String(), Status: w.Status, Missing: orEmpty(w.Status.Missing()),
		Thresholds: limits, MaxLatencySeconds: limits.MaxLatency.Seconds(), Events: []FailureEvent{},
	}
	metrics, err := w.ReadMetrics(ctx)
	if err != nil {
		return r, err
	}
	events, err := w.ReadEvents(ctx)
	if err != nil {
		return r, err
	}
	r.Metrics, r.Events = metrics, append(r.Events, events...)
	r.Latest = WatchLatest{OperationsPending: metrics.OperationsPending.Latest(), BytesPending: metrics.BytesPending.Latest(),
		LatencySeconds: metrics.LatencySeconds.Latest(), OperationsFailed: metrics.OperationsFailed.Sum()}
	r.Failures, r.MissedThreshold = orEmpty(GroupFailures(events)), CountMissedThreshold(events)
	r.judge(setupFile, w.fileMetricsOff)
	return r, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// judge says what is wrong and what to do next; OK when nothing is.
func (r *WatchReport) judge(setupFile string, fileMetricsOff bool) {
	r.Problems, r.Next = []string{}, []string{}
	if !r.Status.Ready() {
		r.Problems = append(r.Problems, "not fully watched: "+joinSentences(r.Missing))
		r.Next = append(r.Next, SetupWatchCommand(setupFile))
	}
	failed := 0
	for _, g := range r.Failures {
		failed += g.Count
	}
	if failed > 0 || r.Latest.OperationsFailed > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("replication failed: %d failure events read now, %.0f operations failed in the last %s", failed, r.Latest.OperationsFailed, r.Window))
		if fileMetricsOff {
			r.Next = append(r.Next, "first set rule.metrics: true in "+setupFile+": applying it as it is turns the rule's metrics, and the failure events, off")
		}
		r.Next = append(r.Next, WayOut(setupFile)...)
	}
	if limit := r.Thresholds.MaxPending; limit > 0 && r.Latest.OperationsPending > limit {
		r.Problems = append(r.Problems, fmt.Sprintf("%.0f operations pending, over the limit of %.0f", r.Latest.OperationsPending, limit))
	}
	if limit := r.MaxLatencySeconds; limit > 0 && r.Latest.LatencySeconds > limit {
		r.Problems = append(r.Problems, fmt.Sprintf("replication is %s behind, over the limit of %s",
			time.Duration(r.Latest.LatencySeconds*float64(time.Second)), r.Thresholds.MaxLatency))
	}
	r.OK = len(r.Problems) == 0
}

func joinSentences(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}

// SetupWatchCommand is how to put in place what the watch reads.
func SetupWatchCommand(setupFile string) string {
	return "s3repl watch -f " + setupFile + " --setup   (shows the changes as diffs, then applies them)"
}

// WayOut is what to do about failures: find the cause, fix it, then replicate the
// objects that failed, which S3 never retries by itself [replication-status].
func WayOut(setupFile string) []string {
	return []string{
		"s3repl doctor -f " + setupFile + "   (names the cause and the fix)",
		"s3repl apply -f " + setupFile + "   (applies the fixes the doctor lists)",
		"s3repl backfill -f " + setupFile + " --objects failed   (replicates the objects that failed)",
	}
}

// WatchDoctor runs the doctor on the setup as the watch has it (metrics on), so
// its fixes keep the watch's metrics.
func (w *Watcher) WatchDoctor(ctx context.Context, s Setup) (DoctorReport, error) {
	return Doctor(ctx, w.acc, WatchSetup(s))
}
