package simcloud

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

func withMetrics(s *replicationSetup) {
	s.config = strings.Replace(s.config, `"Destination":{`, `"Destination":{"Metrics":{"Status":"Enabled"},`, 1)
}

func (s *replicationSetup) metric(region, name, stat string) []awsops.MetricPoint {
	s.t.Helper()
	q := awsops.MetricQuery{ID: "m", Namespace: "AWS/S3", Metric: name, Stat: stat, Period: time.Minute,
		Dimensions: []awsops.Dimension{{Name: "SourceBucket", Value: "src-bucket"}, {Name: "DestinationBucket", Value: "dst-bucket"}, {Name: "RuleId", Value: "to-dst"}}}
	series, err := s.src.GetMetricData(ctx, region, []awsops.MetricQuery{q}, s.clock.Now().Add(-time.Hour), s.clock.Now().Add(time.Minute))
	s.must(err)
	return series[0].Points
}

func last(points []awsops.MetricPoint) float64 {
	if len(points) == 0 {
		return -1
	}
	return points[len(points)-1].Value
}

// breakReplicaKey takes the role out of the replica key's policy, as a colleague
// editing it by hand would.
func (s *replicationSetup) breakReplicaKey() {
	s.t.Helper()
	s.must(s.dst.PutKeyPolicy(ctx, dstRegion, s.dstKey.ARN, policyOf(
		`{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+dstAccount+`:root"},"Action":"kms:*","Resource":"*"}`)))
}

func TestMetricsOnlyForRulesWithMetricsOn(t *testing.T) {
	s := newReplication(t)
	s.upload("a", awsops.PutOptions{})
	s.settle()
	if points := s.metric(dstRegion, MetricOperationsPending, "Maximum"); len(points) != 0 {
		t.Errorf("a rule without Metrics has pending points %v", points)
	}
}

func TestMetricsFollowTheEngine(t *testing.T) {
	s := newReplication(t, withMetrics)
	s.upload("a", awsops.PutOptions{})
	s.upload("b", awsops.PutOptions{})
	if got := last(s.metric(dstRegion, MetricOperationsPending, "Maximum")); got != 2 {
		t.Errorf("operations pending %v, want 2", got)
	}
	if got := last(s.metric(dstRegion, MetricBytesPending, "Maximum")); got != float64(len("body of a")*2) {
		t.Errorf("bytes pending %v, want both bodies", got)
	}
	if points := s.metric(srcRegion, MetricOperationsPending, "Maximum"); len(points) != 0 {
		t.Errorf("pending is published in the destination's Region, found %v in the source's", points)
	}
	s.clock.Advance(time.Minute)
	s.settle()
	if got := last(s.metric(dstRegion, MetricOperationsPending, "Maximum")); got != 0 {
		t.Errorf("operations pending after replication %v, want 0", got)
	}
	if got := last(s.metric(dstRegion, MetricLatency, "Maximum")); got != (time.Minute + latency).Seconds() {
		t.Errorf("latency %v, want %v", got, (time.Minute + latency).Seconds())
	}

	s.breakReplicaKey()
	s.upload("c", awsops.PutOptions{})
	s.upload("d", awsops.PutOptions{})
	s.settle()
	failed := s.metric(srcRegion, MetricOperationsFailed, "Sum")
	if last(failed) != 2 {
		t.Errorf("operations failed %v, want 2 in the last minute", failed)
	}
	if points := s.metric(dstRegion, MetricOperationsFailed, "Sum"); len(points) != 0 {
		t.Errorf("failed operations are published in the source's Region, found %v in the destination's", points)
	}
	other, err := s.dst.GetMetricData(ctx, srcRegion, []awsops.MetricQuery{{ID: "m", Namespace: "AWS/S3", Metric: MetricOperationsFailed, Stat: "Sum", Period: time.Minute,
		Dimensions: []awsops.Dimension{{Name: "SourceBucket", Value: "src-bucket"}, {Name: "DestinationBucket", Value: "dst-bucket"}, {Name: "RuleId", Value: "to-dst"}}}},
		s.clock.Now().Add(-time.Hour), s.clock.Now())
	s.must(err)
	if len(other[0].Points) != 0 {
		t.Errorf("the destination account sees the source's metrics: %v", other[0].Points)
	}
}

// queueFor creates a queue with the policy AWS documents for S3 notifications
// [grant-destinations-permissions-to-s3], for the given bucket and account.
func (s *replicationSetup) queueFor(name, bucket, account string) awsops.Queue {
	s.t.Helper()
	q, err := s.src.CreateQueue(ctx, srcRegion, name)
	s.must(err)
	s.must(s.src.SetQueuePolicy(ctx, srcRegion, q.URL, policyOf(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"`+q.ARN+`",`+
		`"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::`+bucket+`"},"StringEquals":{"aws:SourceAccount":"`+account+`"}}}`)))
	return q
}

func (s *replicationSetup) receiveAll(q awsops.Queue) []string {
	s.t.Helper()
	msgs, err := s.src.ReceiveMessages(ctx, srcRegion, q.URL, 10, 0)
	s.must(err)
	var bodies, receipts []string
	for _, m := range msgs {
		bodies, receipts = append(bodies, m.Body), append(receipts, m.Receipt)
	}
	s.must(s.src.DeleteMessages(ctx, srcRegion, q.URL, receipts))
	return bodies
}

func TestFailureEventsReachTheQueue(t *testing.T) {
	s := newReplication(t, withMetrics)
	q := s.queueFor("watch", "src-bucket", srcAccount)
	config := `{"QueueConfigurations":[{"Id":"theirs","QueueArn":"` + q.ARN + `","Events":["s3:ObjectCreated:*"]},` +
		`{"Id":"s3repl","QueueArn":"` + q.ARN + `","Events":["s3:Replication:OperationFailedReplication"]}]}`
	s.must(s.src.PutBucketNotification(ctx, srcRegion, "src-bucket", config))
	if bodies := s.receiveAll(q); len(bodies) != 1 || !strings.Contains(bodies[0], `"s3:TestEvent"`) {
		t.Errorf("after the put the queue holds %q, want S3's test event for the queue", bodies)
	}
	got, err := s.src.GetBucketNotification(ctx, srcRegion, "src-bucket")
	s.must(err)
	if !strings.Contains(got, `"Id":"theirs"`) || !strings.Contains(got, `"Id":"s3repl"`) {
		t.Errorf("configuration read back %s", got)
	}

	s.upload("works", awsops.PutOptions{})
	s.settle()
	if bodies := s.receiveAll(q); len(bodies) != 0 {
		t.Errorf("a replication that worked sent %q", bodies)
	}
	s.breakReplicaKey()
	version := s.upload("reports/2026 q4.csv", awsops.PutOptions{})
	s.settle()
	bodies := s.receiveAll(q)
	if len(bodies) != 1 {
		t.Fatalf("got %d messages, want one failure event", len(bodies))
	}
	var event struct {
		Records []struct {
			EventName string
			S3        struct {
				Object struct{ Key, VersionID string }
			}
			Data struct{ FailureReason, ReplicationRuleID, DestinationBucket string } `json:"replicationEventData"`
		}
	}
	s.must(json.Unmarshal([]byte(bodies[0]), &event))
	r := event.Records[0]
	if r.EventName != "Replication:OperationFailedReplication" || r.S3.Object.Key != "reports%2F2026+q4.csv" || r.S3.Object.VersionID != version ||
		r.Data.FailureReason != "DstPutObjectNotPermitted" || r.Data.ReplicationRuleID != "to-dst" || r.Data.DestinationBucket != "arn:aws:s3:::dst-bucket" {
		t.Errorf("event %+v", r)
	}
}

func TestNoFailureEventsWithoutMetrics(t *testing.T) {
	s := newReplication(t)
	q := s.queueFor("watch", "src-bucket", srcAccount)
	s.must(s.src.PutBucketNotification(ctx, srcRegion, "src-bucket", `{"QueueConfigurations":[{"QueueArn":"`+q.ARN+`","Events":["s3:Replication:*"]}]}`))
	s.receiveAll(q)
	s.breakReplicaKey()
	s.upload("x", awsops.PutOptions{})
	s.settle()
	if bodies := s.receiveAll(q); len(bodies) != 0 {
		t.Errorf("a rule without metrics sent %q: AWS sends failure events only with metrics on", bodies)
	}
}

func TestNotificationNeedsAQueueS3MaySendTo(t *testing.T) {
	s := newReplication(t, withMetrics)
	other := s.queueFor("other-bucket", "someone-elses-bucket", srcAccount)
	bare, err := s.src.CreateQueue(ctx, srcRegion, "no-policy")
	s.must(err)
	for name, arn := range map[string]string{"policy for another bucket": other.ARN, "no policy": bare.ARN,
		"no such queue": "arn:aws:sqs:us-east-1:" + srcAccount + ":missing"} {
		err := s.src.PutBucketNotification(ctx, srcRegion, "src-bucket", `{"QueueConfigurations":[{"QueueArn":"`+arn+`","Events":["s3:Replication:OperationFailedReplication"]}]}`)
		wantErr(t, err, awsops.KindInvalidRequest, "InvalidArgument")
		if t.Failed() {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if got, _ := s.src.GetBucketNotification(ctx, srcRegion, "src-bucket"); got != "{}" {
		t.Errorf("a refused put left %s", got)
	}
}

func withRTC(s *replicationSetup) {
	s.config = strings.Replace(s.config, `"Destination":{`,
		`"Destination":{"ReplicationTime":{"Status":"Enabled","Time":{"Minutes":15}},"Metrics":{"Status":"Enabled","EventThreshold":{"Minutes":15}},`, 1)
}

func TestThresholdEventsForLateReplicationsWithRTC(t *testing.T) {
	s := newReplication(t, withRTC)
	q := s.queueFor("watch", "src-bucket", srcAccount)
	s.must(s.src.PutBucketNotification(ctx, srcRegion, "src-bucket", `{"QueueConfigurations":[{"QueueArn":"`+q.ARN+`","Events":["s3:Replication:*"]}]}`))
	s.receiveAll(q)
	s.upload("on-time", awsops.PutOptions{})
	s.settle()
	if bodies := s.receiveAll(q); len(bodies) != 0 {
		t.Errorf("a replication within the threshold sent %q", bodies)
	}
	s.cloud.latency = 20 * time.Minute
	s.upload("late", awsops.PutOptions{})
	s.clock.Advance(20 * time.Minute)
	bodies := s.receiveAll(q)
	var names []string
	for _, b := range bodies {
		var event struct {
			Records []struct{ EventName, EventTime string }
		}
		s.must(json.Unmarshal([]byte(b), &event))
		names = append(names, event.Records[0].EventName+" "+event.Records[0].EventTime)
	}
	want := []string{"Replication:OperationMissedThreshold 2026-11-26T09:15:01.000Z", "Replication:OperationReplicatedAfterThreshold 2026-11-26T09:20:01.000Z"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("events %q, want %q", names, want)
	}
}

// S3 refuses a notification configuration whose queue it may not send to, or that is
// in another Region than the bucket [API_PutBucketNotificationConfiguration;
// notification-how-to-event-types-and-destinations], and keeps the configuration it had.
func TestNotificationRefusesQueuesS3CannotSendTo(t *testing.T) {
	s := newReplication(t)
	allowed := s.queueFor("allowed", "src-bucket", srcAccount)
	s.must(s.src.PutBucketNotification(ctx, srcRegion, "src-bucket", `{"QueueConfigurations":[{"Id":"kept","QueueArn":"`+allowed.ARN+`","Events":["s3:Replication:*"]}]}`))
	before, err := s.src.GetBucketNotification(ctx, srcRegion, "src-bucket")
	s.must(err)

	otherBucket := s.queueFor("other-bucket", "their-bucket", srcAccount)
	otherAccount := s.queueFor("other-account", "src-bucket", dstAccount)
	noPolicy, err := s.src.CreateQueue(ctx, srcRegion, "no-policy")
	s.must(err)
	otherRegion, err := s.src.CreateQueue(ctx, dstRegion, "other-region")
	s.must(err)
	s.must(s.src.SetQueuePolicy(ctx, dstRegion, otherRegion.URL, policyOf(`{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"`+otherRegion.ARN+`"}`)))
	for name, arn := range map[string]string{
		"policy for another bucket":  otherBucket.ARN,
		"policy for another account": otherAccount.ARN,
		"no queue policy":            noPolicy.ARN,
		"queue in another Region":    otherRegion.ARN,
		"queue that does not exist":  strings.Replace(allowed.ARN, "allowed", "missing", 1),
	} {
		t.Run(name, func(t *testing.T) {
			err := s.src.PutBucketNotification(ctx, srcRegion, "src-bucket", `{"QueueConfigurations":[{"QueueArn":"`+arn+`","Events":["s3:Replication:*"]}]}`)
			wantErr(t, err, awsops.KindInvalidRequest, "InvalidArgument")
			after, err := s.src.GetBucketNotification(ctx, srcRegion, "src-bucket")
			s.must(err)
			if after != before {
				t.Errorf("a refused put changed the configuration from %s to %s", before, after)
			}
		})
	}
	if bodies := s.receiveAll(otherBucket); len(bodies) != 0 {
		t.Errorf("a queue S3 may not send to received %q", bodies)
	}
}
