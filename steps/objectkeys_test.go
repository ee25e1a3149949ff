package steps_test

import (
	"testing"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestOtherObjectKeysListsKeysBesideTheDefault: the keys of sampled objects other
// than the bucket default's, most used first; objects under the default key, or
// unencrypted by KMS, and s3repl's test objects are left out.
func TestOtherObjectKeysListsKeysBesideTheDefault(t *testing.T) {
	s := newSimSetup(t, nil)
	payments, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "Payments"})
	s.must(err)
	hr, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "HR"})
	s.must(err)
	s.upload("payments/1.csv", payments.ARN)
	s.upload("payments/2.csv", payments.ARN)
	s.upload("hr/1.csv", hr.ARN)
	s.upload("s3repl-test-x", hr.ARN)
	s.upload("plain.txt", "")
	enc, err := s.acc.Source.GetBucketEncryption(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket)
	s.must(err)
	if enc.KMSKeyID == "" {
		t.Fatal("the demo's source bucket has no default key")
	}
	s.upload("default.txt", enc.KMSKeyID)

	keys, err := steps.OtherObjectKeys(s.ctx, s.acc.Source, simcloud.DemoSourceRegion, s.setup.Source.Bucket, "", enc.KMSKeyID)
	s.must(err)
	want := []steps.ObjectKey{{ARN: payments.ARN, Objects: 2}, {ARN: hr.ARN, Objects: 1}}
	if len(keys) != len(want) || keys[0] != want[0] || keys[1] != want[1] {
		t.Fatalf("keys %+v, want %+v", keys, want)
	}
	keys, err = steps.OtherObjectKeys(s.ctx, s.acc.Source, simcloud.DemoSourceRegion, s.setup.Source.Bucket, "hr/", enc.KMSKeyID)
	s.must(err)
	if len(keys) != 1 || keys[0].ARN != hr.ARN {
		t.Fatalf("under hr/: %+v", keys)
	}
}
