package steps

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Problems is a list of reasons a setup is refused. Nothing is changed when a setup
// has problems; each entry says what is wrong and what to do.
type Problems []string

func (p Problems) Error() string {
	if len(p) == 1 {
		return p[0]
	}
	return "the setup has " + fmt.Sprint(len(p)) + " problems:\n- " + strings.Join(p, "\n- ")
}

func (p *Problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// orNil returns the problems as an error, or nil when there are none.
func (p Problems) orNil() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

var (
	bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// regionPattern takes every form of Region code AWS uses: a two- to four-letter
	// area (us, cn, eusc), an optional partition or country part (gov, iso, isob,
	// isoe, isof; de in the European Sovereign Cloud), a direction and a number:
	// us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1.
	regionPattern   = regexp.MustCompile(`^[a-z]{2,4}(-gov|-iso[a-z]?|-[a-z]{2})?-[a-z]+-[0-9]{1,2}$`)
	roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	aliasPattern    = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
	keyIDPattern    = regexp.MustCompile(`^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	keyARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/.+|alias/.+)$`)
	roleARNPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/(.+/)?[\w+=,.@-]{1,64}$`)
	tagKeyPattern   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
)

// StorageClasses are the values a replication rule accepts for the replica's class:
// the S3 Control ReplicationStorageClass enum without OUTPOSTS, which is for S3 on
// Outposts buckets, not the general purpose buckets s3repl replicates between. The S3
// StorageClass enum of Destination lists more (SNOW, EXPRESS_ONEZONE, the FSx and AWS
// Backup classes), none of them a replica class.
var StorageClasses = []string{
	"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR",
}

// BucketNameProblem explains why name is not a valid general purpose bucket name, or
// returns "" when it is valid.
func BucketNameProblem(name string) string {
	switch {
	case name == "":
		return "is empty"
	case len(name) < 3 || len(name) > 63:
		return fmt.Sprintf("must be 3 to 63 characters long (it has %d)", len(name))
	case !bucketNamePattern.MatchString(name):
		return "may use only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "must not contain two adjacent dots"
	case net.ParseIP(name) != nil:
		return "must not be formatted as an IP address"
	}
	for _, prefix := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, prefix) {
			return "must not begin with " + prefix
		}
	}
	for _, suffix := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suffix) {
			return "must not end with " + suffix
		}
	}
	return ""
}

// RegionProblem explains why region is not a Region code, or returns "".
func RegionProblem(region string) string {
	if regionPattern.MatchString(region) {
		return ""
	}
	return "is not a Region code such as us-east-1 or eu-west-1"
}

// KeyRefProblem explains why ref cannot name a KMS key, or returns "".
func KeyRefProblem(ref string) string {
	switch {
	case ref == "":
		return "is empty: give a key id, key ARN or alias (alias/NAME)"
	case ref == "alias/":
		return "has an empty alias name: give the name after alias/ (alias/NAME)"
	case strings.HasPrefix(ref, "alias/aws/"):
		return "is an AWS managed key (" + ref + "): AWS managed keys cannot be used across accounts. Use a customer managed key, or set createKey: true with an alias of your own"
	case aliasPattern.MatchString(ref), keyIDPattern.MatchString(ref), keyARNPattern.MatchString(ref):
		return ""
	}
	return "is neither a key id, a key ARN nor an alias (alias/NAME)"
}

// Validate checks what can be checked without AWS. It returns Problems.
func (s Setup) Validate() error {
	var p Problems
	s.validateBuckets(&p)
	s.validateRegions(&p)
	s.validateKey(&p)
	s.validateSourceKeys(&p)
	s.validateRole(&p)
	s.validateRule(&p)
	return p.orNil()
}

func (s Setup) validateBuckets(p *Problems) {
	if why := BucketNameProblem(s.Source.Bucket); why != "" {
		p.add("source.bucket %q %s", s.Source.Bucket, why)
	}
	if why := BucketNameProblem(s.Destination.Bucket); why != "" {
		p.add("destination.bucket %q %s", s.Destination.Bucket, why)
	}
	if s.Source.Bucket != "" && s.Source.Bucket == s.Destination.Bucket {
		p.add("source.bucket and destination.bucket are both %q: replicate into another bucket", s.Source.Bucket)
	}
}

func (s Setup) validateRegions(p *Problems) {
	for _, r := range []struct{ field, value string }{
		{"source.region", s.Source.Region}, {"destination.region", s.Destination.Region},
	} {
		if r.value != "" {
			if why := RegionProblem(r.value); why != "" {
				p.add("%s %q %s", r.field, r.value, why)
			}
		}
	}
	if s.Destination.CreateBucket && s.Destination.Region == "" {
		p.add("destination.region is empty: say in which Region to create bucket %q", s.Destination.Bucket)
	}
}

func (s Setup) validateKey(p *Problems) {
	key := s.Destination.KMSKey
	if s.Destination.CreateKey && key == "" {
		return // the default alias is used
	}
	if why := KeyRefProblem(key); why != "" {
		p.add("destination.kmsKey %q %s", key, why)
		return
	}
	if s.Destination.CreateKey && !strings.HasPrefix(key, "alias/") {
		p.add("destination.kmsKey %q: with createKey: true give the alias to create (alias/NAME)", key)
	}
}

func (s Setup) validateSourceKeys(p *Problems) {
	for _, key := range s.Source.KMSKeys {
		if key == "" || !(aliasPattern.MatchString(key) || keyIDPattern.MatchString(key) || keyARNPattern.MatchString(key)) {
			p.add("source.kmsKeys: %q is neither a key id, a key ARN nor an alias (alias/NAME)", key)
		}
	}
}

func (s Setup) validateRole(p *Problems) {
	switch {
	case s.Role.Name != "" && s.Role.ARN != "":
		p.add("role: give either name or arn, not both")
	case s.Role.ARN != "" && !roleARNPattern.MatchString(s.Role.ARN):
		p.add("role.arn %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", s.Role.ARN)
	case s.Role.Name != "" && !roleNamePattern.MatchString(s.Role.Name):
		p.add("role.name %q must be 1 to 64 letters, digits or +=,.@_-", s.Role.Name)
	}
}

func (s Setup) validateRule(p *Problems) {
	r := s.Rule
	if len(r.ID) > 255 {
		p.add("rule.id is longer than 255 characters")
	}
	if !utf8.ValidString(r.ID) || !utf8.ValidString(r.Prefix) {
		p.add("rule.id and rule.prefix must be valid UTF-8 text")
	}
	if r.StorageClass != "" && !slices.Contains(StorageClasses, r.StorageClass) {
		p.add("rule.storageClass %q is not one of %s", r.StorageClass, strings.Join(StorageClasses, ", "))
	}
	if len(r.Tags) > 0 && r.DeleteMarkers {
		p.add("rule: delete-marker replication is not allowed with a tag filter; drop the tags or set deleteMarkers: false")
	}
	if len(r.Tags) > 10 {
		p.add("rule.tags has %d tags, but an S3 object carries at most 10: no object could match the rule", len(r.Tags))
	}
	for k, v := range r.Tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			p.add("rule.tags: %q begins with aws:, which AWS keeps for itself; objects cannot carry it", k)
		}
		if !tagKeyPattern.MatchString(k) {
			p.add("rule.tags: %q is not a valid tag key", k)
		}
		if len(v) > 256 {
			p.add("rule.tags: the value of %q is longer than 256 characters", k)
		}
	}
	if len(r.Prefix) > 1024 {
		p.add("rule.prefix is longer than 1024 characters")
	}
}
