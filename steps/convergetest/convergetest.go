// Package convergetest checks that an apply converges after any single failure: it
// fails each write of a setup's apply in turn, in three ways, runs apply again and
// compares the end state with a fault-free run's. The cloud under test (the simulated
// cloud, or moto behind a fault-injecting HTTP client) is given as an Env.
package convergetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/steps"
)

// Mode is how a write fails.
type Mode int

const (
	// Refused: AWS answers 500 to every attempt; the write does not happen.
	Refused Mode = iota + 1
	// AnswerLostOnce: the write happens, its answer is lost once and the SDK retries.
	AnswerLostOnce
	// AnswerLost: the write happens and every answer is lost.
	AnswerLost
)

// Modes are the three ways, in the order of the fault table.
var Modes = []Mode{Refused, AnswerLostOnce, AnswerLost}

func (m Mode) String() string {
	switch m {
	case Refused:
		return "500"
	case AnswerLostOnce:
		return "lost-once"
	case AnswerLost:
		return "lost-all"
	}
	return "none"
}

// Point is one write of an apply: the permission its call is named by, and on which
// side (the two PutBucketVersioning calls differ by side).
type Point struct {
	Op   string
	Side steps.Side
}

func (p Point) String() string {
	side := "src"
	if p.Side == steps.DestinationSide {
		side = "dst"
	}
	return side + "-" + p.Op[strings.Index(p.Op, ":")+1:]
}

// FreshCrossAccount are the writes of a fresh cross-account setup's apply, in order.
var FreshCrossAccount = []Point{
	{"iam:CreateRole", steps.SourceSide},
	{"kms:CreateKey", steps.DestinationSide},
	{"kms:CreateAlias", steps.DestinationSide},
	{"s3:CreateBucket", steps.DestinationSide},
	{"s3:PutEncryptionConfiguration", steps.DestinationSide},
	{"s3:PutBucketVersioning", steps.DestinationSide},
	{"s3:PutBucketVersioning", steps.SourceSide},
	{"iam:PutRolePolicy", steps.SourceSide},
	{"s3:PutBucketPolicy", steps.DestinationSide},
	{"s3:PutReplicationConfiguration", steps.SourceSide},
}

// opsOfChanges are the calls that make each change of a plan, by change id.
var opsOfChanges = map[string]string{
	"role-create": "iam:CreateRole", "role-trust": "iam:UpdateAssumeRolePolicy", "role-policy": "iam:PutRolePolicy",
	"dst-key-create": "kms:CreateKey", "dst-key-alias": "kms:CreateAlias", "dst-key-policy": "kms:PutKeyPolicy",
	"src-key-policy": "kms:PutKeyPolicy", "dst-bucket-create": "s3:CreateBucket", "dst-encryption": "s3:PutEncryptionConfiguration",
	"dst-versioning": "s3:PutBucketVersioning", "src-versioning": "s3:PutBucketVersioning",
	"dst-bucket-policy": "s3:PutBucketPolicy", "src-replication": "s3:PutReplicationConfiguration",
	"role-managed-policy": "iam:CreatePolicy", "role-attach-policy": "iam:AttachRolePolicy", "role-policy-delete": "iam:DeleteRolePolicy",
}

// PlannedPoints are the writes the plan for env makes, in order.
func PlannedPoints(t *testing.T, env Env) []Point {
	t.Helper()
	plan, err := makePlan(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	var points []Point
	for _, c := range plan.Pending() {
		op, ok := opsOfChanges[c.ID]
		if c.ID == "role-managed-policy" && c.Action == steps.ActionUpdate {
			op = "iam:CreatePolicyVersion"
		}
		if !ok {
			t.Fatalf("no call known for change %s", c.ID)
		}
		points = append(points, Point{op, c.Side})
	}
	return points
}

// Env is one fresh cloud for one run of the table.
type Env interface {
	// Accounts are the two sides, the ones Apply is given.
	Accounts() steps.Accounts
	// Setup is the setup to apply.
	Setup() steps.Setup
	// Inject arms a fault for the next call of p.
	Inject(p Point, m Mode)
	// Disarm drops the fault if it did not fire, and says whether it fired.
	Disarm() (fired bool)
	// Placeholders are pairs of strings (name, placeholder) that differ from run to
	// run for the same state, such as the source key's ARN, to replace in snapshots.
	Placeholders() []string
	// KeysBefore are the destination Region's keys that existed before the setup
	// (other tests' keys on a shared server), which snapshots do not count.
	KeysBefore() []string
}

// Result is one cell of the fault table.
type Result struct {
	Point     Point
	Mode      Mode
	FirstErr  error  // the first apply's error (nil when the fault did not stop it)
	Problem   string // "" when the rerun converged to the fault-free state
	Reruns    int
	FirstText string
}

// Converged reports whether the cell converged.
func (r Result) Converged() bool { return r.Problem == "" }

// Run fails each point in each mode and checks convergence. newEnv returns a fresh
// cloud each time.
func Run(t *testing.T, points []Point, newEnv func(t *testing.T) Env) []Result {
	t.Helper()
	ctx := context.Background()
	want := faultFree(t, ctx, newEnv(t))
	var results []Result
	for _, p := range points {
		for _, m := range Modes {
			t.Run(p.String()+"/"+m.String(), func(t *testing.T) {
				r := runOne(t, ctx, newEnv(t), p, m, want)
				results = append(results, r)
				if !r.Converged() {
					t.Errorf("%s %s: %s (first apply: %v)", p, m, r.Problem, r.FirstErr)
				}
			})
		}
	}
	return results
}

func faultFree(t *testing.T, ctx context.Context, env Env) Snapshot {
	t.Helper()
	journal := t.TempDir()
	if err := apply(ctx, env, journal); err != nil {
		t.Fatalf("the fault-free apply failed: %v", err)
	}
	snap, err := Take(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if why := snap.Sane(); why != "" {
		t.Fatalf("the fault-free apply: %s", why)
	}
	return snap
}

func runOne(t *testing.T, ctx context.Context, env Env, p Point, m Mode, want Snapshot) Result {
	journal := t.TempDir()
	r := Result{Point: p, Mode: m}
	env.Inject(p, m)
	r.FirstErr = apply(ctx, env, journal)
	if !env.Disarm() {
		r.Problem = "the fault never fired"
		return r
	}
	if r.FirstErr != nil {
		r.FirstText = r.FirstErr.Error()
		if why := misleading(r.FirstText, m); why != "" {
			r.Problem = why
			return r
		}
		r.Reruns = 1
		if err := apply(ctx, env, journal); err != nil {
			r.Problem = fmt.Sprintf("the rerun failed: %v", err)
			return r
		}
	}
	plan, err := makePlan(ctx, env)
	if err != nil {
		r.Problem = fmt.Sprintf("plan after the rerun: %v", err)
		return r
	}
	if pending := plan.Pending(); len(pending) > 0 {
		r.Problem = fmt.Sprintf("plan after the rerun still has %d changes, the first %q", len(pending), pending[0].Title)
		return r
	}
	got, err := Take(ctx, env)
	if err != nil {
		r.Problem = err.Error()
		return r
	}
	if why := got.Sane(); why != "" {
		r.Problem = why
		return r
	}
	if diff := want.Diff(got); diff != "" {
		r.Problem = "state differs from the fault-free run: " + diff
	}
	return r
}

// misleading says what is wrong with the message of an apply stopped by a fault.
func misleading(text string, m Mode) string {
	switch {
	case strings.Contains(text, "spelling"):
		return "a lost answer is called unreachable: " + text
	case strings.Contains(text, "deletion") || strings.Contains(text, "choose another name"):
		return "the message advises against the run's own resource: " + text
	case m != Refused && !strings.Contains(text, "may or may not have happened"):
		return "the message does not say the write may have happened: " + text
	}
	return ""
}

// ApplyNow applies env's plan with a journal in dir, for setting an env up.
func ApplyNow(ctx context.Context, env Env, dir string) error { return apply(ctx, env, dir) }

func makePlan(ctx context.Context, env Env) (*steps.Plan, error) {
	st, err := steps.Inspect(ctx, env.Accounts(), env.Setup())
	if err != nil {
		return nil, err
	}
	return steps.BuildPlan(env.Setup(), st)
}

func apply(ctx context.Context, env Env, journalDir string) error {
	plan, err := makePlan(ctx, env)
	if err != nil {
		return err
	}
	j, err := steps.OpenJournal(journalDir, nil)
	if err != nil {
		return err
	}
	defer j.Close()
	_, err = steps.Apply(ctx, env.Accounts(), plan, steps.ApplyOptions{Journal: j, PropagationWait: time.Millisecond})
	return err
}

// Snapshot is the end state of a setup, with its own names (buckets, role, key)
// replaced by placeholders so runs with other names compare.
type Snapshot struct {
	CustomerKeys  int // enabled customer managed keys in the destination Region
	KeyUnderAlias bool
	Role          bool
	Rules         int
	Docs          map[string]string
	names         []string // for error messages
}

// Take reads the state of s's resources; placeholders are pairs of further strings
// to replace.
func Take(ctx context.Context, env Env) (Snapshot, error) {
	acc, s, placeholders := env.Accounts(), env.Setup(), env.Placeholders()
	before := map[string]bool{}
	for _, k := range env.KeysBefore() {
		before[k] = true
	}
	snap := Snapshot{Docs: map[string]string{}}
	src, dst := acc.Source, acc.Destination
	region := s.Destination.Region
	keys, err := dst.ListKeys(ctx, region)
	if err != nil {
		return snap, err
	}
	keyARN := "\x00no key"
	for _, k := range keys {
		if k.Manager == "CUSTOMER" && k.State == "Enabled" && !before[k.ARN] {
			snap.CustomerKeys++
			snap.names = append(snap.names, k.ARN)
			if slices.Contains(k.Aliases, s.KeyRef()) {
				keyARN, snap.KeyUnderAlias = k.ARN, true
			}
		}
	}
	replace := strings.NewReplacer(append([]string{keyARN, "KEY-ARN", keyID(keyARN), "KEY-ID", s.Source.Bucket, "SRC-BUCKET",
		s.Destination.Bucket, "DST-BUCKET", s.RoleName(), "ROLE", s.KeyRef(), "ALIAS"}, placeholders...)...)
	put := func(name, doc string) {
		snap.Docs[name] = ourSidHash.ReplaceAllString(replace.Replace(doc), "${1}HASH\"")
	}
	srcRegion, err := src.BucketRegion(ctx, s.Source.Bucket)
	if err != nil {
		return snap, err
	}
	repl, err := src.GetBucketReplication(ctx, srcRegion, s.Source.Bucket)
	if err != nil {
		return snap, err
	}
	put("replication", repl)
	roleName := s.RoleName()
	var config struct{ Role string }
	if json.Unmarshal([]byte(repl), &config) == nil && config.Role != "" {
		roleName = steps.RoleNameOf(config.Role)
	}
	role, err := src.GetRole(ctx, roleName)
	if err == nil {
		snap.Role = true
		put("trust", role.TrustPolicy)
		names, err := src.ListRolePolicies(ctx, roleName)
		if err != nil {
			return snap, err
		}
		put("role-policies", strings.Join(names, ","))
		for _, n := range names {
			doc, err := src.GetRolePolicy(ctx, roleName, n)
			if err != nil {
				return snap, err
			}
			put("role-policy "+n, doc)
		}
		attached, err := src.AttachedRolePolicies(ctx, roleName)
		if err != nil {
			return snap, err
		}
		var arns []string
		for _, p := range attached {
			arns = append(arns, p.ARN)
			put("managed-policy "+replace.Replace(p.ARN), p.Document)
		}
		put("managed-policies", strings.Join(arns, ","))
	} else if !awsops.IsNotFound(err) {
		return snap, err
	}
	if snap.KeyUnderAlias {
		doc, err := dst.GetKeyPolicy(ctx, region, keyARN)
		if err != nil {
			return snap, err
		}
		put("key-policy", doc)
	}
	for _, b := range []struct {
		name string
		acc  awsops.Account
		side string
	}{{s.Source.Bucket, src, "src"}, {s.Destination.Bucket, dst, "dst"}} {
		r := region
		if b.side == "src" {
			r = srcRegion
		}
		versioning, err := b.acc.GetBucketVersioning(ctx, r, b.name)
		if err != nil {
			return snap, err
		}
		put(b.side+"-versioning", versioning)
		enc, err := b.acc.GetBucketEncryption(ctx, r, b.name)
		if err != nil {
			return snap, err
		}
		put(b.side+"-encryption", fmt.Sprintf("%s %s bucketKey=%v", enc.Algorithm, enc.KMSKeyID, enc.BucketKey))
	}
	bp, err := dst.GetBucketPolicy(ctx, region, s.Destination.Bucket)
	if err != nil {
		return snap, err
	}
	put("dst-bucket-policy", bp)
	snap.Rules = strings.Count(repl, `"ID"`)
	return snap, nil
}

// ourSidHash matches the hash of the role and rule in s3repl's Sids, which differs
// with the names.
var ourSidHash = regexp.MustCompile(`("S3repl[A-Za-z0-9]*?)[0-9a-f]{8}"`)

func keyID(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return "\x00none"
}

// Sane says what is wrong with a snapshot on its own: no key under the alias, no
// role, no rule. Diff compares the counts with the fault-free run's.
func (s Snapshot) Sane() string {
	switch {
	case !s.KeyUnderAlias:
		return "no key under the alias"
	case !s.Role:
		return "no role"
	case s.Rules == 0:
		return "no replication rule"
	}
	return ""
}

// Diff names the documents that differ in meaning, "" when none does.
func (s Snapshot) Diff(other Snapshot) string {
	var diffs []string
	if s.CustomerKeys != other.CustomerKeys {
		diffs = append(diffs, fmt.Sprintf("%d enabled customer keys in the destination Region, want %d (%s)", other.CustomerKeys, s.CustomerKeys, strings.Join(other.names, ", ")))
	}
	if s.Rules != other.Rules {
		diffs = append(diffs, fmt.Sprintf("%d replication rules, want %d", other.Rules, s.Rules))
	}
	for _, name := range slices.Sorted(mapsKeys(s.Docs, other.Docs)) {
		a, b := s.Docs[name], other.Docs[name]
		if a == b {
			continue
		}
		if same, err := policy.EquivalentDocs(a, b); err == nil && same && a != "" && b != "" {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("%s: want %s, got %s", name, a, b))
	}
	return strings.Join(diffs, "; ")
}

func mapsKeys(a, b map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
		for k := range b {
			if _, dup := a[k]; !dup && !yield(k) {
				return
			}
		}
	}
}

// Table renders results as a Markdown table: one row per point, one column per mode.
// "(no stop)": the first apply went through (the SDK's retry, or s3repl's re-read of
// an "already exists", settled it).
func Table(results []Result) string {
	var b strings.Builder
	b.WriteString("| write | 500 | answer lost once | every answer lost |\n| --- | --- | --- | --- |\n")
	for i := 0; i+len(Modes) <= len(results); i += len(Modes) {
		fmt.Fprintf(&b, "| %s |", results[i].Point)
		for _, r := range results[i : i+len(Modes)] {
			cell := "converges"
			if r.FirstErr == nil {
				cell += " (no stop)"
			}
			if !r.Converged() {
				cell = "NO: " + r.Problem
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// WriteTable writes the table to $S3REPL_FAULT_TABLE_DIR/name.md when that is set.
func WriteTable(t *testing.T, name string, results []Result) {
	dir := os.Getenv("S3REPL_FAULT_TABLE_DIR")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".md"), []byte(Table(results)), 0o644); err != nil {
		t.Error(err)
	}
}
