package awsops

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func (a *sdkAccount) GetRole(ctx context.Context, name string) (Role, error) {
	out, err := a.iamClient().GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	if err != nil {
		return Role{}, a.fail("iam:GetRole", name, err)
	}
	return roleOf(out.Role), nil
}

func roleOf(r *types.Role) Role {
	if r == nil {
		return Role{}
	}
	role := Role{
		Name:        aws.ToString(r.RoleName),
		ARN:         aws.ToString(r.Arn),
		Path:        aws.ToString(r.Path),
		TrustPolicy: decodePolicy(aws.ToString(r.AssumeRolePolicyDocument)),
	}
	if r.PermissionsBoundary != nil {
		role.PermissionsBoundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	return role
}

// decodePolicy undoes the URL encoding (RFC 3986) IAM applies to the policy documents
// it returns. A document that is not encoded comes back unchanged.
func decodePolicy(doc string) string {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc
	}
	decoded, err := url.PathUnescape(doc)
	if err != nil {
		return doc
	}
	return decoded
}

func (a *sdkAccount) ListRolePolicies(ctx context.Context, role string) ([]string, error) {
	var names []string
	pages := iam.NewListRolePoliciesPaginator(a.iamClient(), &iam.ListRolePoliciesInput{RoleName: &role})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("iam:ListRolePolicies", role, err)
		}
		names = append(names, page.PolicyNames...)
	}
	return names, nil
}

func (a *sdkAccount) GetRolePolicy(ctx context.Context, role, policyName string) (string, error) {
	out, err := a.iamClient().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &role, PolicyName: &policyName})
	if err != nil {
		return "", a.fail("iam:GetRolePolicy", role+"/"+policyName, err)
	}
	return decodePolicy(aws.ToString(out.PolicyDocument)), nil
}

func (a *sdkAccount) CreateRole(ctx context.Context, name, trustPolicy, description string) (Role, error) {
	in := &iam.CreateRoleInput{RoleName: &name, AssumeRolePolicyDocument: &trustPolicy}
	if description != "" {
		in.Description = &description
	}
	out, err := a.iamClient().CreateRole(ctx, in)
	if err != nil {
		return Role{}, a.fail("iam:CreateRole", name, err)
	}
	return roleOf(out.Role), nil
}

func (a *sdkAccount) UpdateAssumeRolePolicy(ctx context.Context, role, trustPolicy string) error {
	_, err := a.iamClient().UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName:       &role,
		PolicyDocument: &trustPolicy,
	})
	if err != nil {
		return a.fail("iam:UpdateAssumeRolePolicy", role, err)
	}
	return nil
}

func (a *sdkAccount) PutRolePolicy(ctx context.Context, role, policyName, policy string) error {
	_, err := a.iamClient().PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:       &role,
		PolicyName:     &policyName,
		PolicyDocument: &policy,
	})
	if err != nil {
		return a.fail("iam:PutRolePolicy", role+"/"+policyName, err)
	}
	return nil
}
