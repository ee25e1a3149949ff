package steps

import "testing"

// TestPoliciesPhrase: "the role's policy", never "the role's 1 policies".
func TestPoliciesPhrase(t *testing.T) {
	for n, want := range map[int]string{0: "0 policies", 1: "policy", 3: "3 policies"} {
		if got := policiesPhrase(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
