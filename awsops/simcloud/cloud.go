// Package simcloud is an in-memory AWS for s3repl: several accounts and Regions with
// their S3 buckets, KMS keys and IAM roles, reached through awsops.Account like the
// real thing, and a replication engine that replicates (or fails to, with S3's
// failure reason) the way S3 does. Every permission decision it makes is taken by
// the policy evaluator.
//
// The callers, the identities of profiles, are administrators of their own account:
// their identity policies allow everything, so only resource policies (bucket and key
// policies) limit them. The replication role is evaluated in full.
//
// Time is a Clock. Replication of an object version is due Latency after it was
// written, and due work is done at the start of every call into the cloud, so nothing
// runs in the background: a test advances a ManualClock, or calls Step.
package simcloud

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// DefaultLatency is how long an object waits in PENDING before S3 replicates it.
const DefaultLatency = time.Second

// Clock tells the cloud's time.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to, for tests.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock standing at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's time.
func (m *ManualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Advance moves the clock forward by d.
func (m *ManualClock) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
}

// Profile is a named identity: what a profile in ~/.aws/config resolves to.
type Profile struct {
	Name      string
	AccountID string
	// PrincipalARN is the caller's ARN; arn:aws:iam::ACCOUNT:user/NAME when empty.
	PrincipalARN string
	// Region is the Region the profile names, "" for none.
	Region string
}

// Option configures a Cloud.
type Option func(*Cloud)

// WithLatency sets how long after a write replication happens; 0 makes it happen at
// the next call into the cloud.
func WithLatency(d time.Duration) Option { return func(c *Cloud) { c.latency = d } }

// WithConfigDelay sets how long a replication configuration takes to take effect
// after PutBucketReplication: objects written before then get no replication
// status. AWS: "It can take a while to propagate the put or delete a replication
// configuration to all Amazon S3 systems" [API_GetBucketReplication]. 0 (the
// default) makes it take effect at once.
func WithConfigDelay(d time.Duration) Option { return func(c *Cloud) { c.configDelay = d } }

// WithClock sets the cloud's clock; the system clock by default.
func WithClock(clock Clock) Option { return func(c *Cloud) { c.clock = clock } }

// WithRegions sets the Regions every account has enabled.
func WithRegions(regions ...string) Option {
	return func(c *Cloud) { c.regions = append([]string(nil), regions...) }
}

// DefaultRegions are the Regions enabled in every account unless WithRegions says
// otherwise.
var DefaultRegions = []string{
	"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
}

// Cloud is the simulated AWS. It is safe for concurrent use.
type Cloud struct {
	mu      sync.Mutex
	clock   Clock
	latency time.Duration
	// configDelay is how long a replication configuration takes to take effect.
	configDelay time.Duration
	regions     []string
	profiles    map[string]Profile
	opened      map[string]*Account
	seq         uint64

	batch    *batchJobs // S3 Batch Operations jobs, made on first use (batch.go)
	buckets  map[string]*bucket
	keys     []*kmsKey // in creation order, which ListKeys keeps
	aliases  map[aliasRef]string
	roles    map[roleRef]*role
	policies map[policyRef]*managedPolicy
	// policiesPerRoleQuota holds the accounts whose quota of managed policies per role
	// was changed from IAM's default.
	policiesPerRoleQuota map[string]int
	queue                []replicationTask
	failures             map[versionRef][]Failure
	faults               []Fault     // armed by InjectFault
	watch                *watchState // metrics, SQS queues, notifications: made on first use
}

// New returns an empty cloud: no profiles, no resources.
func New(opts ...Option) *Cloud {
	c := &Cloud{
		clock:                systemClock{},
		latency:              DefaultLatency,
		regions:              append([]string(nil), DefaultRegions...),
		profiles:             map[string]Profile{},
		opened:               map[string]*Account{},
		buckets:              map[string]*bucket{},
		aliases:              map[aliasRef]string{},
		roles:                map[roleRef]*role{},
		policies:             map[policyRef]*managedPolicy{},
		policiesPerRoleQuota: map[string]int{},
		failures:             map[versionRef][]Failure{},
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// AddProfile makes a profile known; a profile of the same name is replaced.
func (c *Cloud) AddProfile(p Profile) {
	if p.PrincipalARN == "" {
		p.PrincipalARN = "arn:aws:iam::" + p.AccountID + ":user/" + p.Name
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.profiles[p.Name] = p
	delete(c.opened, p.Name)
}

// Profiles lists the profile names, sorted.
func (c *Cloud) Profiles() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.profiles))
	for name := range c.profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Account returns the Account of a profile. The same profile always gives the same
// Account, so its call count keeps adding up. An unknown profile is an OpError of
// KindProfileNotFound, as the SDK-backed Open reports it.
func (c *Cloud) Account(profile string) (*Account, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.opened[profile]; ok {
		return a, nil
	}
	p, ok := c.profiles[profile]
	if !ok {
		return nil, &awsops.OpError{
			Op: "config:LoadProfile", Profile: profile, Resource: "shared config",
			Kind: awsops.KindProfileNotFound, Err: errProfileNotFound(profile),
		}
	}
	a := &Account{cloud: c, profile: p}
	c.opened[profile] = a
	return a, nil
}

// Open is Account with awsops.Open's signature, so the cloud stands in for AWS
// wherever accounts are opened.
func (c *Cloud) Open(_ context.Context, profile string) (awsops.Account, error) {
	a, err := c.Account(profile)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// seeder is an Account for setting the cloud up: its calls are not counted anywhere
// a user sees.
func (c *Cloud) seeder(profile string) *Account {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.profiles[profile]
	if !ok {
		panic("simcloud: seeding with unknown profile " + profile)
	}
	return &Account{cloud: c, profile: p}
}

// locked runs fn holding the cloud's lock, after doing the replication work that is
// due by now.
func (c *Cloud) locked(fn func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runDue()
	c.advanceJobs()
	return fn()
}

func (c *Cloud) now() time.Time { return c.clock.Now() }

func (c *Cloud) nextSeq() uint64 {
	c.seq++
	return c.seq
}
