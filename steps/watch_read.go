package steps

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// Metric names S3 publishes for a rule with metrics on, namespace AWS/S3
// [repl-metrics].
const (
	MetricOperationsPending = "OperationsPendingReplication"
	MetricBytesPending      = "BytesPendingReplication"
	MetricLatency           = "ReplicationLatency"
	MetricOperationsFailed  = "OperationsFailedReplication"
)

// Series is one metric over the watch's window, oldest point first.
type Series struct {
	Points []awsops.MetricPoint `json:"points"`
}

// Latest is the newest value, 0 without points.
func (s Series) Latest() float64 {
	if len(s.Points) == 0 {
		return 0
	}
	return s.Points[len(s.Points)-1].Value
}

// Max is the highest value, 0 without points.
func (s Series) Max() float64 {
	m := 0.0
	for _, p := range s.Points {
		m = max(m, p.Value)
	}
	return m
}

// Sum adds the values up.
func (s Series) Sum() float64 {
	total := 0.0
	for _, p := range s.Points {
		total += p.Value
	}
	return total
}

// Values are the points' values, for sparklines.
func (s Series) Values() []float64 {
	out := make([]float64, len(s.Points))
	for i, p := range s.Points {
		out[i] = p.Value
	}
	return out
}

// WatchMetrics are the rule's four replication metrics.
type WatchMetrics struct {
	OperationsPending Series `json:"operationsPending"`
	BytesPending      Series `json:"bytesPending"`
	LatencySeconds    Series `json:"latencySeconds"`
	OperationsFailed  Series `json:"operationsFailed"`
}

// FailureEvent is one s3:Replication:OperationFailedReplication event (or an RTC
// threshold event) as S3 sends it [replication-metrics-events].
type FailureEvent struct {
	Time        time.Time `json:"time"`
	Event       string    `json:"event"` // Replication:OperationFailedReplication, ...
	Key         string    `json:"key"`
	VersionID   string    `json:"versionId"`
	Size        int64     `json:"size"`
	Reason      string    `json:"reason"`
	RuleID      string    `json:"ruleId"`
	Destination string    `json:"destination"`
}

// Failed reports whether the event is a failure, not a threshold notice.
func (e FailureEvent) Failed() bool { return e.Event == "Replication:OperationFailedReplication" }

// MissedThreshold reports whether the event says an object missed Replication Time
// Control's 15 minutes.
func (e FailureEvent) MissedThreshold() bool {
	return e.Event == "Replication:OperationMissedThreshold"
}

// CountMissedThreshold counts the objects that missed the RTC threshold.
func CountMissedThreshold(events []FailureEvent) int {
	n := 0
	for _, e := range events {
		if e.MissedThreshold() {
			n++
		}
	}
	return n
}

// ParseEvents reads an SQS message body from S3: the events of our source bucket
// and rule. S3's s3:TestEvent and other events give none. Object keys come
// URL-encoded [notification-content-structure].
func ParseEvents(body, bucket, ruleID string) ([]FailureEvent, error) {
	var msg struct {
		Records []struct {
			EventTime string `json:"eventTime"`
			EventName string `json:"eventName"`
			S3        struct {
				Bucket struct{ Name string } `json:"bucket"`
				Object struct {
					Key       string `json:"key"`
					VersionID string `json:"versionId"`
					Size      int64  `json:"size"`
				} `json:"object"`
			} `json:"s3"`
			Data *struct {
				RuleID            string `json:"replicationRuleId"`
				DestinationBucket string `json:"destinationBucket"`
				FailureReason     string `json:"failureReason"`
			} `json:"replicationEventData"`
		} `json:"Records"`
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		return nil, fmt.Errorf("a message on the queue is not an S3 event: %w", err)
	}
	var out []FailureEvent
	for _, r := range msg.Records {
		if r.Data == nil || r.S3.Bucket.Name != bucket || r.Data.RuleID != ruleID {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			key = r.S3.Object.Key
		}
		at, _ := time.Parse(time.RFC3339Nano, r.EventTime)
		out = append(out, FailureEvent{
			Time: at, Event: r.EventName, Key: key, VersionID: r.S3.Object.VersionID, Size: r.S3.Object.Size,
			Reason: r.Data.FailureReason, RuleID: r.Data.RuleID, Destination: r.Data.DestinationBucket,
		})
	}
	return out, nil
}

// FailureGroup is the failures of one reason.
type FailureGroup struct {
	Reason   string         `json:"reason"`
	Count    int            `json:"count"`
	LastSeen time.Time      `json:"lastSeen"`
	Examples []FailureEvent `json:"examples"` // the newest few
	FailureReason
}

// maxExamples is how many objects a group names.
const maxExamples = 3

// GroupFailures groups failure events by reason, the most frequent first, with what
// each reason means and what to do. Threshold notices are not failures.
func GroupFailures(events []FailureEvent) []FailureGroup {
	index := map[string]int{}
	var groups []FailureGroup
	for _, e := range events {
		if !e.Failed() {
			continue
		}
		i, ok := index[e.Reason]
		if !ok {
			i = len(groups)
			index[e.Reason] = i
			groups = append(groups, FailureGroup{Reason: e.Reason, FailureReason: ExplainFailure(e.Reason)})
		}
		g := &groups[i]
		g.Count++
		if e.Time.After(g.LastSeen) {
			g.LastSeen = e.Time
		}
		g.Examples = append(g.Examples, e)
		if len(g.Examples) > maxExamples {
			slices.SortStableFunc(g.Examples, func(a, b FailureEvent) int { return b.Time.Compare(a.Time) })
			g.Examples = g.Examples[:maxExamples]
		}
	}
	for i := range groups {
		slices.SortStableFunc(groups[i].Examples, func(a, b FailureEvent) int { return b.Time.Compare(a.Time) })
	}
	slices.SortStableFunc(groups, func(a, b FailureGroup) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	return groups
}

// WatchStatus says whether what the watch reads is in place.
type WatchStatus struct {
	MetricsOn bool `json:"metricsOn"` // the rule has replication metrics on
	EventsOn  bool `json:"eventsOn"`  // the queue exists and the bucket sends failure events to it
	RuleFound bool `json:"ruleFound"`
}

// Ready reports whether both metrics and events are in place.
func (s WatchStatus) Ready() bool { return s.MetricsOn && s.EventsOn }

// Missing says what is not in place, for people.
func (s WatchStatus) Missing() []string {
	var out []string
	if !s.RuleFound {
		out = append(out, "the rule is not in the source bucket's replication configuration")
	} else if !s.MetricsOn {
		out = append(out, "the rule's replication metrics are off: CloudWatch has no numbers and S3 sends no failure events")
	}
	if !s.EventsOn {
		out = append(out, "failure events are not sent to an s3repl queue")
	}
	return out
}

// Watcher reads one rule's metrics and failure events.
type Watcher struct {
	acc     Accounts
	w       awsops.Watcher
	Targets WatchTargets
	Status  WatchStatus
	queue   *awsops.Queue
	// fileMetricsOff: the setup file turns the rule's metrics off, so `s3repl apply`
	// of it would blind the watch.
	fileMetricsOff bool
	// Window is how far back the metrics reach; Period is one point's span.
	Window, Period time.Duration
	now            func() time.Time
}

// WatchOptions tune a Watcher.
type WatchOptions struct {
	Window time.Duration // default 3h
	Period time.Duration // default 1 minute, CloudWatch's finest for these metrics
	Now    func() time.Time
}

// NewWatcher inspects the setup and finds what the watch reads.
func NewWatcher(ctx context.Context, acc Accounts, s Setup, opts WatchOptions) (*Watcher, error) {
	st, ws, err := InspectWatch(ctx, acc, s)
	if err != nil {
		return nil, err
	}
	_, targets, err := BuildWatchPlan(s, st, ws)
	if err != nil {
		return nil, err
	}
	w, err := watcherOf(acc.Source)
	if err != nil {
		return nil, err
	}
	status := watchStatus(st.Source.Replication, s.RuleID(), ws, targets)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Watcher{
		acc: acc, w: w, Targets: targets, Status: status, queue: ws.Queue, fileMetricsOff: !s.Rule.Metrics && !s.Rule.ReplicationTime,
		Window: cmp.Or(opts.Window, 3*time.Hour), Period: cmp.Or(opts.Period, time.Minute), now: now,
	}, nil
}

func watchStatus(replication, ruleID string, ws WatchState, t WatchTargets) WatchStatus {
	rule, found := findRule(replication, ruleID)
	return WatchStatus{
		RuleFound: found,
		MetricsOn: found && rule.Status == "Enabled" && ruleMetricsOn(replication, ruleID),
		EventsOn:  ws.Queue != nil && HasNotification(ws.Notification, t.Notification),
	}
}

// refreshStatus reads again whether the metrics and the events are in place, while
// they are not: someone may run `watch --setup` while the dashboard runs.
func (w *Watcher) refreshStatus(ctx context.Context) error {
	if w.Status.Ready() {
		return nil
	}
	t := w.Targets
	replication, err := w.acc.Source.GetBucketReplication(ctx, t.SourceRegion, t.SourceBucket)
	if err != nil {
		return explain("source", err)
	}
	var ws WatchState
	q, err := w.w.GetQueue(ctx, t.SourceRegion, t.QueueName)
	switch {
	case err == nil:
		ws.Queue = &q
	case !awsops.IsNotFound(err):
		return explain("source", err)
	}
	if ws.Notification, err = w.w.GetBucketNotification(ctx, t.SourceRegion, t.SourceBucket); err != nil {
		return explain("source", err)
	}
	w.Status, w.queue = watchStatus(replication, t.RuleID, ws, t), ws.Queue
	return nil
}

func ruleMetricsOn(config, id string) bool {
	var cfg struct {
		Rules []struct {
			ID          string
			Destination struct{ Metrics *struct{ Status string } }
		}
	}
	if json.Unmarshal([]byte(config), &cfg) != nil {
		return false
	}
	for _, r := range cfg.Rules {
		if r.ID == id {
			return r.Destination.Metrics != nil && r.Destination.Metrics.Status == "Enabled"
		}
	}
	return false
}

// ReadMetrics reads the four metrics over the window: pending and latency from the
// destination's Region, failed operations from the source's, where S3 publishes them
// [repl-metrics].
func (w *Watcher) ReadMetrics(ctx context.Context) (WatchMetrics, error) {
	var m WatchMetrics
	end := w.now().Truncate(w.Period).Add(w.Period)
	start := end.Add(-w.Window)
	t := w.Targets
	dims := []awsops.Dimension{{Name: "SourceBucket", Value: t.SourceBucket}, {Name: "DestinationBucket", Value: t.DestBucket}, {Name: "RuleId", Value: t.RuleID}}
	query := func(id, metric, stat string) awsops.MetricQuery {
		return awsops.MetricQuery{ID: id, Namespace: "AWS/S3", Metric: metric, Dimensions: dims, Stat: stat, Period: w.Period}
	}
	dst, err := w.w.GetMetricData(ctx, t.DestRegion, []awsops.MetricQuery{
		query("pending", MetricOperationsPending, "Maximum"), query("bytes", MetricBytesPending, "Maximum"), query("latency", MetricLatency, "Maximum"),
	}, start, end)
	if err != nil {
		return m, explain("source", err)
	}
	src, err := w.w.GetMetricData(ctx, t.SourceRegion, []awsops.MetricQuery{query("failed", MetricOperationsFailed, "Sum")}, start, end)
	if err != nil {
		return m, explain("source", err)
	}
	m.OperationsPending, m.BytesPending, m.LatencySeconds = Series{dst[0].Points}, Series{dst[1].Points}, Series{dst[2].Points}
	m.OperationsFailed = Series{src[0].Points}
	return m, nil
}

// maxReceives bounds one ReadEvents: at 10 messages a call, 1,000 events.
const maxReceives = 100

// ReadEvents takes the failure events waiting on the queue and deletes what it read,
// so each event is reported once. Without a queue it reads nothing.
func (w *Watcher) ReadEvents(ctx context.Context) ([]FailureEvent, error) {
	if w.queue == nil {
		return nil, nil
	}
	var events []FailureEvent
	for range maxReceives {
		// A short poll may answer empty from a sample of SQS's servers while messages
		// wait on others; a long poll of a second asks them all.
		msgs, err := w.w.ReceiveMessages(ctx, w.Targets.SourceRegion, w.queue.URL, 10, time.Second)
		if err != nil {
			return events, explain("source", err)
		}
		if len(msgs) == 0 {
			break
		}
		receipts := make([]string, 0, len(msgs))
		for _, m := range msgs {
			parsed, err := ParseEvents(m.Body, w.Targets.SourceBucket, w.Targets.RuleID)
			if err == nil {
				events = append(events, parsed...)
			}
			receipts = append(receipts, m.Receipt) // the queue is s3repl's: nothing else belongs on it
		}
		if err := w.w.DeleteMessages(ctx, w.Targets.SourceRegion, w.queue.URL, receipts); err != nil {
			return events, explain("source", err)
		}
	}
	slices.SortStableFunc(events, func(a, b FailureEvent) int { return a.Time.Compare(b.Time) })
	return events, nil
}
