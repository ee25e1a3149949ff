package awsops

import (
	"context"
	"fmt"
)

// BucketPageSize is the page s3repl asks ListBuckets for: a page arrives quickly
// (S3 builds and sends one page per request), and 10,000 buckets still take only
// ten requests.
const BucketPageSize = 1000

// BucketPager is the paged ListBuckets call.
type BucketPager interface {
	ListBucketsPage(ctx context.Context, maxBuckets int, token string) (BucketPage, error)
}

// ListAllBuckets follows ListBuckets' pages to the last.
func ListAllBuckets(ctx context.Context, p BucketPager, pageSize int) ([]BucketSummary, error) {
	var all []BucketSummary
	token := ""
	for {
		page, err := p.ListBucketsPage(ctx, pageSize, token)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Buckets...)
		if page.ContinuationToken == "" {
			return all, nil
		}
		if page.ContinuationToken == token {
			return nil, fmt.Errorf("ListBuckets answered the same continuation token twice after %d buckets", len(all))
		}
		token = page.ContinuationToken
	}
}
