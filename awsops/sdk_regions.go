package awsops

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
)

// EnabledRegions asks the Account Management service which Regions the account may
// use (enabled by default or opted in), sorted.
func (a *sdkAccount) EnabledRegions(ctx context.Context) ([]string, error) {
	client := account.NewFromConfig(a.cfg, func(o *account.Options) { o.Region = a.defaultRegion() })
	pages := account.NewListRegionsPaginator(client, &account.ListRegionsInput{
		RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabled, types.RegionOptStatusEnabledByDefault},
	})
	var regions []string
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("account:ListRegions", "enabled Regions", err)
		}
		for _, r := range page.Regions {
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	slices.Sort(regions)
	return regions, nil
}

// ProfileRegion is the Region the profile (or AWS_REGION) names, "" when none.
func (a *sdkAccount) ProfileRegion() string { return a.cfg.Region }
