package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

// Wizard is the interactive setup: pick both sides, the key and the rule, review
// every change as a diff, apply, test. It is a pointer model holding a stack of
// pages (see pages.go): Update routes each message to the page on top and does what
// its action says; every AWS call runs in a tea.Cmd whose result comes back as a
// message.
type Wizard struct {
	s        *shared
	stop     context.CancelFunc
	help     help.Model
	spinning bool
	// windowWidth and windowHeight are the terminal's; the body's size is in s.
	windowWidth, windowHeight int

	pages map[pageID]page
	stack []pageID

	notice      string
	confirmQuit bool
}

// NewWizard makes the wizard; cancelling ctx stops its AWS work.
func NewWizard(ctx context.Context, deps Deps) *Wizard {
	ctx, stop := context.WithCancel(ctx)
	w := &Wizard{
		s: newShared(deps, newTasks(ctx)), stop: stop, help: help.New(),
		windowWidth: 80, windowHeight: 24, pages: map[pageID]page{}, stack: []pageID{firstPage},
	}
	for _, row := range pageTable {
		w.pages[row.id] = row.make(w.s)
	}
	w.s.current = firstPage
	w.setTheme(true)
	w.layout()
	return w
}

// setTheme styles everything for a dark or light background; the components are
// made unstyled and styled only here and in the pages' setTheme.
func (w *Wizard) setTheme(isDark bool) { w.applyTheme(NewTheme(isDark)) }

func (w *Wizard) applyTheme(th Theme) {
	w.s.setTheme(th)
	w.help.Styles = th.Help
	for _, p := range w.pages {
		if t, ok := p.(themed); ok {
			t.setTheme(th)
		}
	}
}

// Init lists the profiles and asks the terminal for its background colour.
func (w *Wizard) Init() tea.Cmd {
	return tea.Batch(w.top().enter(false), tea.RequestBackgroundColor)
}

func (w *Wizard) top() page { return w.pages[w.s.current] }

// Setup is the setup the choices make, as far as they go.
func (w *Wizard) Setup() steps.Setup { return w.s.setup }

// Applied reports whether an apply ran to the end without error.
func (w *Wizard) Applied() bool { return w.pages[pageApply].(*applyPage).applied() }

// ApplyFailed reports whether the last apply began and did not end well (it
// failed, or the wizard was quit while it wrote): the wizard's exit status says so.
func (w *Wizard) ApplyFailed() bool { return w.pages[pageApply].(*applyPage).failed() }

func (w *Wizard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		w.windowWidth, w.windowHeight = msg.Width, msg.Height
		w.layout()
		return w, nil
	case tea.BackgroundColorMsg:
		w.setTheme(msg.IsDark())
		return w, nil
	case spinner.TickMsg:
		return w, tea.Batch(w.tick(msg), w.act(w.top().update(msg)))
	case tea.KeyPressMsg:
		cmd := w.handleKey(msg)
		w.layout()
		return w, w.withSpinner(cmd)
	case tea.PasteMsg:
		if !w.top().typing() {
			return w, nil
		}
	}
	cmd := w.act(w.top().update(msg))
	if w.help.ShowAll {
		w.layout() // a result can change the keys, and so the full help's height
	}
	return w, w.withSpinner(cmd)
}

// withSpinner starts the spinner when work is in flight and it is not turning yet;
// it stops by itself when nothing is loading, so an idle wizard does not redraw.
func (w *Wizard) withSpinner(cmd tea.Cmd) tea.Cmd {
	if w.spinning || !w.s.tasks.busy() {
		return cmd
	}
	w.spinning = true
	return tea.Batch(cmd, w.s.spin.Tick)
}

func (w *Wizard) tick(msg spinner.TickMsg) tea.Cmd {
	if msg.ID != w.s.spin.ID() {
		return nil // the status panel's own spinner
	}
	if !w.s.tasks.busy() {
		w.spinning = false
		return nil
	}
	var cmd tea.Cmd
	w.s.spin, cmd = w.s.spin.Update(msg)
	return cmd
}

func (w *Wizard) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	w.notice = ""
	b := w.s.bindings
	_, owner := w.top().(keyOwner)
	switch {
	case w.confirmQuit:
		return w.answerQuit(msg)
	case owner && !w.help.ShowAll && !key.Matches(msg, b.Help):
		return w.act(w.top().update(msg))
	case key.Matches(msg, b.Interrupt):
		return w.quit()
	case w.top().typing():
		return w.act(w.top().update(msg))
	case key.Matches(msg, b.Quit):
		return w.quit()
	case key.Matches(msg, b.Help):
		w.help.ShowAll = !w.help.ShowAll
		return nil
	case owner:
		return nil // with the full help shown, the page's own keys wait
	}
	return w.act(w.top().update(msg))
}

// act does what a page asked.
func (w *Wizard) act(a action, cmd tea.Cmd) tea.Cmd {
	if a.notice != "" {
		w.notice = a.notice
	}
	switch a.kind {
	case actGoTo:
		return tea.Batch(cmd, w.push(a.to))
	case actReplace:
		w.leave()
		w.stack = w.stack[:len(w.stack)-1]
		return tea.Batch(cmd, w.push(a.to))
	case actBack:
		return tea.Batch(cmd, w.pop())
	case actQuit:
		return tea.Batch(cmd, w.quit())
	}
	return cmd
}

// push shows another page over the current one.
func (w *Wizard) push(id pageID) tea.Cmd {
	w.leave()
	w.stack = append(w.stack, id)
	return w.show(false)
}

// pop goes back to the page under the current one.
func (w *Wizard) pop() tea.Cmd {
	if len(w.stack) < 2 {
		return nil
	}
	w.leave()
	w.stack = w.stack[:len(w.stack)-1]
	return w.show(true)
}

func (w *Wizard) leave() {
	if l, ok := w.top().(leaver); ok {
		l.leave()
	}
}

// show enters the page now on top: the work of the page left is cancelled and what
// the new one needs starts loading unless it is known already.
func (w *Wizard) show(returning bool) tea.Cmd {
	id := w.stack[len(w.stack)-1]
	w.s.tasks.cancelOthers(id)
	w.s.current, w.s.canGoBack = id, len(w.stack) > 1
	w.help.ShowAll = false
	w.layout()
	return w.top().enter(returning)
}

// quit leaves at once, unless a page is writing to AWS: then it asks first.
func (w *Wizard) quit() tea.Cmd {
	if wr, ok := w.top().(writer); ok && wr.writing() {
		w.confirmQuit = true
		return nil
	}
	w.stopAll()
	return tea.Quit
}

func (w *Wizard) answerQuit(msg tea.KeyPressMsg) tea.Cmd {
	w.confirmQuit = false
	if key.Matches(msg, w.s.bindings.Yes, w.s.bindings.Interrupt) {
		w.stopAll()
		return tea.Quit
	}
	return nil
}

func (w *Wizard) stopAll() {
	w.s.tasks.cancelAll()
	w.stop()
}

const headerLines = 3 // brand and steps, choices so far, a blank line

// layout sizes the body to the window, once per change of size or state; View only
// reads what it computed.
func (w *Wizard) layout() {
	w.help.SetWidth(w.windowWidth)
	footer := 2 // the status line and the short help
	if w.help.ShowAll {
		footer = 1 + lipgloss.Height(w.help.View(w.keyHelp()))
	}
	w.s.width, w.s.height = w.windowWidth, max(4, w.windowHeight-headerLines-footer)
	w.top().setSize(w.s.width, w.s.height)
}

// keyHelp is what the help shows: the page's keys, or the question being asked.
func (w *Wizard) keyHelp() help.KeyMap {
	b := w.s.bindings
	switch {
	case w.confirmQuit:
		return keyHelp{short: []key.Binding{b.Yes, b.No}}
	case w.top().typing():
		return w.s.typingHelp()
	}
	return w.top().keyHelp()
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
	b.WriteString(fit(w.top().view(), w.s.width, w.s.height))
	b.WriteString("\n")
	b.WriteString(ansi.Truncate(w.statusLine(), w.windowWidth, "…"))
	b.WriteString("\n")
	b.WriteString(w.help.View(w.keyHelp()))
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

// passed reports whether the page is on the stack under the current one.
func (w *Wizard) passed(id pageID) bool {
	return slices.Contains(w.stack[:len(w.stack)-1], id)
}

// stepDone reports whether a step before the current one was done: one of its pages
// is under the current one, or a page said so (fixes applied from the status panel
// complete the apply).
func (w *Wizard) stepDone(step int) bool {
	if w.s.stepsDone[step] {
		return true
	}
	for _, id := range w.stack[:len(w.stack)-1] {
		if rowOf(id).step == step {
			return true
		}
	}
	return false
}

func (w *Wizard) header() string {
	th := w.s.theme
	current := rowOf(w.s.current).step
	titles := stepTitles()
	parts := make([]string, len(titles))
	for i, name := range titles {
		step := i + 1
		if step == current {
			name = rowOf(w.s.current).stepTitle
		}
		label := fmt.Sprint(step) + " " + name
		switch {
		case step < current && w.stepDone(step):
			parts[i] = th.StepDone.Render("✓ " + name)
		case step == current:
			parts[i] = th.StepCurrent.Render(label)
		default:
			parts[i] = th.StepTodo.Render(label) // to do, or skipped (testing what is in place)
		}
	}
	top := strings.Join(parts, th.Crumbs.Render(" › "))
	if brand := th.Brand.Render("s3repl") + "  "; ansi.StringWidth(brand+top) <= w.windowWidth {
		top = brand + top // the window title names s3repl when there is no room
	}
	label := ""
	if w.s.deps.Label != "" {
		label = th.Badge.Render(w.s.deps.Label) + " "
	}
	var second string
	for _, detail := range crumbDetails {
		second = label + th.Crumbs.Render(w.crumbs(detail))
		if ansi.StringWidth(second) <= w.windowWidth {
			break
		}
	}
	return ansi.Truncate(top, w.windowWidth, "…") + "\n" + ansi.Truncate(second, w.windowWidth, "…") + "\n"
}

// crumbDetail is how much the crumbs say: on a narrow screen the Regions go first,
// then the key, then the bucket names are shortened in the middle; the account ids
// stay whole, as a cut id is a wrong id.
type crumbDetail struct {
	regions, key bool
	nameWidth    int // 0: whole names
}

var crumbDetails = func() []crumbDetail {
	details := []crumbDetail{{regions: true, key: true}, {key: true}, {}}
	for width := 30; width >= 7; width-- {
		details = append(details, crumbDetail{nameWidth: width})
	}
	return details
}()

// crumbs sums up the choices made so far in one line.
func (w *Wizard) crumbs(detail crumbDetail) string {
	s := w.s
	var parts []string
	if s.source.bucket.Name != "" && w.passed(pageSourceBucket) {
		parts = append(parts, w.sideCrumb(&s.source, s.source.bucket.Name, s.source.bucket.Region, detail))
	}
	if w.passed(pageDestBucket) && s.destination.bucket.Name != "" {
		parts = append(parts, "→ "+w.sideCrumb(&s.destination, s.destination.bucket.Name, s.region, detail))
	} else if w.passed(pageDestRegion) {
		parts = append(parts, "→ "+s.region)
	}
	if detail.key && rowOf(s.current).step > rowOf(pageReplicaKey).step && s.replicaKey.ref != "" {
		parts = append(parts, "· key "+s.replicaKey.label)
	}
	if len(parts) == 0 {
		return "Set up cross-account, cross-Region SSE-KMS replication for an S3 bucket"
	}
	return strings.Join(parts, " ")
}

func (w *Wizard) sideCrumb(c *sideChoice, bucket, region string, detail crumbDetail) string {
	account := w.s.accounts[c.profile].id.AccountID
	if !detail.regions {
		region = ""
	}
	if detail.nameWidth > 0 {
		bucket = shortenMiddle(bucket, detail.nameWidth)
	}
	if place := joinNonEmpty(" · ", region, account); place != "" {
		return bucket + " (" + place + ")"
	}
	return bucket
}

// shortenMiddle keeps the start and the end of a name that is wider than width,
// with … between: bucket names often differ only at the end.
func shortenMiddle(name string, width int) string {
	runes := []rune(name)
	if len(runes) <= width {
		return name
	}
	head := (width - 1) / 2
	tail := width - 1 - head
	return string(runes[:head]) + "…" + string(runes[len(runes)-tail:])
}

func (w *Wizard) statusLine() string {
	th := w.s.theme
	switch {
	case w.confirmQuit:
		return th.Warning.Render("The apply is still running. Quit and stop it? ") + "y quit · n keep going"
	case w.notice != "":
		return th.Warning.Render(w.notice)
	}
	return ""
}

func withHelp(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

// Farewell is what stays printed after the wizard's full-screen view closes: what
// was applied and saved, and what to run next.
func (w *Wizard) Farewell() string {
	var b strings.Builder
	apply := w.pages[pageApply].(*applyPage)
	applied := apply.appliedCount()
	switch {
	case !apply.started: // no apply began
	case !apply.done:
		b.WriteString(StyleWarning.Render("Apply stopped: ") + fmt.Sprintf("%d of %s applied before you quit. ", applied, plural(len(apply.changes), "change")) +
			"Run the wizard again, or s3repl apply with the saved setup, to finish: it plans only what is missing.\n")
		if apply.journal != "" {
			b.WriteString(StyleMuted.Render("Journal: "+apply.journal) + "\n")
		}
	default:
		b.WriteString(ApplySummary(applied, apply.journal))
		if apply.err != nil {
			b.WriteString(StyleError.Render("error: ") + apply.err.Error() + "\n")
		}
	}
	b.WriteString(w.pages[pageVerify].(*verifyPage).outcome())
	b.WriteString(w.backfillSummary())
	if saved := w.s.save.saved; saved != "" {
		b.WriteString("Setup saved to " + saved + ": run `s3repl verify -f " + saved + "` to watch a test object replicate.\n")
	}
	return b.String()
}
