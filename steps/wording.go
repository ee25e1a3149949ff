package steps

import (
	"slices"
	"strings"
)

// AccountsPhrase names one or more accounts as a sentence does: "account
// 111111111111", "accounts 111111111111 and 222222222222", "accounts A, B and C".
// Empty ids and repeats are left out; "" when none is left.
func AccountsPhrase(ids ...string) string {
	var unique []string
	for _, id := range ids {
		if id != "" && !slices.Contains(unique, id) {
			unique = append(unique, id)
		}
	}
	switch len(unique) {
	case 0:
		return ""
	case 1:
		return "account " + unique[0]
	}
	return "accounts " + strings.Join(unique[:len(unique)-1], ", ") + " and " + unique[len(unique)-1]
}

// CheckNotReached is a check a final outcome left undecided: watching ended before
// the check could be made, and no later observation will make it.
const CheckNotReached CheckStatus = "not reached"

// Settled is the report once its outcome is final: checks still waiting are not
// reached, so a script reading the JSON does not wait for them. A report still
// being watched is returned as it is.
func (r VerifyReport) Settled() VerifyReport {
	if r.Outcome == OutcomeWatching || r.Outcome == "" {
		return r
	}
	checks := make([]VerifyCheck, len(r.Checks))
	for i, c := range r.Checks {
		if c.Status == CheckWaiting {
			c.Status = CheckNotReached
		}
		checks[i] = c
	}
	r.Checks = checks
	return r
}

// Words is how the outcome is said to a person: S3's own status words where S3 has
// them (COMPLETED, FAILED), plain words for the rest; the JSON keeps the enum.
func (o Outcome) Words() string {
	switch o {
	case OutcomeNotMatched:
		return "No replication status"
	case OutcomeTimedOut:
		return "Timed out"
	case OutcomeStopped:
		return "Stopped watching"
	case OutcomeWatching:
		return "Watching"
	}
	return string(o)
}
