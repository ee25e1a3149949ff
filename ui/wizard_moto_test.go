package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

func TestMain(m *testing.M) { mototest.Main(m) }

// passThrough wraps an Account and keeps the optional interfaces of the one it wraps,
// so that wrappers change only what they override.
type passThrough struct{ awsops.Account }

func (a passThrough) EnabledRegions(ctx context.Context) ([]string, error) {
	if l, ok := a.Account.(awsops.RegionLister); ok {
		return l.EnabledRegions(ctx)
	}
	return nil, errors.New("not implemented")
}

func (a passThrough) ProfileRegion() string { return steps.ProfileRegion(a.Account) }

// withRefusedKeys adds keys that cannot be replica keys to what the account lists.
type withRefusedKeys struct{ passThrough }

func (a withRefusedKeys) ListKeys(ctx context.Context, region string) ([]awsops.KeyInfo, error) {
	keys, err := a.passThrough.ListKeys(ctx, region)
	base := awsops.KeyInfo{Region: region, AccountID: mototest.DestAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
	managed, disabled, signing := base, base, base
	managed.KeyID, managed.Manager, managed.Aliases = "aaaaaaaa-0000-0000-0000-000000000001", "AWS", []string{"alias/aws/s3"}
	disabled.KeyID, disabled.State, disabled.Aliases = "aaaaaaaa-0000-0000-0000-000000000002", "Disabled", []string{"alias/old-archive"}
	signing.KeyID, signing.Spec, signing.Usage = "aaaaaaaa-0000-0000-0000-000000000003", "RSA_2048", "SIGN_VERIFY"
	return append(keys, managed, disabled, signing), err
}

// motoOpener opens harness profiles, each wrapped by wrap.
func motoOpener(wrap func(profile string, acc awsops.Account) awsops.Account) steps.Opener {
	return func(ctx context.Context, profile string) (awsops.Account, error) {
		acc, err := awsops.Open(ctx, profile)
		if err != nil {
			return nil, err
		}
		return wrap(profile, acc), nil
	}
}

func refusedKeysForDest(profile string, acc awsops.Account) awsops.Account {
	if profile == mototest.DestProfile {
		return withRefusedKeys{passThrough{acc}}
	}
	return passThrough{acc}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// seedAccounts empties moto and makes the buckets and keys of the wizard tests:
// source bucket acme-logs (versioned, SSE-KMS with alias/acme-logs and a Bucket Key)
// and two others; in the destination account bucket acme-archive in eu-west-1, one
// in us-east-1, and a usable key alias/archive in eu-west-1.
func seedAccounts(t *testing.T, srv *mototest.Server) {
	t.Helper()
	srv.Reset(t)
	ctx := context.Background()
	src, err := awsops.Open(ctx, mototest.SourceProfile)
	must(t, err)
	dst, err := awsops.Open(ctx, mototest.DestProfile)
	must(t, err)
	for _, b := range []struct{ region, name string }{{"us-east-1", "acme-logs"}, {"eu-central-1", "acme-metrics"}, {"us-west-2", "beta-data"}} {
		must(t, src.CreateBucket(ctx, b.region, b.name))
	}
	must(t, src.PutBucketVersioning(ctx, "us-east-1", "acme-logs"))
	key, err := src.CreateKey(ctx, "us-east-1", "acme logs", "")
	must(t, err)
	must(t, src.CreateAlias(ctx, "us-east-1", "alias/acme-logs", key.KeyID))
	must(t, src.PutBucketEncryption(ctx, "us-east-1", "acme-logs", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: "alias/acme-logs", BucketKey: true}))
	must(t, dst.CreateBucket(ctx, "eu-west-1", "acme-archive"))
	must(t, dst.PutBucketVersioning(ctx, "eu-west-1", "acme-archive"))
	must(t, dst.CreateBucket(ctx, "us-east-1", "dst-elsewhere"))
	archive, err := dst.CreateKey(ctx, "eu-west-1", "archive", "")
	must(t, err)
	must(t, dst.CreateAlias(ctx, "eu-west-1", "alias/archive", archive.KeyID))
}

var sizes = [][2]int{{80, 24}, {120, 40}}

// TestWizardAppliesSetupAgainstMoto drives the whole wizard at two sizes: profile
// filter, source bucket with its panel, destination profile and Region, a new bucket,
// a refused key, a new key, the rule, the review, the apply and the setup file. A plan
// of the saved setup afterwards changes nothing.
func TestWizardAppliesSetupAgainstMoto(t *testing.T) {
	srv := mototest.Start(t)
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			seedAccounts(t, srv)
			dir := t.TempDir()
			t.Chdir(dir)
			deps := testDeps(motoOpener(refusedKeysForDest))
			journalDir := filepath.Join(os.Getenv("HOME"), ".local", "state", "s3repl", "journal")
			deps.Journal = func() (*steps.Journal, error) { return steps.OpenJournal(journalDir, nil) }
			d := startWizard(t, deps, size[0], size[1])
			runWizardThrough(t, d)
			w := d.finish("q")
			if !w.Applied() {
				t.Fatal("the wizard did not apply")
			}
			checkSavedSetupPlansNothing(t, filepath.Join(dir, "s3repl-acme-logs-to-acme-logs-replica.yaml"))
		})
	}
}

func runWizardThrough(t *testing.T, d *driver) {
	requireScreen(t, "profiles", d.waitFor("account 222222222222", "✓ account 222222222222"))
	d.press("/")
	d.typeText("src")
	d.press("enter")

	requireScreen(t, "source-bucket", d.waitFor("Source bucket", "acme-logs", "SSE-KMS alias/acme-logs, Bucket Key", "enabled"))
	d.press("enter")

	d.waitFor("Destination: which AWS profile", "› dst")
	d.press("enter")
	d.waitFor("Destination Region", "› eu-west-1")
	d.press("enter")
	requireScreen(t, "destination-bucket", d.waitFor("Destination bucket in eu-west-1", "acme-archive", "1 bucket in other Regions", "A new bucket in eu-west-1"))
	d.press("enter")
	d.waitFor("✓ acme-logs-replica is free")
	d.press("enter")

	requireScreen(t, "keys", d.waitFor("Replica key in eu-west-1", "alias/archive", "AWS managed: not usable across accounts", "disabled", "asymmetric (RSA_2048)"))
	d.press("/")
	d.typeText("old-archive")
	d.press("enter")
	d.waitFor("alias/old-archive cannot be the replica key: disabled")
	d.press("/", "backspace", "esc", "g", "enter")
	d.waitFor("New replica key", "alias/s3repl-acme-logs-replica is free")
	d.press("enter")

	requireScreen(t, "rule", d.waitFor("Replication rule", "s3repl-acme-logs", "[x] on"))
	d.press("enter")
	requireScreen(t, "review", d.waitFor("Review · ", "change", "to make", "role-create"))
	d.press("a")
	d.waitFor("y apply · n not yet")
	d.press("y")
	d.waitFor("✓ Applied")
	d.press("s", "enter")
	requireScreen(t, "applied", d.waitFor("✓ Applied", "saved s3repl-acme-logs-to-acme-logs-replica.yaml"))
}

// checkSavedSetupPlansNothing proves the apply happened: a plan of the saved setup
// has nothing left to change.
func checkSavedSetupPlansNothing(t *testing.T, path string) {
	t.Helper()
	setup, err := steps.LoadSetup(path)
	must(t, err)
	ctx := context.Background()
	acc, err := steps.OpenAccounts(ctx, awsops.Open, setup)
	must(t, err)
	state, err := steps.Inspect(ctx, acc, setup)
	must(t, err)
	plan, err := steps.BuildPlan(setup, state)
	must(t, err)
	if pending := plan.Pending(); len(pending) != 0 {
		var titles []string
		for _, c := range pending {
			titles = append(titles, c.Title)
		}
		t.Fatalf("after the wizard's apply, plan still has changes:\n%s", strings.Join(titles, "\n"))
	}
}

// TestWizardRuleOptionsAndGoingBack sets a prefix scope, a storage class and RTC (which
// fixes metrics on), checks that a tag scope fixes delete markers off, goes back to
// the bucket list and forward again with every choice kept, and reviews the plan the
// options make. It drives the pages directly.
func TestWizardRuleOptionsAndGoingBack(t *testing.T) {
	srv := mototest.Start(t)
	seedAccounts(t, srv)
	d := drivePages(t, testDeps(motoOpener(refusedKeysForDest)), 120, 40)
	d.choose("src")
	d.expect("SSE-KMS alias/acme-logs")
	d.press("enter")
	d.expect("› dst")
	d.press("enter")
	d.expect("› eu-west-1")
	d.press("enter")
	d.expect("› + new bucket in eu-west-1")
	d.press("enter")
	d.elapse()
	d.expect("✓ acme-logs-replica is free")
	d.press("enter")
	d.expect("› + create a new key")
	d.press("enter")
	d.expect("alias/s3repl-acme-logs-replica is free")
	d.press("enter")
	d.expect("Replication rule")
	d.press("enter")
	d.expect("Review · ")

	d.press("esc")
	d.expect("› Scope")
	d.press("right", "right") // tags
	d.press("down", "enter")
	d.typeText("team=data")
	d.press("enter", "down", "space") // enter keeps the tags and goes on; delete markers cannot be switched on
	d.expect("fixed: S3 does not allow delete-marker replication with a tag filter", "[ ] off (fixed)")
	d.press("up", "up", "up", "left") // scope: prefix
	d.press("down", "enter")
	d.typeText("logs/")
	d.press("enter", "right", "right")               // storage class: S3 Intelligent-Tiering
	d.press("down", "down", "down", "space", "down") // RTC on, then to metrics
	d.expect("fixed: Replication Time Control needs metrics", "[x] on (fixed)")

	d.press("esc")
	d.expect("› + create a new key")
	d.press("esc")
	d.expect("› + new bucket in eu-west-1")
	d.press("enter")
	d.expect("› acme-logs-replica")
	d.press("enter")
	d.expect("› + create a new key")
	d.press("enter", "enter")
	d.expect("Replication rule", "logs/", "S3 Intelligent-Tiering")
	d.press("enter")
	d.expect("Review · ", "role-create")
	for range 9 {
		d.press("down")
	}
	d.expect("› create Replication rule", "src-replication (after)", "0%")
	d.press("pgdown")
	d.expect("› create Replication rule", "SseKmsEncryptedObjects")
	review := d.w.pages[pageReview].(*reviewPage)
	diff := ansi.Strip(review.diff.GetContent())
	if !strings.Contains(diff, `"Prefix": "logs/"`) || !strings.Contains(diff, `"StorageClass": "INTELLIGENT_TIERING"`) {
		t.Fatalf("the rule's diff lacks the options:\n%s", diff)
	}
	if review.diff.ScrollPercent() == 0 {
		t.Fatal("pgdown did not scroll the diff")
	}
	rule := d.w.Setup().Rule
	if rule.Prefix != "logs/" || rule.StorageClass != "INTELLIGENT_TIERING" || !rule.ReplicationTime || !rule.Metrics || len(rule.Tags) != 0 {
		t.Fatalf("rule %+v", rule)
	}
	if d.w.Setup().Destination.Bucket != "acme-logs-replica" || !d.w.Setup().Destination.CreateKey {
		t.Fatalf("destination %+v", d.w.Setup().Destination)
	}
}
