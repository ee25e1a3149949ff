package steps_test

import (
	"testing"

	"github.com/s3repl/s3repl/steps"
)

// TestMetricsWithoutRTCAppliesAndReplicates: the simulated S3 refuses an event
// threshold without RTC, as S3 does; s3repl's rule is accepted and replicates.
func TestMetricsWithoutRTCAppliesAndReplicates(t *testing.T) {
	s := newSimSetup(t, func(setup *steps.Setup) { setup.Rule.Metrics, setup.Rule.ReplicationTime = true, false })
	s.expectSettled("metrics without RTC")
}
