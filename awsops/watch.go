package awsops

import (
	"context"
	"time"
)

// MetricQuery asks for one CloudWatch metric, one statistic per period.
type MetricQuery struct {
	ID         string // [a-z][a-zA-Z0-9_]*, unique in one request
	Namespace  string
	Metric     string
	Dimensions []Dimension // sent in this order (moto matches them in order; CloudWatch as a set)
	Stat       string      // Sum, Maximum, Average, ...
	Period     time.Duration
}

// Dimension is one name=value of a metric.
type Dimension struct{ Name, Value string }

// MetricPoint is one value of a metric.
type MetricPoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// MetricSeries is what GetMetricData answered for one query, oldest point first.
type MetricSeries struct {
	ID     string
	Points []MetricPoint
}

// Queue is an SQS queue with what watching needs of its attributes.
type Queue struct {
	URL    string
	ARN    string
	Policy string // "" when the queue has none
}

// QueueMessage is one message received from a queue. Receipt deletes it.
type QueueMessage struct {
	ID      string
	Body    string
	Receipt string
}

// Watcher is what `s3repl watch` needs of an account besides Account: replication
// metrics from CloudWatch, an SQS queue for S3's failure events, and the source
// bucket's notification configuration. Both the SDK-backed Account and the simulated
// cloud's implement it.
//
// A notification configuration is a JSON document in the S3 API's shape (what `aws
// s3api get-bucket-notification-configuration` prints): QueueConfigurations,
// TopicConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration; "{}"
// when the bucket has none.
type Watcher interface {
	GetMetricData(ctx context.Context, region string, queries []MetricQuery, start, end time.Time) ([]MetricSeries, error)

	// GetQueue finds a queue by name; an error for which IsNotFound is true when there
	// is none.
	GetQueue(ctx context.Context, region, name string) (Queue, error)
	CreateQueue(ctx context.Context, region, name string) (Queue, error)
	SetQueuePolicy(ctx context.Context, region, queueURL, policy string) error
	// DeleteQueue deletes a queue with the messages on it.
	DeleteQueue(ctx context.Context, region, queueURL string) error
	// ReceiveMessages takes up to max messages (1..10), waiting up to wait for the first.
	ReceiveMessages(ctx context.Context, region, queueURL string, max int, wait time.Duration) ([]QueueMessage, error)
	DeleteMessages(ctx context.Context, region, queueURL string, receipts []string) error

	GetBucketNotification(ctx context.Context, region, bucket string) (string, error)
	PutBucketNotification(ctx context.Context, region, bucket, config string) error
}
