package simcloud

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

func TestUnknownProfile(t *testing.T) {
	w := newTwoAccounts(t)
	_, err := w.cloud.Account("nope")
	if awsops.KindOf(err) != awsops.KindProfileNotFound {
		t.Fatalf("Account: %v, want KindProfileNotFound", err)
	}
	if _, err := w.cloud.Open(ctx, "nope"); awsops.KindOf(err) != awsops.KindProfileNotFound {
		t.Fatalf("Open: %v, want KindProfileNotFound", err)
	}
	if advice := awsops.Advice(err); !strings.Contains(advice, "[profile nope]") {
		t.Errorf("advice %q does not name the profile's section", advice)
	}
}

func TestIdentityCallsAndRegions(t *testing.T) {
	w := newTwoAccounts(t)
	id, err := w.src.Identity(ctx)
	w.must(err)
	if id.AccountID != srcAccount || id.ARN != "arn:aws:iam::"+srcAccount+":user/src" {
		t.Errorf("identity %+v", id)
	}
	if again := w.account("src"); again != w.src {
		t.Error("the same profile should give the same Account")
	}
	_, _ = w.src.ListBuckets(ctx)
	if calls := w.src.APICalls(); calls != 2 {
		t.Errorf("APICalls %d, want 2", calls)
	}
	if w.dst.APICalls() != 0 {
		t.Error("calls of one profile counted for another")
	}
	if w.src.ProfileRegion() != srcRegion {
		t.Errorf("profile Region %q", w.src.ProfileRegion())
	}
	regions, err := w.src.EnabledRegions(ctx)
	w.must(err)
	if strings.Join(regions, ",") != strings.Join(DefaultRegions, ",") {
		t.Errorf("regions %v", regions)
	}
}

func TestCancelledContext(t *testing.T) {
	w := newTwoAccounts(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := w.src.ListBuckets(cancelled)
	if awsops.KindOf(err) != awsops.KindOther || err == nil {
		t.Fatalf("got %v", err)
	}
}

func TestCreateBucket(t *testing.T) {
	w := newTwoAccounts(t)
	w.must(w.src.CreateBucket(ctx, srcRegion, "src-bucket"))
	w.must(w.dst.CreateBucket(ctx, dstRegion, "dst-bucket"))

	// For legacy compatibility, S3 answers 200 OK in us-east-1 (srcRegion).
	w.must(w.src.CreateBucket(ctx, srcRegion, "src-bucket"))
	wantErr(t, w.dst.CreateBucket(ctx, dstRegion, "dst-bucket"), awsops.KindConflict, "BucketAlreadyOwnedByYou")
	wantErr(t, w.dst.CreateBucket(ctx, dstRegion, "src-bucket"), awsops.KindConflict, "BucketAlreadyExists")
	wantErr(t, w.src.CreateBucket(ctx, srcRegion, "Not_A_Bucket"), awsops.KindInvalidRequest, "InvalidBucketName")
	wantErr(t, w.src.CreateBucket(ctx, srcRegion, "192.168.1.1"), awsops.KindInvalidRequest, "InvalidBucketName")
	wantErr(t, w.src.CreateBucket(ctx, "mars-north-1", "mars-bucket"), awsops.KindInvalidRequest, "InvalidLocationConstraint")

	versioning, err := w.src.GetBucketVersioning(ctx, srcRegion, "src-bucket")
	w.must(err)
	enc, err := w.src.GetBucketEncryption(ctx, srcRegion, "src-bucket")
	w.must(err)
	ownership, err := w.src.GetBucketOwnership(ctx, srcRegion, "src-bucket")
	w.must(err)
	lock, err := w.src.GetObjectLockEnabled(ctx, srcRegion, "src-bucket")
	w.must(err)
	if versioning != "" || enc != (awsops.Encryption{Algorithm: "AES256"}) || ownership != "BucketOwnerEnforced" || lock {
		t.Errorf("a new bucket: versioning %q, encryption %+v, ownership %q, Object Lock %v", versioning, enc, ownership, lock)
	}
}

func TestAbsentOptionalThingsAreZeroValues(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", false)
	w.must(w.cloud.SetBucketOwnership("src-bucket", ""))
	doc, err := w.src.GetBucketPolicy(ctx, srcRegion, "src-bucket")
	w.must(err)
	config, err := w.src.GetBucketReplication(ctx, srcRegion, "src-bucket")
	w.must(err)
	ownership, err := w.src.GetBucketOwnership(ctx, srcRegion, "src-bucket")
	w.must(err)
	if doc != "" || config != "" || ownership != "" {
		t.Errorf("policy %q, replication %q, ownership %q: want all empty", doc, config, ownership)
	}
}

func TestBucketsOfOtherAccounts(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)

	region, err := w.dst.BucketRegion(ctx, "src-bucket")
	if err != nil || region != srcRegion {
		t.Errorf("BucketRegion of another account's bucket: %q, %v; want %s as HeadBucket tells it", region, err, srcRegion)
	}
	_, err = w.dst.GetBucketVersioning(ctx, srcRegion, "src-bucket")
	wantErr(t, err, awsops.KindAccessDenied, "AccessDenied")
	_, err = w.dst.GetBucketVersioning(ctx, srcRegion, "no-such-bucket")
	wantErr(t, err, awsops.KindNotFound, "NoSuchBucket")
	_, err = w.dst.BucketRegion(ctx, "no-such-bucket")
	wantErr(t, err, awsops.KindNotFound, "NoSuchBucket")
	_, err = w.src.GetBucketVersioning(ctx, dstRegion, "src-bucket")
	wantErr(t, err, awsops.KindWrongRegion, "PermanentRedirect")

	w.must(w.src.PutBucketPolicy(ctx, srcRegion, "src-bucket", `{"Version":"2012-10-17","Statement":[{"Sid":"Peek","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::`+dstAccount+`:root"},"Action":"s3:GetBucketVersioning","Resource":"arn:aws:s3:::src-bucket"}]}`))
	if status, err := w.dst.GetBucketVersioning(ctx, srcRegion, "src-bucket"); err != nil || status != "Enabled" {
		t.Errorf("with a bucket policy allowing it: %q, %v", status, err)
	}
	_, err = w.dst.GetBucketPolicy(ctx, srcRegion, "src-bucket")
	wantErr(t, err, awsops.KindAccessDenied, "AccessDenied")

	buckets, err := w.dst.ListBuckets(ctx)
	w.must(err)
	if len(buckets) != 0 {
		t.Errorf("ListBuckets lists another account's buckets: %v", buckets)
	}
	buckets, err = w.src.ListBuckets(ctx)
	w.must(err)
	if len(buckets) != 1 || buckets[0] != (awsops.BucketSummary{Name: "src-bucket", Region: srcRegion}) {
		t.Errorf("ListBuckets %v", buckets)
	}
}

func TestBucketPolicyDenyAppliesToTheOwner(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", false)
	w.must(w.src.PutBucketPolicy(ctx, srcRegion, "src-bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",
		"Principal":"*","Action":"s3:GetEncryptionConfiguration","Resource":"arn:aws:s3:::src-bucket"}]}`))
	_, err := w.src.GetBucketEncryption(ctx, srcRegion, "src-bucket")
	wantErr(t, err, awsops.KindAccessDenied, "AccessDenied")
}

func TestBucketPolicy(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", false)
	good := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",
  "Resource":["arn:aws:s3:::src-bucket","arn:aws:s3:::src-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	w.must(w.src.PutBucketPolicy(ctx, srcRegion, "src-bucket", good))
	got, err := w.src.GetBucketPolicy(ctx, srcRegion, "src-bucket")
	w.must(err)
	if got != good {
		t.Errorf("policy came back as\n%s", got)
	}

	statement := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	cases := map[string]string{
		"not JSON":                    `Version: 2012-10-17`,
		"broken JSON":                 `{"Version":"2012-10-17","Statement":[`,
		"misspelt member":             `{"Version":"2012-10-17","Statment":[]}`,
		"no statements":               `{"Version":"2012-10-17","Statement":[]}`,
		"no principal":                statement(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"unknown role":                statement(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dstAccount + `:role/nobody"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"wildcard in ARN":             statement(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + dstAccount + `:role/*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"other bucket":                statement(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}`),
		"bad effect":                  statement(`{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"no action":                   statement(`{"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"unknown statement":           statement(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resources":"arn:aws:s3:::src-bucket/*"}`),
		"unknown action":              statement(`{"Effect":"Allow","Principal":"*","Action":"s3:Fly","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"other service":               statement(`{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"object action on the bucket": statement(`{"Effect":"Allow","Principal":"*","Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::src-bucket"}`),
		"bucket action on objects":    statement(`{"Effect":"Allow","Principal":"*","Action":"s3:GetBucketVersioning","Resource":"arn:aws:s3:::src-bucket/*"}`),
		"wildcard of object actions":  statement(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObjectVersion*","Resource":"arn:aws:s3:::src-bucket"}`),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			err := w.src.PutBucketPolicy(ctx, srcRegion, "src-bucket", doc)
			wantErr(t, err, awsops.KindInvalidRequest, "MalformedPolicy")
			if awsops.Advice(err) == "" {
				t.Error("no advice")
			}
		})
	}
	if got, _ := w.src.GetBucketPolicy(ctx, srcRegion, "src-bucket"); got != good {
		t.Error("a refused policy replaced the bucket policy")
	}
	// A wildcard passes when one action it names applies to a resource of the statement.
	for _, action := range []string{"s3:List*", "s3:Get*", "s3:*", "*", "S3:listbucket"} {
		doc := statement(`{"Effect":"Allow","Principal":"*","Action":"` + action + `","Resource":"arn:aws:s3:::src-bucket"}`)
		if err := w.src.PutBucketPolicy(ctx, srcRegion, "src-bucket", doc); err != nil {
			t.Errorf("%s on the bucket: %v", action, err)
		}
	}
}

func TestBucketEncryption(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", false)
	kms := awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: "alias/not-looked-up", BucketKey: true}
	w.must(w.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", kms))
	got, err := w.src.GetBucketEncryption(ctx, srcRegion, "src-bucket")
	w.must(err)
	if got != kms {
		t.Errorf("encryption %+v, want %+v", got, kms)
	}
	w.must(w.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{KMSKeyID: "k"}))
	if got, _ := w.src.GetBucketEncryption(ctx, srcRegion, "src-bucket"); got.Algorithm != "aws:kms" {
		t.Errorf("an empty algorithm should mean aws:kms, got %+v", got)
	}
	err = w.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "AES256", KMSKeyID: "k"})
	wantErr(t, err, awsops.KindInvalidRequest, "InvalidArgument")
	err = w.src.PutBucketEncryption(ctx, srcRegion, "src-bucket", awsops.Encryption{Algorithm: "rot13"})
	wantErr(t, err, awsops.KindInvalidRequest, "MalformedXML")
}

// ListBuckets with MaxBuckets pages in name order, each bucket with its Region, and
// hands back a token that is not a bucket name [API_ListBuckets].
func TestListBucketsPage(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, dstRegion, "charlie", false)
	w.bucket(w.src, srcRegion, "alpha", false)
	w.bucket(w.src, "ap-southeast-2", "bravo", false)
	w.bucket(w.dst, dstRegion, "delta", false)

	first, err := w.src.ListBucketsPage(ctx, 2, "")
	w.must(err)
	want := []awsops.BucketSummary{{Name: "alpha", Region: srcRegion}, {Name: "bravo", Region: "ap-southeast-2"}}
	if !slices.Equal(first.Buckets, want) || first.ContinuationToken == "" {
		t.Fatalf("first page %+v, want %v and a token", first, want)
	}
	if strings.Contains(first.ContinuationToken, "bravo") {
		t.Errorf("token %q shows the bucket name", first.ContinuationToken)
	}
	last, err := w.src.ListBucketsPage(ctx, 2, first.ContinuationToken)
	w.must(err)
	if want := []awsops.BucketSummary{{Name: "charlie", Region: dstRegion}}; !slices.Equal(last.Buckets, want) || last.ContinuationToken != "" {
		t.Errorf("last page %+v, want %v and no token", last, want)
	}
	for _, bad := range []int{0, awsops.MaxBucketsPerPage + 1} {
		_, err := w.src.ListBucketsPage(ctx, bad, "")
		wantErr(t, err, awsops.KindInvalidRequest, "InvalidArgument")
	}
	_, err = w.src.ListBucketsPage(ctx, 2, "not-a-token")
	wantErr(t, err, awsops.KindInvalidRequest, "InvalidArgument")
	all, err := w.src.ListBuckets(ctx)
	w.must(err)
	if len(all) != 3 {
		t.Errorf("ListBuckets %v, want the 3 buckets of the account", all)
	}
}
