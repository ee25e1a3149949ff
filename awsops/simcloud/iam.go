package simcloud

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/s3repl/s3repl/awsops"
)

// role is an IAM role. IAM hands its documents out URL-encoded; this cloud hands
// them out as stored, which is what the SDK-backed Account returns after decoding.
type role struct {
	name, path, arn, account string
	trust                    string
	inline                   map[string]string
	attached                 []*managedPolicy
	// boundary is the document of the managed policy that bounds the role's
	// permissions, at boundaryARN; empty when it has none.
	boundary, boundaryARN string
}

// roleRef finds a role: IAM role names are unique in an account regardless of case.
type roleRef struct{ account, lowerName string }

func (r *role) info() awsops.Role {
	return awsops.Role{Name: r.name, ARN: r.arn, Path: r.path, TrustPolicy: r.trust, PermissionsBoundary: r.boundaryARN}
}

// policies are the role's identity policies: inline, then managed.
func (r *role) policies() []string {
	docs := make([]string, 0, len(r.inline)+len(r.attached))
	for _, name := range r.inlineNames() {
		docs = append(docs, r.inline[name])
	}
	for _, p := range r.attached {
		docs = append(docs, p.document())
	}
	return docs
}

func (r *role) inlineNames() []string {
	names := make([]string, 0, len(r.inline))
	for name := range r.inline {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func (c *Cloud) roleNamed(account, name string) *role {
	return c.roles[roleRef{account, strings.ToLower(name)}]
}

// roleByARN finds the role an ARN names; the path in the ARN must be the role's.
func (c *Cloud) roleByARN(roleARN string) *role {
	parsed, err := arn.Parse(roleARN)
	if err != nil || parsed.Service != "iam" || !strings.HasPrefix(parsed.Resource, "role/") {
		return nil
	}
	if r := c.roleNamed(parsed.AccountID, lastSegment(parsed.Resource)); r != nil && r.arn == roleARN {
		return r
	}
	return nil
}

func noSuchRole(name string) error {
	return notFound("NoSuchEntity", "The role with name %s cannot be found.", name)
}

func (a *Account) role(name string) (*role, error) {
	if r := a.cloud.roleNamed(a.accountID(), name); r != nil {
		return r, nil
	}
	return nil, noSuchRole(name)
}

// readRole is a call that reads one thing of one of the account's roles.
func readRole[T any](ctx context.Context, a *Account, op, name string, read func(*role) T) (T, error) {
	var out T
	err := a.do(ctx, op, name, func() error {
		r, err := a.role(name)
		if err == nil {
			out = read(r)
		}
		return err
	})
	return out, err
}

func (a *Account) GetRole(ctx context.Context, name string) (awsops.Role, error) {
	return readRole(ctx, a, "iam:GetRole", name, (*role).info)
}

func (a *Account) ListRolePolicies(ctx context.Context, name string) ([]string, error) {
	return readRole(ctx, a, "iam:ListRolePolicies", name, (*role).inlineNames)
}

func (a *Account) GetRolePolicy(ctx context.Context, name, policyName string) (string, error) {
	var doc string
	err := a.do(ctx, "iam:GetRolePolicy", name+"/"+policyName, func() error {
		r, err := a.role(name)
		if err != nil {
			return err
		}
		found, ok := r.inline[policyName]
		if !ok {
			return notFound("NoSuchEntity", "The role policy with name %s cannot be found.", policyName)
		}
		doc = found
		return nil
	})
	return doc, err
}

// CreateRole creates a role at path "/". The description is not kept: nothing reads
// it back (awsops.Role has none).
func (a *Account) CreateRole(ctx context.Context, name, trustPolicy, description string) (awsops.Role, error) {
	var out awsops.Role
	err := a.do(ctx, "iam:CreateRole", name, func() error {
		r, err := a.cloud.createRole(a.accountID(), "/", name, trustPolicy)
		if err == nil {
			out = r.info()
		}
		return err
	})
	return out, err
}

func (a *Account) UpdateAssumeRolePolicy(ctx context.Context, name, trustPolicy string) error {
	return a.do(ctx, "iam:UpdateAssumeRolePolicy", name, func() error {
		r, err := a.role(name)
		if err != nil {
			return err
		}
		if err := a.cloud.checkIAMPolicy(trustPolicy, trustPolicyKind); err != nil {
			return err
		}
		if err := checkTrustSize(trustPolicy); err != nil {
			return err
		}
		r.trust = trustPolicy
		return nil
	})
}

func (a *Account) PutRolePolicy(ctx context.Context, name, policyName, policy string) error {
	return a.do(ctx, "iam:PutRolePolicy", name+"/"+policyName, func() error {
		r, err := a.role(name)
		if err != nil {
			return err
		}
		if !policyNamePattern.MatchString(policyName) {
			return invalid("ValidationError", "The specified value for policyName is invalid.")
		}
		if err := a.cloud.checkIAMPolicy(policy, identityPolicyKind); err != nil {
			return err
		}
		if err := checkRoleInlineSize(r, policyName, policy); err != nil {
			return err
		}
		r.inline[policyName] = policy
		return nil
	})
}

var (
	roleNamePattern   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	rolePathPattern   = regexp.MustCompile(`^/([\x21-\x7e]*/)?$`)
)

func (c *Cloud) createRole(account, path, name, trust string) (*role, error) {
	switch {
	case !roleNamePattern.MatchString(name):
		return nil, invalid("ValidationError", "The specified value for roleName is invalid.")
	case !rolePathPattern.MatchString(path):
		return nil, invalid("ValidationError", "The specified value for path is invalid.")
	case c.roleNamed(account, name) != nil:
		return nil, conflict("EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	if err := c.checkIAMPolicy(trust, trustPolicyKind); err != nil {
		return nil, err
	}
	if err := checkTrustSize(trust); err != nil {
		return nil, err
	}
	r := &role{
		name: name, path: path, account: account, trust: trust,
		arn:    "arn:aws:iam::" + account + ":role" + path + name,
		inline: map[string]string{},
	}
	c.roles[roleRef{account, strings.ToLower(name)}] = r
	return r, nil
}

func (c *Cloud) checkIAMPolicy(doc string, kind policyKind) error {
	if why := c.policyProblem(doc, kind, ""); why != "" {
		return invalid("MalformedPolicyDocument", "%s", why)
	}
	return nil
}
