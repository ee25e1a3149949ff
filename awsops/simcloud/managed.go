package simcloud

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// managedPolicy is a customer managed policy: a document kept in versions, one of
// them the default, that roles attach.
type managedPolicy struct {
	arn, name, path, account string
	versions                 []policyVersion // oldest first
	defaultID                string
	nextVersion              int
}

type policyVersion struct {
	id, document string
	created      time.Time
}

// Managed-policy quotas [reference_iam-quotas]: "Managed policy size 6,144
// characters" (white space not counted), "Managed policies attached to an IAM role
// 10" (raisable to 20: SetPoliciesPerRoleQuota), and "Versions of a managed
// policy that can be stored 5" [API_CreatePolicyVersion: "A managed policy can have
// up to five versions"].
const (
	maxManagedPolicyChars = 6144
	maxPoliciesPerRole    = 10
	maxPolicyVersions     = 5
)

func (c *Cloud) policiesPerRole(account string) int {
	if quota, raised := c.policiesPerRoleQuota[account]; raised {
		return quota
	}
	return maxPoliciesPerRole
}

// SetPoliciesPerRoleQuota raises (or lowers) how many managed policies a role of the
// account may have attached, as AWS does on request (up to 20).
func (c *Cloud) SetPoliciesPerRoleQuota(account string, quota int) {
	_ = c.locked(func() error {
		c.policiesPerRoleQuota[account] = quota
		return nil
	})
}

// PoliciesPerRoleQuota is the account's AttachedPoliciesPerRoleQuota, as
// GetAccountSummary reports it [API_GetAccountSummary].
func (a *Account) PoliciesPerRoleQuota(ctx context.Context) (int, error) {
	var quota int
	err := a.do(ctx, "iam:GetAccountSummary", "account summary", func() error {
		quota = a.cloud.policiesPerRole(a.accountID())
		return nil
	})
	return quota, err
}

// policyRef finds a policy by name: "IAM user, group, role, and policy names must be
// unique within the account. Names are not distinguished by case" [API_CreatePolicy],
// whatever their paths.
type policyRef struct{ account, lowerName string }

func (p *managedPolicy) document() string {
	for _, v := range p.versions {
		if v.id == p.defaultID {
			return v.document
		}
	}
	return ""
}

func (p *managedPolicy) addVersion(doc string, now time.Time) string {
	p.nextVersion++
	id := fmt.Sprintf("v%d", p.nextVersion)
	p.versions = append(p.versions, policyVersion{id: id, document: doc, created: now})
	return id
}

func noSuchPolicy(policyARN string) error {
	return notFound("NoSuchEntity", "Policy %s does not exist or is not attachable.", policyARN)
}

func checkManagedPolicySize(doc string) error {
	if iamChars(doc) > maxManagedPolicyChars {
		return limitExceeded("LimitExceeded", "Cannot exceed quota for PolicySize: %d", maxManagedPolicyChars)
	}
	return nil
}

func (c *Cloud) policyByARN(policyARN string) *managedPolicy {
	for _, p := range c.policies {
		if p.arn == policyARN {
			return p
		}
	}
	return nil
}

// createPolicy creates a managed policy with its document as v1, the default
// [API_CreatePolicy].
func (c *Cloud) createPolicy(account, path, name, doc string) (*managedPolicy, error) {
	switch {
	case !policyNamePattern.MatchString(name):
		return nil, invalid("ValidationError", "The specified value for policyName is invalid.")
	case !rolePathPattern.MatchString(path):
		return nil, invalid("ValidationError", "The specified value for path is invalid.")
	case c.policies[policyRef{account, strings.ToLower(name)}] != nil:
		return nil, conflict("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	if err := c.checkIAMPolicy(doc, identityPolicyKind); err != nil {
		return nil, err
	}
	if err := checkManagedPolicySize(doc); err != nil {
		return nil, err
	}
	p := &managedPolicy{arn: "arn:aws:iam::" + account + ":policy" + path + name, name: name, path: path, account: account}
	p.defaultID = p.addVersion(doc, c.now())
	c.policies[policyRef{account, strings.ToLower(name)}] = p
	return p, nil
}

// attach attaches a policy to a role. Attaching one that is attached already changes
// nothing; one over the account's quota (10 unless raised) is refused
// [reference_iam-quotas].
func (c *Cloud) attach(r *role, p *managedPolicy) error {
	if slices.Contains(r.attached, p) {
		return nil
	}
	if quota := c.policiesPerRole(r.account); len(r.attached) >= quota {
		return limitExceeded("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: %d", quota)
	}
	r.attached = append(r.attached, p)
	return nil
}

// policy finds a managed policy of the caller's account by ARN.
func (a *Account) policy(policyARN string) (*managedPolicy, error) {
	if p := a.cloud.policyByARN(policyARN); p != nil && p.account == a.accountID() {
		return p, nil
	}
	return nil, noSuchPolicy(policyARN)
}

// AttachedRolePolicies returns the managed policies attached to the role, with their
// default versions.
func (a *Account) AttachedRolePolicies(ctx context.Context, name string) ([]awsops.AttachedPolicy, error) {
	return readRole(ctx, a, "iam:ListAttachedRolePolicies", name, func(r *role) []awsops.AttachedPolicy {
		out := make([]awsops.AttachedPolicy, 0, len(r.attached))
		for _, p := range r.attached {
			out = append(out, awsops.AttachedPolicy{ARN: p.arn, Document: p.document()})
		}
		return out
	})
}

// ManagedPolicy reads a managed policy's default version: one created with
// CreatePolicy or Cloud.AttachRolePolicy, or a permissions boundary set with
// Cloud.SetRolePermissionsBoundary.
func (a *Account) ManagedPolicy(ctx context.Context, policyARN string) (string, error) {
	var doc string
	err := a.do(ctx, "iam:GetPolicy", policyARN, func() error {
		if p, err := a.policy(policyARN); err == nil {
			doc = p.document()
			return nil
		}
		for _, r := range a.cloud.roles {
			if r.account == a.accountID() && r.boundaryARN == policyARN {
				doc = r.boundary
				return nil
			}
		}
		return noSuchPolicy(policyARN)
	})
	return doc, err
}

func (a *Account) PolicyVersions(ctx context.Context, policyARN string) ([]awsops.PolicyVersion, error) {
	var out []awsops.PolicyVersion
	err := a.do(ctx, "iam:ListPolicyVersions", policyARN, func() error {
		p, err := a.policy(policyARN)
		if err != nil {
			return err
		}
		for _, v := range p.versions {
			out = append(out, awsops.PolicyVersion{ID: v.id, Default: v.id == p.defaultID, Created: v.created})
		}
		return nil
	})
	return out, err
}

func (a *Account) CreatePolicy(ctx context.Context, path, name, document, description string) (string, error) {
	var policyARN string
	err := a.do(ctx, "iam:CreatePolicy", path+name, func() error {
		p, err := a.cloud.createPolicy(a.accountID(), path, name, document)
		if err == nil {
			policyARN = p.arn
		}
		return err
	})
	return policyARN, err
}

// CreatePolicyVersion adds a version and makes it the default. A policy that has
// five versions takes no sixth [API_CreatePolicyVersion].
func (a *Account) CreatePolicyVersion(ctx context.Context, policyARN, document string) error {
	return a.do(ctx, "iam:CreatePolicyVersion", policyARN, func() error {
		p, err := a.policy(policyARN)
		if err != nil {
			return err
		}
		if err := a.cloud.checkIAMPolicy(document, identityPolicyKind); err != nil {
			return err
		}
		if err := checkManagedPolicySize(document); err != nil {
			return err
		}
		if len(p.versions) >= maxPolicyVersions {
			return limitExceeded("LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		p.defaultID = p.addVersion(document, a.cloud.now())
		return nil
	})
}

// DeletePolicyVersion deletes a version that is not the default: "You cannot delete
// the default version from a policy using this operation" [API_DeletePolicyVersion].
func (a *Account) DeletePolicyVersion(ctx context.Context, policyARN, versionID string) error {
	return a.do(ctx, "iam:DeletePolicyVersion", policyARN+" "+versionID, func() error {
		p, err := a.policy(policyARN)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(p.versions, func(v policyVersion) bool { return v.id == versionID })
		switch {
		case i < 0:
			return notFound("NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", policyARN, versionID)
		case versionID == p.defaultID:
			return conflict("DeleteConflict", "Cannot delete the default version of a policy.")
		}
		p.versions = slices.Delete(p.versions, i, i+1)
		return nil
	})
}

func (a *Account) AttachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	return a.do(ctx, "iam:AttachRolePolicy", roleName+" "+policyARN, func() error {
		r, err := a.role(roleName)
		if err != nil {
			return err
		}
		p, err := a.policy(policyARN)
		if err != nil {
			return err
		}
		return a.cloud.attach(r, p)
	})
}

func (a *Account) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	return a.do(ctx, "iam:DeleteRolePolicy", roleName+"/"+policyName, func() error {
		r, err := a.role(roleName)
		if err != nil {
			return err
		}
		if _, ok := r.inline[policyName]; !ok {
			return notFound("NoSuchEntity", "The role policy with name %s cannot be found.", policyName)
		}
		delete(r.inline, policyName)
		return nil
	})
}
