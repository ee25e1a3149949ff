package ui

import (
	"os"
	"slices"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Deps are what the wizard needs from outside, injected so that it runs against AWS,
// moto, the simulated cloud or fakes alike.
type Deps struct {
	Open     steps.Opener
	Profiles func() ([]string, error)
	// Journal opens the apply journal; nil applies without one.
	Journal func() (*steps.Journal, error)
	// Verify tunes the test upload's watch (timeout, polling); zero values are the
	// defaults.
	Verify steps.VerifyOptions
	// Label marks every screen, e.g. that the accounts are simulated.
	Label string
	// Intro is shown on the first screen, e.g. what a demo scenario will show.
	Intro string
	// SourceProfile is the profile the source list starts on, e.g. AWS_PROFILE's.
	SourceProfile string
	// Backfill tunes step 7's backfill of existing objects.
	Backfill BackfillOptions
	// WatchInterval is how often the watch page reads the rule again; 30 s when zero.
	WatchInterval time.Duration
	// ProfileWarning is said on the source profile page, e.g. that AWS_PROFILE names
	// no profile (and so the list does not start on it).
	ProfileWarning string
}

// shared is what the pages share: the setup being built, what was read from AWS,
// the tasks in flight, the theme, the key bindings and the body's size.
type shared struct {
	deps     Deps
	tasks    tasks
	bindings keyBindings
	theme    Theme
	spin     spinner.Model
	// width and height are the body's: the window less the header, status line and
	// help. The wizard's layout sets them.
	width, height int
	// current is the page on top, which owns the tasks it starts.
	current pageID
	// canGoBack is whether a page is under the current one.
	canGoBack bool
	// after sends a message after a delay (afterDelay).
	after func(time.Duration, tea.Msg) tea.Cmd
	// stepsDone are steps done without their page on the stack (fixes applied from
	// the status panel complete the apply).
	stepsDone map[int]bool

	// What was read, kept while the wizard runs; r on a list reads it again.
	profiles    *profilesMsg
	accounts    map[string]accountResult
	buckets     map[string]bucketsResult
	summaries   map[bucketRef]summaryResult
	regions     map[string]regionsResult
	kmsKeyLists map[kmsKeyListRef]kmsKeysResult

	// The choices so far.
	source, destination sideChoice
	region              string // the destination's
	newBucket           bool   // the destination bucket is to be created
	replicaKey          replicaKeyChoice
	setup               steps.Setup // what the rule page submitted
	plan                *steps.Plan // the review's, which the apply applies
	save                saver       // the setup file, offered on the review and the apply
	backfill            backfillState
	// applied are the titles of the changes the wizard's applies made, and applies
	// counts the applies that wrote anything: answers read before one may be stale.
	applied []string
	applies int
}

// sideChoice is the profile and bucket chosen for one side.
type sideChoice struct {
	side    steps.Side
	profile string
	chosen  bool
	bucket  awsops.BucketSummary
}

// replicaKeyChoice is the KMS key chosen to encrypt the replicas.
type replicaKeyChoice struct {
	ref    string // the key ARN, or the alias to create
	label  string // how the key is shown: its alias, else its id
	create bool
}

type accountResult struct {
	acc awsops.Account
	id  awsops.Identity
	err error
}

type bucketsResult struct {
	buckets []awsops.BucketSummary
	err     error
	// more is true until the last page is listed; last is the page listed last, from
	// which the listing goes on (also after leaving the page stopped it).
	more bool
	last steps.BucketBatch
}

type regionsResult struct {
	list steps.RegionList
	err  error
}

type kmsKeysResult struct {
	choices []steps.KeyChoice
	err     error
}

func newShared(deps Deps, tasks tasks) *shared {
	s := &shared{
		deps: deps, tasks: tasks, bindings: newKeyBindings(), after: afterDelay,
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width: 80, height: 24 - headerLines - 2,
		stepsDone: map[int]bool{},
		accounts:  map[string]accountResult{}, buckets: map[string]bucketsResult{},
		summaries: map[bucketRef]summaryResult{}, regions: map[string]regionsResult{},
		kmsKeyLists: map[kmsKeyListRef]kmsKeysResult{},
		source:      sideChoice{side: steps.SourceSide},
		destination: sideChoice{side: steps.DestinationSide},
		save:        saver{input: newInput("setup.yaml", 4096)},
	}
	s.backfill.journalDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "s3repl-backfill-journal") })
	return s
}

func newInput(placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = "(e.g. " + placeholder + ")" // in brackets: without colour it must not read as a value
	in.CharLimit = limit
	return in
}

func (s *shared) spinnerLine(text string) string {
	return s.spin.View() + " " + text
}

func (s *shared) whoLine(c *sideChoice) string {
	if id := s.accounts[c.profile].id.AccountID; id != "" {
		return profileLabel(c.profile) + " · account " + id
	}
	return profileLabel(c.profile)
}

func (s *shared) accountsForSetup() steps.Accounts {
	return steps.Accounts{Source: s.accounts[s.source.profile].acc, Destination: s.accounts[s.destination.profile].acc}
}

// baseSetup is the setup the choices of steps 1 to 3 make.
func (s *shared) baseSetup() steps.Setup {
	return steps.Setup{
		Source: steps.SourceSetup{Profile: s.source.profile, Region: s.source.bucket.Region, Bucket: s.source.bucket.Name},
		Destination: steps.DestinationSetup{
			Profile: s.destination.profile, Region: s.region, Bucket: s.destination.bucket.Name,
			CreateBucket: s.newBucket, KMSKey: s.replicaKey.ref, CreateKey: s.replicaKey.create,
		},
	}
}

// readSummary reads a bucket's summary for the page on top unless it is known or
// being read; cancelOthers cancels the reads of other buckets first.
func (s *shared) readSummary(c *sideChoice, bucket, region string, cancelOthers bool) tea.Cmd {
	ref := bucketRef{c.profile, bucket}
	if _, known := s.summaries[ref]; known || s.tasks.isRunning(summarySlot(ref)) {
		return nil
	}
	if cancelOthers {
		s.tasks.cancelKind(taskSummary)
	}
	ctx, id := s.tasks.start(summarySlot(ref), s.current)
	return summarize(ctx, id, s.accounts[c.profile].acc, c.side, ref, region)
}

// readSummaryOnEntry reads the summary of the side's chosen bucket for the page just
// entered, unless it is known: leaving the bucket list cancelled its read.
func (s *shared) readSummaryOnEntry(c *sideChoice) tea.Cmd {
	return s.readSummary(c, c.bucket.Name, c.bucket.Region, false)
}

// storeSummary keeps a summary read by a task still current.
func (s *shared) storeSummary(msg summaryMsg) bool {
	if !s.tasks.finish(msg.task) {
		return false
	}
	s.summaries[msg.ref] = summaryResult{summary: msg.summary, err: msg.err}
	return true
}

// kmsKeyChoices are the KMS keys listed in the destination's Region.
func (s *shared) kmsKeyChoices() []steps.KeyChoice {
	return s.kmsKeyLists[kmsKeyListRef{s.destination.profile, s.region}].choices
}

// typingHelp is the help while a text input has the keyboard.
func (s *shared) typingHelp() help.KeyMap {
	b := s.bindings
	return keyHelp{short: []key.Binding{withHelp(b.Choose, "enter", "ok"), withHelp(b.Back, "esc", "cancel"), withHelp(b.Quit, "ctrl+c", "quit")}}
}

// setTheme styles the shared components; pages style their own in setTheme.
func (s *shared) setTheme(th Theme) {
	s.theme = th
	s.spin.Style = th.Spinner
	s.save.input.SetStyles(th.Input)
}

// forgetAfterApply records what an apply wrote and forgets what was read of the
// resources it wrote (or may have written, as a failed write's outcome is unknown):
// the lists and summaries are read again when next shown.
func (s *shared) forgetAfterApply(result steps.ApplyResult) {
	touched := result.Applied
	if result.Failed != nil {
		touched = append(slices.Clip(touched), *result.Failed)
	}
	for _, c := range result.Applied {
		s.applied = append(s.applied, c.Title)
	}
	if len(touched) == 0 {
		return
	}
	s.applies++
	for _, c := range touched {
		side := &s.source
		if c.Side == steps.DestinationSide {
			side = &s.destination
			delete(s.buckets, side.profile)
			delete(s.kmsKeyLists, kmsKeyListRef{side.profile, s.region})
		}
		delete(s.summaries, bucketRef{side.profile, side.bucket.Name})
	}
}
