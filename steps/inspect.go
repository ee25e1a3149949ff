package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/s3repl/s3repl/awsops"
)

// Accounts are the two sides of a setup. They are the same Account when source and
// destination use the same profile.
type Accounts struct {
	Source      awsops.Account
	Destination awsops.Account
}

// APICalls counts the calls both sides have made.
func (a Accounts) APICalls() int64 {
	if a.Source == a.Destination {
		return a.Source.APICalls()
	}
	return a.Source.APICalls() + a.Destination.APICalls()
}

// Opener opens the Account for a profile; awsops.Open in real runs.
type Opener func(ctx context.Context, profile string) (awsops.Account, error)

// OpenAccounts opens both sides, once when they share a profile.
func OpenAccounts(ctx context.Context, open Opener, s Setup) (Accounts, error) {
	src, err := open(ctx, s.Source.Profile)
	if err != nil {
		return Accounts{}, explain("source", err)
	}
	if s.Destination.Profile == s.Source.Profile {
		return Accounts{Source: src, Destination: src}, nil
	}
	dst, err := open(ctx, s.Destination.Profile)
	if err != nil {
		return Accounts{}, explain("destination", err)
	}
	return Accounts{Source: src, Destination: dst}, nil
}

// SourceState is what exists on the source side.
type SourceState struct {
	Identity    awsops.Identity
	Region      string
	Versioning  string
	Encryption  awsops.Encryption
	Key         *awsops.KeyInfo // the default encryption key, when it is a KMS key
	KeyPolicy   string
	Replication string // JSON, "" when none
	ObjectLock  bool
	Policy      string // the source bucket policy, for explicit denies
	// ExtraKeys are the keys of source.kmsKeys, in the setup's order.
	ExtraKeys []SourceKey
}

// SourceKey is a further key the source's objects are encrypted with.
type SourceKey struct {
	Key    awsops.KeyInfo
	Policy string // "" when the source profile may not read it (another account's key)
}

// DestState is what exists on the destination side.
type DestState struct {
	Identity     awsops.Identity
	BucketExists bool
	Region       string
	Versioning   string
	Encryption   awsops.Encryption
	Policy       string
	Ownership    string
	ObjectLock   bool
	Key          *awsops.KeyInfo // nil when the key (alias) does not exist yet
	KeyPolicy    string
}

// RoleState is the replication role as it exists, nil fields when it does not.
type RoleState struct {
	Role       *awsops.Role
	PolicyName string // the inline policy s3repl writes for this rule
	Policy     string // its current document, "" when absent
	// Inline holds every inline policy of the role by name, ours included, so checks
	// can see everything the role is allowed.
	Inline map[string]string
	// Managed holds the documents of the managed policies attached to the role;
	// ManagedRead is false when the profile may not list them.
	Managed     []string
	ManagedARNs []string // the ARNs of Managed, in its order
	ManagedRead bool
	// OwnManaged is the customer managed policy s3repl gives the role when its inline
	// policies have no room for s3repl's statements (at OwnManagedARN): its default
	// version, "" when it does not exist.
	OwnManagedARN string
	OwnManaged    string
	// PoliciesPerRole is how many managed policies the role may have attached, read
	// only when it has IAM's default quota of them already; 0 when not read.
	PoliciesPerRole int
	// Boundary is the document of the role's permissions boundary, which caps what its
	// policies allow; BoundaryErr says why it could not be read.
	Boundary    string
	BoundaryErr error
}

// Policies are the role's identity policies: inline by name, then managed, so that
// reasons that number them say the same from run to run.
func (r RoleState) Policies() []string {
	docs := make([]string, 0, len(r.Inline)+len(r.Managed))
	for _, name := range slices.Sorted(maps.Keys(r.Inline)) {
		docs = append(docs, r.Inline[name])
	}
	return append(docs, r.Managed...)
}

// State is everything Inspect read.
type State struct {
	Source      SourceState
	Destination DestState
	Role        RoleState
}

// Inspect reads both accounts. Reads that do not depend on each other run in
// parallel, so its time is that of the slowest chain of dependent calls.
func Inspect(ctx context.Context, acc Accounts, s Setup) (*State, error) {
	st := &State{}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return inspectSource(ctx, acc.Source, s, &st.Source, &st.Role) })
	g.Go(func() error { return inspectDestBucket(ctx, acc.Destination, s, &st.Destination) })
	g.Go(func() error { return inspectDestKey(ctx, acc.Destination, s, &st.Destination) })
	g.Go(func() (err error) {
		st.Destination.Identity, err = acc.Destination.Identity(ctx)
		return explain("destination", err)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return st, nil
}

func inspectSource(ctx context.Context, acc awsops.Account, s Setup, out *SourceState, role *RoleState) error {
	bucket := s.Source.Bucket
	var byName, byConfig RoleState
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		out.Identity, err = acc.Identity(gctx)
		return explain("source", err)
	})
	g.Go(func() error { return inspectRole(gctx, acc, s.RoleName(), s, &byName) })
	region, err := acc.BucketRegion(ctx, bucket)
	if err != nil {
		_ = g.Wait()
		if awsops.IsNotFound(err) {
			return Problems{fmt.Sprintf("source bucket %q does not exist (profile %s): check the name and the profile", bucket, profileName(s.Source.Profile))}
		}
		return explain("source", err)
	}
	if s.Source.Region != "" && s.Source.Region != region {
		_ = g.Wait()
		return Problems{fmt.Sprintf("source bucket %q is in %s, not %s: fix source.region or leave it empty", bucket, region, s.Source.Region)}
	}
	out.Region = region
	g.Go(func() (err error) {
		out.Versioning, err = acc.GetBucketVersioning(gctx, region, bucket)
		return explain("source", err)
	})
	g.Go(func() (err error) {
		out.ObjectLock, err = acc.GetObjectLockEnabled(gctx, region, bucket)
		return explain("source", err)
	})
	g.Go(func() (err error) {
		out.Policy, err = acc.GetBucketPolicy(gctx, region, bucket)
		return explain("source", err)
	})
	g.Go(func() error { return inspectSourceKey(gctx, acc, region, bucket, out) })
	out.ExtraKeys = make([]SourceKey, len(s.Source.KMSKeys))
	for i, ref := range s.Source.KMSKeys {
		g.Go(func() error { return inspectExtraKey(gctx, acc, region, ref, &out.ExtraKeys[i]) })
	}
	g.Go(func() error {
		cfg, err := acc.GetBucketReplication(gctx, region, bucket)
		if err != nil {
			return explain("source", err)
		}
		out.Replication = cfg
		if existing := replicationRole(cfg); existing != "" && RoleNameOf(existing) != s.RoleName() {
			return inspectRole(gctx, acc, RoleNameOf(existing), s, &byConfig)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}
	// S3 allows one role per configuration: an existing configuration's role is the one
	// to extend.
	*role = byName
	if existing := replicationRole(out.Replication); existing != "" && RoleNameOf(existing) != s.RoleName() {
		*role = byConfig
	}
	return nil
}

func inspectSourceKey(ctx context.Context, acc awsops.Account, region, bucket string, out *SourceState) error {
	enc, err := acc.GetBucketEncryption(ctx, region, bucket)
	if err != nil {
		return explain("source", err)
	}
	out.Encryption = enc
	if enc.KMSKeyID == "" {
		return nil
	}
	key, err := acc.DescribeKey(ctx, region, enc.KMSKeyID)
	if err != nil {
		if awsops.IsAccessDenied(err) {
			return nil // a key in another account: the doctor reports it, planning can go on
		}
		return explain("source", err)
	}
	out.Key = &key
	if key.Manager != "CUSTOMER" {
		return nil
	}
	out.KeyPolicy, err = acc.GetKeyPolicy(ctx, region, key.ARN)
	if awsops.IsAccessDenied(err) {
		return nil
	}
	return explain("source", err)
}

// inspectExtraKey reads a key of source.kmsKeys, in the source bucket's Region unless
// its ARN names another. A key of another account that the profile may not read is
// kept by its ARN: its owner must grant the role.
func inspectExtraKey(ctx context.Context, acc awsops.Account, region, ref string, out *SourceKey) error {
	if r := RegionOf(ref); r != "" {
		region = r
	}
	key, err := acc.DescribeKey(ctx, region, ref)
	switch {
	case awsops.IsNotFound(err):
		return Problems{fmt.Sprintf("source.kmsKeys: key %s does not exist in %s", ref, region)}
	case awsops.IsAccessDenied(err) && RegionOf(ref) != "":
		out.Key = awsops.KeyInfo{ARN: ref, Region: region, AccountID: AccountOf(ref), Manager: "CUSTOMER", State: "Enabled"}
		return nil
	case awsops.IsAccessDenied(err):
		return Problems{fmt.Sprintf("source.kmsKeys: the source profile may not read key %s: give its ARN", ref)}
	case err != nil:
		return explain("source", err)
	}
	out.Key = key
	if key.Manager != "CUSTOMER" {
		return nil
	}
	out.Policy, err = acc.GetKeyPolicy(ctx, region, key.ARN)
	if awsops.IsAccessDenied(err) {
		return nil
	}
	return explain("source", err)
}

// inspectRole reads a role and its inline policies, among them the one s3repl writes
// for the setup's rule.
func inspectRole(ctx context.Context, acc awsops.Account, name string, s Setup, out *RoleState) error {
	out.PolicyName = s.RolePolicyName()
	role, err := acc.GetRole(ctx, name)
	if awsops.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return explain("source", err)
	}
	out.Role = &role
	names, err := acc.ListRolePolicies(ctx, name)
	if err != nil {
		return explain("source", err)
	}
	out.PolicyName = s.rolePolicyNameAmong(names)
	policyName := out.PolicyName
	docs := make([]string, len(names))
	outer := ctx
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		managed, err := acc.AttachedRolePolicies(ctx, name)
		if awsops.IsAccessDenied(err) {
			return nil // checks that managed policies could change say they cannot tell
		}
		for _, p := range managed {
			out.Managed, out.ManagedARNs = append(out.Managed, p.Document), append(out.ManagedARNs, p.ARN)
		}
		out.ManagedRead = err == nil
		return explain("source", err)
	})
	out.OwnManagedARN = ManagedPolicyARN(role.ARN, policyName)
	g.Go(func() (err error) {
		out.OwnManaged, err = acc.ManagedPolicy(ctx, out.OwnManagedARN)
		if awsops.IsNotFound(err) || awsops.IsAccessDenied(err) {
			return nil
		}
		return explain("source", err)
	})
	if role.PermissionsBoundary != "" {
		g.Go(func() error {
			out.Boundary, out.BoundaryErr = acc.ManagedPolicy(ctx, role.PermissionsBoundary)
			if awsops.IsAccessDenied(out.BoundaryErr) || awsops.IsNotFound(out.BoundaryErr) {
				return nil // the doctor says it cannot tell; nothing else needs it
			}
			return explain("source", out.BoundaryErr)
		})
	}
	for i, policy := range names {
		g.Go(func() (err error) {
			docs[i], err = acc.GetRolePolicy(ctx, name, policy)
			return explain("source", err)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if len(out.ManagedARNs) >= maxPoliciesPerRole {
		// AWS may have raised the account's quota (up to 20)
		out.PoliciesPerRole, err = acc.PoliciesPerRoleQuota(outer)
		if err != nil && !awsops.IsAccessDenied(err) {
			return explain("source", err)
		}
	}
	out.Inline = make(map[string]string, len(names))
	for i, policy := range names {
		out.Inline[policy] = docs[i]
	}
	out.Policy = out.Inline[policyName]
	return nil
}

func inspectDestBucket(ctx context.Context, acc awsops.Account, s Setup, out *DestState) error {
	bucket := s.Destination.Bucket
	region, err := acc.BucketRegion(ctx, bucket)
	switch {
	case awsops.IsNotFound(err):
		if !s.Destination.CreateBucket {
			return Problems{fmt.Sprintf("destination bucket %q does not exist: create it first, or set destination.createBucket: true", bucket)}
		}
		return nil
	case awsops.IsAccessDenied(err):
		return Problems{fmt.Sprintf("destination bucket %q exists but profile %s cannot read it: it belongs to another account, or the profile lacks s3:GetBucketLocation. Pick a bucket of the destination account or a new name", bucket, profileName(s.Destination.Profile))}
	case err != nil:
		return explain("destination", err)
	}
	if s.Destination.Region != "" && s.Destination.Region != region {
		if err := checkOwnBucket(ctx, acc, s); err != nil {
			return err
		}
		return Problems{fmt.Sprintf("destination bucket %q already exists in %s, not in %s: use destination.region: %s or another bucket name", bucket, region, s.Destination.Region, region)}
	}
	out.BucketExists, out.Region = true, region
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return checkOwnBucket(ctx, acc, s) })
	g.Go(func() (err error) {
		out.Versioning, err = acc.GetBucketVersioning(ctx, region, bucket)
		return explain("destination", err)
	})
	g.Go(func() (err error) {
		out.Encryption, err = acc.GetBucketEncryption(ctx, region, bucket)
		return explain("destination", err)
	})
	g.Go(func() (err error) {
		out.Policy, err = acc.GetBucketPolicy(ctx, region, bucket)
		return explain("destination", err)
	})
	g.Go(func() (err error) {
		out.Ownership, err = acc.GetBucketOwnership(ctx, region, bucket)
		return explain("destination", err)
	})
	g.Go(func() (err error) {
		out.ObjectLock, err = acc.GetObjectLockEnabled(ctx, region, bucket)
		return explain("destination", err)
	})
	return g.Wait()
}

// checkOwnBucket refuses a destination bucket that the destination profile can read
// but that another account owns: s3repl would write policies into someone else's bucket.
func checkOwnBucket(ctx context.Context, acc awsops.Account, s Setup) error {
	buckets, err := acc.ListBuckets(ctx)
	if err != nil {
		return explain("destination", err)
	}
	for _, b := range buckets {
		if b.Name == s.Destination.Bucket {
			return nil
		}
	}
	return Problems{fmt.Sprintf("destination bucket %q exists but does not belong to the account of profile %s: pick a bucket of the destination account, or a new name", s.Destination.Bucket, profileName(s.Destination.Profile))}
}

// inspectDestKey reads the replica key. Its Region is the destination Region when
// given, else the Region in the key ARN; when neither is known yet (bucket Region
// still being read) the key is read in the bucket's Region afterwards by Plan.
func inspectDestKey(ctx context.Context, acc awsops.Account, s Setup, out *DestState) error {
	region := s.Destination.Region
	if r := RegionOf(s.Destination.KMSKey); r != "" {
		region = r
	}
	if region == "" {
		var err error
		if region, err = acc.BucketRegion(ctx, s.Destination.Bucket); err != nil {
			return nil // inspectDestBucket reports it
		}
	}
	key, err := acc.DescribeKey(ctx, region, s.KeyRef())
	if awsops.IsNotFound(err) {
		if !s.Destination.CreateKey {
			return Problems{fmt.Sprintf("destination key %s does not exist in %s: give an existing key, or set destination.createKey: true with an alias", s.KeyRef(), region)}
		}
		return nil
	}
	if err != nil {
		return explain("destination", err)
	}
	out.Key = &key
	if key.Manager != "CUSTOMER" {
		return nil // Plan refuses it; its policy is of no use
	}
	out.KeyPolicy, err = acc.GetKeyPolicy(ctx, region, key.ARN)
	return explain("destination", err)
}

// replicationRole is the role ARN of a replication configuration document.
func replicationRole(config string) string {
	if config == "" {
		return ""
	}
	var c struct{ Role string }
	_ = json.Unmarshal([]byte(config), &c)
	return c.Role
}

func profileName(p string) string {
	if p == "" {
		return "(default credentials)"
	}
	return p
}
