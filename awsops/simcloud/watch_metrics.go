package simcloud

import (
	"context"
	"sort"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// The replication metrics S3 publishes to CloudWatch for a rule whose Metrics are
// Enabled [repl-metrics]: in namespace AWS/S3, with dimensions SourceBucket,
// DestinationBucket and RuleId. Bytes and operations pending and the latency are
// published in the destination bucket's Region, operations failed in the source
// bucket's Region. The simulation publishes them in the source bucket owner's
// account, whose rule it is.
const (
	MetricOperationsPending = "OperationsPendingReplication"
	MetricBytesPending      = "BytesPendingReplication"
	MetricLatency           = "ReplicationLatency"
	MetricOperationsFailed  = "OperationsFailedReplication"
)

// ruleMetrics identifies one rule's metrics.
type ruleMetrics struct{ account, source, destination, rule string }

// sample is one value S3 reported: a gauge's new level (pending), one replication's
// latency in seconds, or one failed operation.
type sample struct {
	at    time.Time
	value float64
}

// watchState is what the cloud keeps for watching replication: metrics, queues and
// bucket notification configurations.
type watchState struct {
	samples   map[metricKey][]sample
	pending   map[ruleMetrics]*pendingLevel
	tracked   map[trackedRef]trackedTask
	queues    map[string]*queue // by ARN
	notifying map[string]*notificationConfig
}

type metricKey struct {
	rule   ruleMetrics
	region string
	metric string
}

type pendingLevel struct{ operations, bytes float64 }

type trackedRef struct {
	source      versionRef
	destination string
}

// trackedTask is a replication whose rule had metrics on when S3 scheduled it.
type trackedTask struct {
	rule        ruleMetrics
	srcRegion   string
	dstRegion   string
	bytes       float64
	written     time.Time
	sourceOwner string
	rtc         bool // the rule has Replication Time Control on
}

func (c *Cloud) watching() *watchState {
	if c.watch == nil {
		c.watch = &watchState{
			samples: map[metricKey][]sample{}, pending: map[ruleMetrics]*pendingLevel{},
			tracked: map[trackedRef]trackedTask{}, queues: map[string]*queue{}, notifying: map[string]*notificationConfig{},
		}
	}
	return c.watch
}

func (w *watchState) record(rule ruleMetrics, region, metric string, at time.Time, value float64) {
	k := metricKey{rule, region, metric}
	w.samples[k] = append(w.samples[k], sample{at, value})
}

// replicationScheduled counts a version as pending for its rule, when the rule has
// metrics on.
func (c *Cloud) replicationScheduled(b *bucket, v *objectVersion, r replicationRule) {
	if r.Destination == nil || r.Destination.Metrics == nil || r.Destination.Metrics.Status != "Enabled" {
		return
	}
	w := c.watching()
	dst := r.destinationBucket()
	rule := ruleMetrics{account: b.owner, source: b.name, destination: dst, rule: r.ID}
	task := trackedTask{rule: rule, srcRegion: b.region, dstRegion: c.regionOfBucket(dst, b.region),
		bytes: float64(len(v.body)), written: v.lastModified, sourceOwner: b.owner,
		rtc: r.Destination.ReplicationTime != nil && r.Destination.ReplicationTime.Status == "Enabled"}
	w.tracked[trackedRef{versionRef{b.name, v.key, v.versionID}, dst}] = task
	w.changePending(task, 1, c.now())
}

func (c *Cloud) regionOfBucket(name, fallback string) string {
	if b := c.buckets[name]; b != nil {
		return b.region
	}
	return fallback
}

func (w *watchState) changePending(t trackedTask, sign float64, at time.Time) {
	level := w.pending[t.rule]
	if level == nil {
		level = &pendingLevel{}
		w.pending[t.rule] = level
	}
	level.operations += sign
	level.bytes += sign * t.bytes
	w.record(t.rule, t.dstRegion, MetricOperationsPending, at, level.operations)
	w.record(t.rule, t.dstRegion, MetricBytesPending, at, level.bytes)
}

// replicationDone takes a tracked version off pending and reports how it went:
// its latency when it replicated, a failed operation and the failure event when it
// failed.
func (c *Cloud) replicationDone(t replicationTask, v *objectVersion, failure *Failure) {
	if c.watch == nil {
		return
	}
	w := c.watch
	ref := trackedRef{t.source, t.destination}
	task, ok := w.tracked[ref]
	if !ok {
		return
	}
	delete(w.tracked, ref)
	now := c.now()
	w.changePending(task, -1, now)
	if failure == nil {
		w.record(task.rule, task.dstRegion, MetricLatency, now, now.Sub(task.written).Seconds())
		c.publishLate(task, t, v, now)
		return
	}
	w.record(task.rule, task.srcRegion, MetricOperationsFailed, now, 1)
	c.publish(eventFailed, t, v, failure.Reason, failure.Time)
}

// rtcThreshold is Replication Time Control's: 15 minutes [replication-time-control].
const rtcThreshold = 15 * time.Minute

// publishLate sends the RTC threshold events for a replication that took longer than
// the threshold: it missed it, and replicated after it [replication-metrics-events].
// Nothing runs in the background here, so both are sent when the replication is done,
// the first dated when the threshold passed.
func (c *Cloud) publishLate(task trackedTask, t replicationTask, v *objectVersion, now time.Time) {
	if !task.rtc || now.Sub(task.written) <= rtcThreshold {
		return
	}
	c.publish(eventMissedThreshold, t, v, "", task.written.Add(rtcThreshold))
	c.publish(eventReplicatedAfterThreshold, t, v, "", now)
}

// GetMetricData answers from what the replication engine reported. Pending metrics
// are gauges: a period's Maximum is the highest level held during it. Periods start
// at whole multiples of the period, as CloudWatch aligns them.
func (a *Account) GetMetricData(ctx context.Context, region string, queries []awsops.MetricQuery, start, end time.Time) ([]awsops.MetricSeries, error) {
	var out []awsops.MetricSeries
	err := a.do(ctx, "cloudwatch:GetMetricData", "metrics in "+region, func() error {
		out = make([]awsops.MetricSeries, 0, len(queries))
		for _, q := range queries {
			series := awsops.MetricSeries{ID: q.ID}
			if rule, ok := a.ruleOf(q); ok {
				k := metricKey{rule, region, q.Metric}
				series.Points = aggregate(a.cloud.watching().samples[k], q, start, end)
			}
			out = append(out, series)
		}
		return nil
	})
	return out, err
}

// ruleOf reads the rule a query is about; only S3's replication metrics are known.
func (a *Account) ruleOf(q awsops.MetricQuery) (ruleMetrics, bool) {
	rule := ruleMetrics{account: a.accountID()}
	if q.Namespace != "AWS/S3" || len(q.Dimensions) != 3 {
		return rule, false
	}
	for _, d := range q.Dimensions {
		switch d.Name {
		case "SourceBucket":
			rule.source = d.Value
		case "DestinationBucket":
			rule.destination = d.Value
		case "RuleId":
			rule.rule = d.Value
		}
	}
	return rule, rule.source != "" && rule.destination != "" && rule.rule != ""
}

func aggregate(samples []sample, q awsops.MetricQuery, start, end time.Time) []awsops.MetricPoint {
	period := q.Period
	if period <= 0 {
		period = time.Minute
	}
	gauge := q.Metric == MetricOperationsPending || q.Metric == MetricBytesPending
	first := start.Truncate(period)
	var points []awsops.MetricPoint
	level, seen := 0.0, false
	i := sort.Search(len(samples), func(i int) bool { return !samples[i].at.Before(first) })
	if gauge && i > 0 {
		level, seen = samples[i-1].value, true
	}
	for at := first; at.Before(end); at = at.Add(period) {
		next := at.Add(period)
		value, any := 0.0, false
		if gauge && seen {
			value, any = level, true
		}
		for ; i < len(samples) && samples[i].at.Before(next); i++ {
			s := samples[i]
			switch {
			case !any:
				value = s.value
			case q.Stat == "Sum":
				value += s.value
			default:
				value = max(value, s.value)
			}
			any, level, seen = true, s.value, true
		}
		if any && !at.Before(start.Truncate(period)) {
			points = append(points, awsops.MetricPoint{Time: at, Value: value})
		}
	}
	return points
}
