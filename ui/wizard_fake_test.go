package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// fakeAccount answers the catalog's reads from memory; anything else panics through
// the nil embedded Account.
type fakeAccount struct {
	awsops.Account
	profile string
	account string
	buckets []awsops.BucketSummary
	taken   map[string]string // bucket names of other accounts, by Region
}

func (f *fakeAccount) Profile() string { return f.profile }

func (f *fakeAccount) Identity(context.Context) (awsops.Identity, error) {
	return awsops.Identity{AccountID: f.account, ARN: "arn:aws:iam::" + f.account + ":user/tester"}, nil
}

func (f *fakeAccount) ListBuckets(context.Context) ([]awsops.BucketSummary, error) {
	return f.buckets, nil
}

// ListBucketsPage pages through the buckets (in name order) as S3 does; the token
// is the index of the page's first bucket.
func (f *fakeAccount) ListBucketsPage(_ context.Context, maxBuckets int, token string) (awsops.BucketPage, error) {
	sorted := slices.SortedFunc(slices.Values(f.buckets), func(a, b awsops.BucketSummary) int { return strings.Compare(a.Name, b.Name) })
	from, _ := strconv.Atoi(token)
	to := min(from+maxBuckets, len(sorted))
	page := awsops.BucketPage{Buckets: sorted[from:to]}
	if to < len(sorted) {
		page.ContinuationToken = strconv.Itoa(to)
	}
	return page, nil
}

func (f *fakeAccount) GetBucketVersioning(context.Context, string, string) (string, error) {
	return "Enabled", nil
}

func (f *fakeAccount) GetBucketEncryption(context.Context, string, string) (awsops.Encryption, error) {
	return awsops.Encryption{Algorithm: "AES256"}, nil
}

func (f *fakeAccount) GetObjectLockEnabled(context.Context, string, string) (bool, error) {
	return false, nil
}

func (f *fakeAccount) GetBucketReplication(context.Context, string, string) (string, error) {
	return "", nil
}

func (f *fakeAccount) ListKeys(context.Context, string) ([]awsops.KeyInfo, error) { return nil, nil }

func (f *fakeAccount) BucketRegion(_ context.Context, name string) (string, error) {
	if region, ok := f.taken[name]; ok {
		return region, nil
	}
	return "", &awsops.OpError{Op: "s3:GetBucketLocation", Resource: name, Kind: awsops.KindNotFound, Err: errors.New("NoSuchBucket")}
}

func manyBuckets(n int) []awsops.BucketSummary {
	regions := []string{"us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	buckets := make([]awsops.BucketSummary, n)
	for i := range buckets {
		buckets[i] = awsops.BucketSummary{Name: fmt.Sprintf("team-%03d-data-%05d", i%97, i), Region: regions[i%len(regions)]}
	}
	return buckets
}

// fakeDeps gives two profiles, src and dst, in two accounts.
func fakeDeps(src, dst *fakeAccount) Deps {
	accounts := map[string]*fakeAccount{"src": src, "dst": dst}
	return Deps{
		Profiles: func() ([]string, error) { return []string{"dst", "src"}, nil },
		Open: func(_ context.Context, profile string) (awsops.Account, error) {
			return accounts[profile], nil
		},
	}
}

func newFakes(buckets int) (*fakeAccount, *fakeAccount) {
	return &fakeAccount{profile: "src", account: "111111111111", buckets: manyBuckets(buckets)},
		&fakeAccount{profile: "dst", account: "222222222222", taken: map[string]string{"someone-elses": "ap-south-1"}}
}

// TestWizardResizesLive puts the bucket panel beside the list once the window is
// wide enough, and back below it when it narrows.
func TestWizardResizesLive(t *testing.T) {
	t.Parallel()
	d := startWizard(t, fakeDeps(newFakes(50)), 80, 24)
	chooseProfile(d, "src")
	narrow := d.waitFor("Source bucket", "versioning")
	if panelBeside(narrow) {
		t.Fatalf("at 80 columns the panel should be below the list:\n%s", ansi.Strip(narrow))
	}
	d.tm.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	wide := d.waitFor("Source bucket", "versioning")
	for try := 0; !panelBeside(wide); try++ {
		if try == 100 {
			t.Fatalf("at 120 columns the panel should be beside the list:\n%s", ansi.Strip(wide))
		}
		wide = d.waitFor("Source bucket", "versioning")
	}
	if got := strings.Count(ansi.Strip(wide), "\n") + 1; got != 40 {
		t.Fatalf("the screen has %d lines at 40 rows", got)
	}
	d.finish()
}

func panelBeside(screen string) bool {
	for _, line := range strings.Split(ansi.Strip(screen), "\n") {
		row := strings.HasPrefix(line, "  team-") || strings.HasPrefix(line, "› team-")
		if row && strings.Contains(line, "│") {
			return true
		}
	}
	return false
}

// TestWizardThemeFollowsTheBackground restyles for a light terminal.
func TestWizardThemeFollowsTheBackground(t *testing.T) {
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	dark := w.s.theme.Brand.GetForeground()
	w.Update(tea.BackgroundColorMsg{Color: color.White})
	if light := w.s.theme.Brand.GetForeground(); light == dark {
		t.Fatal("the theme did not change for a light background")
	}
}

// TestSaveSetupRefusesToOverwrite writes the setup once and refuses a second time.
func TestSaveSetupRefusesToOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setup.yaml")
	setup := steps.Setup{Source: steps.SourceSetup{Profile: "src", Bucket: "a-bucket"}}
	if msg := saveSetup(taskID{}, path, setup)().(savedMsg); msg.err != nil {
		t.Fatal(msg.err)
	}
	loaded, err := steps.LoadSetup(path)
	if err != nil || loaded.Source.Bucket != "a-bucket" {
		t.Fatalf("loaded %+v, %v", loaded, err)
	}
	msg := saveSetup(taskID{}, path, setup)().(savedMsg)
	if msg.err == nil || !strings.Contains(msg.err.Error(), "exists already") {
		t.Fatalf("second save: %v", msg.err)
	}
	if data, _ := os.ReadFile(path); len(data) == 0 {
		t.Fatal("the first file was damaged")
	}
}

// TestSaveSetupAsksForAFileName: an emptied file name is bad input with its own
// message, not a missing directory.
func TestSaveSetupAsksForAFileName(t *testing.T) {
	for _, path := range []string{"", "  "} {
		msg := saveSetup(taskID{}, path, steps.Setup{})().(savedMsg)
		if msg.err == nil || !strings.Contains(msg.err.Error(), "type a file name") {
			t.Fatalf("saving as %q: %v", path, msg.err)
		}
	}
}

// TestWizardDoesNotReadABucketTwice: the cursor coming back to a bucket whose
// summary is still being read does not start the read again; moving to another
// bucket cancels it.
func TestWizardDoesNotReadABucketTwice(t *testing.T) {
	w := bucketListWizard(t, 3, 80, 24)
	page := w.pages[pageSourceBucket].(*bucketPage)
	first, second := w.s.buckets["src"].buckets[1].Name, w.s.buckets["src"].buckets[2].Name
	if page.loadSummary(first) == nil {
		t.Fatal("no read started")
	}
	if page.loadSummary(first) != nil {
		t.Fatal("the read in flight started again")
	}
	if page.loadSummary(second) == nil {
		t.Fatal("no read of the other bucket")
	}
	if w.s.tasks.isRunning(summarySlot(bucketRef{"src", first})) {
		t.Fatal("the read of the bucket the cursor left still runs")
	}
}

// TestWizardOffersAnotherProfileForTheDestination: when the source profile is the
// first of the list, the destination list starts on another one.
func TestWizardOffersAnotherProfileForTheDestination(t *testing.T) {
	t.Parallel()
	deps := fakeDeps(newFakes(3))
	deps.Profiles = func() ([]string, error) { return []string{"src", "dst"}, nil }
	d := startWizard(t, deps, 80, 24)
	d.waitFor("› src", "account 111111111111")
	d.press("enter")
	d.waitFor("Source bucket", "versioning")
	d.press("enter")
	d.waitFor("Destination: which AWS profile", "› dst")
	d.finish()
}
