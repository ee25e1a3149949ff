package steps

import "context"

// PlanWatchRetry plans the Batch Replication job that retries the objects the watch
// saw fail. The setup file may still turn the rule's metrics off after `watch
// --setup` turned them on: PlanBackfill lets that difference by, with a warning. S3
// never retries a FAILED object by itself [replication-status].
func (w *Watcher) PlanWatchRetry(ctx context.Context, s Setup, doctorCommand string) (*BackfillPlan, error) {
	return PlanBackfill(ctx, w.acc, s, BackfillOptions{Objects: BackfillFailed, DoctorCommand: doctorCommand})
}
