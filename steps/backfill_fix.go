package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	iam "github.com/micahhausler/aws-iam-policy/policy"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

// BackfillFixes are the changes that mend what made tasks fail: the doctor's fixes
// (a plan of the setup), and for objects under KMS keys other than the bucket's
// default, which the doctor sees only in its sample, the grants that let the role
// decrypt with those keys. The report names the failed objects, so their keys are
// read from them.
type BackfillFixes struct {
	Changes []Change `json:"changes"`
	// Notes say what s3repl cannot mend, such as a key of another account.
	Notes []string `json:"notes"`
	plan  *Plan
}

// PlanBackfillFixes plans the fixes for a finished job's failures.
func PlanBackfillFixes(ctx context.Context, acc Accounts, s Setup, doctor DoctorReport, r BackfillResult) (*BackfillFixes, error) {
	fixes := &BackfillFixes{Changes: slices.Clone(doctor.Fixes), Notes: []string{}}
	if doctor.Plan == nil {
		return fixes, nil
	}
	fixes.plan = &Plan{Setup: doctor.Plan.Setup, Facts: doctor.Plan.Facts, Changes: slices.Clone(doctor.Plan.Changes), Blockers: []string{}}
	keys, err := failedObjectKeys(ctx, acc.Source, doctor.Plan.Facts, r)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return fixes, nil
	}
	changes, notes, err := objectKeyGrants(ctx, acc.Source, s, doctor.Plan.Facts, keys)
	if err != nil {
		return nil, err
	}
	fixes.Notes = append(fixes.Notes, notes...)
	fixes.Changes = append(fixes.Changes, changes...)
	fixes.plan.Changes = append(fixes.plan.Changes, changes...)
	return fixes, nil
}

// Apply makes the fixes with apply's re-read and journal.
func (f *BackfillFixes) Apply(ctx context.Context, acc Accounts, opts ApplyOptions) (ApplyResult, error) {
	if f.plan == nil || len(f.Changes) == 0 {
		return ApplyResult{}, nil
	}
	return Apply(ctx, acc, f.plan, opts)
}

// failedObjectKeys reads the KMS keys of a sample of the objects of the groups whose reason is
// a read or decrypt the role may not make, leaving out the bucket's default keys
// (which the setup's own grants cover).
func failedObjectKeys(ctx context.Context, acc awsops.Account, f Facts, r BackfillResult) ([]string, error) {
	var keys []string
	for _, g := range r.Groups {
		if g.Code != "SrcGetObjectNotPermitted" && g.Code != "SrcKmsKeyInvalidState" {
			continue
		}
		objects := g.sample
		if len(objects) == 0 {
			objects = g.Examples // a result read back from JSON
		}
		for _, example := range objects {
			key, version := splitExample(example)
			head, err := acc.HeadObject(ctx, f.SourceRegion, f.SourceBucket, key, version)
			if err != nil {
				if awsops.IsNotFound(err) {
					continue
				}
				return nil, explain("source", err)
			}
			if head.SSEKMSKeyID != "" && !slices.Contains(f.SourceKeyARNs, head.SSEKMSKeyID) && !slices.Contains(keys, head.SSEKMSKeyID) {
				keys = append(keys, head.SSEKMSKeyID)
			}
		}
	}
	slices.Sort(keys)
	return keys, nil
}

func splitExample(example string) (key, version string) {
	i := strings.LastIndex(example, " (")
	if i < 0 {
		return example, ""
	}
	return example[:i], strings.TrimSuffix(example[i+2:], ")")
}

// objectKeySid is the Sid of the role's grant on further keys of the source objects.
func objectKeySid(f Facts) string {
	return "S3replDecryptObjectKeys" + shortHash(f.RoleARN+" "+f.RuleID)
}

// objectKeyGrants lets the role decrypt with keys through S3 in the source Region,
// for the rule's objects (role policy), and, where the key policy of a key of the
// source account does not already let the role in, in the key policy too.
func objectKeyGrants(ctx context.Context, acc awsops.Account, s Setup, f Facts, keys []string) ([]Change, []string, error) {
	var changes []Change
	var notes, usable []string
	for _, keyARN := range keys {
		if AccountOf(keyARN) != f.SourceAccount {
			notes = append(notes, fmt.Sprintf("key %s belongs to account %s: its owner must let role %s decrypt with it (kms:Decrypt through s3.%s.amazonaws.com)", keyARN, AccountOf(keyARN), f.RoleARN, f.SourceRegion))
			continue
		}
		usable = append(usable, keyARN)
		info, err := acc.DescribeKey(ctx, RegionOf(keyARN), keyARN)
		if err != nil {
			return nil, nil, explain("source", err)
		}
		if info.State != "Enabled" {
			notes = append(notes, fmt.Sprintf("key %s is %s: enable it first", keyARN, info.State))
			continue
		}
		current, err := acc.GetKeyPolicy(ctx, info.Region, keyARN)
		if err != nil {
			return nil, nil, explain("source", err)
		}
		if keyLetsRoleIn(current, f, &info, "kms:Decrypt", f.SourceRegion, f.SourceBucket) {
			continue
		}
		doc, err := policy.Parse(current)
		if err != nil {
			return nil, nil, fmt.Errorf("the key policy of %s cannot be read: %w", keyARN, err)
		}
		if _, err := doc.Upsert(f.SourceKeyStatement()); err != nil {
			return nil, nil, err
		}
		changes = append(changes, Change{ID: "object-key-policy-" + info.KeyID, Title: "Let the role decrypt objects with key " + keyARN,
			Side: SourceSide, Account: f.SourceAccount, Region: info.Region, Resource: keyARN, Action: ActionUpdate,
			kind: kindKeyPolicy, target: keyARN, Before: prettyOrEmpty(current), After: doc.String()})
	}
	if len(usable) == 0 {
		return changes, notes, nil
	}
	roleChange, err := objectKeysRolePolicy(ctx, acc, s, f, usable)
	if err != nil {
		return nil, nil, err
	}
	return append([]Change{roleChange}, changes...), notes, nil
}

func objectKeysRolePolicy(ctx context.Context, acc awsops.Account, s Setup, f Facts, keys []string) (Change, error) {
	role := RoleNameOf(f.RoleARN)
	names, err := acc.ListRolePolicies(ctx, role)
	if err != nil && !awsops.IsNotFound(err) {
		return Change{}, explain("source", err)
	}
	name := s.rolePolicyNameAmong(names)
	current, err := acc.GetRolePolicy(ctx, role, name)
	if err != nil && !awsops.IsNotFound(err) {
		return Change{}, explain("source", err)
	}
	doc, err := policy.Parse(current)
	if err != nil {
		return Change{}, err
	}
	if existing, ok := doc.Statement(objectKeySid(f)); ok {
		keys = mergeResources(existing, keys)
	}
	if _, err := doc.Upsert(objectKeysStatement(f, keys)); err != nil {
		return Change{}, err
	}
	return Change{ID: "object-keys-role-policy", Title: "Let the role decrypt the objects' other KMS keys (inline policy " + name + ")",
		Side: SourceSide, Account: f.SourceAccount, Region: "global", Resource: f.RoleARN, Action: ActionUpdate,
		kind: kindRolePolicy, target: role, name: name, Before: prettyOrEmpty(current), After: doc.String()}, nil
}

// objectKeysStatement lets the role decrypt with further keys through S3 in the
// source Region, for the rule's objects (object or, with Bucket Keys, bucket context).
func objectKeysStatement(f Facts, keys []string) policy.Statement {
	return policy.Statement{Sid: objectKeySid(f), Effect: iam.EffectAllow, Action: strs("kms:Decrypt"),
		Resource: strs(keys...), Condition: f.kmsConditions(f.SourceRegion, f.srcBucketARN())}
}

// mergeResources keeps the keys an earlier fix granted.
func mergeResources(statement []byte, keys []string) []string {
	var st struct{ Resource any }
	if jsonUnmarshal(string(statement), &st) != nil {
		return keys
	}
	switch r := st.Resource.(type) {
	case string:
		keys = append(keys, r)
	case []any:
		for _, v := range r {
			if s, ok := v.(string); ok {
				keys = append(keys, s)
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
