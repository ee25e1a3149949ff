package steps_test

import (
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestRerunAfterALostCreateKeyAnswer: CreateKey's answer is lost, so the run does not
// know the key it made. The rerun finds it by its tag (the journal says the outcome
// was unknown), gives it the alias and makes no key; another key tagged for the same
// alias (as the SDK's own retry used to make) is named with the command to delete it.
func TestRerunAfterALostCreateKeyAnswer(t *testing.T) {
	r := newScenarioSetup(t, steps.DefaultDemoScenario)
	r.setup.Destination.KMSKey, r.setup.Destination.CreateKey = "alias/s3repl-new-replica", true
	r.open()
	region := r.setup.Destination.Region
	dir := t.TempDir()
	apply := func() (steps.ApplyResult, error) {
		j, err := steps.OpenJournal(dir, nil)
		r.must(err)
		defer j.Close()
		return steps.Apply(r.ctx, r.acc, r.plan(), steps.ApplyOptions{Journal: j, PropagationWait: time.Millisecond})
	}
	keysBefore, err := r.acc.Destination.ListKeys(r.ctx, region)
	r.must(err)

	r.cloud.InjectFault(simcloud.Fault{Op: "kms:CreateKey", Mode: simcloud.FaultAnswerLost})
	if _, err := apply(); !awsops.IsOutcomeUnknown(err) {
		t.Fatalf("the first apply: %v, want an unknown outcome", err)
	}
	made, err := r.acc.Destination.ListKeys(r.ctx, region)
	r.must(err)
	if len(made) != len(keysBefore)+1 {
		t.Fatalf("CreateKey made %d keys, want 1 (sent once)", len(made)-len(keysBefore))
	}
	first := made[len(made)-1]
	second, err := r.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoDestAccount, Region: region,
		Tags: map[string]string{"s3repl:replica-key-for": "alias/s3repl-new-replica"}})
	r.must(err)

	result, err := apply()
	r.must(err)
	key, err := r.acc.Destination.DescribeKey(r.ctx, region, "alias/s3repl-new-replica")
	r.must(err)
	if key.ARN != first.ARN {
		t.Errorf("the alias names %s, want the key the first run made, %s", key.ARN, first.ARN)
	}
	after, err := r.acc.Destination.ListKeys(r.ctx, region)
	r.must(err)
	if len(after) != len(keysBefore)+2 {
		t.Errorf("the rerun made %d keys, want none", len(after)-len(keysBefore)-2)
	}
	notes := strings.Join(result.Notes, "\n")
	if !strings.Contains(notes, "aws kms schedule-key-deletion --key-id "+second.ARN) || strings.Contains(notes, "--key-id "+first.ARN) {
		t.Errorf("the notes do not name the unused key %s with the command to delete it:\n%s", second.ARN, notes)
	}
	if pending := r.plan().Pending(); len(pending) > 0 {
		t.Errorf("a plan after the rerun still has %q", pending[0].Title)
	}
}
