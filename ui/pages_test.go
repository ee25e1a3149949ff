package ui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// jumpTo puts the wizard on the last of the pages given, with the others under it,
// without entering it: a test sets the state the page would have found.
func (w *Wizard) jumpTo(stack ...pageID) {
	w.stack = stack
	w.s.current, w.s.canGoBack = stack[len(stack)-1], len(stack) > 1
	w.layout()
}

// pageDriver runs the wizard's pages directly, without a Bubble Tea program: each
// command runs at once in the test's goroutine and its message goes back into the
// wizard, so a test reads the outcome of a key as soon as press returns. Time passes
// only when the test says (elapse), and results the test holds arrive only when it
// releases them: "enter while the list is still being read" is two lines, not a
// sleep.
type pageDriver struct {
	t     *testing.T
	w     *Wizard
	queue []tea.Msg
	// later are the messages sent after a delay (the debounce), until elapse.
	later []tea.Msg
	// held are the results holding matched, until release.
	held    []tea.Msg
	holding func(tea.Msg) bool
}

// laterMsg is a message sent after a delay, kept until the test lets time pass.
type laterMsg struct{ msg tea.Msg }

func drivePages(t *testing.T, deps Deps, width, height int) *pageDriver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := NewWizard(ctx, deps)
	w.s.after = func(_ time.Duration, msg tea.Msg) tea.Cmd { return func() tea.Msg { return laterMsg{msg} } }
	w.spinning = true // no spinner ticks: they would wait for real time
	th := NewTheme(true)
	th.Input.Cursor.Blink = false // nor cursor blinks
	w.applyTheme(th)
	d := &pageDriver{t: t, w: w}
	w.Update(tea.WindowSizeMsg{Width: width, Height: height})
	d.run(w.top().enter(false))
	d.settle()
	return d
}

// run runs a command and queues what it sends.
func (d *pageDriver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case laterMsg:
		d.later = append(d.later, msg.msg)
	default:
		d.queue = append(d.queue, msg)
	}
}

// settle hands the queued messages to the wizard until nothing is left to do.
func (d *pageDriver) settle() {
	for len(d.queue) > 0 {
		msg := d.queue[0]
		d.queue = d.queue[1:]
		if d.holding != nil && d.holding(msg) {
			d.held = append(d.held, msg)
			continue
		}
		_, cmd := d.w.Update(msg)
		d.run(cmd)
	}
}

// press sends keys (named as keyPress names them), each settled before the next.
func (d *pageDriver) press(keys ...string) {
	for _, k := range keys {
		d.send(keyPress(k))
	}
}

func (d *pageDriver) typeText(text string) {
	for _, r := range text {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// send hands one message to the wizard and settles what follows.
func (d *pageDriver) send(msg tea.Msg) {
	_, cmd := d.w.Update(msg)
	d.run(cmd)
	d.settle()
}

// elapse lets the debounce pass: what was due arrives.
func (d *pageDriver) elapse() {
	d.queue, d.later = append(d.queue, d.later...), nil
	d.settle()
}

// hold keeps the results that match until release.
func (d *pageDriver) hold(match func(tea.Msg) bool) { d.holding = match }

// release lets the held results arrive, and holds no more.
func (d *pageDriver) release() {
	d.queue, d.held, d.holding = append(d.queue, d.held...), nil, nil
	d.settle()
}

// screen is what the wizard shows, as text.
func (d *pageDriver) screen() string { return ansi.Strip(d.w.View().Content) }

// expect fails unless the screen shows every want.
func (d *pageDriver) expect(want ...string) {
	d.t.Helper()
	if screen := d.screen(); !containsAll(screen, want) {
		d.t.Fatalf("the screen lacks %q:\n%s", want, screen)
	}
}

// expectNot fails if the screen shows any of unwanted.
func (d *pageDriver) expectNot(unwanted ...string) {
	d.t.Helper()
	screen := d.screen()
	for _, u := range unwanted {
		if containsAll(screen, []string{u}) {
			d.t.Fatalf("the screen shows %q:\n%s", u, screen)
		}
	}
}

// on fails unless the page on top is id.
func (d *pageDriver) on(id pageID) {
	d.t.Helper()
	if d.w.s.current != id {
		d.t.Fatalf("on the page %s, want %s:\n%s", d.w.s.current, id, d.screen())
	}
}
