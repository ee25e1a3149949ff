package steps

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3repl/s3repl/awsops"
)

var testWatchTargets = watchTargets(Setup{Rule: RuleSetup{ID: "to-backup"}}, Facts{
	Partition: "aws", SourceAccount: "111111111111", SourceRegion: "us-east-1", SourceBucket: "acme-prod-orders",
	DestRegion: "eu-west-1", DestBucket: "acme-backup-orders", RuleID: "to-backup",
})

// theirs is a configuration s3repl did not write: every kind of destination, a
// filter, and members in S3's order.
const theirs = `{"QueueConfigurations":[{"Id":"thumbnails","QueueArn":"arn:aws:sqs:us-east-1:111111111111:thumbs","Events":["s3:ObjectCreated:*"],` +
	`"Filter":{"Key":{"FilterRules":[{"Name":"Prefix","Value":"images/"},{"Name":"Suffix","Value":".jpg"}]}}}],` +
	`"TopicConfigurations":[{"Id":"audit","TopicArn":"arn:aws:sns:us-east-1:111111111111:audit","Events":["s3:ObjectRemoved:*"]}],` +
	`"LambdaFunctionConfigurations":[{"Id":"index","LambdaFunctionArn":"arn:aws:lambda:us-east-1:111111111111:function:index","Events":["s3:ObjectCreated:Put"]}],` +
	`"EventBridgeConfiguration":{}}`

func TestMergeNotification(t *testing.T) {
	ours := testWatchTargets.Notification
	stale := strings.Replace(theirs, `"QueueConfigurations":[`,
		`"QueueConfigurations":[{"Id":"`+ours.ID+`","QueueArn":"`+ours.QueueArn+`","Events":["s3:ObjectCreated:*"]},`, 1)
	same := strings.Replace(theirs, `"QueueConfigurations":[`,
		`"QueueConfigurations":[{"Events":["`+EventFailedReplication+`"],"QueueArn":"`+ours.QueueArn+`","Id":"`+ours.ID+`"},`, 1)
	cases := []struct {
		name, existing string
		changed        bool
	}{
		{"none", "", true},
		{"empty", "{}", true},
		{"theirs kept", theirs, true},
		{"ours replaced in place", stale, true},
		{"ours already there", same, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed, err := MergeNotification(c.existing, ours)
			if err != nil {
				t.Fatal(err)
			}
			if changed != c.changed {
				t.Errorf("changed = %v, want %v", changed, c.changed)
			}
			if !HasNotification(got, ours) {
				t.Errorf("the merge does not send our events:\n%s", got)
			}
			keepsEveryMember(t, c.existing, got, ours.ID)
			golden.RequireEqual(t, []byte(got))
		})
	}
	if _, _, err := MergeNotification(`{"QueueConfigurations":{}}`, ours); err == nil {
		t.Error("a configuration s3repl cannot read was merged")
	}
}

// keepsEveryMember checks that every configuration that is not ours comes out
// exactly as it went in.
func keepsEveryMember(t *testing.T, before, after, ourID string) {
	t.Helper()
	if before == "" {
		return
	}
	var in, out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(before), &in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(after), &out); err != nil {
		t.Fatal(err)
	}
	for name, raw := range in {
		if name != "QueueConfigurations" {
			if !jsonEqual(raw, out[name]) {
				t.Errorf("%s changed: %s -> %s", name, raw, out[name])
			}
			continue
		}
		var queuesIn, queuesOut []json.RawMessage
		_ = json.Unmarshal(raw, &queuesIn)
		_ = json.Unmarshal(out[name], &queuesOut)
		kept := map[string]json.RawMessage{}
		for _, q := range queuesOut {
			kept[notificationID(q)] = q
		}
		for _, q := range queuesIn {
			if id := notificationID(q); id != ourID && !jsonEqual(q, kept[id]) {
				t.Errorf("queue configuration %s changed: %s -> %s", id, q, kept[id])
			}
		}
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y bytes.Buffer
	return json.Compact(&x, a) == nil && json.Compact(&y, b) == nil && x.String() == y.String()
}

func TestWatchQueueNames(t *testing.T) {
	long := strings.Repeat("b", 63)
	for _, c := range []struct{ bucket, rule string }{{"acme.prod.orders", "to-backup"}, {long, strings.Repeat("r", 255)}} {
		name := WatchQueueName(c.bucket, c.rule)
		if len(name) > 80 || strings.ContainsAny(name, ". ") || !strings.HasPrefix(name, "s3repl-watch-") {
			t.Errorf("queue name %q for %s/%s: SQS allows 80 letters, digits, - and _", name, c.bucket, c.rule)
		}
	}
	if WatchQueueName(long, strings.Repeat("r", 200)+"a") == WatchQueueName(long, strings.Repeat("r", 200)+"b") {
		t.Error("two rules whose names differ past the cut share a queue")
	}
}

// TestQueuePolicyPassesParliament lints the queue policy the watch writes, alone and
// merged into a policy of the customer's.
func TestQueuePolicyPassesParliament(t *testing.T) {
	bin := parliamentPath(t)
	dir := t.TempDir()
	plans := map[string]string{}
	for name, existing := range map[string]string{
		"new": "",
		"merged": `{"Version":"2012-10-17","Id":"theirs","Statement":[{"Sid":"OwnAccount","Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"` + testWatchTargets.QueueARN + `"}]}`,
	} {
		b := &planBuilder{}
		if err := b.watchQueuePolicy(testWatchTargets, WatchState{Queue: &awsops.Queue{Policy: existing}}); err != nil {
			t.Fatal(err)
		}
		doc := b.plan.Changes[0].After
		file := filepath.Join(dir, name+".json")
		if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		plans[file] = doc
	}
	out, err := exec.Command(bin, "--json", "--directory", dir, "--include_policy_extension", ".json").Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("parliament: %v", err)
	}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	for scanner.Scan() {
		var f parliamentFinding
		if err := json.Unmarshal(scanner.Bytes(), &f); err != nil {
			t.Fatalf("parliament output %q: %v", scanner.Text(), err)
		}
		if errorLevel(f, false) {
			t.Errorf("%s: %s %s %v\n%s", filepath.Base(f.Location.Filepath), f.Severity, f.Issue, f.Detail, plans[f.Location.Filepath])
		}
	}
}

// FuzzMergeNotification: whatever the bucket's configuration, the merge never
// panics, and when it succeeds it keeps every member and every queue configuration
// that is not ours, and sends our events.
func FuzzMergeNotification(f *testing.F) {
	ours := testWatchTargets.Notification
	for _, seed := range []string{"", "{}", "null", theirs, `{"QueueConfigurations":null}`, `{"QueueConfigurations":[{"Id":"` + ours.ID + `"}]}`, `[]`, `{"QueueConfigurations":[1]}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, existing string) {
		got, _, err := MergeNotification(existing, ours)
		if err != nil {
			return
		}
		if !HasNotification(got, ours) {
			t.Fatalf("the merge of %q does not send our events:\n%s", existing, got)
		}
		keepsEveryMember(t, existing, got, ours.ID)
	})
}

func TestRemoveNotification(t *testing.T) {
	ours := testWatchTargets.Notification
	merged, _, err := MergeNotification(theirs, ours)
	if err != nil {
		t.Fatal(err)
	}
	oursOnly, _, err := MergeNotification("", ours)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, existing string
		changed        bool
	}{
		{"theirs kept", merged, true},
		{"ours only", oursOnly, true},
		{"not there", theirs, false},
		{"none", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, changed, err := RemoveNotification(c.existing, ours.ID)
			if err != nil {
				t.Fatal(err)
			}
			if changed != c.changed || HasNotification(got, ours) {
				t.Errorf("changed %v (want %v), ours still there: %v\n%s", changed, c.changed, HasNotification(got, ours), got)
			}
			keepsEveryMember(t, c.existing, got, ours.ID)
			golden.RequireEqual(t, []byte(got))
		})
	}
}
