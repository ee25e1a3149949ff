package awsops

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"
)

// AttachedRolePolicies returns the default version of every managed policy attached
// to the role, URL-decoded.
func (a *sdkAccount) AttachedRolePolicies(ctx context.Context, role string) ([]string, error) {
	var arns []string
	pages := iam.NewListAttachedRolePoliciesPaginator(a.iamClient(), &iam.ListAttachedRolePoliciesInput{RoleName: &role})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("iam:ListAttachedRolePolicies", role, err)
		}
		for _, p := range page.AttachedPolicies {
			arns = append(arns, aws.ToString(p.PolicyArn))
		}
	}
	docs := make([]string, len(arns))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for i, arn := range arns {
		g.Go(func() (err error) {
			docs[i], err = a.managedPolicyDocument(ctx, arn)
			return err
		})
	}
	return docs, g.Wait()
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
