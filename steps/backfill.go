package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	iam "github.com/micahhausler/aws-iam-policy/policy"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

// BackfillObjects says which existing objects a backfill replicates.
type BackfillObjects string

const (
	BackfillNotReplicated BackfillObjects = "not-replicated" // no replication status: from before the rule
	BackfillFailed        BackfillObjects = "failed"         // FAILED, which S3 never retries
	BackfillBoth          BackfillObjects = "both"
)

// ParseBackfillObjects reads --objects; "" is both.
func ParseBackfillObjects(s string) (BackfillObjects, error) {
	switch o := BackfillObjects(s); o {
	case "":
		return BackfillBoth, nil
	case BackfillNotReplicated, BackfillFailed, BackfillBoth:
		return o, nil
	}
	return "", fmt.Errorf("--objects %q: choose not-replicated (objects from before the rule), failed (FAILED ones) or both", s)
}

// Statuses are the manifest generator's ObjectReplicationStatuses for the choice:
// NONE is an object S3 never replicated [API_control_JobManifestGeneratorFilter].
func (o BackfillObjects) Statuses() []string {
	switch o {
	case BackfillNotReplicated:
		return []string{"NONE"}
	case BackfillFailed:
		return []string{"FAILED"}
	}
	return []string{"NONE", "FAILED"}
}

// BackfillOptions are the choices of a backfill.
type BackfillOptions struct {
	Objects BackfillObjects
	// ReportBucket receives the manifest and completion report; "" is the source
	// bucket. ReportPrefix defaults to DefaultBackfillPrefix.
	ReportBucket, ReportPrefix string
	// DoctorCommand is what to tell the user to run when the setup is broken.
	DoctorCommand string
}

// DefaultBackfillPrefix is where, in the source bucket, jobs write their generated
// manifest and completion report.
const DefaultBackfillPrefix = "s3repl-batch/"

// BackfillFacts is what the batch role's policies and the job name.
type BackfillFacts struct {
	Partition, SourceAccount, SourceRegion, SourceBucket string
	// RulePrefix is the rule's prefix, which scopes s3:InitiateReplication.
	RulePrefix     string
	BatchRoleName  string
	BatchRoleARN   string
	ReportBucket   string
	ManifestPrefix string // ReportPrefix + "manifests"
	ReportPrefix   string // ReportPrefix + "reports"
	Objects        BackfillObjects
}

// BackfillPlan is what a backfill changes before it creates a job: the batch
// operations role and its permissions, as changes with before and after documents
// applied by Apply, and the job's filter.
type BackfillPlan struct {
	Setup    Setup          `json:"-"`
	Facts    BackfillFacts  `json:"-"`
	Changes  []Change       `json:"changes"`
	Warnings []string       `json:"warnings"`
	Filter   ManifestFilter `json:"filter"`
}

// ManifestFilter is the job's manifest filter, as --json shows it.
type ManifestFilter struct {
	EligibleForReplication bool     `json:"eligibleForReplication"`
	ReplicationStatuses    []string `json:"objectReplicationStatuses"`
	// KeyPrefixes is the rule's prefix, when it has one: the job then lists only
	// the rule's objects.
	KeyPrefixes []string `json:"keyPrefixes,omitempty"`
}

// Pending returns the changes that write something.
func (p *BackfillPlan) Pending() []Change {
	return slices.DeleteFunc(slices.Clone(p.Changes), func(c Change) bool { return !c.Pending() })
}

// NewRoleSettle is how long to wait after creating the batch role before S3 Batch
// Operations is to assume it: IAM makes a new role usable everywhere within seconds,
// not at once, and a job whose role cannot be assumed fails while preparing.
const NewRoleSettle = 15 * time.Second

// CreatesRole reports whether the plan creates the batch role.
func (p *BackfillPlan) CreatesRole() bool {
	return slices.ContainsFunc(p.Changes, func(c Change) bool { return c.kind == kindCreateRole && c.Pending() })
}

// AsPlan is the plan Apply takes and PlanText shows.
func (p *BackfillPlan) AsPlan() *Plan {
	return &Plan{Setup: p.Setup, Changes: p.Changes, Warnings: p.Warnings, Blockers: []string{}}
}

// ApplyBackfillPlan makes the batch role's changes with the same re-read and journal
// as apply.
func ApplyBackfillPlan(ctx context.Context, acc Accounts, p *BackfillPlan, opts ApplyOptions) (ApplyResult, error) {
	return Apply(ctx, acc, p.AsPlan(), opts)
}

// BackfillRefusedError says why a backfill cannot work, before anything changed.
type BackfillRefusedError struct {
	Reasons []string
	Advice  string
}

func (e *BackfillRefusedError) Error() string {
	return "a backfill onto this setup cannot work, so nothing was changed:\n  - " + strings.Join(e.Reasons, "\n  - ") + "\n" + e.Advice
}

// PlanBackfill checks the setup replicates (the doctor's checks: a job onto a broken
// setup just fails every task) and plans the batch operations role.
func PlanBackfill(ctx context.Context, acc Accounts, s Setup, opts BackfillOptions) (*BackfillPlan, error) {
	if opts.Objects == "" {
		opts.Objects = BackfillBoth
	}
	report, note, err := backfillDoctor(ctx, acc, s)
	if err != nil {
		return nil, err
	}
	if err := refuseBrokenSetup(report, opts); err != nil {
		return nil, err
	}
	f := backfillFacts(s, report.Plan.Facts, opts)
	if err := checkReportBucket(ctx, acc.Source, f); err != nil {
		return nil, err
	}
	p := &BackfillPlan{Setup: s, Facts: f, Warnings: []string{},
		Filter: ManifestFilter{EligibleForReplication: true, ReplicationStatuses: opts.Objects.Statuses()}}
	if f.RulePrefix != "" {
		p.Filter.KeyPrefixes = []string{f.RulePrefix}
	}
	if err := p.planRole(ctx, acc.Source); err != nil {
		return nil, err
	}
	if note != "" {
		p.Warnings = append(p.Warnings, note)
	}
	p.Warnings = append(p.Warnings, backfillWarnings(report, f)...)
	return p, nil
}

// refuseBrokenSetup refuses a backfill when the doctor finds replication broken or
// apply has changes left: Batch Replication replicates with the live rule's role.
func refuseBrokenSetup(report DoctorReport, opts BackfillOptions) error {
	doctor := opts.DoctorCommand
	if doctor == "" {
		doctor = "s3repl doctor -f setup.yaml"
	}
	var reasons []string
	for _, c := range report.Checks {
		if c.Status == DoctorFailed {
			reasons = append(reasons, c.Title+": "+firstLine(c.Evidence))
		}
	}
	if report.Plan == nil {
		reasons = append(reasons, "the setup cannot be planned: "+report.FixError)
	} else if n := len(report.Fixes); n > 0 && len(reasons) == 0 {
		reasons = append(reasons, fmt.Sprintf("%d change(s) of the setup are not applied yet (%s)", n, report.Fixes[0].Title))
	}
	if len(reasons) == 0 {
		return nil
	}
	return &BackfillRefusedError{Reasons: reasons,
		Advice: "Batch Replication copies with the replication rule and its role, so every task would fail the same way. Run `" + doctor + "` to see why and the fixes, apply them, then run backfill again."}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func backfillFacts(s Setup, f Facts, opts BackfillOptions) BackfillFacts {
	prefix := opts.ReportPrefix
	if prefix == "" {
		prefix = DefaultBackfillPrefix
	}
	prefix = strings.TrimPrefix(prefix, "/")
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	bucket := opts.ReportBucket
	if bucket == "" {
		bucket = f.SourceBucket
	}
	name := sanitizeName("s3repl-batch-"+s.Source.Bucket, 64)
	return BackfillFacts{
		Partition: f.Partition, SourceAccount: f.SourceAccount, SourceRegion: f.SourceRegion, SourceBucket: f.SourceBucket,
		RulePrefix: f.Prefix, BatchRoleName: name, BatchRoleARN: RoleARN(f.Partition, f.SourceAccount, name),
		ReportBucket: bucket, ManifestPrefix: prefix + "manifests", ReportPrefix: prefix + "reports", Objects: opts.Objects,
	}
}

// checkReportBucket refuses a report bucket S3 cannot use: the generated manifest
// must be in the source bucket's Region [s3-batch-replication-batch].
func checkReportBucket(ctx context.Context, acc awsops.Account, f BackfillFacts) error {
	if f.ReportBucket == f.SourceBucket {
		return nil
	}
	own, err := acc.ListBuckets(ctx)
	if err != nil {
		return explain("source", err)
	}
	if !slices.ContainsFunc(own, func(b awsops.BucketSummary) bool { return b.Name == f.ReportBucket }) {
		return fmt.Errorf("report bucket %s is not a bucket of the source account %s: the job writes the list of your objects there, so s3repl only uses the account's own buckets", f.ReportBucket, f.SourceAccount)
	}
	region, err := acc.BucketRegion(ctx, f.ReportBucket)
	if err != nil {
		return fmt.Errorf("report bucket %s: %w", f.ReportBucket, explain("source", err))
	}
	if region != f.SourceRegion {
		return fmt.Errorf("report bucket %s is in %s: S3 writes a generated manifest only in the source bucket's Region (%s); name a bucket there", f.ReportBucket, region, f.SourceRegion)
	}
	return nil
}

// BatchRolePolicyName is the inline policy holding the batch role's permissions.
const BatchRolePolicyName = "s3repl-batch-replication"

const (
	sidBatchTrust        = "S3replTrustBatchOperations"
	sidBatchInitiate     = "S3replInitiateReplication"
	sidBatchSourceBucket = "S3replGenerateManifest"
	sidBatchWriteFiles   = "S3replWriteManifestAndReport"
	sidBatchReadManifest = "S3replReadManifest"
)

// BatchTrustStatement lets S3 Batch Operations assume the role
// [s3-batch-replication-policies].
func (f BackfillFacts) BatchTrustStatement() policy.Statement {
	return policy.Statement{
		Sid: sidBatchTrust, Effect: iam.EffectAllow,
		Principal: iam.NewServicePrincipal("batchoperations.s3.amazonaws.com"),
		Action:    strs("sts:AssumeRole"),
	}
}

// BatchRoleStatements are the batch role's permissions for a generated manifest
// [s3-batch-replication-policies], scoped to the rule's objects, the source bucket
// and the manifest and report locations.
func (f BackfillFacts) BatchRoleStatements() []policy.Statement {
	src := BucketARN(f.Partition, f.SourceBucket)
	files := BucketARN(f.Partition, f.ReportBucket)
	return []policy.Statement{
		{Sid: sidBatchInitiate, Effect: iam.EffectAllow, Action: strs("s3:InitiateReplication"),
			Resource: strs(src + "/" + f.RulePrefix + "*")},
		{Sid: sidBatchSourceBucket, Effect: iam.EffectAllow, Action: strs("s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"),
			Resource: strs(src)},
		{Sid: sidBatchReadManifest, Effect: iam.EffectAllow, Action: strs("s3:GetObject", "s3:GetObjectVersion"),
			Resource: strs(files + "/" + f.ManifestPrefix + "/*")},
		{Sid: sidBatchWriteFiles, Effect: iam.EffectAllow, Action: strs("s3:PutObject"),
			Resource: strs(files+"/"+f.ManifestPrefix+"/*", files+"/"+f.ReportPrefix+"/*")},
	}
}

// planRole plans the batch role: created with its trust, or its trust and inline
// policy merged keeping every statement s3repl did not write.
func (p *BackfillPlan) planRole(ctx context.Context, acc awsops.Account) error {
	f := p.Facts
	trust, before := &policy.Document{}, ""
	role, err := acc.GetRole(ctx, f.BatchRoleName)
	switch {
	case awsops.IsNotFound(err):
	case err != nil:
		return explain("source", err)
	default:
		before = policy.Pretty(role.TrustPolicy)
		if trust, err = policy.Parse(role.TrustPolicy); err != nil {
			return fmt.Errorf("role %s has a trust policy s3repl cannot read: %w", f.BatchRoleName, err)
		}
	}
	changed, err := trust.Upsert(f.BatchTrustStatement())
	if err != nil {
		return err
	}
	c := Change{ID: "batch-role-trust", Title: "Let S3 Batch Operations assume role " + f.BatchRoleName, Side: SourceSide,
		Account: f.SourceAccount, Region: "global", Resource: f.BatchRoleARN, Before: before, After: trust.String(),
		kind: kindTrustPolicy, target: f.BatchRoleName, Action: ActionUpdate}
	if before == "" {
		c.ID, c.Title, c.kind, c.Action = "batch-role-create", "Create batch operations role "+f.BatchRoleName, kindCreateRole, ActionCreate
	} else if !changed {
		c.Action = ActionNone
	}
	p.Changes = append(p.Changes, c)
	return p.planRolePolicy(ctx, acc, before == "")
}

func (p *BackfillPlan) planRolePolicy(ctx context.Context, acc awsops.Account, newRole bool) error {
	f := p.Facts
	current := ""
	if !newRole {
		doc, err := acc.GetRolePolicy(ctx, f.BatchRoleName, BatchRolePolicyName)
		if err != nil && !awsops.IsNotFound(err) {
			return explain("source", err)
		}
		current = doc
	}
	doc, err := policy.Parse(current)
	if err != nil {
		return fmt.Errorf("inline policy %s of role %s cannot be read: %w", BatchRolePolicyName, f.BatchRoleName, err)
	}
	changed, err := doc.Upsert(f.BatchRoleStatements()...)
	if err != nil {
		return err
	}
	c := Change{ID: "batch-role-policy", Title: "Permissions of the batch operations role (inline policy " + BatchRolePolicyName + ")",
		Side: SourceSide, Account: f.SourceAccount, Region: "global", Resource: f.BatchRoleARN,
		Before: prettyOrEmpty(current), After: doc.String(), kind: kindRolePolicy, target: f.BatchRoleName, name: BatchRolePolicyName}
	switch {
	case current == "":
		c.Action = ActionCreate
	case changed:
		c.Action = ActionUpdate
	default:
		c.Action = ActionNone
	}
	p.Changes = append(p.Changes, c)
	return nil
}

// backfillWarnings say what the job does beyond the setup's own rule.
func backfillWarnings(report DoctorReport, f BackfillFacts) []string {
	var out []string
	for _, c := range report.Checks {
		if c.Status == DoctorUnknown {
			out = append(out, "the doctor could not tell: "+c.Title+": "+firstLine(c.Evidence))
		}
	}
	if report.Plan != nil {
		if others := otherEnabledRules(report.Plan.Setup, report.Plan.Facts, report.Plan.Changes); len(others) > 0 {
			scope := "its objects"
			if f.RulePrefix != "" {
				scope = "the objects under " + f.RulePrefix + " (the job lists only those)"
			}
			out = append(out, "the job replicates "+scope+" for every enabled rule of the bucket's replication configuration that covers them, so also for "+
				strings.Join(others, ", ")+" [s3-batch-replication-batch]")
		}
	}
	if f.ReportBucket == f.SourceBucket && strings.HasPrefix(f.ManifestPrefix, f.RulePrefix) {
		scope := "the whole bucket"
		if f.RulePrefix != "" {
			scope = f.RulePrefix
		}
		out = append(out, fmt.Sprintf("the rule replicates %s, which includes %s: the job's manifest and report files (a few objects per job) replicate too; --report-bucket names another bucket of the source Region for them",
			scope, strings.TrimSuffix(f.ManifestPrefix, "manifests")))
	}
	return out
}

// otherEnabledRules names the configuration's other enabled rules, from the
// replication configuration the plan would leave.
func otherEnabledRules(s Setup, f Facts, changes []Change) []string {
	var config string
	for _, c := range changes {
		if c.kind == kindReplication {
			config = c.After
		}
	}
	var doc struct {
		Rules []struct {
			ID, Status  string
			Destination struct{ Bucket string }
		}
	}
	if config == "" || jsonUnmarshal(config, &doc) != nil {
		return nil
	}
	var out []string
	for _, r := range doc.Rules {
		if r.ID != s.RuleID() && r.Status == "Enabled" {
			out = append(out, fmt.Sprintf("rule %s (to %s)", r.ID, strings.TrimPrefix(r.Destination.Bucket, "arn:"+f.Partition+":s3:::")))
		}
	}
	return out
}
