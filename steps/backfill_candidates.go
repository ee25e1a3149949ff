package steps

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// BackfillCandidates is what a sample of the rule's objects says about the need for a
// backfill: how many of the sampled versions have no replication status (written
// before the rule) or FAILED, which live replication never copies.
type BackfillCandidates struct {
	Sampled  int `json:"sampled"`
	NoStatus int `json:"noStatus"`
	Failed   int `json:"failed"`
	// Complete is true when the sample is every version in the rule's prefix.
	Complete bool `json:"complete"`
}

// Any reports whether a backfill has something to do.
func (c BackfillCandidates) Any() bool { return c.NoStatus+c.Failed > 0 }

// SampleBackfillCandidates looks at up to max versions in the rule's prefix (a
// listing and a HeadObject each), for offering a backfill with a count.
func SampleBackfillCandidates(ctx context.Context, acc Accounts, s Setup, max int) (BackfillCandidates, error) {
	region := s.Source.Region
	if region == "" {
		var err error
		if region, err = acc.Source.BucketRegion(ctx, s.Source.Bucket); err != nil {
			return BackfillCandidates{}, explain("source", err)
		}
	}
	versions, err := acc.Source.ListObjectVersions(ctx, region, s.Source.Bucket, s.Rule.Prefix, max+1)
	if err != nil {
		return BackfillCandidates{}, explain("source", err)
	}
	c := BackfillCandidates{Complete: len(versions) <= max}
	versions = versions[:min(len(versions), max)]
	statuses := make([]string, len(versions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, v := range versions {
		g.Go(func() error {
			head, err := acc.Source.HeadObject(gctx, region, s.Source.Bucket, v.Key, v.VersionID)
			statuses[i] = head.ReplicationStatus
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return BackfillCandidates{}, explain("source", err)
	}
	c.Sampled = len(versions)
	for _, status := range statuses {
		switch status {
		case "":
			c.NoStatus++
		case "FAILED":
			c.Failed++
		}
	}
	return c, nil
}
