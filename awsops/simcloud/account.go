package simcloud

import (
	"context"
	"maps"
	"sync/atomic"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
)

// Account is one profile's view of the cloud. It implements awsops.Account, and
// awsops.RegionLister and awsops.ProfileRegioner as the SDK-backed Account does.
type Account struct {
	cloud   *Cloud
	profile Profile
	calls   atomic.Int64
}

var (
	_ awsops.Account         = (*Account)(nil)
	_ awsops.RegionLister    = (*Account)(nil)
	_ awsops.ProfileRegioner = (*Account)(nil)
)

// do runs one API call: it counts it, refuses it when ctx is done, and turns what
// call returns into the OpError every Account method returns.
func (a *Account) do(ctx context.Context, op, resource string, call func() error) error {
	a.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return opError(op, a.profile.Name, resource, err)
	}
	if f, ok := a.cloud.takeFault(a.accountID(), op, resource); ok {
		return a.faulted(f, op, resource, call)
	}
	return opError(op, a.profile.Name, resource, a.cloud.locked(call))
}

func (a *Account) Profile() string { return a.profile.Name }

func (a *Account) APICalls() int64 { return a.calls.Load() }

// ProfileRegion is the Region the profile names.
func (a *Account) ProfileRegion() string { return a.profile.Region }

func (a *Account) Identity(ctx context.Context) (awsops.Identity, error) {
	err := a.do(ctx, "sts:GetCallerIdentity", "caller identity", func() error { return nil })
	if err != nil {
		return awsops.Identity{}, err
	}
	return awsops.Identity{AccountID: a.profile.AccountID, ARN: a.profile.PrincipalARN}, nil
}

// EnabledRegions lists the Regions enabled for the account.
func (a *Account) EnabledRegions(ctx context.Context) ([]string, error) {
	var regions []string
	err := a.do(ctx, "account:ListRegions", "regions", func() error {
		regions = append([]string(nil), a.cloud.regions...)
		return nil
	})
	return regions, err
}

func (a *Account) accountID() string { return a.profile.AccountID }

func (a *Account) principal() evaluator.Principal {
	return evaluator.Principal{ARN: a.profile.PrincipalARN, AccountID: a.profile.AccountID}
}

// adminPolicy is every caller's identity policy: profiles belong to administrators.
const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// authorize decides a request of the caller against a resource policy.
func (a *Account) authorize(action, resource, owner, resourcePolicy string, kind evaluator.ResourceKind, context map[string][]string) evaluator.Decision {
	ctx := map[string][]string{"aws:PrincipalIsAWSService": {"false"}}
	maps.Copy(ctx, context)
	req := evaluator.Request{
		Principal: a.principal(), Action: action, Resource: resource, ResourceAccount: owner, Context: ctx,
	}
	return evaluator.Evaluate(req, []string{adminPolicy}, resourcePolicy, kind)
}
