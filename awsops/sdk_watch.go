package awsops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

var _ Watcher = (*sdkAccount)(nil)

// watchClients are the CloudWatch and SQS clients of one account, per Region.
type watchClients struct {
	mu         sync.Mutex
	cloudwatch map[string]*cloudwatch.Client
	sqs        map[string]*sqs.Client
}

func (a *sdkAccount) cloudwatchClient(region string) *cloudwatch.Client {
	w := &a.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.cloudwatch[region]; ok {
		return c
	}
	if w.cloudwatch == nil {
		w.cloudwatch = map[string]*cloudwatch.Client{}
	}
	c := cloudwatch.NewFromConfig(a.cfg, func(o *cloudwatch.Options) {
		o.Region = region
		// Emulators seldom speak the SDK's default Smithy RPC v2 CBOR (moto 5.2.5 does
		// not); CloudWatch serves the AWS query protocol too.
		if o.BaseEndpoint != nil {
			o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
		}
	})
	w.cloudwatch[region] = c
	return c
}

func (a *sdkAccount) sqsClient(region string) *sqs.Client {
	w := &a.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.sqs[region]; ok {
		return c
	}
	if w.sqs == nil {
		w.sqs = map[string]*sqs.Client{}
	}
	c := sqs.NewFromConfig(a.cfg, func(o *sqs.Options) { o.Region = region })
	w.sqs[region] = c
	return c
}

func (a *sdkAccount) GetMetricData(ctx context.Context, region string, queries []MetricQuery, start, end time.Time) ([]MetricSeries, error) {
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(end), ScanBy: cwtypes.ScanByTimestampAscending,
	}
	for _, q := range queries {
		in.MetricDataQueries = append(in.MetricDataQueries, metricDataQuery(q))
	}
	series := map[string]*MetricSeries{}
	pages := cloudwatch.NewGetMetricDataPaginator(a.cloudwatchClient(region), in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("cloudwatch:GetMetricData", "metrics in "+region, err)
		}
		for _, r := range page.MetricDataResults {
			id := aws.ToString(r.Id)
			s := series[id]
			if s == nil {
				s = &MetricSeries{ID: id}
				series[id] = s
			}
			for i := range min(len(r.Timestamps), len(r.Values)) {
				s.Points = append(s.Points, MetricPoint{Time: r.Timestamps[i], Value: r.Values[i]})
			}
		}
	}
	out := make([]MetricSeries, 0, len(queries))
	for _, q := range queries {
		s := MetricSeries{ID: q.ID}
		if found := series[q.ID]; found != nil {
			s = *found
		}
		sort.Slice(s.Points, func(i, j int) bool { return s.Points[i].Time.Before(s.Points[j].Time) })
		out = append(out, s)
	}
	return out, nil
}

func metricDataQuery(q MetricQuery) cwtypes.MetricDataQuery {
	dims := make([]cwtypes.Dimension, 0, len(q.Dimensions))
	for _, d := range q.Dimensions {
		dims = append(dims, cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	return cwtypes.MetricDataQuery{
		Id: aws.String(q.ID),
		MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(q.Namespace), MetricName: aws.String(q.Metric), Dimensions: dims},
			Period: aws.Int32(int32(q.Period / time.Second)),
			Stat:   aws.String(q.Stat),
		},
		ReturnData: aws.Bool(true),
	}
}

func (a *sdkAccount) GetQueue(ctx context.Context, region, name string) (Queue, error) {
	out, err := a.sqsClient(region).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
	if hasCode(err, "QueueDoesNotExist") || hasCode(err, "AWS.SimpleQueueService.NonExistentQueue") {
		return Queue{}, &OpError{Op: "sqs:GetQueueUrl", Profile: a.profile, Resource: name, Code: apiErrorCode(err), Kind: KindNotFound, Err: err}
	}
	if err != nil {
		return Queue{}, a.fail("sqs:GetQueueUrl", name, err)
	}
	return a.queueAttributes(ctx, region, aws.ToString(out.QueueUrl))
}

func (a *sdkAccount) queueAttributes(ctx context.Context, region, url string) (Queue, error) {
	out, err := a.sqsClient(region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy},
	})
	if err != nil {
		return Queue{}, a.fail("sqs:GetQueueAttributes", url, err)
	}
	return Queue{URL: url, ARN: out.Attributes["QueueArn"], Policy: out.Attributes["Policy"]}, nil
}

// CreateQueue creates a standard queue; SQS answers with the existing queue when one
// of that name exists with the same attributes.
func (a *sdkAccount) CreateQueue(ctx context.Context, region, name string) (Queue, error) {
	out, err := a.sqsClient(region).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name})
	if err != nil {
		return Queue{}, a.fail("sqs:CreateQueue", name, err)
	}
	return a.queueAttributes(ctx, region, aws.ToString(out.QueueUrl))
}

func (a *sdkAccount) SetQueuePolicy(ctx context.Context, region, url, policy string) error {
	_, err := a.sqsClient(region).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: &url, Attributes: map[string]string{"Policy": policy},
	})
	if err != nil {
		return a.fail("sqs:SetQueueAttributes", url, err)
	}
	return nil
}

func (a *sdkAccount) DeleteQueue(ctx context.Context, region, url string) error {
	if _, err := a.sqsClient(region).DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
		return a.fail("sqs:DeleteQueue", url, err)
	}
	return nil
}

func (a *sdkAccount) ReceiveMessages(ctx context.Context, region, url string, limit int, wait time.Duration) ([]QueueMessage, error) {
	out, err := a.sqsClient(region).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &url, MaxNumberOfMessages: int32(min(max(limit, 1), 10)), WaitTimeSeconds: int32(wait / time.Second),
	})
	if err != nil {
		return nil, a.fail("sqs:ReceiveMessage", url, err)
	}
	messages := make([]QueueMessage, 0, len(out.Messages))
	for _, m := range out.Messages {
		messages = append(messages, QueueMessage{ID: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), Receipt: aws.ToString(m.ReceiptHandle)})
	}
	return messages, nil
}

// DeleteMessages deletes in batches of ten, SQS's limit per call.
func (a *sdkAccount) DeleteMessages(ctx context.Context, region, url string, receipts []string) error {
	for start := 0; start < len(receipts); start += 10 {
		batch := receipts[start:min(start+10, len(receipts))]
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(batch))
		for i, r := range batch {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(start + i)), ReceiptHandle: aws.String(r)}
		}
		out, err := a.sqsClient(region).DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: entries})
		if err != nil {
			return a.fail("sqs:DeleteMessage", url, err)
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return &OpError{Op: "sqs:DeleteMessage", Profile: a.profile, Resource: url, Code: aws.ToString(f.Code),
				Kind: KindOther, Err: fmt.Errorf("%d of %d messages not deleted: %s", len(out.Failed), len(batch), aws.ToString(f.Message))}
		}
	}
	return nil
}

func (a *sdkAccount) GetBucketNotification(ctx context.Context, region, bucket string) (string, error) {
	out, err := a.s3Client(region).GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: &bucket})
	if err != nil {
		return "", a.fail("s3:GetBucketNotification", bucket, err)
	}
	config := s3types.NotificationConfiguration{
		QueueConfigurations:          out.QueueConfigurations,
		TopicConfigurations:          out.TopicConfigurations,
		LambdaFunctionConfigurations: out.LambdaFunctionConfigurations,
		EventBridgeConfiguration:     out.EventBridgeConfiguration,
	}
	doc, err := json.Marshal(apiShape(reflect.ValueOf(&config)))
	if err != nil {
		return "", a.fail("s3:GetBucketNotification", bucket, err)
	}
	return string(doc), nil
}

func (a *sdkAccount) PutBucketNotification(ctx context.Context, region, bucket, config string) error {
	var c s3types.NotificationConfiguration
	dec := json.NewDecoder(bytes.NewReader([]byte(config)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return a.fail("s3:PutBucketNotification", bucket, &invalidDocumentError{What: "notification configuration", Err: err})
	}
	_, err := a.s3Client(region).PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: &bucket, NotificationConfiguration: &c,
	})
	if err != nil {
		return a.fail("s3:PutBucketNotification", bucket, err)
	}
	return nil
}
