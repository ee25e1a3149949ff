package steps_test

import (
	"context"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/steps"
)

// slow adds a fixed latency to every read, as a far-away AWS endpoint would, so the
// benchmark shows whether Inspect's time follows the longest chain of dependent
// calls or the sum of all calls.
type slow struct {
	awsops.Account
	latency time.Duration
}

func (s slow) wait() { time.Sleep(s.latency) }
func (s slow) Identity(ctx context.Context) (awsops.Identity, error) {
	s.wait()
	return s.Account.Identity(ctx)
}
func (s slow) ListBuckets(ctx context.Context) ([]awsops.BucketSummary, error) {
	s.wait()
	return s.Account.ListBuckets(ctx)
}
func (s slow) BucketRegion(ctx context.Context, b string) (string, error) {
	s.wait()
	return s.Account.BucketRegion(ctx, b)
}
func (s slow) GetBucketVersioning(ctx context.Context, r, b string) (string, error) {
	s.wait()
	return s.Account.GetBucketVersioning(ctx, r, b)
}
func (s slow) GetBucketEncryption(ctx context.Context, r, b string) (awsops.Encryption, error) {
	s.wait()
	return s.Account.GetBucketEncryption(ctx, r, b)
}
func (s slow) GetBucketPolicy(ctx context.Context, r, b string) (string, error) {
	s.wait()
	return s.Account.GetBucketPolicy(ctx, r, b)
}
func (s slow) GetBucketReplication(ctx context.Context, r, b string) (string, error) {
	s.wait()
	return s.Account.GetBucketReplication(ctx, r, b)
}
func (s slow) GetBucketOwnership(ctx context.Context, r, b string) (string, error) {
	s.wait()
	return s.Account.GetBucketOwnership(ctx, r, b)
}
func (s slow) GetObjectLockEnabled(ctx context.Context, r, b string) (bool, error) {
	s.wait()
	return s.Account.GetObjectLockEnabled(ctx, r, b)
}
func (s slow) DescribeKey(ctx context.Context, r, k string) (awsops.KeyInfo, error) {
	s.wait()
	return s.Account.DescribeKey(ctx, r, k)
}
func (s slow) GetKeyPolicy(ctx context.Context, r, k string) (string, error) {
	s.wait()
	return s.Account.GetKeyPolicy(ctx, r, k)
}
func (s slow) GetRole(ctx context.Context, n string) (awsops.Role, error) {
	s.wait()
	return s.Account.GetRole(ctx, n)
}
func (s slow) GetRolePolicy(ctx context.Context, r, p string) (string, error) {
	s.wait()
	return s.Account.GetRolePolicy(ctx, r, p)
}

// BenchmarkInspectFreshCrossAccount plans the fresh cross-account scenario against
// moto with 20 ms added to every call. It reports the calls made and what they would
// take one after another (serial-ms/op) next to the measured time (ns/op).
func BenchmarkInspectFreshCrossAccount(b *testing.B) {
	mototest.Start(b)
	ctx := context.Background()
	src, err := awsops.Open(ctx, mototest.SourceProfile)
	if err != nil {
		b.Fatal(err)
	}
	dst, err := awsops.Open(ctx, mototest.DestProfile)
	if err != nil {
		b.Fatal(err)
	}
	srcBucket, dstBucket := mototest.UniqueName("src"), mototest.UniqueName("dst")
	if err := src.CreateBucket(ctx, mototest.SourceRegion, srcBucket); err != nil {
		b.Fatal(err)
	}
	key, _ := src.CreateKey(ctx, mototest.SourceRegion, "source", "")
	_ = src.PutBucketEncryption(ctx, mototest.SourceRegion, srcBucket, awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true})
	const latency = 20 * time.Millisecond
	acc := steps.Accounts{Source: slow{src, latency}, Destination: slow{dst, latency}}
	setup := steps.Setup{
		Source: steps.SourceSetup{Profile: mototest.SourceProfile, Bucket: srcBucket},
		Destination: steps.DestinationSetup{Profile: mototest.DestProfile, Region: mototest.DestRegion, Bucket: dstBucket,
			CreateBucket: true, KMSKey: "alias/" + dstBucket, CreateKey: true},
	}
	before := acc.Source.APICalls() + acc.Destination.APICalls()
	for b.Loop() {
		state, err := steps.Inspect(ctx, acc, setup)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := steps.BuildPlan(setup, state); err != nil {
			b.Fatal(err)
		}
	}
	calls := float64(acc.Source.APICalls()+acc.Destination.APICalls()-before) / float64(b.N)
	b.ReportMetric(calls, "calls/op")
	b.ReportMetric(calls*float64(latency.Milliseconds()), "serial-ms/op")
}
