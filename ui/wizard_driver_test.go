package ui

import (
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/s3repl/s3repl/steps"
)

// probeMsg asks the driver's filter to copy the screen; the wizard ignores it.
type probeMsg struct{}

// driver runs the wizard in teatest and reads its screen through a program filter,
// which sees the model between messages, so tests wait on what the wizard shows
// rather than on sleeps or on the terminal byte stream.
type driver struct {
	t  *testing.T
	tm *teatest.TestModel

	mu     sync.Mutex
	screen string
}

const waitLimit = 30 * time.Second

func startWizard(t *testing.T, deps Deps, width, height int) *driver {
	t.Helper()
	d := &driver{t: t}
	capture := func(m tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(probeMsg); ok {
			view := m.(*Wizard).View().Content
			d.mu.Lock()
			d.screen = view
			d.mu.Unlock()
		}
		return msg
	}
	d.tm = teatest.NewTestModel(t, NewWizard(context.Background(), deps),
		teatest.WithInitialTermSize(width, height),
		teatest.WithProgramOptions(tea.WithFilter(capture), tea.WithColorProfile(colorprofile.Ascii)))
	return d
}

// waitFor returns the screen (with its styles) once its text contains every want.
func (d *driver) waitFor(want ...string) string {
	d.t.Helper()
	screen, ok := d.poll(waitLimit, want)
	if !ok {
		d.t.Fatalf("timed out waiting for %q; the screen is:\n%s", want, ansi.Strip(screen))
	}
	return screen
}

// poll copies the screen until its text contains every want, or limit passes.
func (d *driver) poll(limit time.Duration, want []string) (string, bool) {
	deadline := time.Now().Add(limit)
	var screen string
	for time.Now().Before(deadline) {
		d.tm.Send(probeMsg{})
		time.Sleep(20 * time.Millisecond)
		d.mu.Lock()
		screen = d.screen
		d.mu.Unlock()
		if containsAll(ansi.Strip(screen), want) {
			return screen, true
		}
	}
	return screen, false
}

// containsAll looks for each want with runs of white space (line ends too) taken as
// one space, so text that wraps still matches.
func containsAll(s string, want []string) bool {
	s = strings.Join(strings.Fields(s), " ")
	for _, w := range want {
		if !strings.Contains(s, strings.Join(strings.Fields(w), " ")) {
			return false
		}
	}
	return true
}

// press sends named keys (enter, esc, up, down, tab, space, ctrl+c) or single
// characters.
func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.tm.Send(keyPress(k))
	}
}

// typeText types text into whatever has the keyboard.
func (d *driver) typeText(text string) {
	for _, r := range text {
		d.tm.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

var namedKeys = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"esc":       {Code: tea.KeyEscape},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"tab":       {Code: tea.KeyTab},
	"space":     {Code: tea.KeySpace, Text: " "},
	"pgdown":    {Code: tea.KeyPgDown},
	"backspace": {Code: tea.KeyBackspace},
	"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
	"ctrl+u":    {Code: 'u', Mod: tea.ModCtrl},
}

func keyPress(k string) tea.KeyPressMsg {
	if msg, ok := namedKeys[k]; ok {
		return msg
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// finish quits and returns the final model.
func (d *driver) finish(keys ...string) *Wizard {
	d.t.Helper()
	if len(keys) == 0 {
		keys = []string{"q"}
	}
	d.press(keys...)
	return d.tm.FinalModel(d.t, teatest.WithFinalTimeout(waitLimit)).(*Wizard)
}

// Values that differ from run to run, replaced by text of the same width so that
// goldens keep their layout.
var (
	uuidPattern    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	shortIDPattern = regexp.MustCompile(`key [0-9a-f]{8}…`)
	journalPattern = regexp.MustCompile(`apply-\d{8}T\d{6}\.\d{9}Z`)
)

func stable(screen string) string {
	screen = uuidPattern.ReplaceAllString(screen, "00000000-0000-0000-0000-000000000000")
	screen = shortIDPattern.ReplaceAllString(screen, "key 00000000…")
	return journalPattern.ReplaceAllString(screen, "apply-20260101T000000.000000000Z")
}

// packageDir is where the goldens live, whatever directory a test moves to.
var packageDir, _ = os.Getwd()

// requireScreen compares a screen with its golden file, in a subtest named after
// the screen.
func requireScreen(t *testing.T, name, screen string) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		if wd, err := os.Getwd(); err == nil && wd != packageDir {
			must(t, os.Chdir(packageDir))
			defer func() { must(t, os.Chdir(wd)) }()
		}
		golden.RequireEqual(t, stable(screen))
	})
}

// testDeps opens accounts with open and lists profiles from the harness files.
func testDeps(open steps.Opener) Deps {
	return Deps{Open: open, Profiles: steps.ListProfiles}
}
