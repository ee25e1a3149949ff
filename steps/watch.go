package steps

import (
	"context"
	"fmt"
	"strings"

	iam "github.com/micahhausler/aws-iam-policy/policy"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

// What `s3repl watch` needs in place: the rule's replication metrics (CloudWatch, and
// the condition for S3 to send failure events at all [replication-metrics-events]),
// an SQS queue in the source bucket's Region whose policy lets only this bucket's S3
// send to it [grant-destinations-permissions-to-s3], and a queue configuration in the
// bucket's notification configuration, merged into what is there.

// Change kinds of the watch's resources, after the setup's own.
const (
	kindCreateQueue changeKind = iota + 100
	kindQueuePolicy
	kindNotification
	kindDeleteQueue
)

func isWatchKind(k changeKind) bool { return k >= kindCreateQueue && k <= kindDeleteQueue }

// WatchSetup is the setup as the watch needs it: the rule with its metrics on.
func WatchSetup(s Setup) Setup {
	s.Rule.Metrics = true
	return s
}

// WatchTargets names what the watch reads and what its plan creates.
type WatchTargets struct {
	Partition     string
	SourceAccount string
	SourceRegion  string
	SourceBucket  string
	DestRegion    string
	DestBucket    string
	RuleID        string
	QueueName     string
	QueueARN      string
	Notification  QueueNotification
}

func watchTargets(s Setup, f Facts) WatchTargets {
	name := WatchQueueName(f.SourceBucket, f.RuleID)
	t := WatchTargets{
		Partition: f.Partition, SourceAccount: f.SourceAccount, SourceRegion: f.SourceRegion, SourceBucket: f.SourceBucket,
		DestRegion: f.DestRegion, DestBucket: f.DestBucket, RuleID: f.RuleID,
		QueueName: name, QueueARN: "arn:" + f.Partition + ":sqs:" + f.SourceRegion + ":" + f.SourceAccount + ":" + name,
	}
	events := []string{EventFailedReplication}
	if s.Rule.ReplicationTime {
		events = append(events, EventMissedThreshold, EventReplicatedAfterThreshold)
	}
	t.Notification = QueueNotification{ID: sanitizeName("s3repl-watch-"+f.RuleID, 64), QueueArn: t.QueueARN, Events: events}
	return t
}

// WatchQueueName is the queue of one rule: SQS names allow letters, digits, - and _,
// 80 at most; a hash keeps shortened names apart.
func WatchQueueName(bucket, ruleID string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, bucket+"-"+ruleID)
	return "s3repl-watch-" + truncate(clean, 80-len("s3repl-watch-")-9) + "-" + shortHash(bucket+" "+ruleID)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// QueueStatement lets S3 send this bucket's events to the queue, and nobody else:
// the service principal, with the bucket's ARN and owner as AWS documents
// [grant-destinations-permissions-to-s3].
func (t WatchTargets) QueueStatement() policy.Statement {
	c := condition("ArnLike", "aws:SourceArn", BucketARN(t.Partition, t.SourceBucket))
	c = withCondition(c, "StringEquals", "aws:SourceAccount", t.SourceAccount)
	return policy.Statement{
		Sid:       "S3replWatch" + shortHash(t.SourceBucket+" "+t.RuleID),
		Effect:    iam.EffectAllow,
		Principal: iam.NewServicePrincipal("s3.amazonaws.com"),
		Action:    strs("sqs:SendMessage"),
		Resource:  strs(t.QueueARN),
		Condition: c,
	}
}

// WatchState is what exists of the watch's resources.
type WatchState struct {
	Queue        *awsops.Queue // nil when the queue does not exist
	Notification string        // the bucket's notification configuration, "" when none
}

// watcherOf is the account's Watcher; every Account s3repl opens has one.
func watcherOf(acc awsops.Account) (awsops.Watcher, error) {
	w, ok := acc.(awsops.Watcher)
	if !ok {
		return nil, fmt.Errorf("profile %s cannot read CloudWatch and SQS here", acc.Profile())
	}
	return w, nil
}

// InspectWatch reads both accounts for the watch's setup, and the watch's queue and
// the source bucket's notification configuration.
func InspectWatch(ctx context.Context, acc Accounts, s Setup) (*State, WatchState, error) {
	st, err := Inspect(ctx, acc, WatchSetup(s))
	if err != nil {
		return nil, WatchState{}, err
	}
	ws, err := readWatchState(ctx, acc.Source, s, st)
	return st, ws, err
}

func readWatchState(ctx context.Context, acc awsops.Account, s Setup, st *State) (WatchState, error) {
	w, err := watcherOf(acc)
	if err != nil {
		return WatchState{}, err
	}
	var ws WatchState
	region := st.Source.Region
	q, err := w.GetQueue(ctx, region, WatchQueueName(s.Source.Bucket, s.RuleID()))
	switch {
	case err == nil:
		ws.Queue = &q
	case !awsops.IsNotFound(err):
		return ws, explain("source", err)
	}
	config, err := w.GetBucketNotification(ctx, region, s.Source.Bucket)
	if err != nil {
		return ws, explain("source", err)
	}
	if config != "{}" {
		ws.Notification = config
	}
	return ws, nil
}

// BuildWatchPlan is the setup's plan with the rule's metrics on, and the watch's
// queue, its policy and the notification. It is pure, like BuildPlan.
func BuildWatchPlan(s Setup, st *State, ws WatchState) (*Plan, WatchTargets, error) {
	plan, err := BuildPlan(WatchSetup(s), st)
	if err != nil {
		return nil, WatchTargets{}, err
	}
	t := watchTargets(s, plan.Facts)
	b := &planBuilder{s: plan.Setup, st: st, f: plan.Facts, plan: *plan}
	b.watchQueue(t, ws)
	if err := b.watchQueuePolicy(t, ws); err != nil {
		return nil, t, err
	}
	if err := b.watchNotification(t, ws); err != nil {
		return nil, t, err
	}
	if !s.Rule.Metrics && !s.Rule.ReplicationTime {
		b.plan.Warnings = append(b.plan.Warnings, "the setup file says rule.metrics: false: set it to true, or a later `s3repl apply` of this file turns the rule's metrics off again, and with them the failure events the watch reads")
	}
	return &b.plan, t, nil
}

// PlanWatch inspects and plans the watch.
func PlanWatch(ctx context.Context, acc Accounts, s Setup) (*Plan, WatchTargets, error) {
	st, ws, err := InspectWatch(ctx, acc, s)
	if err != nil {
		return nil, WatchTargets{}, err
	}
	return BuildWatchPlan(s, st, ws)
}

func (b *planBuilder) watchQueue(t WatchTargets, ws WatchState) {
	c := Change{
		ID: "watch-queue", Title: "Create SQS queue " + t.QueueName + " for replication failure events",
		Side: SourceSide, Region: t.SourceRegion, Resource: t.QueueARN, kind: kindCreateQueue, target: t.QueueName,
		After: docOf(map[string]any{"QueueName": t.QueueName}),
	}
	if ws.Queue != nil {
		c.Before, c.Action = c.After, ActionNone
	}
	b.add(c)
}

func (b *planBuilder) watchQueuePolicy(t WatchTargets, ws WatchState) error {
	current := ""
	if ws.Queue != nil {
		current = ws.Queue.Policy
	}
	doc, err := policy.Parse(current)
	if err != nil {
		return fmt.Errorf("the policy of queue %s cannot be read: %w", t.QueueName, err)
	}
	changed, err := doc.Upsert(t.QueueStatement())
	if err != nil {
		return err
	}
	b.addDocChange(Change{
		ID: "watch-queue-policy", Title: "Let only bucket " + t.SourceBucket + "'s S3 events into queue " + t.QueueName,
		Side: SourceSide, Region: t.SourceRegion, Resource: t.QueueARN, kind: kindQueuePolicy, target: t.QueueName,
		Before: prettyOrEmpty(current), After: doc.String(),
	}, changed)
	return nil
}

func (b *planBuilder) watchNotification(t WatchTargets, ws WatchState) error {
	after, changed, err := MergeNotification(ws.Notification, t.Notification)
	if err != nil {
		return err
	}
	b.addDocChange(Change{
		ID: "watch-notification", Title: "Send replication failure events of " + t.SourceBucket + " to queue " + t.QueueName,
		Side: SourceSide, Region: t.SourceRegion, Resource: BucketARN(t.Partition, t.SourceBucket),
		kind: kindNotification, target: t.SourceBucket, Before: policy.Pretty(ws.Notification), After: after,
	}, changed)
	return nil
}

// BuildUnwatchPlan removes what the watch's plan added: s3repl's queue
// configuration from the bucket's notification configuration (every other one is
// kept), then the queue. The rule's metrics are the setup file's to turn off.
func BuildUnwatchPlan(s Setup, st *State, ws WatchState) (*Plan, WatchTargets, error) {
	setupPlan, err := BuildPlan(WatchSetup(s), st)
	if err != nil {
		return nil, WatchTargets{}, err
	}
	t := watchTargets(s, setupPlan.Facts)
	b := &planBuilder{s: s, st: st, f: setupPlan.Facts}
	after, changed, err := RemoveNotification(ws.Notification, t.Notification.ID)
	if err != nil {
		return nil, t, err
	}
	b.addDocChange(Change{
		ID: "unwatch-notification", Title: "Stop sending replication failure events of " + t.SourceBucket + " to queue " + t.QueueName,
		Side: SourceSide, Region: t.SourceRegion, Resource: BucketARN(t.Partition, t.SourceBucket),
		kind: kindNotification, target: t.SourceBucket, Before: policy.Pretty(ws.Notification), After: after,
	}, changed)
	if ws.Queue != nil {
		b.add(Change{
			ID: "unwatch-queue", Title: "Delete SQS queue " + t.QueueName + " and the events on it",
			Side: SourceSide, Region: t.SourceRegion, Resource: t.QueueARN, kind: kindDeleteQueue, target: t.QueueName,
			Before: docOf(map[string]any{"QueueName": t.QueueName}), Action: ActionUpdate,
		})
	}
	b.plan.Setup, b.plan.Facts = s, setupPlan.Facts
	b.plan.Warnings = []string{"the rule's replication metrics stay on, and are billed: set rule.metrics: false (and replicationTime: false) in the setup file and run `s3repl apply` to turn them off"}
	b.plan.Blockers = []string{}
	return &b.plan, t, nil
}

// PlanUnwatch inspects and plans the removal of what the watch added.
func PlanUnwatch(ctx context.Context, acc Accounts, s Setup) (*Plan, WatchTargets, error) {
	st, ws, err := InspectWatch(ctx, acc, s)
	if err != nil {
		return nil, WatchTargets{}, err
	}
	return BuildUnwatchPlan(s, st, ws)
}

// watchCurrent reads what a watch change would replace, as applier.current does.
func (a *applier) watchCurrent(ctx context.Context, c Change) (string, bool, error) {
	w, err := watcherOf(a.account(c))
	if err != nil {
		return "", false, err
	}
	switch c.kind {
	case kindCreateQueue, kindQueuePolicy, kindDeleteQueue:
		q, err := w.GetQueue(ctx, c.Region, c.target)
		if awsops.IsNotFound(err) {
			return "", false, nil
		}
		switch c.kind {
		case kindCreateQueue:
			return c.After, err == nil, err
		case kindDeleteQueue:
			return c.Before, err == nil, err
		}
		return q.Policy, q.Policy != "", err
	case kindNotification:
		doc, err := w.GetBucketNotification(ctx, c.Region, c.target)
		return doc, err == nil && doc != "{}", err
	}
	return "", false, fmt.Errorf("unknown change kind %d", c.kind)
}

func (a *applier) watchWrite(ctx context.Context, c Change) error {
	w, err := watcherOf(a.account(c))
	if err != nil {
		return err
	}
	switch c.kind {
	case kindCreateQueue:
		_, err := w.CreateQueue(ctx, c.Region, c.target)
		return err
	case kindQueuePolicy:
		q, err := w.GetQueue(ctx, c.Region, c.target)
		if err != nil {
			return err
		}
		return w.SetQueuePolicy(ctx, c.Region, q.URL, compactDoc(c.After))
	case kindDeleteQueue:
		q, err := w.GetQueue(ctx, c.Region, c.target)
		if err != nil {
			return err
		}
		return w.DeleteQueue(ctx, c.Region, q.URL)
	case kindNotification:
		// S3 cannot validate the queue ("Unable to validate the following destination
		// configurations") while a queue policy set a moment ago is not in effect yet.
		return a.retryWhileInvalid(ctx, func() error { return w.PutBucketNotification(ctx, c.Region, c.target, compactDoc(c.After)) })
	}
	return fmt.Errorf("unknown change kind %d", c.kind)
}

// watchMetricsOffWarning says when applying the setup turns off the rule's metrics
// that `s3repl watch` reads (as `watch --setup` turned them on): the setup file is
// the contract, so the plan keeps the change but says what it costs.
func watchMetricsOffWarning(current string, s Setup) string {
	live, found := liveMonitoring(current, s.RuleID())
	if !found || !live.metrics || setupMonitoring(s).metrics {
		return ""
	}
	return "the setup file turns the rule's replication metrics off (rule.metrics: false) and the rule has them on: this turns off what `s3repl watch` needs (its numbers and failure events, [replication-metrics-events]); set rule.metrics: true in the setup file to keep them"
}
