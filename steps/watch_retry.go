package steps

import "context"

// PlanWatchRetry plans the Batch Replication job that retries the objects the watch
// saw fail, on the setup as the watch has it (metrics on, as failure events need):
// planned on the setup file's rule when that turns metrics off, the backfill would
// see a rule change not applied and refuse. S3 never retries a FAILED object by
// itself [replication-status].
func (w *Watcher) PlanWatchRetry(ctx context.Context, s Setup, doctorCommand string) (*BackfillPlan, error) {
	return PlanBackfill(ctx, w.acc, WatchSetup(s), BackfillOptions{Objects: BackfillFailed, DoctorCommand: doctorCommand})
}
