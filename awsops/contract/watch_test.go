package contract

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

// watchLog records what the watch's calls answered. Queue URLs differ by backend
// (moto's carries its own host and port) and are replaced by a placeholder; S3's
// test event is reduced to its type and bucket (its time and request id are the
// backend's own).
type watchLog struct {
	t       *testing.T
	b       *backend
	w       awsops.Watcher
	entries []any
}

func (l *watchLog) record(call string, value any, err error) {
	if err != nil {
		value = outcome("", err)
	}
	l.entries = append(l.entries, map[string]any{"call": call, "answer": value})
}

func (l *watchLog) receiveAll(queueURL string) {
	l.t.Helper()
	msgs, err := l.w.ReceiveMessages(ctx, mototest.SourceRegion, queueURL, 10, time.Second)
	var bodies []map[string]string
	var receipts []string
	for _, m := range msgs {
		var body map[string]string
		_ = json.Unmarshal([]byte(m.Body), &body)
		bodies = append(bodies, map[string]string{"Event": body["Event"], "Bucket": body["Bucket"], "Service": body["Service"]})
		receipts = append(receipts, m.Receipt)
	}
	l.record("ReceiveMessages", bodies, err)
	if len(receipts) > 0 {
		l.record("DeleteMessages", nil, l.w.DeleteMessages(ctx, mototest.SourceRegion, queueURL, receipts))
	}
}

// TestWatchCalls: queues, their policy, the bucket notification and S3's test event,
// and metric data, as the watch uses them.
func TestWatchCalls(t *testing.T) {
	bucket, queueName := mototest.UniqueName("watched"), mototest.UniqueName("watch-queue")
	queueARN := "arn:aws:sqs:" + mototest.SourceRegion + ":" + mototest.SourceAccount + ":" + queueName
	scenario := func(t *testing.T, b *backend) string {
		w := b.src.(awsops.Watcher)
		l := &watchLog{t: t, b: b, w: w}
		_, err := w.GetQueue(ctx, mototest.SourceRegion, queueName)
		l.record("GetQueue before", nil, err)
		q, err := w.CreateQueue(ctx, mototest.SourceRegion, queueName)
		b.names.name(q.URL, "<queue-url>")
		l.record("CreateQueue", q, err)
		again, err := w.CreateQueue(ctx, mototest.SourceRegion, queueName)
		l.record("CreateQueue again", again, err)
		policy := `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` +
			queueARN + `","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::` + bucket + `"},"StringEquals":{"aws:SourceAccount":"` + mototest.SourceAccount + `"}}}]}`
		l.record("SetQueuePolicy", nil, w.SetQueuePolicy(ctx, mototest.SourceRegion, q.URL, policy))
		q, err = w.GetQueue(ctx, mototest.SourceRegion, queueName)
		l.record("GetQueue", q, err)

		must(t, b.src.CreateBucket(ctx, mototest.SourceRegion, bucket))
		config, err := w.GetBucketNotification(ctx, mototest.SourceRegion, bucket)
		l.record("GetBucketNotification new bucket", config, err)
		put := `{"QueueConfigurations":[{"Id":"theirs","QueueArn":"` + queueARN + `","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"in/"}]}}},` +
			`{"Id":"s3repl-watch","QueueArn":"` + queueARN + `","Events":["s3:Replication:OperationFailedReplication"]}]}`
		l.record("PutBucketNotification", nil, w.PutBucketNotification(ctx, mototest.SourceRegion, bucket, put))
		config, err = w.GetBucketNotification(ctx, mototest.SourceRegion, bucket)
		l.record("GetBucketNotification", config, err)
		l.receiveAll(q.URL)
		l.receiveAll(q.URL)
		l.record("DeleteQueue", nil, w.DeleteQueue(ctx, mototest.SourceRegion, q.URL))
		_, err = w.GetQueue(ctx, mototest.SourceRegion, queueName)
		l.record("GetQueue after DeleteQueue", nil, err)

		dims := []awsops.Dimension{{Name: "SourceBucket", Value: bucket}, {Name: "DestinationBucket", Value: "nowhere"}, {Name: "RuleId", Value: "r"}}
		series, err := w.GetMetricData(ctx, mototest.DestRegion, []awsops.MetricQuery{
			{ID: "pending", Namespace: "AWS/S3", Metric: "OperationsPendingReplication", Dimensions: dims, Stat: "Maximum", Period: time.Minute},
		}, time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		l.record("GetMetricData with no data", series, err)
		return b.render(t, l.entries)
	}
	sim, moto := onBoth(t, scenario)
	mustEqual(t, "the watch's calls", sim, moto)
	if !strings.Contains(sim, `"Event": "s3:TestEvent"`) {
		t.Errorf("no test event after the notification was put:\n%s", sim)
	}
}

// TestNotificationToAQueueS3CannotSendTo: S3 checks that it may send to each queue
// before it keeps a notification configuration [API_PutBucketNotificationConfiguration];
// moto keeps it without looking (a known difference).
func TestNotificationToAQueueS3CannotSendTo(t *testing.T) {
	bucket, queueName := mototest.UniqueName("unchecked"), mototest.UniqueName("no-policy")
	sim, moto := onBoth(t, func(t *testing.T, b *backend) string {
		w := b.src.(awsops.Watcher)
		q, err := w.CreateQueue(ctx, mototest.SourceRegion, queueName)
		must(t, err)
		must(t, b.src.CreateBucket(ctx, mototest.SourceRegion, bucket))
		config := `{"QueueConfigurations":[{"Id":"x","QueueArn":"` + q.ARN + `","Events":["s3:Replication:OperationFailedReplication"]}]}`
		return outcome("", w.PutBucketNotification(ctx, mototest.SourceRegion, bucket, config))
	})
	if sim != "invalid request [InvalidArgument]" {
		t.Errorf("simcloud: %s, want AWS's InvalidArgument (Unable to validate the following destination configurations)", sim)
	}
	if moto != "ok" {
		t.Errorf("moto: %s; it used to keep such a configuration: update the known differences", moto)
	}
}
