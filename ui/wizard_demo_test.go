package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/demo"
	"github.com/s3repl/s3repl/steps"
)

// demoDeps are what `s3repl demo` gives the wizard, on a simulated clock that the
// status panel's waits advance, so that replication takes no real time.
func demoDeps(t *testing.T, scenario string) (Deps, *simcloud.Cloud) {
	t.Helper()
	sc, err := steps.DemoScenarioNamed(scenario)
	must(t, err)
	clock := simcloud.NewManualClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	accounts, err := demo.Start(context.Background(), sc, simcloud.WithClock(clock), simcloud.WithLatency(3*time.Second))
	must(t, err)
	cloud := accounts.Cloud
	deps := Deps{Open: accounts.Open, Profiles: accounts.Profiles, Label: accounts.Label, Intro: accounts.Story, SourceProfile: accounts.SourceProfile}
	deps.Verify = steps.VerifyOptions{
		Now:   clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil },
	}
	return deps, cloud
}

// pickDemoSetup goes from the first screen to the review with the demo's buckets,
// the replica key the wizard preselects and the proposed rule.
func pickDemoSetup(t *testing.T, d *driver) {
	t.Helper()
	pickDemoUpToDestBucket(t, d)
	pickDemoBucketKeyAndRule(t, d)
}

// pickDemoUpToDestBucket goes from the first screen to the destination bucket list,
// with the demo's source bucket, destination profile and Region.
func pickDemoUpToDestBucket(t *testing.T, d *driver) {
	t.Helper()
	pickDemoSource(t, d)
	pickDemoDestination(t, d)
}

// pickDemoSource chooses the demo's source profile and bucket.
func pickDemoSource(t *testing.T, d *driver) {
	t.Helper()
	chooseProfile(d, simcloud.DemoSourceProfile)
	d.waitFor(simcloud.DemoLogsBucket)
	d.press("/")
	d.typeText(simcloud.DemoSourceBucket)
	d.waitFor("/ " + simcloud.DemoSourceBucket)
	d.press("enter")
	d.waitFor("› " + simcloud.DemoDestProfile)
}

// pickDemoDestination chooses the demo's destination profile and Region.
func pickDemoDestination(t *testing.T, d *driver) {
	t.Helper()
	d.press("enter")
	d.waitFor("› "+simcloud.DemoDestRegion, "the profile's Region")
	d.press("enter")
	d.waitFor(simcloud.DemoDestBucket, "› + new bucket")
}

// pickDemoBucketKeyAndRule chooses the demo's destination bucket, the key the wizard
// preselects and the proposed rule, and goes to the review.
func pickDemoBucketKeyAndRule(t *testing.T, d *driver) {
	t.Helper()
	d.press("down")
	d.waitFor("› "+simcloud.DemoDestBucket, "versioning")
	d.press("enter")
	d.waitFor("› " + simcloud.DemoReplicaKey)
	d.press("enter")
	d.waitFor("Replication rule", simcloud.DemoExistingRole)
	d.press("enter")
}

// TestDemoFromFirstScreenToACompletedReplica is `s3repl demo` as a newcomer runs it:
// the labelled first screen, the picks, the review of the merged changes, the apply,
// then the status panel until the replica is there, and the clean-up.
func TestDemoFromFirstScreenToACompletedReplica(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			deps, cloud := demoDeps(t, steps.DefaultDemoScenario)
			d := startWizard(t, deps, size[0], size[1])
			requireScreen(t, "first", d.waitFor("DEMO · simulated accounts", "› "+simcloud.DemoSourceProfile, "user/demo-admin", "Apply, then v"))
			pickDemoSetup(t, d)
			d.waitFor("Review · 4 changes to make")
			d.press("a", "y")
			d.waitFor("✓ Applied 4 changes", "v uploads a test object")
			d.press("v")
			requireScreen(t, "completed", d.waitFor("COMPLETED after", "Keep the test object"))
			d.press("d")
			requireScreen(t, "cleaned", d.waitFor("The test object and its replica were removed", "v test again"))
			w := d.finish()
			report := w.pages[pageVerify].(*verifyPage).panel.Report()
			if report.Outcome != steps.OutcomeCompleted {
				t.Fatalf("outcome %s", report.Outcome)
			}
			for _, side := range []struct{ profile, region, bucket string }{
				{simcloud.DemoSourceProfile, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket},
				{simcloud.DemoDestProfile, simcloud.DemoDestRegion, simcloud.DemoDestBucket},
			} {
				if n := versionsOf(t, cloud, side.profile, side.region, side.bucket, report.Key); n != 0 {
					t.Errorf("%d versions of the test object are left in %s", n, side.bucket)
				}
			}
			if farewell := w.Farewell(); !containsAll(farewell, []string{"Applied 4 changes.", "COMPLETED after"}) {
				t.Errorf("the farewell does not say what was applied and how the test went:\n%s", farewell)
			}
		})
	}
}

// TestDemoScenarioShowsTheFailureThenTheFix is the broken-key scenario: testing what
// is in place fails and the doctor names the key policy; back on the review the fix
// is applied and the next test object replicates.
func TestDemoScenarioShowsTheFailureThenTheFix(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			deps, _ := demoDeps(t, "key-policy-lacks-role")
			d := startWizard(t, deps, size[0], size[1])
			d.waitFor("DEMO · key-policy-lacks-role", "Press v first")
			pickDemoSetup(t, d)
			d.waitFor("Review · 1 change to make", "update Let the role encrypt replicas")
			d.press("v")
			requireScreen(t, "failed", d.waitFor("FAILED after", "Doctor: 1 check failed", "keep the test object (k)"))
			d.press("k", "esc")
			d.waitFor("Review · 1 change to make")
			d.press("a", "y")
			d.waitFor("✓ Applied 1 change")
			d.press("v")
			requireScreen(t, "fixed", d.waitFor("COMPLETED after", "Keep the test object"))
			if w := d.finish(); w.pages[pageVerify].(*verifyPage).panel.Report().Outcome != steps.OutcomeCompleted {
				t.Fatalf("the test after the fix ended %s", w.pages[pageVerify].(*verifyPage).panel.Report().Outcome)
			}
		})
	}
}

func versionsOf(t *testing.T, cloud *simcloud.Cloud, profile, region, bucket, key string) int {
	t.Helper()
	acc, err := cloud.Open(context.Background(), profile)
	must(t, err)
	versions, err := acc.ListObjectVersions(context.Background(), region, bucket, key, 100)
	must(t, err)
	n := 0
	for _, v := range versions {
		if v.Key == key {
			n++
		}
	}
	return n
}

// TestDemoCtrlCStopsWatchingNotTheWizard: ctrl+c while the panel watches stops the
// watch (STOPPED, the objects stay unless deleted); the wizard goes on until q.
func TestDemoCtrlCStopsWatchingNotTheWizard(t *testing.T) {
	t.Parallel()
	deps, _ := demoDeps(t, "key-policy-lacks-role")
	deps.Verify.Sleep = func(ctx context.Context, _ time.Duration) error { <-ctx.Done(); return ctx.Err() }
	d := startWizard(t, deps, 100, 30)
	pickDemoSetup(t, d)
	d.waitFor("Review · 1 change to make")
	d.press("v")
	d.waitFor("PENDING", "stop watching")
	d.press("ctrl+c")
	d.waitFor("Stopped watching after", "Keep the test object")
	d.press("d")
	d.waitFor("was removed; there was no replica", "v test again")
	w := d.finish()
	if r := w.pages[pageVerify].(*verifyPage).panel.Report(); r.Outcome != steps.OutcomeStopped {
		t.Fatalf("outcome %s, want STOPPED", r.Outcome)
	}
}

// TestDemoFixFromTheStatusPanel: the doctor's fix is applied from the status panel
// itself (a, then y), the failed test object is removed, and a new one replicates.
func TestDemoFixFromTheStatusPanel(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			deps, cloud := demoDeps(t, "key-policy-lacks-role")
			d := startWizard(t, deps, size[0], size[1])
			pickDemoSetup(t, d)
			d.waitFor("Review · 1 change to make")
			d.press("v")
			d.waitFor("FAILED after", "a applies the 1 change above and tests again")
			d.press("a")
			requireScreen(t, "confirm", d.waitFor("Apply 1 change in account 222222222222?", "y apply"))
			d.press("y")
			requireScreen(t, "fixed", d.waitFor("Applied 1 change; testing again", "COMPLETED after", "Keep the test object"))
			w := d.finish()
			if runs, outcome := w.pages[pageVerify].(*verifyPage).panel.runs, w.pages[pageVerify].(*verifyPage).panel.Report().Outcome; runs != 2 || outcome != steps.OutcomeCompleted {
				t.Fatalf("%d test runs ending %s, want 2 ending COMPLETED", runs, outcome)
			}
			if pending := planOf(t, cloud, w.Setup()).Pending(); len(pending) != 0 {
				t.Fatalf("after the fix a plan still has %d changes", len(pending))
			}
			if n := versionsOf(t, cloud, simcloud.DemoSourceProfile, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, w.pages[pageVerify].(*verifyPage).panel.Report().Key); n != 1 {
				t.Errorf("%d versions of the second test object, want 1", n)
			}
			if n := testObjectsIn(t, cloud); n != 1 {
				t.Errorf("%d test objects in the source bucket, want only the second: the failed one is removed", n)
			}
		})
	}
}

func testObjectsIn(t *testing.T, cloud *simcloud.Cloud) int {
	t.Helper()
	acc, err := cloud.Open(context.Background(), simcloud.DemoSourceProfile)
	must(t, err)
	versions, err := acc.ListObjectVersions(context.Background(), simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, "s3repl-test-", 100)
	must(t, err)
	return len(versions)
}

// TestDemoVerifyBeforeApplySaysApplyFirst: testing on the review before anything is
// applied cannot upload into a rule that does not exist yet; the panel says what to
// do, and esc goes back to the review.
func TestDemoVerifyBeforeApplySaysApplyFirst(t *testing.T) {
	t.Parallel()
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	d := startWizard(t, deps, 100, 30)
	pickDemoSetup(t, d)
	d.waitFor("Review · 4 changes to make")
	d.press("v")
	d.waitFor("Could not verify", "apply the setup first", "esc back")
	d.press("esc")
	d.waitFor("Review · 4 changes to make")
	if w := d.finish(); w.pages[pageVerify].(*verifyPage).panel.Report().Key != "" {
		t.Fatal("a test object was uploaded without a rule")
	}
}

// TestDemoSilentKMSSkipIsExplainedAndFixed: with the rule not opting in SSE-KMS
// objects, the test object gets no status at all; the panel says why, the doctor
// runs anyway, and its fix makes the next object replicate.
func TestDemoSilentKMSSkipIsExplainedAndFixed(t *testing.T) {
	t.Parallel()
	deps, _ := demoDeps(t, "kms-not-opted-in")
	d := startWizard(t, deps, 120, 40)
	pickDemoSetup(t, d)
	d.waitFor("Review · 1 change to make")
	d.press("v")
	d.waitFor("No replication status after", "SSE-KMS", "SSE-KMS objects opted in, with a replica key", "a applies the 1 change above")
	d.press("a", "y")
	d.waitFor("Applied 1 change; testing again", "COMPLETED after")
	w := d.finish()
	if w.pages[pageVerify].(*verifyPage).panel.Report().Outcome != steps.OutcomeCompleted {
		t.Fatalf("outcome %s after the fix", w.pages[pageVerify].(*verifyPage).panel.Report().Outcome)
	}
	farewell := w.Farewell()
	if !containsAll(farewell, []string{"Applied 1 change the doctor proposed.", "COMPLETED after"}) || strings.Contains(farewell, "Nothing to change") {
		t.Errorf("the farewell should name the doctor's change and the test, and no apply of the review:\n%s", farewell)
	}
}

// TestDemoGuardrailDenyIsNamedOnTheReview: a Deny statement s3repl did not write
// refuses replication. The plan has nothing to change, so the review must not say the
// setup is in place: it says replication will fail and names the statement first.
func TestDemoGuardrailDenyIsNamedOnTheReview(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			deps, _ := demoDeps(t, "bucket-policy-deny")
			d := startWizard(t, deps, size[0], size[1])
			pickDemoSetup(t, d)
			screen := d.waitFor("Replication will fail,", "› ✗ Will fail even after the apply (1)",
				`statement "DenyOtherAccounts" of the bucket policy of acme-backup-orders denies the role s3:ReplicateObject`)
			if strings.Contains(screen, "the setup is already in place") {
				t.Fatal("the review says the setup is in place while a Deny refuses replication")
			}
			requireScreen(t, "review", screen)
			d.finish()
		})
	}
}

// TestPlanTextNamesWhatWillStillFail: `s3repl plan` puts what will fail after the
// apply in its own section, and does not call a blocked setup complete.
func TestPlanTextNamesWhatWillStillFail(t *testing.T) {
	plan := &steps.Plan{Changes: []steps.Change{}, Warnings: []string{"the rule covers the whole source bucket"},
		Blockers: []string{`statement "X" of the bucket policy of b denies the role s3:ReplicateObject`}}
	text := ansi.Strip(PlanText(plan))
	for _, want := range []string{"Replication will fail:", "Will fail even after the apply:", `✗ statement "X"`, "Good to know:"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "already in place") {
		t.Errorf("a blocked setup is called complete:\n%s", text)
	}
}

// TestDemoRoleByARN: the rule form's Role field takes an existing role's ARN as well
// as a name; the plan then extends that role rather than naming a new one.
func TestDemoRoleByARN(t *testing.T) {
	d, _ := demoPages(t, 120, 40)
	d.pickDemoUpToDestBucket()
	d.press("down", "enter")
	d.expect("› " + simcloud.DemoReplicaKey)
	d.press("enter")
	d.expect("Replication rule", simcloud.DemoExistingRole)
	for range 7 {
		d.press("down")
	}
	d.expect("› Role")
	arn := "arn:aws:iam::" + simcloud.DemoSourceAccount + ":role" + simcloud.DemoExistingRolePath + simcloud.DemoExistingRole
	d.press("enter", "ctrl+u")
	d.typeText(arn)
	d.expect(arn)
	d.press("enter") // keeps it, on to the rule ID
	d.expect("› Rule ID")
	d.press("enter", "enter") // edit the rule ID, keep it: the last row goes on to the review
	d.expect("Review · 4 changes to make")
	if role := d.w.Setup().Role; role.ARN != arn || role.Name != "" {
		t.Fatalf("role %+v, want the ARN %s", role, arn)
	}
}

// TestReviewWithChangesAndABlocker: with changes to make and a Deny s3repl will not
// remove, the review's title says replication will still fail, first.
func TestReviewWithChangesAndABlocker(t *testing.T) {
	deps, cloud := demoDeps(t, steps.DefaultDemoScenario)
	backup, err := cloud.Open(context.Background(), simcloud.DemoDestProfile)
	must(t, err)
	current, err := backup.GetBucketPolicy(context.Background(), simcloud.DemoDestRegion, simcloud.DemoDestBucket)
	must(t, err)
	deny := `{"Sid":"DenyOtherAccounts","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::` + simcloud.DemoDestBucket + `/*",` +
		`"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + simcloud.DemoDestAccount + `"}}}`
	must(t, cloud.SetBucketPolicy(simcloud.DemoDestBucket, withStatement(t, current, deny)))

	d := drivePages(t, deps, 80, 24)
	d.pickDemoUpToDestBucket()
	d.press("down", "enter", "enter", "enter")
	d.expect("Review · 4 changes to make · replication will still fail: see ✗ below")
	for range 10 {
		d.press("down")
	}
	d.expect("› ! Good to know (3)", "KMS requests")
	if screen := d.screen(); strings.Contains(screen, "\n-") {
		t.Errorf("a hyphen was wrapped onto a line of its own:\n%s", screen)
	}
	d.press("up")
	d.expect("› ✗ Will fail even after the apply (1)", `statement "DenyOtherAccounts"`)
}
