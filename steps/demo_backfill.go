package steps

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
)

// The backfill demo's objects from before the rule: orders, and a group of finance
// reports encrypted with a key of their own that the replication role may not use.
const (
	DemoBackfillOrders  = 240
	DemoBackfillReports = 60
	DemoFinanceKey      = "alias/prod-finance"
)

// DemoBackfillScenario is the scenario for `s3repl backfill --demo` and the wizard's backfill.
const DemoBackfillScenario = "backfill"

func demoBackfillScenario() DemoScenario {
	return DemoScenario{
		Name:    DemoBackfillScenario,
		Summary: "replication works, but 300 objects from before the rule were never replicated; 60 of them are under another KMS key",
		Story: "Pick prod → acme-prod-orders → backup → acme-backup-orders → alias/backup-replica with the proposed rule: nothing " +
			"to change. v tests it, and the status panel counts objects without replication status: b backfills them. The plan " +
			"creates the batch operations role, the preview counts 303 objects and estimates the cost, the bar fills, and 60 " +
			"finance reports FAIL (SrcGetObjectNotPermitted): their key is not the bucket's. a applies the grant s3repl reads " +
			"from the report and retries the FAILED ones to 100 %. (`s3repl backfill --demo` does the same without the wizard.)",
		breakSetup: seedObjectsFromBeforeTheRule,
	}
}

// seedObjectsFromBeforeTheRule takes the rule away, uploads the objects, and puts the
// configuration back as it was: the objects get no replication status, as objects
// written before a rule never do.
func seedObjectsFromBeforeTheRule(ctx context.Context, acc Accounts, facts Facts) error {
	region, bucket := simcloud.DemoSourceRegion, simcloud.DemoSourceBucket
	config, err := acc.Source.GetBucketReplication(ctx, region, bucket)
	if err != nil {
		return err
	}
	without, err := withoutRule(config, facts.RuleID)
	if err != nil {
		return err
	}
	if err := acc.Source.PutBucketReplication(ctx, region, bucket, without); err != nil {
		return err
	}
	finance, err := acc.Source.CreateKey(ctx, region, "Finance reports", demoAccountKeyPolicy(facts.Partition, facts.SourceAccount))
	if err != nil {
		return err
	}
	if err := acc.Source.CreateAlias(ctx, region, DemoFinanceKey, finance.ARN); err != nil {
		return err
	}
	for i := range DemoBackfillOrders {
		key := fmt.Sprintf("orders/2025/%02d/%03d.csv", i%12+1, i)
		if _, err := acc.Source.PutObject(ctx, region, bucket, key, []byte("order "+key+"\n"), awsops.PutOptions{}); err != nil {
			return err
		}
	}
	for i := range DemoBackfillReports {
		key := fmt.Sprintf("reports/2025/q%d/%02d.pdf", i%4+1, i)
		if _, err := acc.Source.PutObject(ctx, region, bucket, key, []byte("report "+key+"\n"), awsops.PutOptions{KMSKeyID: finance.ARN}); err != nil {
			return err
		}
	}
	return acc.Source.PutBucketReplication(ctx, region, bucket, config)
}

func withoutRule(config, ruleID string) (string, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(config), &doc); err != nil {
		return "", err
	}
	rules, _ := doc["Rules"].([]any)
	var kept []any
	for _, r := range rules {
		if rule, _ := r.(map[string]any); rule["ID"] != ruleID {
			kept = append(kept, r)
		}
	}
	doc["Rules"] = kept
	out, err := json.Marshal(doc)
	return string(out), err
}

// demoAccountKeyPolicy is KMS's default key policy: the account's IAM policies decide.
func demoAccountKeyPolicy(partition, account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"EnableIAMUserPermissions","Effect":"Allow","Principal":{"AWS":"` +
		AccountRoot(partition, account) + `"},"Action":"kms:*","Resource":"*"}]}`
}
