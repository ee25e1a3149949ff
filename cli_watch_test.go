package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

// TestCLIWatchSetupOnceJSON: --setup applies the watch's plan against moto, --once
// --json then reads a healthy rule (exit 0), and a failure event S3 would send makes
// it exit 1 with the failure grouped by reason and the way out.
func TestCLIWatchSetupOnceJSON(t *testing.T) {
	setup, srcBucket, dstBucket := motoSetup(t, "  metrics: true\n")
	ctx := context.Background()
	out, code := runCLI(t, "watch", "-f", setup, "--once")
	if code != 1 || !strings.Contains(out, "--setup") {
		t.Fatalf("before --setup: exit %d, want 1 and how to set it up\n%s", code, out)
	}
	out, code = runCLI(t, "watch", "-f", setup, "--setup", "--yes", "--journal", t.TempDir())
	if code != 0 {
		t.Fatalf("watch --setup: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "watch", "-f", setup, "--setup", "--yes", "--json", "--journal", t.TempDir())
	if code != 0 || !strings.Contains(out, `"applied": []`) {
		t.Fatalf("a second --setup should have nothing to do: exit %d\n%s", code, out)
	}

	out, code = runCLI(t, "watch", "-f", setup, "--once", "--json")
	var report steps.WatchReport
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("--once --json is no report: %v\n%s", err, out)
	}
	if code != 0 || !report.OK || !report.Status.Ready() || report.Rule.RuleID != "to-backup" {
		t.Fatalf("healthy rule: exit %d, report %+v", code, report)
	}

	// What S3 sends when an object fails [replication-metrics-events].
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(mototest.SourceProfile), config.WithRegion(mototest.SourceRegion))
	if err != nil {
		t.Fatal(err)
	}
	queue := sqs.NewFromConfig(cfg)
	url, err := queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(steps.WatchQueueName(srcBucket, "to-backup"))})
	if err != nil {
		t.Fatal(err)
	}
	event := `{"Records":[{"eventVersion":"2.2","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-11-27T10:00:00.000Z",` +
		`"eventName":"Replication:OperationFailedReplication","s3":{"bucket":{"name":"` + srcBucket + `"},"object":{"key":"orders%2Fa+b.csv","size":5,"versionId":"v1"}},` +
		`"replicationEventData":{"replicationRuleId":"to-backup","destinationBucket":"arn:aws:s3:::` + dstBucket + `","s3Operation":"OBJECT_PUT","failureReason":"DstPutObjectNotPermitted"}}]}`
	if _, err := queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url.QueueUrl, MessageBody: aws.String(event)}); err != nil {
		t.Fatal(err)
	}
	out, code = runCLI(t, "watch", "-f", setup, "--once", "--json")
	report = steps.WatchReport{}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("--once --json: %v\n%s", err, out)
	}
	if code != 1 || report.OK || len(report.Failures) != 1 || report.Failures[0].Reason != "DstPutObjectNotPermitted" ||
		report.Failures[0].Examples[0].Key != "orders/a b.csv" || !strings.Contains(strings.Join(report.Next, "\n"), "backfill") {
		t.Fatalf("a failure event: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "watch", "-f", setup, "--once")
	if code != 0 || !strings.Contains(out, "no failures") {
		t.Errorf("each event is reported once: exit %d\n%s", code, out)
	}
	if _, code := runCLI(t, "watch", "-f", setup, "--json"); code != 1 {
		t.Error("--json without --once should be refused")
	}

	out, code = runCLI(t, "watch", "-f", setup, "--remove", "--yes", "--journal", t.TempDir())
	if code != 0 || !strings.Contains(out, "Applied 2 changes") {
		t.Fatalf("watch --remove: exit %d\n%s", code, out)
	}
	if _, err := queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(steps.WatchQueueName(srcBucket, "to-backup"))}); err == nil {
		t.Error("the queue is still there after --remove")
	}
	out, code = runCLI(t, "watch", "-f", setup, "--once")
	if code != 1 || !strings.Contains(out, "not sent to an s3repl queue") {
		t.Errorf("after --remove: exit %d\n%s", code, out)
	}
}
