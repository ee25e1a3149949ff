package steps

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMetricsWithoutRTCHasNoEventThreshold: S3 refuses Metrics.EventThreshold unless
// ReplicationTime is Enabled, so metrics alone are {Status: Enabled}; with RTC both
// carry 15 minutes.
func TestMetricsWithoutRTCHasNoEventThreshold(t *testing.T) {
	s, st := freshSetup(), freshState()
	s.Rule.Metrics = true
	f := mustPlan(t, s, st).Facts
	dest := RuleDocument(s, f, 1)["Destination"].(map[string]any)
	if got, _ := json.Marshal(dest["Metrics"]); string(got) != `{"Status":"Enabled"}` {
		t.Errorf("metrics without RTC: %s, want {\"Status\":\"Enabled\"} alone", got)
	}
	if _, rtc := dest["ReplicationTime"]; rtc {
		t.Error("metrics alone turned RTC on")
	}
	s.Rule.ReplicationTime = true
	dest = RuleDocument(s, f, 1)["Destination"].(map[string]any)
	if got, _ := json.Marshal(dest["Metrics"]); string(got) != `{"EventThreshold":{"Minutes":15},"Status":"Enabled"}` {
		t.Errorf("metrics with RTC: %s", got)
	}
}

// TestExistingMetricsOnlyRuleIsNoChange: a rule S3 holds with Metrics {Status:
// Enabled} and no threshold is what the setup asks for.
func TestExistingMetricsOnlyRuleIsNoChange(t *testing.T) {
	s, st := freshSetup(), freshState()
	s.Rule.Metrics = true
	applied := applyToState(t, mustPlan(t, s, st), st)
	if !strings.Contains(applied.Source.Replication, `"Metrics"`) || strings.Contains(applied.Source.Replication, "EventThreshold") {
		t.Fatalf("the applied rule:\n%s", applied.Source.Replication)
	}
	if c := changeByID(t, mustPlan(t, s, applied), "src-replication"); c.Pending() {
		t.Fatalf("a rule with metrics and no threshold is planned again:\n%s", c.After)
	}
}
