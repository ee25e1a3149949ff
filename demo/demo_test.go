package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// TestStartWiresTheScenario: the accounts open by their profiles, the source is the
// story's, and every scenario says what it is.
func TestStartWiresTheScenario(t *testing.T) {
	ctx := context.Background()
	for _, sc := range steps.DemoScenarios() {
		accounts, err := Start(ctx, sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if accounts.Label != sc.Label() || accounts.Story != sc.Story || accounts.Story == "" {
			t.Fatalf("%s: label %q, story %q", sc.Name, accounts.Label, accounts.Story)
		}
		profiles, err := accounts.Profiles()
		if err != nil || !slices.Contains(profiles, accounts.SourceProfile) || !slices.Contains(profiles, simcloud.DemoDestProfile) {
			t.Fatalf("%s: profiles %v (%v), source %q", sc.Name, profiles, err, accounts.SourceProfile)
		}
		acc, err := accounts.Open(ctx, accounts.SourceProfile)
		if err != nil {
			t.Fatal(err)
		}
		if id, err := acc.Identity(ctx); err != nil || id.AccountID != simcloud.DemoSourceAccount {
			t.Fatalf("%s: the source is %+v (%v)", sc.Name, id, err)
		}
	}
}
