package steps_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

// catalogFake answers the reads the catalog makes from fixed data; any other call
// panics through the nil embedded Account.
type catalogFake struct {
	awsops.Account
	buckets     []awsops.BucketSummary
	keys        []awsops.KeyInfo
	replication string
	denied      map[string]bool // by op name
	regionOf    map[string]string
}

func denied(op string) error {
	return &awsops.OpError{Op: op, Resource: "x", Kind: awsops.KindAccessDenied, Err: errors.New("AccessDenied")}
}

func (f catalogFake) Profile() string { return "fake" }

func (f catalogFake) ListBuckets(context.Context) ([]awsops.BucketSummary, error) {
	if f.denied["s3:ListAllMyBuckets"] {
		return nil, denied("s3:ListAllMyBuckets")
	}
	return f.buckets, nil
}

func (f catalogFake) GetBucketVersioning(context.Context, string, string) (string, error) {
	if f.denied["s3:GetBucketVersioning"] {
		return "", denied("s3:GetBucketVersioning")
	}
	return "Enabled", nil
}

func (f catalogFake) GetBucketEncryption(context.Context, string, string) (awsops.Encryption, error) {
	return awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: "alias/src", BucketKey: true}, nil
}

func (f catalogFake) GetObjectLockEnabled(context.Context, string, string) (bool, error) {
	return false, nil
}

func (f catalogFake) GetBucketReplication(context.Context, string, string) (string, error) {
	return f.replication, nil
}

func (f catalogFake) ListKeys(context.Context, string) ([]awsops.KeyInfo, error) {
	if f.denied["kms:ListKeys"] {
		return nil, denied("kms:ListKeys")
	}
	return f.keys, nil
}

func (f catalogFake) BucketRegion(_ context.Context, name string) (string, error) {
	if f.denied["s3:GetBucketLocation"] {
		return "", denied("s3:GetBucketLocation")
	}
	if r, ok := f.regionOf[name]; ok {
		return r, nil
	}
	return "", &awsops.OpError{Op: "s3:GetBucketLocation", Resource: name, Kind: awsops.KindNotFound, Err: errors.New("NoSuchBucket")}
}

type regionFake struct {
	catalogFake
	regions []string
	err     error
}

func (f regionFake) EnabledRegions(context.Context) ([]string, error) { return f.regions, f.err }

func TestListBucketsSortedAndByRegion(t *testing.T) {
	fake := catalogFake{buckets: []awsops.BucketSummary{{Name: "zeta", Region: "eu-west-1"}, {Name: "alpha", Region: "us-east-1"}, {Name: "mid", Region: "eu-west-1"}}}
	got, err := steps.ListBuckets(context.Background(), fake, steps.SourceSide)
	if err != nil {
		t.Fatal(err)
	}
	if names := bucketNames(got); !slices.Equal(names, []string{"alpha", "mid", "zeta"}) {
		t.Fatalf("order %v", names)
	}
	if names := bucketNames(steps.BucketsIn(got, "eu-west-1")); !slices.Equal(names, []string{"mid", "zeta"}) {
		t.Fatalf("eu-west-1 %v", names)
	}
}

func bucketNames(bs []awsops.BucketSummary) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Name)
	}
	return out
}

func TestListBucketsAccessDeniedHasAdvice(t *testing.T) {
	fake := catalogFake{denied: map[string]bool{"s3:ListAllMyBuckets": true}}
	_, err := steps.ListBuckets(context.Background(), fake, steps.SourceSide)
	var side *steps.SideError
	if !errors.As(err, &side) || !strings.Contains(side.Advice, "s3:ListAllMyBuckets") {
		t.Fatalf("want advice naming the permission, got %v", err)
	}
}

func TestSummarizeBucketReadsRulesAndKeepsPartialFailures(t *testing.T) {
	fake := catalogFake{
		denied: map[string]bool{"s3:GetBucketVersioning": true},
		replication: `{"Role":"arn:aws:iam::111111111111:role/repl","Rules":[
			{"ID":"logs","Status":"Enabled","Priority":2,"Filter":{"Prefix":"logs/"},
			 "SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},
			 "Destination":{"Bucket":"arn:aws:s3:::backup","Account":"222222222222","EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:eu-west-1:222222222222:key/k"}}},
			{"ID":"tagged","Status":"Disabled","Priority":1,"Filter":{"Tag":{"Key":"a","Value":"b"}},"Destination":{"Bucket":"arn:aws:s3:::other"}}]}`,
	}
	sum, err := steps.SummarizeBucket(context.Background(), fake, steps.SourceSide, "us-east-1", "src")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Encryption.KMSKeyID != "alias/src" || !sum.Encryption.BucketKey {
		t.Fatalf("encryption %+v", sum.Encryption)
	}
	if !awsops.IsAccessDenied(sum.Unreadable[steps.PartVersioning]) || len(sum.Unreadable) != 1 {
		t.Fatalf("unreadable %v", sum.Unreadable)
	}
	want := []steps.RuleSummary{
		{ID: "logs", Status: "Enabled", Priority: 2, Scope: "prefix logs/", DestinationBucket: "backup", DestinationAccount: "222222222222", ReplicaKey: "arn:aws:kms:eu-west-1:222222222222:key/k", KMSObjects: true},
		{ID: "tagged", Status: "Disabled", Priority: 1, Scope: "tags", DestinationBucket: "other"},
	}
	if sum.ReplicationRole != "arn:aws:iam::111111111111:role/repl" || !slices.Equal(sum.Rules, want) {
		t.Fatalf("rules %+v role %s", sum.Rules, sum.ReplicationRole)
	}
}

func TestRegionsLiveOrFallback(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		acc      awsops.Account
		live     bool
		noteHint string
	}{
		"live":            {regionFake{regions: []string{"eu-west-1", "us-east-1"}}, true, ""},
		"not implemented": {catalogFake{}, false, "cannot list"},
		"access denied":   {regionFake{err: denied("account:ListRegions")}, false, "account:ListRegions"},
		"other error":     {regionFake{err: errors.New("boom")}, false, "failed"},
		"empty":           {regionFake{}, false, "none"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			list, err := steps.Regions(ctx, tc.acc)
			if err != nil {
				t.Fatal(err)
			}
			if list.Live != tc.live || !strings.Contains(list.Note, tc.noteHint) {
				t.Fatalf("live %v note %q", list.Live, list.Note)
			}
			if !tc.live && !slices.Contains(list.Regions, "ap-southeast-2") {
				t.Fatalf("fallback lacks commercial Regions: %v", list.Regions)
			}
		})
	}
}

func TestKeyChoicesUsableFirstWithReasons(t *testing.T) {
	key := func(id string, mut func(*awsops.KeyInfo)) awsops.KeyInfo {
		k := awsops.KeyInfo{KeyID: id, AccountID: "222222222222", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
		if mut != nil {
			mut(&k)
		}
		return k
	}
	fake := catalogFake{keys: []awsops.KeyInfo{
		key("aws-managed", func(k *awsops.KeyInfo) { k.Manager, k.Aliases = "AWS", []string{"alias/aws/s3"} }),
		key("disabled", func(k *awsops.KeyInfo) { k.State = "Disabled" }),
		key("deleting", func(k *awsops.KeyInfo) { k.State = "PendingDeletion" }),
		key("rsa", func(k *awsops.KeyInfo) { k.Spec, k.Usage = "RSA_2048", "SIGN_VERIFY" }),
		key("hmac", func(k *awsops.KeyInfo) { k.Spec, k.Usage = "HMAC_256", "GENERATE_VERIFY_MAC" }),
		key("foreign", func(k *awsops.KeyInfo) { k.AccountID = "333333333333" }),
		key("unreadable", func(k *awsops.KeyInfo) { k.State = "" }),
		key("good-b", func(k *awsops.KeyInfo) { k.Aliases = []string{"alias/z", "alias/b"} }),
		key("good-a", nil),
	}}
	choices, err := steps.KeyChoices(context.Background(), fake, steps.DestinationSide, "eu-west-1", "222222222222")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range choices {
		got = append(got, c.Label()+"|"+c.Problem)
	}
	want := []string{
		"alias/b|", "good-a|",
		"alias/aws/s3|AWS managed: not usable across accounts",
		"deleting|pending deletion",
		"disabled|disabled",
		"foreign|belongs to account 333333333333",
		"hmac|HMAC key (HMAC_256)",
		"rsa|asymmetric (RSA_2048)",
		"unreadable|cannot be described by this profile",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNewAliasProblem(t *testing.T) {
	existing := []steps.KeyChoice{{Key: awsops.KeyInfo{KeyID: "k1", Aliases: []string{"alias/taken"}}}}
	cases := map[string]string{
		"alias/new-key":  "",
		"new-key":        "must begin with alias/",
		"alias/aws/mine": "reserved",
		"alias/bad name": "may use only",
		"alias/taken":    "already names key k1",
	}
	for alias, want := range cases {
		got := steps.NewAliasProblem(alias, existing)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", alias, got, want)
		}
	}
}

func TestNewBucketNameProblemAndTaken(t *testing.T) {
	own := []awsops.BucketSummary{{Name: "mine", Region: "us-west-2"}}
	cases := map[string]string{"fresh-name": "", "src": "is the source bucket", "mine": "us-west-2", "UPPER": "lowercase"}
	for name, want := range cases {
		got := steps.NewBucketNameProblem(name, "src", own)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	ctx := context.Background()
	fake := catalogFake{regionOf: map[string]string{"somebodys": "ap-south-1"}}
	for name, want := range map[string]string{"free": "", "somebodys": "exists already (in ap-south-1)"} {
		got, err := steps.BucketNameTaken(ctx, fake, steps.DestinationSide, name)
		if err != nil || (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
	fake.denied = map[string]bool{"s3:GetBucketLocation": true}
	if got, _ := steps.BucketNameTaken(ctx, fake, steps.DestinationSide, "x"); !strings.Contains(got, "another account") {
		t.Errorf("denied: %q", got)
	}
}

// TestMotoCatalog reads the catalog through the SDK: moto does not implement
// account:ListRegions, so the built-in list is offered.
func TestMotoCatalog(t *testing.T) {
	t.Parallel()
	mototest.Start(t)
	ctx := context.Background()
	src, err := awsops.Open(ctx, mototest.SourceProfile)
	if err != nil {
		t.Fatal(err)
	}
	bucket := mototest.UniqueName("catalog")
	if err := src.CreateBucket(ctx, "eu-central-1", bucket); err != nil {
		t.Fatal(err)
	}
	if err := src.PutBucketVersioning(ctx, "eu-central-1", bucket); err != nil {
		t.Fatal(err)
	}
	buckets, err := steps.ListBuckets(ctx, src, steps.SourceSide)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(buckets, awsops.BucketSummary{Name: bucket, Region: "eu-central-1"}) {
		t.Fatalf("%s not listed with its Region: %v", bucket, buckets)
	}
	sum, err := steps.SummarizeBucket(ctx, src, steps.SourceSide, "eu-central-1", bucket)
	if err != nil || sum.Versioning != "Enabled" || len(sum.Unreadable) != 0 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	regions, err := steps.Regions(ctx, src)
	if err != nil || regions.Live || !slices.Contains(regions.Regions, "eu-west-1") {
		t.Fatalf("regions %+v, %v", regions, err)
	}
	if got := steps.ProfileRegion(src); got != mototest.SourceRegion {
		t.Fatalf("profile Region %q", got)
	}
	key, err := src.CreateKey(ctx, "eu-central-1", "catalog test", "")
	if err != nil {
		t.Fatal(err)
	}
	alias := "alias/" + mototest.UniqueName("catalog")
	if err := src.CreateAlias(ctx, "eu-central-1", alias, key.KeyID); err != nil {
		t.Fatal(err)
	}
	choices, err := steps.KeyChoices(ctx, src, steps.SourceSide, "eu-central-1", mototest.SourceAccount)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(choices, func(c steps.KeyChoice) bool { return c.Key.KeyID == key.KeyID })
	if i < 0 || !choices[i].Usable() || !slices.Contains(choices[i].Key.Aliases, alias) {
		t.Fatalf("new key not offered as usable with its alias: %+v", choices)
	}
}

// TestKeyChoicesAliasesFirst: a key without alias is listed by its id, and ids such as
// 1234abcd-… sorted before every alias/; the keys people know by alias come first.
func TestKeyChoicesAliasesFirst(t *testing.T) {
	key := func(id string, aliases ...string) awsops.KeyInfo {
		return awsops.KeyInfo{KeyID: id, AccountID: "222222222222", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER", Aliases: aliases}
	}
	fake := catalogFake{keys: []awsops.KeyInfo{
		key("1234abcd-12ab-34cd-56ef-1234567890ab"),
		key("9f8e7d6c-0000-4000-8000-000000000000", "alias/s3-replica"),
		key("0a1b2c3d-0000-4000-8000-000000000000", "alias/backup"),
	}}
	choices, err := steps.KeyChoices(context.Background(), fake, steps.DestinationSide, "eu-west-1", "222222222222")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range choices {
		got = append(got, c.Label())
	}
	if want := []string{"alias/backup", "alias/s3-replica", "1234abcd-12ab-34cd-56ef-1234567890ab"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
