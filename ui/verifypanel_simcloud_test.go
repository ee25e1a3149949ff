package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// panelCloud is the demo cloud with the demo's setup applied, for the status panel
// to verify. Its clock moves only when Verify waits.
type panelCloud struct {
	t     *testing.T
	ctx   context.Context
	cloud *simcloud.Cloud
	clock *simcloud.ManualClock
	acc   steps.Accounts
	setup steps.Setup
	facts steps.Facts
}

const panelLatency = 3 * time.Second

func newPanelCloud(t *testing.T, latency time.Duration, edit func(*steps.Setup)) *panelCloud {
	t.Helper()
	clock := simcloud.NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	c := &panelCloud{
		t: t, ctx: context.Background(), clock: clock, setup: steps.DemoSetup(),
		cloud: simcloud.NewDemo(simcloud.WithClock(clock), simcloud.WithLatency(latency)),
	}
	if edit != nil {
		edit(&c.setup)
	}
	acc, err := steps.OpenAccounts(c.ctx, c.cloud.Open, c.setup)
	must(t, err)
	c.acc = acc
	state, err := steps.Inspect(c.ctx, acc, c.setup)
	must(t, err)
	plan, err := steps.BuildPlan(c.setup, state)
	must(t, err)
	_, err = steps.Apply(c.ctx, acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	must(t, err)
	c.facts = plan.Facts
	return c
}

// funcs wires the panel to s3repl's steps. Verify's waits run duringWatch once,
// then advance the clock; with holdWatch they wait until the panel stops watching.
func (c *panelCloud) funcs(duringWatch func(*panelCloud), holdWatch bool) VerifyFuncs {
	var once sync.Once
	sleep := func(ctx context.Context, d time.Duration) error {
		if duringWatch != nil {
			once.Do(func() { duringWatch(c) })
		}
		if holdWatch {
			<-ctx.Done()
			return ctx.Err()
		}
		c.clock.Advance(d)
		return nil
	}
	return VerifyFuncs{
		Verify: func(ctx context.Context, onUpdate func(steps.VerifyReport)) (steps.VerifyReport, error) {
			return steps.Verify(ctx, c.acc, c.setup, steps.VerifyOptions{
				Timeout: time.Minute, Now: c.clock.Now, Sleep: sleep, OnUpdate: onUpdate,
			})
		},
		Doctor:  func(ctx context.Context) (steps.DoctorReport, error) { return steps.Doctor(ctx, c.acc, c.setup) },
		Cleanup: func(ctx context.Context, r steps.VerifyReport) error { return steps.RemoveTestObjects(ctx, c.acc, r) },
	}
}

// panelDriver runs the panel in teatest and reads its screen through a program
// filter, as the wizard's driver does, so tests wait on what the panel shows.
type panelDriver struct {
	t  *testing.T
	tm *teatest.TestModel

	mu     sync.Mutex
	screen string
}

func startPanel(t *testing.T, funcs VerifyFuncs, width, height int) *panelDriver {
	t.Helper()
	d := &panelDriver{t: t}
	capture := func(m tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(probeMsg); ok {
			d.mu.Lock()
			d.screen = m.(VerifyPanel).View().Content
			d.mu.Unlock()
		}
		return msg
	}
	d.tm = teatest.NewTestModel(t, NewVerifyPanel(context.Background(), funcs),
		teatest.WithInitialTermSize(width, height),
		teatest.WithProgramOptions(tea.WithFilter(capture), tea.WithColorProfile(colorprofile.Ascii)))
	return d
}

func (d *panelDriver) waitFor(want ...string) {
	d.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		d.tm.Send(probeMsg{})
		time.Sleep(10 * time.Millisecond)
		d.mu.Lock()
		screen := ansi.Strip(d.screen)
		d.mu.Unlock()
		if containsAll(screen, want) {
			return
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.t.Fatalf("timed out waiting for %q; the screen is:\n%s", want, ansi.Strip(d.screen))
}

// finish presses keys and returns the panel once its program has quit.
func (d *panelDriver) finish(keys ...string) VerifyPanel {
	d.t.Helper()
	for _, k := range keys {
		d.tm.Send(keyPress(k))
	}
	return d.tm.FinalModel(d.t, teatest.WithFinalTimeout(waitLimit)).(VerifyPanel)
}

// panelScenario is one run of the status panel against the simulated cloud.
type panelScenario struct {
	name    string
	latency time.Duration
	setup   func(*steps.Setup)
	// breakIt changes the cloud after the apply, duringWatch while the test object
	// is PENDING.
	breakIt, duringWatch func(*panelCloud)
	// stop presses ctrl+c while the object is PENDING instead of letting it replicate.
	stop bool
	key  string // k keeps the test objects, d deletes them
	// outcome is what the panel ends with, reason S3's failure reason when FAILED.
	outcome steps.Outcome
	reason  string
	// shows is text the final screen must have beyond the outcome.
	shows   []string
	confirm func(*testing.T, *panelCloud, steps.VerifyReport)
}

// TestVerifyPanelAgainstTheSimulatedCloud runs the status panel on s3repl's own
// Verify, Doctor and clean-up against the demo cloud, broken in the ways users break
// replication, and keeps the final screen of each as a golden file.
func TestVerifyPanelAgainstTheSimulatedCloud(t *testing.T) {
	t.Parallel()
	for _, tc := range panelScenarios() {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				t.Parallel()
				runPanelScenario(t, tc, size[0], size[1])
			})
		}
	}
}

func runPanelScenario(t *testing.T, tc panelScenario, width, height int) {
	latency := tc.latency
	if latency == 0 {
		latency = panelLatency
	}
	c := newPanelCloud(t, latency, tc.setup)
	if tc.breakIt != nil {
		tc.breakIt(c)
	}
	d := startPanel(t, c.funcs(tc.duringWatch, tc.stop), width, height)
	if tc.stop {
		d.waitFor("PENDING")
		d.tm.Send(keyPress("ctrl+c"))
	}
	// the outcome too: the panel may still be taking in the last observation
	d.waitFor("k keep", tc.outcome.Words()+" after")
	panel := d.finish(tc.key)

	report := panel.Report()
	if report.Outcome != tc.outcome || panel.Err() != nil {
		t.Fatalf("outcome %s (%s), error %v; want %s; the screen:\n%s", report.Outcome, report.Explanation, panel.Err(), tc.outcome, ansi.Strip(panel.View().Content))
	}
	if tc.outcome == steps.OutcomeFailed {
		failure, _ := c.cloud.ReplicationFailure(report.SourceBucket, report.Key, report.VersionID)
		if failure.Reason != tc.reason {
			t.Errorf("S3's failure reason %q, want %s", failure.Reason, tc.reason)
		}
	}
	screen := panel.View().Content
	if want := append([]string{tc.outcome.Words()}, tc.shows...); !containsAll(ansi.Strip(screen), want) {
		t.Errorf("the final screen lacks some of %q:\n%s", want, ansi.Strip(screen))
	}
	if tc.confirm != nil {
		tc.confirm(t, c, report)
	}
	golden.RequireEqual(t, screen)
}

func panelScenarios() []panelScenario {
	failed := func(name, reason, check string, breakIt func(*panelCloud)) panelScenario {
		return panelScenario{name: "failed-" + name, breakIt: breakIt, key: "k", outcome: steps.OutcomeFailed, reason: reason,
			shows: []string{"Doctor:", check}}
	}
	return []panelScenario{
		{name: "completed-kept", key: "k", outcome: steps.OutcomeCompleted, confirm: expectTestObjects(true)},
		{name: "completed-deleted", key: "d", outcome: steps.OutcomeCompleted, confirm: expectTestObjects(false)},

		failed("trust-without-s3", "AssumeRoleNotPermitted", "The role trusts S3 for this bucket", func(c *panelCloud) {
			c.setTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
		}),
		failed("role-cannot-read-source", "SrcGetObjectNotPermitted", "The role's policies allow every replication request", func(c *panelCloud) {
			c.removeFromRolePolicy("S3replReadSourceObjects")
		}),
		failed("role-cannot-read-acls", "SrcGetAclNotPermitted", "The role's policies allow every replication request", func(c *panelCloud) {
			c.editRolePolicy(func(doc string) string { return strings.Replace(doc, `"s3:GetObjectVersionAcl",`, ``, 1) })
		}),
		failed("role-cannot-replicate", "DstPutObjectNotPermitted", "The role's policies allow every replication request", func(c *panelCloud) {
			c.removeFromRolePolicy("S3replReplicateToDestination")
		}),
		failed("replica-key-policy-lacks-role", "DstPutObjectNotPermitted", "Replica key policy lets the role encrypt", func(c *panelCloud) {
			must(c.t, c.cloud.SetKeyPolicy(c.facts.DestKeyARN, without(c.t, c.replicaKeyPolicy(), c.facts.KeyPolicySid())))
		}),
		failed("source-key-denies-decrypt", "SrcGetObjectNotPermitted", "Source key lets the role decrypt", func(c *panelCloud) {
			admins := `{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/demo-admin"},"Action":"kms:*","Resource":"*"}]}`
			must(c.t, c.cloud.SetKeyPolicy(c.facts.SourceKeyARNs[0], admins))
		}),
		{
			name: "failed-source-key-disabled-while-pending", key: "k", outcome: steps.OutcomeFailed, reason: "SrcKmsKeyInvalidState",
			duringWatch: func(c *panelCloud) { c.check(c.cloud.SetKeyState(c.facts.SourceKeyARNs[0], "Disabled")) },
			shows:       []string{"Doctor:", "Source key lets the role decrypt", "SrcKmsKeyInvalidState"},
		},
		failed("destination-versioning-suspended", "DstBucketUnversioned", "Versioning on the destination bucket", func(c *panelCloud) {
			must(c.t, c.cloud.SetBucketVersioning(simcloud.DemoDestBucket, "Suspended"))
		}),
		failed("bucket-policy-lacks-role", "DstPutObjectNotPermitted", "Destination bucket policy lets the role replicate", func(c *panelCloud) {
			must(c.t, c.cloud.SetBucketPolicy(simcloud.DemoDestBucket, without(c.t, c.destBucketPolicy(), c.facts.BucketPolicySids()...)))
		}),
		failed("bucket-policy-without-owner-override", "DstPutObjectNotPermitted", "Destination bucket policy lets the role replicate", func(c *panelCloud) {
			doc := strings.Replace(c.destBucketPolicy(), `"s3:ObjectOwnerOverrideToBucketOwner"`, `"s3:ReplicateTags"`, 1)
			must(c.t, c.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
		}),
		// a missing Allow for tags is no failure (s3:ReplicateObject covers
		// s3:ReplicateTags; without s3:GetObjectVersionTagging S3 leaves the tags
		// behind), an explicit Deny is [setting-repl-config-perm-overview, replication-troubleshoot]
		withTags(failed("bucket-policy-denies-tags", "DstPutTaggingNotPermitted", "Destination bucket policy lets the role replicate", func(c *panelCloud) {
			deny := `{"Sid":"NoTags","Effect":"Deny","Principal":"*","Action":"s3:ReplicateTags","Resource":"arn:aws:s3:::acme-backup-orders/*"}`
			must(c.t, c.cloud.SetBucketPolicy(simcloud.DemoDestBucket, withStatement(c.t, c.destBucketPolicy(), deny)))
		})),
		withTags(failed("role-denied-reading-tags", "SrcGetTaggingNotPermitted", "The role's policies allow every replication request", func(c *panelCloud) {
			c.editRolePolicy(func(doc string) string {
				return withStatement(c.t, doc, `{"Sid":"NoTags","Effect":"Deny","Action":"s3:GetObjectVersionTagging","Resource":"*"}`)
			})
		})),
		failed("replica-key-disabled", "DstKmsKeyInvalidState", "Replica key: Region, state, spec, manager", func(c *panelCloud) {
			must(c.t, c.cloud.SetKeyState(c.facts.DestKeyARN, "Disabled"))
		}),
		failed("replica-key-in-another-region", "DstKmsKeyNotFound", "Replica key: Region, state, spec, manager", func(c *panelCloud) {
			key, err := c.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoDestAccount, Region: simcloud.DemoOtherRegion, Description: "Frankfurt backups"})
			must(c.t, err)
			c.pointRuleAtKey(key.ARN)
		}),
		failed("replica-key-aws-managed", "DstPutObjectNotPermitted", "Replica key: Region, state, spec, manager", func(c *panelCloud) {
			c.pointRuleAtKey(c.cloud.ManagedS3Key(simcloud.DemoDestAccount, simcloud.DemoDestRegion).ARN)
		}),
		failed("object-lock-on-source-only", "DstBucketObjectLockConfigMissing", "Object Lock on both buckets or neither", func(c *panelCloud) {
			must(c.t, c.cloud.EnableObjectLock(simcloud.DemoSourceBucket))
		}),
		failed("explicit-deny-in-bucket-policy", "DstPutObjectNotPermitted", "Destination bucket policy lets the role replicate", func(c *panelCloud) {
			deny := `{"Sid":"DenyOtherAccounts","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-backup-orders/*",` +
				`"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}}`
			must(c.t, c.cloud.SetBucketPolicy(simcloud.DemoDestBucket, withStatement(c.t, c.destBucketPolicy(), deny)))
		}),
		// S3 replicates, but the replica belongs to the source account: no failure
		// reason, the panel's owner check fails.
		failed("replica-owned-by-the-source-account", "", "Object Ownership and ownership override agree", func(c *panelCloud) {
			c.editRule(func(rule map[string]any) { delete(rule["Destination"].(map[string]any), "AccessControlTranslation") })
			must(c.t, c.cloud.SetBucketOwnership(simcloud.DemoDestBucket, "ObjectWriter"))
		}),
		{
			name: "failed-configuration-removed-while-pending", key: "k", outcome: steps.OutcomeFailed, reason: "SrcBucketReplicationConfigMissing",
			duringWatch: func(c *panelCloud) { c.check(c.cloud.DeleteBucketReplication(simcloud.DemoSourceBucket)) },
			shows:       []string{"Doctor:", "Replication rule enabled and matching"},
		},
		{
			name: "failed-destination-bucket-deleted-while-pending", key: "k", outcome: steps.OutcomeFailed, reason: "DstBucketNotFound",
			duringWatch: func(c *panelCloud) { c.check(c.cloud.DeleteBucket(simcloud.DemoDestBucket)) },
			shows:       []string{"does not exist"},
		},

		{
			name: "not-matched-rule-scoped-to-a-prefix", key: "k", outcome: steps.OutcomeNotMatched,
			breakIt: func(c *panelCloud) {
				c.editRule(func(rule map[string]any) { rule["Filter"] = map[string]any{"Prefix": "reports/"} })
			},
			shows: []string{`outside the rule's prefix "reports/"`},
		},
		{
			name: "not-matched-kms-objects-not-opted-in", key: "k", outcome: steps.OutcomeNotMatched,
			breakIt: func(c *panelCloud) {
				c.editRule(func(rule map[string]any) {
					delete(rule, "SourceSelectionCriteria")
					delete(rule["Destination"].(map[string]any), "EncryptionConfiguration")
				})
			},
			shows: []string{"does not opt in SSE-KMS objects"},
		},
		{
			name: "timed-out-latency-beyond-the-timeout", latency: 10 * time.Minute, key: "k", outcome: steps.OutcomeTimedOut,
			shows: []string{"Timed out after 1m0s: the object is still PENDING", "Doctor:"},
		},
		{
			name: "stopped-with-ctrl-c", stop: true, key: "k", outcome: steps.OutcomeStopped,
			shows: []string{"Stopped watching after", "the test object stays where it is"},
		},
	}
}

func withTags(s panelScenario) panelScenario {
	s.setup = func(setup *steps.Setup) { setup.Rule.Tags = map[string]string{"backup": "daily"} }
	return s
}

// expectTestObjects checks whether the test object and its replica are still there.
func expectTestObjects(kept bool) func(*testing.T, *panelCloud, steps.VerifyReport) {
	return func(t *testing.T, c *panelCloud, r steps.VerifyReport) {
		_, srcErr := c.acc.Source.HeadObject(c.ctx, r.SourceRegion, r.SourceBucket, r.Key, r.VersionID)
		_, dstErr := c.acc.Destination.HeadObject(c.ctx, r.DestRegion, r.DestBucket, r.Key, r.VersionID)
		if kept && (srcErr != nil || dstErr != nil) {
			t.Errorf("kept test objects are gone: source %v, replica %v", srcErr, dstErr)
		}
		if !kept && (!awsops.IsNotFound(srcErr) || !awsops.IsNotFound(dstErr)) {
			t.Errorf("deleted test objects are still there: source %v, replica %v", srcErr, dstErr)
		}
	}
}

// check reports an error of a change made while the panel watches, outside the
// test's goroutine.
func (c *panelCloud) check(err error) {
	if err != nil {
		c.t.Error(err)
	}
}

func (c *panelCloud) setTrust(trust string) {
	must(c.t, c.acc.Source.UpdateAssumeRolePolicy(c.ctx, c.setup.RoleName(), trust))
}

func (c *panelCloud) editRolePolicy(edit func(string) string) {
	name := c.setup.RolePolicyName()
	doc, err := c.acc.Source.GetRolePolicy(c.ctx, c.setup.RoleName(), name)
	must(c.t, err)
	must(c.t, c.acc.Source.PutRolePolicy(c.ctx, c.setup.RoleName(), name, edit(doc)))
}

func (c *panelCloud) removeFromRolePolicy(sid string) {
	c.editRolePolicy(func(doc string) string { return without(c.t, doc, sid) })
}

func (c *panelCloud) replicaKeyPolicy() string {
	doc, err := c.acc.Destination.GetKeyPolicy(c.ctx, simcloud.DemoDestRegion, c.facts.DestKeyARN)
	must(c.t, err)
	return doc
}

func (c *panelCloud) destBucketPolicy() string {
	doc, err := c.acc.Destination.GetBucketPolicy(c.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket)
	must(c.t, err)
	return doc
}

// editRule changes s3repl's rule in the source bucket's configuration, as someone in
// the console would.
func (c *panelCloud) editRule(edit func(rule map[string]any)) {
	region, bucket := simcloud.DemoSourceRegion, c.setup.Source.Bucket
	doc, err := c.acc.Source.GetBucketReplication(c.ctx, region, bucket)
	must(c.t, err)
	var config map[string]any
	must(c.t, json.Unmarshal([]byte(doc), &config))
	for _, r := range config["Rules"].([]any) {
		if rule := r.(map[string]any); rule["ID"] == c.setup.RuleID() {
			edit(rule)
		}
	}
	edited, err := json.Marshal(config)
	must(c.t, err)
	must(c.t, c.acc.Source.PutBucketReplication(c.ctx, region, bucket, string(edited)))
}

func (c *panelCloud) pointRuleAtKey(keyARN string) {
	c.editRule(func(rule map[string]any) {
		rule["Destination"].(map[string]any)["EncryptionConfiguration"] = map[string]any{"ReplicaKmsKeyID": keyARN}
	})
}

// without removes statements by Sid from a policy document.
func without(t *testing.T, doc string, sids ...string) string {
	t.Helper()
	parsed, err := policy.Parse(doc)
	must(t, err)
	if !parsed.Remove(sids...) {
		t.Fatalf("no statement %v in\n%s", sids, doc)
	}
	return parsed.String()
}

// withStatement adds a statement, given as JSON, to a policy document.
func withStatement(t *testing.T, doc, statement string) string {
	t.Helper()
	parsed, err := policy.Parse(doc)
	must(t, err)
	must(t, parsed.Append([]byte(statement)))
	return parsed.String()
}

// TestVerifyPanelAppliesTheDoctorsFixes is `s3repl verify` after someone removed the
// role from the replica key's policy: the panel shows the failure and the doctor's
// fix, a and y apply it, and the next test object replicates.
func TestVerifyPanelAppliesTheDoctorsFixes(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			c := newPanelCloud(t, panelLatency, nil)
			must(t, c.cloud.SetKeyPolicy(c.facts.DestKeyARN, without(t, c.replicaKeyPolicy(), c.facts.KeyPolicySid())))
			funcs := c.funcs(nil, false)
			funcs.Fix = fixesApplier(c.acc, nil)
			d := startPanel(t, funcs, size[0], size[1])
			d.waitFor("FAILED after", "a applies the 1 change above")
			d.tm.Send(keyPress("a"))
			d.waitFor("Apply 1 change in account 222222222222?")
			d.tm.Send(keyPress("n"))
			d.waitFor("a applies the 1 change above")
			d.tm.Send(keyPress("a"))
			d.tm.Send(keyPress("y"))
			d.waitFor("Applied 1 change; testing again", "COMPLETED after", "k keep")
			panel := d.finish("k")
			if panel.runs != 2 || panel.Report().Outcome != steps.OutcomeCompleted {
				t.Fatalf("%d runs ending %s", panel.runs, panel.Report().Outcome)
			}
			golden.RequireEqual(t, panel.View().Content)
		})
	}
}

// TestVerifyPanelJournalsTheDoctorsFixes: the fixes applied from the panel go through
// the apply journal like any apply, and the panel names the journal.
func TestVerifyPanelJournalsTheDoctorsFixes(t *testing.T) {
	t.Parallel()
	c := newPanelCloud(t, panelLatency, nil)
	must(t, c.cloud.SetKeyPolicy(c.facts.DestKeyARN, without(t, c.replicaKeyPolicy(), c.facts.KeyPolicySid())))
	dir := t.TempDir()
	funcs := c.funcs(nil, false)
	funcs.Fix = fixesApplier(c.acc, func() (*steps.Journal, error) { return steps.OpenJournal(dir, nil) })
	d := startPanel(t, funcs, 200, 40)
	d.waitFor("FAILED after", "a applies the 1 change above")
	d.tm.Send(keyPress("a"))
	d.tm.Send(keyPress("y"))
	d.waitFor("Applied 1 change; testing again", "Journal: "+dir, "COMPLETED after")
	panel := d.finish("k")
	n, journal := panel.FixesApplied()
	if n != 1 || !strings.HasPrefix(journal, dir) {
		t.Fatalf("FixesApplied = %d, %q; want 1 and a journal in %s", n, journal, dir)
	}
	entries, err := os.ReadFile(journal)
	must(t, err)
	if !strings.Contains(string(entries), "dst-key-policy") {
		t.Fatalf("the journal does not record the fix:\n%s", entries)
	}
}
