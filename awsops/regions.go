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
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1", "me-west-1",
	"mx-central-1",
	"sa-east-1", "sa-west-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// regionNames are the Regions' names as the console shows them beside their codes:
// every Region of the commercial (aws), AWS GovCloud (US), China and AWS European
// Sovereign Cloud partitions, as the AWS SDK's partition metadata names them
// (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json; a test compares).
// The console writes São Paulo with its accent; the SDK does not.
var regionNames = map[string]string{
	"af-south-1":     "Africa (Cape Town)",
	"ap-east-1":      "Asia Pacific (Hong Kong)",
	"ap-east-2":      "Asia Pacific (Taipei)",
	"ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)",
	"ap-south-1":     "Asia Pacific (Mumbai)",
	"ap-south-2":     "Asia Pacific (Hyderabad)",
	"ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)",
	"ap-southeast-3": "Asia Pacific (Jakarta)",
	"ap-southeast-4": "Asia Pacific (Melbourne)",
	"ap-southeast-5": "Asia Pacific (Malaysia)",
	"ap-southeast-6": "Asia Pacific (New Zealand)",
	"ap-southeast-7": "Asia Pacific (Thailand)",
	"ca-central-1":   "Canada (Central)",
	"ca-west-1":      "Canada West (Calgary)",
	"eu-central-1":   "Europe (Frankfurt)",
	"eu-central-2":   "Europe (Zurich)",
	"eu-north-1":     "Europe (Stockholm)",
	"eu-south-1":     "Europe (Milan)",
	"eu-south-2":     "Europe (Spain)",
	"eu-west-1":      "Europe (Ireland)",
	"eu-west-2":      "Europe (London)",
	"eu-west-3":      "Europe (Paris)",
	"il-central-1":   "Israel (Tel Aviv)",
	"me-central-1":   "Middle East (UAE)",
	"me-south-1":     "Middle East (Bahrain)",
	"me-west-1":      "Middle East (Saudi Arabia)",
	"mx-central-1":   "Mexico (Central)",
	"sa-east-1":      "South America (São Paulo)",
	"sa-west-1":      "South America (Chile)",
	"us-east-1":      "US East (N. Virginia)",
	"us-east-2":      "US East (Ohio)",
	"us-west-1":      "US West (N. California)",
	"us-west-2":      "US West (Oregon)",

	"us-gov-east-1": "AWS GovCloud (US-East)",
	"us-gov-west-1": "AWS GovCloud (US-West)",

	"cn-north-1":     "China (Beijing)",
	"cn-northwest-1": "China (Ningxia)",

	"eusc-de-east-1": "AWS European Sovereign Cloud (Germany)",
}

// RegionName is the Region's name, "Europe (Ireland)" for eu-west-1; "" for a code
// s3repl does not know.
func RegionName(code string) string { return regionNames[code] }

// RegionLabel is the code with the name beside it, "eu-west-1 Europe (Ireland)", or
// the code alone when s3repl does not know its name.
func RegionLabel(code string) string {
	if name := regionNames[code]; name != "" {
		return code + " " + name
	}
	return code
}
