package ui

import (
	"context"
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A page as a new screen would add it: this file and one row in pageTable are all
// it takes (the test adds the row itself, for its own run).

const pageExample pageID = "example"

type examplePage struct {
	s       *shared
	entered int
}

func newExamplePage(s *shared) page { return &examplePage{s: s} }

func (p *examplePage) enter(bool) tea.Cmd { p.entered++; return nil }

func (p *examplePage) update(msg tea.Msg) (action, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, p.s.bindings.Back) {
		return goBack(), nil
	}
	return stay, nil
}

func (p *examplePage) view() string {
	return p.s.theme.Heading.Render("An example page") + " for " + p.s.source.bucket.Name
}

func (p *examplePage) setSize(int, int) {}

func (p *examplePage) keyHelp() help.KeyMap {
	return keyHelp{short: []key.Binding{p.s.bindings.Back, p.s.bindings.Quit}}
}

func (p *examplePage) typing() bool { return false }

// TestAPageIsOneFileAndOneRow: with its row in the table, the page gets a step in the
// header, the wizard shows it, esc leaves it, and q quits from it.
func TestAPageIsOneFileAndOneRow(t *testing.T) {
	defer func(table []pageRow) { pageTable = table }(pageTable)
	pageTable = append(pageTable[:len(pageTable):len(pageTable)], pageRow{pageExample, 8, "Example", newExamplePage})

	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.Update(tea.WindowSizeMsg{Width: 160, Height: 30})
	w.s.source.bucket.Name = "acme-logs"
	w.jumpTo(pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview, pageApply)
	w.act(goTo(pageExample), nil)

	screen := ansi.Strip(w.View().Content)
	for _, want := range []string{"7 Verify › 8 Example", "An example page for acme-logs", "esc back • q quit"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("%q is not on the screen:\n%s", want, screen)
		}
	}
	if example := w.pages[pageExample].(*examplePage); example.entered != 1 {
		t.Fatalf("entered %d times", example.entered)
	}
	w.Update(keyPress("esc"))
	if w.s.current != pageApply {
		t.Fatalf("esc went to %s", w.s.current)
	}
	w.act(goTo(pageExample), nil)
	if _, cmd := w.Update(keyPress("q")); cmd == nil || !isQuit(cmd) {
		t.Fatal("q did not quit from the new page")
	}
}
