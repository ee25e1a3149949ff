package awsops_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

// ListBuckets asks with MaxBuckets so that S3 names every bucket's Region, follows
// ContinuationToken, and asks GetBucketLocation only for a bucket whose Region did
// not come back. Not parallel: it points the endpoint at a fake S3.
func TestListBucketsPagesAndAsksLocationOnlyWhenTheRegionIsMissing(t *testing.T) {
	var calls []string
	fakeS3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case r.URL.Path == "/" && q.Get("continuation-token") == "":
			calls = append(calls, "ListBuckets max-buckets="+q.Get("max-buckets"))
			fmt.Fprint(w, `<ListAllMyBucketsResult><Buckets>`+
				`<Bucket><Name>a-bucket</Name><BucketRegion>eu-west-1</BucketRegion></Bucket>`+
				`<Bucket><Name>b-bucket</Name><BucketRegion>ap-southeast-2</BucketRegion></Bucket>`+
				`</Buckets><ContinuationToken>page-2</ContinuationToken></ListAllMyBucketsResult>`)
		case r.URL.Path == "/":
			calls = append(calls, "ListBuckets continuation-token="+q.Get("continuation-token"))
			fmt.Fprint(w, `<ListAllMyBucketsResult><Buckets>`+
				`<Bucket><Name>c-bucket</Name></Bucket>`+
				`</Buckets></ListAllMyBucketsResult>`)
		case q.Has("location"):
			calls = append(calls, "GetBucketLocation "+r.URL.Path)
			fmt.Fprint(w, `<LocationConstraint>us-west-2</LocationConstraint>`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	}))
	defer fakeS3.Close()
	t.Setenv("AWS_ENDPOINT_URL", fakeS3.URL)
	acc := get[awsops.Account](t)(awsops.Open(t.Context(), mototest.SourceProfile))

	got := get[[]awsops.BucketSummary](t)(acc.ListBuckets(t.Context()))
	want := []awsops.BucketSummary{{"a-bucket", "eu-west-1"}, {"b-bucket", "ap-southeast-2"}, {"c-bucket", "us-west-2"}}
	if !slices.Equal(got, want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
	wantCalls := []string{"ListBuckets max-buckets=1000", "ListBuckets continuation-token=page-2", "GetBucketLocation /c-bucket"}
	if !slices.Equal(calls, wantCalls) {
		t.Errorf("calls %q, want %q", calls, wantCalls)
	}
}

// moto (through the test launcher's fix) pages as S3 does: name order, each bucket
// with its Region, one call per page and none per bucket.
func TestListBucketsPageAgainstMoto(t *testing.T) {
	t.Parallel()
	src := open(t, source.profile)
	regions := map[string]string{}
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		name := mototest.UniqueName("page")
		must(t, src.CreateBucket(t.Context(), region, name))
		regions[name] = region
	}

	callsBefore := src.APICalls()
	var listed []awsops.BucketSummary
	pages, token := 0, ""
	for {
		page := get[awsops.BucketPage](t)(src.ListBucketsPage(t.Context(), 2, token))
		pages++
		if len(page.Buckets) > 2 {
			t.Fatalf("page %d has %d buckets, asked for 2", pages, len(page.Buckets))
		}
		listed = append(listed, page.Buckets...)
		if token = page.ContinuationToken; token == "" {
			break
		}
	}
	if calls := src.APICalls() - callsBefore; calls != int64(pages) {
		t.Errorf("%d calls for %d pages: a Region was asked for separately", calls, pages)
	}
	if !slices.IsSortedFunc(listed, func(a, b awsops.BucketSummary) int { return compareNames(a.Name, b.Name) }) {
		t.Errorf("pages not in name order: %v", listed)
	}
	found := 0
	for _, b := range listed {
		if b.Region == "" {
			t.Errorf("%s listed without its Region", b.Name)
		}
		if want, ours := regions[b.Name]; ours {
			found++
			if b.Region != want {
				t.Errorf("%s in %q, want %q", b.Name, b.Region, want)
			}
		}
	}
	if found != len(regions) {
		t.Errorf("found %d of our %d buckets in %v", found, len(regions), listed)
	}
}

func compareNames(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
