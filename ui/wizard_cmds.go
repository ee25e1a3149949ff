package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Messages: every result of AWS or file work reaches the wizard as one of these.
type (
	profilesMsg struct {
		task     taskID
		profiles []string
		err      error
	}
	identityMsg struct {
		task    taskID
		profile string
		acc     awsops.Account
		id      awsops.Identity
		err     error
	}
	// bucketsMsg is one page of a profile's buckets; the listing's task runs on
	// until the page that is Done.
	bucketsMsg struct {
		task    taskID
		ctx     context.Context // the listing's, for the next page
		profile string
		batch   steps.BucketBatch
		err     error
	}
	summaryMsg struct {
		task    taskID
		ref     bucketRef
		summary steps.BucketSummary
		err     error
	}
	regionsMsg struct {
		task    taskID
		profile string
		list    steps.RegionList
		err     error
	}
	kmsKeysMsg struct {
		task    taskID
		ref     kmsKeyListRef
		choices []steps.KeyChoice
		err     error
	}
	nameTakenMsg struct {
		task    taskID
		name    string
		problem string
		err     error
	}
	planMsg struct {
		task taskID
		plan *steps.Plan
		err  error
	}
	// applyProgressMsg reports a change starting or ending.
	applyProgressMsg struct {
		change steps.Change
		phase  steps.ApplyPhase
		err    error
	}
	// journalOpenedMsg names the journal an apply writes, before its first change.
	journalOpenedMsg struct{ path string }
	applyDoneMsg     struct {
		task    taskID
		result  steps.ApplyResult
		journal string
		err     error
	}
	savedMsg struct {
		task taskID
		path string
		err  error
	}
	// dueMsg ends a short pause after the cursor moved; the wizard then loads what
	// the highlighted row needs, unless the cursor has moved on.
	dueMsg struct {
		what  taskKind
		value string
	}
)

// bucketRef names a bucket of a profile.
type bucketRef struct{ profile, bucket string }

func summarySlot(ref bucketRef) slot { return slot{taskSummary, ref.profile + "/" + ref.bucket} }

// kmsKeyListRef names the KMS keys of a profile in a Region.
type kmsKeyListRef struct{ profile, region string }

// debounce is how long the cursor rests before the wizard reads what it points at.
const debounce = 150 * time.Millisecond

// due sends a dueMsg once the cursor or the typing has rested.
func (s *shared) due(what taskKind, value string) tea.Cmd {
	return s.after(debounce, dueMsg{what: what, value: value})
}

// afterDelay sends msg after d; tests replace it to say themselves when time passes.
func afterDelay(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

func listProfiles(id taskID, list func() ([]string, error)) tea.Cmd {
	return func() tea.Msg {
		profiles, err := list()
		return profilesMsg{task: id, profiles: profiles, err: err}
	}
}

func openAccount(ctx context.Context, id taskID, open steps.Opener, profile string, side steps.Side) tea.Cmd {
	return func() tea.Msg {
		acc, err := open(ctx, profile)
		if err != nil {
			return identityMsg{task: id, profile: profile, err: steps.ExplainSide(side, err)}
		}
		who, err := steps.LookupIdentity(ctx, acc, side)
		return identityMsg{task: id, profile: profile, acc: acc, id: who, err: err}
	}
}

// listBuckets lists the first page of the account's buckets, or with prev the page
// after it: one request per command, so each page is on screen as it arrives.
func listBuckets(ctx context.Context, id taskID, acc awsops.Account, side steps.Side, prev *steps.BucketBatch) tea.Cmd {
	profile := acc.Profile()
	return func() tea.Msg {
		var batch steps.BucketBatch
		var err error
		if prev == nil {
			batch, err = steps.FirstBuckets(ctx, acc, side)
		} else {
			batch, err = steps.NextBuckets(ctx, acc, side, *prev)
		}
		return bucketsMsg{task: id, ctx: ctx, profile: profile, batch: batch, err: err}
	}
}

func summarize(ctx context.Context, id taskID, acc awsops.Account, side steps.Side, ref bucketRef, region string) tea.Cmd {
	return func() tea.Msg {
		sum, err := steps.SummarizeBucket(ctx, acc, side, region, ref.bucket)
		return summaryMsg{task: id, ref: ref, summary: sum, err: err}
	}
}

func listRegions(ctx context.Context, id taskID, acc awsops.Account) tea.Cmd {
	profile := acc.Profile()
	return func() tea.Msg {
		list, err := steps.Regions(ctx, acc)
		return regionsMsg{task: id, profile: profile, list: list, err: err}
	}
}

func listKMSKeys(ctx context.Context, id taskID, acc awsops.Account, ref kmsKeyListRef, account string) tea.Cmd {
	return func() tea.Msg {
		choices, err := steps.KeyChoices(ctx, acc, steps.DestinationSide, ref.region, account)
		return kmsKeysMsg{task: id, ref: ref, choices: choices, err: err}
	}
}

func checkNameTaken(ctx context.Context, id taskID, acc awsops.Account, name string) tea.Cmd {
	return func() tea.Msg {
		problem, err := steps.BucketNameTaken(ctx, acc, steps.DestinationSide, name)
		return nameTakenMsg{task: id, name: name, problem: problem, err: err}
	}
}

func makePlan(ctx context.Context, id taskID, acc steps.Accounts, setup steps.Setup) tea.Cmd {
	return func() tea.Msg {
		state, err := steps.Inspect(ctx, acc, setup)
		if err != nil {
			return planMsg{task: id, err: err}
		}
		plan, err := steps.BuildPlan(setup, state)
		return planMsg{task: id, plan: plan, err: err}
	}
}

// runApply applies the plan; progress (the journal's path, then each change's
// phases) goes into the channel, which is closed when Apply returns.
func runApply(ctx context.Context, id taskID, acc steps.Accounts, plan *steps.Plan, journal func() (*steps.Journal, error), progress chan<- tea.Msg) tea.Cmd {
	return func() tea.Msg {
		defer close(progress)
		opts := steps.ApplyOptions{OnProgress: func(c steps.Change, phase steps.ApplyPhase, err error) {
			select {
			case progress <- applyProgressMsg{change: c, phase: phase, err: err}:
			case <-ctx.Done():
			}
		}}
		var path string
		if journal != nil {
			j, err := journal()
			if err != nil {
				return applyDoneMsg{task: id, err: err}
			}
			defer j.Close()
			opts.Journal, path = j, tildePath(j.Path())
			select {
			case progress <- journalOpenedMsg{path: path}:
			case <-ctx.Done():
			}
		}
		result, err := steps.Apply(ctx, acc, plan, opts)
		return applyDoneMsg{task: id, result: result, journal: path, err: err}
	}
}

// nextProgress waits for the next progress report of a running apply.
func nextProgress(progress <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-progress
		if !ok {
			return nil
		}
		return msg
	}
}

// saveSetup writes the setup file, refusing to overwrite one that exists.
func saveSetup(id taskID, path string, setup steps.Setup) tea.Cmd {
	return func() tea.Msg {
		if strings.TrimSpace(path) == "" { // else the open fails as "the directory . does not exist"
			return savedMsg{task: id, path: path, err: errors.New("type a file name for the setup, e.g. setup.yaml")}
		}
		data, err := setup.Marshal()
		if err != nil {
			return savedMsg{task: id, path: path, err: err}
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, os.ErrExist) {
			return savedMsg{task: id, path: path, err: errors.New(path + " exists already: choose another name")}
		}
		if errors.Is(err, os.ErrNotExist) {
			return savedMsg{task: id, path: path, err: errors.New("the directory " + filepath.Dir(path) + " does not exist: create it, or choose another name")}
		}
		if err != nil {
			return savedMsg{task: id, path: path, err: err}
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return savedMsg{task: id, path: path, err: err}
	}
}

// tildePath shows a path under the home directory with ~.
func tildePath(path string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join("~", rel)
	}
	return path
}
