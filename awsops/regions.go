package awsops

import "context"

// RegionLister is an Account that can list the Regions enabled for its AWS account.
// The wizard offers these as destinations; accounts that cannot list them (no
// account:ListRegions permission, emulators) fall back to CommercialRegions.
type RegionLister interface {
	EnabledRegions(ctx context.Context) ([]string, error)
}

// ProfileRegioner is an Account that knows the Region its profile names, "" when the
// profile names none.
type ProfileRegioner interface {
	ProfileRegion() string
}

// CommercialRegions are the Regions of the aws partition, for accounts that cannot
// list their enabled Regions. Opt-in Regions are among them: choosing one that is
// not enabled fails at the first call with advice.
var CommercialRegions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}
