package steps

import "context"

// A rule's replication metrics and RTC say how S3 reports and times replication, not
// which objects replicate or how they are copied [repl-metrics] [replication-time-control]: a difference
// there between the setup file and the live rule (as `s3repl watch --setup` leaves
// it, metrics on) is no reason to refuse a backfill, unlike any other change apply
// has left.

// ruleMonitoring is the metrics and RTC state of a rule.
type ruleMonitoring struct{ metrics, rtc bool }

func setupMonitoring(s Setup) ruleMonitoring {
	return ruleMonitoring{metrics: s.Rule.Metrics || s.Rule.ReplicationTime, rtc: s.Rule.ReplicationTime}
}

// liveMonitoring reads the metrics and RTC of rule id in a replication configuration.
func liveMonitoring(config, id string) (ruleMonitoring, bool) {
	var doc struct {
		Rules []struct {
			ID          string
			Destination struct {
				Metrics, ReplicationTime *struct{ Status string }
			}
		}
	}
	if config == "" || jsonUnmarshal(config, &doc) != nil {
		return ruleMonitoring{}, false
	}
	for _, r := range doc.Rules {
		if r.ID == id {
			on := func(o *struct{ Status string }) bool { return o != nil && o.Status == "Enabled" }
			return ruleMonitoring{metrics: on(r.Destination.Metrics), rtc: on(r.Destination.ReplicationTime)}, true
		}
	}
	return ruleMonitoring{}, false
}

// withLiveMonitoring is the setup with the rule's metrics and RTC as the live rule has
// them, when apply would change the rule and those differ; false otherwise.
func withLiveMonitoring(s Setup, report DoctorReport) (Setup, ruleMonitoring, bool) {
	for _, c := range report.Fixes {
		if c.kind != kindReplication {
			continue
		}
		live, found := liveMonitoring(c.Before, s.RuleID())
		if !found || live == setupMonitoring(s) {
			return s, live, false
		}
		s.Rule.Metrics, s.Rule.ReplicationTime = live.metrics, live.rtc
		return s, live, true
	}
	return s, ruleMonitoring{}, false
}

// monitoringWarning says the backfill went ahead on a rule whose metrics or RTC the
// setup file sets otherwise, and what a plain apply would then do.
func monitoringWarning(s Setup, live ruleMonitoring) string {
	want := setupMonitoring(s)
	msg := "the setup file sets the rule's replication metrics and RTC otherwise than the live rule has them (" +
		monitoringText(want) + " in the file, " + monitoringText(live) + " on the rule); they do not change what replicates, so the backfill goes ahead"
	if live.metrics && !want.metrics {
		msg += "; `s3repl apply` with this file turns the metrics off, and with them what `s3repl watch` needs: set rule.metrics: true in the setup file to keep them"
	}
	return msg
}

func monitoringText(m ruleMonitoring) string {
	switch {
	case m.rtc:
		return "RTC and metrics on"
	case m.metrics:
		return "metrics on"
	default:
		return "metrics off"
	}
}

// backfillDoctor is the doctor's report for a backfill: on the setup with the live
// rule's metrics and RTC when only those would keep apply's changes pending, so
// neither the refusal nor the fixes offered after a job turn them off. note is the
// warning to show then ("" otherwise). The doctor's checks and reads do not depend on
// the rule's metrics or RTC, so only the fixes are planned again, on the state read.
func backfillDoctor(ctx context.Context, acc Accounts, s Setup) (DoctorReport, string, error) {
	report, st, err := diagnose(ctx, acc, s)
	if err != nil {
		return report, "", err
	}
	live, monitoring, differs := withLiveMonitoring(s, report)
	if !differs {
		return report, "", nil
	}
	report.planFixes(live, st)
	return report, monitoringWarning(s, monitoring), nil
}
