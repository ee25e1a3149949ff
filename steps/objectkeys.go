package steps

import (
	"context"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops"
)

// ObjectKey is a KMS key that sampled object versions are encrypted with.
type ObjectKey struct {
	ARN     string
	Objects int // how many of the sampled versions
}

// OtherObjectKeys samples the newest object versions under prefix, as the doctor
// does, and returns the keys they are encrypted with other than the bucket's default
// key (defaultKey as the bucket's encryption stores it: id, ARN or alias), most used
// first. The role may decrypt only the keys it is granted: objects under these FAIL
// unless they are in source.kmsKeys. s3repl's own test objects are left out.
func OtherObjectKeys(ctx context.Context, acc awsops.Account, region, bucket, prefix, defaultKey string) ([]ObjectKey, error) {
	samples, err := sampleObjects(ctx, acc, region, bucket, prefix)
	if err != nil {
		return nil, err
	}
	defaultARN := defaultKey
	if defaultKey != "" && !strings.Contains(defaultKey, ":key/") {
		if key, err := acc.DescribeKey(ctx, region, defaultKey); err == nil {
			defaultARN = key.ARN
		}
	}
	testOf := Setup{Rule: RuleSetup{Prefix: prefix}}
	counts := map[string]int{}
	for _, s := range samples {
		if s.KMSKeyID == "" || isTestObject(testOf, s.Key) || sameKey(s.KMSKeyID, defaultARN) {
			continue
		}
		counts[s.KMSKeyID]++
	}
	keys := make([]ObjectKey, 0, len(counts))
	for arn, n := range counts {
		keys = append(keys, ObjectKey{ARN: arn, Objects: n})
	}
	slices.SortFunc(keys, func(a, b ObjectKey) int {
		if a.Objects != b.Objects {
			return b.Objects - a.Objects
		}
		return strings.Compare(a.ARN, b.ARN)
	})
	return keys, nil
}
