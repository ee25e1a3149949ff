package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
)

// DemoScenario is a starting point for `s3repl demo`: the simulated accounts as
// they are before the wizard runs.
type DemoScenario struct {
	Name string
	// Summary is one line for --help; Story tells the person giving the demo what
	// to pick and what they will see.
	Summary, Story string
	// breakSetup, when set, applies the demo's setup and then breaks it.
	breakSetup func(ctx context.Context, acc Accounts, facts Facts) error
	// Watch opens `s3repl watch`'s dashboard instead of the wizard.
	Watch bool
}

// DefaultDemoScenario is the scenario of a plain `s3repl demo`.
const DefaultDemoScenario = "fresh"

// DemoScenarios lists the scenarios, the default first.
func DemoScenarios() []DemoScenario {
	pick := fmt.Sprintf("Pick %s → %s → %s → %s → %s with the proposed rule;",
		simcloud.DemoSourceProfile, simcloud.DemoSourceBucket, simcloud.DemoDestProfile, simcloud.DemoDestBucket, simcloud.DemoReplicaKey)
	return []DemoScenario{
		{
			Name:    DefaultDemoScenario,
			Summary: "nothing replicates to the backup account yet (an existing rule to another bucket is kept)",
			Story: pick + " the review shows the role, key policy, bucket policy and rule changes " +
				"merged into what exists. Apply, then v: the test object replicates.",
		},
		{
			Name:    "key-policy-lacks-role",
			Summary: "replication is set up, but the replica key's policy no longer lets the role encrypt",
			Story: pick + " the review has one change, to the replica key's policy. Press v first: the test object " +
				"FAILS and the doctor names the key policy and its fix; a applies it and tests again.",
			breakSetup: removeReplicaKeyGrant,
		},
		{
			Name:    "kms-not-opted-in",
			Summary: "the rule does not opt in SSE-KMS objects: S3 silently skips every encrypted object",
			Story: pick + " the review has one change, to the rule. Press v first: the test object gets no " +
				"replication status at all, and the doctor says why; a applies the fix and tests again.",
			breakSetup: dropKMSOptIn,
		},
		{
			Name:    "bucket-policy-deny",
			Summary: "replication is set up, but a guardrail in the destination bucket policy denies other accounts",
			Story: pick + " the review has nothing to change and says replication will fail, naming the Deny " +
				"s3repl will not remove for you; v shows the test object FAIL and the doctor says what to change.",
			breakSetup: addCrossAccountGuardrail,
		},
		demoBackfillScenario(),
		{
			Name:    WatchDemoScenario,
			Summary: "replication works and is watched, then a colleague edits the replica key's policy: watch new objects fail",
			Story: "The watch dashboard opens on a working rule with objects arriving. A few uploads later the replica key's " +
				"policy loses the role: failures arrive, grouped under DstPutObjectNotPermitted; d runs the doctor, which names " +
				"the key policy; a applies the fix and new objects replicate again.",
			breakSetup: setUpWatch,
			Watch:      true,
		},
	}
}

// Label marks the demo's screens: the accounts are simulated.
func (sc DemoScenario) Label() string {
	if sc.Name == DefaultDemoScenario {
		return "DEMO · simulated accounts"
	}
	return "DEMO · " + sc.Name
}

// DemoScenarioNamed finds a scenario; the error lists the names there are.
func DemoScenarioNamed(name string) (DemoScenario, error) {
	scenarios := DemoScenarios()
	i := slices.IndexFunc(scenarios, func(s DemoScenario) bool { return s.Name == name })
	if i < 0 {
		names := make([]string, len(scenarios))
		for j, s := range scenarios {
			names[j] = s.Name
		}
		return DemoScenario{}, fmt.Errorf("no demo scenario %q: choose one of %s", name, strings.Join(names, ", "))
	}
	return scenarios[i], nil
}

// DemoSetup is the setup the wizard proposes for the demo's buckets: the source
// bucket's existing role is kept (S3 allows one role per bucket) and the rule has the
// wizard's defaults.
func DemoSetup() Setup {
	return Setup{
		Source: SourceSetup{Profile: simcloud.DemoSourceProfile, Region: simcloud.DemoSourceRegion, Bucket: simcloud.DemoSourceBucket},
		Destination: DestinationSetup{Profile: simcloud.DemoDestProfile, Region: simcloud.DemoDestRegion,
			Bucket: simcloud.DemoDestBucket, KMSKey: simcloud.DemoReplicaKey},
		Role: RoleSetup{Name: simcloud.DemoExistingRole},
	}
}

// NewDemoCloud builds the simulated accounts of a scenario.
func (sc DemoScenario) NewDemoCloud(ctx context.Context, opts ...simcloud.Option) (*simcloud.Cloud, error) {
	cloud := simcloud.NewDemo(opts...)
	if sc.breakSetup == nil {
		return cloud, nil
	}
	setup := DemoSetup()
	acc, err := OpenAccounts(ctx, cloud.Open, setup)
	if err != nil {
		return nil, err
	}
	facts, err := applyDemoSetup(ctx, acc, setup)
	if err != nil {
		return nil, fmt.Errorf("demo scenario %s: %w", sc.Name, err)
	}
	if err := sc.breakSetup(ctx, acc, facts); err != nil {
		return nil, fmt.Errorf("demo scenario %s: %w", sc.Name, err)
	}
	return cloud, nil
}

func applyDemoSetup(ctx context.Context, acc Accounts, setup Setup) (Facts, error) {
	st, err := Inspect(ctx, acc, setup)
	if err != nil {
		return Facts{}, err
	}
	plan, err := BuildPlan(setup, st)
	if err != nil {
		return Facts{}, err
	}
	if _, err := Apply(ctx, acc, plan, ApplyOptions{PropagationWait: time.Millisecond}); err != nil {
		return Facts{}, err
	}
	return plan.Facts, nil
}

// removeReplicaKeyGrant takes s3repl's statement out of the replica key's policy,
// as a colleague replacing the policy by hand would.
func removeReplicaKeyGrant(ctx context.Context, acc Accounts, facts Facts) error {
	region := simcloud.DemoDestRegion
	doc, err := acc.Destination.GetKeyPolicy(ctx, region, facts.DestKeyARN)
	if err != nil {
		return err
	}
	parsed, err := policy.Parse(doc)
	if err != nil {
		return err
	}
	if !parsed.Remove(facts.KeyPolicySid()) {
		return fmt.Errorf("the replica key policy has no statement %s", facts.KeyPolicySid())
	}
	return acc.Destination.PutKeyPolicy(ctx, region, facts.DestKeyARN, parsed.String())
}

// dropKMSOptIn writes the rule as the console's first draft often is: without the
// SSE-KMS opt-in and the replica key, so S3 leaves SSE-KMS objects alone, silently.
func dropKMSOptIn(ctx context.Context, acc Accounts, _ Facts) error {
	region, bucket := simcloud.DemoSourceRegion, simcloud.DemoSourceBucket
	doc, err := acc.Source.GetBucketReplication(ctx, region, bucket)
	if err != nil {
		return err
	}
	var config map[string]any
	if err := json.Unmarshal([]byte(doc), &config); err != nil {
		return err
	}
	rules, _ := config["Rules"].([]any)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		if rule["ID"] != DemoSetup().RuleID() {
			continue
		}
		delete(rule, "SourceSelectionCriteria")
		if destination, ok := rule["Destination"].(map[string]any); ok {
			delete(destination, "EncryptionConfiguration")
		}
	}
	edited, err := json.Marshal(config)
	if err != nil {
		return err
	}
	return acc.Source.PutBucketReplication(ctx, region, bucket, string(edited))
}

// addCrossAccountGuardrail adds an organisation's usual "only our own account"
// statement to the destination bucket policy: it denies the source account's role.
func addCrossAccountGuardrail(ctx context.Context, acc Accounts, _ Facts) error {
	region, bucket := simcloud.DemoDestRegion, simcloud.DemoDestBucket
	doc, err := acc.Destination.GetBucketPolicy(ctx, region, bucket)
	if err != nil {
		return err
	}
	guardrail := fmt.Sprintf(`{"Sid":"DenyOtherAccounts","Effect":"Deny","Principal":"*","Action":"s3:*",`+
		`"Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],`+
		`"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"%[2]s"}}}`, bucket, simcloud.DemoDestAccount)
	parsed, err := policy.Parse(doc)
	if err != nil {
		return err
	}
	if err := parsed.Append([]byte(guardrail)); err != nil {
		return err
	}
	return acc.Destination.PutBucketPolicy(ctx, region, bucket, parsed.String())
}
