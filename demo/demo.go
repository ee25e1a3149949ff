// Package demo wires `s3repl demo`: the simulated cloud seeded for a scenario, and
// what the wizard needs to run against it. It lives apart from ui, which knows
// nothing of the simulated cloud, and from main, so that tests can use it too.
package demo

import (
	"context"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// Accounts are a scenario's simulated accounts, with how the wizard presents them.
type Accounts struct {
	Cloud *simcloud.Cloud
	// Label marks every screen: the accounts are simulated, and the scenario.
	Label string
	// Story says on the first screen what the scenario will show.
	Story string
	// SourceProfile is the profile the story picks as the source.
	SourceProfile string
}

// Start seeds a simulated cloud for the scenario.
func Start(ctx context.Context, sc steps.DemoScenario, opts ...simcloud.Option) (Accounts, error) {
	cloud, err := sc.NewDemoCloud(ctx, opts...)
	if err != nil {
		return Accounts{}, err
	}
	return Accounts{Cloud: cloud, Label: sc.Label(), Story: sc.Story, SourceProfile: simcloud.DemoSourceProfile}, nil
}

// Open opens a simulated account by its profile; it is a steps.Opener.
func (a Accounts) Open(ctx context.Context, profile string) (awsops.Account, error) {
	return a.Cloud.Open(ctx, profile)
}

// Profiles lists the simulated accounts' profiles.
func (a Accounts) Profiles() ([]string, error) { return a.Cloud.Profiles(), nil }
