package awsops

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"
)

// AttachedRolePolicies returns every managed policy attached to the role with the
// document of its default version, URL-decoded.
func (a *sdkAccount) AttachedRolePolicies(ctx context.Context, role string) ([]AttachedPolicy, error) {
	var attached []AttachedPolicy
	pages := iam.NewListAttachedRolePoliciesPaginator(a.iamClient(), &iam.ListAttachedRolePoliciesInput{RoleName: &role})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("iam:ListAttachedRolePolicies", role, err)
		}
		for _, p := range page.AttachedPolicies {
			attached = append(attached, AttachedPolicy{ARN: aws.ToString(p.PolicyArn)})
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for i := range attached {
		g.Go(func() (err error) {
			attached[i].Document, err = a.managedPolicyDocument(ctx, attached[i].ARN)
			return err
		})
	}
	return attached, g.Wait()
}

// ManagedPolicy reads the default version of a managed policy.
func (a *sdkAccount) ManagedPolicy(ctx context.Context, arn string) (string, error) {
	return a.managedPolicyDocument(ctx, arn)
}

func (a *sdkAccount) managedPolicyDocument(ctx context.Context, arn string) (string, error) {
	policy, err := a.iamClient().GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})
	if err != nil {
		return "", a.fail("iam:GetPolicy", arn, err)
	}
	version, err := a.iamClient().GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: policy.Policy.DefaultVersionId})
	if err != nil {
		return "", a.fail("iam:GetPolicyVersion", arn, err)
	}
	return decodePolicy(aws.ToString(version.PolicyVersion.Document)), nil
}

// PolicyVersions lists a managed policy's versions, oldest first.
func (a *sdkAccount) PolicyVersions(ctx context.Context, arn string) ([]PolicyVersion, error) {
	var versions []PolicyVersion
	pages := iam.NewListPolicyVersionsPaginator(a.iamClient(), &iam.ListPolicyVersionsInput{PolicyArn: &arn})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("iam:ListPolicyVersions", arn, err)
		}
		for _, v := range page.Versions {
			versions = append(versions, PolicyVersion{ID: aws.ToString(v.VersionId), Default: v.IsDefaultVersion, Created: aws.ToTime(v.CreateDate)})
		}
	}
	slices.SortStableFunc(versions, comparePolicyVersions)
	return versions, nil
}

func (a *sdkAccount) CreatePolicy(ctx context.Context, path, name, document, description string) (string, error) {
	in := &iam.CreatePolicyInput{Path: &path, PolicyName: &name, PolicyDocument: &document}
	if description != "" {
		in.Description = &description
	}
	out, err := a.iamClient().CreatePolicy(ctx, in)
	if err != nil {
		return "", a.fail("iam:CreatePolicy", path+name, err)
	}
	return aws.ToString(out.Policy.Arn), nil
}

func (a *sdkAccount) CreatePolicyVersion(ctx context.Context, arn, document string) error {
	_, err := a.iamClient().CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: &arn, PolicyDocument: &document, SetAsDefault: true})
	if err != nil {
		return a.fail("iam:CreatePolicyVersion", arn, err)
	}
	return nil
}

func (a *sdkAccount) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	_, err := a.iamClient().DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: &arn, VersionId: &versionID})
	if err != nil {
		return a.fail("iam:DeletePolicyVersion", arn+" "+versionID, err)
	}
	return nil
}

func (a *sdkAccount) AttachRolePolicy(ctx context.Context, role, arn string) error {
	_, err := a.iamClient().AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: &role, PolicyArn: &arn})
	if err != nil {
		return a.fail("iam:AttachRolePolicy", role+" "+arn, err)
	}
	return nil
}

func (a *sdkAccount) DeleteRolePolicy(ctx context.Context, role, policyName string) error {
	_, err := a.iamClient().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &role, PolicyName: &policyName})
	if err != nil {
		return a.fail("iam:DeleteRolePolicy", role+"/"+policyName, err)
	}
	return nil
}

func (a *sdkAccount) PoliciesPerRoleQuota(ctx context.Context) (int, error) {
	out, err := a.iamClient().GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return 0, a.fail("iam:GetAccountSummary", "account summary", err)
	}
	return int(out.SummaryMap[string(types.SummaryKeyTypeAttachedPoliciesPerRoleQuota)]), nil
}
