package steps

import (
	"slices"
	"testing"
)

// TestCheckTableIDsAreUnique: a report names each check once, and the failure
// reasons point at checks by ID.
func TestCheckTableIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range checkTable {
		if row.id == "" || row.title == "" || row.decide == nil {
			t.Errorf("incomplete row %q (%q)", row.id, row.title)
		}
		if seen[row.id] {
			t.Errorf("check %q is in the table twice", row.id)
		}
		seen[row.id] = true
	}
}

// TestFailureReasonsNameChecksOfTheTable: every check a failure reason points the
// reader at is one the doctor runs.
func TestFailureReasonsNameChecksOfTheTable(t *testing.T) {
	var ids []string
	for _, row := range checkTable {
		ids = append(ids, row.id)
	}
	for _, r := range FailureReasonTable() {
		for _, id := range r.Checks {
			if !slices.Contains(ids, id) {
				t.Errorf("%s points at doctor check %q, which is not in the check table", r.Code, id)
			}
		}
	}
}

// TestDoctorBuildsProbesOnce: gathering builds the probes, and checking reuses
// them rather than building them again for each check.
func TestDoctorBuildsProbesOnce(t *testing.T) {
	s, st := existingState()
	d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN, replicaKey: st.Destination.Key, rolePolicies: st.Role.Policies()}
	first := d.replicationProbes()
	if len(first.all) == 0 || len(first.all) != len(first.source)+len(first.dest) {
		t.Fatalf("probes: %d source, %d destination, %d in all", len(first.source), len(first.dest), len(first.all))
	}
	d.checks()
	if d.replicationProbes() != first {
		t.Error("the checks built the probes again")
	}
}
