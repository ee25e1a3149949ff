package ui

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestWizardExplainsProfilesThatCannotBeUsed chooses profiles with an expired SSO
// session, without credentials, and with a missing source profile: each is explained
// in place with the command that fixes it, and the wizard stays on the profile list.
func TestWizardExplainsProfilesThatCannotBeUsed(t *testing.T) {
	t.Parallel() // reads only: it does not meet the moto journeys that write, which run first
	mototest.Start(t)
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			d := startWizard(t, testDeps(motoOpener(refusedKeysForDest)), size[0], size[1])
			d.waitFor("account 222222222222")
			chooseProfile(d, "expired")
			requireScreen(t, "expired-sso", d.waitFor("expired SSO session", "run `aws sso login --profile expired-sso` and try again"))
			chooseProfile(d, "no-cred")
			d.waitFor("no credentials", "aws configure --profile no-credentials")
			chooseProfile(d, "missing")
			d.waitFor("profile not found", "[profile no-such-profile]")
			if w := d.finish(); w.s.current != pageSourceProfile {
				t.Fatalf("the wizard left the profile list for the page %s", w.s.current)
			}
		})
	}
}

// chooseProfile filters the profile list to text and chooses the match, once the
// list shows it.
func chooseProfile(d *driver, text string) {
	d.press("/", "esc")
	d.waitFor(text)
	d.press("/")
	d.typeText(text)
	d.press("enter")
}

// deniedBuckets refuses to list buckets, as a profile without s3:ListAllMyBuckets.
type deniedBuckets struct {
	passThrough
	calls *atomic.Int32
}

func (a deniedBuckets) ListBuckets(context.Context) ([]awsops.BucketSummary, error) {
	_, err := a.ListBucketsPage(context.Background(), 0, "")
	return nil, err
}

func (a deniedBuckets) ListBucketsPage(context.Context, int, string) (awsops.BucketPage, error) {
	a.calls.Add(1)
	return awsops.BucketPage{}, &awsops.OpError{Op: "s3:ListAllMyBuckets", Profile: a.Profile(), Resource: "buckets",
		Code: "AccessDenied", Kind: awsops.KindAccessDenied, Err: errors.New("api error AccessDenied: Access Denied")}
}

// TestWizardListAccessDenied shows an AccessDenied on the bucket list in place with
// the permission to grant; r asks again and esc goes back to the profiles.
func TestWizardListAccessDenied(t *testing.T) {
	t.Parallel() // reads only: it does not meet the moto journeys that write, which run first
	mototest.Start(t)
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			calls := &atomic.Int32{}
			open := motoOpener(func(profile string, acc awsops.Account) awsops.Account {
				if profile == mototest.SourceProfile {
					return deniedBuckets{passThrough{acc}, calls}
				}
				return passThrough{acc}
			})
			d := startWizard(t, testDeps(open), size[0], size[1])
			chooseProfile(d, "src")
			requireScreen(t, "denied", d.waitFor("access denied", "grant s3:ListAllMyBuckets on buckets to the identity of profile src"))
			d.press("r")
			waitUntil(t, func() bool { return calls.Load() == 2 })
			d.waitFor("access denied")
			d.press("esc")
			d.waitFor("Source: which AWS profile")
			d.finish()
		})
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stalledBuckets lists buckets only when its context ends, and says when that was.
type stalledBuckets struct {
	passThrough
	cancelled chan error
}

func (a stalledBuckets) ListBuckets(ctx context.Context) ([]awsops.BucketSummary, error) {
	_, err := a.ListBucketsPage(ctx, 0, "")
	return nil, err
}

func (a stalledBuckets) ListBucketsPage(ctx context.Context, _ int, _ string) (awsops.BucketPage, error) {
	<-ctx.Done()
	a.cancelled <- ctx.Err()
	return awsops.BucketPage{}, ctx.Err()
}

// TestWizardCancelsWorkWhenLeavingAScreen leaves the bucket list while it loads: the
// listing's context is cancelled.
func TestWizardCancelsWorkWhenLeavingAScreen(t *testing.T) {
	t.Parallel() // reads only: it does not meet the moto journeys that write, which run first
	mototest.Start(t)
	cancelled := make(chan error, 1)
	open := motoOpener(func(profile string, acc awsops.Account) awsops.Account {
		return stalledBuckets{passThrough{acc}, cancelled}
	})
	d := startWizard(t, testDeps(open), 80, 24)
	chooseProfile(d, "src")
	d.waitFor("listing the buckets of profile src")
	d.press("esc")
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the listing ended with %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("leaving the screen did not cancel the listing")
	}
	d.waitFor("Source: which AWS profile")
	d.finish()
}

// stalledRolePolicy never finishes writing a role policy until its context ends.
type stalledRolePolicy struct {
	passThrough
	cancelled chan error
}

func (a stalledRolePolicy) PutRolePolicy(ctx context.Context, _, _, _ string) error {
	<-ctx.Done()
	a.cancelled <- ctx.Err()
	return ctx.Err()
}

// TestWizardAsksBeforeQuittingWhileApplying: q during the apply asks first; n keeps
// it going; y stops it.
func TestWizardAsksBeforeQuittingWhileApplying(t *testing.T) {
	t.Parallel()
	deps, _ := demoDeps(t, steps.DefaultDemoScenario)
	cancelled := make(chan error, 1)
	open := deps.Open
	deps.Open = func(ctx context.Context, profile string) (awsops.Account, error) {
		acc, err := open(ctx, profile)
		if err != nil || profile != simcloud.DemoSourceProfile {
			return acc, err
		}
		return stalledRolePolicy{passThrough{acc}, cancelled}, nil
	}
	d := startWizard(t, deps, 80, 24)
	pickDemoSetup(t, d)
	d.waitFor("Review · 4 changes to make")
	d.press("a", "y")
	d.waitFor("Applying 4 changes")
	d.press("q")
	d.waitFor("The apply is still running. Quit and stop it?")
	d.press("n")
	d.waitFor("Applying 4 changes", "q quit")
	d.press("q")
	d.waitFor("Quit and stop it?")
	w := d.finish("y")
	if w.Applied() {
		t.Fatal("the apply ran to the end")
	}
	select {
	case <-cancelled:
	case <-time.After(waitLimit):
		t.Fatal("quitting did not stop the apply")
	}
}

// driveToReview takes the default path: source src/acme-logs, destination dst in
// eu-west-1, a new bucket and a new key, the default rule.
func driveToReview(d *driver) {
	chooseProfile(d, "src")
	d.waitFor("SSE-KMS alias/acme-logs")
	d.press("enter")
	d.waitFor("› dst")
	d.press("enter")
	d.waitFor("› eu-west-1")
	d.press("enter")
	d.waitFor("› + new bucket in eu-west-1")
	d.press("enter")
	d.waitFor("✓ acme-logs-replica is free")
	d.press("enter")
	d.waitFor("› + create a new key")
	d.press("enter")
	d.waitFor("alias/s3repl-acme-logs-replica is free")
	d.press("enter")
	d.waitFor("Replication rule")
	d.press("enter")
	d.waitFor("Review · ")
}

// deniedBucketPolicy refuses to write bucket policies.
type deniedBucketPolicy struct{ passThrough }

func (a deniedBucketPolicy) PutBucketPolicy(_ context.Context, _, bucket, _ string) error {
	return &awsops.OpError{Op: "s3:PutBucketPolicy", Profile: a.Profile(), Resource: bucket,
		Code: "AccessDenied", Kind: awsops.KindAccessDenied, Err: errors.New("api error AccessDenied: Access Denied")}
}

// TestWizardApplyFailureSaysWhatToDo: a write AWS refuses shows ✗ with the error and
// the permission to grant, the changes after it are not applied, and r plans again
// with only what is missing.
func TestWizardApplyFailureSaysWhatToDo(t *testing.T) {
	srv := mototest.Start(t)
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			seedAccounts(t, srv)
			open := motoOpener(func(profile string, acc awsops.Account) awsops.Account {
				if profile == mototest.DestProfile {
					return deniedBucketPolicy{passThrough{acc}}
				}
				return passThrough{acc}
			})
			d := startWizard(t, testDeps(open), size[0], size[1])
			driveToReview(d)
			d.press("a", "y")
			requireScreen(t, "failed", d.waitFor("✗ Let the role replicate into bucket acme-logs-replica",
				"grant s3:PutBucketPolicy on acme-logs-replica to the identity of profile dst",
				"(not applied)", "r plan again"))
			d.press("r")
			d.waitFor("Review · 2 changes to make")
			if w := d.finish(); w.Applied() {
				t.Fatal("a failed apply counts as applied")
			}
		})
	}
}
