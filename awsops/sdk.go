package awsops

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// globalRegion is where global services (IAM, STS) are called, and S3 calls that work
// from any Region, when the profile names no Region.
const globalRegion = "us-east-1"

// sdkAccount is the Account backed by aws-sdk-go-v2: one loaded config per profile,
// clients created on first use per Region.
type sdkAccount struct {
	profile string
	cfg     aws.Config
	calls   atomic.Int64

	mu  sync.Mutex
	s3  map[string]*s3.Client
	kms map[string]*kms.Client
	iam *iam.Client
	sts *sts.Client

	watch watchClients // CloudWatch and SQS, for `s3repl watch`
}

// Open loads the profile's configuration (the default credential chain when profile
// is "") and returns the Account for it. Credentials are resolved on the first call;
// a profile missing from the shared config files fails here.
func Open(ctx context.Context, profile string) (Account, error) {
	return open(ctx, profile)
}

// OpenWithHTTPClient is Open with the SDK's HTTP client replaced: tests put a client
// between s3repl and the endpoint that loses answers or refuses calls.
func OpenWithHTTPClient(ctx context.Context, profile string, client aws.HTTPClient) (Account, error) {
	return open(ctx, profile, config.WithHTTPClient(client))
}

func open(ctx context.Context, profile string, extra ...func(*config.LoadOptions) error) (Account, error) {
	a := &sdkAccount{profile: profile, s3: map[string]*s3.Client{}, kms: map[string]*kms.Client{}}
	var assumeRoleEndpoint stsEndpoint
	opts := []func(*config.LoadOptions) error{
		config.WithAPIOptions([]func(*middleware.Stack) error{a.countCalls}),
		config.WithAssumeRoleCredentialOptions(assumeRoleEndpoint.wrapAssumeRole),
		// s3repl reports every failure itself; the SDK's own warnings (e.g. about
		// unread bodies of cancelled requests) would only tear the wizard's screen.
		config.WithLogger(logging.Nop{}),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	opts = append(opts, extra...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, classify("config:LoadProfile", profile, "shared config", err)
	}
	a.cfg = cfg
	assumeRoleEndpoint.set(a.stsClient().Options().BaseEndpoint)
	return a, nil
}

func profileLabel(profile string) string {
	if profile == "" {
		return "default profile"
	}
	return "profile " + profile
}

// countCalls adds a step that counts every operation once, whatever its retries.
func (a *sdkAccount) countCalls(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3repl.CountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			a.calls.Add(1)
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

func (a *sdkAccount) Profile() string { return a.profile }

func (a *sdkAccount) APICalls() int64 { return a.calls.Load() }

func (a *sdkAccount) defaultRegion() string {
	if a.cfg.Region != "" {
		return a.cfg.Region
	}
	return globalRegion
}

func (a *sdkAccount) s3Client(region string) *s3.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.s3[region]; ok {
		return c
	}
	c := s3.NewFromConfig(a.cfg, func(o *s3.Options) {
		o.Region = region
		// Emulators and other custom endpoints seldom serve virtual-hosted buckets.
		o.UsePathStyle = o.UsePathStyle || o.BaseEndpoint != nil
	})
	a.s3[region] = c
	return c
}

func (a *sdkAccount) kmsClient(region string) *kms.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.kms[region]; ok {
		return c
	}
	c := kms.NewFromConfig(a.cfg, func(o *kms.Options) { o.Region = region })
	a.kms[region] = c
	return c
}

func (a *sdkAccount) iamClient() *iam.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.iam == nil {
		a.iam = iam.NewFromConfig(a.cfg, func(o *iam.Options) { o.Region = a.defaultRegion() })
	}
	return a.iam
}

func (a *sdkAccount) stsClient() *sts.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sts == nil {
		a.sts = sts.NewFromConfig(a.cfg, func(o *sts.Options) { o.Region = a.defaultRegion() })
	}
	return a.sts
}

func (a *sdkAccount) Identity(ctx context.Context) (Identity, error) {
	out, err := a.stsClient().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, a.fail("sts:GetCallerIdentity", "caller identity", err)
	}
	return Identity{AccountID: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}

// fail turns an SDK error into the OpError every method returns.
func (a *sdkAccount) fail(op, resource string, err error) error {
	return classify(op, a.profile, resource, err)
}
