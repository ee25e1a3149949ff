package steps

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/s3repl/s3repl/awsops"
)

// The catalog is what the wizard offers to choose from: profiles, buckets, Regions
// and keys, each annotated with what matters for replication. Reads fail with a
// SideError that says what to do.

// ListProfiles names the profiles of the shared config and credentials files.
func ListProfiles() ([]string, error) { return awsops.ListProfiles() }

// LookupIdentity resolves whom a profile's credentials belong to.
func LookupIdentity(ctx context.Context, acc awsops.Account, side Side) (awsops.Identity, error) {
	id, err := acc.Identity(ctx)
	return id, explain(string(side), err)
}

// ListBuckets lists the account's buckets with their Regions, sorted by name.
func ListBuckets(ctx context.Context, acc awsops.Account, side Side) ([]awsops.BucketSummary, error) {
	buckets, err := acc.ListBuckets(ctx)
	if err != nil {
		return nil, explain(string(side), err)
	}
	buckets = slices.Clone(buckets)
	slices.SortFunc(buckets, func(a, b awsops.BucketSummary) int { return cmp.Compare(a.Name, b.Name) })
	return buckets, nil
}

// BucketBatch is one page of an account's buckets as the listing delivers it.
type BucketBatch struct {
	Buckets []awsops.BucketSummary // this page's, in name order, each with its Region
	Listed  int                    // buckets listed so far, this page's included
	Done    bool                   // no page follows
	token   string
}

// FirstBuckets lists the first page of the account's buckets: enough to show while
// NextBuckets brings the rest, Listed counting them.
func FirstBuckets(ctx context.Context, acc awsops.Account, side Side) (BucketBatch, error) {
	return nextBuckets(ctx, acc, side, BucketBatch{})
}

// NextBuckets lists the page after prev, which must not be Done.
func NextBuckets(ctx context.Context, acc awsops.Account, side Side, prev BucketBatch) (BucketBatch, error) {
	if prev.Done {
		return BucketBatch{}, fmt.Errorf("NextBuckets after the last page (%d buckets listed)", prev.Listed)
	}
	return nextBuckets(ctx, acc, side, prev)
}

func nextBuckets(ctx context.Context, acc awsops.Account, side Side, prev BucketBatch) (BucketBatch, error) {
	page, err := acc.ListBucketsPage(ctx, awsops.BucketPageSize, prev.token)
	if err != nil {
		return BucketBatch{}, explain(string(side), err)
	}
	if page.ContinuationToken != "" && page.ContinuationToken == prev.token {
		return BucketBatch{}, fmt.Errorf("listing the %s buckets: S3 answered the same continuation token twice after %d buckets", side, prev.Listed)
	}
	return BucketBatch{
		Buckets: page.Buckets,
		Listed:  prev.Listed + len(page.Buckets),
		Done:    page.ContinuationToken == "",
		token:   page.ContinuationToken,
	}, nil
}

// StreamBuckets calls each with every page of the account's buckets as it arrives;
// an error from each stops the listing and is returned.
func StreamBuckets(ctx context.Context, acc awsops.Account, side Side, each func(BucketBatch) error) error {
	batch, err := FirstBuckets(ctx, acc, side)
	for ; err == nil; batch, err = NextBuckets(ctx, acc, side, batch) {
		if err := each(batch); err != nil || batch.Done {
			return err
		}
	}
	return err
}

// BucketsIn keeps the buckets of one Region.
func BucketsIn(buckets []awsops.BucketSummary, region string) []awsops.BucketSummary {
	var out []awsops.BucketSummary
	for _, b := range buckets {
		if b.Region == region {
			out = append(out, b)
		}
	}
	return out
}

// RuleSummary is one rule of a bucket's replication configuration.
type RuleSummary struct {
	ID                 string
	Status             string
	Priority           int
	Scope              string // "whole bucket", "prefix logs/", "tags"
	DestinationBucket  string
	DestinationAccount string
	ReplicaKey         string
	KMSObjects         bool // SSE-KMS objects are replicated (SseKmsEncryptedObjects)
}

// BucketSummary is what matters about a bucket for replication. A part that could
// not be read is absent from its field and has its error in Unreadable.
type BucketSummary struct {
	Name            string
	Region          string
	Versioning      string // Enabled, Suspended, "" when never enabled
	Encryption      awsops.Encryption
	ObjectLock      bool
	ReplicationRole string
	Rules           []RuleSummary
	Unreadable      map[string]error // by part: versioning, encryption, replication, object lock
}

// Summary parts, the keys of BucketSummary.Unreadable.
const (
	PartVersioning  = "versioning"
	PartEncryption  = "encryption"
	PartReplication = "replication"
	PartObjectLock  = "object lock"
)

// SummarizeBucket reads the bucket's versioning, default encryption, Object Lock and
// replication rules in parallel. A part that fails is recorded, not fatal: a profile
// may read some settings and not others.
func SummarizeBucket(ctx context.Context, acc awsops.Account, side Side, region, bucket string) (BucketSummary, error) {
	sum := BucketSummary{Name: bucket, Region: region, Unreadable: map[string]error{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	read := func(part string, fn func() error) {
		wg.Go(func() {
			if err := fn(); err != nil {
				mu.Lock()
				sum.Unreadable[part] = explain(string(side), err)
				mu.Unlock()
			}
		})
	}
	var replication string
	read(PartVersioning, func() (err error) { sum.Versioning, err = acc.GetBucketVersioning(ctx, region, bucket); return })
	read(PartEncryption, func() (err error) { sum.Encryption, err = acc.GetBucketEncryption(ctx, region, bucket); return })
	read(PartObjectLock, func() (err error) { sum.ObjectLock, err = acc.GetObjectLockEnabled(ctx, region, bucket); return })
	read(PartReplication, func() (err error) { replication, err = acc.GetBucketReplication(ctx, region, bucket); return })
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return BucketSummary{}, err
	}
	sum.ReplicationRole, sum.Rules = summarizeRules(replication)
	return sum, nil
}

func summarizeRules(config string) (string, []RuleSummary) {
	var cfg struct {
		Role  string
		Rules []replicationRule
	}
	if config == "" || json.Unmarshal([]byte(config), &cfg) != nil {
		return "", nil
	}
	rules := make([]RuleSummary, 0, len(cfg.Rules))
	for _, r := range cfg.Rules {
		rules = append(rules, RuleSummary{
			ID: r.ID, Status: r.Status, Priority: derefInt(r.Priority), Scope: ruleScope(r),
			DestinationBucket:  strings.TrimPrefix(r.Destination.Bucket, "arn:aws:s3:::"),
			DestinationAccount: r.Destination.Account,
			ReplicaKey:         r.replicaKey(),
			KMSObjects:         r.SourceSelectionCriteria.SseKmsEncryptedObjects.Status == "Enabled",
		})
	}
	return cfg.Role, rules
}

func ruleScope(r replicationRule) string {
	prefix, tags := rulePrefix(r), ruleHasTags(r)
	switch {
	case tags && prefix != "":
		return "prefix " + prefix + " and tags"
	case tags:
		return "tags"
	case prefix != "":
		return "prefix " + prefix
	}
	return "whole bucket"
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// RegionList is the Regions the destination may be in.
type RegionList struct {
	Regions []string
	// Live is true when the account listed its enabled Regions; otherwise Regions is
	// the built-in list of commercial Regions and Note says why.
	Live bool
	Note string
}

// Regions lists the Regions enabled for the account, or the built-in commercial
// Regions when the account cannot say. It fails only when ctx ends.
func Regions(ctx context.Context, acc awsops.Account) (RegionList, error) {
	fallback := RegionList{Regions: slices.Clone(awsops.CommercialRegions)}
	lister, ok := acc.(awsops.RegionLister)
	if !ok {
		fallback.Note = "built-in list of Regions: this account cannot list its enabled Regions"
		return fallback, nil
	}
	regions, err := lister.EnabledRegions(ctx)
	switch {
	case ctx.Err() != nil:
		return RegionList{}, ctx.Err()
	case awsops.IsAccessDenied(err):
		fallback.Note = fmt.Sprintf("built-in list of Regions: %s may not call account:ListRegions", profileName(acc.Profile()))
		return fallback, nil
	case err != nil:
		fallback.Note = "built-in list of Regions: listing the account's Regions failed (" + awsops.KindOf(err).String() + ")"
		return fallback, nil
	case len(regions) == 0:
		fallback.Note = "built-in list of Regions: the account listed none"
		return fallback, nil
	}
	return RegionList{Regions: regions, Live: true}, nil
}

// RegionName is the Region's name as the console shows it, "Europe (Ireland)" for
// eu-west-1; "" for a code s3repl does not know.
func RegionName(code string) string { return awsops.RegionName(code) }

// ProfileRegion is the Region the account's profile names, "" when it names none or
// the account cannot say.
func ProfileRegion(acc awsops.Account) string {
	if r, ok := acc.(awsops.ProfileRegioner); ok {
		return r.ProfileRegion()
	}
	return ""
}

// KeyChoice is a KMS key as the key picker shows it.
type KeyChoice struct {
	Key awsops.KeyInfo
	// Problem says in a few words why the key cannot be the replica key, "" when it can.
	Problem string
}

// Usable reports whether the key can be the replica key.
func (k KeyChoice) Usable() bool { return k.Problem == "" }

// Label names the key: its first alias, else its id.
func (k KeyChoice) Label() string {
	if len(k.Key.Aliases) > 0 {
		return k.Key.Aliases[0]
	}
	return k.Key.KeyID
}

// KeyChoices lists every key of the Region with its aliases: usable keys first, then
// the others with the reason each cannot be the replica key of a bucket of account;
// in each group the keys with an alias first (people know their keys by alias; a
// key id such as 1234abcd-… sorted before every alias/), then by name.
func KeyChoices(ctx context.Context, acc awsops.Account, side Side, region, account string) ([]KeyChoice, error) {
	keys, err := acc.ListKeys(ctx, region)
	if err != nil {
		return nil, explain(string(side), err)
	}
	choices := make([]KeyChoice, 0, len(keys))
	for _, k := range keys {
		k.Aliases = slices.Sorted(slices.Values(k.Aliases))
		choices = append(choices, KeyChoice{Key: k, Problem: keyRefusal(k, account)})
	}
	slices.SortStableFunc(choices, func(a, b KeyChoice) int {
		if a.Usable() != b.Usable() {
			if a.Usable() {
				return -1
			}
			return 1
		}
		if aliased, other := len(a.Key.Aliases) > 0, len(b.Key.Aliases) > 0; aliased != other {
			if aliased {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Label(), b.Label())
	})
	return choices, nil
}

// keyRefusal is the short reason a key cannot be a replica key, "" when it can.
func keyRefusal(k awsops.KeyInfo, account string) string {
	switch {
	case k.State == "":
		return "cannot be described by this profile"
	case k.Manager != "CUSTOMER":
		return "AWS managed: not usable across accounts"
	case k.AccountID != "" && account != "" && k.AccountID != account:
		return "belongs to account " + k.AccountID
	case k.State == "PendingDeletion" || k.State == "PendingReplicaDeletion":
		return "pending deletion"
	case k.State != "Enabled":
		return strings.ToLower(k.State)
	case strings.HasPrefix(k.Spec, "HMAC"):
		return "HMAC key (" + k.Spec + ")"
	case k.Spec != "SYMMETRIC_DEFAULT":
		return "asymmetric (" + k.Spec + ")"
	case k.Usage != "ENCRYPT_DECRYPT":
		return "for " + k.Usage
	}
	return ""
}

// NewAliasProblem explains why alias cannot name a key s3repl creates, given the
// keys that exist, or returns "".
func NewAliasProblem(alias string, existing []KeyChoice) string {
	switch {
	case !strings.HasPrefix(alias, "alias/"):
		return "must begin with alias/"
	case alias == "alias/":
		return "is empty after alias/: give the key a name"
	case strings.HasPrefix(alias, "alias/aws/"):
		return "alias/aws/ is reserved for AWS managed keys"
	case !aliasPattern.MatchString(alias):
		return "may use only letters, digits, /, _ and - after alias/"
	}
	for _, k := range existing {
		if slices.Contains(k.Key.Aliases, alias) {
			return "already names key " + k.Key.KeyID + ": choose that key from the list, or another alias"
		}
	}
	return ""
}

// NewBucketNameProblem explains why a new destination bucket cannot have name, from
// what is known without AWS: the name rules, the source bucket, the account's own
// buckets. "" when nothing is known against it.
func NewBucketNameProblem(name, source string, own []awsops.BucketSummary) string {
	if why := BucketNameProblem(name); why != "" {
		return why
	}
	if name == source {
		return "is the source bucket: replicate into another bucket"
	}
	for _, b := range own {
		if b.Name == name {
			return "is already your bucket in " + b.Region + ": choose it in that Region's list, or another name"
		}
	}
	return ""
}

// BucketNameTaken asks S3 whether a bucket called name exists anywhere (names are
// global). It returns why the name cannot be used, "" when it is free.
func BucketNameTaken(ctx context.Context, acc awsops.Account, side Side, name string) (string, error) {
	region, err := acc.BucketRegion(ctx, name)
	switch {
	case awsops.IsNotFound(err):
		return "", nil
	case awsops.IsAccessDenied(err):
		return "is taken by another account: bucket names are global", nil
	case err != nil:
		return "", explain(string(side), err)
	}
	return "exists already (in " + region + "): bucket names are global", nil
}
