package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
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
}

type screen int

const (
	scrSourceProfile screen = iota
	scrSourceBucket
	scrDestProfile
	scrDestRegion
	scrDestBucket
	scrDestNewBucket
	scrKey
	scrKeyAlias
	scrRule
	scrReview
	scrApply
	scrVerify
)

var stepNames = []string{"Source", "Destination", "Key", "Rule", "Review", "Apply", "Verify"}

// step is the wizard step (1-7) a screen belongs to.
func (s screen) step() int {
	switch {
	case s <= scrSourceBucket:
		return 1
	case s <= scrDestNewBucket:
		return 2
	case s <= scrKeyAlias:
		return 3
	case s == scrRule:
		return 4
	case s == scrReview:
		return 5
	case s == scrApply:
		return 6
	}
	return 7
}

// back is the screen esc returns to; a screen is its own back when there is none.
func (s screen) back() screen {
	switch s {
	case scrSourceBucket:
		return scrSourceProfile
	case scrDestProfile:
		return scrSourceBucket
	case scrDestRegion:
		return scrDestProfile
	case scrDestBucket:
		return scrDestRegion
	case scrDestNewBucket, scrKey:
		return scrDestBucket
	case scrKeyAlias, scrRule:
		return scrKey
	case scrReview:
		return scrRule
	}
	return s
}

type accountResult struct {
	acc awsops.Account
	id  awsops.Identity
	err error
}

type bucketsResult struct {
	buckets []awsops.BucketSummary
	err     error
}

type regionsResult struct {
	list steps.RegionList
	err  error
}

type keysResult struct {
	choices []steps.KeyChoice
	err     error
}

// sidePicks are the choices of one side: its profile and bucket.
type sidePicks struct {
	side     steps.Side
	profiles picker
	profile  string
	chosen   bool
	// pending is the profile chosen while its identity is still being resolved.
	pending *string
	buckets picker
	bucket  awsops.BucketSummary
}

// nameCheck is the answer to "is this bucket name free?".
type nameCheck struct {
	name    string
	problem string
	err     error
	done    bool
}

type destPicks struct {
	regions   picker
	region    string
	newName   textinput.Model
	newBucket bool
	check     nameCheck
	// submitted is set when enter was pressed while the name was being checked: the
	// wizard goes on once the answer is yes.
	submitted bool
}

type keyPicks struct {
	keys   picker
	alias  textinput.Model
	create bool
	moved  bool   // the user moved the cursor since entering the screen
	ref    string // the key ARN, or the alias to create
	label  string // how the key is shown: its alias, else its id
}

type reviewState struct {
	setup      steps.Setup
	plan       *steps.Plan
	err        error
	cursor     int
	diff       viewport.Model
	confirming bool
}

type changeStatus struct {
	phase string // "", begin, done, failed, skipped
	err   error
}

type applyState struct {
	changes  []steps.Change
	status   map[string]changeStatus
	progress chan applyProgressMsg
	done     bool
	journal  string
	err      error
}

type saveState struct {
	editing bool
	input   textinput.Model
	saved   string
	err     error
}

// Wizard is the interactive setup: pick both sides, the key and the rule, review
// every change as a diff, apply. It is a pointer model: Update changes it in place,
// and every AWS call runs in a tea.Cmd whose result comes back as a message.
type Wizard struct {
	deps     Deps
	stop     context.CancelFunc
	tasks    tasks
	keys     wizardKeys
	theme    Theme
	help     help.Model
	spin     spinner.Model
	spinning bool
	width    int
	height   int

	screen      screen
	notice      string
	confirmQuit bool

	profiles  *profilesMsg
	accounts  map[string]accountResult
	buckets   map[string]bucketsResult
	summaries map[summaryKey]summaryResult
	regions   map[string]regionsResult
	keyLists  map[keysKey]keysResult

	src    sidePicks
	dst    sidePicks
	dest   destPicks
	key    keyPicks
	rule   ruleForm
	review reviewState
	apply  applyState
	verify verifyState
	save   saveState
}

// NewWizard makes the wizard; cancelling ctx stops its AWS work.
func NewWizard(ctx context.Context, deps Deps) *Wizard {
	ctx, stop := context.WithCancel(ctx)
	w := &Wizard{
		deps: deps, stop: stop, tasks: newTasks(ctx), keys: newWizardKeys(),
		help: help.New(), spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)), width: 80, height: 24,
		accounts: map[string]accountResult{}, buckets: map[string]bucketsResult{},
		summaries: map[summaryKey]summaryResult{}, regions: map[string]regionsResult{},
		keyLists: map[keysKey]keysResult{},
		src:      sidePicks{side: steps.SourceSide, profiles: newPicker("profile"), buckets: newPicker("bucket name")},
		dst:      sidePicks{side: steps.DestinationSide, profiles: newPicker("profile"), buckets: newPicker("bucket name")},
		dest:     destPicks{regions: newPicker("Region"), newName: newInput("new-bucket-name", 63)},
		key:      keyPicks{keys: newPicker("alias or key id"), alias: newInput("alias/NAME", 256)},
		rule:     newRuleForm(),
		review:   reviewState{diff: viewport.New()},
		save:     saveState{input: newInput("setup.yaml", 4096)},
	}
	w.setTheme(true)
	return w
}

func newInput(placeholder string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = placeholder
	in.CharLimit = limit
	return in
}

// setTheme styles everything for a dark or light background; the components are
// made unstyled and styled only here.
func (w *Wizard) setTheme(isDark bool) {
	th := NewTheme(isDark)
	w.theme = th
	w.help.Styles = th.Help
	w.spin.Style = th.Spinner
	for _, p := range []*picker{&w.src.profiles, &w.src.buckets, &w.dst.profiles, &w.dst.buckets, &w.dest.regions, &w.key.keys} {
		p.filter.SetStyles(th.Input)
	}
	for _, in := range []*textinput.Model{&w.dest.newName, &w.key.alias, &w.save.input} {
		in.SetStyles(th.Input)
	}
	for i := range w.rule.fields {
		w.rule.fields[i].input.SetStyles(th.Input)
	}
}

// Init lists the profiles and asks the terminal for its background colour.
func (w *Wizard) Init() tea.Cmd {
	return tea.Batch(w.enter(scrSourceProfile), tea.RequestBackgroundColor)
}

// Setup is the setup the choices make, as far as they go.
func (w *Wizard) Setup() steps.Setup { return w.review.setup }

// Applied reports whether an apply ran to the end without error.
func (w *Wizard) Applied() bool { return w.apply.done && w.apply.err == nil }

func (w *Wizard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		w.width, w.height = msg.Width, msg.Height
		w.layout()
		return w, nil
	case tea.BackgroundColorMsg:
		w.setTheme(msg.IsDark())
		return w, nil
	case spinner.TickMsg:
		if w.screen == scrVerify {
			return w, tea.Batch(w.tick(msg), w.updatePanel(msg))
		}
		return w, w.tick(msg)
	case tea.KeyPressMsg:
		return w, w.withSpinner(w.handleKey(msg))
	case tea.PasteMsg:
		return w, w.withSpinner(w.paste(msg))
	}
	return w, w.withSpinner(w.handleResult(msg))
}

// withSpinner starts the spinner when work is in flight and it is not turning yet;
// it stops by itself when nothing is loading, so an idle wizard does not redraw.
func (w *Wizard) withSpinner(cmd tea.Cmd) tea.Cmd {
	if w.spinning || !w.tasks.busy() {
		return cmd
	}
	w.spinning = true
	return tea.Batch(cmd, w.spin.Tick)
}

func (w *Wizard) tick(msg spinner.TickMsg) tea.Cmd {
	if !w.tasks.busy() {
		w.spinning = false
		return nil
	}
	var cmd tea.Cmd
	w.spin, cmd = w.spin.Update(msg)
	return cmd
}

func (w *Wizard) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	w.notice = ""
	switch {
	case w.confirmQuit:
		return w.answerQuit(msg)
	case w.screen == scrVerify && !w.help.ShowAll && !key.Matches(msg, w.keys.Help):
		return w.verifyKey(msg)
	case key.Matches(msg, w.keys.Interrupt):
		return w.quit()
	case w.typing():
		return w.typeKey(msg)
	case key.Matches(msg, w.keys.Quit):
		return w.quit()
	case key.Matches(msg, w.keys.Help):
		w.help.ShowAll = !w.help.ShowAll
		w.layout()
		return nil
	}
	return w.screenKey(msg)
}

// quit leaves at once, unless an apply is running: then it asks first.
func (w *Wizard) quit() tea.Cmd {
	if w.applying() {
		w.confirmQuit = true
		return nil
	}
	w.stopAll()
	return tea.Quit
}

func (w *Wizard) answerQuit(msg tea.KeyPressMsg) tea.Cmd {
	w.confirmQuit = false
	if key.Matches(msg, w.keys.Yes, w.keys.Interrupt) {
		w.stopAll()
		return tea.Quit
	}
	return nil
}

func (w *Wizard) stopAll() {
	w.tasks.cancelAll()
	w.stop()
}

func (w *Wizard) applying() bool {
	return w.screen == scrApply && !w.apply.done || w.screen == scrVerify && w.verify.panel.Fixing()
}

// goTo shows another screen: work for the screen left is cancelled, its text inputs
// lose the keyboard, and what the new one needs starts loading unless it is known
// already.
func (w *Wizard) goTo(s screen) tea.Cmd {
	w.tasks.cancelOthers(s)
	w.dest.newName.Blur()
	w.key.alias.Blur()
	w.rule.blur()
	w.screen = s
	if s == scrKey {
		w.key.moved = false // r keeps the cursor; coming to the screen places it
	}
	w.help.ShowAll = false
	w.layout()
	return w.enter(s)
}

func (w *Wizard) enter(s screen) tea.Cmd {
	switch s {
	case scrSourceProfile:
		return w.enterProfiles(&w.src)
	case scrSourceBucket:
		return w.enterBuckets(&w.src)
	case scrDestProfile:
		return w.enterProfiles(&w.dst)
	case scrDestRegion:
		return w.enterRegions()
	case scrDestBucket:
		return w.enterBuckets(&w.dst)
	case scrDestNewBucket:
		return w.enterNewBucket()
	case scrKey:
		return w.enterKeys()
	case scrKeyAlias:
		return w.enterAlias()
	case scrRule:
		return w.enterRule()
	case scrReview:
		return w.enterReview()
	case scrApply:
		return w.enterApply()
	}
	return nil
}

// typing reports whether keys go to a text input on this screen.
func (w *Wizard) typing() bool {
	if p := w.currentPicker(); p != nil && p.editing {
		return true
	}
	switch w.screen {
	case scrDestNewBucket, scrKeyAlias:
		return true
	case scrRule:
		return w.rule.typing()
	case scrReview, scrApply:
		return w.save.editing
	}
	return false
}

func (w *Wizard) typeKey(msg tea.KeyPressMsg) tea.Cmd {
	if p := w.currentPicker(); p != nil && p.editing {
		return w.filterKey(p, msg)
	}
	switch w.screen {
	case scrDestNewBucket:
		return w.inputKey(msg, w.submitNewBucket)
	case scrKeyAlias:
		return w.inputKey(msg, w.submitAlias)
	case scrRule:
		return w.ruleKey(msg)
	}
	return w.saveKey(msg)
}

// inputKey answers a key on a screen that is one text input: esc goes back, enter
// submits, and anything else is typed.
func (w *Wizard) inputKey(msg tea.KeyPressMsg, submit func() tea.Cmd) tea.Cmd {
	switch {
	case key.Matches(msg, w.keys.Back):
		return w.goTo(w.screen.back())
	case key.Matches(msg, w.keys.Choose):
		return submit()
	}
	return w.typeText(msg)
}

func (w *Wizard) paste(msg tea.PasteMsg) tea.Cmd {
	if !w.typing() {
		return nil
	}
	return w.typeText(msg)
}

// typeText sends a message to whichever text input has the keyboard.
func (w *Wizard) typeText(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case w.currentPicker() != nil && w.currentPicker().editing:
		p := w.currentPicker()
		p.filter, cmd = p.filter.Update(msg)
		p.refilter()
		return tea.Batch(cmd, w.afterMove())
	case w.screen == scrDestNewBucket:
		w.dest.newName, cmd = w.dest.newName.Update(msg)
		return tea.Batch(cmd, w.nameChanged())
	case w.screen == scrKeyAlias:
		w.key.alias, cmd = w.key.alias.Update(msg)
		return cmd
	case w.screen == scrRule:
		return w.rule.updateInput(msg)
	}
	w.save.input, cmd = w.save.input.Update(msg)
	return cmd
}

func (w *Wizard) screenKey(msg tea.KeyPressMsg) tea.Cmd {
	switch w.screen {
	case scrReview:
		return w.reviewKey(msg)
	case scrApply:
		return w.applyKey(msg)
	case scrRule:
		return w.ruleKey(msg)
	}
	if key.Matches(msg, w.keys.Back) && w.screen.back() != w.screen {
		return w.goTo(w.screen.back())
	}
	if p := w.currentPicker(); p != nil {
		return w.pickerKey(p, msg)
	}
	return nil
}

// currentPicker is the list of the screen, nil on screens without one.
func (w *Wizard) currentPicker() *picker {
	switch w.screen {
	case scrSourceProfile:
		return &w.src.profiles
	case scrSourceBucket:
		return &w.src.buckets
	case scrDestProfile:
		return &w.dst.profiles
	case scrDestRegion:
		return &w.dest.regions
	case scrDestBucket:
		return &w.dst.buckets
	case scrKey:
		return &w.key.keys
	}
	return nil
}

func (w *Wizard) pickerKey(p *picker, msg tea.KeyPressMsg) tea.Cmd {
	k := w.keys
	switch {
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.PageUp):
		p.page(-1)
	case key.Matches(msg, k.PageDown):
		p.page(1)
	case key.Matches(msg, k.Home):
		p.move(-len(p.shown))
	case key.Matches(msg, k.End):
		p.move(len(p.shown))
	case key.Matches(msg, k.Filter):
		p.startFilter()
		w.layout()
		return nil
	case key.Matches(msg, k.Refresh):
		return w.refresh()
	case key.Matches(msg, k.Choose):
		return w.choose()
	default:
		return nil
	}
	return w.afterMove()
}

func (w *Wizard) filterKey(p *picker, msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, w.keys.Back):
		p.stopFilter(true)
		w.layout()
		return w.afterMove()
	case key.Matches(msg, w.keys.Choose):
		p.stopFilter(false)
		w.layout()
		return w.choose()
	case key.Matches(msg, w.keys.TypingUp):
		p.move(-1)
		return w.afterMove()
	case key.Matches(msg, w.keys.TypingDown):
		p.move(1)
		return w.afterMove()
	}
	return w.typeText(msg)
}

// afterMove schedules reading what the highlighted row needs (an identity, a bucket
// summary) once the cursor rests.
func (w *Wizard) afterMove() tea.Cmd {
	w.key.moved = w.key.moved || w.screen == scrKey
	p := w.currentPicker()
	if p == nil {
		return nil
	}
	it, ok := p.selected()
	if !ok {
		return nil
	}
	switch w.screen {
	case scrSourceProfile, scrDestProfile:
		if _, known := w.accounts[it.value]; !known {
			return due("identity", it.value)
		}
	case scrSourceBucket, scrDestBucket:
		if it.value != newBucketValue {
			return due("summary", it.value)
		}
	}
	return nil
}

func (w *Wizard) choose() tea.Cmd {
	switch w.screen {
	case scrSourceProfile:
		return w.chooseProfile(&w.src)
	case scrDestProfile:
		return w.chooseProfile(&w.dst)
	case scrSourceBucket:
		return w.chooseSourceBucket()
	case scrDestRegion:
		return w.chooseRegion()
	case scrDestBucket:
		return w.chooseDestBucket()
	case scrKey:
		return w.chooseKey()
	}
	return nil
}

// refresh reloads the list of the screen.
func (w *Wizard) refresh() tea.Cmd {
	switch w.screen {
	case scrSourceProfile, scrDestProfile:
		// Profiles are resolved again (after `aws sso login`, say), except the one
		// chosen on the other side, which later steps use.
		other := &w.src
		if w.screen == scrSourceProfile {
			other = &w.dst
		}
		kept := map[string]accountResult{}
		if res, ok := w.accounts[other.profile]; ok && other.chosen {
			kept[other.profile] = res
		}
		w.profiles, w.accounts = nil, kept
	case scrSourceBucket, scrDestBucket:
		delete(w.buckets, w.side().profile)
		w.summaries = map[summaryKey]summaryResult{}
	case scrDestRegion:
		delete(w.regions, w.dst.profile)
	case scrKey:
		delete(w.keyLists, keysKey{w.dst.profile, w.dest.region})
	}
	return w.enter(w.screen)
}

// listing reports whether the list in slot is being read, so that enter does not
// choose from what the screen no longer shows.
func (w *Wizard) listing(slot string) bool { return w.tasks.isRunning(slot) }

func (w *Wizard) handleResult(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case dueMsg:
		return w.onDue(msg)
	case profilesMsg:
		return w.onProfiles(msg)
	case identityMsg:
		return w.onIdentity(msg)
	case bucketsMsg:
		return w.onBuckets(msg)
	case summaryMsg:
		return w.onSummary(msg)
	case regionsMsg:
		return w.onRegions(msg)
	case keysMsg:
		return w.onKeys(msg)
	case nameTakenMsg:
		return w.onNameTaken(msg)
	case planMsg:
		return w.onPlan(msg)
	case applyProgressMsg:
		return w.onApplyProgress(msg)
	case applyDoneMsg:
		return w.onApplyDone(msg)
	case savedMsg:
		return w.onSaved(msg)
	case verifyUpdateMsg, verifyDoneMsg, doctorDoneMsg, cleanupDoneMsg, fixDoneMsg:
		if w.screen == scrVerify {
			return w.updatePanel(msg)
		}
	}
	return nil
}

func (w *Wizard) onDue(msg dueMsg) tea.Cmd {
	if msg.what == "name" {
		return w.checkName(msg.value)
	}
	p := w.currentPicker()
	if p == nil {
		return nil
	}
	if it, ok := p.selected(); !ok || it.value != msg.value {
		return nil // the cursor moved on
	}
	switch msg.what {
	case "identity":
		return w.resolve(msg.value)
	case "summary":
		return w.loadSummary(msg.value)
	}
	return nil
}

// layout sizes the components to the window and the screen.
func (w *Wizard) layout() {
	w.help.SetWidth(w.width)
	width, height := w.width, w.bodyHeight()
	listWidth, listHeight := w.listSize(width, height)
	for _, p := range []*picker{&w.src.profiles, &w.dst.profiles} {
		p.resize(width, max(3, height-1-profileInfoLines))
	}
	for _, p := range []*picker{&w.src.buckets, &w.dst.buckets} {
		p.resize(listWidth, listHeight)
	}
	w.dest.regions.resize(width, max(3, height-2))
	w.key.keys.resize(width, max(3, height-2))
	for _, in := range []*textinput.Model{&w.dest.newName, &w.key.alias} {
		in.SetWidth(max(10, width-4))
	}
	w.save.input.SetWidth(max(10, width-len(saveLabel)-4))
	w.layoutReview(width, height)
	w.layoutPanel(width, height)
}

const (
	headerLines      = 3 // brand and steps, choices so far, a blank line
	profileInfoLines = 5
	wideLayout       = 100 // from this width the side panel sits beside the list
)

// bodyHeight is what is left for the screen between the header and the footer: the
// status line and the help. The short help is one line; only the full help is drawn
// to count its lines, as this runs several times a frame.
func (w *Wizard) bodyHeight() int {
	footer := 2
	if w.help.ShowAll {
		footer = 1 + lipgloss.Height(w.help.View(w.screenKeys()))
	}
	return max(4, w.height-headerLines-footer)
}

// listSize is the size of a bucket list, which shares the body with its panel.
func (w *Wizard) listSize(width, height int) (int, int) {
	if width >= wideLayout {
		return width * 11 / 20, height - 2
	}
	return width, max(3, height-2-w.narrowPanelHeight(height))
}

func (w *Wizard) narrowPanelHeight(height int) int {
	if height < 14 {
		return 0
	}
	return 8
}

func (w *Wizard) View() tea.View {
	v := tea.NewView(w.render())
	v.AltScreen = true
	v.WindowTitle = "s3repl"
	return v
}

func (w *Wizard) render() string {
	var b strings.Builder
	b.WriteString(w.header())
	b.WriteString("\n")
	b.WriteString(fit(w.body(), w.width, w.bodyHeight()))
	b.WriteString("\n")
	b.WriteString(ansi.Truncate(w.statusLine(), w.width, "…"))
	b.WriteString("\n")
	b.WriteString(w.help.View(w.screenKeys()))
	return b.String()
}

// padLines pads every line with spaces to width, so what is joined beside it stays put.
func padLines(s string, width int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if gap := width - ansi.StringWidth(l); gap > 0 {
			lines[i] = l + strings.Repeat(" ", gap)
		}
	}
	return strings.Join(lines, "\n")
}

// fit cuts or pads text to exactly height lines no wider than width.
func fit(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "…")
		}
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (w *Wizard) header() string {
	th := w.theme
	current := w.screen.step()
	parts := make([]string, len(stepNames))
	for i, name := range stepNames {
		label := string(rune('1'+i)) + " " + name
		switch {
		case i+1 == scrApply.step() && current > i+1 && !w.Applied() && !w.fixedFromPanel():
			parts[i] = th.StepTodo.Render(label) // testing what is in place, without an apply
		case i+1 < current:
			parts[i] = th.StepDone.Render("✓ " + name)
		case i+1 == current:
			parts[i] = th.StepCurrent.Render(label)
		default:
			parts[i] = th.StepTodo.Render(label)
		}
	}
	top := strings.Join(parts, th.Crumbs.Render(" › "))
	if brand := th.Brand.Render("s3repl") + "  "; ansi.StringWidth(brand+top) <= w.width {
		top = brand + top // the window title names s3repl when there is no room
	}
	second := th.Crumbs.Render(w.crumbs())
	if w.deps.Label != "" {
		second = th.Badge.Render(w.deps.Label) + " " + second
	}
	return ansi.Truncate(top, w.width, "…") + "\n" + ansi.Truncate(second, w.width, "…") + "\n"
}

// crumbs sums up the choices made so far in one line.
func (w *Wizard) crumbs() string {
	var parts []string
	if w.src.bucket.Name != "" && w.screen > scrSourceBucket {
		parts = append(parts, w.sideCrumb(&w.src, w.src.bucket.Name, w.src.bucket.Region))
	}
	if w.screen > scrDestBucket && w.dst.bucket.Name != "" {
		parts = append(parts, "→ "+w.sideCrumb(&w.dst, w.dst.bucket.Name, w.dest.region))
	} else if w.screen > scrDestRegion {
		parts = append(parts, "→ "+w.dest.region)
	}
	if w.screen > scrKeyAlias && w.key.ref != "" {
		parts = append(parts, "· key "+w.key.label)
	}
	if len(parts) == 0 {
		return "Set up cross-account, cross-Region SSE-KMS replication for an S3 bucket"
	}
	return strings.Join(parts, " ")
}

func (w *Wizard) sideCrumb(s *sidePicks, bucket, region string) string {
	account := w.accounts[s.profile].id.AccountID
	return bucket + " (" + joinNonEmpty(" · ", region, account) + ")"
}

func (w *Wizard) statusLine() string {
	th := w.theme
	switch {
	case w.confirmQuit:
		return th.Warning.Render("The apply is still running. Quit and stop it? ") + "y quit · n keep going"
	case w.notice != "":
		return th.Warning.Render(w.notice)
	}
	return ""
}

func (w *Wizard) body() string {
	switch w.screen {
	case scrSourceProfile:
		return w.profilesBody(&w.src)
	case scrSourceBucket:
		return w.bucketsBody(&w.src)
	case scrDestProfile:
		return w.profilesBody(&w.dst)
	case scrDestRegion:
		return w.regionsBody()
	case scrDestBucket:
		return w.bucketsBody(&w.dst)
	case scrDestNewBucket:
		return w.newBucketBody()
	case scrKey:
		return w.keysBody()
	case scrKeyAlias:
		return w.aliasBody()
	case scrRule:
		return w.ruleBody()
	case scrReview:
		return w.reviewBody()
	case scrVerify:
		return w.verifyBody()
	}
	return w.applyBody()
}

// screenKeys are the keys the help shows for the screen.
func (w *Wizard) screenKeys() help.KeyMap {
	k := w.keys
	switch {
	case w.confirmQuit || w.screen == scrReview && w.review.confirming:
		return keyHelp{short: []key.Binding{k.Yes, k.No}}
	case w.typing():
		return keyHelp{short: []key.Binding{withHelp(k.Choose, "enter", "ok"), withHelp(k.Back, "esc", "cancel"), withHelp(k.Quit, "ctrl+c", "quit")}}
	}
	switch w.screen {
	case scrVerify:
		return w.verifyKeys()
	case scrRule:
		return keyHelp{short: []key.Binding{k.Up, k.Down, k.Toggle, withHelp(k.Choose, "enter", "review"), k.Back, k.Help, k.Quit}}
	case scrReview:
		if w.review.plan != nil && len(w.review.plan.Pending()) == 0 {
			return keyHelp{
				short: []key.Binding{k.Verify, k.Up, k.Down, k.ScrollDown, k.Save, k.Back, k.Help, k.Quit},
				more:  []key.Binding{k.ScrollUp, withHelp(k.Refresh, "r", "plan again")},
			}
		}
		return keyHelp{
			short: []key.Binding{k.Apply, k.Up, k.Down, k.ScrollDown, k.Save, k.Back, k.Help, k.Quit},
			more:  []key.Binding{k.ScrollUp, withHelp(k.Refresh, "r", "plan again"), withHelp(k.Verify, "v", "test what is in place now")},
		}
	case scrApply:
		switch {
		case !w.apply.done:
			return keyHelp{short: []key.Binding{k.Quit}}
		case w.apply.err != nil:
			return keyHelp{short: []key.Binding{k.Retry, k.Save, k.Quit}}
		}
		return keyHelp{short: []key.Binding{k.Verify, k.Save, k.Quit}}
	}
	back := k.Back
	back.SetEnabled(w.screen.back() != w.screen)
	return keyHelp{
		short: []key.Binding{k.Up, k.Down, k.Choose, k.Filter, back, k.Help, k.Quit},
		more:  []key.Binding{k.PageUp, k.PageDown, k.Home, k.End, k.Refresh},
	}
}

func withHelp(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

func (w *Wizard) spinnerLine(text string) string {
	return w.spin.View() + " " + text
}

// DemoDeps are the wizard's dependencies for `s3repl demo`: the simulated cloud's
// accounts, the scenario's label and story, and the source profile its story picks.
func DemoDeps(sc steps.DemoScenario, cloud *simcloud.Cloud) Deps {
	return Deps{
		Open:          cloud.Open,
		Profiles:      func() ([]string, error) { return cloud.Profiles(), nil },
		Label:         sc.Label(),
		Intro:         sc.Story,
		SourceProfile: simcloud.DemoSourceProfile,
	}
}
