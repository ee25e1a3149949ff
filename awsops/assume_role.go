package awsops

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// stsEndpoint is the STS endpoint a loaded config resolves to, handed to the STS
// clients of a profile's role_arn/source_profile steps.
//
// The SDK builds those clients before it resolves endpoint overrides, so they ignore
// AWS_ENDPOINT_URL and a profile's endpoint_url (only AWS_ENDPOINT_URL_STS reaches
// them). With this, a profile that assumes a role talks to the same STS as everything
// else, e.g. a local emulator. The endpoint is known only once loading has finished,
// which is before any credentials are retrieved.
type stsEndpoint struct {
	url atomic.Pointer[string]
}

// wrapAssumeRole is an assume-role option: it puts the endpoint between the provider
// and the client the SDK made for this step (each step of a chain has its own).
func (e *stsEndpoint) wrapAssumeRole(o *stscreds.AssumeRoleOptions) {
	o.Client = &assumeRoleClient{inner: o.Client, endpoint: e}
}

func (e *stsEndpoint) set(url *string) {
	if url != nil {
		e.url.Store(url)
	}
}

type assumeRoleClient struct {
	inner    stscreds.AssumeRoleAPIClient
	endpoint *stsEndpoint
}

func (c *assumeRoleClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if url := c.endpoint.url.Load(); url != nil {
		optFns = append(optFns, func(o *sts.Options) { o.BaseEndpoint = url })
	}
	out, err := c.inner.AssumeRole(ctx, in, optFns...)
	if err != nil {
		return nil, &assumeRoleError{RoleARN: aws.ToString(in.RoleArn), Err: err}
	}
	return out, nil
}

// assumeRoleError marks a failure to assume the profile's role, so classification can
// blame sts:AssumeRole on that role rather than the call that needed credentials.
type assumeRoleError struct {
	RoleARN string
	Err     error
}

func (e *assumeRoleError) Error() string { return "assuming role " + e.RoleARN + ": " + e.Err.Error() }

func (e *assumeRoleError) Unwrap() error { return e.Err }
