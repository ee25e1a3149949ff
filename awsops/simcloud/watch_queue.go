package simcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
)

var _ awsops.Watcher = (*Account)(nil)

// visibilityTimeout is SQS's default: a received message is hidden this long unless
// deleted.
const visibilityTimeout = 30 * time.Second

// queue is an SQS standard queue.
type queue struct {
	name, account, region string
	policy                string
	messages              []*queueMessage
}

type queueMessage struct {
	id, body, receipt string
	visibleAt         time.Time
}

func (q *queue) arn() string { return "arn:aws:sqs:" + q.region + ":" + q.account + ":" + q.name }

func (q *queue) url() string {
	return "https://sqs." + q.region + ".amazonaws.com/" + q.account + "/" + q.name
}

func (q *queue) info() awsops.Queue {
	return awsops.Queue{URL: q.url(), ARN: q.arn(), Policy: q.policy}
}

// noQueue is SQS's answer for a queue that does not exist, with the code the SDK
// reports: SQS speaks JSON but stays compatible with its query protocol's codes.
func noQueue() error {
	return notFound("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

// queueByURL finds one of the caller's queues; SQS answers for another account's
// queue only when its policy allows, which s3repl never needs.
func (a *Account) queueByURL(region, queueURL string) (*queue, error) {
	for _, q := range a.cloud.watching().queues {
		if q.url() == queueURL && q.region == region && q.account == a.accountID() {
			return q, nil
		}
	}
	return nil, noQueue()
}

func (a *Account) GetQueue(ctx context.Context, region, name string) (awsops.Queue, error) {
	var out awsops.Queue
	err := a.do(ctx, "sqs:GetQueueUrl", name, func() error {
		q := a.cloud.watching().queues[(&queue{name: name, account: a.accountID(), region: region}).arn()]
		if q == nil {
			return noQueue()
		}
		out = q.info()
		return nil
	})
	return out, err
}

// CreateQueue answers with the existing queue of that name, as SQS does when the
// attributes asked for are the same (none here).
func (a *Account) CreateQueue(ctx context.Context, region, name string) (awsops.Queue, error) {
	var out awsops.Queue
	err := a.do(ctx, "sqs:CreateQueue", name, func() error {
		if !validQueueName(name) {
			return invalid("InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
		}
		q := &queue{name: name, account: a.accountID(), region: region}
		w := a.cloud.watching()
		if existing := w.queues[q.arn()]; existing != nil {
			q = existing
		}
		w.queues[q.arn()] = q
		out = q.info()
		return nil
	})
	return out, err
}

func validQueueName(name string) bool {
	if len(name) == 0 || len(name) > 80 {
		return false
	}
	return !strings.ContainsFunc(name, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
}

func (a *Account) SetQueuePolicy(ctx context.Context, region, queueURL, policy string) error {
	return a.do(ctx, "sqs:SetQueueAttributes", queueURL, func() error {
		q, err := a.queueByURL(region, queueURL)
		if err != nil {
			return err
		}
		if policy != "" && !json.Valid([]byte(policy)) {
			return invalid("InvalidAttributeValue", "Invalid value for the parameter Policy.")
		}
		q.policy = policy
		return nil
	})
}

func (a *Account) DeleteQueue(ctx context.Context, region, queueURL string) error {
	return a.do(ctx, "sqs:DeleteQueue", queueURL, func() error {
		q, err := a.queueByURL(region, queueURL)
		if err != nil {
			return err
		}
		delete(a.cloud.watching().queues, q.arn())
		return nil
	})
}

// ReceiveMessages never waits: the simulation has no background work that could
// deliver a message while it would.
func (a *Account) ReceiveMessages(ctx context.Context, region, queueURL string, limit int, _ time.Duration) ([]awsops.QueueMessage, error) {
	var out []awsops.QueueMessage
	err := a.do(ctx, "sqs:ReceiveMessage", queueURL, func() error {
		q, err := a.queueByURL(region, queueURL)
		if err != nil {
			return err
		}
		now := a.cloud.now()
		for _, m := range q.messages {
			if len(out) == min(max(limit, 1), 10) {
				break
			}
			if m.visibleAt.After(now) {
				continue
			}
			m.visibleAt = now.Add(visibilityTimeout)
			m.receipt = fmt.Sprintf("%s-%d", m.id, a.cloud.nextSeq())
			out = append(out, awsops.QueueMessage{ID: m.id, Body: m.body, Receipt: m.receipt})
		}
		return nil
	})
	return out, err
}

func (a *Account) DeleteMessages(ctx context.Context, region, queueURL string, receipts []string) error {
	return a.do(ctx, "sqs:DeleteMessage", queueURL, func() error {
		q, err := a.queueByURL(region, queueURL)
		if err != nil {
			return err
		}
		q.messages = slices.DeleteFunc(q.messages, func(m *queueMessage) bool {
			return m.receipt != "" && slices.Contains(receipts, m.receipt)
		})
		return nil
	})
}

// QueueDepth counts the messages in a queue, visible or not, for tests.
func (c *Cloud) QueueDepth(queueARN string) int {
	n := 0
	_ = c.locked(func() error {
		if q := c.watching().queues[queueARN]; q != nil {
			n = len(q.messages)
		}
		return nil
	})
	return n
}

func (c *Cloud) send(q *queue, body string) {
	id := fmt.Sprintf("%08x-sim-msg-%d", c.nextSeq(), len(q.messages))
	q.messages = append(q.messages, &queueMessage{id: id, body: body})
}

// s3MaySend decides whether S3, delivering bucket b's events, may send to the queue:
// the queue policy must allow the service principal s3.amazonaws.com
// sqs:SendMessage. S3 sends aws:SourceArn (the bucket) and aws:SourceAccount (its
// owner), which the documented policy conditions on
// [grant-destinations-permissions-to-s3]. A service principal has no identity
// policies: the queue policy alone decides.
func s3MaySend(q *queue, b *bucket) bool {
	req := evaluator.Request{
		Principal: evaluator.Principal{Service: "s3.amazonaws.com"}, Action: "sqs:SendMessage",
		Resource: q.arn(), ResourceAccount: q.account,
		Context: map[string][]string{"aws:SourceArn": {b.arn()}, "aws:SourceAccount": {b.owner}},
	}
	return evaluator.EvaluateResource(q.policy, req).Allowed
}

// notificationConfig is a bucket's notification configuration in the S3 API's JSON
// shape. The simulation has no SNS or Lambda: their configurations are kept as given.
type notificationConfig struct {
	QueueConfigurations          []queueConfiguration `json:"QueueConfigurations,omitempty"`
	TopicConfigurations          []json.RawMessage    `json:"TopicConfigurations,omitempty"`
	LambdaFunctionConfigurations []json.RawMessage    `json:"LambdaFunctionConfigurations,omitempty"`
	EventBridgeConfiguration     *struct{}            `json:"EventBridgeConfiguration,omitempty"`
}

type queueConfiguration struct {
	ID       string       `json:"Id,omitempty"`
	QueueArn string       `json:"QueueArn"`
	Events   []string     `json:"Events"`
	Filter   *eventFilter `json:"Filter,omitempty"`
}

type eventFilter struct {
	Key struct {
		FilterRules []struct{ Name, Value string } `json:"FilterRules"`
	} `json:"Key"`
}

// matches reports whether an object key passes the configuration's prefix and
// suffix rules.
func (q queueConfiguration) matches(key string) bool {
	if q.Filter == nil {
		return true
	}
	for _, r := range q.Filter.Key.FilterRules {
		switch strings.ToLower(r.Name) {
		case "prefix":
			if !strings.HasPrefix(key, r.Value) {
				return false
			}
		case "suffix":
			if !strings.HasSuffix(key, r.Value) {
				return false
			}
		}
	}
	return true
}

// wants reports whether the configuration asks for an event type, also through a
// wildcard such as s3:Replication:* [notification-how-to-event-types-and-destinations].
func (q queueConfiguration) wants(event string) bool {
	for _, e := range q.Events {
		if e == event || strings.HasSuffix(e, ":*") && strings.HasPrefix(event, strings.TrimSuffix(e, "*")) {
			return true
		}
	}
	return false
}

func (a *Account) GetBucketNotification(ctx context.Context, region, name string) (string, error) {
	var out string
	err := a.bucketCall(ctx, region, name, "s3:GetBucketNotification", func(b *bucket) error {
		config := a.cloud.watching().notifying[b.name]
		if config == nil {
			config = &notificationConfig{}
		}
		var err error
		out, err = sortedJSON(config)
		return err
	})
	return out, err
}

// PutBucketNotification replaces the whole configuration. S3 first checks that every
// SQS destination exists and that the bucket may publish to it, by sending it a test
// notification (s3:TestEvent) [API_PutBucketNotificationConfiguration]; a queue it
// cannot send to fails the whole call. "The Amazon SQS queue must be in the same
// Region as your Amazon S3 bucket" [notification-how-to-event-types-and-destinations].
func (a *Account) PutBucketNotification(ctx context.Context, region, name, doc string) error {
	return a.bucketCall(ctx, region, name, "s3:PutBucketNotification", func(b *bucket) error {
		if b.owner != a.accountID() {
			return accessDenied("AccessDenied", "Access Denied")
		}
		var config notificationConfig
		dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&config); err != nil {
			return malformedXML()
		}
		w := a.cloud.watching()
		var targets []*queue
		for i, qc := range config.QueueConfigurations {
			if len(qc.Events) == 0 {
				return malformedXML()
			}
			q := w.queues[qc.QueueArn]
			if q == nil || q.region != b.region || !s3MaySend(q, b) {
				return invalid("InvalidArgument", "Unable to validate the following destination configurations")
			}
			if qc.ID == "" {
				config.QueueConfigurations[i].ID = fmt.Sprintf("sim-%d", a.cloud.nextSeq())
			}
			if !slices.Contains(targets, q) {
				targets = append(targets, q) // one test event per destination
			}
		}
		for _, q := range targets {
			test, _ := json.Marshal(map[string]string{"Service": "Amazon S3", "Event": "s3:TestEvent",
				"Time": a.cloud.now().UTC().Format("2006-01-02T15:04:05.000Z"), "Bucket": b.name, "RequestId": "sim", "HostId": "sim"})
			a.cloud.send(q, string(test))
		}
		w.notifying[b.name] = &config
		return nil
	})
}

// The replication event types [replication-metrics-events].
const (
	eventFailed                   = "OperationFailedReplication"
	eventMissedThreshold          = "OperationMissedThreshold"
	eventReplicatedAfterThreshold = "OperationReplicatedAfterThreshold"
)

// publish sends a replication event (s3:Replication:<event>) to every queue the
// source bucket's notification configuration names for it, in the message format of
// [replication-metrics-events] (object keys URL-encoded, as in every S3 event
// [notification-content-structure]). S3 sends these only for rules with metrics on,
// which the caller checked. A queue whose policy no longer lets S3 send gets nothing,
// without a word, as in AWS.
func (c *Cloud) publish(event string, t replicationTask, v *objectVersion, reason string, at time.Time) {
	config := c.watching().notifying[t.source.bucket]
	src := c.buckets[t.source.bucket]
	if config == nil || src == nil {
		return
	}
	for _, qc := range config.QueueConfigurations {
		q := c.watch.queues[qc.QueueArn]
		if q == nil || !qc.wants("s3:Replication:"+event) || !qc.matches(t.source.key) || !s3MaySend(q, src) {
			continue
		}
		c.send(q, replicationEvent(event, qc.ID, src, t, v, reason, at))
	}
}

func replicationEvent(event, configID string, src *bucket, t replicationTask, v *objectVersion, reason string, at time.Time) string {
	size := 0
	if v != nil {
		size = len(v.body)
	}
	stamp := func(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.000Z") }
	data := map[string]any{
		"replicationRuleId": t.ruleID, "destinationBucket": bucketARN(t.destination), "s3Operation": "OBJECT_PUT",
		"requestTime": stamp(at),
	}
	if reason != "" {
		data["failureReason"] = reason
	}
	record := map[string]any{
		"eventVersion": "2.2", "eventSource": "aws:s3", "awsRegion": src.region,
		"eventTime": stamp(at), "eventName": "Replication:" + event,
		"userIdentity":      map[string]any{"principalId": "s3.amazonaws.com"},
		"requestParameters": map[string]any{"sourceIPAddress": "s3.amazonaws.com"},
		"s3": map[string]any{
			"s3SchemaVersion": "1.0", "configurationId": configID,
			"bucket": map[string]any{"name": src.name, "ownerIdentity": map[string]any{"principalId": src.owner}, "arn": src.arn()},
			"object": map[string]any{"key": url.QueryEscape(t.source.key), "size": size, "versionId": t.source.versionID},
		},
		"replicationEventData": data,
	}
	body, _ := json.Marshal(map[string]any{"Records": []any{record}})
	return string(body)
}

// sortedJSON writes v with its members sorted, as the SDK-backed Account writes the
// SDK's structs through a map.
func sortedJSON(v any) (string, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var members any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&members); err != nil {
		return "", err
	}
	sorted, err := json.Marshal(members)
	return string(sorted), err
}
