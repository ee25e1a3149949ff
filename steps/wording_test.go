package steps

import (
	"strings"
	"testing"
)

func TestAccountsPhrase(t *testing.T) {
	cases := []struct {
		ids  []string
		want string
	}{
		{[]string{"123456789012", "222222222222"}, "accounts 123456789012 and 222222222222"},
		{[]string{"123456789012", "123456789012"}, "account 123456789012"},
		{[]string{"1", "", "2", "3"}, "accounts 1, 2 and 3"},
		{nil, ""},
	}
	for _, c := range cases {
		if got := AccountsPhrase(c.ids...); got != c.want {
			t.Errorf("AccountsPhrase(%q) = %q, want %q", c.ids, got, c.want)
		}
	}
}

// Once the outcome is final nothing is waited for any more: the checks still waiting
// are not reached. While watching they stay waiting.
func TestSettledReportWaitsForNothing(t *testing.T) {
	r := VerifyReport{Outcome: OutcomeNotMatched, Checks: []VerifyCheck{
		{Name: CheckUploaded, Status: CheckPassed},
		{Name: CheckSourceStatus, Status: CheckFailed, Detail: "no status"},
		{Name: CheckReplicaExists, Status: CheckWaiting},
	}}
	settled := r.Settled()
	if got := settled.Check(CheckReplicaExists).Status; got != CheckNotReached {
		t.Errorf("after %s the replica check is %q, want %q", r.Outcome, got, CheckNotReached)
	}
	if settled.Check(CheckUploaded).Status != CheckPassed || settled.Check(CheckSourceStatus).Detail != "no status" {
		t.Errorf("decided checks changed: %+v", settled.Checks)
	}
	if r.Check(CheckReplicaExists).Status != CheckWaiting {
		t.Error("Settled changed the report it was called on")
	}
	r.Outcome = OutcomeWatching
	if got := r.Settled().Check(CheckReplicaExists).Status; got != CheckWaiting {
		t.Errorf("while watching the replica check is %q", got)
	}
}

func TestEmptyAliasIsSaidToBeEmpty(t *testing.T) {
	if got := KeyRefProblem("alias/"); !strings.Contains(got, "empty alias name") {
		t.Errorf("KeyRefProblem(alias/) = %q", got)
	}
	err := Setup{
		Source:      SourceSetup{Profile: "src", Bucket: "src-bucket"},
		Destination: DestinationSetup{Profile: "dst", Region: "eu-west-1", Bucket: "dst-bucket", KMSKey: "alias/", CreateKey: true},
	}.Validate()
	if err == nil || !strings.Contains(err.Error(), `destination.kmsKey "alias/" has an empty alias name`) {
		t.Errorf("Validate: %v", err)
	}
	if got := NewAliasProblem("alias/", nil); got != "is empty after alias/: give the key a name" {
		t.Errorf("NewAliasProblem(alias/) = %q", got)
	}
}
