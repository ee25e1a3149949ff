package awsops_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

func watcher(t *testing.T, profile string) awsops.Watcher {
	t.Helper()
	w, ok := open(t, profile).(awsops.Watcher)
	if !ok {
		t.Fatal("the SDK-backed Account is no awsops.Watcher")
	}
	return w
}

func rawConfig(t *testing.T, region string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithSharedConfigProfile(mototest.SourceProfile), config.WithRegion(region))
	must(t, err)
	return cfg
}

func TestQueueCreatePolicyReceiveDelete(t *testing.T) {
	t.Parallel()
	ctx, region := t.Context(), source.region
	w := watcher(t, source.profile)
	name := mototest.UniqueName("watch")
	if _, err := w.GetQueue(ctx, region, name); !awsops.IsNotFound(err) {
		t.Fatalf("GetQueue of a missing queue: %v, want a not-found error", err)
	}
	q := get[awsops.Queue](t)(w.CreateQueue(ctx, region, name))
	if !strings.HasSuffix(q.ARN, ":"+source.account+":"+name) || q.Policy != "" {
		t.Errorf("new queue %+v: want an ARN in account %s and no policy", q, source.account)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + q.ARN + `"}]}`
	must(t, w.SetQueuePolicy(ctx, region, q.URL, policy))
	again := get[awsops.Queue](t)(w.GetQueue(ctx, region, name))
	if again.URL != q.URL {
		t.Errorf("GetQueue URL %s, CreateQueue said %s", again.URL, q.URL)
	}
	sameJSON(t, policy, again.Policy)

	client := sqs.NewFromConfig(rawConfig(t, region))
	for i := range 12 {
		_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.URL, MessageBody: aws.String(`{"n":` + string(rune('a'+i)) + `}`)})
		must(t, err)
	}
	var receipts []string
	for len(receipts) < 12 {
		got := get[[]awsops.QueueMessage](t)(w.ReceiveMessages(ctx, region, q.URL, 10, 0))
		if len(got) == 0 {
			t.Fatalf("received %d of 12 messages, then none", len(receipts))
		}
		for _, m := range got {
			receipts = append(receipts, m.Receipt)
		}
	}
	must(t, w.DeleteMessages(ctx, region, q.URL, receipts)) // two batches
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q.URL, AttributeNames: []sqstypesName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	must(t, err)
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("after deleting every message the queue still holds %v", attrs.Attributes)
	}
	if again := get[awsops.Queue](t)(w.CreateQueue(ctx, region, name)); again.URL != q.URL {
		t.Errorf("creating the queue again gave %s, want the existing %s", again.URL, q.URL)
	}
	must(t, w.DeleteQueue(ctx, region, q.URL))
	if _, err := w.GetQueue(ctx, region, name); !awsops.IsNotFound(err) {
		t.Errorf("GetQueue of a deleted queue: %v, want a not-found error", err)
	}
}

func TestBucketNotificationRoundTrip(t *testing.T) {
	t.Parallel()
	ctx, region := t.Context(), source.region
	acc := open(t, source.profile)
	w := acc.(awsops.Watcher)
	bucket := mototest.UniqueName("notify")
	must(t, acc.CreateBucket(ctx, region, bucket))
	if got := get[string](t)(w.GetBucketNotification(ctx, region, bucket)); got != "{}" {
		t.Errorf("a new bucket's notification configuration is %s, want {}", got)
	}
	q := get[awsops.Queue](t)(w.CreateQueue(ctx, region, mototest.UniqueName("notify")))
	config := `{"QueueConfigurations":[` +
		`{"Id":"theirs","QueueArn":"` + q.ARN + `","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"uploads/"}]}}},` +
		`{"Id":"s3repl-watch","QueueArn":"` + q.ARN + `","Events":["s3:Replication:OperationFailedReplication","s3:Replication:OperationMissedThreshold"]}]}`
	must(t, w.PutBucketNotification(ctx, region, bucket, config))
	got := get[string](t)(w.GetBucketNotification(ctx, region, bucket))
	var doc struct{ QueueConfigurations []map[string]any }
	must(t, json.Unmarshal([]byte(got), &doc))
	if len(doc.QueueConfigurations) != 2 {
		t.Fatalf("read back %s, want both queue configurations", got)
	}
	ids := []string{doc.QueueConfigurations[0]["Id"].(string), doc.QueueConfigurations[1]["Id"].(string)}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"s3repl-watch", "theirs"}) {
		t.Errorf("ids %v", ids)
	}
	if err := w.PutBucketNotification(ctx, region, bucket, `{"QueueConfigs":[]}`); awsops.KindOf(err) != awsops.KindInvalidRequest {
		t.Errorf("a misspelt member: %v, want an invalid-request error before any call", err)
	}
}

type sqstypesName = sqstypes.QueueAttributeName

func TestReplicationMetricData(t *testing.T) {
	t.Parallel()
	ctx, region := t.Context(), destination.region
	w := watcher(t, source.profile)
	bucket := mototest.UniqueName("metrics")
	dims := []awsops.Dimension{{Name: "SourceBucket", Value: bucket}, {Name: "DestinationBucket", Value: bucket + "-dst"}, {Name: "RuleId", Value: "to-backup"}}
	now := time.Now().UTC().Truncate(time.Minute)
	var data []cwtypes.MetricDatum
	for i, v := range []float64{3, 5, 2} {
		data = append(data, cwtypes.MetricDatum{
			MetricName: aws.String("OperationsPendingReplication"), Value: aws.Float64(v),
			Timestamp: aws.Time(now.Add(time.Duration(i-3) * time.Minute)),
			Dimensions: []cwtypes.Dimension{
				{Name: aws.String("SourceBucket"), Value: aws.String(bucket)},
				{Name: aws.String("DestinationBucket"), Value: aws.String(bucket + "-dst")},
				{Name: aws.String("RuleId"), Value: aws.String("to-backup")},
			},
		})
	}
	client := cloudwatch.NewFromConfig(rawConfig(t, region), func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) })
	_, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/S3"), MetricData: data})
	must(t, err)
	queries := []awsops.MetricQuery{
		{ID: "pending", Namespace: "AWS/S3", Metric: "OperationsPendingReplication", Dimensions: dims, Stat: "Maximum", Period: time.Minute},
		{ID: "other", Namespace: "AWS/S3", Metric: "OperationsPendingReplication", Dimensions: []awsops.Dimension{{Name: "SourceBucket", Value: "elsewhere"}}, Stat: "Maximum", Period: time.Minute},
	}
	series := get[[]awsops.MetricSeries](t)(w.GetMetricData(ctx, region, queries, now.Add(-10*time.Minute), now.Add(time.Minute)))
	if len(series) != 2 || series[0].ID != "pending" || series[1].ID != "other" {
		t.Fatalf("series %+v, want one per query in query order", series)
	}
	var values []float64
	for _, p := range series[0].Points {
		values = append(values, p.Value)
	}
	if !slices.Equal(values, []float64{3, 5, 2}) {
		t.Errorf("pending values %v, want 3 5 2 oldest first", values)
	}
	if len(series[1].Points) != 0 {
		t.Errorf("another bucket's metric has points %v", series[1].Points)
	}
}
