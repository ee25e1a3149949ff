package steps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// bigPolicy is an Allow policy of about size bytes (compact) of statements s3repl did
// not write, on resources of the given shape.
func bigPolicy(size int, statement func(i int) string) string {
	var statements []string
	total := len(`{"Version":"2012-10-17","Statement":[]}`)
	for i := 0; total < size; i++ {
		st := statement(i)
		statements = append(statements, st)
		total += len(st) + 1
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// limitWorld is the demo cloud with its setup: the role, the replica key and the
// destination bucket policy exist and s3repl merges into them.
type limitWorld struct {
	t     *testing.T
	ctx   context.Context
	cloud *simcloud.Cloud
	setup steps.Setup
	acc   steps.Accounts
}

func newLimitWorld(t *testing.T) *limitWorld {
	t.Helper()
	w := &limitWorld{t: t, ctx: context.Background(), cloud: simcloud.NewDemo(), setup: steps.Setup{
		Source:      steps.SourceSetup{Profile: simcloud.DemoSourceProfile, Bucket: simcloud.DemoSourceBucket},
		Destination: steps.DestinationSetup{Profile: simcloud.DemoDestProfile, Region: simcloud.DemoDestRegion, Bucket: simcloud.DemoDestBucket, KMSKey: simcloud.DemoReplicaKey},
		Rule:        steps.RuleSetup{ID: "to-backup"},
	}}
	acc, err := steps.OpenAccounts(w.ctx, w.cloud.Open, w.setup)
	if err != nil {
		t.Fatal(err)
	}
	w.acc = acc
	return w
}

func (w *limitWorld) plan() (*steps.Plan, error) {
	st, err := steps.Inspect(w.ctx, w.acc, w.setup)
	if err != nil {
		w.t.Fatal(err)
	}
	return steps.BuildPlan(w.setup, st)
}

func (w *limitWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// TestPlanRefusesDocumentsOverAWSLimits: a merge that crosses one of AWS's limits was
// planned and failed midway through the apply. The plan refuses it before any write,
// naming the limit and the document. (A role without room for s3repl's inline policy
// gets a managed policy instead: managed_test.go.)
func TestPlanRefusesDocumentsOverAWSLimits(t *testing.T) {
	cases := []struct {
		name  string
		seed  func(w *limitWorld)
		wants []string
	}{{
		"bucket policy", func(w *limitWorld) {
			doc := bigPolicy(20300, func(i int) string {
				return fmt.Sprintf(`{"Sid":"Reader%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/reader-%04d/*"}`, i, simcloud.DemoDestBucket, i)
			})
			w.must(w.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
		},
		[]string{"20 KB", "bucket policy of " + simcloud.DemoDestBucket},
	}, {
		"key policy", func(w *limitWorld) {
			key, err := w.acc.Destination.DescribeKey(w.ctx, simcloud.DemoDestRegion, simcloud.DemoReplicaKey)
			w.must(err)
			current, err := w.acc.Destination.GetKeyPolicy(w.ctx, simcloud.DemoDestRegion, key.ARN)
			w.must(err)
			doc := bigPolicy(32500, func(i int) string {
				return fmt.Sprintf(`{"Sid":"Use%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"app-%04d"}}}`, i, i)
			})
			parsed, err := policy.Parse(current)
			w.must(err)
			extra, err := policy.Parse(doc)
			w.must(err)
			for _, st := range extra.Statements() {
				w.must(parsed.Append(st))
			}
			w.must(w.cloud.SetKeyPolicy(key.ARN, policy.Compact(parsed.String())))
		},
		[]string{"32 KB", "key policy of"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newLimitWorld(t)
			tc.seed(w)
			plan, err := w.plan()
			if err == nil {
				t.Fatalf("the plan was made, with %d changes", len(plan.Pending()))
			}
			for _, want := range tc.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not say %q:\n%v", want, err)
				}
			}
		})
	}
}

// TestMergedDocumentsAreWrittenCompact: s3repl wrote documents indented, so a
// customer's 20,048-byte bucket policy came back 28,562 bytes. Documents are sent
// compact; a bucket policy of 19,000 bytes fits with s3repl's statements.
func TestMergedDocumentsAreWrittenCompact(t *testing.T) {
	w := newLimitWorld(t)
	doc := bigPolicy(19000, func(i int) string {
		return fmt.Sprintf(`{"Sid":"Reader%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/reader-%04d/*"}`, i, simcloud.DemoDestBucket, i)
	})
	w.must(w.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
	plan, err := w.plan()
	w.must(err)
	_, err = steps.Apply(w.ctx, w.acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	written, err := w.acc.Destination.GetBucketPolicy(w.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket)
	w.must(err)
	if written != policy.Compact(written) || len(written) > 20*1024 {
		t.Errorf("the bucket policy was written as %d bytes, %d compact", len(written), len(policy.Compact(written)))
	}
	if !strings.Contains(written, `"Sid":"Reader0"`) {
		t.Error("the customer's statements were not kept")
	}
}

// TestPlanRefusesTheThousandAndFirstRule: S3 takes at most 1,000 rules in a
// replication configuration; a bucket that has them gets no further rule planned.
func TestPlanRefusesTheThousandAndFirstRule(t *testing.T) {
	w := newLimitWorld(t)
	current, err := w.acc.Source.GetBucketReplication(w.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket)
	w.must(err)
	var config struct {
		Role  string
		Rules []map[string]any
	}
	w.must(json.Unmarshal([]byte(current), &config))
	template := config.Rules[0]
	config.Rules = nil
	for i := range 1000 {
		rule := maps.Clone(template)
		rule["ID"], rule["Priority"], rule["Filter"] = fmt.Sprintf("rule-%04d", i), i+1, map[string]any{"Prefix": fmt.Sprintf("p%04d/", i)}
		config.Rules = append(config.Rules, rule)
	}
	doc, err := json.Marshal(config)
	w.must(err)
	w.must(w.acc.Source.PutBucketReplication(w.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, string(doc)))
	if _, err := w.plan(); err == nil || !strings.Contains(err.Error(), "1001 rules") || !strings.Contains(err.Error(), "limit of 1000") {
		t.Fatalf("the plan was not refused for the 1,001st rule: %v", err)
	}
}
