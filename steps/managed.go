package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

// When a role's inline policies have no room for s3repl's statements (IAM takes
// 10,240 characters of them per role), s3repl puts its statements in a customer
// managed policy of their own, attached to the role, instead: the user's policies are
// not touched. s3repl's own inline policy, when the role has one, moves into the
// managed policy with every statement it holds, and is deleted only once the managed
// policy that holds them is attached. A role whose managed policy s3repl attached
// keeps that form: a second run plans nothing.

// AWS's limits on managed policies [reference_iam-quotas].
const (
	maxManagedPolicy   = 6144 // characters, white space not counted
	maxPoliciesPerRole = 10   // managed policies attached to a role (raisable to 20)
	maxPolicyVersions  = 5    // versions of a managed policy IAM stores
)

// ActionDelete is the action of a change that deletes a document: s3repl's own inline
// policy, once its statements are in the managed policy attached to the role.
const ActionDelete Action = "delete"

// ownManagedAttached reports whether the managed policy s3repl made for this rule is
// attached to the role.
func (r RoleState) ownManagedAttached(roleARN string) bool {
	return slices.Contains(r.ManagedARNs, ManagedPolicyARN(roleARN, r.PolicyName))
}

// managedRolePolicy plans the role's permissions as the customer managed policy:
// what s3repl's inline policy holds (the user's statements in it included) moves
// there, s3repl's statements are merged in, the policy is attached, and the inline
// policy deleted. why says why the inline form does not do.
func (b *planBuilder) managedRolePolicy(why string) error {
	role := b.st.Role
	roleName := RoleNameOf(b.f.RoleARN)
	arn := ManagedPolicyARN(b.f.RoleARN, role.PolicyName)
	name := ManagedPolicyName(roleName, role.PolicyName)
	doc, conflict, err := mergeMoved(role.OwnManaged, role.Policy, b.f.RolePolicyStatements())
	if err != nil {
		return fmt.Errorf("s3repl's policies of role %s (inline %s, managed %s) cannot be merged: %w", roleName, role.PolicyName, arn, err)
	}
	if conflict != "" {
		return Problems{fmt.Sprintf("statement %q of s3repl's inline policy %s of role %s differs from the statement of that Sid in policy %s, where s3repl moves the inline policy's statements: make them the same, or give one another Sid, and run plan again", conflict, role.PolicyName, roleName, arn)}
	}
	changed := true
	if role.OwnManaged != "" {
		same, err := policy.EquivalentDocs(role.OwnManaged, doc.String())
		changed = err != nil || !same
	}
	if why != "" {
		moved := ""
		if role.Policy != "" {
			moved = "; its inline policy " + role.PolicyName + " moves there with every statement it holds and is deleted once the managed policy is attached"
		}
		b.plan.Warnings = append(b.plan.Warnings, why+": s3repl puts its statements in the customer managed policy "+name+" attached to the role instead, and changes none of your policies"+moved)
	}
	b.addDocChange(Change{
		ID: "role-managed-policy", Title: "Permissions of the role for rule " + b.s.RuleID() + " (customer managed policy " + name + ")",
		Side: SourceSide, Region: "global", Resource: arn, kind: kindManagedPolicy, target: arn, name: name,
		Before: prettyOrEmpty(role.OwnManaged), After: doc.String(), why: why,
	}, changed)
	if !role.ownManagedAttached(b.f.RoleARN) {
		b.add(Change{
			ID: "role-attach-policy", Title: "Attach policy " + name + " to role " + roleName,
			Side: SourceSide, Region: "global", Resource: b.f.RoleARN, kind: kindAttachPolicy,
			target: roleName, managedARN: arn, why: why,
			After: docOf(map[string]any{"RoleName": roleName, "PolicyArn": arn}),
		})
	}
	if role.Policy != "" {
		b.add(Change{
			ID: "role-policy-delete", Title: "Delete s3repl's inline policy " + role.PolicyName + " of role " + roleName + " (its statements are in policy " + name + ")",
			Side: SourceSide, Region: "global", Resource: b.f.RoleARN, Action: ActionDelete, kind: kindDeleteRolePolicy,
			target: roleName, name: role.PolicyName, managedARN: arn, Before: prettyOrEmpty(role.Policy),
		})
	}
	return nil
}

// mergeMoved is s3repl's managed policy once s3repl's inline policy has moved into
// it, every statement it holds with it, and s3repl's statements are merged in. A
// statement of the inline policy whose Sid the managed policy holds with another
// meaning is not merged: its Sid is returned as the conflict.
func mergeMoved(managed, inline string, ours []policy.Statement) (doc *policy.Document, conflict string, err error) {
	if doc, err = policy.Parse(managed); err != nil {
		return nil, "", err
	}
	moved, err := policy.Parse(inline)
	if err != nil {
		return nil, "", err
	}
	for _, st := range moved.Statements() {
		if holds(doc, st) {
			continue
		}
		if sid := sidOf(st); sid != "" {
			if _, taken := doc.Statement(sid); taken {
				return nil, sid, nil
			}
		}
		if err := doc.Append(st); err != nil {
			return nil, "", err
		}
	}
	if _, err := doc.Upsert(ours...); err != nil {
		return nil, "", err
	}
	return doc, "", nil
}

// holds reports whether a document has a statement: one of s3repl's by its Sid (s3repl
// keeps its own statements current), any other by meaning.
func holds(doc *policy.Document, statement json.RawMessage) bool {
	if sid := sidOf(statement); strings.HasPrefix(sid, "S3repl") {
		_, found := doc.Statement(sid)
		return found
	}
	for _, st := range doc.Statements() {
		if same, err := policy.Equivalent(st, statement); err == nil && same {
			return true
		}
	}
	return false
}

func sidOf(statement json.RawMessage) string {
	var probe struct{ Sid string }
	_ = json.Unmarshal(statement, &probe)
	return probe.Sid
}

// managedOverLimit checks the managed policy against IAM's limits on managed
// policies: its size, and the managed policies a role may have attached.
func managedOverLimit(c Change, st *State) string {
	switch c.kind {
	case kindManagedPolicy:
		if n := policy.IAMSize(c.After); n > maxManagedPolicy {
			return fmt.Sprintf("%sthe customer managed policy %s that holds s3repl's statements for the role would be %d characters (white space not counted), over IAM's limit of %d for a managed policy: shorten the statements in s3repl's inline policy %s that s3repl did not write, or name fewer keys in source.kmsKeys",
				prefix(c.why), c.name, n, maxManagedPolicy, st.Role.PolicyName)
		}
	case kindAttachPolicy:
		quota, source := st.Role.PoliciesPerRole, "the account's quota"
		if quota == 0 {
			quota, source = maxPoliciesPerRole, "IAM's default quota: s3repl could not read the account's (iam:GetAccountSummary); AWS can raise it to 20"
		}
		if n := len(st.Role.ManagedARNs); n >= quota {
			return fmt.Sprintf("%ss3repl would attach a customer managed policy with its statements to the role, but role %s has %d managed policies attached, the limit of %d per role (%s). Detach a managed policy from the role, move inline policies of yours into one of its managed policies, or ask AWS to raise the quota",
				prefix(c.why), c.target, n, quota, source)
		}
	}
	return ""
}

func prefix(why string) string {
	if why != "" {
		return why + "; so "
	}
	return ""
}

// putManagedPolicy creates the managed policy, or gives it a new default version,
// deleting the oldest other version when IAM's five are taken. A policy that exists
// already (an earlier attempt whose answer was lost made it) or a new version refused
// as a sixth (the SDK retried one that was made) is read again and accepted when its
// default version is the planned document.
func (a *applier) putManagedPolicy(ctx context.Context, c Change, doc string) error {
	acc := a.account(c)
	if c.Before == "" {
		_, err := acc.CreatePolicy(ctx, ManagedPolicyPath, c.name, doc, "Permissions s3repl gives the replication role; managed by s3repl")
		if awsops.KindOf(err) == awsops.KindConflict {
			return a.sameManagedPolicy(ctx, c, doc, err)
		}
		return err
	}
	versions, err := acc.PolicyVersions(ctx, c.target)
	if err != nil {
		return err
	}
	if len(versions) >= maxPolicyVersions {
		oldest := slices.IndexFunc(versions, func(v awsops.PolicyVersion) bool { return !v.Default })
		if oldest >= 0 {
			err := acc.DeletePolicyVersion(ctx, c.target, versions[oldest].ID)
			if err != nil && !awsops.IsNotFound(err) {
				return err
			}
		}
	}
	err = acc.CreatePolicyVersion(ctx, c.target, doc)
	if awsops.KindOf(err) == awsops.KindInvalidRequest && errorCode(err) == "LimitExceeded" {
		return a.sameManagedPolicy(ctx, c, doc, err)
	}
	return err
}

func (a *applier) sameManagedPolicy(ctx context.Context, c Change, doc string, refused error) error {
	current, err := a.account(c).ManagedPolicy(ctx, c.target)
	if err != nil {
		return refused
	}
	if same, err := policy.EquivalentDocs(current, doc); err == nil && same {
		return nil
	}
	return &ChangedError{Change: c, Current: current}
}

// deleteMovedInline deletes s3repl's inline policy, after reading again that the
// managed policy attached to the role holds each of its statements.
func (a *applier) deleteMovedInline(ctx context.Context, c Change) error {
	acc := a.account(c)
	attached, err := acc.AttachedRolePolicies(ctx, c.target)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(attached, func(p awsops.AttachedPolicy) bool { return p.ARN == c.managedARN })
	if i < 0 {
		return fmt.Errorf("policy %s is not attached to role %s, so its inline policy %s is kept: run apply again", c.managedARN, c.target, c.name)
	}
	managed, err := policy.Parse(attached[i].Document)
	if err != nil {
		return err
	}
	inline, err := policy.Parse(c.Before)
	if err != nil {
		return err
	}
	for _, st := range inline.Statements() {
		if !holds(managed, st) {
			return fmt.Errorf("policy %s does not hold every statement of inline policy %s of role %s, so the inline policy is kept: run plan again", c.managedARN, c.name, c.target)
		}
	}
	err = acc.DeleteRolePolicy(ctx, c.target, c.name)
	if awsops.IsNotFound(err) {
		return nil // an earlier attempt whose answer was lost deleted it
	}
	return err
}

// attachedDoc is what current() reads for an attachment: the change's document when
// the policy is attached.
func (a *applier) attachedDoc(ctx context.Context, c Change) (string, bool, error) {
	attached, err := a.account(c).AttachedRolePolicies(ctx, c.target)
	if err != nil {
		return "", false, err
	}
	if slices.ContainsFunc(attached, func(p awsops.AttachedPolicy) bool { return p.ARN == c.managedARN }) {
		return c.After, true, nil
	}
	return "", false, nil
}

func errorCode(err error) string {
	var op *awsops.OpError
	if asOpError(err, &op) {
		return op.Code
	}
	return ""
}
